from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from triagedesk.domain.errors import TransitionRefused
from triagedesk.domain.model import IssueRef, RepoRef
from triagedesk.domain.workflow import (
    TRANSITIONS,
    Closure,
    Source,
    Status,
    mermaid,
    relabel,
    status_of,
    step,
)

REF = IssueRef(RepoRef("docker", "for-mac"), 1)
NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)

# product.md's table, written out independently of the code
EXPECTED = {
    None: {"status/0-triage"},
    "status/0-triage": {
        "status/0-more-info-needed",
        "status/1-acknowledged",
        "status/0-wont-fix",
        "closed as duplicate",
    },
    "status/0-more-info-needed": {"status/0-triage", "closed (no answer)", "status/0-wont-fix"},
    "status/1-acknowledged": {"status/2-in-progress", "status/0-wont-fix"},
    "status/2-in-progress": {"status/3-fixed", "status/0-wont-fix"},
    "status/3-fixed": {"status/4-fix-released-beta", "status/4-fix-released-stable"},
    "status/4-fix-released-beta": {"status/4-fix-released-stable"},
    "status/0-wont-fix": set(),
    "status/4-fix-released-stable": set(),
}


def test_eight_labels_with_seed_names() -> None:
    assert sorted(s.value for s in Status) == sorted(k for k in EXPECTED if k is not None)


def test_table_matches_product_brief() -> None:
    got = {(k.value if k else None): {t.value for t in v} for k, v in TRANSITIONS.items()}
    assert got == EXPECTED


@pytest.mark.parametrize(
    ("src", "dst"),
    [(s, d) for s, ds in TRANSITIONS.items() for d in sorted(ds, key=lambda t: t.value)],
)
def test_allowed_moves_pass(src: Status | None, dst: Status | Closure) -> None:
    change = step(REF, src, dst, actor="alice", at=NOW, reason="r", source=Source.AUTOMATION)
    assert change.to_state == dst and not change.forced


def test_refused_move_names_allowed_moves() -> None:
    with pytest.raises(TransitionRefused, match=r"from status/0-triage to status/3-fixed.*allowed"):
        step(
            REF,
            Status.TRIAGE,
            Status.FIXED,
            actor="bot",
            at=NOW,
            reason="r",
            source=Source.AUTOMATION,
        )


def test_person_may_force_and_it_is_recorded() -> None:
    change = step(
        REF,
        Status.TRIAGE,
        Status.FIXED,
        actor="alice",
        at=NOW,
        reason="hotfix",
        source=Source.PERSON,
        force=True,
    )
    assert change.forced


def test_automation_may_not_force() -> None:
    with pytest.raises(TransitionRefused, match="only a person"):
        step(
            REF,
            Status.TRIAGE,
            Status.FIXED,
            actor="bot",
            at=NOW,
            reason="r",
            source=Source.AUTOMATION,
            force=True,
        )


def test_naive_time_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        step(
            REF,
            None,
            Status.TRIAGE,
            actor="a",
            at=datetime(2026, 1, 1),
            reason="r",
            source=Source.SYNC,
        )


def test_exactly_one_status_label() -> None:
    labels = ["kind/bug", "status/0-triage", "needs-triage", "status/1-acknowledged"]
    aliases = {"needs-triage": Status.TRIAGE}
    assert status_of(labels, aliases) is Status.ACKNOWLEDGED
    delta = relabel(labels, Status.IN_PROGRESS, aliases)
    assert set(delta.remove) == {"status/0-triage", "needs-triage", "status/1-acknowledged"}
    assert delta.add == ("status/2-in-progress",)
    assert relabel(["status/2-in-progress", "kind/bug"], Status.IN_PROGRESS).empty


def test_workflow_doc_is_generated_from_the_table() -> None:
    doc = (Path(__file__).parents[2] / "docs" / "workflow.md").read_text(encoding="utf-8")
    assert f"```mermaid\n{mermaid()}```" in doc, (
        "docs/workflow.md differs: run `triagedesk workflow diagram`"
    )
