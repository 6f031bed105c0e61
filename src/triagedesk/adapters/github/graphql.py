"""The GraphQL queries the sync sends, and their nodes reshaped as REST JSON.

One query text per operation, kept here only: the client sends these strings and
the test server (tests/support/github_server.py) imports them to answer exactly
them. A page of ``ISSUES_PAGE`` carries 100 issues with their labels, assignees,
reactions, first 100 comments and first 100 label/close/reopen/duplicate events:
one request for 100 issues. Issues with more comments or events get follow-up
pages (``ISSUE_COMMENTS`` / ``ISSUE_TIMELINE``), counted in the sync report.

The nodes are turned into the JSON shapes of the REST API (issue, comment, issue
event) so one set of converters (``records.py``) makes every domain object.
GraphQL's ``issues`` connection holds issues only: pull requests never appear.
"""

from __future__ import annotations

from typing import Any

TIMELINE_TYPES = (
    "LABELED_EVENT",
    "UNLABELED_EVENT",
    "CLOSED_EVENT",
    "REOPENED_EVENT",
    "MARKED_AS_DUPLICATE_EVENT",
)

_REACTIONS = "reactionGroups { content reactors { totalCount } }"

_COMMENT_FIELDS = (
    "databaseId url body createdAt updatedAt authorAssociation author { login } " + _REACTIONS
)

_TIMELINE_FIELDS = (
    "__typename "
    "... on LabeledEvent { createdAt actor { login } label { name } } "
    "... on UnlabeledEvent { createdAt actor { login } label { name } } "
    "... on ClosedEvent { createdAt actor { login } stateReason } "
    "... on ReopenedEvent { createdAt actor { login } } "
    "... on MarkedAsDuplicateEvent { createdAt actor { login } "
    "canonical { ... on Issue { number repository { nameWithOwner } } } }"
)

#: one page of issues, oldest update first, optionally only those updated since ``$since``
ISSUES_PAGE = (
    "query IssuesPage($owner: String!, $name: String!, $first: Int!, $after: String, "
    "$since: DateTime) { "
    "rateLimit { cost remaining resetAt } "
    "repository(owner: $owner, name: $name) { "
    "issues(first: $first, after: $after, orderBy: {field: UPDATED_AT, direction: ASC}, "
    "filterBy: {since: $since}) { "
    "totalCount pageInfo { hasNextPage endCursor } "
    "nodes { number url title body state stateReason locked createdAt updatedAt closedAt "
    "authorAssociation author { login } "
    "labels(first: 100) { nodes { name color description } } "
    "assignees(first: 100) { nodes { login } } "
    "milestone { title } " + _REACTIONS + " "
    "comments(first: 100) { totalCount pageInfo { hasNextPage endCursor } "
    "nodes { " + _COMMENT_FIELDS + " } } "
    "timelineItems(first: 100, itemTypes: [" + ", ".join(TIMELINE_TYPES) + "]) { "
    "totalCount pageInfo { hasNextPage endCursor } nodes { " + _TIMELINE_FIELDS + " } } "
    "} } } }"
)

#: more comments of one issue (after the first 100)
ISSUE_COMMENTS = (
    "query IssueComments($owner: String!, $name: String!, $number: Int!, $after: String) { "
    "repository(owner: $owner, name: $name) { issue(number: $number) { "
    "comments(first: 100, after: $after) { pageInfo { hasNextPage endCursor } "
    "nodes { " + _COMMENT_FIELDS + " } } } } }"
)

#: more timeline events of one issue (after the first 100)
ISSUE_TIMELINE = (
    "query IssueTimeline($owner: String!, $name: String!, $number: Int!, $after: String) { "
    "repository(owner: $owner, name: $name) { issue(number: $number) { "
    "timelineItems(first: 100, after: $after, itemTypes: [" + ", ".join(TIMELINE_TYPES) + "]) { "
    "pageInfo { hasNextPage endCursor } nodes { " + _TIMELINE_FIELDS + " } } } } }"
)

