"""The status labels and the moves allowed between them.

The table is product.md's, verbatim in meaning. ``docs/workflow.md`` holds a
Mermaid diagram generated from it by :func:`mermaid`; a test fails when the two
differ.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from triagedesk.domain.errors import TransitionRefused
from triagedesk.domain.model import IssueRef, require_utc


class Status(StrEnum):
    """The eight status labels; each value is the label's name."""

    TRIAGE = "status/0-triage"
    WONT_FIX = "status/0-wont-fix"
    MORE_INFO_NEEDED = "status/0-more-info-needed"
    ACKNOWLEDGED = "status/1-acknowledged"
    IN_PROGRESS = "status/2-in-progress"
    FIXED = "status/3-fixed"
    FIX_RELEASED_BETA = "status/4-fix-released-beta"
    FIX_RELEASED_STABLE = "status/4-fix-released-stable"


class Closure(StrEnum):
    """Moves that close the issue without a status label of their own."""

    DUPLICATE = "closed as duplicate"
    NO_ANSWER = "closed (no answer)"


#: a place in the workflow: a status label, or a closure
State = Status | Closure

#: the seed's descriptions, used for the labels on the public repositories
DESCRIPTIONS: Mapping[Status, str] = {
    Status.TRIAGE: "The issue needs triaging",
    Status.WONT_FIX: "This issue will not be fixed and therefore can be closed",
    Status.MORE_INFO_NEEDED: "The issue needs more information before it can be triaged",
    Status.ACKNOWLEDGED: "The issue has been triaged and is ready for L2",
    Status.IN_PROGRESS: "The issue has been assigned to a engineer and is waiting a fix",
    Status.FIXED: "The issue has been fixed in `master`",
    Status.FIX_RELEASED_BETA: "The fix has been released!",
    Status.FIX_RELEASED_STABLE: "The fix has been released!",
}

#: None stands for "a new issue, no status yet"
TRANSITIONS: Mapping[Status | None, frozenset[State]] = {
    None: frozenset({Status.TRIAGE}),
    Status.TRIAGE: frozenset(
        {Status.MORE_INFO_NEEDED, Status.ACKNOWLEDGED, Status.WONT_FIX, Closure.DUPLICATE}
    ),
    Status.MORE_INFO_NEEDED: frozenset({Status.TRIAGE, Closure.NO_ANSWER, Status.WONT_FIX}),
    Status.ACKNOWLEDGED: frozenset({Status.IN_PROGRESS, Status.WONT_FIX}),
    Status.IN_PROGRESS: frozenset({Status.FIXED, Status.WONT_FIX}),
    Status.FIXED: frozenset({Status.FIX_RELEASED_BETA, Status.FIX_RELEASED_STABLE}),
    Status.FIX_RELEASED_BETA: frozenset({Status.FIX_RELEASED_STABLE}),
    Status.WONT_FIX: frozenset(),
    Status.FIX_RELEASED_STABLE: frozenset(),
}


class Source(StrEnum):
    """Who caused a move: triagedesk's own rules, a person, or a sync from the tracker."""

    AUTOMATION = "automation"
    PERSON = "person"
    SYNC = "sync"


@dataclass(frozen=True, slots=True)
class StatusChange:
    """One entry of the audit trail."""

    issue: IssueRef
    from_state: Status | None
    to_state: State
    actor: str
    at: datetime
    reason: str
    source: Source
    forced: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "at", require_utc(self.at, "status change time"))


def allowed(current: Status | None, target: State) -> bool:
    return target in TRANSITIONS[current]


def _name(state: State | None) -> str:
    return "(new issue)" if state is None else state.value


def step(
    issue: IssueRef,
    current: Status | None,
    target: State,
    *,
    actor: str,
    at: datetime,
    reason: str,
    source: Source,
    force: bool = False,
) -> StatusChange:
    """Validate one move and return its audit entry.

    A move the table does not allow raises :class:`TransitionRefused` naming
    the moves that are allowed, unless a person forces it; forced moves are
    recorded as forced. Only a person may force.
    """
    if not reason.strip():
        raise TransitionRefused(f"{issue}: a status move needs a reason")
    ok = allowed(current, target)
    if not ok:
        if not force:
            options = sorted(_name(s) for s in TRANSITIONS[current])
            allowed_text = ", ".join(options) if options else "nothing (final state)"
            raise TransitionRefused(
                f"{issue}: cannot move from {_name(current)} to {_name(target)}; "
                f"allowed from here: {allowed_text} (a person may force it)"
            )
        if source is not Source.PERSON:
            raise TransitionRefused(
                f"{issue}: only a person may force {_name(current)} -> {_name(target)}"
            )
    return StatusChange(
        issue=issue,
        from_state=current,
        to_state=target,
        actor=actor,
        at=at,
        reason=reason,
        source=source,
        forced=force and not ok,
    )


def status_of(labels: Iterable[str], aliases: Mapping[str, Status] | None = None) -> Status | None:
    """The issue's status from its labels.

    Legacy and form labels (``status/triage``, ``needs-triage`` …) count through
    ``aliases`` (label name, lower case → Status). With several status labels the
    furthest one along the workflow wins; :func:`relabel` then removes the others.
    """
    found: list[Status] = []
    alias_map = {k.lower(): v for k, v in (aliases or {}).items()}
    for label in labels:
        low = label.lower()
        try:
            found.append(Status(low))
        except ValueError:
            if low in alias_map:
                found.append(alias_map[low])
    if not found:
        return None
    order = list(Status)
    # wont-fix is terminal whatever its position in the enum
    if Status.WONT_FIX in found:
        return Status.WONT_FIX
    return max(found, key=order.index)


@dataclass(frozen=True, slots=True)
class LabelDelta:
    add: tuple[str, ...]
    remove: tuple[str, ...]

    @property
    def empty(self) -> bool:
        return not self.add and not self.remove


def relabel(
    labels: Iterable[str], target: Status | None, aliases: Mapping[str, Status] | None = None
) -> LabelDelta:
    """The label changes that leave exactly ``target`` as the one status label.

    Canonical status labels and their aliases other than ``target`` are removed;
    nothing else is touched. ``target=None`` removes every status label.
    """
    current = list(labels)
    alias_names = {k.lower() for k in (aliases or {})}
    status_names = {s.value for s in Status}
    remove = tuple(
        lab
        for lab in current
        if (lab.lower() in status_names or lab.lower() in alias_names)
        and (target is None or lab != target.value)
    )
    add: tuple[str, ...] = ()
    if target is not None and target.value not in current:
        add = (target.value,)
    return LabelDelta(add=add, remove=remove)


def _node(state: State | None) -> str:
    if state is None:
        return "new"
    if isinstance(state, Closure):
        return "closed_" + state.name.lower()
    return state.name.lower()


def mermaid() -> str:
    """The transition table as a Mermaid state diagram (the text in docs/workflow.md)."""
    lines = ["stateDiagram-v2"]
    states: list[State | None] = [None, *Status, *Closure]
    for state in states:
        label = "(new issue)" if state is None else state.value
        lines.append(f'    state "{label}" as {_node(state)}')
    for src, targets in TRANSITIONS.items():
        for dst in sorted(targets, key=lambda s: s.value):
            lines.append(f"    {_node(src)} --> {_node(dst)}")
    return "\n".join(lines) + "\n"
