"""The one error tree of triagedesk.

Adapters turn foreign exceptions (httpx, SQLAlchemy, botocore …) into these at
their boundary; the CLI and the web layer turn these into one clear line and an
exit code or an HTTP status.
"""

from __future__ import annotations


class TriagedeskError(Exception):
    """Base of every error triagedesk raises on purpose."""

    #: exit code for the CLI
    exit_code: int = 1
    #: HTTP status for the web layer
    http_status: int = 500


class UserError(TriagedeskError):
    """The user asked for something that cannot be done as asked."""

    exit_code = 2
    http_status = 400


class ConfigError(UserError):
    """The configuration file or environment is invalid; the message names file and key."""


class InputError(UserError):
    """An input file or payload is malformed; the message names file and position."""


class NotFoundError(UserError):
    """A named thing (issue, action, report …) does not exist."""

    http_status = 404


class TransitionRefused(UserError):
    """A status move that the workflow table does not allow, and nobody forced."""

    http_status = 409


class StoreError(TriagedeskError):
    """The database could not do what was asked."""


class StoreLocked(StoreError):
    """The database is locked by another writer and stayed locked past the busy timeout."""

    exit_code = 2
    http_status = 503


class StoreReadOnly(StoreError):
    """The database cannot be written (read-only file or role)."""

    exit_code = 2
    http_status = 503


class TrackerError(TriagedeskError):
    """The issue tracker (GitHub) failed or refused."""

    http_status = 502


class RateLimited(TrackerError):
    """The tracker's rate limit is exhausted; ``reset_at`` is an epoch second or None."""

    def __init__(self, message: str, reset_at: float | None = None) -> None:
        super().__init__(message)
        self.reset_at = reset_at


class TrackerUnavailable(TrackerError):
    """5xx answers or timeouts persisted past the bounded retries."""


class ExternalServiceError(TriagedeskError):
    """S3, SMTP or Slack failed; the work is kept and retried later."""

    http_status = 502
