"""GitHub webhook payloads (JSON) into domain objects.

Issues and comments go through ``records.py`` (the converter import and sync
use), so a webhook stores exactly what a sync would. Only the fields triagedesk
uses are read; everything else in GitHub's large
payloads is ignored. A payload that lacks a field we need raises
:class:`InputError` naming the field, so the worker parks the delivery with a
clear error instead of guessing.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from triagedesk.adapters.github import records
from triagedesk.domain.errors import InputError
from triagedesk.domain.model import (
    Association,
    CloseReason,
    Issue,
    IssueRef,
    IssueState,
    Reactions,
    RepoRef,
)
from triagedesk.ports.deliveries import (
    IssueDelivery,
    PingDelivery,
    ReleaseDelivery,
    WebhookEvent,
)

__all__ = ["parse_payload", "summary"]


def _obj(data: Any, key: str, where: str) -> dict[str, Any]:
    value = data.get(key) if isinstance(data, dict) else None
    if not isinstance(value, dict):
        raise InputError(f"{where}: missing or not an object: {key!r}")
    return value


def _str(data: dict[str, Any], key: str, where: str, default: str | None = None) -> str:
    value = data.get(key, default)
    if value is None and default is not None:
        return default
    if not isinstance(value, str):
        raise InputError(f"{where}: {key!r} missing or not a string")
    return value


def _time(value: Any, where: str) -> datetime:
    if not isinstance(value, str):
        raise InputError(f"{where}: not a timestamp: {value!r}")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise InputError(f"{where}: not a timestamp: {value!r}") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _opt_time(value: Any, where: str) -> datetime | None:
    return None if value is None else _time(value, where)


def _login(user: Any) -> str:
    if isinstance(user, dict) and isinstance(user.get("login"), str):
        return str(user["login"])
    return "ghost"  # GitHub's name for a deleted account


def _association(value: Any) -> Association:
    try:
        return Association(str(value))
    except ValueError:
        return Association.NONE


def _reactions(value: Any) -> Reactions:
    if not isinstance(value, dict):
        return Reactions()
    return Reactions.of(
        {k: v for k, v in value.items() if k not in ("url", "total_count") and isinstance(v, int)}
    )


def _repo(payload: dict[str, Any]) -> RepoRef:
    repo = _obj(payload, "repository", "payload")
    return RepoRef.parse(_str(repo, "full_name", "repository"))


def _issue(data: dict[str, Any], repo: RepoRef) -> Issue:
    where = "issue"
    number = data.get("number")
    if not isinstance(number, int) or number <= 0:
        raise InputError(f"{where}: 'number' missing or not a positive integer")
    where = f"issue #{number}"
    state_text = _str(data, "state", where, "open")
    try:
        state = IssueState(state_text)
    except ValueError:
        raise InputError(f"{where}: unknown state {state_text!r}") from None
    reason_text = data.get("state_reason")
    reason = None
    if isinstance(reason_text, str):
        try:
            reason = CloseReason(reason_text.lower())
        except ValueError:
            reason = None
    labels = tuple(
        str(lab["name"])
        for lab in data.get("labels") or []
        if isinstance(lab, dict) and isinstance(lab.get("name"), str)
    )
    assignees = tuple(_login(a) for a in data.get("assignees") or [] if isinstance(a, dict))
    milestone = data.get("milestone")
    created = _time(data.get("created_at"), f"{where}: created_at")
    return Issue(
        ref=IssueRef(repo, number),
        title=_str(data, "title", where, ""),
        body=_str(data, "body", where, ""),
        author=_login(data.get("user")),
        created_at=created,
        updated_at=_opt_time(data.get("updated_at"), f"{where}: updated_at") or created,
        state=state,
        state_reason=reason,
        closed_at=_opt_time(data.get("closed_at"), f"{where}: closed_at"),
        author_association=_association(data.get("author_association")),
        labels=labels,
        assignees=assignees,
        milestone=str(milestone["title"])
        if isinstance(milestone, dict) and isinstance(milestone.get("title"), str)
        else None,
        reactions=_reactions(data.get("reactions")),
        url=_str(data, "html_url", where, ""),
        locked=bool(data.get("locked", False)),
    )


def _load(payload: bytes) -> dict[str, Any]:
    try:
        data = json.loads(payload)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InputError(f"payload is not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise InputError("payload is not a JSON object")
    return data


def parse_payload(event: str, action: str, payload: bytes) -> WebhookEvent:
    """One stored delivery as domain objects (implements ``ports.deliveries.PayloadParser``)."""
    data = _load(payload)
    if event == "ping":
        hook_id = data.get("hook_id")
        return PingDelivery(
            hook_id=hook_id if isinstance(hook_id, int) else 0, zen=str(data.get("zen", ""))
        )
    if event == "release":
        return _release(data, action)
    if event in ("issues", "issue_comment"):
        return _issue_delivery(event, action, data)
    raise InputError(f"no parser for event {event!r}")


def _issue_delivery(event: str, action: str, data: dict[str, Any]) -> IssueDelivery:
    repo = _repo(data)
    raw_issue = _obj(data, "issue", "payload")
    pull = records.is_pull_request(raw_issue)
    # the same converter as import and sync, so a webhook and a sync store equal issues
    issue = _issue(raw_issue, repo) if pull else records.issue_from_rest(raw_issue, repo)
    assert issue is not None
    actor = _login(data.get("sender"))
    comment = None
    subject = ""
    at = issue.updated_at
    transferred_to = None
    if event == "issue_comment":
        _, comment = records.comment_from_rest(_obj(data, "comment", "payload"))
        subject = str(comment.id)
        at = comment.updated_at or comment.created_at
    elif action in ("labeled", "unlabeled"):
        label = data.get("label")
        subject = str(label.get("name", "")) if isinstance(label, dict) else ""
    elif action in ("assigned", "unassigned"):
        subject = _login(data.get("assignee")) if data.get("assignee") else ""
    elif action == "transferred":
        changes = data.get("changes")
        new_repo = changes.get("new_repository") if isinstance(changes, dict) else None
        if isinstance(new_repo, dict) and isinstance(new_repo.get("full_name"), str):
            transferred_to = RepoRef.parse(new_repo["full_name"])
            subject = transferred_to.full_name
    return IssueDelivery(
        event=event,
        action=action,
        issue=issue,
        actor=actor,
        at=at,
        comment=comment,
        subject=subject,
        transferred_to=transferred_to,
        is_pull_request=pull,
    )


def _release(data: dict[str, Any], action: str) -> ReleaseDelivery:
    repo = _repo(data)
    rel = _obj(data, "release", "payload")
    tag = _str(rel, "tag_name", "release")
    prerelease = bool(rel.get("prerelease", False)) or action == "prereleased"
    return ReleaseDelivery(
        repo=repo,
        version=tag[1:] if tag[:1] in ("v", "V") and tag[1:2].isdigit() else tag,
        channel="beta" if prerelease else "stable",
        name=_str(rel, "name", "release", ""),
        body=_str(rel, "body", "release", ""),
        url=_str(rel, "html_url", "release", ""),
        published_at=_opt_time(rel.get("published_at"), "release: published_at"),
    )


def summary(data: Any) -> tuple[str, str]:
    """(action, repository full name) of a parsed payload, '' when absent: what the web
    layer stores beside the raw body without parsing anything else."""
    if not isinstance(data, dict):
        return "", ""
    action = data.get("action")
    repo = data.get("repository")
    full = repo.get("full_name") if isinstance(repo, dict) else None
    return (
        action if isinstance(action, str) else "",
        full if isinstance(full, str) else "",
    )
