"""Credentials: token, GitHub App (JWT -> cached installation token), and clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from pydantic import SecretStr

from support.github_fixtures import settings_for
from support.github_server import FakeClock, GithubServer
from triagedesk.adapters.github.auth import AppInstallationToken, StaticToken, token_source
from triagedesk.adapters.github.client import build_client
from triagedesk.domain.errors import ConfigError, TrackerError
from triagedesk.domain.model import RepoRef
from triagedesk.settings import Secrets

APP_ID = "424242"
INSTALLATION = 77


def _keypair() -> tuple[str, bytes]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return private, public


@pytest.fixture(scope="module")
def keypair() -> tuple[str, bytes]:
    return _keypair()


def _app_client(server: GithubServer, clock: FakeClock, private: str, **overrides: object):  # type: ignore[no-untyped-def]
    server.clock = clock
    secrets = Secrets(github_app_id=APP_ID, github_private_key=SecretStr(private))
    return build_client(settings_for(server, **overrides), secrets, clock=clock, sleep=clock.sleep)


def test_app_token_is_minted_once_and_reused_until_it_nearly_expires(
    github_server: GithubServer, keypair: tuple[str, bytes]
) -> None:
    private, public = keypair
    github_server.add_app(APP_ID, public, INSTALLATION)
    github_server.add_issue("docker/for-mac")
    clock = FakeClock()
    client = _app_client(github_server, clock, private, app_installation_id=INSTALLATION)
    repo = RepoRef("docker", "for-mac")
    for _ in range(3):
        client.list_labels(repo)
    mints = github_server.requests("POST", f"/app/installations/{INSTALLATION}/access_tokens")
    assert len(mints) == 1
    clock.advance(3600 - 30)  # inside the renewal margin: a new token before the old one dies
    client.list_labels(repo)
    assert (
        len(github_server.requests("POST", f"/app/installations/{INSTALLATION}/access_tokens")) == 2
    )
    assert all(r.status < 400 for r in github_server.requests())


def test_app_installation_is_discovered_when_not_configured(
    github_server: GithubServer, keypair: tuple[str, bytes]
) -> None:
    private, public = keypair
    github_server.add_app(APP_ID, public, INSTALLATION)
    github_server.repo("docker/for-win")
    client = _app_client(github_server, FakeClock(), private)
    assert client.list_labels(RepoRef("docker", "for-win")) == []
    assert [r.path for r in github_server.requests()][:2] == [
        "/app/installations",
        f"/app/installations/{INSTALLATION}/access_tokens",
    ]


def test_a_jwt_signed_with_the_wrong_key_is_refused(
    github_server: GithubServer, keypair: tuple[str, bytes]
) -> None:
    _, public = keypair
    other_private, _ = _keypair()
    github_server.add_app(APP_ID, public, INSTALLATION)
    client = _app_client(
        github_server, FakeClock(), other_private, app_installation_id=INSTALLATION
    )
    with pytest.raises(TrackerError, match="401"):
        client.list_labels(RepoRef("docker", "for-mac"))


def test_token_wins_and_is_never_in_a_repr() -> None:
    source = token_source(Secrets(github_token=SecretStr("ghp_sekrit")), clock=lambda: 0.0)
    assert isinstance(source, StaticToken)
    assert "sekrit" not in repr(source)
    assert source.authorization() == "Bearer ghp_sekrit"


def test_private_key_from_a_file(tmp_path: Path, keypair: tuple[str, bytes]) -> None:
    key_file = tmp_path / "app.pem"
    key_file.write_text(keypair[0])
    source = token_source(
        Secrets(github_app_id=APP_ID, github_private_key_file=key_file), clock=lambda: 1e9
    )
    assert isinstance(source, AppInstallationToken)
    assert "PRIVATE" not in repr(source)
    assert source.app_jwt().count(".") == 2


@pytest.mark.parametrize(
    ("secrets", "message"),
    [
        (Secrets(), "no GitHub credentials"),
        (Secrets(github_app_id="1"), "TRIAGEDESK_GITHUB_PRIVATE_KEY"),
        (
            Secrets(github_app_id="1", github_private_key_file=Path("/nonexistent/app.pem")),
            "cannot read",
        ),
    ],
)
def test_missing_or_unreadable_credentials_are_config_errors(
    secrets: Secrets, message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        token_source(secrets, clock=lambda: 0.0)


def test_a_broken_private_key_is_a_config_error_that_does_not_echo_it() -> None:
    source = token_source(
        Secrets(github_app_id="1", github_private_key=SecretStr("not-a-key-xyz")), clock=lambda: 0.0
    )
    assert isinstance(source, AppInstallationToken)
    with pytest.raises(ConfigError) as err:
        source.app_jwt()
    assert "not-a-key-xyz" not in str(err.value)
