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


def test_lease_is_exclusive_until_it_expires_or_is_released(engine: Engine) -> None:
    states = SqlSyncState(engine)
    t = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    later = datetime(2026, 1, 5, 9, 15, tzinfo=UTC)
    assert states.lease(REPO, "a", now=t, until=later) is None
    assert states.lease(REPO, "a", now=t, until=later) is None  # renewing is fine
    assert states.lease(REPO, "b", now=t, until=later) == "a"
    states.save_state(SyncState(repo=REPO, cursor="c1"))  # saving keeps the lease
    assert states.lease(REPO, "b", now=t, until=later) == "a"
    states.release(REPO, "b")  # not b's to release
    assert states.lease(REPO, "b", now=t, until=later) == "a"
    after = datetime(2026, 1, 5, 9, 16, tzinfo=UTC)
    assert states.lease(REPO, "b", now=after, until=after) is None  # a's lease lapsed
    states.release(REPO, "b")
    assert states.lease(REPO, "a", now=after, until=after) is None
    assert states.get_state(REPO).cursor == "c1"  # type: ignore[union-attr]
