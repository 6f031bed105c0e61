"""SLA clocks: targets by priority and area, paused while waiting on the reporter.

The clock of an issue starts when it first reaches ``status/1-acknowledged`` (or a
later working status, for issues that skipped it) and stops when it first reaches
``status/3-fixed``, a released status or ``status/0-wont-fix``, or at its final
close. Time spent in ``status/0-more-info-needed`` while the clock runs does not
count. A running clock past ``days - warn_days`` is a warning, past ``days`` a
breach; a stopped clock met its target or missed it. Pure: ``at`` is an argument.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from triagedesk.domain.facts import HOUR, IssueFacts, Stint, TimelineCache, status_timeline
from triagedesk.domain.periods import Period
from triagedesk.domain.workflow import Status

_STARTS = frozenset({Status.ACKNOWLEDGED, Status.IN_PROGRESS})
_STOPS = frozenset(
    {Status.FIXED, Status.FIX_RELEASED_BETA, Status.FIX_RELEASED_STABLE, Status.WONT_FIX}
)
#: statuses that start a clock when it has not started (wont-fix never starts one)
_STARTS_CLOCK = (_STARTS | _STOPS) - {Status.WONT_FIX}


@dataclass(frozen=True, slots=True)
class Target:
    """One SLA target; '' for priority or area matches any. First match wins."""

    days: float
    warn_days: float = 0.0
    priority: str = ""
    area: str = ""

    @property
    def name(self) -> str:
        parts = [p for p in (self.priority, self.area) if p]
        return " ".join(parts) if parts else "default"


def target_for(
    labels: Iterable[str], targets: Sequence[Target], area_of: Mapping[str, str]
) -> Target | None:
    """The first target whose priority label and area both match (areas through their aliases)."""
    low = {lab.lower() for lab in labels}
    areas = {area_of.get(lab, lab) for lab in low}
    for t in targets:
        if t.priority and t.priority.lower() not in low:
            continue
        if t.area and area_of.get(t.area.lower(), t.area.lower()) not in areas:
            continue
        return t
    return None


@dataclass(frozen=True, slots=True)
class Clock:
    started_at: datetime
    stopped_at: datetime | None
    #: hours counted up to the instant asked about (pauses excluded)
    elapsed_hours: float
    paused_hours: float


def clock(stints: Sequence[Stint], at: datetime) -> Clock | None:
    """The SLA clock as it stood at ``at`` (None: it had not started)."""
    start: datetime | None = None
    stop: datetime | None = None
    for s in stints:
        if s.start >= at:
            break
        if start is None and s.status in _STARTS_CLOCK:
            start = s.start
            if s.status in _STOPS:
                stop = s.start
                break
        elif start is not None and s.status in _STOPS:
            stop = s.start
            break
    if start is None:
        return None
    last = stints[-1]
    if stop is None and last.end is not None and last.end <= at:
        stop = last.end
    until = min(stop, at) if stop is not None else at
    paused = 0.0
    for s in stints:
        if s.status is Status.MORE_INFO_NEEDED:
            lo = max(s.start, start)
            hi = min(s.end or until, until)
            if hi > lo:
                paused += (hi - lo).total_seconds() / HOUR
    total = max(0.0, (until - start).total_seconds() / HOUR)
    return Clock(
        started_at=start,
        stopped_at=stop if stop is not None and stop <= at else None,
        elapsed_hours=round(total - paused, 3),
        paused_hours=round(paused, 3),
    )


@dataclass(frozen=True, slots=True)
class SlaItem:
    repo: str
    number: int
    title: str
    target: str
    target_days: float
    elapsed_days: float
    owner: str = ""

    def as_dict(self) -> dict[str, object]:
        return {
            "repo": self.repo,
            "number": self.number,
            "title": self.title,
            "target": self.target,
            "target_days": self.target_days,
            "elapsed_days": self.elapsed_days,
            "owner": self.owner,
        }


@dataclass(frozen=True, slots=True)
class SlaSummary:
    """Clocks stopped in the period (met / missed) and running clocks at its end."""

    met: int
    missed: int
    warnings: tuple[SlaItem, ...]
    breaches: tuple[SlaItem, ...]

    @property
    def compliance(self) -> float | None:
        n = self.met + self.missed
        return round(self.met / n, 4) if n else None

    def as_dict(self) -> dict[str, object]:
        return {
            "met": self.met,
            "missed": self.missed,
            "compliance": self.compliance,
            "warnings": [w.as_dict() for w in self.warnings],
            "breaches": [b.as_dict() for b in self.breaches],
        }


def evaluate(
    facts: Iterable[IssueFacts],
    period: Period,
    targets: Sequence[Target],
    aliases: Mapping[str, Status],
    area_of: Mapping[str, str],
    cache: TimelineCache | None = None,
) -> SlaSummary:
    """SLA compliance over ``period`` and the warnings and breaches at its end."""
    met = missed = 0
    warnings: list[SlaItem] = []
    breaches: list[SlaItem] = []
    end = period.end
    for f in facts:
        if f.created_at >= end or (f.closed_at is not None and f.closed_at < period.start):
            continue
        c = clock(status_timeline(f, aliases, cache=cache), end)
        if c is None:
            continue
        target = target_for(f.labels_at(end), targets, area_of)
        if target is None:
            continue
        elapsed_days = c.elapsed_hours / 24
        item = SlaItem(
            repo=f.repo,
            number=f.number,
            title=f.title,
            target=target.name,
            target_days=target.days,
            elapsed_days=round(elapsed_days, 2),
            owner=f.assignees[0] if f.assignees else "",
        )
        if c.stopped_at is not None:
            if c.stopped_at >= period.start:
                if elapsed_days <= target.days:
                    met += 1
                else:
                    missed += 1
            continue
        if elapsed_days > target.days:
            breaches.append(item)
        elif elapsed_days >= target.days - target.warn_days:
            warnings.append(item)
    breaches.sort(key=lambda i: -i.elapsed_days)
    warnings.sort(key=lambda i: -i.elapsed_days)
    return SlaSummary(met=met, missed=missed, warnings=tuple(warnings), breaches=tuple(breaches))
