"""What GitHub says about our rate limits, the per-run budget, and content-creation pacing.

GitHub reports the primary limit on every answer (``X-RateLimit-Limit``,
``-Remaining``, ``-Reset`` (epoch seconds), ``-Used``, ``-Resource``: REST ``core``,
``graphql`` and ``search`` are separate buckets). A 304 answer to a conditional
request is not counted by GitHub, so it is not counted against our budget either.

Secondary limits are not reported ahead of time; the documented ceilings for
content creation (comments, issues, labels: 80 a minute, 500 an hour) are kept
by :class:`ContentPacer` before a write is sent.
https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from triagedesk.domain.errors import RateLimited


@dataclass
class Bucket:
    """One rate-limit resource as GitHub last reported it."""

    limit: int | None = None
    remaining: int | None = None
    reset_at: float | None = None


@dataclass
class RateState:
    """Buckets by resource, plus what this run spent."""

    buckets: dict[str, Bucket] = field(default_factory=dict)
    #: requests sent in this run (every attempt, including 304s and failures)
    sent: int = 0
    #: requests GitHub counts against the limit (everything but 304s)
    counted: int = 0
    #: answered 304 Not Modified
    not_modified: int = 0

    def update(self, headers: Mapping[str, str], default_resource: str) -> Bucket:
        resource = headers.get("x-ratelimit-resource", default_resource)
        bucket = self.buckets.setdefault(resource, Bucket())
        for attr, name, conv in (
            ("limit", "x-ratelimit-limit", int),
            ("remaining", "x-ratelimit-remaining", int),
            ("reset_at", "x-ratelimit-reset", float),
        ):
            raw = headers.get(name)
            if raw is None:
                continue
            try:
                setattr(bucket, attr, conv(raw))
            except ValueError:
                continue  # a proxy mangled it: keep the last good value
        return bucket

    def bucket(self, resource: str) -> Bucket:
        return self.buckets.setdefault(resource, Bucket())


class ContentPacer:
    """Keeps content-creating writes under ``per_minute`` and ``per_hour``.

    ``acquire`` sleeps until a slot is free. A wait longer than ``max_wait``
    raises :class:`RateLimited` instead, so a bulk job stops cleanly.
    """

    def __init__(
        self,
        per_minute: int,
        per_hour: int,
        clock: Callable[[], float],
        sleep: Callable[[float], None],
        max_wait: float,
    ) -> None:
        self.per_minute = per_minute
        self.per_hour = per_hour
        self.clock = clock
        self.sleep = sleep
        self.max_wait = max_wait
        self._sent: deque[float] = deque()
        #: total seconds slept for pacing (for tests and reports)
        self.waited = 0.0

    def _wait_needed(self, now: float) -> float:
        while self._sent and self._sent[0] <= now - 3600:
            self._sent.popleft()
        wait = 0.0
        if len(self._sent) >= self.per_hour:
            wait = max(wait, self._sent[-self.per_hour] + 3600 - now)
        minute = [t for t in self._sent if t > now - 60]
        if len(minute) >= self.per_minute:
            wait = max(wait, minute[-self.per_minute] + 60 - now)
        return wait

    def acquire(self) -> None:
        while True:
            now = self.clock()
            wait = self._wait_needed(now)
            if wait <= 0:
                self._sent.append(now)
                return
            if wait > self.max_wait:
                raise RateLimited(
                    f"content-creation limit ({self.per_minute}/min, {self.per_hour}/h) reached; "
                    f"next slot in {wait:.0f} s",
                    reset_at=now + wait,
                )
            self.waited += wait
            self.sleep(wait)
