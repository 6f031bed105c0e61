"""Redelivery of failed deliveries, against the GitHub test server and the running app."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pydantic import SecretStr
from sqlalchemy.engine import Engine

from support.github_fixtures import make_transport
from support.github_server import FakeClock, GithubServer, github_server
from support.hook_routes import install
from support.webhooks import SECRET, opened_issue, running
from triagedesk.adapters.github.hook_deliveries import repo_hook
from triagedesk.adapters.store.deliveries import SqlDeliveryQueue
from triagedesk.app.redeliver import redeliver_failed
from triagedesk.domain.model import RepoRef
from triagedesk.ports.deliveries import NewDelivery
from triagedesk.settings import Secrets, Settings
from triagedesk.web.app import create_app

__all__ = ["github_server"]

NOW = 1_772_000_000.0
BASE = "/repos/docker/for-mac/hooks/42"


def test_failed_deliveries_are_redelivered_once_and_stored(
    sqlite_engine: Engine, github_server: GithubServer
) -> None:
    clock = FakeClock(NOW)
    transport = make_transport(github_server, clock, page_size=100)
    app = create_app(Settings(), Secrets(webhook_secret=SecretStr(SECRET)), sqlite_engine)
    queue = SqlDeliveryQueue(sqlite_engine)
    with running(app) as base:
        hook = install(github_server, BASE, target=base)
        hook.record("ok-1", "issues", opened_issue(1), 202, NOW - 3600)
        hook.record("lost-2", "issues", opened_issue(2), 502, NOW - 3000)
        hook.record("timeout-3", "issues", opened_issue(3), 0, NOW - 2000)  # GitHub: timed out
        queue.enqueue(  # stored by us, but the answer did not reach GitHub in time
            NewDelivery(
                "timeout-3",
                "issues",
                "opened",
                "docker/for-mac",
                opened_issue(3),
                datetime.fromtimestamp(NOW - 2000, UTC),
            )
        )
        for k in range(3):  # failed, redelivered three times, failed each time
            hook.record(
                "hopeless-4", "issues", opened_issue(4), 500, NOW - 1000 + k, redelivery=k > 0
            )
        hook.record("hopeless-4", "issues", opened_issue(4), 500, NOW - 900, redelivery=True)
        hook.record("old-5", "issues", opened_issue(5), 500, NOW - 4 * 86400)  # outside the window
        for i in range(120):  # enough successful ones to need a second page
            hook.record(f"fine-{i}", "ping", b"{}", 200, NOW - 5000 - i)

        hooks = [repo_hook(transport, RepoRef("docker", "for-mac"), 42)]
        now = datetime.fromtimestamp(NOW, UTC)
        report = redeliver_failed(hooks, queue, now=now, window=timedelta(hours=72))
        assert report.requested == ["lost-2"]
        assert (report.failed, report.already_stored, report.gave_up) == (3, 1, 1)
        assert report.seen == 124
        stored = queue.get("lost-2")
        assert stored is not None and stored.payload == opened_issue(2)
        # the next run finds lost-2 answered 2xx: nothing more to ask
        again = redeliver_failed(hooks, queue, now=now, window=timedelta(hours=72))
        assert again.requested == []
    posts = github_server.requests("POST")
    assert [p.path for p in posts] == [f"{BASE}/deliveries/{hook.attempts[1]['id']}/attempts"]


def test_app_hook_is_read_with_the_apps_jwt(github_server: GithubServer) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    from support.github_fixtures import settings_for
    from triagedesk.adapters.github.auth import AppInstallationToken
    from triagedesk.adapters.github.client import build_client
    from triagedesk.adapters.github.hook_deliveries import app_hook
    from triagedesk.settings import Secrets as S

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    github_server.add_app("4242", public, 77)
    clock = FakeClock(NOW)
    github_server.clock = clock
    client = build_client(
        settings_for(github_server, app_installation_id=77),
        S(github_app_id="4242", github_private_key=SecretStr(private)),
        clock=clock,
        sleep=clock.sleep,
    )
    tokens = client.t.tokens
    assert isinstance(tokens, AppInstallationToken)
    hook = install(github_server, "/app/hook")  # no target: a redelivery "fails" again
    hook.record("app-1", "issues", opened_issue(1), 500, NOW - 600)
    api = app_hook(client.t, tokens.app_jwt)
    report = redeliver_failed([api], None, now=datetime.fromtimestamp(NOW, UTC))
    assert report.requested == ["app-1"] and report.errors == []
    assert all(r.status < 400 for r in github_server.requests())
    assert [r.path for r in github_server.requests("POST")] == [
        f"/app/hook/deliveries/{hook.attempts[0]['id']}/attempts"
    ]
