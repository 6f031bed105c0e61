"""Every webhook fixture parses; the fixtures keep the shapes GitHub sends."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from support.webhooks import event_of, fixture_paths, load
from triagedesk.adapters.github.webhook_payloads import parse_payload, summary
from triagedesk.app.webhooks import is_handled
from triagedesk.domain.errors import InputError
from triagedesk.domain.model import IssueState, RepoRef
from triagedesk.ports.deliveries import IssueDelivery, PingDelivery, ReleaseDelivery

# the keys GitHub puts on these objects (written from GitHub's payload documentation)
ISSUE_KEYS = {
    "url", "repository_url", "labels_url", "comments_url", "events_url", "html_url", "id",
    "node_id", "number", "title", "user", "labels", "state", "locked", "assignee", "assignees",
    "milestone", "comments", "created_at", "updated_at", "closed_at", "author_association",
    "active_lock_reason", "body", "reactions", "draft",
}  # fmt: skip
USER_KEYS = {
    "login", "id", "node_id", "avatar_url", "gravatar_id", "url", "html_url", "followers_url",
    "following_url", "gists_url", "starred_url", "subscriptions_url", "organizations_url",
    "repos_url", "events_url", "received_events_url", "type", "site_admin",
}  # fmt: skip
COMMENT_KEYS = {
    "url", "html_url", "issue_url", "id", "node_id", "user", "created_at", "updated_at",
    "author_association", "performed_via_github_app", "body", "reactions",
}  # fmt: skip


@pytest.mark.parametrize("path", fixture_paths(), ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_every_fixture_parses(path: Path) -> None:
    event = event_of(path)
    data = json.loads(path.read_text())
    action, repo = summary(data)
    assert repo == data["repository"]["full_name"]
    assert data["sender"]["login"]
    assert set(data["sender"]) == USER_KEYS
    if "issue" in data:
        assert ISSUE_KEYS <= set(data["issue"]) <= ISSUE_KEYS | {"state_reason", "pull_request"}
        assert set(data["issue"]["user"]) == USER_KEYS
    if "comment" in data:
        assert set(data["comment"]) == COMMENT_KEYS
    if not is_handled(event, action):
        return
    parsed = parse_payload(event, action, path.read_bytes())
    if event in ("issues", "issue_comment"):
        assert isinstance(parsed, IssueDelivery)
        assert parsed.issue.ref.repo == RepoRef.parse(repo)
        assert parsed.issue.number == data["issue"]["number"]
        assert parsed.issue.title == data["issue"]["title"]
        assert parsed.issue.body == (data["issue"]["body"] or "")
        assert parsed.issue.labels == tuple(lab["name"] for lab in data["issue"]["labels"])
        assert parsed.actor == data["sender"]["login"]
        assert parsed.issue.created_at.tzinfo is not None
        if event == "issue_comment":
            assert parsed.comment is not None
            assert parsed.comment.id == data["comment"]["id"]
            assert parsed.subject == str(data["comment"]["id"])
    elif event == "release":
        assert isinstance(parsed, ReleaseDelivery)
        assert parsed.version == data["release"]["tag_name"].lstrip("v")
    elif event == "ping":
        assert isinstance(parsed, PingDelivery) and parsed.hook_id == data["hook_id"]


def test_details_of_each_action() -> None:
    labeled = parse_payload("issues", "labeled", json.dumps(load("issues/labeled")).encode())
    assert isinstance(labeled, IssueDelivery) and labeled.subject == "area/networking"
    closed = parse_payload("issues", "closed", json.dumps(load("issues/closed")).encode())
    assert isinstance(closed, IssueDelivery)
    assert closed.issue.state is IssueState.CLOSED and closed.issue.closed_at is not None
    moved = parse_payload("issues", "transferred", json.dumps(load("issues/transferred")).encode())
    assert isinstance(moved, IssueDelivery)
    assert moved.transferred_to == RepoRef("docker", "for-mac")
    assigned = parse_payload("issues", "assigned", json.dumps(load("issues/assigned")).encode())
    assert isinstance(assigned, IssueDelivery) and assigned.subject == "pinata-l1"
    pr = load("issue_comment/created.on-pull-request")
    parsed = parse_payload("issue_comment", "created", json.dumps(pr).encode())
    assert isinstance(parsed, IssueDelivery) and parsed.is_pull_request
    beta = parse_payload("release", "prereleased", json.dumps(load("release/prereleased")).encode())
    assert isinstance(beta, ReleaseDelivery) and beta.channel == "beta"
    stable = parse_payload("release", "published", json.dumps(load("release/published")).encode())
    assert isinstance(stable, ReleaseDelivery) and stable.channel == "stable"
    assert stable.version == "4.38.1"


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d.pop("issue"), "'issue'"),
        (lambda d: d["issue"].pop("number"), "number"),
        (lambda d: d["issue"].update(created_at="yesterday"), "timestamp"),
        (lambda d: d["repository"].update(full_name="no-slash"), "owner/name"),
        (lambda d: d["issue"].update(state="archived"), "state"),
    ],
)
def test_malformed_payload_names_the_field(mutate: object, message: str) -> None:
    data = load("issues/opened")
    mutate(data)  # type: ignore[operator]
    with pytest.raises(InputError, match=message):
        parse_payload("issues", "opened", json.dumps(data).encode())


@pytest.mark.parametrize("raw", [b"{nope", b"[1, 2]", b"\xff\xfe"])
def test_not_json(raw: bytes) -> None:
    with pytest.raises(InputError):
        parse_payload("issues", "opened", raw)
