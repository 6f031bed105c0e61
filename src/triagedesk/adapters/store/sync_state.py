"""Where each repository's GitHub sync stands: cursor, validators, high-water mark."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.engine import Engine

from triagedesk.adapters.store.db import translated
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
        values["repo"] = state.repo.full_name
        # delete + insert in one transaction: portable across SQLite and PostgreSQL
        with translated(), self._engine.begin() as conn:
            conn.execute(
                delete(github_sync_state).where(github_sync_state.c.repo == state.repo.full_name)
            )
            conn.execute(insert(github_sync_state).values(**values))

    def all_states(self) -> list[SyncState]:
        with translated(), self._engine.connect() as conn:
            rows = conn.execute(select(github_sync_state).order_by(github_sync_state.c.repo)).all()
        return [
            SyncState(repo=RepoRef.parse(r._mapping["repo"]), **{f: r._mapping[f] for f in _FIELDS})
            for r in rows
        ]
