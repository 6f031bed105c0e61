"""In-memory repositories for the GitHub test server, in the JSON shapes of the real API.

Issues, comments, events and labels are kept as REST JSON; GraphQL answers are
built from the same state. Timestamps come from the server's clock (injectable),
rounded to seconds like GitHub's.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from triagedesk.adapters.github import graphql as gq

REACTION_CONTENT = {v: k for k, v in gq.REACTION_NAMES.items()}
_EVENT_TYPENAMES = {
    "labeled": "LabeledEvent",
    "unlabeled": "UnlabeledEvent",
    "closed": "ClosedEvent",
    "reopened": "ReopenedEvent",
    "marked_as_duplicate": "MarkedAsDuplicateEvent",
}


def iso(ts: float) -> str:
    return datetime.fromtimestamp(int(ts), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def empty_reactions() -> dict[str, int]:
    out = dict.fromkeys(gq.REACTION_NAMES.values(), 0)
    out["total_count"] = 0
    return out


@dataclass
class RepoData:
    full_name: str
    issues: dict[int, dict[str, Any]] = field(default_factory=dict)
    comments: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    events: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    labels: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: issue numbers the search index does not know yet (GitHub's index lags)
    unindexed: set[int] = field(default_factory=set)
    next_number: int = 1


class GithubState:
    """Every repository the server knows, and the counters GitHub would keep."""

    def __init__(self, base_url: Callable[[], str], clock: Callable[[], float]) -> None:
        self.base_url = base_url
        self.clock = clock
        self.repos: dict[str, RepoData] = {}
        self.next_comment_id = 1_000_000
        self.next_event_id = 5_000_000
        self.actor = "triagedesk[bot]"

    def repo(self, full_name: str, create: bool = True) -> RepoData | None:
        key = full_name.lower()
        if key not in self.repos:
            if not create:
                return None
            self.repos[key] = RepoData(full_name)
        return self.repos[key]

    # -- seeding (tests) --------------------------------------------------------------------

    def add_issue(
        self,
        repo: str,
        *,
        title: str = "Docker Desktop does not start",
        body: str = "It hangs on start.",
        user: str = "reporter",
        labels: tuple[str, ...] = (),
        comments: int | list[str] = 0,
        state: str = "open",
        state_reason: str | None = None,
        created: float | None = None,
        updated: float | None = None,
        pull: bool = False,
        events: list[dict[str, Any]] | None = None,
        reactions: dict[str, int] | None = None,
    ) -> dict[str, Any]:
        r = self.repo(repo)
        assert r is not None
        number = r.next_number
        r.next_number += 1
        now = self.clock()
        created = now if created is None else created
        updated = created if updated is None else updated
        for name in labels:
            self._label(r, name)
        react = empty_reactions()
        for k, v in (reactions or {}).items():
            react[k] = v
        react["total_count"] = sum(v for k, v in react.items() if k != "total_count")
        issue: dict[str, Any] = {
            "id": 10_000_000 + number,
            "number": number,
            "html_url": f"https://github.com/{r.full_name}/{'pull' if pull else 'issues'}/{number}",
            "title": title,
            "body": body,
            "user": {"login": user},
            "author_association": "NONE",
            "state": state,
            "state_reason": state_reason,
            "locked": False,
            "labels": [dict(r.labels[n.lower()]) for n in labels],
            "assignees": [],
            "milestone": None,
            "reactions": react,
            "comments": 0,
            "created_at": iso(created),
            "updated_at": iso(updated),
            "closed_at": iso(updated) if state == "closed" else None,
        }
        if pull:
            issue["pull_request"] = {"url": f"{self.base_url()}/repos/{r.full_name}/pulls/{number}"}
        r.issues[number] = issue
        r.comments[number] = []
        r.events[number] = list(events or [])
        texts = (
            [f"comment {i + 1}" for i in range(comments)] if isinstance(comments, int) else comments
        )
        for i, text in enumerate(texts):
            self._append_comment(r, number, text, "helper", created + i + 1, touch=False)
        issue["comments"] = len(r.comments[number])
        return issue

    def _label(
        self, r: RepoData, name: str, color: str = "ededed", description: str = ""
    ) -> dict[str, Any]:
        key = name.lower()
        if key not in r.labels:
            r.labels[key] = {
                "id": 7_000_000 + len(r.labels),
                "name": name,
                "color": color,
                "description": description,
                "default": False,
            }
        return r.labels[key]

    def _append_comment(
        self, r: RepoData, number: int, body: str, user: str, at: float, *, touch: bool = True
    ) -> dict[str, Any]:
        self.next_comment_id += 1
        cid = self.next_comment_id
        comment = {
            "id": cid,
            "html_url": f"https://github.com/{r.full_name}/issues/{number}#issuecomment-{cid}",
            "user": {"login": user},
            "body": body,
            "author_association": "NONE",
            "created_at": iso(at),
            "updated_at": iso(at),
            "reactions": empty_reactions(),
        }
        r.comments[number].append(comment)
        r.issues[number]["comments"] = len(r.comments[number])
        if touch:
            self.touch(r, number)
        return comment

    def touch(self, r: RepoData, number: int) -> None:
        r.issues[number]["updated_at"] = iso(self.clock())

    def add_event(self, r: RepoData, number: int, kind: str, **extra: Any) -> None:
        self.next_event_id += 1
        event = {
            "id": self.next_event_id,
            "event": kind,
            "actor": {"login": self.actor},
            "created_at": iso(self.clock()),
            **extra,
        }
        r.events[number].append(event)

    def find_comment(self, r: RepoData, comment_id: int) -> dict[str, Any] | None:
        for comments in r.comments.values():
            for c in comments:
                if c["id"] == comment_id:
                    return c
        return None

    # -- GraphQL shapes -----------------------------------------------------------------------

    @staticmethod
    def reaction_groups(react: dict[str, int]) -> list[dict[str, Any]]:
        return [
            {"content": content, "reactors": {"totalCount": int(react.get(name, 0))}}
            for name, content in REACTION_CONTENT.items()
        ]

    def gql_comment(self, c: dict[str, Any]) -> dict[str, Any]:
        return {
            "databaseId": c["id"],
            "url": c["html_url"],
            "body": c["body"],
            "createdAt": c["created_at"],
            "updatedAt": c["updated_at"],
            "authorAssociation": c["author_association"],
            "author": {"login": c["user"]["login"]},
            "reactionGroups": self.reaction_groups(c["reactions"]),
        }

    @staticmethod
    def gql_event(e: dict[str, Any]) -> dict[str, Any] | None:
        typename = _EVENT_TYPENAMES.get(e["event"])
        if typename is None:
            return None
        out: dict[str, Any] = {
            "__typename": typename,
            "createdAt": e["created_at"],
            "actor": {"login": e["actor"]["login"]} if e.get("actor") else None,
        }
        if typename in ("LabeledEvent", "UnlabeledEvent"):
            out["label"] = {"name": e["label"]["name"]}
        elif typename == "ClosedEvent":
            reason = e.get("state_reason")
            out["stateReason"] = reason.upper() if reason else None
        elif typename == "MarkedAsDuplicateEvent":
            repo, _, number = str(e.get("subject", "")).partition("#")
            out["canonical"] = (
                {"number": int(number), "repository": {"nameWithOwner": repo}} if number else None
            )
        return out

    @staticmethod
    def page(items: list[Any], first: int, after: str | None) -> tuple[list[Any], dict[str, Any]]:
        start = int(after) if after else 0
        chunk = items[start : start + first]
        end = start + len(chunk)
        return chunk, {"hasNextPage": end < len(items), "endCursor": str(end) if chunk else after}

    def gql_issue(self, r: RepoData, issue: dict[str, Any]) -> dict[str, Any]:
        number = issue["number"]
        comments, cinfo = self.page([self.gql_comment(c) for c in r.comments[number]], 100, None)
        timeline = [x for x in (self.gql_event(e) for e in r.events[number]) if x]
        events, einfo = self.page(timeline, 100, None)
        reason = issue.get("state_reason")
        return {
            "number": number,
            "url": issue["html_url"],
            "title": issue["title"],
            "body": issue["body"],
            "state": issue["state"].upper(),
            "stateReason": reason.upper() if reason else None,
            "locked": issue["locked"],
            "createdAt": issue["created_at"],
            "updatedAt": issue["updated_at"],
            "closedAt": issue["closed_at"],
            "authorAssociation": issue["author_association"],
            "author": {"login": issue["user"]["login"]},
            "labels": {
                "nodes": [
                    {"name": lab["name"], "color": lab["color"], "description": lab["description"]}
                    for lab in issue["labels"]
                ]
            },
            "assignees": {"nodes": [{"login": a["login"]} for a in issue["assignees"]]},
            "milestone": issue["milestone"],
            "reactionGroups": self.reaction_groups(issue["reactions"]),
            "comments": {
                "totalCount": len(r.comments[number]),
                "pageInfo": cinfo,
                "nodes": comments,
            },
            "timelineItems": {"totalCount": len(timeline), "pageInfo": einfo, "nodes": events},
        }

    def issues_page(
        self, r: RepoData, first: int, after: str | None, since: str | None
    ) -> dict[str, Any]:
        """Issues (never pull requests) ordered by (updated_at, number); the cursor is the
        sort key of the last node, so an issue updated mid-backfill moves behind the cursor."""
        rows = [i for i in r.issues.values() if "pull_request" not in i]
        if since:
            floor = parse_iso(since)
            rows = [i for i in rows if parse_iso(i["updated_at"]) >= floor]
        rows.sort(key=lambda i: (parse_iso(i["updated_at"]), i["number"]))
        total = len(rows)
        if after:
            ts, _, num = base64.b64decode(after).decode().partition(":")
            key = (float(ts), int(num))
            rows = [i for i in rows if (parse_iso(i["updated_at"]), i["number"]) > key]
        chunk = rows[:first]
        end = None
        if chunk:
            last = chunk[-1]
            end = base64.b64encode(
                f"{parse_iso(last['updated_at'])}:{last['number']}".encode()
            ).decode()
        return {
            "totalCount": total,
            "pageInfo": {"hasNextPage": len(rows) > len(chunk), "endCursor": end or after},
            "nodes": [self.gql_issue(r, i) for i in chunk],
        }
