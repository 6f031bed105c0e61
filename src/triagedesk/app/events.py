"""What happened to an issue, as the features hear it (from webhooks, sync or import).

The worker turns each stored webhook delivery (or each issue a sync changed)
into one :class:`IssueChanged` and hands it to every registered handler in
order. A handler decides and returns actions; it never writes to the tracker.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from triagedesk.app.context import AppContext
from triagedesk.domain.actions import Action
from triagedesk.domain.model import IssueRef


class Change(StrEnum):
    OPENED = "opened"
    EDITED = "edited"
    COMMENTED = "commented"
    COMMENT_EDITED = "comment_edited"
    LABELED = "labeled"
    UNLABELED = "unlabeled"
    CLOSED = "closed"
    REOPENED = "reopened"
    ASSIGNED = "assigned"
    UNASSIGNED = "unassigned"
    TRANSFERRED = "transferred"
    SYNCED = "synced"


@dataclass(frozen=True, slots=True)
class IssueChanged:
    ref: IssueRef
    change: Change
    actor: str
    at: datetime
    #: the label for labeled/unlabeled, the comment id for comments, else ""
    subject: str = ""


Handler = Callable[[IssueChanged, AppContext], list[Action]]

_HANDLERS: list[tuple[str, Handler]] = []


def register(name: str, handler: Handler) -> None:
    """Add a feature's handler (idempotent by name: re-registering replaces it)."""
    for i, (existing, _) in enumerate(_HANDLERS):
        if existing == name:
            _HANDLERS[i] = (name, handler)
            return
    _HANDLERS.append((name, handler))


def handlers() -> list[tuple[str, Handler]]:
    return list(_HANDLERS)
