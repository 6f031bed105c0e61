"""Light queries of the issue store: repositories, label catalogue, refs and labels.

:class:`IssueQueries` is the base of :class:`~triagedesk.adapters.store.issues.SqlIssueStore`;
these answer without assembling whole aggregates.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, func, insert, select
from sqlalchemy import update as sql_update
from sqlalchemy.engine import Engine

from triagedesk.adapters.store.db import insert_ignoring, translated, writing
from triagedesk.adapters.store.issue_rows import repo_of
from triagedesk.adapters.store.tables.core import issue_labels, issues, labels, repos
from triagedesk.domain.model import IssueRef, Label, Repo, RepoRef, Visibility
from triagedesk.ports.store import UpsertResult


class IssueQueries:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

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
            # another writer may add the same repository at the same moment (two workers on
            # a new database): an insert that ignores the conflict, then read the ids back
            conn.execute(
                insert_ignoring(conn.dialect.name, repos, "full_name"),
                [{"full_name": n, "visibility": "public"} for n in missing],
            )
            found.update(
                conn.execute(
                    select(repos.c.full_name, repos.c.id).where(repos.c.full_name.in_(missing))
                ).all()
            )
        return {r: found[r.full_name] for r in refs}

    def set_repo(self, repo: Repo) -> None:
        """Record a repository and its visibility (public or internal)."""
        with translated(), writing(self._engine) as conn:
            self._ensure_repos(conn, {repo.ref})
            conn.execute(
                sql_update(repos)
                .where(repos.c.full_name == repo.ref.full_name)
                .values(visibility=repo.visibility.value)
            )

    def upsert_labels(self, repo: RepoRef, defs: Iterable[Label]) -> UpsertResult:
        """Keep the repository's label catalogue (name, colour, description)."""
        wanted = {d.name: d for d in defs}
        with translated(), writing(self._engine) as conn:
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
