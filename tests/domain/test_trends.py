"""Trends: spike tests, area week-over-week, releases, surges, top issues, title clusters."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest

from triagedesk.domain.periods import Period, Rotation, rotation_week, trailing_weeks
from triagedesk.domain.stats import IssueFacts
from triagedesk.domain.trends import (
    area_trends,
    poisson_sf,
    robust_z,
    slope,
    spike_test,
    surges,
    title_clusters,
    top,
)

ROT = Rotation("Europe/London")
W47 = rotation_week(2026, 47, ROT)
WEEKS = [*trailing_weeks(W47, ROT, 7), W47]  # W40 … W47
AREA_OF = {
    "network": "area/networking",
    "area/networking": "area/networking",
    "m1": "area/emulation",
}


def f(
    n: int, at: datetime, labels: tuple[str, ...] = (), title: str = "", repo: str = "o/a"
) -> IssueFacts:
    return IssueFacts(
        repo=repo, number=n, created_at=at, closed_at=None, labels=labels, title=title
    )


@pytest.mark.parametrize(
    ("x", "lam", "expected"),
    [
        (0, 2.0, 1.0),
        (1, 2.0, 1 - math.exp(-2)),
        (3, 2.0, 1 - 5 * math.exp(-2)),  # 1 − e^-2 (1 + 2 + 2)
    ],
)
def test_poisson_sf(x: int, lam: float, expected: float) -> None:
    assert poisson_sf(x, lam) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("count", "trailing", "spike"),
    [
        (10, [2, 3, 2, 3], True),  # P(X ≥ 10 | 2.5) ≈ 0.0002
        (4, [2, 3, 2, 3], False),  # P(X ≥ 4 | 2.5) ≈ 0.24
        (4, [0, 0, 0, 0], False),  # under the minimum count of 5
        (6, [0, 0, 0, 0], True),  # λ floored at 0.5: P(X ≥ 6) ≈ 1.4e-5
        (10, [], False),  # no history, no verdict
    ],
)
def test_spike_test(count: int, trailing: list[int], spike: bool) -> None:
    assert spike_test(count, trailing).spike is spike


def test_robust_z() -> None:
    # median 2.5, MAD 0.5, scale 0.7413: (10 − 2.5) / 0.7413 = 10.12
    assert robust_z(10, [2, 3, 2, 3]) == 10.12
    assert robust_z(1, []) is None


@pytest.mark.parametrize(
    ("ys", "m"), [([1, 2, 3, 4], 1.0), ([4, 4, 4, 4], 0.0), ([5, 3, 1], -2.0), ([7], 0.0)]
)
def test_slope(ys: list[int], m: float) -> None:
    assert slope(ys) == m


def _history() -> list[IssueFacts]:
    out: list[IssueFacts] = []
    n = 0
    # networking: 2 a week for W40–W46, then 9 in W47, 6 of them on 4.41.2
    for i, w in enumerate(WEEKS):
        count = 9 if i == 7 else 2
        for k in range(count):
            n += 1
            label = "network" if k % 2 else "area/networking"  # both spellings, one area
            out.append(f(n, w.start + timedelta(hours=k + 1), (label,)))
    # emulation: 1 in W46 and 2 in W47
    for at in (WEEKS[6].start, WEEKS[7].start, WEEKS[7].start + timedelta(days=1)):
        n += 1
        out.append(f(n, at + timedelta(hours=3), ("m1",)))
    # an issue without an area label does not count
    out.append(f(999, W47.start + timedelta(hours=1), ("kind/bug",)))
    return out


def test_area_trends_and_release() -> None:
    hist = _history()
    spike_issues = [x for x in hist if x.created_at >= W47.start and "m1" not in x.labels][:9]
    versions = {x.key: "4.41.2" for x in spike_issues[:6]} | {
        x.key: "4.40.0" for x in spike_issues[6:8]
    }
    first_seen = {"4.41.2": W47.start - timedelta(days=2), "4.40.0": W47.start - timedelta(days=60)}
    trends = {
        t.area: t
        for t in area_trends(hist, WEEKS, AREA_OF, versions=versions, first_seen=first_seen)
    }
    net = trends["area/networking"]
    assert net.weekly == (2, 2, 2, 2, 2, 2, 2, 9)
    assert (net.this_week, net.last_week, net.week_over_week) == (9, 2, 7)
    assert (net.last_4w, net.previous_4w) == (15, 8)
    assert net.slope_4w == 2.1  # least squares over 2, 2, 2, 9
    assert (
        net.spike.spike
        and net.release == "4.41.2"
        and net.release_share == pytest.approx(6 / 9, abs=1e-3)
    )
    emu = trends["area/emulation"]
    assert emu.weekly == (0, 0, 0, 0, 0, 0, 1, 2) and not emu.spike.spike and emu.release is None
    assert set(trends) == {"area/networking", "area/emulation"}


def test_spike_without_a_recent_release() -> None:
    hist = _history()
    versions = {x.key: "4.40.0" for x in hist if x.created_at >= W47.start}
    first_seen = {"4.40.0": W47.start - timedelta(days=60)}
    net = next(
        t
        for t in area_trends(hist, WEEKS, AREA_OF, versions=versions, first_seen=first_seen)
        if t.area == "area/networking"
    )
    assert net.spike.spike and net.release is None


def test_surges() -> None:
    base = datetime(2026, 11, 1, tzinfo=UTC)
    days = [
        Period(base + timedelta(days=i), base + timedelta(days=i + 1), f"d{i}") for i in range(15)
    ]
    hist: list[IssueFacts] = []
    n = 0
    for i in range(15):
        per_day = 12 if i == 14 else 1
        for k in range(per_day):
            n += 1
            hist.append(f(n, days[i].start + timedelta(minutes=k), repo="o/b" if k % 2 else "o/a"))
    got = [(s.day, s.repo, s.count) for s in surges(hist, days, 14)]
    # o/a had 1 a day before (k = 0 only), then 6; o/b 0 then 6; all 1 then 12
    assert got == [("d14", "o/a", 6), ("d14", "o/b", 6), ("d14", "all", 12)]


def test_top() -> None:
    issues = [f(1, W47.start), f(2, W47.start), f(3, W47.start)]
    got = top(issues, {"o/a#1": 3, "o/a#2": 7, "o/a#3": 0}, limit=5)
    assert [(o.number, o.value) for o in got] == [(2, 7), (1, 3)]


def test_title_clusters() -> None:
    titles = [
        "Port 8080 binding fails after upgrade to 4.41",
        "port binding 8080 broken after upgrade 4.41",
        "Kubernetes cannot start on WSL",
        "kubernetes start hangs WSL",
        "Login window is blank",
    ]
    issues = [f(i + 1, W47.start, title=t) for i, t in enumerate(titles)]
    got = [c.issues for c in title_clusters(issues, threshold=0.4)]
    assert got == [("o/a#1", "o/a#2"), ("o/a#3", "o/a#4")]
