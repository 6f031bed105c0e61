"""Signed deliveries over real HTTP to the running app -> worker -> store -> handlers -> actions."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy.engine import Engine

from support.github_fixtures import make_client
from support.github_server import FakeClock, GithubServer, github_server
from support.webhooks import SECRET, headers, load, opened_issue, running
from triagedesk.adapters.github.webhook_payloads import parse_payload
from triagedesk.adapters.store.action_log import SqlActionLog
from triagedesk.adapters.store.deliveries import SqlDeliveryQueue, SqlReleaseStore
from triagedesk.adapters.store.issues import SqlIssueStore
from triagedesk.app import events, triage
from triagedesk.app.context import AppContext
from triagedesk.app.jobs import Worker
from triagedesk.domain.actions import SetStatus
from triagedesk.domain.model import IssueRef, RepoRef
from triagedesk.ports.actions import ActionStatus
from triagedesk.ports.tracker import Tracker
from triagedesk.settings import Secrets, Settings, from_mapping
from triagedesk.web.app import create_app

__all__ = ["github_server"]

MAC = RepoRef("docker", "for-mac")


@pytest.fixture(autouse=True)
def only_triage_handler() -> Iterator[None]:
    saved = list(events._HANDLERS)
    events._HANDLERS.clear()
    triage.register_handlers()
    yield
    events._HANDLERS[:] = saved


def make_worker(engine: Engine, settings: Settings, tracker: Tracker | None) -> Worker:
    return Worker(
        ctx=AppContext(
            settings=settings,
            issues=SqlIssueStore(engine),
            now=lambda: datetime.now(UTC),
            actions=SqlActionLog(engine),
            tracker=tracker,
        ),
        queue=SqlDeliveryQueue(engine),
        parse=parse_payload,
        releases=SqlReleaseStore(engine),
        lease=timedelta(seconds=5),
        idle_sleep=0.05,
    )


def post(base: str, event: str, delivery: str, body: bytes) -> httpx.Response:
    return httpx.post(
        base + "/webhooks/github", content=body, headers=headers(event, delivery, body), timeout=10
    )


def wait_drained(engine: Engine, timeout: float = 20) -> None:
    q = SqlDeliveryQueue(engine)
    deadline = time.monotonic() + timeout
    while q.counts()["queued"]:
        if time.monotonic() > deadline:
            raise AssertionError(f"worker did not drain the queue: {q.counts()}")
        time.sleep(0.05)


@pytest.mark.slow
def test_shadow_mode_pipeline(engine: Engine) -> None:
    secrets = Secrets(webhook_secret=SecretStr(SECRET))
    app = create_app(Settings(), secrets, engine, worker=make_worker(engine, Settings(), None))
    with running(app) as base:
        for n in range(1, 6):
            assert post(base, "issues", f"open-{n}", opened_issue(n)).status_code == 202
        assert post(base, "issues", "open-1", opened_issue(1)).status_code == 200  # replay
        release = json.dumps(load("release/published")).encode()
        assert post(base, "release", "rel-1", release).status_code == 202
        star = json.dumps(load("watch/started")).encode()
        assert post(base, "watch", "star-1", star).json()["status"] == "ignored"
        wait_drained(engine)
        health = httpx.get(base + "/healthz").json()
    assert health["deliveries"] == {"queued": 0, "done": 6, "ignored": 1, "parked": 0}
    assert SqlIssueStore(engine).count_issues() == 5
    planned = SqlActionLog(engine).list(ActionStatus.PLANNED)
    assert sorted(r.action.issue.number for r in planned) == [1, 2, 3, 4, 5]
    assert all(isinstance(r.action, SetStatus) for r in planned)
    assert [r.version for r in SqlReleaseStore(engine).list_releases()] == ["4.38.1"]


@pytest.mark.slow
def test_live_pipeline_writes_once_to_github(
    sqlite_engine: Engine, github_server: GithubServer
) -> None:
    github_server.add_issue(str(MAC), labels=("kind/bug",), created=1_770_000_000.0)
    settings = from_mapping(
        {
            "github": {"shadow": False},
            "profile": {"public_repos": [{"name": "docker/for-mac", "shadow": False}]},
        }
    )
    client = make_client(github_server, FakeClock(1_770_010_000.0))
    secrets = Secrets(webhook_secret=SecretStr(SECRET))
    worker = make_worker(sqlite_engine, settings, client)
    app = create_app(settings, secrets, sqlite_engine, worker=worker)
    payload = json.loads(opened_issue(1))
    payload["issue"]["labels"] = [{"name": "kind/bug", "color": "d73a4a"}]
    body = json.dumps(payload).encode()
    with running(app) as base:
        assert post(base, "issues", "live-1", body).status_code == 202
        wait_drained(sqlite_engine)
        labels = [lab["name"] for lab in github_server.repo(str(MAC)).issues[1]["labels"]]
        assert labels == ["kind/bug", "status/0-triage"]
        github_server.clear_log()
        # the same event delivered again under a new id (GitHub redelivers with a new GUID)
        assert post(base, "issues", "live-1-redelivered", body).status_code == 202
        wait_drained(sqlite_engine)
    assert [r.method for r in github_server.requests()] in (["GET"], [])
    [applied] = SqlActionLog(sqlite_engine).list(ActionStatus.APPLIED)
    assert applied.action.issue == IssueRef(MAC, 1)
    assert applied.detail == "added status/0-triage"
    [change] = SqlIssueStore(sqlite_engine).status_history(IssueRef(MAC, 1))
    assert change.to_state.value == "status/0-triage"