#: operation name -> query text (the test server answers exactly these)
QUERIES = {
    "IssuesPage": ISSUES_PAGE,
    "IssueComments": ISSUE_COMMENTS,
    "IssueTimeline": ISSUE_TIMELINE,
}

#: GraphQL ReactionContent -> REST reaction name
REACTION_NAMES = {
    "THUMBS_UP": "+1",
    "THUMBS_DOWN": "-1",
    "LAUGH": "laugh",
    "HOORAY": "hooray",
    "CONFUSED": "confused",
    "HEART": "heart",
    "ROCKET": "rocket",
    "EYES": "eyes",
}

_EVENT_NAMES = {
    "LabeledEvent": "labeled",
    "UnlabeledEvent": "unlabeled",
    "ClosedEvent": "closed",
    "ReopenedEvent": "reopened",
    "MarkedAsDuplicateEvent": "marked_as_duplicate",
}


def _login(node: Any) -> str:
    if isinstance(node, dict):
        return str(node.get("login") or "ghost")
    return "ghost"  # GitHub's name for a deleted account


def _user(node: Any) -> dict[str, str]:
    return {"login": _login(node)}


def rest_reactions(groups: Any) -> dict[str, int]:
    out = dict.fromkeys(REACTION_NAMES.values(), 0)
    for g in groups or ():
        name = REACTION_NAMES.get(str(g.get("content", "")))
        if name is not None:
            out[name] = int((g.get("reactors") or {}).get("totalCount", 0))
    out["total_count"] = sum(out.values())
    return out


def _lower(value: Any) -> str | None:
    return str(value).lower() if value else None


def rest_comment(node: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": int(node.get("databaseId") or 0),
        "html_url": node.get("url", ""),
        "user": _user(node.get("author")),
        "body": node.get("body") or "",
        "created_at": node.get("createdAt"),
        "updated_at": node.get("updatedAt"),
        "author_association": node.get("authorAssociation") or "NONE",
        "reactions": rest_reactions(node.get("reactionGroups")),
    }


def rest_event(node: dict[str, Any]) -> dict[str, Any] | None:
    kind = _EVENT_NAMES.get(str(node.get("__typename", "")))
    if kind is None:
        return None
    out: dict[str, Any] = {
        "event": kind,
        "actor": _user(node.get("actor")),
        "created_at": node.get("createdAt"),
    }
    if kind in ("labeled", "unlabeled"):
        out["label"] = {"name": (node.get("label") or {}).get("name", "")}
    elif kind == "closed":
        out["state_reason"] = _lower(node.get("stateReason"))
    elif kind == "marked_as_duplicate":
        canonical = node.get("canonical") or {}
        repo = (canonical.get("repository") or {}).get("nameWithOwner", "")
        if canonical.get("number") is not None:
            # records.event_from_rest reads the duplicate's target from "subject"
            out["subject"] = f"{repo}#{canonical['number']}" if repo else f"#{canonical['number']}"
    return out


def rest_issue(node: dict[str, Any]) -> dict[str, Any]:
    """An issue node as the REST API spells it (without comments and events)."""
    milestone = node.get("milestone")
    return {
        "number": int(node["number"]),
        "html_url": node.get("url", ""),
        "title": node.get("title") or "",
        "body": node.get("body") or "",
        "user": _user(node.get("author")),
        "author_association": node.get("authorAssociation") or "NONE",
        "state": str(node.get("state", "OPEN")).lower(),
        "state_reason": _lower(node.get("stateReason")),
        "locked": bool(node.get("locked")),
        "created_at": node.get("createdAt"),
        "updated_at": node.get("updatedAt"),
        "closed_at": node.get("closedAt"),
        "labels": [
            {
                "name": lab.get("name", ""),
                "color": lab.get("color") or "",
                "description": lab.get("description") or "",
            }
            for lab in (node.get("labels") or {}).get("nodes", [])
        ],
        "assignees": [_user(a) for a in (node.get("assignees") or {}).get("nodes", [])],
        "milestone": {"title": milestone.get("title", "")} if milestone else None,
        "reactions": rest_reactions(node.get("reactionGroups")),
        "comments": int((node.get("comments") or {}).get("totalCount", 0)),
    }
