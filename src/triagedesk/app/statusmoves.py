"""Move a stored issue along the status workflow, locally, with an audit entry.

The workflow's :func:`step` validates the move; the store records the audit entry
and relabels the issue (exactly one status label afterwards) in one transaction.
Closures (duplicate, no answer) and won't-fix also close the stored issue.
Writing the move back to GitHub is the write-back layer's job, not this one's.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Protocol

from triagedesk.domain.errors import NotFoundError, UserError
from triagedesk.domain.model import CloseReason, Issue, IssueRef
from triagedesk.domain.workflow import (
    Closure,
    LabelDelta,
    Source,
    State,
    Status,
    StatusChange,
    relabel,
    status_of,
    step,
)

_CLOSES: dict[State, CloseReason] = {
    Closure.DUPLICATE: CloseReason.DUPLICATE,
    Closure.NO_ANSWER: CloseReason.NOT_PLANNED,
    Status.WONT_FIX: CloseReason.NOT_PLANNED,
}


class StatusStore(Protocol):
    def get_issue(self, ref: IssueRef) -> Issue | None: ...

    def apply_status_change(
        self, change: StatusChange, delta: LabelDelta, close: CloseReason | None = None
    ) -> Issue: ...


def parse_target(text: str) -> State:
    """``status/1-acknowledged``, ``1-acknowledged``, ``acknowledged``, ``duplicate``, ``no-answer``."""
    low = text.strip().lower()
    for status in Status:
        name = status.value.removeprefix("status/")
        if low in (status.value, name, name.split("-", 1)[1], status.name.lower()):
            return status
    for closure in Closure:
        if low in (closure.value, closure.name.lower(), closure.name.lower().replace("_", "-")):
            return closure
    choices = ", ".join([s.value for s in Status] + ["duplicate", "no-answer"])
    raise UserError(f"unknown status {text!r}; one of: {choices}")


def move_status(
    store: StatusStore,
    ref: IssueRef,
    target: State,
    *,
    actor: str,
    reason: str,
    at: datetime,
    source: Source = Source.PERSON,
    force: bool = False,
    aliases: Mapping[str, Status] | None = None,
) -> tuple[StatusChange, Issue]:
    """Validate and apply one move; returns the audit entry and the issue afterwards."""
    issue = store.get_issue(ref)
    if issue is None:
        raise NotFoundError(f"{ref} is not in the database; import or sync it first")
    current = status_of(issue.labels, aliases)
    change = step(
        ref, current, target, actor=actor, at=at, reason=reason, source=source, force=force
    )
    if isinstance(target, Status):
        delta = relabel(issue.labels, target, aliases)
    else:
        delta = LabelDelta((), ())
    after = store.apply_status_change(change, delta, _CLOSES.get(target))
    return change, after
