"""Processing stored deliveries: merge into the store, handlers, planned actions; the worker."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine

from support.webhooks import load
from triagedesk.adapters.github.webhook_payloads import parse_payload
from triagedesk.adapters.store.action_log import SqlActionLog
from triagedesk.adapters.store.deliveries import SqlDeliveryQueue, SqlReleaseStore
from triagedesk.adapters.store.issues import SqlIssueStore
from triagedesk.app import events, triage, webhooks
from triagedesk.app.context import AppContext
from triagedesk.app.events import Change, IssueChanged
from triagedesk.app.jobs import Worker
from triagedesk.domain.actions import Action, SetStatus
from triagedesk.domain.model import EventKind, IssueRef, RepoRef
from triagedesk.domain.workflow import Status
from triagedesk.ports.actions import ActionStatus
from triagedesk.ports.deliveries import DeliveryStatus, NewDelivery
from triagedesk.settings import Settings

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
MAC7411 = IssueRef(RepoRef("docker", "for-mac"), 7411)


@pytest.fixture(autouse=True)
def clean_registry() -> Iterator[None]:
    saved = list(events._HANDLERS)
    events._HANDLERS.clear()
    yield
    events._HANDLERS[:] = saved


class Clock:
    def __init__(self) -> None:
        self.t = T0

    def __call__(self) -> datetime:
        return self.t


def context(engine: Engine, clock: Clock | None = None) -> AppContext:
    return AppContext(
        settings=Settings(),
        issues=SqlIssueStore(engine),
        now=clock or Clock(),
        actions=SqlActionLog(engine),
        tracker=None,
    )


def worker(engine: Engine, clock: Clock | None = None, **kw: object) -> Worker:
    return Worker(
        ctx=context(engine, clock),
        queue=SqlDeliveryQueue(engine),
        parse=parse_payload,
        releases=SqlReleaseStore(engine),
        **kw,  # type: ignore[arg-type]
    )


def enqueue(engine: Engine, name: str, delivery_id: str) -> None:
    data = load(name)
    event = name.split("/")[0]
    SqlDeliveryQueue(engine).enqueue(
        NewDelivery(
            delivery_id=delivery_id,
            event=event,
            action=data.get("action", ""),
            repo=data["repository"]["full_name"],
            payload=json.dumps(data).encode(),
            received_at=T0,
        )
    )


def test_opened_issue_is_stored_and_triage_planned(sqlite_engine: Engine) -> None:
    triage.register_handlers()
    enqueue(sqlite_engine, "issues/opened", "a")
    w = worker(sqlite_engine)
    assert w.drain() == 1
    stored = SqlIssueStore(sqlite_engine).get_issue(MAC7411)
    assert stored is not None and stored.title.startswith("Published ports")
    [planned] = SqlActionLog(sqlite_engine).list(ActionStatus.PLANNED)
    assert planned.action == SetStatus(
        MAC7411,
        "new issue: every issue starts in triage",
        status=Status.TRIAGE,
        actor="triagedesk[bot]",
    )
    assert planned.source.startswith("triage-on-open:webhook:issues.opened")
    assert SqlDeliveryQueue(sqlite_engine).get("a").status is DeliveryStatus.DONE  # type: ignore[union-attr]


def test_replayed_processing_has_the_effect_of_once(sqlite_engine: Engine) -> None:
    triage.register_handlers()
    heard: list[IssueChanged] = []

    def spy(event: IssueChanged, ctx: AppContext) -> list[Action]:
        heard.append(event)
        return []

    events.register("spy", spy)
    ctx = context(sqlite_engine)
    enqueue(sqlite_engine, "issues/opened", "a")
    delivery = SqlDeliveryQueue(sqlite_engine).get("a")
    assert delivery is not None
    for _ in range(3):  # as if three workers had died after processing it
        webhooks.process(ctx, delivery, parse_payload)
    assert len(SqlActionLog(sqlite_engine).list()) == 1
    assert SqlIssueStore(sqlite_engine).count_issues() == 1
    assert [e.change for e in heard] == [Change.OPENED] * 3


def test_comment_and_label_history_kept_across_deliveries(sqlite_engine: Engine) -> None:
    for i, name in enumerate(
        ["issues/opened", "issue_comment/created", "issues/labeled", "issue_comment/edited"]
    ):
        enqueue(sqlite_engine, name, f"d{i}")
    worker(sqlite_engine).drain()
    stored = SqlIssueStore(sqlite_engine).get_issue(MAC7411)
    assert stored is not None
    [comment] = stored.comments
    assert "Diagnostics ID" in comment.body  # the edit replaced the comment, not added one
    assert [(e.kind, e.subject) for e in stored.events] == [(EventKind.LABELED, "area/networking")]
    assert "area/networking" in stored.labels


def test_older_delivery_does_not_roll_back(sqlite_engine: Engine) -> None:
    enqueue(sqlite_engine, "issues/closed", "new")
    enqueue(sqlite_engine, "issues/opened", "old")  # arrives late
    worker(sqlite_engine).drain()
    stored = SqlIssueStore(sqlite_engine).get_issue(MAC7411)
    assert stored is not None and not stored.is_open


def test_triage_rule_table(sqlite_engine: Engine) -> None:
    ctx = context(sqlite_engine)
    base = parse_payload("issues", "opened", json.dumps(load("issues/opened")).encode())
    assert isinstance(base, webhooks.IssueDelivery)
    cases = [
        ((), True),
        (("needs-triage",), True),  # alias: swapped for the canonical label
        ((Status.TRIAGE.value,), False),
        ((Status.ACKNOWLEDGED.value,), False),
    ]
    for labels, expect in cases:
        from dataclasses import replace

        ctx.issues.upsert_issues([replace(base.issue, labels=labels)])
        event = IssueChanged(MAC7411, Change.OPENED, "quietbyte", T0)
        assert bool(triage.status_on_open(event, ctx)) is expect, labels
    internal = IssueChanged(IssueRef(RepoRef("docker", "pinata"), 1), Change.OPENED, "x", T0)
    assert triage.status_on_open(internal, ctx) == []
    edited = IssueChanged(MAC7411, Change.EDITED, "x", T0)
    assert triage.status_on_open(edited, ctx) == []


@pytest.mark.parametrize(
    ("name", "status"),
    [
        ("release/published", DeliveryStatus.DONE),
        ("release/prereleased", DeliveryStatus.DONE),
        ("ping/ping", DeliveryStatus.DONE),
        ("issue_comment/created.on-pull-request", DeliveryStatus.IGNORED),
        ("issues/transferred", DeliveryStatus.DONE),
    ],
)
def test_other_deliveries(sqlite_engine: Engine, name: str, status: DeliveryStatus) -> None:
    enqueue(sqlite_engine, name, "x")
    worker(sqlite_engine).drain()
    assert SqlDeliveryQueue(sqlite_engine).get("x").status is status  # type: ignore[union-attr]
    if name.startswith("release"):
        [rel] = SqlReleaseStore(sqlite_engine).list_releases()
        assert rel.channel == ("beta" if "pre" in name else "stable")


def test_failing_handler_retries_then_parks_without_stopping_others(sqlite_engine: Engine) -> None:
    triage.register_handlers()

    def broken(event: IssueChanged, ctx: AppContext) -> list[Action]:
        raise RuntimeError("feature bug")

    events.register("broken", broken)
    enqueue(sqlite_engine, "issues/opened", "a")
    clock = Clock()
    w = worker(sqlite_engine, clock, max_attempts=2, backoff=timedelta(seconds=1))
    w.drain()
    d = SqlDeliveryQueue(sqlite_engine).get("a")
    assert d is not None and d.status is DeliveryStatus.QUEUED and "feature bug" in d.error
    assert w.drain() == 0  # waiting for its retry time
    clock.t += timedelta(seconds=5)
    w.drain()
    d = SqlDeliveryQueue(sqlite_engine).get("a")
    assert d is not None and d.status is DeliveryStatus.PARKED and d.attempts == 2
    # the triage rule still ran, and its action was planned once despite two runs
    assert len(SqlActionLog(sqlite_engine).list(ActionStatus.PLANNED)) == 1


def test_malformed_stored_payload_is_parked(sqlite_engine: Engine) -> None:
    SqlDeliveryQueue(sqlite_engine).enqueue(
        NewDelivery("bad", "issues", "opened", "docker/for-mac", b'{"action": "opened"}', T0)
    )
    w = worker(sqlite_engine)  # default attempts: a malformed payload is parked at once
    w.drain()
    d = SqlDeliveryQueue(sqlite_engine).get("bad")
    assert d is not None and d.status is DeliveryStatus.PARKED
    assert d.attempts == 1
    assert "InputError" in d.error and "'repository'" in d.error


def test_handled_table_matches_change_enum() -> None:
    assert set(webhooks.HANDLED["issues"]) == {
        "opened", "edited", "labeled", "unlabeled", "closed", "reopened", "transferred",
        "assigned", "unassigned",
    }  # fmt: skip
    assert set(webhooks.HANDLED["issue_comment"]) == {"created", "edited"}
    assert set(webhooks.HANDLED["release"]) == {"published", "prereleased"}
    assert not webhooks.is_handled("issue_comment", "deleted")
    assert not webhooks.is_handled("pull_request", "opened")


def test_replay_plans_once_however_often_it_runs(sqlite_engine: Engine) -> None:
    from dataclasses import replace

    from triagedesk.app.replay import replay

    triage.register_handlers()
    ctx = context(sqlite_engine)
    base = parse_payload("issues", "opened", json.dumps(load("issues/opened")).encode())
    assert isinstance(base, webhooks.IssueDelivery)
    issues = [
        replace(base.issue, ref=IssueRef(MAC7411.repo, n), labels=labels)
        for n, labels in [(1, ()), (2, (Status.ACKNOWLEDGED.value,)), (3, ("needs-triage",))]
    ]
    ctx.issues.upsert_issues(issues)
    first = replay(ctx, [i.ref for i in issues])
    second = replay(ctx, [i.ref for i in issues])
    assert (first.issues, first.failed) == (3, [])
    planned = SqlActionLog(sqlite_engine).list(ActionStatus.PLANNED)
    assert sorted(r.action.issue.number for r in planned) == [1, 3]
    assert second.actions == 2  # the same two decisions, not stored again


def test_locked_database_is_retried_inline(sqlite_engine: Engine) -> None:
    from triagedesk.domain.errors import StoreLocked

    calls: list[int] = []

    def flaky(event: IssueChanged, ctx: AppContext) -> list[Action]:
        calls.append(1)
        if len(calls) < 3:
            raise StoreLocked("the database is locked by another writer")
        return []

    events.register("flaky", flaky)
    enqueue(sqlite_engine, "issues/opened", "a")
    w = worker(sqlite_engine)
    w.drain()
    d = SqlDeliveryQueue(sqlite_engine).get("a")
    assert d is not None and d.status is DeliveryStatus.DONE and d.attempts == 1
    assert len(calls) == 3 and w.stats.retried == 0


def test_slow_delivery_keeps_its_lease_while_the_worker_lives(sqlite_engine: Engine) -> None:
    import threading
    import time

    started = threading.Event()

    def slow(event: IssueChanged, ctx: AppContext) -> list[Action]:
        started.set()
        time.sleep(1.5)  # e.g. waiting out a GitHub rate limit
        return []

    events.register("slow", slow)
    enqueue(sqlite_engine, "issues/opened", "a")
    real = context(sqlite_engine)
    real.now = lambda: datetime.now(UTC)
    a = Worker(
        ctx=real,
        queue=SqlDeliveryQueue(sqlite_engine),
        parse=parse_payload,
        lease=timedelta(seconds=0.6),
    )
    t = threading.Thread(target=a.run_once)
    t.start()
    assert started.wait(10)
    time.sleep(0.9)  # past the original lease
    stolen = SqlDeliveryQueue(sqlite_engine).claim(
        "b", now=datetime.now(UTC), lease=timedelta(seconds=5)
    )
    t.join()
    assert stolen == []
    assert SqlDeliveryQueue(sqlite_engine).get("a").status is DeliveryStatus.DONE  # type: ignore[union-attr]


def test_later_handlers_see_the_labels_earlier_ones_wrote(sqlite_engine: Engine) -> None:
    from dataclasses import replace

    from support.fake_issue_store import FakeIssueStore
    from support.fake_tracker import FakeTracker
    from triagedesk.settings import from_mapping

    settings = from_mapping(
        {
            "github": {"shadow": False},
            "profile": {"public_repos": [{"name": "docker/for-mac", "shadow": False}]},
        }
    )
    base = parse_payload("issues", "opened", json.dumps(load("issues/opened")).encode())
    assert isinstance(base, webhooks.IssueDelivery)
    issue = replace(base.issue, labels=())
    tracker, store = FakeTracker(), FakeIssueStore()
    tracker.put(issue)
    store.upsert_issues([issue])
    ctx = AppContext(
        settings=settings,
        issues=store,
        now=Clock(),
        actions=SqlActionLog(sqlite_engine),
        tracker=tracker,
    )

    def checklist(event: IssueChanged, ctx: AppContext) -> list[Action]:
        return [
            SetStatus(event.ref, "new", status=Status.TRIAGE),
            SetStatus(event.ref, "no diagnostics", status=Status.MORE_INFO_NEEDED),
        ]

    events.register("checklist", checklist)  # runs before the triage rule here
    triage.register_handlers()

    webhooks.run_handlers(ctx, IssueChanged(MAC7411, Change.OPENED, "quietbyte", T0), source="t")
    assert tracker.issues[MAC7411].labels == (Status.MORE_INFO_NEEDED.value,)
    assert store.issues[MAC7411].labels == (Status.MORE_INFO_NEEDED.value,)
