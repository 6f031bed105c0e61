"""The sync-state store on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.engine import Engine

from triagedesk.adapters.store.sync_state import SqlSyncState
from triagedesk.domain.model import RepoRef
from triagedesk.ports.issue_source import SyncState

REPO = RepoRef("docker", "for-mac")


def test_state_round_trips_and_is_replaced(engine: Engine) -> None:
    states = SqlSyncState(engine)
    assert states.get_state(REPO) is None
    t = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)
    state = SyncState(
        repo=REPO,
        cursor="Y3Vyc29yOnYyOpK5",
        run_since=t,
        run_full=True,
        run_started_at=t,
        run_pages=3,
        run_issues=300,
        high_water=t,
        etag='W/"abc"',
        last_modified="Mon, 05 Jan 2026 09:30:00 GMT",
        pending_etag='"def"',
    )
    states.save_state(state)
    assert states.get_state(REPO) == state
    state.cursor = None
    state.run_started_at = None
    states.save_state(state)
    again = states.get_state(REPO)
    assert again is not None and again.cursor is None and not again.in_progress
    assert again.high_water == t and again.high_water.tzinfo is not None
    other = SyncState(repo=RepoRef("docker", "for-win"))
    states.save_state(other)
    assert [s.repo for s in states.all_states()] == [REPO, other.repo]
