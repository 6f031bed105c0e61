"""Rotation statistics on a small crafted history; every expectation is worked out by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from triagedesk.domain.model import (
    EventKind,
    Issue,
    IssueEvent,
    IssueRef,
    IssueState,
    Reactions,
    RepoRef,
)
from triagedesk.domain.periods import Rotation, rotation_week
from triagedesk.domain.stats import (
    Distribution,
    IssueFacts,
    LabelChange,
    StatsConfig,
    compute_stats,
    facts_from_issue,
    resolution_histogram,
    status_timeline,
    weekly_series,
)
from triagedesk.domain.workflow import Status

ROT = Rotation("Europe/London", "monday", "09:00")
W47 = rotation_week(2026, 47, ROT)  # [2026-11-16 09:00Z, 2026-11-23 09:00Z)
CFG = StatsConfig(
    aliases={"needs-triage": Status.TRIAGE},
    target_days=30,
    target_overrides={"kind/regression": 14},
    area_owners={
        "network": "@docker/desktop-networking",
        "area/networking": "@docker/desktop-networking",
    },
)


def utc(*a: int) -> datetime:
    return datetime(*a, tzinfo=UTC)


def add(at: datetime, label: str) -> LabelChange:
    return LabelChange(at, True, label)


def rm(at: datetime, label: str) -> LabelChange:
    return LabelChange(at, False, label)


def issue(n: int, created: datetime, closed: datetime | None = None, **kw: object) -> IssueFacts:
    return IssueFacts(repo="o/a", number=n, created_at=created, closed_at=closed, **kw)  # type: ignore[arg-type]


HISTORY = [
    # 1: created before the period, closed in it (168 h); ack stint 132 h and fixed stint 12 h end in it
    issue(
        1,
        utc(2026, 11, 10, 9),
        utc(2026, 11, 17, 9),
        labels=("status/3-fixed",),
        label_events=(
            add(utc(2026, 11, 10, 9), "status/0-triage"),
            rm(utc(2026, 11, 11, 9), "status/0-triage"),
            add(utc(2026, 11, 11, 9), "status/1-acknowledged"),
            rm(utc(2026, 11, 16, 21), "status/1-acknowledged"),
            add(utc(2026, 11, 16, 21), "status/3-fixed"),
        ),
    ),
    # 2: opened and closed in the period (12 h), no label history: 12 h in more-info-needed
    issue(2, utc(2026, 11, 16, 10), utc(2026, 11, 16, 22), labels=("status/0-more-info-needed",)),
    # 3: reopened: first opened 1 Nov, finally closed 18 Nov: 17 days = 408 h
    issue(3, utc(2026, 11, 1, 9), utc(2026, 11, 18, 9)),
    # 4: closed in the period, reopened, closed again after it: open at the end, 21 days old,
    #    over the 14-day regression override; owned by its assignee
    issue(
        4,
        utc(2026, 11, 2, 9),
        utc(2026, 11, 25, 9),
        labels=("status/0-triage", "kind/regression"),
        assignees=("@erin",),
    ),
    # 5: still open, 53 days old, owned through its area alias
    issue(5, utc(2026, 10, 1, 9), None, labels=("status/1-acknowledged", "network")),
    # 6: created after the period: counted nowhere
    issue(6, utc(2026, 11, 24, 9), None),
    # 7: opened on Sunday night in the period, alias status label
    issue(7, utc(2026, 11, 22, 23), None, labels=("needs-triage",)),
    # 8: created exactly at the period's end: next week's
    issue(8, utc(2026, 11, 23, 9), None),
    # 9: created exactly at the start; acknowledged only after the period ended
    issue(
        9,
        utc(2026, 11, 16, 9),
        None,
        labels=("status/1-acknowledged",),
        label_events=(
            add(utc(2026, 11, 16, 9), "status/0-triage"),
            rm(utc(2026, 11, 24, 9), "status/0-triage"),
            add(utc(2026, 11, 24, 9), "status/1-acknowledged"),
        ),
    ),
]


def test_counts() -> None:
    s = compute_stats(HISTORY, W47, CFG)
    assert (s.opened, s.closed, s.opened_all_time, s.closed_all_time, s.open_at_end) == (
        3,  # 2, 7, 9
        3,  # 1, 2, 3
        7,  # 1, 2, 3, 4, 5, 7, 9
        3,  # 1, 2, 3
        4,  # 4, 5, 7, 9
    )


def test_time_to_resolution() -> None:
    s = compute_stats(HISTORY, W47, CFG)
    # [12, 168, 408]: mean 196, median 168, p90 by nearest rank ceil(2.7) = 3rd
    assert s.time_to_resolution_hours == Distribution(mean=196.0, median=168.0, p90=408.0, n=3)
    # issue 1 got status/3-fixed 6.5 days after it was opened
    assert s.time_to_fixed_hours == Distribution(mean=156.0, median=156.0, p90=156.0, n=1)


def test_over_target_and_status_counts() -> None:
    s = compute_stats(HISTORY, W47, CFG)
    got = [(o.number, o.age_days, o.target_days, o.status, o.owner) for o in s.over_target]
    assert got == [
        (5, 53.0, 30, "status/1-acknowledged", "@docker/desktop-networking"),
        (4, 21.0, 14, "status/0-triage", "@erin"),
    ]
    # 9 was still in triage at the end of the week (acknowledged a day later)
    assert s.status_counts == {"status/0-triage": 3, "status/1-acknowledged": 1}


def test_time_in_status() -> None:
    s = compute_stats(HISTORY, W47, CFG)
    assert {k: (v.mean, v.n) for k, v in s.time_in_status_hours.items()} == {
        "status/0-more-info-needed": (12.0, 1),
        "status/1-acknowledged": (132.0, 1),
        "status/3-fixed": (12.0, 1),
    }


def test_empty_week() -> None:
    later = rotation_week(2027, 10, ROT)
    only_new = [issue(1, utc(2028, 1, 1), None)]
    s = compute_stats(only_new, later, CFG)
    assert (s.opened, s.closed, s.opened_all_time, s.closed_all_time) == (0, 0, 0, 0)
    assert s.time_to_resolution_hours == Distribution(None, None, None, 0)
    assert s.over_target == () and s.status_counts == {}


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([], (None, None, None, 0)),
        ([5.0], (5.0, 5.0, 5.0, 1)),
        ([1.0, 3.0], (2.0, 2.0, 3.0, 2)),
        ([float(x) for x in range(1, 11)], (5.5, 5.5, 9.0, 10)),
        ([float(x) for x in range(1, 12)], (6.0, 6.0, 10.0, 11)),
    ],
)
def test_distribution(values: list[float], expected: tuple[object, ...]) -> None:
    d = Distribution.of(values)
    assert (d.mean, d.median, d.p90, d.n) == expected


def test_weekly_series_and_backlog() -> None:
    weeks = [rotation_week(2026, w, ROT) for w in (46, 47, 48)]
    pts = weekly_series(HISTORY, weeks)
    # W46 [9 Nov 09:00, 16 Nov): opened 1; backlog at its end: created before 16 Nov 09:00
    #   (1, 3, 4, 5) minus closed before (none) = 4
    # W47: opened 2, 7, 9; closed 1, 2, 3; backlog 7 - 3 = 4
    # W48: opened 6, 8; closed 4 (25 Nov); backlog 9 - 4 = 5
    assert [(p.label, p.opened, p.closed, p.backlog) for p in pts] == [
        ("2026-W46", 1, 0, 4),
        ("2026-W47", 3, 3, 4),
        ("2026-W48", 2, 1, 5),
    ]


def test_resolution_histogram() -> None:
    # closed in W47 after 12 h, 168 h and 408 h; buckets <24 h, <1 week, <4 weeks, rest
    assert resolution_histogram(HISTORY, W47, [24, 168, 672]) == [1, 0, 2, 0]


def test_status_timeline_ignores_changes_after_close() -> None:
    f = issue(
        1,
        utc(2026, 1, 1),
        utc(2026, 1, 3),
        labels=("status/4-fix-released-stable",),
        label_events=(
            add(utc(2026, 1, 2), "status/3-fixed"),
            add(utc(2026, 1, 5), "status/4-fix-released-stable"),
        ),
    )
    stints = [(s.status, s.start, s.end) for s in status_timeline(f, {})]
    assert stints == [
        (None, utc(2026, 1, 1), utc(2026, 1, 2)),
        (Status.FIXED, utc(2026, 1, 2), utc(2026, 1, 3)),
    ]


def test_facts_from_issue_takes_the_final_close() -> None:
    repo = RepoRef("docker", "for-mac")
    t0 = utc(2026, 11, 1, 9)
    iss = Issue(
        ref=IssueRef(repo, 3),
        title="t",
        body="",
        author="u",
        created_at=t0,
        updated_at=t0 + timedelta(days=17),
        state=IssueState.CLOSED,
        closed_at=t0 + timedelta(days=17),
        labels=("status/0-triage",),
        reactions=Reactions.of({"+1": 4, "heart": 1}),
        events=(
            IssueEvent(EventKind.LABELED, "bot", t0, "status/0-triage"),
            IssueEvent(EventKind.CLOSED, "m", t0 + timedelta(days=4)),
            IssueEvent(EventKind.REOPENED, "u", t0 + timedelta(days=11)),
            IssueEvent(EventKind.CLOSED, "m", t0 + timedelta(days=17)),
        ),
    )
    f = facts_from_issue(iss)
    assert f.closed_at == t0 + timedelta(days=17)
    assert f.reactions == 5 and f.key == "docker/for-mac#3"
    assert f.label_events == (LabelChange(t0, True, "status/0-triage"),)
    s = compute_stats([f], W47, CFG)
    assert s.closed == 1 and s.time_to_resolution_hours.mean == 408.0


@pytest.mark.parametrize(
    "labels",
    [
        [],
        ["kind/bug"],
        ["status/0-triage"],
        ["Status/1-Acknowledged"],
        ["needs-triage", "status/1-acknowledged"],
        ["status/3-fixed", "status/0-wont-fix"],
        ["status/4-fix-released-beta", "status/3-fixed", "NEEDS-TRIAGE"],
        ["status/0-more-info-needed", "status/0-triage"],
    ],
)
def test_resolver_agrees_with_status_of(labels: list[str]) -> None:
    from triagedesk.domain.stats import resolver
    from triagedesk.domain.workflow import status_of

    aliases = {"needs-triage": Status.TRIAGE}
    assert resolver(aliases)(labels) == status_of(labels, aliases)


def test_by_repo_equals_separate_passes() -> None:
    from triagedesk.domain.stats import compute_stats_by_repo

    other = [
        IssueFacts(repo="o/b", number=1, created_at=utc(2026, 11, 17), closed_at=utc(2026, 11, 18)),
        IssueFacts(repo="o/b", number=2, created_at=utc(2026, 8, 1), closed_at=None),
    ]
    per_repo, total = compute_stats_by_repo([*HISTORY, *other], W47, CFG, ["o/a", "o/b", "o/c"])
    assert per_repo["o/a"] == compute_stats(HISTORY, W47, CFG)
    assert per_repo["o/b"] == compute_stats(other, W47, CFG)
    assert per_repo["o/c"].opened_all_time == 0
    assert total == compute_stats([*HISTORY, *other], W47, CFG)


@pytest.mark.parametrize(
    ("created", "closed", "week", "opened", "closed_n"),
    [
        # W13 2026 ends Monday 30 March 08:00 UTC (09:00 BST, the day after the clocks went forward)
        (utc(2026, 3, 30, 7, 59), None, 13, 1, 0),
        (utc(2026, 3, 30, 8, 0), None, 13, 0, 0),
        (utc(2026, 3, 30, 8, 0), None, 14, 1, 0),
        # W43 ends Monday 26 October 09:00 UTC (09:00 GMT, the day after the clocks went back)
        (utc(2026, 10, 20), utc(2026, 10, 26, 8, 30), 43, 1, 1),
        (utc(2026, 10, 20), utc(2026, 10, 26, 9, 0), 43, 1, 0),
        (utc(2026, 10, 20), utc(2026, 10, 26, 9, 0), 44, 0, 1),
        # W43 starts Monday 19 October 08:00 UTC (09:00 BST)
        (utc(2026, 10, 19, 7, 59), None, 43, 0, 0),
        (utc(2026, 10, 19, 8, 0), None, 43, 1, 0),
    ],
)
def test_week_boundaries_across_dst(
    created: datetime, closed: datetime | None, week: int, opened: int, closed_n: int
) -> None:
    s = compute_stats([issue(1, created, closed)], rotation_week(2026, week, ROT), CFG)
    assert (s.opened, s.closed) == (opened, closed_n)
