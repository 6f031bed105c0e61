"""Webhook deliveries: the durable queue the worker drains, and what a delivery says.

The web request stores a delivery (raw body, unique by its delivery id) and
answers; the worker claims deliveries with a lease, turns each payload into a
:data:`WebhookEvent` through a :class:`PayloadParser` (an adapter: JSON in,
domain objects out) and records the outcome. A worker killed mid-delivery
leaves its lease to expire; the next claim takes the delivery again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol

from triagedesk.domain.model import Comment, Issue, RepoRef


class DeliveryStatus(StrEnum):
    QUEUED = "queued"  # waiting, or leased by a worker until lease_until
    DONE = "done"  # processed
    IGNORED = "ignored"  # an event or action triagedesk does not handle: acknowledged only
    PARKED = "parked"  # failed max_attempts times: kept with its error for a person


@dataclass(frozen=True, slots=True)
class NewDelivery:
    delivery_id: str
    event: str
    action: str
    repo: str
    payload: bytes
    received_at: datetime
    #: QUEUED for work; IGNORED for events triagedesk does not handle (kept without payload)
    status: DeliveryStatus = DeliveryStatus.QUEUED


@dataclass(frozen=True, slots=True)
class Delivery:
    id: int
    delivery_id: str
    event: str
    action: str
    repo: str
    payload: bytes
    received_at: datetime
    status: DeliveryStatus
    attempts: int
    lease_owner: str | None = None
    lease_until: datetime | None = None
    processed_at: datetime | None = None
    error: str = ""


class DeliveryQueue(Protocol):
    def enqueue(self, delivery: NewDelivery) -> bool:
        """Store a delivery as queued; False (and nothing stored) when its id is already known."""
        ...

    def claim(
        self, owner: str, *, now: datetime, lease: timedelta, limit: int = 10
    ) -> list[Delivery]:
        """Lease up to ``limit`` queued deliveries whose lease is free or expired (oldest first).

        Each claim counts one attempt. Two workers never hold the same delivery.
        """
        ...

    def extend(self, delivery_ids: Sequence[int], owner: str, *, until: datetime) -> int:
        """Renew ``owner``'s leases (a heartbeat while a batch is worked on); returns how many."""
        ...

    def finish(self, delivery_id: int, owner: str, status: DeliveryStatus, *, at: datetime) -> bool:
        """Record the outcome; False when ``owner`` lost the lease meanwhile (nothing changes)."""
        ...

    def fail(
        self,
        delivery_id: int,
        owner: str,
        error: str,
        *,
        at: datetime,
        retry_at: datetime,
        max_attempts: int,
    ) -> DeliveryStatus:
        """Keep the error; queue again from ``retry_at`` or park after ``max_attempts``."""
        ...

    def get(self, delivery_id: str) -> Delivery | None: ...

    def list(self, status: DeliveryStatus | None = None, limit: int = 100) -> list[Delivery]: ...

    def counts(self) -> dict[str, int]:
        """Deliveries by status."""
        ...

    def requeue(self, delivery_ids: Sequence[str], *, at: datetime) -> int:
        """Put parked deliveries back in the queue (attempts reset); returns how many."""
        ...


# --- what a delivery says, as domain objects -----------------------------------------------


@dataclass(frozen=True, slots=True)
class IssueDelivery:
    """An ``issues`` or ``issue_comment`` delivery."""

    event: str
    action: str
    issue: Issue
    actor: str
    at: datetime
    #: the comment of an issue_comment delivery
    comment: Comment | None = None
    #: the label of labeled/unlabeled, the login of assigned/unassigned
    subject: str = ""
    #: for ``transferred``: where the issue went (None when the payload does not say)
    transferred_to: RepoRef | None = None
    #: the issue is a pull request (issue_comment fires on PRs too): not ours
    is_pull_request: bool = False


@dataclass(frozen=True, slots=True)
class ReleaseDelivery:
    repo: RepoRef
    version: str
    channel: str  # "stable" or "beta"
    name: str
    body: str
    url: str
    published_at: datetime | None


@dataclass(frozen=True, slots=True)
class PingDelivery:
    hook_id: int
    zen: str


WebhookEvent = IssueDelivery | ReleaseDelivery | PingDelivery


class PayloadParser(Protocol):
    def __call__(self, event: str, action: str, payload: bytes) -> WebhookEvent:
        """Parse a stored delivery; raises InputError naming what is malformed."""
        ...


@dataclass(frozen=True, slots=True)
class Release:
    repo: RepoRef
    version: str
    channel: str
    name: str = ""
    body: str = ""
    url: str = ""
    published_at: datetime | None = None


class ReleaseStore(Protocol):
    def record_release(self, release: Release, *, at: datetime) -> bool:
        """Store or update a release (unique by repo and version); True when new."""
        ...

    def list_releases(self, repo: RepoRef | None = None) -> list[Release]: ...


# --- GitHub's own record of deliveries (for redelivery of failed ones) ----------------------


@dataclass(frozen=True, slots=True)
class HookDelivery:
    """One attempt GitHub made to deliver an event (redeliveries share the ``guid``)."""

    id: int
    guid: str
    delivered_at: datetime
    status_code: int
    redelivery: bool
    event: str = ""
    action: str = ""

    @property
    def ok(self) -> bool:
        return 200 <= self.status_code < 300


class HookDeliveries(Protocol):
    """The hook's deliveries endpoint: the App's (``/app/hook``) or a repository hook's."""

    name: str

    def list_deliveries(self, since: datetime) -> list[HookDelivery]:
        """Attempts delivered at or after ``since`` (GitHub keeps about three days)."""
        ...

    def redeliver(self, delivery_id: int) -> None:
        """Ask GitHub to send attempt ``delivery_id``'s payload again."""
        ...
