"""Clients wired to the GitHub test server with a fake clock (no real waiting in tests)."""

from __future__ import annotations

import random
from typing import Any

from pydantic import SecretStr

from support.github_server import TOKEN, FakeClock, GithubServer
from triagedesk.adapters.github.auth import StaticToken
from triagedesk.adapters.github.rest import Transport
from triagedesk.settings.github import GithubSettings


def settings_for(server: GithubServer, **overrides: Any) -> GithubSettings:
    values: dict[str, Any] = {
        "api_url": server.url,
        "timeout_seconds": 2.0,
        "connect_timeout_seconds": 2.0,
        "rate_limit_reserve": 0,
    }
    values.update(overrides)
    return GithubSettings(**values)


def make_transport(server: GithubServer, clock: FakeClock, **overrides: Any) -> Transport:
    """A transport on the server's URL; the server shares the fake clock."""
    server.clock = clock
    return Transport(
        settings_for(server, **overrides),
        StaticToken(SecretStr(TOKEN)),
        clock=clock,
        sleep=clock.sleep,
        rng=random.Random(7),
    )


def make_client(server: GithubServer, clock: FakeClock, **overrides: Any) -> Any:
    from triagedesk.adapters.github.client import GithubClient

    return GithubClient(make_transport(server, clock, **overrides))
