"""The sync use case against the GitHub test server and a real SQLite store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine

from support.github_fixtures import make_client
from support.github_server import PASS, FakeClock, Fault, GithubServer
from triagedesk.adapters.store.issues import SqlIssueStore
from triagedesk.adapters.store.sync_state import SqlSyncState
from triagedesk.app.sync import Progress, sync_repos
from triagedesk.domain.model import IssueRef, RepoRef

MAC = RepoRef("docker", "for-mac")
WIN = RepoRef("docker", "for-win")
T0 = 1_600_000_000.0


def _now() -> datetime:
    return datetime(2026, 1, 5, tzinfo=UTC)


def _seed(server: GithubServer, repo: RepoRef, n: int, comments: int = 2) -> None:
    for i in range(n):
        server.add_issue(
            str(repo), title=f"{repo.name} issue {i}", comments=comments, created=T0 + i * 60
        )


def _graphql_calls(server: GithubServer) -> int:
    return len(server.requests("POST", "/graphql"))


def test_backfill_costs_one_request_per_hundred_issues_plus_the_probe(
    github_server: GithubServer, sqlite_engine: Engine
) -> None:
    _seed(github_server, MAC, 250)
    github_server.add_issue(str(MAC), title="a pull request", pull=True, created=T0 + 99_999)
    client = make_client(github_server, FakeClock(T0 + 10**6))
    store, states = SqlIssueStore(sqlite_engine), SqlSyncState(sqlite_engine)
    seen: list[Progress] = []
    report = sync_repos(client, store, states, [MAC], now=_now, progress=seen.append)
    assert report.ok
    entry = report.repos[0]
    assert (entry.mode, entry.issues, entry.inserted, entry.pages) == ("full", 250, 250, 3)
    assert _graphql_calls(github_server) == 3  # ceil(250 / 100)
    assert len(github_server.requests()) == 4  # + one probe for the ETag
    assert entry.requests == 4
    assert store.count_issues(MAC) == 250  # the pull request was never stored
    stored = store.get_issue(IssueRef(MAC, 7))
    assert stored is not None and len(stored.comments) == 2
    assert seen[-1] == Progress("docker/for-mac", 250, 250)
    state = states.get_state(MAC)
    assert state is not None and state.cursor is None and state.etag and not state.in_progress


def test_idle_incremental_sync_is_one_304_per_repository(
    github_server: GithubServer, sqlite_engine: Engine
) -> None:
    _seed(github_server, MAC, 30)
    _seed(github_server, WIN, 20)
    client = make_client(github_server, FakeClock(T0 + 10**6))
    store, states = SqlIssueStore(sqlite_engine), SqlSyncState(sqlite_engine)
    assert sync_repos(client, store, states, [MAC, WIN], now=_now).ok
    github_server.clear_log()
    remaining = github_server.bucket("core").remaining
    report = sync_repos(client, store, states, [MAC, WIN], now=_now)
    assert report.ok and [r.mode for r in report.repos] == ["unchanged", "unchanged"]
    assert [(r.method, r.status) for r in github_server.requests()] == [("GET", 304), ("GET", 304)]
    assert github_server.bucket("core").remaining == remaining  # 304s are free


def test_incremental_sync_fetches_only_what_changed(
    github_server: GithubServer, sqlite_engine: Engine
) -> None:
    clock = FakeClock(T0 + 10**6)
    _seed(github_server, MAC, 150)
    client = make_client(github_server, clock)
    store, states = SqlIssueStore(sqlite_engine), SqlSyncState(sqlite_engine)
    assert sync_repos(client, store, states, [MAC], now=_now).ok
    clock.advance(3600)
    client.add_labels(IssueRef(MAC, 3), ["area/networking"])
    client.create_comment(IssueRef(MAC, 5), "Here is my diagnostics id")
    github_server.clear_log()
    report = sync_repos(client, store, states, [MAC], now=_now)
    entry = report.repos[0]
    assert report.ok and entry.mode == "incremental"
    # the two changed issues, plus the one at the high-water mark ("since" is at-or-after,
    # so an update in the same second as the last sync is never missed): stored unchanged
    assert (entry.issues, entry.updated, entry.unchanged) == (3, 2, 1)
    assert {IssueRef(MAC, 3), IssueRef(MAC, 5)} <= set(entry.touched) and len(entry.touched) == 3
    assert [r.path for r in github_server.requests()] == [f"/repos/{MAC}/issues", "/graphql"]
    issue3 = store.get_issue(IssueRef(MAC, 3))
    assert issue3 is not None and "area/networking" in issue3.labels
    issue5 = store.get_issue(IssueRef(MAC, 5))
    assert issue5 is not None and issue5.comments[-1].body == "Here is my diagnostics id"
    github_server.clear_log()
    assert sync_repos(client, store, states, [MAC], now=_now).repos[0].mode == "unchanged"
    assert len(github_server.requests()) == 1


def test_interrupted_sync_resumes_where_it_stopped(
    github_server: GithubServer, engine: Engine
) -> None:
    """On SQLite and PostgreSQL: the cursor and the pages before it survive the failure."""
    _seed(github_server, MAC, 500, comments=1)
    client = make_client(github_server, FakeClock(T0 + 10**6), max_retries=1)
    store, states = SqlIssueStore(engine), SqlSyncState(engine)
    # pages 1 and 2 succeed; page 3 keeps failing (at every smaller page size too)
    github_server.inject("POST", "/graphql", Fault(PASS), Fault(PASS), *[Fault(502)] * 10)
    report = sync_repos(client, store, states, [MAC], now=_now)
    assert not report.ok and "502" in report.stopped
    assert store.count_issues(MAC) == 200
    state = states.get_state(MAC)
    assert state is not None and state.in_progress and state.cursor and state.run_pages == 2

    github_server.faults.clear()
    github_server.clear_log()
    report = sync_repos(client, store, states, [MAC], now=_now)
    entry = report.repos[0]
    assert report.ok and entry.mode == "resumed"
    assert _graphql_calls(github_server) == 3  # pages 3, 4, 5 only: no probe, no page 1 or 2
    assert len(github_server.requests()) == 3
    assert store.count_issues(MAC) == 500 and entry.inserted == 300
    assert states.get_state(MAC).etag  # type: ignore[union-attr]


def test_rate_limit_stops_every_repository_cleanly_with_the_cursor_kept(
    github_server: GithubServer, sqlite_engine: Engine
) -> None:
    _seed(github_server, MAC, 300, comments=0)
    _seed(github_server, WIN, 10, comments=0)
    client = make_client(github_server, FakeClock(T0 + 10**6), max_wait_seconds=60)
    store, states = SqlIssueStore(sqlite_engine), SqlSyncState(sqlite_engine)
    github_server.set_rate("graphql", remaining=2, reset_in=3000)
    report = sync_repos(client, store, states, [MAC, WIN], now=_now)
    assert report.stopped.startswith("rate limited") and report.reset_at is not None
    assert [r.mode for r in report.repos] == ["full", "skipped"]
    assert store.count_issues(MAC) == 200 and store.count_issues(WIN) == 0
    state = states.get_state(MAC)
    assert state is not None and state.cursor is not None


def test_full_sync_starts_over_and_changes_nothing_stored(
    github_server: GithubServer, sqlite_engine: Engine
) -> None:
    _seed(github_server, WIN, 120)
    client = make_client(github_server, FakeClock(T0 + 10**6))
    store, states = SqlIssueStore(sqlite_engine), SqlSyncState(sqlite_engine)
    assert sync_repos(client, store, states, [WIN], now=_now).ok
    report = sync_repos(client, store, states, [WIN], now=_now, full=True)
    entry = report.repos[0]
    assert entry.mode == "full" and entry.unchanged == 120 and entry.inserted == entry.updated == 0


@pytest.mark.parametrize("missing", ["docker/nope"])
def test_unknown_repository_is_reported_and_the_others_still_sync(
    github_server: GithubServer, sqlite_engine: Engine, missing: str
) -> None:
    _seed(github_server, WIN, 3)
    client = make_client(github_server, FakeClock(T0 + 10**6))
    store, states = SqlIssueStore(sqlite_engine), SqlSyncState(sqlite_engine)
    report = sync_repos(client, store, states, [RepoRef.parse(missing), WIN], now=_now)
    assert not report.ok and "not found" in report.repos[0].error
    assert report.repos[1].finished and store.count_issues(WIN) == 3


def test_a_malformed_issue_is_skipped_and_the_rest_stored(
    github_server: GithubServer, sqlite_engine: Engine
) -> None:
    _seed(github_server, MAC, 5)
    github_server.repo(str(MAC)).issues[3]["created_at"] = "not a date"
    github_server.repo(str(MAC)).comments[4][0]["created_at"] = "yesterday"
    client = make_client(github_server, FakeClock(T0 + 10**6))
    store, states = SqlIssueStore(sqlite_engine), SqlSyncState(sqlite_engine)
    report = sync_repos(client, store, states, [MAC], now=_now)
    assert report.ok and report.repos[0].rejected == 2
    assert sorted(r.number for r in store.issue_refs(MAC)) == [1, 2, 5]


def test_a_graphql_answer_without_data_is_a_tracker_error(
    github_server: GithubServer, sqlite_engine: Engine
) -> None:
    _seed(github_server, MAC, 5)
    client = make_client(github_server, FakeClock(T0 + 10**6))
    github_server.inject("POST", "/graphql", Fault(200, message="weird"))
    store, states = SqlIssueStore(sqlite_engine), SqlSyncState(sqlite_engine)
    report = sync_repos(client, store, states, [MAC], now=_now)
    assert not report.ok and "without data" in report.repos[0].error
    assert sync_repos(client, store, states, [MAC], now=_now).ok  # and it resumes
    assert store.count_issues(MAC) == 5


def test_a_repository_another_sync_holds_is_reported_busy(
    github_server: GithubServer, sqlite_engine: Engine
) -> None:
    _seed(github_server, MAC, 3)
    _seed(github_server, WIN, 3)
    client = make_client(github_server, FakeClock(T0 + 10**6))
    store, states = SqlIssueStore(sqlite_engine), SqlSyncState(sqlite_engine)
    held = _now()
    assert states.lease(MAC, "schedule-1", now=held, until=held + timedelta(minutes=15)) is None
    report = sync_repos(client, store, states, [MAC, WIN], now=_now, owner="cli-1")
    assert [r.mode for r in report.repos] == ["busy", "full"]
    assert "schedule-1" in report.repos[0].error and not report.ok
    assert store.count_issues(MAC) == 0 and store.count_issues(WIN) == 3
    # the holder died: after its lease lapses the repository is synced again
    late = held + timedelta(minutes=16)
    report = sync_repos(client, store, states, [MAC], now=lambda: late, owner="cli-1")
    assert report.ok and store.count_issues(MAC) == 3
    # and the lease was given back
    assert states.lease(MAC, "other", now=late, until=late) is None
