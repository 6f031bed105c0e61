"""apply.submit against the GitHub test server over real HTTP: the second apply sends no write."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.engine import Engine

from support.fake_issue_store import FakeIssueStore
from support.github_fixtures import make_client
from support.github_server import FakeClock, Fault, GithubServer, github_server
from triagedesk.adapters.store.action_log import SqlActionLog
from triagedesk.app import apply
from triagedesk.app.context import AppContext
from triagedesk.domain.actions import (
    AddLabels,
    Assign,
    Close,
    OpenInternal,
    RemoveLabels,
    SetStatus,
    UpsertComment,
)
from triagedesk.domain.errors import TrackerUnavailable
from triagedesk.domain.model import IssueRef, RepoRef
from triagedesk.domain.workflow import Status
from triagedesk.ports.actions import ActionStatus
from triagedesk.settings import from_mapping

__all__ = ["github_server"]

MAC = RepoRef("docker", "for-mac")
PINATA = RepoRef("docker", "pinata")
T0 = 1_770_000_000.0
LIVE = from_mapping(
    {
        "github": {"shadow": False},
        "profile": {"public_repos": [{"name": "docker/for-mac", "shadow": False}]},
    }
)


def ctx_for(engine: Engine, server: GithubServer) -> AppContext:
    client = make_client(server, FakeClock(T0 + 10_000))
    return AppContext(
        settings=LIVE,
        issues=FakeIssueStore(),
        now=lambda: datetime(2026, 3, 1, tzinfo=UTC),
        actions=SqlActionLog(engine),
        tracker=client,
    )


def writes(server: GithubServer) -> list[str]:
    return [
        f"{r.method} {r.path}"
        for r in server.requests()
        if r.method != "GET" and "/search" not in r.path
    ]


def test_second_apply_sends_no_write(sqlite_engine: Engine, github_server: GithubServer) -> None:
    github_server.add_issue(str(MAC), labels=("needs-triage", "platform/windows"), created=T0)
    github_server.repo(str(PINATA))
    ref = IssueRef(MAC, 1)
    actions = [
        SetStatus(ref, "new issue", status=Status.TRIAGE),
        AddLabels(ref, "area", labels=("area/networking",)),
        RemoveLabels(ref, "wrong platform", labels=("platform/windows",)),
        UpsertComment(ref, "ask", marker="more-info", body="Please add a Diagnostics ID."),
        Assign(ref, "owner", assignees=("alice",)),
        OpenInternal(ref, "obvious cause", repo=PINATA, title="vpnkit drops ports", body="Summary"),
        Close(ref, "not planned"),
    ]
    ctx = ctx_for(sqlite_engine, github_server)
    first = apply.submit(ctx, actions, source="test")
    assert [r.status for r in first] == [ActionStatus.APPLIED] * len(actions), [
        r.detail for r in first
    ]
    assert writes(github_server)
    issue = ctx.tracker.fetch_issue(ref)  # type: ignore[union-attr]
    assert set(issue.labels) == {"status/0-triage", "area/networking"}
    github_server.clear_log()
    second = apply.submit(ctx, actions, source="test")
    assert [r.status for r in second] == [ActionStatus.UNCHANGED] * len(actions)
    assert writes(github_server) == []
    assert len(github_server.repo(str(PINATA)).issues) == 1


def test_write_that_happened_but_failed_is_not_repeated(
    sqlite_engine: Engine, github_server: GithubServer
) -> None:
    github_server.add_issue(str(MAC), created=T0)
    ref = IssueRef(MAC, 1)
    github_server.inject("POST", "/repos/docker/for-mac/issues/1/comments", Fault(502, apply=True))
    ctx = ctx_for(sqlite_engine, github_server)
    action = UpsertComment(ref, "ask", marker="m", body="Which macOS version?")
    with pytest.raises(TrackerUnavailable):  # the worker retries the delivery later
        apply.submit(ctx, [action], source="t")
    [rec] = apply.submit(ctx, [action], source="t")  # the retry
    assert rec.status is ActionStatus.UNCHANGED
    assert len(ctx.tracker.list_comments(ref)) == 1  # type: ignore[union-attr]
