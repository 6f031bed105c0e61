"""Credentials for GitHub: a token, or a GitHub App (JWT, then an installation token).

Secrets come only from :class:`triagedesk.settings.Secrets` (the environment). They
are kept in :class:`pydantic.SecretStr` until the moment a header is built and are
never put in a log line, an error message or a ``repr``.

App flow (https://docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app):
a JWT signed RS256 with the App's private key (``iss`` = App id, at most 10 minutes
long, ``iat`` 60 s in the past against clock drift) buys an installation token
(``POST /app/installations/{id}/access_tokens``) valid for one hour. The token is
cached and reused until a minute before it expires.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol

import jwt
from pydantic import SecretStr

from triagedesk.domain.errors import ConfigError, TrackerError
from triagedesk.settings import Secrets

#: renew an installation token this many seconds before GitHub says it expires
RENEW_MARGIN_SECONDS = 60
#: JWT lifetime (GitHub allows at most 600 s)
JWT_LIFETIME_SECONDS = 540


class TokenSource(Protocol):
    """What the transport needs: the Authorization header value for the next request."""

    def authorization(self) -> str: ...

    def invalidate(self) -> None:
        """Forget a cached token (GitHub answered 401 with it)."""
        ...


@dataclass(repr=False)
class StaticToken:
    """A personal access token or any fixed token."""

    token: SecretStr

    def authorization(self) -> str:
        return f"Bearer {self.token.get_secret_value()}"

    def invalidate(self) -> None:
        return None

    def __repr__(self) -> str:
        return "StaticToken(***)"


#: ``mint(jwt) -> (token, expires_at)``: asks GitHub for an installation token
Minter = Callable[[str], tuple[str, datetime]]


@dataclass(repr=False)
class AppInstallationToken:
    """GitHub App credentials; the installation token is cached until it nearly expires."""

    app_id: str
    private_key: SecretStr
    clock: Callable[[], float]
    #: set by the transport once it exists (it needs the JWT to make this call)
    minter: Minter | None = None
    _token: SecretStr | None = None
    _expires_at: float = 0.0
    mints: int = 0

    def __repr__(self) -> str:
        return f"AppInstallationToken(app_id={self.app_id!r}, ***)"

    def app_jwt(self) -> str:
        """The App's own JWT (for /app/... endpoints)."""
        now = int(self.clock())
        payload = {"iat": now - 60, "exp": now + JWT_LIFETIME_SECONDS, "iss": self.app_id}
        try:
            return jwt.encode(payload, self.private_key.get_secret_value(), algorithm="RS256")
        except (ValueError, TypeError, jwt.PyJWTError) as exc:
            # the message of these errors never contains the key itself
            raise ConfigError(
                f"TRIAGEDESK_GITHUB_PRIVATE_KEY is not a usable RSA private key ({type(exc).__name__})"
            ) from None

    def authorization(self) -> str:
        if self._token is None or self.clock() >= self._expires_at - RENEW_MARGIN_SECONDS:
            if self.minter is None:
                raise TrackerError("GitHub App token requested before the client was set up")
            token, expires_at = self.minter(self.app_jwt())
            self._token = SecretStr(token)
            self._expires_at = expires_at.timestamp()
            self.mints += 1
        return f"Bearer {self._token.get_secret_value()}"

    def invalidate(self) -> None:
        self._token = None
        self._expires_at = 0.0


def token_source(
    secrets: Secrets, clock: Callable[[], float]
) -> StaticToken | AppInstallationToken:
    """Build the credentials from the environment, or say clearly which variable is missing."""
    if secrets.github_token is not None and secrets.github_token.get_secret_value().strip():
        return StaticToken(SecretStr(secrets.github_token.get_secret_value().strip()))
    if secrets.github_app_id:
        key = secrets.github_private_key
        if key is None and secrets.github_private_key_file is not None:
            path = Path(secrets.github_private_key_file)
            try:
                key = SecretStr(path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError) as exc:
                raise ConfigError(
                    f"TRIAGEDESK_GITHUB_PRIVATE_KEY_FILE: cannot read {path}: "
                    f"{getattr(exc, 'strerror', None) or type(exc).__name__}"
                ) from None
        if key is None or not key.get_secret_value().strip():
            raise ConfigError(
                "TRIAGEDESK_GITHUB_APP_ID is set but neither TRIAGEDESK_GITHUB_PRIVATE_KEY "
                "nor TRIAGEDESK_GITHUB_PRIVATE_KEY_FILE is"
            )
        return AppInstallationToken(app_id=secrets.github_app_id, private_key=key, clock=clock)
    raise ConfigError(
        "no GitHub credentials: set TRIAGEDESK_GITHUB_TOKEN, or TRIAGEDESK_GITHUB_APP_ID with "
        "TRIAGEDESK_GITHUB_PRIVATE_KEY (or TRIAGEDESK_GITHUB_PRIVATE_KEY_FILE)"
    )


__all__ = [
    "AppInstallationToken",
    "StaticToken",
    "TokenSource",
    "token_source",
]
