"""An issue's history as a list of acts, replayed into comments, events and the final state.

Behaviour (history.py) records *intentions* with times; ``replay`` orders them,
drops what would be impossible (closing a closed issue, adding a label that is
already there), runs the lifecycle robot (stale after 90 idle days, closed 30
days later) and cuts everything after the corpus end.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from triagedesk.demo import phrases
from triagedesk.demo.people import ROBOT, Person

STALE_AFTER = timedelta(days=90)
CLOSE_AFTER_STALE = timedelta(days=30)
STALE = "lifecycle/stale"
FROZEN = "lifecycle/frozen"
LOCKED = "lifecycle/locked"
LOCK_AFTER = timedelta(days=30)


@dataclass(slots=True)
class Act:
    at: datetime
    seq: int
    kind: str  # comment / label / unlabel / close / reopen / assign / duplicate
    actor: Person
    text: str = ""


@dataclass(slots=True)
class Comment:
    at: datetime
    author: Person
    body: str


@dataclass(slots=True)
class Event:
    at: datetime
    kind: str  # labeled / unlabeled / closed / reopened / assigned / marked_as_duplicate
    actor: Person
    label: str = ""
    state_reason: str = ""
    assignee: str = ""


@dataclass(slots=True)
class Outcome:
    comments: list[Comment] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    open: bool = True
    state_reason: str = ""
    closed_at: datetime | None = None
    assignees: list[str] = field(default_factory=list)
    updated_at: datetime | None = None


class Timeline:
    def __init__(
        self,
        created: datetime,
        end: datetime,
        stale_bot: bool = True,
        keeper: Person | None = None,
        keep_alive: float = 0.0,
        rng: random.Random | None = None,
    ) -> None:
        self.created = created
        self.end = end
        self.stale_bot = stale_bot
        #: who answers a stale notice with `/remove-lifecycle stale`, and how likely (0..1)
        self.keeper = keeper
        self.keep_alive = keep_alive
        self.rng = rng or random.Random(0)
        self.acts: list[Act] = []

    def _add(self, at: datetime, kind: str, actor: Person, text: str = "") -> datetime:
        at = max(at, self.created + timedelta(seconds=1))
        self.acts.append(Act(at, len(self.acts), kind, actor, text))
        return at

    def comment(self, at: datetime, who: Person, body: str) -> datetime:
        return self._add(at, "comment", who, body) if body else at

    def label(self, at: datetime, who: Person, name: str) -> datetime:
        return self._add(at, "label", who, name)

    def unlabel(self, at: datetime, who: Person, name: str) -> datetime:
        return self._add(at, "unlabel", who, name)

    def close(self, at: datetime, who: Person, reason: str) -> datetime:
        return self._add(at, "close", who, reason)

    def reopen(self, at: datetime, who: Person) -> datetime:
        return self._add(at, "reopen", who)

    def assign(self, at: datetime, who: Person, assignee: str) -> datetime:
        return self._add(at, "assign", who, assignee)

    def duplicate(self, at: datetime, who: Person) -> datetime:
        return self._add(at, "duplicate", who)

    def replay(self) -> Outcome:
        out = Outcome()
        state = _State(out, self.created, self.keeper, self.keep_alive, self.rng)
        for act in sorted(self.acts, key=lambda a: (a.at, a.seq)):
            if act.at > self.end:
                break
            if self.stale_bot:
                state.robot_until(act.at, self.end)
                if STALE in out.labels and act.actor is not ROBOT and act.kind != "unlabel":
                    state.event(act.at, "unlabeled", ROBOT, label=STALE)
            state.apply(act)
        if self.stale_bot:
            state.robot_until(self.end, self.end)
            state.lock(self.end)
        out.updated_at = state.last_any
        return out


class _State:
    def __init__(
        self,
        out: Outcome,
        created: datetime,
        keeper: Person | None,
        keep_alive: float,
        rng: random.Random,
    ) -> None:
        self.out = out
        self.last_activity = created
        self.last_any = created
        self.stale_at: datetime | None = None
        self.keeper = keeper
        self.keep_alive = keep_alive
        self.rng = rng
        self.notices = 0

    def event(
        self,
        at: datetime,
        kind: str,
        actor: Person,
        label: str = "",
        reason: str = "",
        assignee: str = "",
    ) -> None:
        out = self.out
        if kind == "labeled":
            if label in out.labels:
                return
            out.labels.append(label)
        elif kind == "unlabeled":
            if label not in out.labels:
                return
            out.labels.remove(label)
        elif kind == "closed":
            if not out.open:
                return
            out.open, out.state_reason, out.closed_at = False, reason, at
        elif kind == "reopened":
            if out.open:
                return
            out.open, out.state_reason, out.closed_at = True, "reopened", None
        elif kind == "assigned":
            if assignee in out.assignees:
                return
            out.assignees.append(assignee)
        out.events.append(Event(at, kind, actor, label, reason, assignee))
        self.last_any = max(self.last_any, at)

    def robot_until(self, now: datetime, end: datetime) -> None:
        out = self.out
        while out.open and FROZEN not in out.labels:
            if STALE in out.labels or now - self.last_activity < STALE_AFTER:
                break
            at = self.last_activity + STALE_AFTER
            if at > end:
                return
            out.comments.append(Comment(at, ROBOT, phrases.stale_notice()))
            self.event(at, "labeled", ROBOT, label=STALE)
            self.stale_at = at
            self.notices += 1
            # the keeper answers the notice now and then (less keen each time)
            if self.keeper is None or self.rng.random() >= self.keep_alive / self.notices:
                break
            answer = at + timedelta(days=self.rng.uniform(0.5, 25))
            if answer >= now or answer > end:
                break
            out.comments.append(Comment(answer, self.keeper, "/remove-lifecycle stale"))
            self.event(answer, "unlabeled", ROBOT, label=STALE)
            self.last_activity = answer
            self.last_any = max(self.last_any, answer)
        if not out.open or FROZEN in out.labels:
            return
        if (
            STALE in out.labels
            and self.stale_at is not None
            and now - self.stale_at >= CLOSE_AFTER_STALE
        ):
            at = self.stale_at + CLOSE_AFTER_STALE
            if at > end:
                return
            out.comments.append(Comment(at, ROBOT, phrases.stale_close()))
            self.event(at, "closed", ROBOT, reason="not_planned")

    def lock(self, end: datetime) -> None:
        """Closed issues quiet for 30 days get locked (a comment and ``lifecycle/locked``)."""
        out = self.out
        if out.open or out.closed_at is None:
            return
        at = max(out.closed_at, self.last_any) + LOCK_AFTER
        if at <= end:
            out.comments.append(Comment(at, ROBOT, phrases.lock_notice()))
            self.event(at, "labeled", ROBOT, label=LOCKED)

    def apply(self, act: Act) -> None:
        if act.kind == "comment":
            self.out.comments.append(Comment(act.at, act.actor, act.text))
            self.last_any = max(self.last_any, act.at)
        elif act.kind == "label":
            self.event(act.at, "labeled", act.actor, label=act.text)
        elif act.kind == "unlabel":
            self.event(act.at, "unlabeled", act.actor, label=act.text)
        elif act.kind == "close":
            self.event(act.at, "closed", act.actor, reason=act.text)
        elif act.kind == "reopen":
            self.event(act.at, "reopened", act.actor)
        elif act.kind == "assign":
            self.event(act.at, "assigned", act.actor, assignee=act.text)
        elif act.kind == "duplicate":
            self.out.events.append(Event(act.at, "marked_as_duplicate", act.actor))
        self.last_activity = max(self.last_activity, act.at)
