"""Where checklists (with their history), people's reproductions and bundle lookups are kept."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from triagedesk.domain.checklist import BundleCheck, Checklist, PersonReproduction
from triagedesk.domain.model import IssueRef, RepoRef


@dataclass(frozen=True, slots=True)
class StoredChecklist:
    ref: IssueRef
    computed_at: datetime
    verdict: str
    missing: tuple[str, ...]
    #: :meth:`Checklist.to_dict` as stored
    data: dict[str, Any] = field(default_factory=dict)


class ChecklistStore(Protocol):
    def save_checklist(self, checklist: Checklist) -> bool:
        """Store it as the issue's current checklist; a new history entry only when the lines,
        verdict or evidence differ from the latest one. Returns True when it was new."""
        ...

    def save_checklists(self, checklists: Sequence[Checklist]) -> list[bool]:
        """:meth:`save_checklist` for many, in one transaction (for batch checks)."""
        ...

    def latest_checklist(self, ref: IssueRef) -> StoredChecklist | None: ...

    def checklist_history(self, ref: IssueRef) -> list[StoredChecklist]:
        """Oldest first."""
        ...

    def latest_checklists(self, repo: RepoRef | None = None) -> list[StoredChecklist]: ...

    def record_reproduction(self, ref: IssueRef, reproduction: PersonReproduction) -> None: ...

    def reproductions(self, ref: IssueRef) -> list[PersonReproduction]: ...

    def save_bundle_check(self, check: BundleCheck, checked_at: datetime) -> None:
        """Remember what the bucket said about an ID (replacing the previous answer)."""
        ...

    def bundle_check(self, diag_id: str) -> tuple[BundleCheck, datetime] | None:
        """The last answer for ``diag_id`` and when it was asked."""
        ...
