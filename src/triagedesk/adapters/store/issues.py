"""The SQL issue store: Issue aggregates in and out, in bulk.

Writes go through :meth:`SqlIssueStore.upsert_issues`: one transaction per
call, executemany for every table, and a content digest per issue so that
writing an unchanged issue touches nothing. Reads assemble aggregates page by
page (``PAGE`` issues at a time) so iterating over 100k issues keeps memory flat.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import replace
from datetime import datetime

from sqlalchemy import ColumnElement, Connection, and_, bindparam, delete, func, insert, select
from sqlalchemy import update as sql_update
from sqlalchemy.engine import Engine

from triagedesk.adapters.store.db import translated
from triagedesk.adapters.store.issue_rows import (
    CHILDREN,
    Rows,
    bulk_insert,
    chunks,
    load_comments,
    load_events,
    load_issues,
    repo_of,
    to_rows,
)
from triagedesk.adapters.store.tables.core import (
    assignees,
    comments,
    issue_events,
    issue_labels,
    issues,
    labels,
    reactions,
    repos,
    status_changes,
)
from triagedesk.domain.errors import NotFoundError
from triagedesk.domain.model import (
    CloseReason,
    EventKind,
    Issue,
    IssueEvent,
    IssueRef,
    IssueState,
    Label,
    Repo,
    RepoRef,
    Visibility,
)
from triagedesk.domain.workflow import (
    Closure,
    LabelDelta,
    Source,
    State,
    Status,
    StatusChange,
)
from triagedesk.ports.store import UpsertResult

#: issues assembled per read query
PAGE = 500


def _state_value(state: State | None) -> str | None:
    return None if state is None else state.value


def _parse_state(value: str) -> State:
    try:
        return Status(value)
    except ValueError:
        return Closure(value)


class SqlIssueStore:
    """:class:`triagedesk.ports.store.IssueStore` on SQLite or PostgreSQL."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    # ------------------------------------------------------------------ writes

    def upsert_issues(
        self,
        issues_in: Iterable[Issue],
        *,
        keep_comments: bool = False,
        keep_events: bool = False,
    ) -> UpsertResult:
        """Insert or update ``issues_in`` in one transaction (the last of equal refs wins).

        With ``keep_comments``/``keep_events`` an incoming issue without comments or
        events keeps the stored ones: for inputs that do not carry them (a REST issue
        list without its comments file, gh JSON without its events file).
        """
        batch: dict[IssueRef, Issue] = {}
        for issue in issues_in:
            batch[issue.ref] = issue
        if not batch:
            return UpsertResult()
        with translated(), self._engine.begin() as conn:
            return self._write(conn, batch, keep_comments=keep_comments, keep_events=keep_events)

    def _write(
        self,
        conn: Connection,
        batch: dict[IssueRef, Issue],
        *,
        keep_comments: bool = False,
        keep_events: bool = False,
    ) -> UpsertResult:
        repo_ids = self._ensure_repos(conn, {ref.repo for ref in batch})
        existing = self._existing(conn, repo_ids, list(batch))
        if keep_comments or keep_events:
            self._keep_stored(conn, batch, existing, keep_comments, keep_events)

        new: list[tuple[IssueRef, Rows]] = []
        changed: list[tuple[int, Rows]] = []
        unchanged = 0
        for ref, issue in batch.items():
            rows = to_rows(issue)
            rows.issue["repo_id"] = repo_ids[ref.repo]
            found = existing.get(ref)
            if found is None:
                new.append((ref, rows))
            elif found[1] == rows.issue["content_hash"]:
                unchanged += 1
            else:
                changed.append((found[0], rows))

        ids: list[tuple[int, Rows]] = list(changed)
        if changed:
            # executemany: the SET clause comes from the parameter keys
            stmt = sql_update(issues).where(issues.c.id == bindparam("_id"))
            conn.execute(stmt, [{"_id": i, **r.issue} for i, r in changed])
            changed_ids = [i for i, _ in changed]
            for table in CHILDREN:
                for part in chunks(changed_ids):
                    conn.execute(delete(table).where(table.c.issue_id.in_(part)))
        if new:
            bulk_insert(conn, issues, [r.issue for _, r in new])
            fresh = self._existing(conn, repo_ids, [ref for ref, _ in new])
            ids.extend((fresh[ref][0], r) for ref, r in new)
        self._insert_children(conn, ids)
        return UpsertResult(inserted=len(new), updated=len(changed), unchanged=unchanged)

    @staticmethod
    def _keep_stored(
        conn: Connection,
        batch: dict[IssueRef, Issue],
        existing: dict[IssueRef, tuple[int, str]],
        keep_comments: bool,
        keep_events: bool,
    ) -> None:
        """Give incoming issues without comments/events the stored ones (loaded alone)."""
        if keep_comments:
            ids = [existing[r][0] for r, i in batch.items() if r in existing and not i.comments]
            stored_c = load_comments(conn, ids) if ids else {}
            for ref, issue in list(batch.items()):
                if ref in existing and not issue.comments and existing[ref][0] in stored_c:
                    batch[ref] = replace(issue, comments=stored_c[existing[ref][0]])
        if keep_events:
            ids = [existing[r][0] for r, i in batch.items() if r in existing and not i.events]
            stored_e = load_events(conn, ids) if ids else {}
            for ref, issue in list(batch.items()):
                if ref in existing and not issue.events and existing[ref][0] in stored_e:
                    batch[ref] = replace(issue, events=stored_e[existing[ref][0]])

    @staticmethod
    def _insert_children(conn: Connection, ids: list[tuple[int, Rows]]) -> None:
        for table, attr in (
            (issue_labels, "labels"),
            (assignees, "assignees"),
            (reactions, "reactions"),
            (comments, "comments"),
            (issue_events, "events"),
        ):
            rows = [{"issue_id": i, **row} for i, r in ids for row in getattr(r, attr)]
            bulk_insert(conn, table, rows)

    @staticmethod
    def _ensure_repos(conn: Connection, refs: set[RepoRef]) -> dict[RepoRef, int]:
        names = sorted(r.full_name for r in refs)
        found = dict(
            conn.execute(
                select(repos.c.full_name, repos.c.id).where(repos.c.full_name.in_(names))
            ).all()
        )
        missing = [n for n in names if n not in found]
        if missing:
            conn.execute(insert(repos), [{"full_name": n, "visibility": "public"} for n in missing])
            found.update(
                conn.execute(
                    select(repos.c.full_name, repos.c.id).where(repos.c.full_name.in_(missing))
                ).all()
            )
        return {r: found[r.full_name] for r in refs}

    @staticmethod
    def _existing(
        conn: Connection, repo_ids: dict[RepoRef, int], refs: list[IssueRef]
    ) -> dict[IssueRef, tuple[int, str]]:
        by_repo: dict[RepoRef, list[int]] = defaultdict(list)
        for ref in refs:
            by_repo[ref.repo].append(ref.number)
        out: dict[IssueRef, tuple[int, str]] = {}
        for repo, numbers in by_repo.items():
            rid = repo_ids[repo]
            for part in chunks(numbers):
                q = select(issues.c.number, issues.c.id, issues.c.content_hash).where(
                    issues.c.repo_id == rid, issues.c.number.in_(part)
                )
                for number, iid, digest in conn.execute(q):
                    out[IssueRef(repo, number)] = (iid, digest)
        return out

    def set_repo(self, repo: Repo) -> None:
        """Record a repository and its visibility (public or internal)."""
        with translated(), self._engine.begin() as conn:
            self._ensure_repos(conn, {repo.ref})
            conn.execute(
                sql_update(repos)
                .where(repos.c.full_name == repo.ref.full_name)
                .values(visibility=repo.visibility.value)
            )

    def upsert_labels(self, repo: RepoRef, defs: Iterable[Label]) -> UpsertResult:
        """Keep the repository's label catalogue (name, colour, description)."""
        wanted = {d.name: d for d in defs}
        with translated(), self._engine.begin() as conn:
            rid = self._ensure_repos(conn, {repo})[repo]
            have = {
                n: (c, d)
                for n, c, d in conn.execute(
                    select(labels.c.name, labels.c.color, labels.c.description).where(
                        labels.c.repo_id == rid
                    )
                )
            }
            new = [d for n, d in wanted.items() if n not in have]
            changed = [
                d for n, d in wanted.items() if n in have and have[n] != (d.color, d.description)
            ]
            if new:
                conn.execute(
                    insert(labels),
                    [
                        {
                            "repo_id": rid,
                            "name": d.name,
                            "color": d.color,
                            "description": d.description,
                        }
                        for d in new
                    ],
                )
            for d in changed:
                conn.execute(
                    sql_update(labels)
                    .where(labels.c.repo_id == rid, labels.c.name == d.name)
                    .values(color=d.color, description=d.description)
                )
        return UpsertResult(len(new), len(changed), len(wanted) - len(new) - len(changed))

    def record_status_change(self, change: StatusChange) -> None:
        with translated(), self._engine.begin() as conn:
            self._insert_change(conn, change)

    @staticmethod
    def _insert_change(conn: Connection, change: StatusChange) -> None:
        conn.execute(
            insert(status_changes).values(
                repo=change.issue.repo.full_name,
                number=change.issue.number,
                from_state=_state_value(change.from_state),
                to_state=change.to_state.value,
                actor=change.actor,
                at=change.at,
                reason=change.reason,
                source=change.source.value,
                forced=change.forced,
            )
        )

    def apply_status_change(
        self, change: StatusChange, delta: LabelDelta, close: CloseReason | None = None
    ) -> Issue:
        """Record ``change`` and move the stored issue's labels by ``delta`` atomically.

        Each added or removed label becomes a label event (actor and time of the
        change); ``close`` also closes the issue with that reason. Returns the issue
        as stored afterwards.
        """
        with translated(), self._engine.begin() as conn:
            iid = self._issue_id(conn, change.issue)
            if iid is None:
                raise NotFoundError(f"{change.issue} is not in the database; import it first")
            issue = load_issues(conn, [iid])[iid]
            removed = set(delta.remove)
            new_labels = tuple(lab for lab in issue.labels if lab not in removed) + tuple(
                lab for lab in delta.add if lab not in issue.labels
            )
            events = (
                *issue.events,
                *(
                    IssueEvent(EventKind.UNLABELED, change.actor, change.at, lab)
                    for lab in delta.remove
                ),
                *(IssueEvent(EventKind.LABELED, change.actor, change.at, lab) for lab in delta.add),
            )
            issue = replace(issue, labels=new_labels, events=events)
            if close is not None and issue.is_open:
                issue = replace(
                    issue,
                    state=IssueState.CLOSED,
                    state_reason=close,
                    closed_at=change.at,
                    events=(
                        *issue.events,
                        IssueEvent(EventKind.CLOSED, change.actor, change.at, close.value),
                    ),
                )
            self._write(conn, {issue.ref: issue})
            self._insert_change(conn, change)
            return issue

    # ------------------------------------------------------------------- reads

    def get_issue(self, ref: IssueRef) -> Issue | None:
        with translated(), self._engine.connect() as conn:
            iid = self._issue_id(conn, ref)
            if iid is None:
                return None
            return load_issues(conn, [iid]).get(iid)

    def iter_issues(self, repo: RepoRef | None = None) -> Iterator[Issue]:
        """Every stored issue (of ``repo``) by repository and number, ``PAGE`` at a time."""
        return self._iter(repo, None)

    def iter_issues_since(
        self, updated_after: datetime, repo: RepoRef | None = None
    ) -> Iterator[Issue]:
        """Issues updated strictly after ``updated_after``, by repository and number."""
        return self._iter(repo, issues.c.updated_at > updated_after)

    def _iter(self, repo: RepoRef | None, where: ColumnElement[bool] | None) -> Iterator[Issue]:
        for rid, _name in self._repo_rows(repo):
            last = -1
            while True:
                cond = and_(issues.c.repo_id == rid, issues.c.number > last)
                if where is not None:
                    cond = and_(cond, where)
                with translated(), self._engine.connect() as conn:
                    page = [
                        i
                        for (i,) in conn.execute(
                            select(issues.c.id).where(cond).order_by(issues.c.number).limit(PAGE)
                        )
                    ]
                    if not page:
                        break
                    loaded = load_issues(conn, page)
                for iid in page:
                    yield loaded[iid]
                last = loaded[page[-1]].number

    def count_issues(self, repo: RepoRef | None = None) -> int:
        q = select(func.count()).select_from(issues)
        if repo is not None:
            q = q.join(repos, repos.c.id == issues.c.repo_id).where(
                repos.c.full_name == repo.full_name
            )
        with translated(), self._engine.connect() as conn:
            return int(conn.execute(q).scalar_one())

    def repos(self) -> list[RepoRef]:
        return [repo_of(name) for _, name in self._repo_rows(None)]

    def repo_info(self) -> list[Repo]:
        with translated(), self._engine.connect() as conn:
            rows = conn.execute(
                select(repos.c.full_name, repos.c.visibility).order_by(repos.c.full_name)
            )
            return [Repo(repo_of(n), Visibility(v)) for n, v in rows]

    def repo_labels(self, repo: RepoRef) -> list[Label]:
        with translated(), self._engine.connect() as conn:
            rows = conn.execute(
                select(labels.c.name, labels.c.color, labels.c.description)
                .join(repos, repos.c.id == labels.c.repo_id)
                .where(repos.c.full_name == repo.full_name)
                .order_by(labels.c.name)
            )
            return [Label(n, c, d) for n, c, d in rows]

    def issue_refs(self, repo: RepoRef | None = None) -> list[IssueRef]:
        """Every stored issue reference, by repository and number (cheap: no aggregates)."""
        q = (
            select(repos.c.full_name, issues.c.number)
            .join(repos, repos.c.id == issues.c.repo_id)
            .order_by(repos.c.full_name, issues.c.number)
        )
        if repo is not None:
            q = q.where(repos.c.full_name == repo.full_name)
        with translated(), self._engine.connect() as conn:
            return [IssueRef(repo_of(n), num) for n, num in conn.execute(q)]

    def labels_of(self, ref: IssueRef) -> tuple[str, ...] | None:
        """The issue's labels in order, or None when the issue is not stored."""
        with translated(), self._engine.connect() as conn:
            iid = self._issue_id(conn, ref)
            if iid is None:
                return None
            rows = conn.execute(
                select(issue_labels.c.name)
                .where(issue_labels.c.issue_id == iid)
                .order_by(issue_labels.c.position)
            ).scalars()
            return tuple(rows)

    def refs_with_label(self, label: str, repo: RepoRef | None = None) -> list[IssueRef]:
        """Issues carrying ``label`` (exact name; uses the label index)."""
        q = (
            select(repos.c.full_name, issues.c.number)
            .join(issue_labels, issue_labels.c.issue_id == issues.c.id)
            .join(repos, repos.c.id == issues.c.repo_id)
            .where(issue_labels.c.name == label)
            .order_by(repos.c.full_name, issues.c.number)
            .distinct()
        )
        if repo is not None:
            q = q.where(repos.c.full_name == repo.full_name)
        with translated(), self._engine.connect() as conn:
            return [IssueRef(repo_of(n), num) for n, num in conn.execute(q)]

    def label_counts(self, repo: RepoRef | None = None) -> dict[str, int]:
        """How many stored issues carry each label."""
        q = (
            select(issue_labels.c.name, func.count(func.distinct(issue_labels.c.issue_id)))
            .join(issues, issues.c.id == issue_labels.c.issue_id)
            .group_by(issue_labels.c.name)
        )
        if repo is not None:
            q = q.join(repos, repos.c.id == issues.c.repo_id).where(
                repos.c.full_name == repo.full_name
            )
        with translated(), self._engine.connect() as conn:
            return {n: int(c) for n, c in conn.execute(q)}

    def status_history(self, ref: IssueRef) -> list[StatusChange]:
        q = (
            select(status_changes)
            .where(
                status_changes.c.repo == ref.repo.full_name,
                status_changes.c.number == ref.number,
            )
            .order_by(status_changes.c.at, status_changes.c.id)
        )
        with translated(), self._engine.connect() as conn:
            return [
                StatusChange(
                    issue=ref,
                    from_state=Status(r.from_state) if r.from_state else None,
                    to_state=_parse_state(r.to_state),
                    actor=r.actor,
                    at=r.at,
                    reason=r.reason,
                    source=Source(r.source),
                    forced=bool(r.forced),
                )
                for r in conn.execute(q)
            ]

    # ---------------------------------------------------------------- helpers

    def _repo_rows(self, repo: RepoRef | None) -> list[tuple[int, str]]:
        q = select(repos.c.id, repos.c.full_name).order_by(repos.c.full_name)
        if repo is not None:
            q = q.where(repos.c.full_name == repo.full_name)
        with translated(), self._engine.connect() as conn:
            return [(int(i), str(n)) for i, n in conn.execute(q)]

    @staticmethod
    def _issue_id(conn: Connection, ref: IssueRef) -> int | None:
        q = (
            select(issues.c.id)
            .join(repos, repos.c.id == issues.c.repo_id)
            .where(repos.c.full_name == ref.repo.full_name, issues.c.number == ref.number)
        )
        found = conn.execute(q).scalar_one_or_none()
        return None if found is None else int(found)
