"""Local status moves: target parsing, relabelling, closures and the audit trail."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine

from support.core_data import MAC, T0, make_issue
from triagedesk.adapters.store.issues import SqlIssueStore
from triagedesk.app.statusmoves import move_status, parse_target
from triagedesk.domain.errors import NotFoundError, TransitionRefused, UserError
from triagedesk.domain.model import CloseReason, IssueRef, IssueState
from triagedesk.domain.workflow import Closure, Source, State, Status


@pytest.mark.parametrize(
    ("text", "state"),
    [
        ("status/1-acknowledged", Status.ACKNOWLEDGED),
        ("1-acknowledged", Status.ACKNOWLEDGED),
        ("Acknowledged", Status.ACKNOWLEDGED),
        ("more-info-needed", Status.MORE_INFO_NEEDED),
        ("fix-released-beta", Status.FIX_RELEASED_BETA),
        ("wont_fix", Status.WONT_FIX),
        ("0-wont-fix", Status.WONT_FIX),
        ("duplicate", Closure.DUPLICATE),
        ("no-answer", Closure.NO_ANSWER),
        ("closed (no answer)", Closure.NO_ANSWER),
    ],
)
def test_parse_target(text: str, state: State) -> None:
    assert parse_target(text) == state


def test_parse_target_unknown() -> None:
    with pytest.raises(UserError, match="unknown status 'later'"):
        parse_target("later")


def test_moves_relabel_close_and_audit(sqlite_engine: Engine) -> None:
    store = SqlIssueStore(sqlite_engine)
    issue = make_issue(1, labels=("needs-triage", "area/network"), events=0)
    store.upsert_issues([issue])
    aliases = {"needs-triage": Status.TRIAGE}
    change, after = move_status(
        store,
        issue.ref,
        Status.MORE_INFO_NEEDED,
        actor="ana",
        reason="no diagnostics id",
        at=T0,
        aliases=aliases,
    )
    assert change.from_state is Status.TRIAGE  # read through the alias
    assert after.labels == ("area/network", "status/0-more-info-needed")
    with pytest.raises(TransitionRefused, match="cannot move from status/0-more-info-needed"):
        move_status(store, issue.ref, Status.FIXED, actor="ana", reason="x", at=T0)
    with pytest.raises(TransitionRefused, match="only a person may force"):
        move_status(
            store,
            issue.ref,
            Status.FIXED,
            actor="bot",
            reason="x",
            at=T0,
            source=Source.AUTOMATION,
            force=True,
        )
    _, closed = move_status(
        store,
        issue.ref,
        Closure.NO_ANSWER,
        actor="bot",
        reason="14 days without an answer",
        at=T0 + timedelta(days=14),
        source=Source.AUTOMATION,
    )
    assert closed.state is IssueState.CLOSED and closed.state_reason is CloseReason.NOT_PLANNED
    assert closed.labels == after.labels  # a closure keeps the labels
    history = store.status_history(issue.ref)
    assert [(c.to_state, c.source, c.forced) for c in history] == [
        (Status.MORE_INFO_NEEDED, Source.PERSON, False),
        (Closure.NO_ANSWER, Source.AUTOMATION, False),
    ]


def test_forced_move_and_missing_issue(sqlite_engine: Engine) -> None:
    store = SqlIssueStore(sqlite_engine)
    issue = make_issue(2, labels=("status/0-triage",), events=0)
    store.upsert_issues([issue])
    change, after = move_status(
        store, issue.ref, Status.FIXED, actor="lead", reason="fixed upstream", at=T0, force=True
    )
    assert change.forced and after.labels == ("status/3-fixed",)
    with pytest.raises(NotFoundError):
        move_status(store, IssueRef(MAC, 999), Status.TRIAGE, actor="a", reason="r", at=T0)
