"""The facts triagedesk keeps about trackers and their issues.

Plain frozen dataclasses with tuples, so values compare by content: an import
of the same data twice yields equal objects, and ``import(export(x)) == x`` is
a plain ``==``. Every timestamp is timezone-aware UTC; constructors refuse
naive ones.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum

from triagedesk.domain.errors import InputError

_REPO_RE = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,99})/[A-Za-z0-9._-]{1,100}$")


def require_utc(value: datetime, what: str) -> datetime:
    """Return ``value`` in UTC; a naive datetime is a programming error here."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware, got naive {value!r}")
    return value.astimezone(UTC)


@dataclass(frozen=True, order=True, slots=True)
class RepoRef:
    """``owner/name`` of a repository."""

    owner: str
    name: str

    @classmethod
    def parse(cls, text: str) -> RepoRef:
        text = text.strip()
        if not _REPO_RE.match(text):
            raise InputError(f"not a repository name (want owner/name): {text!r}")
        owner, name = text.split("/", 1)
        return cls(owner, name)

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.name}"

    def __str__(self) -> str:
        return self.full_name


class Visibility(StrEnum):
    PUBLIC = "public"
    INTERNAL = "internal"


@dataclass(frozen=True, slots=True)
class Repo:
    ref: RepoRef
    visibility: Visibility = Visibility.PUBLIC


@dataclass(frozen=True, order=True, slots=True)
class IssueRef:
    """One issue: ``owner/name#number``."""

    repo: RepoRef
    number: int

    @classmethod
    def parse(cls, text: str, default_repo: RepoRef | None = None) -> IssueRef:
        """Read ``owner/name#N``, ``owner/name/issues/N`` (or a full URL), or ``N``."""
        text = text.strip()
        m = re.search(r"([A-Za-z0-9._-]+/[A-Za-z0-9._-]+)(?:#|/issues/|/pull/)(\d+)\s*$", text)
        if m:
            return cls(RepoRef.parse(m.group(1)), int(m.group(2)))
        bare = text.lstrip("#")
        if bare.isdigit() and default_repo is not None:
            return cls(default_repo, int(bare))
        raise InputError(f"not an issue reference (want owner/name#N): {text!r}")

    def __str__(self) -> str:
        return f"{self.repo.full_name}#{self.number}"


class IssueState(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class CloseReason(StrEnum):
    """GitHub's ``state_reason`` values (lower case, as REST spells them)."""

    COMPLETED = "completed"
    NOT_PLANNED = "not_planned"
    DUPLICATE = "duplicate"
    REOPENED = "reopened"


class Association(StrEnum):
    """GitHub's ``author_association``: tells the team from the reporters."""

    OWNER = "OWNER"
    MEMBER = "MEMBER"
    COLLABORATOR = "COLLABORATOR"
    CONTRIBUTOR = "CONTRIBUTOR"
    FIRST_TIME_CONTRIBUTOR = "FIRST_TIME_CONTRIBUTOR"
    FIRST_TIMER = "FIRST_TIMER"
    MANNEQUIN = "MANNEQUIN"
    NONE = "NONE"

    @property
    def is_team(self) -> bool:
        return self in (Association.OWNER, Association.MEMBER, Association.COLLABORATOR)


#: reaction names as REST spells them (GraphQL's THUMBS_UP … are mapped on import)
REACTIONS = ("+1", "-1", "laugh", "hooray", "confused", "heart", "rocket", "eyes")


@dataclass(frozen=True, slots=True)
class Reactions:
    """Reaction counts, by REST name. Zero counts are not stored."""

    counts: tuple[tuple[str, int], ...] = ()

    @classmethod
    def of(cls, mapping: dict[str, int]) -> Reactions:
        return cls(tuple(sorted((k, int(v)) for k, v in mapping.items() if int(v) > 0)))

    @property
    def total(self) -> int:
        return sum(v for _, v in self.counts)

    def as_dict(self) -> dict[str, int]:
        return dict(self.counts)


@dataclass(frozen=True, slots=True)
class Label:
    name: str
    color: str = ""
    description: str = ""


@dataclass(frozen=True, slots=True)
class Comment:
    """A comment on an issue. ``id`` is GitHub's numeric comment id (0 when unknown)."""

    id: int
    author: str
    body: str
    created_at: datetime
    updated_at: datetime | None = None
    author_association: Association = Association.NONE
    reactions: Reactions = field(default_factory=Reactions)
    url: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "created_at", require_utc(self.created_at, "comment.created_at"))
        if self.updated_at is not None:
            object.__setattr__(
                self, "updated_at", require_utc(self.updated_at, "comment.updated_at")
            )


class EventKind(StrEnum):
    """Timeline events triagedesk keeps (others are dropped on import)."""

    LABELED = "labeled"
    UNLABELED = "unlabeled"
    CLOSED = "closed"
    REOPENED = "reopened"
    ASSIGNED = "assigned"
    UNASSIGNED = "unassigned"
    MARKED_AS_DUPLICATE = "marked_as_duplicate"
    UNMARKED_AS_DUPLICATE = "unmarked_as_duplicate"
    TRANSFERRED = "transferred"
    MILESTONED = "milestoned"
    DEMILESTONED = "demilestoned"
    RENAMED = "renamed"


@dataclass(frozen=True, slots=True)
class IssueEvent:
    """One timeline event. ``subject`` is the label, assignee, milestone or new title;
    for ``closed`` it is the close reason; for ``marked_as_duplicate`` the canonical issue."""

    kind: EventKind
    actor: str
    at: datetime
    subject: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "at", require_utc(self.at, "event.at"))

    @property
    def is_label_event(self) -> bool:
        return self.kind in (EventKind.LABELED, EventKind.UNLABELED)


@dataclass(frozen=True, slots=True)
class Issue:
    """An issue with everything triagedesk keeps about it (the aggregate)."""

    ref: IssueRef
    title: str
    body: str
    author: str
    created_at: datetime
    updated_at: datetime
    state: IssueState = IssueState.OPEN
    state_reason: CloseReason | None = None
    closed_at: datetime | None = None
    author_association: Association = Association.NONE
    labels: tuple[str, ...] = ()
    assignees: tuple[str, ...] = ()
    milestone: str | None = None
    reactions: Reactions = field(default_factory=Reactions)
    comments: tuple[Comment, ...] = ()
    events: tuple[IssueEvent, ...] = ()
    url: str = ""
    locked: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "created_at", require_utc(self.created_at, "issue.created_at"))
        object.__setattr__(self, "updated_at", require_utc(self.updated_at, "issue.updated_at"))
        if self.closed_at is not None:
            object.__setattr__(self, "closed_at", require_utc(self.closed_at, "issue.closed_at"))

    @property
    def repo(self) -> RepoRef:
        return self.ref.repo

    @property
    def number(self) -> int:
        return self.ref.number

    @property
    def is_open(self) -> bool:
        return self.state is IssueState.OPEN

    @property
    def label_events(self) -> tuple[IssueEvent, ...]:
        return tuple(e for e in self.events if e.is_label_event)

    def has_label(self, name: str) -> bool:
        low = name.lower()
        return any(label.lower() == low for label in self.labels)
