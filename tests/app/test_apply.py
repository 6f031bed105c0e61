"""submit/approve against the shared fake tracker and the SQL action log (both backends)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine

from support.fake_issue_store import FakeIssueStore
from support.fake_tracker import FakeTracker
from triagedesk.adapters.store.action_log import SqlActionLog
from triagedesk.app import apply
from triagedesk.app.context import AppContext
from triagedesk.domain.actions import (
    Action,
    AddLabels,
    Assign,
    Close,
    OpenInternal,
    RemoveLabels,
    Reopen,
    SetStatus,
    UpsertComment,
    marker_tag,
)
from triagedesk.domain.errors import ConfigError, UserError
from triagedesk.domain.model import CloseReason, Comment, Issue, IssueRef, IssueState, RepoRef
from triagedesk.domain.workflow import Source, Status
from triagedesk.ports.actions import ActionStatus
from triagedesk.settings import Settings, from_mapping

MAC = RepoRef("docker", "for-mac")
PINATA = RepoRef("docker", "pinata")
REF = IssueRef(MAC, 7)
T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def live_settings() -> Settings:
    return from_mapping(
        {
            "github": {"shadow": False},
            "profile": {
                "public_repos": [
                    {"name": "docker/for-mac", "shadow": False},
                    {"name": "docker/for-win", "shadow": True},
                ]
            },
        }
    )


def issue(ref: IssueRef = REF, labels: tuple[str, ...] = (), **kw: object) -> Issue:
    return Issue(
        ref=ref,
        title="Ports stop forwarding after sleep",
        body="After the Mac wakes, published ports no longer answer.",
        author="reporter1",
        created_at=T0,
        updated_at=T0,
        labels=labels,
        **kw,  # type: ignore[arg-type]
    )


class Clock:
    def __init__(self) -> None:
        self.t = T0

    def __call__(self) -> datetime:
        self.t += timedelta(seconds=1)
        return self.t


def make_ctx(engine: Engine, tracker: FakeTracker | None, settings: Settings) -> AppContext:
    return AppContext(
        settings=settings,
        issues=FakeIssueStore(),
        now=Clock(),
        actions=SqlActionLog(engine),
        tracker=tracker,
    )


ALL_ACTIONS: list[Action] = [
    AddLabels(REF, "area guess", labels=("area/networking", "kind/bug")),
    RemoveLabels(REF, "wrong platform", labels=("platform/windows",)),
    SetStatus(REF, "new issue", status=Status.TRIAGE),
    UpsertComment(REF, "ask for logs", marker="more-info", body="Please upload diagnostics."),
    Assign(REF, "owner of networking", assignees=("@netdev",)),
    OpenInternal(REF, "obvious cause", repo=PINATA, title="vpnkit loses ports", body="Summary"),
    Close(REF, "dupe", duplicate_of=IssueRef(MAC, 3)),
    Reopen(REF, "reporter answered"),
]


def test_second_apply_sends_no_write(sqlite_engine: Engine) -> None:
    tracker = FakeTracker()
    tracker.put(issue(labels=("platform/windows", "needs-triage")))
    ctx = make_ctx(sqlite_engine, tracker, live_settings())
    first = apply.submit(ctx, ALL_ACTIONS, source="test")
    assert [r.status for r in first] == [ActionStatus.APPLIED] * len(ALL_ACTIONS)
    writes = list(tracker.writes)
    assert writes, "the first apply wrote"
    second = apply.submit(ctx, ALL_ACTIONS, source="test")
    # the issue was reopened by the last action; re-closing is a change, everything else is not
    statuses = {type(r.action).__name__: r.status for r in second}
    assert statuses["Close"] is ActionStatus.APPLIED
    assert statuses["Reopen"] is ActionStatus.APPLIED
    others = {k: v for k, v in statuses.items() if k not in ("Close", "Reopen")}
    assert set(others.values()) == {ActionStatus.UNCHANGED}
    new_writes = tracker.writes[len(writes) :]
    assert [w[0] for w in new_writes] == ["set_state", "set_state"]
    # exactly one bot comment per marker, one internal issue
    comments = tracker.list_comments(REF)
    tags = [c.body.splitlines()[0] for c in comments]
    assert len(tags) == len(set(tags))
    assert len([r for r in tracker.issues if r.repo == PINATA]) == 1


def test_status_labels_and_audit(sqlite_engine: Engine) -> None:
    tracker = FakeTracker()
    tracker.put(issue(labels=("needs-triage", "area/gui")))
    ctx = make_ctx(sqlite_engine, tracker, live_settings())
    [rec] = apply.submit(
        ctx, [SetStatus(REF, "checklist complete", status=Status.ACKNOWLEDGED)], source="quality"
    )
    assert rec.status is ActionStatus.APPLIED
    assert set(tracker.issues[REF].labels) == {"area/gui", Status.ACKNOWLEDGED.value}
    [change] = ctx.issues.status_history(REF)
    assert change.from_state is Status.TRIAGE and change.to_state is Status.ACKNOWLEDGED
    assert change.source is Source.AUTOMATION


def test_refused_move_is_recorded_failed_and_sends_nothing(sqlite_engine: Engine) -> None:
    tracker = FakeTracker()
    tracker.put(issue(labels=(Status.TRIAGE.value,)))
    ctx = make_ctx(sqlite_engine, tracker, live_settings())
    [rec] = apply.submit(ctx, [SetStatus(REF, "jump", status=Status.FIXED)], source="t")
    assert rec.status is ActionStatus.FAILED
    assert "cannot move" in rec.detail
    assert tracker.writes == []


def test_comment_edited_in_place_when_body_changes(sqlite_engine: Engine) -> None:
    tracker = FakeTracker()
    tracker.put(issue())
    ctx = make_ctx(sqlite_engine, tracker, live_settings())
    apply.submit(ctx, [UpsertComment(REF, "r", marker="m1", body="one")], source="t")
    [rec] = apply.submit(ctx, [UpsertComment(REF, "r", marker="m1", body="two")], source="t")
    assert rec.status is ActionStatus.APPLIED and "edited" in rec.detail
    [c] = tracker.list_comments(REF)
    assert c.body == f"{marker_tag('m1')}\ntwo"
    assert [w[0] for w in tracker.writes] == ["create_comment", "update_comment"]


def test_marker_quoted_by_a_person_is_not_edited(sqlite_engine: Engine) -> None:
    tracker = FakeTracker()
    tracker.put(issue())
    quoted = Comment(1, "reporter1", f"> {marker_tag('m1')}\n> old text", T0)
    tracker.comments[REF] = [quoted]
    bot = Comment(2, "triagedesk[bot]", f"{marker_tag('m1')}\nold text", T0)
    tracker.comments[REF].append(bot)
    ctx = make_ctx(sqlite_engine, tracker, live_settings())
    apply.submit(ctx, [UpsertComment(REF, "r", marker="m1", body="new text")], source="t")
    assert tracker.writes == [("update_comment", f"{MAC} 2")]


def test_close_with_reason_only_when_open(sqlite_engine: Engine) -> None:
    tracker = FakeTracker()
    tracker.put(issue(state=IssueState.CLOSED, state_reason=CloseReason.COMPLETED))
    ctx = make_ctx(sqlite_engine, tracker, live_settings())
    [rec] = apply.submit(
        ctx, [Close(REF, "stale", close_reason=CloseReason.NOT_PLANNED)], source="t"
    )
    assert rec.status is ActionStatus.UNCHANGED
    assert tracker.writes == []


@pytest.mark.parametrize(
    ("settings", "tracker", "repo"),
    [
        (Settings(), True, MAC),  # global shadow (the default profile)
        (None, True, RepoRef("docker", "for-win")),  # per-repo shadow
        (None, False, MAC),  # no tracker at all
    ],
)
def test_shadow_records_planned_once_and_sends_nothing(
    sqlite_engine: Engine, settings: Settings | None, tracker: bool, repo: RepoRef
) -> None:
    fake = FakeTracker()
    ref = IssueRef(repo, 7)
    fake.put(issue(ref))
    ctx = make_ctx(sqlite_engine, fake if tracker else None, settings or live_settings())
    action = SetStatus(ref, "new issue", status=Status.TRIAGE)
    a = apply.submit(ctx, [action], source="t")
    b = apply.submit(ctx, [replace(action, reason="said differently")], source="t")
    assert a[0].status is ActionStatus.PLANNED
    assert a[0].id == b[0].id
    assert len(ctx.actions.list(ActionStatus.PLANNED)) == 1  # type: ignore[union-attr]
    assert fake.writes == []


def test_approve_applies_planned_once(engine: Engine) -> None:
    fake = FakeTracker()
    fake.put(issue())
    shadow_ctx = make_ctx(engine, None, live_settings())
    [planned] = apply.submit(
        shadow_ctx, [AddLabels(REF, "guess", labels=("area/gui",))], source="t"
    )
    live = make_ctx(engine, fake, Settings())  # global shadow does not stop an approval
    [done] = apply.approve(live, [planned.id])
    assert done.status is ActionStatus.APPLIED
    assert fake.issues[REF].labels == ("area/gui",)
    with pytest.raises(UserError, match="not planned"):
        apply.approve(live, [planned.id])
    # once applied, the same decision can be planned again (and would then be a no-op)
    [again] = apply.submit(shadow_ctx, [AddLabels(REF, "guess", labels=("area/gui",))], source="t")
    assert again.id != planned.id


def test_approve_without_tracker_is_a_clear_error(sqlite_engine: Engine) -> None:
    ctx = make_ctx(sqlite_engine, None, live_settings())
    with pytest.raises(ConfigError, match="credentials"):
        apply.approve(ctx, [1])


def test_tracker_failure_recorded_as_failed(sqlite_engine: Engine) -> None:
    fake = FakeTracker(failing={"add_labels"})
    fake.put(issue())
    ctx = make_ctx(sqlite_engine, fake, live_settings())
    [rec] = apply.submit(ctx, [AddLabels(REF, "x", labels=("kind/bug",))], source="t")
    assert rec.status is ActionStatus.FAILED and "injected" in rec.detail
    assert ctx.actions.get(rec.id).detail == rec.detail  # type: ignore[union-attr]
