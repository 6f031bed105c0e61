"""The flat view of an issue the report works on, and its status history.

:class:`IssueFacts` is what the statistics, SLA clocks and trends need of one
issue; the store reads it in bulk. The labels an issue had at instant ``t`` are
its current labels with every later label event undone, so issues imported
without history keep the labels they have now. Pure: no clock, no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from triagedesk.domain.model import EventKind, Issue, IssueState
from triagedesk.domain.workflow import Status

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
class Stint:
    """A stretch of time an issue spent in one status (None: no status label)."""

    status: Status | None
    start: datetime
    end: datetime | None


class StatusResolver:
    """:func:`triagedesk.domain.workflow.status_of` with the label lookups precomputed:
    the statistics call it for every label event of every issue."""

    __slots__ = ("_known", "_table")

    #: labels remembered by :meth:`of_label` (beyond this, lookups are not memoised)
    MEMO_MAX = 4096

    def __init__(self, aliases: Mapping[str, Status]) -> None:
        table: dict[str, Status] = {k.lower(): v for k, v in aliases.items()}
        table.update({s.value: s for s in Status})
        self._table = table
        #: label as written → the status it means (None: not a status label)
        self._known: dict[str, Status | None] = dict(table)

    def of_label(self, label: str) -> Status | None:
        """The status one label means, else None."""
        known = self._known
        try:
            return known[label]
        except KeyError:
            pass
        st = self._table.get(label.lower())
        if len(known) < self.MEMO_MAX:
            known[label] = st
        return st

    def is_status(self, label: str) -> bool:
        """Whether ``label`` is a status label or an alias of one."""
        return self.of_label(label) is not None

    def __call__(self, labels: Iterable[str]) -> Status | None:
        best: Status | None = None
        best_i = -1
        known = self._known
        for label in labels:
            st = known[label] if label in known else self.of_label(label)
            if st is None:
                continue
            if st is Status.WONT_FIX:
                # wont-fix is terminal whatever its position in the enum
                return st
            i = _STATUS_INDEX[st]
            if i > best_i:
                best, best_i = st, i
        return best


_STATUS_INDEX = {s: i for i, s in enumerate(Status)}
_RESOLVERS: dict[tuple[tuple[str, Status], ...], StatusResolver] = {}


def resolver(aliases: Mapping[str, Status]) -> StatusResolver:
    key = tuple(sorted(aliases.items()))
    found = _RESOLVERS.get(key)
    if found is None:
        found = _RESOLVERS[key] = StatusResolver(aliases)
    return found


#: stints by issue key, shared by the statistics and the SLA clocks of one report
TimelineCache = dict[str, list["Stint"]]


def status_timeline(
    f: IssueFacts,
    aliases: Mapping[str, Status],
    resolve: StatusResolver | None = None,
    cache: TimelineCache | None = None,
) -> list[Stint]:
    """Stints from first opening to final close (events after the close are ignored)."""
    if cache is not None:
        key = f.key
        found = cache.get(key)
        if found is None:
            found = cache[key] = _timeline(f, resolve or resolver(aliases))
        return found
    return _timeline(f, resolve or resolver(aliases))


def _timeline(f: IssueFacts, status_now: StatusResolver) -> list[Stint]:
    """:func:`status_timeline` on the status labels alone: other labels never change the
    status, so the held set only tracks labels that mean one."""
    means = status_now.of_label
    created, closed = f.created_at, f.closed_at
    # events in time order, so the status ones are too
    moves = [ev for ev in f.label_events if means(ev.label) is not None]
    # the labels held just after creation (events at the creation instant are part of the
    # initial labels): the current ones with every later event undone
    held = {lab for lab in f.labels if means(lab) is not None}
    for ev in reversed(moves):
        if ev.at <= created:
            break
        if ev.added:
            held.discard(ev.label)
        else:
            held.add(ev.label)
    current = status_now(held)
    stints: list[Stint] = []
    since = created
    for ev in moves:
        at = ev.at
        if at <= created:
            continue
        if closed is not None and at >= closed:
            break
        if ev.added:
            held.add(ev.label)
        else:
            held.discard(ev.label)
        new = status_now(held)
        if new != current:
            stints.append(Stint(current, since, at))
            current, since = new, at
    stints.append(Stint(current, since, closed))
    return stints


def first_status_at(
    f: IssueFacts,
    status: Status,
    aliases: Mapping[str, Status],
    resolve: StatusResolver | None = None,
) -> datetime | None:
    """When a label meaning ``status`` was first added (None: never, or only before history)."""
    means = (resolve or resolver(aliases)).of_label
    for ev in f.label_events:
        if ev.added and means(ev.label) is status:
            return max(ev.at, f.created_at)
    return None


def label_status(label: str, aliases: Mapping[str, Status]) -> Status | None:
    """The status a single label means (a status label or an alias of one), else None."""
    return resolver(aliases).of_label(label)
