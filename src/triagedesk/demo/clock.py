"""Time helpers: the corpus window and ISO-8601 ``Z`` timestamps (no wall clock here)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

#: the corpus spans the two years ending here unless ``--end`` says otherwise
DEFAULT_END = datetime(2026, 11, 1, tzinfo=UTC)
WINDOW = timedelta(days=730)


def parse_day(text: str) -> datetime:
    """``YYYY-MM-DD`` (or a full ISO timestamp) as an aware UTC datetime."""
    value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def iso(at: datetime) -> str:
    """``2025-03-04T05:06:07Z``: the shape GitHub prints."""
    if at.utcoffset():
        at = at.astimezone(UTC)
    return at.isoformat(timespec="seconds")[:19] + "Z"


def days(n: float) -> timedelta:
    return timedelta(days=n)


def hours(n: float) -> timedelta:
    return timedelta(hours=n)
