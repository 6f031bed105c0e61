"""The GitHub client: the Tracker (write-back), the IssueSource (sync) and the LabelSource.

Built by the composition roots with :func:`build_client`. Every method is one
small read or write (or a few, for pagination and follow-ups); idempotence across
calls is the caller's (``app/apply.py``: read, compare, change only what differs).
JSON becomes domain objects through ``records.py`` only; GraphQL nodes are first
reshaped as REST JSON (``graphql.py``).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import httpx

from triagedesk.adapters.github import records
from triagedesk.adapters.github.auth import AppInstallationToken, StaticToken, token_source
from triagedesk.adapters.github.pages import IssuePages, field_of
from triagedesk.adapters.github.rest import Answer, Kind, Transport
from triagedesk.domain.errors import (
    ConfigError,
    InputError,
    NotFoundError,
    RateLimited,
    TrackerError,
    TrackerUnavailable,
)
from triagedesk.domain.model import (
    CloseReason,
    Comment,
    Issue,
    IssueRef,
    IssueState,
    Label,
    RepoRef,
)
from triagedesk.ports.issue_source import IssuePage, Probe
from triagedesk.settings import Secrets
from triagedesk.settings.github import GithubSettings


def _label_path(name: str) -> str:
    return quote(name, safe="")


def _parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


class GithubClient:
    """Talks to one GitHub (github.com or an Enterprise Server) through one Transport."""

    def __init__(self, transport: Transport) -> None:
        self.t = transport
        self.pages = IssuePages(transport)

    def close(self) -> None:
        self.t.close()

    @property
    def stats(self) -> dict[str, int]:
        """Requests this client sent, counted by GitHub, and answered 304."""
        r = self.t.rate
        return {"sent": r.sent, "counted": r.counted, "not_modified": r.not_modified}

    # -- Tracker: reads ------------------------------------------------------------------

    def fetch_issue(self, ref: IssueRef) -> Issue:
        answer = self.t.request("GET", f"/repos/{ref.repo}/issues/{ref.number}")
        try:
            issue = records.issue_from_rest(answer.body, repo=ref.repo)
        except InputError as exc:
            raise TrackerError(f"GitHub answered a malformed issue {ref}: {exc}") from None
        if issue is None:
            raise NotFoundError(f"{ref} is a pull request, not an issue")
        return issue

    def list_comments(self, ref: IssueRef) -> list[Comment]:
        path = f"/repos/{ref.repo}/issues/{ref.number}/comments"
        try:
            return [records.comment_from_rest(c)[1] for c in self.t.paginate(path)]
        except InputError as exc:
            raise TrackerError(f"GitHub answered a malformed comment on {ref}: {exc}") from None

    def list_labels(self, repo: RepoRef) -> list[Label]:
        return [
            Label(
                name=str(lab.get("name", "")),
                color=str(lab.get("color") or ""),
                description=str(lab.get("description") or ""),
            )
            for lab in self.t.paginate(f"/repos/{repo}/labels")
        ]

    def find_issue_with_marker(self, repo: RepoRef, marker: str) -> IssueRef | None:
        """Search first (``repo:o/r in:body "marker"``); then scan the newest issues.

        The search index lags a minute or so behind: an issue opened seconds ago is
        not found by search yet, so the newest page of issues is scanned too. Either
        way the body must contain ``marker`` exactly (search matches loosely).
        """
        text = marker.strip()
        if text.startswith("<!--") and text.endswith("-->"):
            text = text[4:-3].strip()
        # a quote would end the phrase early: search ignores punctuation anyway
        query = f'repo:{repo} in:body "{text.replace(chr(34), " ")}" is:issue'
        try:
            answer = self.t.request(
                "GET",
                "/search/issues",
                params={"q": query, "per_page": 20},
                resource="search",
            )
            for item in (answer.body or {}).get("items", []):
                if marker in str(item.get("body") or "") and "pull_request" not in item:
                    return IssueRef(repo, int(item["number"]))
        except (RateLimited, TrackerUnavailable):
            pass  # the scan below still answers for recent issues
        answer = self.t.request(
            "GET",
            f"/repos/{repo}/issues",
            params={"state": "all", "sort": "created", "direction": "desc", "per_page": 100},
        )
        for item in answer.body or []:
            if marker in str(item.get("body") or "") and "pull_request" not in item:
                return IssueRef(repo, int(item["number"]))
        return None

    # -- Tracker: writes -----------------------------------------------------------------

    def add_labels(self, ref: IssueRef, labels: Sequence[str]) -> None:
        if not labels:
            return
        self.t.request(
            "POST",
            f"/repos/{ref.repo}/issues/{ref.number}/labels",
            json={"labels": list(labels)},
            kind=Kind.IDEMPOTENT,
            content=True,
        )

    def remove_label(self, ref: IssueRef, label: str) -> None:
        try:
            self.t.request(
                "DELETE",
                f"/repos/{ref.repo}/issues/{ref.number}/labels/{_label_path(label)}",
                kind=Kind.IDEMPOTENT,
                content=True,
            )
        except NotFoundError:
            # the label is not on the issue (any more): the wanted state already holds.
            # A missing issue still fails loudly on the next read.
            return

    def create_comment(self, ref: IssueRef, body: str) -> int:
        answer = self.t.request(
            "POST",
            f"/repos/{ref.repo}/issues/{ref.number}/comments",
            json={"body": body},
            kind=Kind.CREATE,
            content=True,
        )
        return int(field_of(answer.body, "id", "the new comment"))

    def update_comment(self, repo: RepoRef, comment_id: int, body: str) -> None:
        self.t.request(
            "PATCH",
            f"/repos/{repo}/issues/comments/{comment_id}",
            json={"body": body},
            kind=Kind.IDEMPOTENT,
            content=True,
        )

    def set_state(self, ref: IssueRef, state: IssueState, reason: CloseReason | None) -> None:
        payload: dict[str, Any] = {"state": state.value}
        if reason is not None:
            payload["state_reason"] = reason.value
        self.t.request(
            "PATCH",
            f"/repos/{ref.repo}/issues/{ref.number}",
            json=payload,
            kind=Kind.IDEMPOTENT,
            content=True,
        )

    def add_assignees(self, ref: IssueRef, logins: Sequence[str]) -> None:
        if not logins:
            return
        self.t.request(
            "POST",
            f"/repos/{ref.repo}/issues/{ref.number}/assignees",
            json={"assignees": [x.lstrip("@") for x in logins]},
            kind=Kind.IDEMPOTENT,
            content=True,
        )

    def create_issue(
        self,
        repo: RepoRef,
        title: str,
        body: str,
        labels: Sequence[str] = (),
        assignees: Sequence[str] = (),
    ) -> IssueRef:
        payload: dict[str, Any] = {"title": title, "body": body}
        if labels:
            payload["labels"] = list(labels)
        if assignees:
            payload["assignees"] = [x.lstrip("@") for x in assignees]
        answer = self.t.request(
            "POST", f"/repos/{repo}/issues", json=payload, kind=Kind.CREATE, content=True
        )
        return IssueRef(repo, int(field_of(answer.body, "number", "the new issue")))

    def ensure_label(self, repo: RepoRef, name: str, color: str, description: str) -> str:
        """Create or update a label; "created", "updated" or "unchanged" (no write then)."""
        color = color.lstrip("#").lower()
        description = description[:100]  # GitHub refuses longer descriptions
        try:
            current = self.t.request("GET", f"/repos/{repo}/labels/{_label_path(name)}").body
        except NotFoundError:
            current = None
        if current is None:
            try:
                self.t.request(
                    "POST",
                    f"/repos/{repo}/labels",
                    json={"name": name, "color": color, "description": description},
                    kind=Kind.CREATE,
                    content=True,
                )
                return "created"
            except TrackerError as exc:
                if "already_exists" not in str(exc):
                    raise
                current = self.t.request("GET", f"/repos/{repo}/labels/{_label_path(name)}").body
        if (
            str(current.get("name")) == name
            and str(current.get("color", "")).lower() == color
            and str(current.get("description") or "") == description
        ):
            return "unchanged"
        self.t.request(
            "PATCH",
            f"/repos/{repo}/labels/{_label_path(str(current.get('name', name)))}",
            json={"new_name": name, "color": color, "description": description},
            kind=Kind.IDEMPOTENT,
            content=True,
        )
        return "updated"

    # -- IssueSource ---------------------------------------------------------------------
    def probe(self, repo: RepoRef, etag: str | None, last_modified: str | None) -> Probe:
        return self.pages.probe(repo, etag, last_modified)

    def issue_page(self, repo: RepoRef, *, since: datetime | None, after: str | None) -> IssuePage:
        return self.pages.issue_page(repo, since=since, after=after)


def build_client(
    settings: GithubSettings,
    secrets: Secrets,
    *,
    clock: Callable[[], float] = time.time,
    sleep: Callable[[float], None] = time.sleep,
    rng: random.Random | None = None,
    http: httpx.Client | None = None,
) -> GithubClient:
    """A client authenticated from the environment (token, or GitHub App)."""
    tokens = token_source(secrets, clock)
    transport = Transport(settings, tokens, clock=clock, sleep=sleep, rng=rng, http=http)
    if isinstance(tokens, AppInstallationToken):
        tokens.minter = _installation_minter(transport, tokens, settings.app_installation_id)
    return GithubClient(transport)


def _installation_minter(
    transport: Transport, tokens: AppInstallationToken, installation_id: int | None
) -> Callable[[str], tuple[str, datetime]]:
    chosen: list[int] = [installation_id] if installation_id else []

    def mint(app_jwt: str) -> tuple[str, datetime]:
        auth = f"Bearer {app_jwt}"
        if not chosen:
            found = transport.request("GET", "/app/installations", auth=auth).body or []
            if len(found) != 1:
                raise ConfigError(
                    f"the GitHub App has {len(found)} installations: set "
                    "github.app_installation_id to the one to use"
                )
            chosen.append(int(found[0]["id"]))
        answer: Answer = transport.request(
            "POST",
            f"/app/installations/{chosen[0]}/access_tokens",
            auth=auth,
            kind=Kind.IDEMPOTENT,
        )
        body = answer.body or {}
        try:
            return str(body["token"]), _parse_time(str(body["expires_at"]))
        except (KeyError, ValueError):
            raise TrackerError(
                "GitHub answered the installation-token request without a token"
            ) from None

    return mint


__all__ = ["GithubClient", "StaticToken", "build_client"]
