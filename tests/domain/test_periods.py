"""Rotation weeks: boundaries computed by hand, including both DST changes of 2026 in London."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from triagedesk.domain.errors import InputError
from triagedesk.domain.periods import (
    Rotation,
    date_range,
    last_completed_week,
    on_rotation,
    parse_week,
    rotation_week,
    trailing_weeks,
    week_containing,
)

LONDON = Rotation("Europe/London", "monday", "09:00")


def utc(*a: int) -> datetime:
    return datetime(*a, tzinfo=UTC)


@pytest.mark.parametrize(
    ("rot", "year", "week", "start", "end", "hours"),
    [
        # November: London is on GMT, so 09:00 local is 09:00 UTC
        (LONDON, 2026, 47, utc(2026, 11, 16, 9), utc(2026, 11, 23, 9), 168),
        # clocks go forward on Sunday 29 March 2026: the week is an hour short
        (LONDON, 2026, 13, utc(2026, 3, 23, 9), utc(2026, 3, 30, 8), 167),
        # clocks go back on Sunday 25 October 2026: the week is an hour long
        (LONDON, 2026, 43, utc(2026, 10, 19, 8), utc(2026, 10, 26, 9), 169),
        # Tokyo, no DST: Monday 09:00 JST is Monday 00:00 UTC
        (
            Rotation("Asia/Tokyo", "monday", "09:00"),
            2026,
            47,
            utc(2026, 11, 16),
            utc(2026, 11, 23),
            168,
        ),
        # a Friday hand-over at 17:30 New York (EST in November, UTC-5)
        (
            Rotation("America/New_York", "friday", "17:30"),
            2026,
            47,
            utc(2026, 11, 20, 22, 30),
            utc(2026, 11, 27, 22, 30),
            168,
        ),
    ],
)
def test_rotation_week_bounds(
    rot: Rotation, year: int, week: int, start: datetime, end: datetime, hours: int
) -> None:
    p = rotation_week(year, week, rot)
    assert (p.start, p.end, p.hours) == (start, end, hours)
    assert p.label == f"{year}-W{week:02d}"


@pytest.mark.parametrize(
    ("rot", "instant", "label"),
    [
        (LONDON, utc(2026, 11, 23, 8, 59, 59), "2026-W47"),
        (LONDON, utc(2026, 11, 23, 9), "2026-W48"),
        (LONDON, utc(2026, 11, 16, 9), "2026-W47"),
        (LONDON, utc(2026, 11, 22, 23, 30), "2026-W47"),
        # Monday after the spring change: 07:59 UTC is 08:59 BST, still the old week
        (LONDON, utc(2026, 3, 30, 7, 59), "2026-W13"),
        (LONDON, utc(2026, 3, 30, 8, 0), "2026-W14"),
        # Monday after the autumn change: 08:30 UTC is 08:30 GMT, still the old week
        (LONDON, utc(2026, 10, 26, 8, 30), "2026-W43"),
        (LONDON, utc(2026, 10, 26, 9, 0), "2026-W44"),
        # Sunday 23:59 UTC is already Monday 08:59 in Tokyo: still the old week
        (Rotation("Asia/Tokyo"), utc(2026, 11, 22, 23, 59), "2026-W47"),
        # Tokyo 09:00 Monday is Monday 00:00 UTC: the Monday before midnight UTC is the old
        # week in UTC terms but Tokyo has already handed over
        (Rotation("Asia/Tokyo"), utc(2026, 11, 23, 0, 0), "2026-W48"),
        # year boundary: 2027-01-04 is the Monday of 2027-W01
        (LONDON, utc(2027, 1, 3, 12), "2026-W53"),
        (LONDON, utc(2027, 1, 4, 9), "2027-W01"),
    ],
)
def test_week_containing(rot: Rotation, instant: datetime, label: str) -> None:
    p = week_containing(instant, rot)
    assert p.label == label
    assert instant in p


def test_last_completed_and_trailing() -> None:
    now = utc(2026, 11, 23, 9, 5)
    p = last_completed_week(now, LONDON)
    assert p.label == "2026-W47"
    labels = [w.label for w in trailing_weeks(p, LONDON, 3)]
    assert labels == ["2026-W44", "2026-W45", "2026-W46"]


def test_date_range_is_whole_local_days() -> None:
    p = date_range(date(2026, 3, 29), date(2026, 3, 29), LONDON)
    # 29 March 2026 in London is 23 hours long
    assert (p.start, p.end, p.hours) == (utc(2026, 3, 29), utc(2026, 3, 29, 23), 23)


@pytest.mark.parametrize("text", ["2026-47", "W47", "2026-W54", "2025-W53", "soon"])
def test_bad_weeks(text: str) -> None:
    with pytest.raises(InputError):
        parse_week(text)


def test_parse_week() -> None:
    assert parse_week("2026-W53") == (2026, 53)
    assert parse_week("2026w07") == (2026, 7)


def test_bad_rotation_settings() -> None:
    with pytest.raises(InputError, match="time zone"):
        rotation_week(2026, 1, Rotation("Mars/Olympus"))
    with pytest.raises(InputError, match="HH:MM"):
        rotation_week(2026, 1, Rotation("UTC", "monday", "25:00"))


def test_on_rotation() -> None:
    p = rotation_week(2026, 47, LONDON)
    assert on_rotation(p, ["@a", "@b", "@c", "@d"], {}) == "@d"  # 47 % 4 == 3
    assert on_rotation(p, ["@a"], {"2026-W47": "@swap"}) == "@swap"
    assert on_rotation(date_range(date(2026, 1, 1), date(2026, 1, 2), LONDON), ["@a"], {}) == ""
