"""Rotation statistics over plain records.

Every number of the report's statistics section is computed here from
:class:`IssueFacts` — a slim, flat view of an issue that the store can read in
bulk — and a :class:`~triagedesk.domain.periods.Period`. Pure: no clock, no I/O.

Definitions (docs/report.md repeats them for people):

- an issue is *opened* at its ``created_at`` (its first opening);
- an issue is *closed* at its **final** close: an issue that is open now has no
  close, an issue closed twice counts once, at the last close;
- time to resolution = final close − first opening, in hours;
- time to fixed = first ``status/3-fixed`` label event − first opening;
- the labels an issue had at instant ``t`` are its current labels with every
  later label event undone, so issues imported without history keep the labels
  they have now.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from triagedesk.domain.model import EventKind, Issue, IssueState
from triagedesk.domain.periods import Period
from triagedesk.domain.workflow import Status, status_of

HOUR = 3600.0


@dataclass(frozen=True, slots=True)
class LabelChange:
    at: datetime
    added: bool
    label: str


@dataclass(frozen=True, slots=True)
class IssueFacts:
    """What the statistics need of one issue."""

    repo: str
    number: int
    created_at: datetime
    #: the final close; None while the issue is open
    closed_at: datetime | None
    labels: tuple[str, ...] = ()
    assignees: tuple[str, ...] = ()
    #: label events in time order (only those the report needs may be given)
    label_events: tuple[LabelChange, ...] = ()
    title: str = ""
    reactions: int = 0
    comments: int = 0

    @property
    def key(self) -> str:
        return f"{self.repo}#{self.number}"

    def open_at(self, t: datetime) -> bool:
        return self.created_at < t and (self.closed_at is None or self.closed_at >= t)

    def labels_at(self, t: datetime) -> set[str]:
        """Labels held at ``t``: the current ones with every event at or after ``t`` undone."""
        held = set(self.labels)
        for ev in reversed(self.label_events):
            if ev.at < t:
                break
            if ev.added:
                held.discard(ev.label)
            else:
                held.add(ev.label)
        return held


def facts_from_issue(issue: Issue) -> IssueFacts:
    """The flat view of a stored aggregate (the slow path; the store has a bulk query)."""
    closed_at: datetime | None = None
    if issue.state is IssueState.CLOSED:
        closes = [e.at for e in issue.events if e.kind is EventKind.CLOSED]
        closed_at = issue.closed_at or (max(closes) if closes else issue.updated_at)
    events = sorted(
        (
            LabelChange(e.at, e.kind is EventKind.LABELED, e.subject)
            for e in issue.events
            if e.is_label_event
        ),
        key=lambda c: c.at,
    )
    return IssueFacts(
        repo=issue.repo.full_name,
        number=issue.number,
        created_at=issue.created_at,
        closed_at=closed_at,
        labels=issue.labels,
        assignees=issue.assignees,
        label_events=tuple(events),
        title=issue.title,
        reactions=issue.reactions.total,
        comments=len(issue.comments),
    )


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
class Stint:
    """A stretch of time an issue spent in one status (None: no status label)."""

    status: Status | None
    start: datetime
    end: datetime | None


def status_timeline(f: IssueFacts, aliases: Mapping[str, Status]) -> list[Stint]:
    """Stints from first opening to final close (events after the close are ignored)."""
    labels = f.labels_at(f.created_at + timedelta(microseconds=1))
    # events at the creation instant are part of the initial labels
    current = status_of(labels, aliases)
    stints: list[Stint] = []
    since = f.created_at
    for ev in f.label_events:
        if ev.at <= f.created_at:
            continue
        if f.closed_at is not None and ev.at >= f.closed_at:
            break
        if ev.added:
            labels.add(ev.label)
        else:
            labels.discard(ev.label)
        new = status_of(labels, aliases)
        if new != current:
            stints.append(Stint(current, since, ev.at))
            current, since = new, ev.at
    stints.append(Stint(current, since, f.closed_at))
    return stints


def first_status_at(
    f: IssueFacts, status: Status, aliases: Mapping[str, Status]
) -> datetime | None:
    """When a label meaning ``status`` was first added (None: never, or only before history)."""
    for ev in f.label_events:
        if ev.added and label_status(ev.label, aliases) is status:
            return max(ev.at, f.created_at)
    return None


def label_status(label: str, aliases: Mapping[str, Status]) -> Status | None:
    """The status a single label means (a status label or an alias of one), else None."""
    low = label.lower()
    try:
        return Status(low)
    except ValueError:
        return aliases.get(low)


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


def compute_stats(facts: Sequence[IssueFacts], period: Period, cfg: StatsConfig) -> RepoStats:
    """The statistics of ``facts`` for ``period`` (see the module docstring)."""
    start, end = period.start, period.end
    opened = closed = opened_all = closed_all = open_end = 0
    resolution: list[float] = []
    to_fixed: list[float] = []
    over: list[OverTarget] = []
    status_counts: dict[str, int] = {}
    in_status: dict[str, list[float]] = {}
    for f in facts:
        if f.created_at >= end:
            continue
        opened_all += 1
        if f.created_at >= start:
            opened += 1
        c = f.closed_at
        if c is not None and c < end:
            closed_all += 1
            if c >= start:
                closed += 1
                resolution.append((c - f.created_at).total_seconds() / HOUR)
        if f.label_events:
            fixed_at = first_status_at(f, Status.FIXED, cfg.aliases)
            if fixed_at is not None and start <= fixed_at < end:
                to_fixed.append((fixed_at - f.created_at).total_seconds() / HOUR)
            for stint in status_timeline(f, cfg.aliases):
                if stint.end is not None and start <= stint.end < end and stint.status is not None:
                    hours = (stint.end - stint.start).total_seconds() / HOUR
                    in_status.setdefault(stint.status.value, []).append(hours)
        elif c is not None and start <= c < end:
            st = status_of(f.labels, cfg.aliases)
            if st is not None:
                in_status.setdefault(st.value, []).append((c - f.created_at).total_seconds() / HOUR)
        if c is not None and c < end:
            continue
        # open at the end of the period
        open_end += 1
        labels = f.labels_at(end) if f.label_events else set(f.labels)
        status = status_of(labels, cfg.aliases)
        name = status.value if status is not None else NO_STATUS
        status_counts[name] = status_counts.get(name, 0) + 1
        age = (end - f.created_at).total_seconds() / 86400
        target = target_days_for(labels, cfg)
        if age > target:
            over.append(
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
    over.sort(key=lambda o: (-o.age_days, o.repo, o.number))
    order = {s.value: i for i, s in enumerate(Status)}
    return RepoStats(
        opened=opened,
        closed=closed,
        opened_all_time=opened_all,
        closed_all_time=closed_all,
        open_at_end=open_end,
        time_to_resolution_hours=Distribution.of(resolution),
        time_to_fixed_hours=Distribution.of(to_fixed),
        over_target=tuple(over),
        status_counts=dict(sorted(status_counts.items(), key=lambda kv: order.get(kv[0], 99))),
        time_in_status_hours={
            k: Distribution.of(v)
            for k, v in sorted(in_status.items(), key=lambda kv: order.get(kv[0], 99))
        },
    )


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
    from bisect import bisect_left

    created = sorted(f.created_at for f in facts)
    closes = sorted(f.closed_at for f in facts if f.closed_at is not None)
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
