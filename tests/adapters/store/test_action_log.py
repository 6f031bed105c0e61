"""The SQL action log on both backends: planned once, marked, listed."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy.engine import Engine

from triagedesk.adapters.store.action_log import SqlActionLog
from triagedesk.domain.actions import AddLabels, Close, SetStatus, UpsertComment
from triagedesk.domain.errors import NotFoundError
from triagedesk.domain.model import CloseReason, IssueRef, RepoRef
from triagedesk.domain.workflow import Status
from triagedesk.ports.actions import ActionStatus

REF = IssueRef(RepoRef("docker", "for-win"), 15020)
T0 = datetime(2026, 3, 1, tzinfo=UTC)


def test_round_trip_and_planned_once(engine: Engine) -> None:
    log = SqlActionLog(engine)
    actions = [
        SetStatus(REF, "new", status=Status.TRIAGE),
        UpsertComment(REF, "ask", marker="more-info", body="Please add the Diagnostics ID."),
        Close(REF, "dupe", close_reason=CloseReason.DUPLICATE, duplicate_of=IssueRef(REF.repo, 3)),
    ]
    first = log.record(actions, status=ActionStatus.PLANNED, source="t", at=T0)
    assert [r.action for r in first] == actions
    # the same decisions again (the comment body differs: same key, still one planned copy)
    again = log.record(
        [actions[0], UpsertComment(REF, "ask", marker="more-info", body="other words")],
        status=ActionStatus.PLANNED,
        source="t",
        at=T0,
    )
    assert [r.id for r in again] == [first[0].id, first[1].id]
    assert len(log.list(ActionStatus.PLANNED)) == 3
    log.mark(first[0].id, ActionStatus.APPLIED, at=T0, detail="added status/0-triage")
    rec = log.get(first[0].id)
    assert rec is not None and rec.status is ActionStatus.APPLIED and rec.applied_at == T0
    assert len(log.list(ActionStatus.PLANNED)) == 2
    with pytest.raises(NotFoundError):
        log.mark(999_999, ActionStatus.APPLIED, at=T0)


def test_applied_actions_are_all_kept(engine: Engine) -> None:
    log = SqlActionLog(engine)
    a = AddLabels(REF, "x", labels=("area/wsl2",))
    log.record([a], status=ActionStatus.APPLIED, source="t", at=T0)
    log.record([a], status=ActionStatus.UNCHANGED, source="t", at=T0)
    assert len(log.list()) == 2


def test_parallel_planning_stores_one_copy(engine: Engine) -> None:
    log = SqlActionLog(engine)
    a = SetStatus(REF, "new", status=Status.TRIAGE)
    ids: list[int] = []
    errors: list[BaseException] = []

    def plan() -> None:
        try:
            for _ in range(5):
                ids.extend(
                    r.id for r in log.record([a], status=ActionStatus.PLANNED, source="t", at=T0)
                )
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=plan) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(set(ids)) == 1
    assert len(log.list(ActionStatus.PLANNED)) == 1
