"""Report periods: rotation weeks in the team's time zone, and plain date ranges.

A rotation week starts on ``start_day`` at ``start_time`` local time and ends
seven local days later at the same local time, so a week that crosses a DST
change is 167 or 169 hours long. A week is named after the ISO week of its
local start date (``2026-W47``). Pure: the caller passes the zone name and
``now``; :mod:`zoneinfo` is the standard library's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from triagedesk.domain.errors import InputError
from triagedesk.domain.model import require_utc

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_WEEK_RE = re.compile(r"^(\d{4})-?W(\d{1,2})$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Period:
    """``[start, end)`` in UTC, with the name the report shows."""

    start: datetime
    end: datetime
    label: str
    #: ISO year and week of a rotation week; None for a plain date range
    iso_week: tuple[int, int] | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "start", require_utc(self.start, "period start"))
        object.__setattr__(self, "end", require_utc(self.end, "period end"))
        if self.end <= self.start:
            raise InputError(f"period {self.label}: end {self.end} is not after {self.start}")

    def __contains__(self, t: datetime) -> bool:
        return self.start <= t < self.end

    @property
    def hours(self) -> float:
        return (self.end - self.start).total_seconds() / 3600


@dataclass(frozen=True, slots=True)
class Rotation:
    """When the rotation hands over: weekday, local time and zone."""

    timezone: str = "UTC"
    start_day: str = "monday"
    start_time: str = "09:00"

    def zone(self) -> ZoneInfo:
        try:
            return ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise InputError(f"unknown time zone {self.timezone!r}") from None

    def weekday(self) -> int:
        try:
            return WEEKDAYS.index(self.start_day.lower())
        except ValueError:
            raise InputError(f"not a weekday: {self.start_day!r}") from None

    def handover(self) -> time:
        m = re.fullmatch(r"(\d{1,2}):(\d{2})", self.start_time.strip())
        if not m or int(m.group(1)) > 23 or int(m.group(2)) > 59:
            raise InputError(f"not a time of day (HH:MM): {self.start_time!r}")
        return time(int(m.group(1)), int(m.group(2)))


def parse_week(text: str) -> tuple[int, int]:
    """``2026-W47`` (or ``2026W47``) → (2026, 47); a week that does not exist is an error."""
    m = _WEEK_RE.match(text.strip())
    if not m:
        raise InputError(f"not an ISO week (want YYYY-Www): {text!r}")
    year, week = int(m.group(1)), int(m.group(2))
    try:
        date.fromisocalendar(year, week, 1)
    except ValueError:
        raise InputError(f"{text!r}: year {year} has no week {week}") from None
    return year, week


def _local_start(d: date, rot: Rotation) -> datetime:
    # fold=0: in the repeated hour the first occurrence; in a skipped hour, zoneinfo
    # keeps the wall time with the offset before the change (PEP 495)
    return datetime.combine(d, rot.handover(), tzinfo=rot.zone()).astimezone(UTC)


def _week_from_start_date(d: date, rot: Rotation) -> Period:
    iso = d.isocalendar()
    return Period(
        start=_local_start(d, rot),
        end=_local_start(d + timedelta(days=7), rot),
        label=f"{iso.year}-W{iso.week:02d}",
        iso_week=(iso.year, iso.week),
    )


def rotation_week(year: int, week: int, rot: Rotation) -> Period:
    """The rotation week that starts on ``start_day`` of ISO week ``year-Wweek``."""
    try:
        d = date.fromisocalendar(year, week, rot.weekday() + 1)
    except ValueError:
        raise InputError(f"year {year} has no week {week}") from None
    return _week_from_start_date(d, rot)


def week_containing(t: datetime, rot: Rotation) -> Period:
    """The rotation week that holds instant ``t``."""
    t = require_utc(t, "instant")
    local = t.astimezone(rot.zone())
    d = local.date() - timedelta(days=(local.weekday() - rot.weekday()) % 7)
    if _local_start(d, rot) > t:
        d -= timedelta(days=7)
    return _week_from_start_date(d, rot)


def last_completed_week(now: datetime, rot: Rotation) -> Period:
    """The most recent rotation week that has ended at ``now``."""
    current = week_containing(now, rot)
    return previous_week(current, rot)


def previous_week(period: Period, rot: Rotation) -> Period:
    return week_containing(period.start - timedelta(seconds=1), rot)


def next_week(period: Period, rot: Rotation) -> Period:
    return week_containing(period.end, rot)


def trailing_weeks(period: Period, rot: Rotation, n: int) -> list[Period]:
    """The ``n`` rotation weeks before ``period``'s week, oldest first."""
    out: list[Period] = []
    cur = week_containing(period.start, rot)
    for _ in range(n):
        cur = previous_week(cur, rot)
        out.append(cur)
    out.reverse()
    return out


def date_range(first: date, last: date, rot: Rotation) -> Period:
    """Whole local days ``first`` … ``last`` (inclusive) in the rotation's zone."""
    if last < first:
        raise InputError(f"--to {last} is before --from {first}")
    zone = rot.zone()
    start = datetime.combine(first, time(0), tzinfo=zone).astimezone(UTC)
    end = datetime.combine(last + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)
    return Period(start=start, end=end, label=f"{first.isoformat()}..{last.isoformat()}")


def on_rotation(period: Period, schedule: list[str], overrides: dict[str, str]) -> str:
    """Who is on L1 for ``period``: an override for its week, else ``schedule[week % len]``."""
    if period.iso_week is None:
        return ""
    if period.label in overrides:
        return overrides[period.label]
    if not schedule:
        return ""
    return schedule[period.iso_week[1] % len(schedule)]
