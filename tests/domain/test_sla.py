"""SLA clocks, worked out by hand: pauses while waiting on the reporter, warnings, breaches."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from triagedesk.domain.periods import Rotation, rotation_week
from triagedesk.domain.sla import Target, clock, evaluate, target_for
from triagedesk.domain.stats import IssueFacts, LabelChange, status_timeline

W47 = rotation_week(2026, 47, Rotation("Europe/London"))  # [16 Nov 09:00Z, 23 Nov 09:00Z)
TARGETS = [
    Target(priority="priority/p0", days=3, warn_days=1),
    Target(area="area/networking", days=10, warn_days=2),
    Target(days=30, warn_days=5),
]
AREA_OF = {"network": "area/networking", "area/networking": "area/networking"}
ACK, MORE, FIXED = "status/1-acknowledged", "status/0-more-info-needed", "status/3-fixed"


def utc(*a: int) -> datetime:
    return datetime(*a, tzinfo=UTC)


def moves(*steps: tuple[datetime, str]) -> tuple[LabelChange, ...]:
    """Each step replaces the previous status label."""
    out: list[LabelChange] = []
    prev = ""
    for at, label in steps:
        if prev:
            out.append(LabelChange(at, False, prev))
        out.append(LabelChange(at, True, label))
        prev = label
    return tuple(out)


def facts(
    n: int, labels: tuple[str, ...], *steps: tuple[datetime, str], closed: datetime | None = None
) -> IssueFacts:
    return IssueFacts(
        repo="o/a",
        number=n,
        created_at=utc(2026, 10, 1),
        closed_at=closed,
        labels=labels,
        label_events=moves(*steps),
    )


# A: p0, ack 11 Nov 09:00, waiting on the reporter 12–14 Nov, fixed 16 Nov 21:00:
#    5.5 days − 2 paused = 3.5 > 3 → missed
A = facts(
    1,
    ("priority/p0", FIXED),
    (utc(2026, 11, 11, 9), ACK),
    (utc(2026, 11, 12, 9), MORE),
    (utc(2026, 11, 14, 9), ACK),
    (utc(2026, 11, 16, 21), FIXED),
)
# B: p0, acknowledged 20 Nov 21:00, running 2.5 days at the end → warning (≥ 3 − 1)
B = facts(2, ("priority/p0", ACK), (utc(2026, 11, 20, 21), ACK))
# C: p0, acknowledged 19 Nov 09:00, running 4 days → breach
C = facts(3, ("priority/p0", ACK), (utc(2026, 11, 19, 9), ACK))
# D: default target, ack 1 Nov, fixed 17 Nov: 16 days ≤ 30 → met
D = facts(4, (FIXED,), (utc(2026, 11, 1), ACK), (utc(2026, 11, 17), FIXED))
# E: never acknowledged → no clock
E = facts(5, ("status/0-triage",), (utc(2026, 11, 1), "status/0-triage"))
# F: networking (through an alias), ack 10 Nov, closed without a fix label 21 Nov: 11 > 10 → missed
F = facts(6, ("network", ACK), (utc(2026, 11, 10), ACK), closed=utc(2026, 11, 21))
# G: stopped before the period: neither met nor missed this week
G = facts(7, (FIXED,), (utc(2026, 10, 2), ACK), (utc(2026, 10, 5), FIXED))


def test_evaluate() -> None:
    s = evaluate([A, B, C, D, E, F, G], W47, TARGETS, {}, AREA_OF)
    assert (s.met, s.missed, s.compliance) == (1, 2, 0.3333)
    assert [(w.number, w.elapsed_days, w.target) for w in s.warnings] == [(2, 2.5, "priority/p0")]
    assert [(b.number, b.elapsed_days) for b in s.breaches] == [(3, 4.0)]


@pytest.mark.parametrize(
    ("f", "at", "elapsed_h", "paused_h", "stopped"),
    [
        (A, utc(2026, 11, 13, 9), 24.0, 24.0, None),  # mid-pause: the pause so far is not counted
        (A, utc(2026, 11, 30), 84.0, 48.0, utc(2026, 11, 16, 21)),
        (C, utc(2026, 11, 19, 9), None, None, None),  # not started yet at that instant
        (F, utc(2026, 11, 30), 264.0, 0.0, utc(2026, 11, 21)),
    ],
)
def test_clock(
    f: IssueFacts,
    at: datetime,
    elapsed_h: float | None,
    paused_h: float | None,
    stopped: datetime | None,
) -> None:
    c = clock(status_timeline(f, {}), at)
    if elapsed_h is None:
        assert c is None
        return
    assert c is not None
    assert (c.elapsed_hours, c.paused_hours, c.stopped_at) == (elapsed_h, paused_h, stopped)


@pytest.mark.parametrize(
    ("labels", "name"),
    [
        (["priority/P0", "area/networking"], "priority/p0"),
        (["network"], "area/networking"),
        (["area/networking"], "area/networking"),
        (["kind/bug"], "default"),
    ],
)
def test_target_for(labels: list[str], name: str) -> None:
    t = target_for(labels, TARGETS, AREA_OF)
    assert t is not None and t.name == name


def test_no_target_without_catch_all() -> None:
    assert target_for(["kind/bug"], TARGETS[:1], AREA_OF) is None
