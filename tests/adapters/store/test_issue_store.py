"""SqlIssueStore on SQLite files and PostgreSQL: idempotent upserts, round trips, audit trail."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.engine import Engine

from support.core_data import MAC, T0, WIN, issues, make_issue
from triagedesk.adapters.store.issues import SqlIssueStore
from triagedesk.domain.errors import NotFoundError
from triagedesk.domain.model import (
    CloseReason,
    EventKind,
    IssueRef,
    IssueState,
    Label,
    Repo,
    Visibility,
)
from triagedesk.domain.workflow import Closure, LabelDelta, Source, Status, StatusChange, relabel
from triagedesk.ports.store import IssueStore, UpsertResult


def test_implements_the_port(engine: Engine) -> None:
    store: IssueStore = SqlIssueStore(engine)
    assert store.count_issues() == 0


def test_upsert_is_idempotent_and_counts(engine: Engine) -> None:
    store = SqlIssueStore(engine)
    batch = [make_issue(n) for n in range(1, 6)] + [make_issue(n, WIN) for n in range(1, 4)]
    assert store.upsert_issues(batch) == UpsertResult(inserted=8)
    assert store.upsert_issues(batch) == UpsertResult(unchanged=8)
    changed = replace(batch[0], title="new title", labels=("kind/bug",))
    assert store.upsert_issues([changed, batch[1]]) == UpsertResult(updated=1, unchanged=1)
    assert store.get_issue(changed.ref) == changed
    assert store.count_issues() == 8
    assert store.count_issues(WIN) == 3
    assert store.repos() == [MAC, WIN]


def test_last_of_equal_refs_wins_within_a_batch(engine: Engine) -> None:
    store = SqlIssueStore(engine)
    first, second = make_issue(1), make_issue(1, title="second version")
    assert store.upsert_issues([first, second]) == UpsertResult(inserted=1)
    assert store.get_issue(first.ref) == second


def test_children_are_replaced_not_appended(engine: Engine) -> None:
    store = SqlIssueStore(engine)
    issue = make_issue(3, comments=4, events=2)
    store.upsert_issues([issue])
    fewer = replace(issue, comments=issue.comments[:1], events=(), labels=())
    store.upsert_issues([fewer])
    assert store.get_issue(issue.ref) == fewer


def test_keep_comments_and_events_when_input_lacks_them(engine: Engine) -> None:
    store = SqlIssueStore(engine)
    issue = make_issue(4, comments=3, events=2)
    store.upsert_issues([issue])
    bare = replace(issue, comments=(), events=())
    result = store.upsert_issues([bare], keep_comments=True, keep_events=True)
    assert result == UpsertResult(unchanged=1)
    assert store.get_issue(issue.ref) == issue


def test_iter_issues_streams_in_order(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    import triagedesk.adapters.store.issues as mod

    monkeypatch.setattr(mod, "PAGE", 3)  # several pages
    store = SqlIssueStore(engine)
    batch = [make_issue(n, WIN) for n in (9, 2, 7)] + [make_issue(n) for n in (5, 1, 8, 3, 4)]
    store.upsert_issues(batch)
    got = list(store.iter_issues())
    assert [str(i.ref) for i in got] == [
        "docker/for-mac#1",
        "docker/for-mac#3",
        "docker/for-mac#4",
        "docker/for-mac#5",
        "docker/for-mac#8",
        "docker/for-win#2",
        "docker/for-win#7",
        "docker/for-win#9",
    ]
    assert sorted(got, key=lambda i: i.ref) == sorted(batch, key=lambda i: i.ref)
    assert [i.number for i in store.iter_issues(WIN)] == [2, 7, 9]
    since = T0 + timedelta(hours=5, days=1)
    assert [i.number for i in store.iter_issues_since(since)] == [8, 7, 9]


def test_label_queries(engine: Engine) -> None:
    store = SqlIssueStore(engine)
    store.upsert_issues(
        [
            make_issue(1, labels=("status/0-triage", "area/network")),
            make_issue(2, labels=("area/network",)),
            make_issue(3, WIN, labels=("status/0-triage",)),
        ]
    )
    assert store.refs_with_label("status/0-triage") == [IssueRef(MAC, 1), IssueRef(WIN, 3)]
    assert store.refs_with_label("area/network", WIN) == []
    assert store.labels_of(IssueRef(MAC, 1)) == ("status/0-triage", "area/network")
    assert store.labels_of(IssueRef(MAC, 99)) is None
    assert store.label_counts() == {"status/0-triage": 2, "area/network": 2}
    assert store.issue_refs(WIN) == [IssueRef(WIN, 3)]


def test_repos_and_label_catalogue(engine: Engine) -> None:
    store = SqlIssueStore(engine)
    store.set_repo(Repo(MAC))
    store.set_repo(Repo(RepoRefInternal, Visibility.INTERNAL))
    assert [(r.ref.full_name, r.visibility) for r in store.repo_info()] == [
        ("docker/for-mac", Visibility.PUBLIC),
        ("docker/pinata", Visibility.INTERNAL),
    ]
    defs = [Label("status/0-triage", "ededed", "needs triaging"), Label("kind/bug", "d73a4a")]
    assert store.upsert_labels(MAC, defs) == UpsertResult(inserted=2)
    assert store.upsert_labels(MAC, [Label("kind/bug", "000000"), defs[0]]) == UpsertResult(
        updated=1, unchanged=1
    )
    assert store.repo_labels(MAC) == [Label("kind/bug", "000000"), defs[0]]


RepoRefInternal = IssueRef.parse("docker/pinata#1").repo


def test_status_trail_and_apply(engine: Engine) -> None:
    store = SqlIssueStore(engine)
    issue = make_issue(5, labels=("status/0-triage", "kind/bug"), events=0)
    store.upsert_issues([issue])
    at = T0 + timedelta(days=3)
    change = StatusChange(
        issue.ref,
        Status.TRIAGE,
        Status.ACKNOWLEDGED,
        "l1-person",
        at,
        "repro confirmed",
        Source.PERSON,
    )
    after = store.apply_status_change(change, relabel(issue.labels, Status.ACKNOWLEDGED))
    assert after.labels == ("kind/bug", "status/1-acknowledged")
    assert [(e.kind, e.subject) for e in after.events] == [
        (EventKind.UNLABELED, "status/0-triage"),
        (EventKind.LABELED, "status/1-acknowledged"),
    ]
    assert store.get_issue(issue.ref) == after
    dup = StatusChange(
        issue.ref,
        Status.ACKNOWLEDGED,
        Closure.DUPLICATE,
        "lead",
        at + timedelta(hours=1),
        "dupe",
        Source.PERSON,
        forced=True,
    )
    closed = store.apply_status_change(dup, LabelDelta((), ()), close=CloseReason.DUPLICATE)
    assert closed.state is IssueState.CLOSED and closed.state_reason is CloseReason.DUPLICATE
    assert store.status_history(issue.ref) == [change, dup]
    assert store.status_history(IssueRef(MAC, 404)) == []
    with pytest.raises(NotFoundError):
        store.apply_status_change(replace(change, issue=IssueRef(MAC, 404)), LabelDelta((), ()))


def test_record_status_change_for_unstored_issue(engine: Engine) -> None:
    store = SqlIssueStore(engine)
    change = StatusChange(
        IssueRef(WIN, 77), None, Status.TRIAGE, "bot", T0, "new issue", Source.AUTOMATION
    )
    store.record_status_change(change)
    assert store.status_history(IssueRef(WIN, 77)) == [change]


def test_big_body_kept_intact(engine: Engine) -> None:
    store = SqlIssueStore(engine)
    body = ("diagnose output line ✓ " * 500_000)[: 10 * 1024 * 1024]
    issue = make_issue(6, body=body)
    store.upsert_issues([issue])
    got = store.get_issue(issue.ref)
    assert got is not None and got.body == body


@pytest.mark.slow
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(batch=st.lists(issues(), min_size=1, max_size=4, unique_by=lambda i: i.ref))
def test_round_trip_property(engine: Engine, batch: list) -> None:  # type: ignore[type-arg]
    store = SqlIssueStore(engine)
    store.upsert_issues(batch)
    for issue in batch:
        assert store.get_issue(issue.ref) == issue
    assert store.upsert_issues(batch).unchanged == len(batch)
