"""Rotation statistics over plain records.

Every number of the report's statistics section is computed here from
:class:`~triagedesk.domain.facts.IssueFacts` — a slim, flat view of an issue that
the store can read in bulk — and a :class:`~triagedesk.domain.periods.Period`.
Pure: no clock, no I/O.

Definitions (docs/report.md repeats them for people):

- an issue is *opened* at its ``created_at`` (its first opening);
- an issue is *closed* at its **final** close: an issue that is open now has no
  close, an issue closed twice counts once, at the last close;
- time to resolution = final close − first opening, in hours;
- time to fixed = first ``status/3-fixed`` label event − first opening.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from operator import attrgetter

from triagedesk.domain.facts import (
    HOUR,
    IssueFacts,
    LabelChange,
    StatusResolver,
    Stint,
    TimelineCache,
    facts_from_issue,
    first_status_at,
    label_status,
    resolver,
    status_timeline,
)
from triagedesk.domain.periods import Period
from triagedesk.domain.workflow import Status

__all__ = [
    "HOUR",
    "Distribution",
    "IssueFacts",
    "LabelChange",
    "OverTarget",
    "RepoStats",
    "StatsConfig",
    "StatusResolver",
    "Stint",
    "TimelineCache",
    "WeekPoint",
    "compute_stats",
    "compute_stats_by_repo",
    "facts_from_issue",
    "first_status_at",
    "label_status",
    "resolution_histogram",
    "resolver",
    "status_timeline",
    "weekly_series",
    "weekly_series_from_times",
]


@dataclass(frozen=True, slots=True)
class Distribution:
    """Mean, median and 90th percentile (nearest rank) of some durations, in hours."""

    mean: float | None = None
    median: float | None = None
    p90: float | None = None
    n: int = 0

    @classmethod
    def of(cls, values: Iterable[float]) -> Distribution:
        xs = sorted(values)
        n = len(xs)
        if n == 0:
            return cls()
        mid = n // 2
        median = xs[mid] if n % 2 else (xs[mid - 1] + xs[mid]) / 2
        p90 = xs[max(0, math.ceil(0.9 * n) - 1)]
        return cls(mean=round(sum(xs) / n, 3), median=round(median, 3), p90=round(p90, 3), n=n)

    def as_dict(self) -> dict[str, float | int | None]:
        return {"mean": self.mean, "median": self.median, "p90": self.p90, "n": self.n}


@dataclass(frozen=True, slots=True)
class OverTarget:
    repo: str
    number: int
    title: str
    age_days: float
    target_days: float
    status: str
    owner: str

    def as_dict(self) -> dict[str, object]:
        return {
            "repo": self.repo,
            "number": self.number,
            "title": self.title,
            "age_days": self.age_days,
            "target_days": self.target_days,
            "status": self.status,
            "owner": self.owner,
        }


@dataclass(frozen=True, slots=True)
class StatsConfig:
    """The settings the statistics read, as plain values."""

    aliases: Mapping[str, Status] = field(default_factory=dict)
    #: N in "tickets over N days old"
    target_days: float = 30.0
    #: label (lower case) → N for issues carrying it; the smallest matching wins
    target_overrides: Mapping[str, float] = field(default_factory=dict)
    #: area label or alias (lower case) → owner handle
    area_owners: Mapping[str, str] = field(default_factory=dict)


def target_days_for(labels: Iterable[str], cfg: StatsConfig) -> float:
    if not cfg.target_overrides:
        return cfg.target_days
    hits = [
        cfg.target_overrides[lab.lower()] for lab in labels if lab.lower() in cfg.target_overrides
    ]
    return min(hits) if hits else cfg.target_days


def owner_of(f: IssueFacts, labels: Iterable[str], cfg: StatsConfig) -> str:
    if f.assignees:
        return f.assignees[0]
    for lab in sorted(labels):
        owner = cfg.area_owners.get(lab.lower())
        if owner:
            return owner
    return ""


@dataclass(frozen=True, slots=True)
class RepoStats:
    opened: int
    closed: int
    opened_all_time: int
    closed_all_time: int
    open_at_end: int
    time_to_resolution_hours: Distribution
    time_to_fixed_hours: Distribution
    over_target: tuple[OverTarget, ...]
    status_counts: Mapping[str, int]
    time_in_status_hours: Mapping[str, Distribution]

    def as_dict(self) -> dict[str, object]:
        return {
            "opened": self.opened,
            "closed": self.closed,
            "opened_all_time": self.opened_all_time,
            "closed_all_time": self.closed_all_time,
            "open_at_end": self.open_at_end,
            "time_to_resolution_hours": self.time_to_resolution_hours.as_dict(),
            "time_to_fixed_hours": self.time_to_fixed_hours.as_dict(),
            "over_target": [o.as_dict() for o in self.over_target],
            "status_counts": dict(self.status_counts),
            "time_in_status_hours": {k: v.as_dict() for k, v in self.time_in_status_hours.items()},
        }


NO_STATUS = "none"
_ORDER = {s.value: i for i, s in enumerate(Status)}


@dataclass
class _Acc:
    """Running sums and value lists of :func:`compute_stats` (mergeable across repositories)."""

    opened: int = 0
    closed: int = 0
    opened_all: int = 0
    closed_all: int = 0
    open_end: int = 0
    resolution: list[float] = field(default_factory=list)
    to_fixed: list[float] = field(default_factory=list)
    over: list[OverTarget] = field(default_factory=list)
    status_counts: dict[str, int] = field(default_factory=dict)
    in_status: dict[str, list[float]] = field(default_factory=dict)

    def add(
        self,
        f: IssueFacts,
        period: Period,
        cfg: StatsConfig,
        resolve: StatusResolver,
        cache: TimelineCache | None = None,
        statuses: dict[str, Status | None] | None = None,
    ) -> None:
        start, end = period.start, period.end
        if f.created_at >= end:
            return
        self.opened_all += 1
        if f.created_at >= start:
            self.opened += 1
        c = f.closed_at
        if c is not None and c < end:
            self.closed_all += 1
            if c >= start:
                self.closed += 1
                self.resolution.append((c - f.created_at).total_seconds() / HOUR)
        if f.label_events:
            fixed_at = first_status_at(f, Status.FIXED, cfg.aliases, resolve)
            if fixed_at is not None and start <= fixed_at < end:
                self.to_fixed.append((fixed_at - f.created_at).total_seconds() / HOUR)
            if c is None or c >= start:
                for stint in status_timeline(f, cfg.aliases, resolve, cache):
                    e = stint.end
                    if e is not None and start <= e < end and stint.status is not None:
                        hours = (e - stint.start).total_seconds() / HOUR
                        self.in_status.setdefault(stint.status.value, []).append(hours)
        elif c is not None and start <= c < end:
            st = resolve(f.labels)
            if st is not None:
                hours = (c - f.created_at).total_seconds() / HOUR
                self.in_status.setdefault(st.value, []).append(hours)
        if c is not None and c < end:
            return
        # open at the end of the period
        self.open_end += 1
        labels = f.labels_at(end) if f.label_events else set(f.labels)
        status = resolve(labels)
        if statuses is not None:
            statuses[f.key] = status
        name = status.value if status is not None else NO_STATUS
        self.status_counts[name] = self.status_counts.get(name, 0) + 1
        age = (end - f.created_at).total_seconds() / 86400
        target = target_days_for(labels, cfg)
        if age > target:
            self.over.append(
                OverTarget(
                    repo=f.repo,
                    number=f.number,
                    title=f.title,
                    age_days=round(age, 2),
                    target_days=target,
                    status=name,
                    owner=owner_of(f, labels, cfg),
                )
            )

    def merge(self, other: _Acc) -> None:
        self.opened += other.opened
        self.closed += other.closed
        self.opened_all += other.opened_all
        self.closed_all += other.closed_all
        self.open_end += other.open_end
        self.resolution.extend(other.resolution)
        self.to_fixed.extend(other.to_fixed)
        self.over.extend(other.over)
        for k, v in other.status_counts.items():
            self.status_counts[k] = self.status_counts.get(k, 0) + v
        for k, vs in other.in_status.items():
            self.in_status.setdefault(k, []).extend(vs)

    def result(self) -> RepoStats:
        # oldest first, then by repository and number (two stable C-keyed sorts)
        over = sorted(self.over, key=attrgetter("repo", "number"))
        over.sort(key=attrgetter("age_days"), reverse=True)
        return RepoStats(
            opened=self.opened,
            closed=self.closed,
            opened_all_time=self.opened_all,
            closed_all_time=self.closed_all,
            open_at_end=self.open_end,
            time_to_resolution_hours=Distribution.of(self.resolution),
            time_to_fixed_hours=Distribution.of(self.to_fixed),
            over_target=tuple(over),
            status_counts=dict(
                sorted(self.status_counts.items(), key=lambda kv: _ORDER.get(kv[0], 99))
            ),
            time_in_status_hours={
                k: Distribution.of(v)
                for k, v in sorted(self.in_status.items(), key=lambda kv: _ORDER.get(kv[0], 99))
            },
        )


def compute_stats(facts: Sequence[IssueFacts], period: Period, cfg: StatsConfig) -> RepoStats:
    """The statistics of ``facts`` for ``period`` (see the module docstring)."""
    acc = _Acc()
    resolve = resolver(cfg.aliases)
    for f in facts:
        acc.add(f, period, cfg, resolve)
    return acc.result()


def compute_stats_by_repo(
    facts: Sequence[IssueFacts],
    period: Period,
    cfg: StatsConfig,
    repos: Sequence[str] = (),
    closed_earlier: Mapping[str, int] | None = None,
    cache: TimelineCache | None = None,
    statuses: dict[str, Status | None] | None = None,
) -> tuple[dict[str, RepoStats], RepoStats]:
    """One pass: the statistics of each repository (``repos`` always present) and of all.

    ``closed_earlier[repo]`` counts issues left out of ``facts`` because they were
    opened and finally closed before the period started: they only add to the
    all-time counts. ``statuses``, when given, receives the status of every issue open at
    the period's end.
    """
    accs: dict[str, _Acc] = {r: _Acc() for r in repos}
    for repo, n in (closed_earlier or {}).items():
        base = accs.setdefault(repo, _Acc())
        base.opened_all += n
        base.closed_all += n
    resolve = resolver(cfg.aliases)
    for f in facts:
        found = accs.get(f.repo)
        if found is None:
            found = accs[f.repo] = _Acc()
        found.add(f, period, cfg, resolve, cache, statuses)
    total = _Acc()
    for each in accs.values():
        total.merge(each)
    return {r: a.result() for r, a in sorted(accs.items())}, total.result()


@dataclass(frozen=True, slots=True)
class WeekPoint:
    label: str
    start: datetime
    opened: int
    closed: int
    #: open at the end of the week
    backlog: int


def weekly_series(facts: Sequence[IssueFacts], weeks: Sequence[Period]) -> list[WeekPoint]:
    """Opened, closed and backlog for consecutive periods, by binary search over sorted times."""
    created = sorted(f.created_at for f in facts)
    closes = sorted(f.closed_at for f in facts if f.closed_at is not None)
    return weekly_series_from_times(created, closes, weeks)


def weekly_series_from_times(
    created: Sequence[datetime], closes: Sequence[datetime], weeks: Sequence[Period]
) -> list[WeekPoint]:
    """:func:`weekly_series` from sorted creation and final-close times."""
    from bisect import bisect_left

    out: list[WeekPoint] = []
    for w in weeks:
        o = bisect_left(created, w.end) - bisect_left(created, w.start)
        c = bisect_left(closes, w.end) - bisect_left(closes, w.start)
        backlog = bisect_left(created, w.end) - bisect_left(closes, w.end)
        out.append(WeekPoint(w.label, w.start, o, c, backlog))
    return out


def resolution_histogram(
    facts: Sequence[IssueFacts], period: Period, edges_hours: Sequence[float]
) -> list[int]:
    """How many issues closed in ``period`` took less than each edge (last bucket: the rest)."""
    counts = [0] * (len(edges_hours) + 1)
    for f in facts:
        c = f.closed_at
        if c is None or not (period.start <= c < period.end):
            continue
        hours = (c - f.created_at).total_seconds() / HOUR
        i = 0
        while i < len(edges_hours) and hours >= edges_hours[i]:
            i += 1
        counts[i] += 1
    return counts
