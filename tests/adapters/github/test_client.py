"""The GitHub client (Tracker, IssueSource) against the test server."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import SecretStr

from support.github_fixtures import make_client, settings_for
from support.github_server import TOKEN, FakeClock, Fault, GithubServer
from triagedesk.adapters.github.client import GithubClient, build_client
from triagedesk.domain.errors import NotFoundError, TrackerUnavailable
from triagedesk.domain.model import (
    CloseReason,
    EventKind,
    IssueRef,
    IssueState,
    RepoRef,
)
from triagedesk.settings import Secrets

REPO = RepoRef("docker", "for-win")
T0 = 1_700_000_000.0


def test_issue_page_carries_labels_comments_reactions_and_label_events(
    github_server: GithubServer,
) -> None:
    clock = FakeClock(T0 + 10_000)
    github_server.add_issue(
        str(REPO),
        title="WSL 2 backend fails",
        labels=("status/0-triage", "area/wsl2"),
        comments=["same here", "me too"],
        reactions={"+1": 3, "heart": 1},
        created=T0,
        events=[
            {
                "event": "labeled",
                "actor": {"login": "alice"},
                "created_at": "2023-11-14T22:20:00Z",
                "label": {"name": "status/0-triage"},
            },
            {
                "event": "marked_as_duplicate",
                "actor": {"login": "bob"},
                "created_at": "2023-11-14T22:30:00Z",
                "subject": "docker/for-win#1",
            },
            {"event": "subscribed", "actor": {"login": "x"}, "created_at": "2023-11-14T22:30:00Z"},
        ],
    )
    github_server.add_issue(str(REPO), title="a pull request", pull=True, created=T0 + 5)
    client = make_client(github_server, clock)
    page = client.issue_page(REPO, since=None, after=None)
    assert [i.number for i in page.issues] == [1]
    issue = page.issues[0]
    assert issue.title == "WSL 2 backend fails"
    assert issue.labels == ("status/0-triage", "area/wsl2")
    assert [c.body for c in issue.comments] == ["same here", "me too"]
    assert all(c.id > 0 for c in issue.comments)
    assert issue.reactions.as_dict() == {"+1": 3, "heart": 1}
    assert [(e.kind, e.subject) for e in issue.events] == [
        (EventKind.LABELED, "status/0-triage"),
        (EventKind.MARKED_AS_DUPLICATE, "docker/for-win#1"),
    ]
    assert issue.created_at == datetime.fromtimestamp(T0, UTC)
    assert page.requests == 1 and page.followups == 0 and not page.has_next


def test_issues_with_more_than_100_comments_get_follow_up_pages(
    github_server: GithubServer,
) -> None:
    clock = FakeClock(T0 + 10_000)
    github_server.add_issue(str(REPO), comments=250, created=T0)
    github_server.add_issue(str(REPO), comments=3, created=T0 + 1)
    client = make_client(github_server, clock)
    page = client.issue_page(REPO, since=None, after=None)
    assert [len(i.comments) for i in page.issues] == [250, 3]
    assert page.followups == 2 and page.requests == 3
    assert len({c.id for c in page.issues[0].comments}) == 250


def test_big_pages_that_time_out_on_github_are_asked_again_smaller(
    github_server: GithubServer,
) -> None:
    clock = FakeClock(T0 + 10_000)
    for i in range(60):
        github_server.add_issue(str(REPO), created=T0 + i)
    client = make_client(github_server, clock, max_retries=1)
    github_server.inject("POST", "/graphql", Fault(502), Fault(502))
    page = client.issue_page(REPO, since=None, after=None)
    assert len(page.issues) == 50 and page.has_next
    rest = client.issue_page(REPO, since=None, after=page.end_cursor)
    assert [i.number for i in rest.issues] == list(range(51, 61))


def test_writes_change_the_tracker(github_server: GithubServer) -> None:
    clock = FakeClock(T0 + 10_000)
    github_server.add_issue(str(REPO), labels=("status/0-triage",), created=T0)
    client = make_client(github_server, clock)
    ref = IssueRef(REPO, 1)
    client.add_labels(ref, ["status/1-acknowledged", "area/wsl2"])
    client.remove_label(ref, "status/0-triage")
    client.remove_label(ref, "status/0-triage")  # already gone: nothing to do, no error
    cid = client.create_comment(ref, "<!-- triagedesk:ask -->\nPlease upload diagnostics.")
    client.update_comment(REPO, cid, "<!-- triagedesk:ask -->\nThanks!")
    client.add_assignees(ref, ["@alice"])
    client.set_state(ref, IssueState.CLOSED, CloseReason.NOT_PLANNED)
    issue = client.fetch_issue(ref)
    assert issue.labels == ("status/1-acknowledged", "area/wsl2")
    assert issue.assignees == ("alice",)
    assert issue.state is IssueState.CLOSED and issue.state_reason is CloseReason.NOT_PLANNED
    comments = client.list_comments(ref)
    assert [(c.id, c.body) for c in comments] == [(cid, "<!-- triagedesk:ask -->\nThanks!")]
    with pytest.raises(NotFoundError):
        client.fetch_issue(IssueRef(REPO, 99))


def test_create_issue_and_find_it_by_marker_even_before_search_indexes_it(
    github_server: GithubServer,
) -> None:
    clock = FakeClock(T0 + 10_000)
    internal = RepoRef("docker", "pinata")
    github_server.add_issue(str(internal), body="unrelated", created=T0)
    github_server.search_lag = True
    client = make_client(github_server, clock)
    marker = "<!-- triagedesk:escalation docker/for-win#7 -->"
    assert client.find_issue_with_marker(internal, marker) is None
    ref = client.create_issue(
        internal, "Engine fails", f"{marker}\nDetails", ["area/wsl2"], ["bob"]
    )
    assert ref == IssueRef(internal, 2)
    assert client.find_issue_with_marker(internal, marker) == ref
    github_server.repo(str(internal)).unindexed.clear()
    github_server.clear_log()
    assert client.find_issue_with_marker(internal, marker) == ref
    assert [r.path for r in github_server.requests()] == ["/search/issues"]


def test_create_issue_failing_after_it_happened_is_not_repeated(
    github_server: GithubServer,
) -> None:
    clock = FakeClock(T0 + 10_000)
    internal = RepoRef("docker", "pinata")
    github_server.repo(str(internal))
    github_server.inject("POST", "/repos/docker/pinata/issues", Fault(500, apply=True))
    client = make_client(github_server, clock)
    with pytest.raises(TrackerUnavailable):
        client.create_issue(internal, "t", "<!-- m -->")
    assert len(github_server.repo(str(internal)).issues) == 1
    assert client.find_issue_with_marker(internal, "<!-- m -->") == IssueRef(internal, 1)


def test_ensure_label_is_idempotent(github_server: GithubServer) -> None:
    clock = FakeClock(T0 + 10_000)
    github_server.repo(str(REPO))
    client = make_client(github_server, clock)
    name = "status/0-triage"
    assert client.ensure_label(REPO, name, "ededed", "The issue needs triaging") == "created"
    github_server.clear_log()
    assert client.ensure_label(REPO, name, "EDEDED", "The issue needs triaging") == "unchanged"
    assert [r.method for r in github_server.requests()] == ["GET"]
    assert client.ensure_label(REPO, name, "fbca04", "The issue needs triaging") == "updated"
    assert (
        client.ensure_label(REPO, "STATUS/0-TRIAGE", "fbca04", "The issue needs triaging")
        == "updated"
    )
    labels = {lab.name: lab for lab in client.list_labels(REPO)}
    assert labels["STATUS/0-TRIAGE"].color == "fbca04"


def test_probe_is_answered_304_when_nothing_changed(github_server: GithubServer) -> None:
    clock = FakeClock(T0 + 10_000)
    github_server.add_issue(str(REPO), created=T0)
    client = make_client(github_server, clock)
    first = client.probe(REPO, None, None)
    assert first.changed and first.etag
    again = client.probe(REPO, first.etag, first.last_modified)
    assert not again.changed and again.etag == first.etag
    assert github_server.requests()[-1].status == 304
    clock.advance(60)
    client.add_labels(IssueRef(REPO, 1), ["area/wsl2"])
    assert client.probe(REPO, first.etag, first.last_modified).changed


def test_graphql_rate_limit_in_a_200_answer_waits_for_the_reset(
    github_server: GithubServer,
) -> None:
    clock = FakeClock(T0 + 10_000)
    github_server.add_issue(str(REPO), created=T0)
    client = make_client(github_server, clock)
    github_server.set_rate("graphql", remaining=0, reset_in=30)
    page = client.issue_page(REPO, since=None, after=None)
    assert [i.number for i in page.issues] == [1]
    assert len(clock.sleeps) == 1 and 30 <= clock.sleeps[0] <= 32


def test_github_enterprise_server_paths(github_server: GithubServer) -> None:
    clock = FakeClock(T0 + 10_000)
    for i in range(150):
        github_server.add_issue(str(REPO), created=T0 + i)
    github_server.clock = clock

    settings = settings_for(github_server, api_url=github_server.url + "/api/v3", page_size=100)
    assert settings.graphql_endpoint() == github_server.url + "/api/graphql"

    client: GithubClient = build_client(
        settings, Secrets(github_token=SecretStr(TOKEN)), clock=clock, sleep=clock.sleep
    )
    page = client.issue_page(REPO, since=None, after=None)
    assert len(page.issues) == 100
    comments_path = f"/repos/{REPO}/issues/1/comments"
    assert client.list_comments(IssueRef(REPO, 1)) == []
    assert len(client.list_labels(REPO)) == 0
    assert github_server.requests("GET", comments_path)
    # pagination links keep the /api/v3 prefix
    numbers = [i["number"] for i in client.t.paginate(f"/repos/{REPO}/issues", {"state": "all"})]
    assert len(numbers) == 150


def test_marker_lookup_falls_back_to_the_scan_when_search_is_rate_limited(
    github_server: GithubServer,
) -> None:
    clock = FakeClock(T0 + 10_000)
    internal = RepoRef("docker", "pinata")
    marker = '<!-- triagedesk:escalation "docker/for-mac#3" -->'
    github_server.add_issue(str(internal), body=f"{marker}\nbody", created=T0)
    github_server.set_rate("search", remaining=0, reset_in=3000)
    client = make_client(github_server, clock, max_wait_seconds=60)
    assert client.find_issue_with_marker(internal, marker) == IssueRef(internal, 1)
    assert [r.path for r in github_server.requests()] == [
        "/search/issues",
        "/repos/docker/pinata/issues",
    ]


def test_an_issue_gone_before_its_follow_up_page_is_skipped(github_server: GithubServer) -> None:
    clock = FakeClock(T0 + 10_000)
    github_server.add_issue(str(REPO), comments=120, created=T0)
    github_server.add_issue(str(REPO), comments=1, created=T0 + 1)
    client = make_client(github_server, clock)
    # issue 1 is deleted right after the first page is served: its follow-up is NOT_FOUND
    served = {"n": 0}
    handle = github_server.handle

    def handle_then_delete(req):  # type: ignore[no-untyped-def]
        result = handle(req)
        if req.path == "/graphql" and served["n"] == 0:
            served["n"] += 1
            del github_server.repo(str(REPO)).issues[1]
        return result

    github_server.handle = handle_then_delete  # type: ignore[method-assign]
    page = client.issue_page(REPO, since=None, after=None)
    assert [i.number for i in page.issues] == [2]
