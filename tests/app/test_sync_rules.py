"""The sync's rules on the shared fakes (no HTTP, no database): table-driven where possible."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from support.fake_issue_source import FakeIssueSource, FakeSyncState
from support.fake_issue_store import FakeIssueStore
from triagedesk.app.sync import sync_repos
from triagedesk.domain.model import Issue, IssueRef, RepoRef

REPO = RepoRef("docker", "for-mac")
T0 = datetime(2025, 3, 1, tzinfo=UTC)


def _now() -> datetime:
    return datetime(2026, 1, 5, tzinfo=UTC)


def _issue(n: int, at: datetime) -> Issue:
    return Issue(IssueRef(REPO, n), f"issue {n}", "body", "someone", created_at=at, updated_at=at)


def _source(n: int, page_size: int = 10) -> FakeIssueSource:
    source = FakeIssueSource(page_size=page_size)
    for i in range(1, n + 1):
        source.put(_issue(i, T0 + timedelta(minutes=i)))
    return source


@pytest.mark.parametrize(
    ("issues", "page_size", "pages"),
    [(0, 10, 1), (1, 10, 1), (10, 10, 1), (11, 10, 2), (95, 10, 10)],
)
def test_a_full_run_reads_each_page_once(issues: int, page_size: int, pages: int) -> None:
    source, store, states = _source(issues, page_size), FakeIssueStore(), FakeSyncState()
    report = sync_repos(source, store, states, [REPO], now=_now)
    assert report.ok and report.repos[0].pages == pages
    assert source.calls == [("probe", str(REPO))] + [("page", str(REPO))] * pages
    assert store.count_issues() == issues
    assert not states.leases  # given back


def test_the_second_run_is_one_probe_and_a_change_is_one_page_more() -> None:
    source, store, states = _source(30), FakeIssueStore(), FakeSyncState()
    sync_repos(source, store, states, [REPO], now=_now)
    source.calls.clear()
    assert sync_repos(source, store, states, [REPO], now=_now).repos[0].mode == "unchanged"
    assert source.calls == [("probe", str(REPO))]
    source.calls.clear()
    source.touch(store.issues[IssueRef(REPO, 4)], T0 + timedelta(days=1), title="edited")
    entry = sync_repos(source, store, states, [REPO], now=_now).repos[0]
    assert (entry.mode, entry.issues, entry.updated) == ("incremental", 2, 1)
    assert store.issues[IssueRef(REPO, 4)].title == "edited"


@pytest.mark.parametrize("fail_at_page", [0, 1, 4])
def test_an_interrupted_run_resumes_without_rereading_stored_pages(fail_at_page: int) -> None:
    source, store, states = _source(50), FakeIssueStore(), FakeSyncState()
    source.fail_after = fail_at_page
    first = sync_repos(source, store, states, [REPO], now=_now)
    assert not first.ok and store.count_issues() == 10 * fail_at_page
    source.calls.clear()
    second = sync_repos(source, store, states, [REPO], now=_now)
    assert second.ok and second.repos[0].mode == "resumed"
    assert source.calls == [("page", str(REPO))] * (5 - fail_at_page)
    assert store.count_issues() == 50
    assert states.states[REPO].etag == f'"v{source.version}"'


def test_a_change_during_an_interrupted_run_is_caught_by_the_next_probe() -> None:
    source, store, states = _source(30), FakeIssueStore(), FakeSyncState()
    source.fail_after = 2
    sync_repos(source, store, states, [REPO], now=_now)
    source.touch(source.issues[REPO][1], T0 + timedelta(days=2), title="changed mid-run")
    assert sync_repos(source, store, states, [REPO], now=_now).ok  # resumes, finishes
    entry = sync_repos(source, store, states, [REPO], now=_now).repos[0]
    assert entry.mode == "incremental"
    assert store.issues[IssueRef(REPO, 1)].title == "changed mid-run"


def test_full_restarts_an_interrupted_incremental_run() -> None:
    source, store, states = _source(30), FakeIssueStore(), FakeSyncState()
    sync_repos(source, store, states, [REPO], now=_now)
    for n in range(1, 25):
        source.touch(source.issues[REPO][n], T0 + timedelta(days=3, minutes=n))
    source.fail_after = 1
    assert sync_repos(source, store, states, [REPO], now=_now).repos[0].mode == "incremental"
    entry = sync_repos(source, store, states, [REPO], now=_now, full=True).repos[0]
    assert entry.mode == "full" and entry.issues == 30


def test_a_source_whose_cursor_does_not_advance_stops_instead_of_looping() -> None:
    class Stuck(FakeIssueSource):
        def issue_page(self, repo: RepoRef, *, since: datetime | None, after: str | None):  # type: ignore[no-untyped-def]
            page = super().issue_page(repo, since=since, after=None)
            return replace(page, has_next=True)

    source, store, states = Stuck(page_size=10), FakeIssueStore(), FakeSyncState()
    for i in range(1, 30):
        source.put(_issue(i, T0 + timedelta(minutes=i)))
    report = sync_repos(source, store, states, [REPO], now=_now)
    assert not report.ok and "does not advance" in report.stopped
    assert len([c for c in source.calls if c[0] == "page"]) == 2
