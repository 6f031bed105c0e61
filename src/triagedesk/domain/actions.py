"""Decisions as values.

Features decide; they never write. Each decision is one of these actions, with
the reason a person will read in shadow mode. ``app/apply.py`` carries them out
idempotently (read, compare, change only what differs) or, in shadow mode,
records them as planned.

Every action serialises to a plain dict (``to_dict``) and back (``from_dict``),
so planned actions can be stored and approved later.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any, ClassVar

from triagedesk.domain.errors import InputError
from triagedesk.domain.model import CloseReason, IssueRef, RepoRef
from triagedesk.domain.workflow import Status


@dataclass(frozen=True, slots=True)
class Action:
    """Base: every action names its issue and why."""

    kind: ClassVar[str] = "action"
    issue: IssueRef
    reason: str

    def key(self) -> str:
        """Identity for de-duplication: two actions with the same key do the same thing."""
        parts = [self.kind, str(self.issue)]
        for f in fields(self):
            if f.name in ("issue", "reason", "body"):
                continue
            parts.append(f"{f.name}={_plain(getattr(self, f.name))}")
        return "|".join(parts)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind}
        for f in fields(self):
            out[f.name] = _plain(getattr(self, f.name))
        return out


def _plain(value: Any) -> Any:
    if isinstance(value, IssueRef | RepoRef):
        return str(value)
    if isinstance(value, Status | CloseReason):
        return value.value
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value


@dataclass(frozen=True, slots=True)
class AddLabels(Action):
    kind: ClassVar[str] = "add_labels"
    labels: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class RemoveLabels(Action):
    kind: ClassVar[str] = "remove_labels"
    labels: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SetStatus(Action):
    """Leave exactly ``status`` as the issue's one status label (see workflow.relabel)."""

    kind: ClassVar[str] = "set_status"
    status: Status = Status.TRIAGE
    actor: str = "triagedesk"
    forced: bool = False


@dataclass(frozen=True, slots=True)
class UpsertComment(Action):
    """A bot comment carrying ``<!-- triagedesk:{marker} -->``; edited in place when it exists."""

    kind: ClassVar[str] = "comment"
    marker: str = ""
    body: str = ""


@dataclass(frozen=True, slots=True)
class Close(Action):
    kind: ClassVar[str] = "close"
    close_reason: CloseReason = CloseReason.COMPLETED
    duplicate_of: IssueRef | None = None


@dataclass(frozen=True, slots=True)
class Reopen(Action):
    kind: ClassVar[str] = "reopen"


@dataclass(frozen=True, slots=True)
class Assign(Action):
    kind: ClassVar[str] = "assign"
    assignees: tuple[str, ...] = ()


_DEFAULT_INTERNAL = RepoRef("docker", "pinata")


@dataclass(frozen=True, slots=True)
class OpenInternal(Action):
    """Open the engineering issue for ``issue`` in ``repo``, once (found again by ``marker``)."""

    kind: ClassVar[str] = "open_internal"
    repo: RepoRef = _DEFAULT_INTERNAL
    title: str = ""
    body: str = ""
    assignees: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()
    marker: str = ""


ACTION_TYPES: Mapping[str, type[Action]] = {
    cls.kind: cls
    for cls in (
        AddLabels,
        RemoveLabels,
        SetStatus,
        UpsertComment,
        Close,
        Reopen,
        Assign,
        OpenInternal,
    )
}


def marker_tag(marker: str) -> str:
    """The hidden HTML comment that identifies a bot comment or internal issue."""
    return f"<!-- triagedesk:{marker} -->"


def from_dict(data: Mapping[str, Any]) -> Action:
    """Rebuild an action from :meth:`Action.to_dict` output."""
    kind = data.get("kind")
    cls = ACTION_TYPES.get(str(kind))
    if cls is None:
        raise InputError(f"unknown action kind {kind!r}")
    kwargs: dict[str, Any] = {}
    try:
        for f in fields(cls):
            if f.name not in data:
                continue
            value = data[f.name]
            if f.name in ("issue", "duplicate_of"):
                value = None if value is None else IssueRef.parse(str(value))
            elif f.name == "repo":
                value = RepoRef.parse(str(value))
            elif f.name == "status":
                value = Status(value)
            elif f.name == "close_reason":
                value = CloseReason(value)
            elif isinstance(value, list):
                value = tuple(value)
            kwargs[f.name] = value
        return cls(**kwargs)
    except (TypeError, ValueError) as exc:
        raise InputError(f"malformed {kind} action: {exc}") from exc
