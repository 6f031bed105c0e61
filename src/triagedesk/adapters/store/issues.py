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

from sqlalchemy import ColumnElement, Connection, and_, bindparam, delete, insert, select
from sqlalchemy import update as sql_update

from triagedesk.adapters.store.db import translated, writing
from triagedesk.adapters.store.issue_queries import IssueQueries
from triagedesk.adapters.store.issue_rows import (
    CHILDREN,
    Rows,
    bulk_insert,
    chunks,
    load_comments,
    load_events,
    load_issues,
    to_rows,
)
from triagedesk.adapters.store.tables.core import (
    assignees,
    comments,
    issue_events,
    issue_labels,
    issues,
    reactions,
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
    RepoRef,
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


class SqlIssueStore(IssueQueries):
    """:class:`triagedesk.ports.store.IssueStore` on SQLite or PostgreSQL."""

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
        with translated(), writing(self._engine) as conn:
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

    def record_status_change(self, change: StatusChange) -> None:
        with translated(), writing(self._engine) as conn:
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
        with translated(), writing(self._engine) as conn:
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
