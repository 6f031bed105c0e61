"""Where the label model, the duplicate index and people's feedback are kept."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from triagedesk.domain.model import IssueRef


class FeedbackKind(StrEnum):
    #: a person removed a label triagedesk applied (subject: the label)
    LABEL_REMOVED = "label_removed"
    #: a person said a suggested duplicate is not one (subject: the candidate issue)
    DUPLICATE_REJECTED = "duplicate_rejected"
    #: a person confirmed a duplicate (subject: the original issue)
    DUPLICATE_CONFIRMED = "duplicate_confirmed"


@dataclass(frozen=True, slots=True)
class Artifact:
    """A persisted model or index: opaque bytes with a version and a training watermark."""

    name: str
    version: int
    data: bytes
    trained_at: datetime
    #: the newest issue update the artifact has seen (None: unknown)
    watermark: datetime | None
    n_items: int
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Feedback:
    id: int
    kind: FeedbackKind
    issue: IssueRef
    subject: str
    actor: str
    at: datetime
    detail: str = ""


class IntelligenceStore(Protocol):
    def save_artifact(
        self,
        name: str,
        data: bytes,
        *,
        trained_at: datetime,
        watermark: datetime | None,
        n_items: int,
        meta: dict[str, Any] | None = None,
    ) -> Artifact:
        """Store a new version of ``name`` (older versions beyond the previous one are dropped)."""
        ...

    def load_artifact(self, name: str) -> Artifact | None:
        """The newest version of ``name``, or None."""
        ...

    def artifact_version(self, name: str) -> int | None:
        """The newest version number of ``name`` without loading its bytes."""
        ...

    def add_feedback(
        self,
        kind: FeedbackKind,
        issue: IssueRef,
        subject: str,
        *,
        actor: str,
        at: datetime,
        detail: str = "",
    ) -> Feedback:
        """Record feedback; the same (kind, issue, subject) again updates actor/time/detail."""
        ...

    def list_feedback(self, kind: FeedbackKind | None = None) -> list[Feedback]: ...
