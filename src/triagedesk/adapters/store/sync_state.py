"""Where each repository's GitHub sync stands: cursor, validators, high-water mark."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert, or_, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from triagedesk.adapters.store.db import translated, writing
from triagedesk.adapters.store.tables.github import github_sync_state
from triagedesk.domain.model import RepoRef
from triagedesk.ports.issue_source import SyncState

_FIELDS = (
    "cursor",
    "run_since",
    "run_full",
    "run_started_at",
    "run_pages",
    "run_issues",
    "high_water",
    "etag",
    "last_modified",
    "pending_etag",
    "pending_last_modified",
    "last_finished_at",
    "last_full_at",
)


class SqlSyncState:
    """:class:`triagedesk.ports.issue_source.SyncStateStore` on SQLite or PostgreSQL."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def get_state(self, repo: RepoRef) -> SyncState | None:
        with translated(), self._engine.connect() as conn:
            row = conn.execute(
                select(github_sync_state).where(github_sync_state.c.repo == repo.full_name)
            ).first()
        if row is None:
            return None
        m = row._mapping
        return SyncState(repo=repo, **{f: m[f] for f in _FIELDS})

    def save_state(self, state: SyncState) -> None:
        values: dict[str, Any] = {f: getattr(state, f) for f in _FIELDS}
        with translated(), writing(self._engine) as conn:
            done = conn.execute(
                update(github_sync_state)
                .where(github_sync_state.c.repo == state.repo.full_name)
                .values(**values)
            ).rowcount
            if not done:
                conn.execute(insert(github_sync_state).values(repo=state.repo.full_name, **values))

    def lease(self, repo: RepoRef, owner: str, *, now: datetime, until: datetime) -> str | None:
        t = github_sync_state.c
        with translated(), writing(self._engine) as conn:
            exists = conn.execute(select(t.repo).where(t.repo == repo.full_name)).first()
            if exists is None:
                try:
                    with conn.begin_nested():
                        conn.execute(insert(github_sync_state).values(repo=repo.full_name))
                except IntegrityError:
                    pass  # another process inserted it first: the update below decides
            # one conditional UPDATE: atomic on SQLite and PostgreSQL alike
            taken = conn.execute(
                update(github_sync_state)
                .where(
                    t.repo == repo.full_name,
                    or_(t.lease_owner.is_(None), t.lease_owner == owner, t.lease_until < now),
                )
                .values(lease_owner=owner, lease_until=until)
            ).rowcount
            if taken:
                return None
            holder = conn.execute(select(t.lease_owner).where(t.repo == repo.full_name)).scalar()
        return str(holder)

    def release(self, repo: RepoRef, owner: str) -> None:
        t = github_sync_state.c
        with translated(), writing(self._engine) as conn:
            conn.execute(
                update(github_sync_state)
                .where(t.repo == repo.full_name, t.lease_owner == owner)
                .values(lease_owner=None, lease_until=None)
            )

    def all_states(self) -> list[SyncState]:
        with translated(), self._engine.connect() as conn:
            rows = conn.execute(select(github_sync_state).order_by(github_sync_state.c.repo)).all()
        return [
            SyncState(repo=RepoRef.parse(r._mapping["repo"]), **{f: r._mapping[f] for f in _FIELDS})
            for r in rows
        ]
