"""The action log: every action triagedesk decided, planned (shadow mode) or applied."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from triagedesk.domain.actions import Action


class ActionStatus(StrEnum):
    PLANNED = "planned"
    APPLIED = "applied"
    UNCHANGED = "unchanged"  # applied, but the tracker already matched: nothing was sent
    FAILED = "failed"
    REJECTED = "rejected"


@dataclass(frozen=True, slots=True)
class ActionRecord:
    id: int
    action: Action
    status: ActionStatus
    source: str
    created_at: datetime
    applied_at: datetime | None = None
    detail: str = ""


class ActionLog(Protocol):
    def record(
        self, actions: Sequence[Action], *, status: ActionStatus, source: str, at: datetime
    ) -> list[ActionRecord]:
        """Store actions. A planned action whose ``key()`` is already planned is not stored twice."""
        ...

    def get(self, action_id: int) -> ActionRecord | None: ...

    def list(self, status: ActionStatus | None = None, limit: int = 1000) -> list[ActionRecord]: ...

    def mark(
        self, action_id: int, status: ActionStatus, *, at: datetime, detail: str = ""
    ) -> None: ...
