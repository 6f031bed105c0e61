"""Categorise use cases: train, suggest, the new-issue handler, confirm/reject with feedback."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine

from support.fake_issue_store import FakeIssueStore
from support.fake_tracker import FakeTracker
from support.intel_corpus import MAC, WIN, build
from triagedesk.adapters.store.action_log import SqlActionLog
from triagedesk.adapters.store.intelligence import SqlIntelligenceStore
from triagedesk.app import categorise, categorise_train
from triagedesk.app.context import AppContext
from triagedesk.app.events import Change, IssueChanged
from triagedesk.domain.actions import AddLabels, Close, UpsertComment
from triagedesk.domain.errors import StoreError, UserError
from triagedesk.domain.model import CloseReason, EventKind, Issue, IssueEvent, IssueRef, IssueState
from triagedesk.ports.actions import ActionStatus
from triagedesk.ports.intelligence import FeedbackKind
from triagedesk.settings import Settings, from_mapping

NOW = datetime(2022, 6, 1, tzinfo=UTC)


def _ctx(engine: Engine, settings: Settings | None = None, *, n: int = 160) -> AppContext:
    store = FakeIssueStore()
    store.upsert_issues(build(n))
    return AppContext(
        settings=settings or from_mapping({"intelligence": {"target_precision": 0.7}}),
        issues=store,
        now=lambda: NOW,
        actions=SqlActionLog(engine),
        intelligence=SqlIntelligenceStore(engine),
    )


def _new_issue(number: int = 900) -> Issue:
    body = (
        "kubectl get pods hangs and the cluster never becomes ready.\n"
        "Unable to connect to the server: dial tcp 127.0.0.1:6443: connect: connection refused\n"
        "[FAIL] DD0027: is Kubernetes running? control plane not ready\n"
        "Docker Desktop Version: 4.3.1"
    )
    return Issue(
        ref=IssueRef(MAC, number),
        title="Kubernetes stuck on starting",
        body=body,
        author="newcomer",
        created_at=NOW,
        updated_at=NOW,
    )


def test_train_then_suggest(sqlite_engine: Engine) -> None:
    ctx = _ctx(sqlite_engine)
    result = categorise_train.train_all(ctx)
    assert result["n_issues"] == 160
    assert result["label_model_version"] == 1 and result["index_version"] == 1
    assert "area/kubernetes" in result["model_labels"]
    ctx.issues.upsert_issues([_new_issue()])
    s = categorise.suggest(ctx, IssueRef(MAC, 900))
    assert s.labels and s.labels[0].label == "area/kubernetes"
    assert s.duplicates, "earlier Kubernetes reports are candidates"
    top = s.duplicates[0]
    assert top.evidence.get("failing_components") == ["dd0027"]
    assert all(c.created_at < NOW for c in s.duplicates)
    # retraining stores a new version; the loaded bundle follows it
    assert categorise_train.train_all(ctx)["label_model_version"] == 2
    assert categorise.load(ctx).model_version == 2


def test_handler_applies_only_labels_above_threshold_and_loads_once(sqlite_engine: Engine) -> None:
    ctx = _ctx(sqlite_engine)
    categorise_train.train_all(ctx)
    first = categorise.load(ctx)
    ctx.issues.upsert_issues([_new_issue()])
    event = IssueChanged(IssueRef(MAC, 900), Change.OPENED, "newcomer", NOW)
    actions = categorise.handle(event, ctx)
    assert categorise.load(ctx) is first  # no reload per event
    assert "docker/for-mac#900" in first.index.by_ref  # indexed in memory, no rebuild
    s = categorise.suggest(ctx, IssueRef(MAC, 900))
    applied = {x.label for x in s.labels if x.decision == "apply"}
    if applied:
        assert len(actions) == 1 and isinstance(actions[0], AddLabels)
        assert set(actions[0].labels) == applied
    else:
        assert actions == []
    # internal repository and other changes are ignored
    other = IssueChanged(IssueRef(MAC, 900), Change.COMMENTED, "x", NOW)
    assert categorise.handle(other, ctx) == []


def test_handler_without_store_or_model_does_nothing(sqlite_engine: Engine) -> None:
    ctx = _ctx(sqlite_engine)
    ctx.issues.upsert_issues([_new_issue()])
    event = IssueChanged(IssueRef(MAC, 900), Change.OPENED, "newcomer", NOW)
    assert categorise.handle(event, ctx) == []  # nothing trained yet: no labels
    assert categorise.handle(event, replace(ctx, intelligence=None)) == []


def test_confirm_duplicate_in_shadow_mode_plans_comment_label_close(sqlite_engine: Engine) -> None:
    ctx = _ctx(sqlite_engine)
    dup, orig = IssueRef(MAC, 40), IssueRef(MAC, 3)
    records = categorise.confirm_duplicate(ctx, dup, orig, actor="alice")
    kinds = [r.action for r in records]
    assert all(r.status is ActionStatus.PLANNED for r in records)
    assert isinstance(kinds[0], UpsertComment) and "#3" in kinds[0].body
    assert isinstance(kinds[1], AddLabels) and kinds[1].labels == ("status/duplicate",)
    assert isinstance(kinds[2], Close)
    assert kinds[2].close_reason is CloseReason.DUPLICATE and kinds[2].duplicate_of == orig
    fb = ctx.intelligence.list_feedback(FeedbackKind.DUPLICATE_CONFIRMED)  # type: ignore[union-attr]
    assert [(str(f.issue), f.subject, f.actor) for f in fb] == [(str(dup), str(orig), "alice")]
    with pytest.raises(UserError):
        categorise.confirm_duplicate(ctx, dup, dup, actor="alice")
    with pytest.raises(UserError, match="filed after"):
        categorise.confirm_duplicate(ctx, orig, dup, actor="alice")


def test_confirm_duplicate_live_closes_on_the_tracker(sqlite_engine: Engine) -> None:
    settings = from_mapping(
        {
            "github": {"shadow": False},
            "profile": {"public_repos": [{"name": "docker/for-mac", "shadow": False}]},
        }
    )
    ctx = _ctx(sqlite_engine, settings)
    tracker = FakeTracker()
    dup, orig = IssueRef(MAC, 40), IssueRef(MAC, 3)
    tracker.put(ctx.issues.get_issue(dup))  # type: ignore[arg-type]
    ctx.tracker = tracker
    records = categorise.confirm_duplicate(ctx, dup, orig, actor="alice")
    assert all(r.status is ActionStatus.APPLIED for r in records), [r.detail for r in records]
    closed = tracker.issues[dup]
    assert closed.state is IssueState.CLOSED and closed.state_reason is CloseReason.DUPLICATE
    assert "status/duplicate" in closed.labels
    assert any("#3" in c.body for c in tracker.comments[dup])
    # confirming twice changes nothing on the tracker
    again = categorise.confirm_duplicate(ctx, dup, orig, actor="alice")
    assert all(r.status is ActionStatus.UNCHANGED for r in again)


def test_rejected_candidates_are_marked_and_removed_labels_remembered(
    sqlite_engine: Engine,
) -> None:
    ctx = _ctx(sqlite_engine)
    categorise_train.train_all(ctx)
    ctx.issues.upsert_issues([_new_issue()])
    ref = IssueRef(MAC, 900)
    top = categorise.suggest(ctx, ref).duplicates[0]
    categorise.reject_duplicate(ctx, ref, IssueRef.parse(top.ref), actor="bob")
    again = {c.ref: c.verdict for c in categorise.suggest(ctx, ref).duplicates}
    assert again[top.ref] == "rejected"
    # a person removes a label the bot applied: stored as feedback, not suggested again
    bot = ctx.settings.profile.bot_login
    labelled = replace(
        _new_issue(),
        events=(IssueEvent(EventKind.LABELED, bot, NOW, "area/kubernetes"),),
    )
    ctx.issues.upsert_issues([labelled])
    categorise.handle(
        IssueChanged(ref, Change.UNLABELED, "carol", NOW + timedelta(hours=1), "area/kubernetes"),
        ctx,
    )
    fb = ctx.intelligence.list_feedback(FeedbackKind.LABEL_REMOVED)  # type: ignore[union-attr]
    assert [(str(f.issue), f.subject) for f in fb] == [(str(ref), "area/kubernetes")]
    assert "area/kubernetes" not in {x.label for x in categorise.suggest(ctx, ref).labels}
    # a label someone else added and removed is not feedback about triagedesk
    categorise.handle(IssueChanged(ref, Change.UNLABELED, "carol", NOW, "kind/bug"), ctx)
    assert len(ctx.intelligence.list_feedback(FeedbackKind.LABEL_REMOVED)) == 1  # type: ignore[union-attr]


def test_index_update_adds_without_rebuild_and_rebuild_on_demand(sqlite_engine: Engine) -> None:
    ctx = _ctx(sqlite_engine)
    categorise_train.train_all(ctx)
    ctx.issues.upsert_issues([_new_issue(901), replace(_new_issue(902), ref=IssueRef(WIN, 902))])
    upd = categorise_train.update_index(ctx)
    assert upd["added"] == 2 and upd["indexed"] == 162
    assert categorise_train.update_index(ctx)["added"] == 0
    reb = categorise_train.rebuild_index(ctx)
    assert reb["indexed"] == 162


def test_no_issues_and_broken_artifacts_are_clear_errors(sqlite_engine: Engine) -> None:
    ctx = _ctx(sqlite_engine)
    empty = replace(ctx, issues=FakeIssueStore())
    with pytest.raises(UserError, match="no issues"):
        categorise_train.train_all(empty)
    store = ctx.intelligence
    assert store is not None
    store.save_artifact(
        categorise.DUP_INDEX, b"not a zip", trained_at=NOW, watermark=None, n_items=0
    )
    with pytest.raises(StoreError, match="train"):
        categorise.load(ctx, fresh=True)


def test_importing_the_handler_loads_no_numeric_library() -> None:
    """The webhook worker imports app modules at start: NumPy/SciPy/scikit-learn wait for use."""
    import subprocess
    import sys

    code = (
        "import sys, triagedesk.app.categorise, triagedesk.intelligence.duplicates, "
        "triagedesk.intelligence.labels; "
        "print(sorted(m for m in ('numpy', 'scipy', 'sklearn') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_a_comment_referring_to_an_issue_is_remembered(sqlite_engine: Engine) -> None:
    from triagedesk.domain.model import Association, Comment

    ctx = _ctx(sqlite_engine)
    categorise_train.train_all(ctx)
    loaded = categorise.load(ctx)
    before = len(loaded.index.mentions.get("docker/for-mac#3", []))
    said = Comment(77, "someone", "same as #3 for me", NOW, None, Association.NONE)
    ctx.issues.upsert_issues([replace(_new_issue(), comments=(said,))])
    event = IssueChanged(IssueRef(MAC, 900), Change.COMMENTED, "someone", NOW, "77")
    assert categorise.handle(event, ctx) == []
    assert len(loaded.index.mentions["docker/for-mac#3"]) == before + 1


def test_when_labelled_suggestions_are_shown_but_never_applied(sqlite_engine: Engine) -> None:
    # a floor above the version's history confidence: only its when-labelled figure shows it
    settings = from_mapping({"intelligence": {"target_precision": 0.7, "suggest_floor": 0.5}})
    ctx = _ctx(sqlite_engine, settings)
    categorise_train.train_all(ctx)
    ctx.issues.upsert_issues([_new_issue()])
    s = categorise.suggest(ctx, IssueRef(MAC, 900))
    shown = [x for x in s.labels if x.basis == "when-labelled"]
    assert any(x.label.startswith("version/") for x in shown), "the reported version"
    assert all(x.decision == "suggest" for x in shown)
    applied = {lab for a in categorise.label_actions(ctx, s) for lab in getattr(a, "labels", ())}
    assert applied == {x.label for x in s.labels if x.decision == "apply"}
    assert not applied & {x.label for x in shown}
