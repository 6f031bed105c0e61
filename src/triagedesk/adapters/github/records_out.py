"""Domain objects → GitHub JSON shapes (the reverse of :mod:`.records`), for export.

``issue_to_rest`` with ``embed=True`` is triagedesk's lossless JSON: a REST issue
object whose ``comments`` and ``events`` are embedded arrays of REST comment and
event objects. ``issue_from_rest(issue_to_rest(x)) == x`` for every Issue.
``issue_to_gh`` writes the ``gh issue list --json`` shape (which has no room for
events, comment edit times, the issue's author association or the lock).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from triagedesk.adapters.github.records import GH_REACTIONS, event_subject_field
from triagedesk.domain.model import (
    REACTIONS,
    Comment,
    EventKind,
    Issue,
    IssueEvent,
    IssueRef,
    Reactions,
)

_API = "https://api.github.com/repos"
_GH_NAMES = {v: k for k, v in GH_REACTIONS.items()}


def format_time(value: datetime) -> str:
    """``2021-03-04T05:06:07Z`` (GitHub's form), with microseconds only when there are any."""
    text = value.astimezone(UTC).isoformat()
    return text.replace("+00:00", "Z")


def _opt_time(value: datetime | None) -> str | None:
    return None if value is None else format_time(value)


def _rest_reactions(reactions: Reactions) -> dict[str, int]:
    counts = reactions.as_dict()
    return {"total_count": reactions.total, **{k: counts.get(k, 0) for k in REACTIONS}}


def comment_to_rest(ref: IssueRef, comment: Comment) -> dict[str, Any]:
    return {
        "id": comment.id,
        "issue_url": f"{_API}/{ref.repo}/issues/{ref.number}",
        "html_url": comment.url,
        "user": {"login": comment.author},
        "author_association": comment.author_association.value,
        "body": comment.body,
        "created_at": format_time(comment.created_at),
        "updated_at": _opt_time(comment.updated_at),
        "reactions": _rest_reactions(comment.reactions),
    }


def event_to_rest(ref: IssueRef, event: IssueEvent, *, with_issue: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "event": event.kind.value,
        "actor": {"login": event.actor},
        "created_at": format_time(event.at),
    }
    where = event_subject_field(event.kind)
    if where is not None:
        holder, key = where
        out[holder] = (
            {"from": "", key: event.subject} if holder == "rename" else {key: event.subject}
        )
    elif event.kind is EventKind.CLOSED:
        out["state_reason"] = event.subject or None
    elif event.subject:
        # REST has no field for it (marked_as_duplicate's canonical issue, …)
        out["subject"] = event.subject
    if with_issue:
        out["issue"] = {
            "number": ref.number,
            "repository_url": f"{_API}/{ref.repo}",
        }
    return out


def issue_to_rest(issue: Issue, *, embed: bool = True) -> dict[str, Any]:
    """A REST issue object; with ``embed`` its comments and events ride along (lossless)."""
    out: dict[str, Any] = {
        "number": issue.number,
        "repository_url": f"{_API}/{issue.repo}",
        "html_url": issue.url,
        "title": issue.title,
        "body": issue.body,
        "user": {"login": issue.author},
        "author_association": issue.author_association.value,
        "state": issue.state.value,
        "state_reason": issue.state_reason.value if issue.state_reason else None,
        "locked": issue.locked,
        "labels": [{"name": name} for name in issue.labels],
        "assignees": [{"login": login} for login in issue.assignees],
        "milestone": None if issue.milestone is None else {"title": issue.milestone},
        "reactions": _rest_reactions(issue.reactions),
        "created_at": format_time(issue.created_at),
        "updated_at": format_time(issue.updated_at),
        "closed_at": _opt_time(issue.closed_at),
    }
    if embed:
        out["comments"] = [comment_to_rest(issue.ref, c) for c in issue.comments]
        out["events"] = [event_to_rest(issue.ref, e) for e in issue.events]
    else:
        out["comments"] = len(issue.comments)
    return out


def _gh_reactions(reactions: Reactions) -> list[dict[str, Any]]:
    return [
        {"content": _GH_NAMES[name], "users": {"totalCount": n}}
        for name, n in reactions.counts
        if name in _GH_NAMES
    ]


def issue_to_gh(issue: Issue) -> dict[str, Any]:
    """One record as ``gh issue list --json …`` prints it."""
    return {
        "number": issue.number,
        "title": issue.title,
        "body": issue.body,
        "author": {"login": issue.author},
        "labels": [{"name": name} for name in issue.labels],
        "state": issue.state.value.upper(),
        "stateReason": issue.state_reason.value.upper() if issue.state_reason else "",
        "createdAt": format_time(issue.created_at),
        "updatedAt": format_time(issue.updated_at),
        "closedAt": _opt_time(issue.closed_at),
        "url": issue.url,
        "assignees": [{"login": login} for login in issue.assignees],
        "milestone": None if issue.milestone is None else {"title": issue.milestone},
        "reactionGroups": _gh_reactions(issue.reactions),
        "comments": [
            {
                "id": "",
                "author": {"login": c.author},
                "authorAssociation": c.author_association.value,
                "body": c.body,
                "createdAt": format_time(c.created_at),
                "url": c.url,
                "reactionGroups": _gh_reactions(c.reactions),
            }
            for c in issue.comments
        ],
    }


class GithubRecordsOut:
    """The writers as one object, for the use cases that receive them as a port."""

    issue_to_rest = staticmethod(issue_to_rest)
    issue_to_gh = staticmethod(issue_to_gh)
    comment_to_rest = staticmethod(comment_to_rest)
    event_to_rest = staticmethod(event_to_rest)
