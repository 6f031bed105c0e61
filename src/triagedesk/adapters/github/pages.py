"""The sync's source: a conditional probe and GraphQL pages of whole issues.

:class:`IssuePages` implements :class:`triagedesk.ports.issue_source.IssueSource`;
:class:`~triagedesk.adapters.github.client.GithubClient` hands its two methods on.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from triagedesk.adapters.github import graphql as gq
from triagedesk.adapters.github import records
from triagedesk.adapters.github.rest import Kind, Transport
from triagedesk.domain.errors import (
    InputError,
    NotFoundError,
    RateLimited,
    TrackerError,
    TrackerUnavailable,
)
from triagedesk.domain.model import Issue, RepoRef
from triagedesk.ports.issue_source import IssuePage, Probe

log = logging.getLogger(__name__)

#: smallest GraphQL page asked for when big pages keep failing
MIN_PAGE = 25


def field_of(obj: Any, key: str, what: str) -> Any:
    """``obj[key]`` of a GitHub answer, or a TrackerError naming what was malformed."""
    if not isinstance(obj, dict) or obj.get(key) is None:
        raise TrackerError(f"GitHub answered {what} without {key!r}")
    return obj[key]


def _dig(obj: Any, *keys: str) -> Any:
    for key in keys:
        obj = field_of(obj, key, "a GraphQL follow-up page")
    return obj


def _advanced(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """The next pageInfo, refusing one that does not move (a loop otherwise)."""
    if after.get("hasNextPage") and after.get("endCursor") in (None, before.get("endCursor")):
        raise TrackerError("GitHub answered a follow-up page whose cursor does not advance")
    return after


class IssuePages:
    """Reads issues for the sync through one Transport."""

    def __init__(self, transport: Transport) -> None:
        self.t = transport
        self.page_size = transport.settings.page_size

    def probe(self, repo: RepoRef, etag: str | None, last_modified: str | None) -> Probe:
        """The newest-updated issue (or pull request) of ``repo``, asked conditionally.

        Any change to any issue (edit, label, comment, close) bumps its ``updated_at``
        and so changes this one-item page and its ETag; an unchanged repository is
        answered 304, which GitHub does not count against the rate limit.
        """
        headers: dict[str, str] = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        answer = self.t.request(
            "GET",
            f"/repos/{repo}/issues",
            params={"state": "all", "sort": "updated", "direction": "desc", "per_page": 1},
            headers=headers,
        )
        if answer.not_modified:
            return Probe(False, etag, last_modified)
        return Probe(True, answer.headers.get("etag"), answer.headers.get("last-modified"))

    def _graphql(self, operation: str, variables: dict[str, Any]) -> dict[str, Any]:
        waited = False
        while True:
            answer = self.t.request(
                "POST",
                self.t.settings.graphql_endpoint(),
                json={
                    "query": gq.QUERIES[operation],
                    "operationName": operation,
                    "variables": variables,
                },
                kind=Kind.READ,
                resource="graphql",
            )
            body = answer.body if isinstance(answer.body, dict) else {}
            errors = body.get("errors") or []
            if not errors:
                break
            first = errors[0] if isinstance(errors[0], dict) else {"message": str(errors[0])}
            kind = str(first.get("type", ""))
            msg = str(first.get("message", ""))[:300]
            if kind == "NOT_FOUND":
                raise NotFoundError(f"GitHub GraphQL {operation}: {msg}")
            if kind == "RATE_LIMITED" and not waited:
                # GraphQL says so in a 200 answer: wait for the reset (or stop) like REST
                self.t.wait_for_reset(self.t.rate.bucket("graphql").reset_at, "graphql")
                waited = True
                continue
            if kind == "RATE_LIMITED":
                raise RateLimited(
                    f"GitHub GraphQL rate limit: {msg}",
                    reset_at=self.t.rate.bucket("graphql").reset_at,
                )
            raise TrackerError(f"GitHub GraphQL {operation}: {kind or 'error'}: {msg}")
        data = body.get("data")
        if not isinstance(data, dict):
            raise TrackerError(f"GitHub GraphQL {operation}: answer without data")
        return data

    def issue_page(self, repo: RepoRef, *, since: datetime | None, after: str | None) -> IssuePage:
        sent_before = self.t.rate.sent
        first = self.page_size
        while True:
            variables: dict[str, Any] = {
                "owner": repo.owner,
                "name": repo.name,
                "first": first,
                "after": after,
                "since": since.astimezone(UTC).isoformat().replace("+00:00", "Z")
                if since
                else None,
            }
            try:
                data = self._graphql("IssuesPage", variables)
                break
            except TrackerUnavailable:
                # big pages time out on GitHub's side (502 after ~10 s): a smaller page
                # at the same cursor asks for less work
                if first <= MIN_PAGE:
                    raise
                first = max(MIN_PAGE, first // 2)
        repository = data.get("repository")
        if repository is None:
            raise NotFoundError(f"repository {repo} not found on GitHub (or not visible)")
        conn = field_of(repository, "issues", "an issue page")
        followups_before = self.t.rate.sent
        issues: list[Issue] = []
        rejected = 0
        for node in conn.get("nodes") or []:
            try:
                issue = self._issue_from_node(repo, node)
            except NotFoundError as exc:
                # deleted or transferred between the page and its follow-up
                log.warning("github: %s: an issue went away mid-page: %s", repo, exc)
                continue
            except (InputError, KeyError, TypeError, ValueError) as exc:
                # one malformed issue must not stop the sync: skip it, say so, keep the rest
                log.warning("github: %s: skipped a malformed issue: %s", repo, exc)
                rejected += 1
                continue
            if issue is not None:
                issues.append(issue)
        followups = self.t.rate.sent - followups_before
        info = conn.get("pageInfo") or {}
        return IssuePage(
            issues=tuple(issues),
            end_cursor=info.get("endCursor"),
            has_next=bool(info.get("hasNextPage")),
            total=conn.get("totalCount"),
            requests=self.t.rate.sent - sent_before,
            followups=followups,
            rejected=rejected,
        )

    def _issue_from_node(self, repo: RepoRef, node: dict[str, Any]) -> Issue | None:
        comments_conn = node.get("comments") or {}
        comments = [gq.rest_comment(c) for c in comments_conn.get("nodes") or []]
        info = comments_conn.get("pageInfo") or {}
        while info.get("hasNextPage"):
            more = self._graphql(
                "IssueComments",
                {
                    "owner": repo.owner,
                    "name": repo.name,
                    "number": node["number"],
                    "after": info.get("endCursor"),
                },
            )
            conn = _dig(more, "repository", "issue", "comments")
            comments.extend(gq.rest_comment(c) for c in conn.get("nodes") or [])
            info = _advanced(info, conn.get("pageInfo") or {})
        timeline_conn = node.get("timelineItems") or {}
        events = [e for e in (gq.rest_event(n) for n in timeline_conn.get("nodes") or []) if e]
        info = timeline_conn.get("pageInfo") or {}
        while info.get("hasNextPage"):
            more = self._graphql(
                "IssueTimeline",
                {
                    "owner": repo.owner,
                    "name": repo.name,
                    "number": node["number"],
                    "after": info.get("endCursor"),
                },
            )
            conn = _dig(more, "repository", "issue", "timelineItems")
            events.extend(e for e in (gq.rest_event(n) for n in conn.get("nodes") or []) if e)
            info = _advanced(info, conn.get("pageInfo") or {})
        raw = gq.rest_issue(node)
        raw["comments"] = comments
        raw["events"] = events
        return records.issue_from_rest(raw, repo=repo)
