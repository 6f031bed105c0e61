"""The worker: drains the durable delivery queue.

Each round claims a small batch with a lease (the queue guarantees two workers
never hold the same delivery), processes each delivery and records the
outcome. A worker killed mid-batch simply stops renewing nothing: its leases
expire and another worker (or the same one restarted) claims those deliveries
again. Processing is idempotent (upserts, de-duplicated planned actions,
read-compare writes), so a second run of a delivery changes nothing more.

A delivery that keeps failing is retried with growing delays and parked after
``max_attempts`` attempts with its error, for a person to look at
(``triagedesk deliveries`` lists them; requeue puts them back).
"""

from __future__ import annotations

import os
import random
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TypeVar

import structlog

from triagedesk.app import webhooks
from triagedesk.app.context import AppContext
from triagedesk.domain.errors import InputError, RateLimited, StoreLocked, TrackerUnavailable
from triagedesk.ports.deliveries import (
    Delivery,
    DeliveryQueue,
    DeliveryStatus,
    PayloadParser,
    ReleaseStore,
)

log = structlog.get_logger("triagedesk.worker")
T = TypeVar("T")


def _locked(exc: BaseException) -> bool:
    if isinstance(exc, StoreLocked):
        return True
    if isinstance(exc, webhooks.HandlerFailed):
        return bool(exc.errors) and all(_locked(e) for e in exc.errors)
    return False


def worker_name() -> str:
    """host:pid:random, so leases tell which process holds a delivery."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@dataclass
class Stats:
    claimed: int = 0
    done: int = 0
    ignored: int = 0
    retried: int = 0
    parked: int = 0
    lost_lease: int = 0


@dataclass
class Worker:
    ctx: AppContext
    queue: DeliveryQueue
    parse: PayloadParser
    releases: ReleaseStore | None = None
    owner: str = field(default_factory=worker_name)
    #: how long a claimed delivery stays ours; a killed worker's deliveries return after this
    lease: timedelta = timedelta(seconds=60)
    max_attempts: int = 5
    batch: int = 10
    #: first retry delay; doubles with each attempt, capped at max_backoff
    backoff: timedelta = timedelta(seconds=5)
    max_backoff: timedelta = timedelta(minutes=10)
    stats: Stats = field(default_factory=Stats)
    #: tries of one delivery while the database answers "locked" (SQLite under load)
    lock_retries: int = 5
    #: seconds ``run`` waits when the queue is empty
    idle_sleep: float = 0.5
    #: called after each delivery (tests and the benchmark use it to stop at chosen points)
    after_each: Callable[[Delivery], None] | None = None

    def run_once(self) -> int:
        """Claim one batch and process it; returns how many deliveries were claimed."""
        claimed = self.queue.claim(
            self.owner, now=self.ctx.now(), lease=self.lease, limit=self.batch
        )
        self.stats.claimed += len(claimed)
        if not claimed:
            return 0
        pending = {d.id for d in claimed}
        stop = threading.Event()
        beat = threading.Thread(
            target=self._heartbeat, args=(pending, stop), name="lease-heartbeat", daemon=True
        )
        beat.start()
        try:
            for delivery in claimed:
                self._one(delivery)
                pending.discard(delivery.id)
                if self.after_each is not None:
                    self.after_each(delivery)
        finally:
            stop.set()
            beat.join()
        return len(claimed)

    def _heartbeat(self, pending: set[int], stop: threading.Event) -> None:
        """Renew the batch's leases every third of a lease while this process lives.

        A slow delivery (GitHub asking us to wait out a rate limit) must not lose its
        lease to another worker, which would then run it at the same time. A killed
        worker stops beating, so its leases still run out.
        """
        while not stop.wait(self.lease.total_seconds() / 3):
            try:
                self.queue.extend(sorted(pending), self.owner, until=self.ctx.now() + self.lease)
            except Exception as exc:  # a missed beat only shortens the lease
                log.warning("lease renewal failed", error=repr(exc)[:300])

    def drain(self, max_rounds: int = 1_000_000) -> int:
        """Process until the queue has nothing claimable; returns deliveries claimed."""
        total = 0
        for _ in range(max_rounds):
            n = self.run_once()
            total += n
            if n == 0:
                break
        return total

    def run(self, stop: threading.Event) -> None:
        """Loop until ``stop`` is set, sleeping ``idle_sleep`` when the queue is empty."""
        log.info("worker started", owner=self.owner)
        while not stop.is_set():
            try:
                n = self.run_once()
            except Exception as exc:  # the database went away: wait and try again
                log.error("worker round failed", error=repr(exc)[:500])
                n = 0
            if n == 0:
                stop.wait(self.idle_sleep)
        log.info("worker stopped", owner=self.owner)

    def _one(self, delivery: Delivery) -> None:
        bound = log.bind(delivery=delivery.delivery_id, gh_event=delivery.event)
        try:
            outcome = self._locked_retry(
                lambda: webhooks.process(self.ctx, delivery, self.parse, self.releases)
            )
        except Exception as exc:
            self._failed(delivery, exc, bound)
            return
        ok = self._locked_retry(
            lambda: self.queue.finish(delivery.id, self.owner, outcome.status, at=self.ctx.now())
        )
        if not ok:
            # our lease ran out and someone else took it: their run is idempotent too
            self.stats.lost_lease += 1
            bound.warning("lease lost before finishing")
            return
        if outcome.status is DeliveryStatus.IGNORED:
            self.stats.ignored += 1
        else:
            self.stats.done += 1
        bound.debug("delivery processed", detail=outcome.detail, actions=outcome.actions)

    def _locked_retry(self, fn: Callable[[], T]) -> T:
        """Run ``fn``, again after a short jittered pause while SQLite says "locked".

        Processing is idempotent, so running it again after a lock error is safe;
        this keeps a busy moment from costing a delivery its backoff delay.
        """
        for attempt in range(self.lock_retries):
            try:
                return fn()
            except Exception as exc:
                if not _locked(exc) or attempt == self.lock_retries - 1:
                    raise
                time.sleep(0.02 * (2**attempt) * (1 + random.random()))
        raise AssertionError("unreachable")

    def _failed(self, delivery: Delivery, exc: Exception, bound: structlog.BoundLogger) -> None:
        now = self.ctx.now()
        delay = self.backoff * (2 ** max(0, delivery.attempts - 1))
        if isinstance(exc, RateLimited) and exc.reset_at is not None:
            delay = max(delay, timedelta(seconds=max(0.0, exc.reset_at - now.timestamp())))
        delay = min(delay, self.max_backoff)
        transient = isinstance(exc, RateLimited | TrackerUnavailable)
        error = f"{type(exc).__name__}: {exc}"
        status = self.queue.fail(
            delivery.id,
            self.owner,
            error,
            at=now,
            retry_at=now + delay,
            # a malformed payload will not parse better next time: park it at once;
            # transient tracker trouble is not the delivery's fault: give it more room
            max_attempts=0
            if isinstance(exc, InputError)
            else self.max_attempts * (3 if transient else 1),
        )
        if status is DeliveryStatus.PARKED:
            self.stats.parked += 1
            bound.error("delivery parked", attempts=delivery.attempts, error=error[:500])
        else:
            self.stats.retried += 1
            bound.warning("delivery failed, will retry", attempts=delivery.attempts, error=error)
