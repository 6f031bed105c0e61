"""One HTTP transport for REST and GraphQL: auth, rate limits, retries, error translation.

The retry rule (docs/github.md says the same):

* **Reads** (GET, GraphQL queries) are retried on 5xx answers, timeouts and broken
  connections, at most ``max_retries`` times, with exponential backoff and jitter.
* **Idempotent writes** (set labels, remove a label, add assignees, set state, edit a
  comment or a label: sending them twice leaves the same state as once) are retried
  like reads.
* **Creating writes** (post a comment, open an issue, create a label) are retried
  only when the error proves GitHub never acted: the connection could not be made
  (refused, DNS, connect timeout, no free connection), or GitHub refused the request
  with a rate-limit answer (403/429). After a 5xx, a read timeout or a dropped
  connection the write may have happened, so it is *not* repeated: the caller gets
  :class:`TrackerUnavailable` and reconciles by reading (bot comments carry a marker,
  so ``apply`` finds the comment it may have posted instead of posting a second one).
* Secondary limits (403/429 with ``Retry-After``, or the "secondary rate limit"
  message) wait as told (one minute, doubling, when GitHub does not say), for every
  kind of request: GitHub did not carry out a request it limited.
* At the primary limit (``X-RateLimit-Remaining: 0``) the transport waits for
  ``X-RateLimit-Reset`` when that is at most ``max_wait_seconds`` away, else raises
  :class:`RateLimited` with the reset time so the caller can stop cleanly.

httpx's exceptions and GitHub's error answers become the project's error tree here.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from enum import Enum
from typing import Any

import httpx

from triagedesk.adapters.github.auth import TokenSource
from triagedesk.adapters.github.ratelimit import ContentPacer, RateState
from triagedesk.domain.errors import (
    NotFoundError,
    RateLimited,
    TrackerError,
    TrackerUnavailable,
)
from triagedesk.settings.github import GithubSettings

log = logging.getLogger(__name__)

#: the per-run budget renews itself after this long (GitHub's primary-limit window)
BUDGET_WINDOW = 3600.0
#: longest secondary-limit wait when GitHub gives no Retry-After (it asks for >= 1 minute)
SECONDARY_DEFAULT_WAIT = 60.0


class Kind(Enum):
    READ = "read"
    IDEMPOTENT = "idempotent write"
    CREATE = "creating write"


@dataclass
class Answer:
    """A successful (2xx or 304) answer."""

    status: int
    headers: httpx.Headers
    body: Any
    links: dict[str, str] = field(default_factory=dict)

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    def next_url(self) -> str | None:
        return self.links.get("next")


class _Retry(Exception):
    """Internal: wait ``delay`` seconds and send again."""

    def __init__(self, delay: float, why: str, *, counts: bool = True) -> None:
        super().__init__(why)
        self.delay = delay
        self.why = why
        self.counts = counts


def _message(resp: httpx.Response) -> str:
    try:
        data = resp.json()
    except ValueError:
        return resp.text[:200].strip()
    if isinstance(data, dict):
        msg = str(data.get("message", ""))
        errors = data.get("errors")
        if isinstance(errors, list) and errors:
            details = []
            for e in errors[:3]:
                if isinstance(e, dict):
                    details.append(str(e.get("message") or e.get("code") or e))
                else:
                    details.append(str(e))
            msg = f"{msg} ({'; '.join(details)})" if msg else "; ".join(details)
        return msg[:300]
    return str(data)[:200]


class Transport:
    """Sends requests to one GitHub (github.com or an Enterprise Server)."""

    def __init__(
        self,
        settings: GithubSettings,
        tokens: TokenSource,
        *,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
        http: httpx.Client | None = None,
    ) -> None:
        self.settings = settings
        self.tokens = tokens
        self.clock = clock
        self.sleep = sleep
        self.rng = rng or random.Random()
        self.rate = RateState()
        self.pacer = ContentPacer(
            settings.content_per_minute,
            settings.content_per_hour,
            clock,
            sleep,
            settings.max_wait_seconds,
        )
        self.http = http or httpx.Client(
            timeout=httpx.Timeout(
                settings.timeout_seconds, connect=settings.connect_timeout_seconds
            ),
            headers={
                "Accept": "application/vnd.github+json",
                "X-GitHub-Api-Version": "2022-11-28",
                "User-Agent": settings.user_agent,
            },
            follow_redirects=True,
        )
        #: seconds slept waiting for limits and retries (for reports and tests)
        self.slept = 0.0
        self._budget_since = clock()
        self._budget_base = 0

    def new_run(self) -> None:
        """Start a new per-run budget (a long-lived process calls this per job, or it
        happens by itself every hour)."""
        self._budget_since = self.clock()
        self._budget_base = self.rate.counted

    def close(self) -> None:
        self.http.close()

    def url(self, path: str) -> str:
        if path.startswith(("http://", "https://")):
            return path
        return self.settings.api_url + path

    # -- the one entry point -------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        kind: Kind | None = None,
        resource: str = "core",
        content: bool = False,
        auth: str | None = None,
    ) -> Answer:
        """Send one request (with bounded retries); return a 2xx/304 answer or raise."""
        method = method.upper()
        if kind is None:
            kind = Kind.READ if method in ("GET", "HEAD") else Kind.CREATE
        url = self.url(path)
        retries = 0
        secondary = 0
        primary_waits = 0
        unauthorized = 0
        while True:
            self._before_send(resource, kind)
            if content:
                self.pacer.acquire()
            try:
                return self._send_once(method, url, params, json, headers, kind, resource, auth)
            except _Retry as r:
                if r.why == "primary":
                    primary_waits += 1
                    if primary_waits > 2:
                        raise RateLimited(
                            "GitHub's rate limit did not reset when it said it would",
                            reset_at=self.rate.bucket(resource).reset_at,
                        ) from None
                elif r.why == "unauthorized":
                    unauthorized += 1
                    if unauthorized > 1:
                        raise TrackerError(
                            "GitHub refused the credentials (401 Bad credentials)"
                        ) from None
                elif r.why in ("secondary", "secondary (no Retry-After)"):
                    secondary += 1
                    if r.why != "secondary":
                        # GitHub: wait at least a minute, then longer each time it repeats
                        r.delay = SECONDARY_DEFAULT_WAIT * 2 ** (secondary - 1)
                    if secondary > self.settings.max_retries:
                        raise RateLimited(
                            f"GitHub's secondary rate limit persisted after {secondary - 1} waits",
                            reset_at=self.clock() + r.delay,
                        ) from None
                    if r.delay > self.settings.max_wait_seconds:
                        raise RateLimited(
                            f"GitHub's secondary rate limit asks to wait {r.delay:.0f} s",
                            reset_at=self.clock() + r.delay,
                        ) from None
                else:
                    retries += 1
                    if retries > self.settings.max_retries:
                        raise TrackerUnavailable(
                            f"{method} {self._short(url)}: {r.why}, "
                            f"still failing after {self.settings.max_retries} retries"
                        ) from None
                    r.delay = self._backoff(retries)
                if r.delay > 0:
                    log.info(
                        "github: %s %s: %s, waiting %.1f s",
                        method,
                        self._short(url),
                        r.why,
                        r.delay,
                    )
                    self.slept += r.delay
                    self.sleep(r.delay)

    # -- pieces --------------------------------------------------------------------------

    def _short(self, url: str) -> str:
        base = self.settings.api_url
        return url[len(base) :] if url.startswith(base) else url

    def _backoff(self, retry: int) -> float:
        """Exponential backoff with "equal jitter": half fixed, half random."""
        step = float(
            min(
                self.settings.backoff_max_seconds,
                self.settings.backoff_seconds * 2.0 ** (retry - 1),
            )
        )
        return step / 2 + self.rng.uniform(0.0, step / 2)

    def _before_send(self, resource: str, kind: Kind) -> None:
        budget = self.settings.request_budget
        if budget:
            now = self.clock()
            if now - self._budget_since >= BUDGET_WINDOW:
                # a long-running process (serve, worker) gets a fresh budget every hour,
                # like GitHub's own window; a CLI run rarely lasts that long
                self.new_run()
            if self.rate.counted - self._budget_base >= budget:
                raise RateLimited(
                    f"this run's request budget ({budget} requests) is spent",
                    reset_at=self._budget_since + BUDGET_WINDOW,
                )
        bucket = self.rate.bucket(resource)
        if bucket.remaining is None or bucket.reset_at is None:
            return
        # reads keep a reserve for the writes of webhooks and people; writes may use it
        floor = self.settings.rate_limit_reserve if kind is Kind.READ else 0
        if bucket.remaining > floor:
            return
        self.wait_for_reset(bucket.reset_at, resource)

    def wait_for_reset(self, reset_at: float | None, resource: str) -> None:
        now = self.clock()
        if reset_at is None:
            raise RateLimited(f"GitHub's {resource} rate limit is exhausted", reset_at=None)
        wait = max(0.0, reset_at - now) + 1.0
        if not self.settings.wait_for_reset or wait > self.settings.max_wait_seconds:
            raise RateLimited(
                f"GitHub's {resource} rate limit is exhausted until reset "
                f"(in {max(0.0, reset_at - now):.0f} s)",
                reset_at=reset_at,
            )
        log.info("github: %s rate limit reached, waiting %.0f s for the reset", resource, wait)
        self.slept += wait
        self.sleep(wait)
        # forget the stale figure: the next answer tells the new one
        bucket = self.rate.bucket(resource)
        bucket.remaining = None

    def _send_once(
        self,
        method: str,
        url: str,
        params: Mapping[str, Any] | None,
        json: Any,
        headers: Mapping[str, str] | None,
        kind: Kind,
        resource: str,
        auth: str | None,
    ) -> Answer:
        hdrs = dict(headers or {})
        hdrs["Authorization"] = auth if auth is not None else self.tokens.authorization()
        self.rate.sent += 1
        try:
            resp = self.http.request(method, url, params=params, json=json, headers=hdrs)
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            # the request never left: safe to send again whatever it is
            raise _Retry(0, f"cannot connect ({type(exc).__name__})") from None
        except (
            httpx.TimeoutException,
            httpx.RemoteProtocolError,
            httpx.ReadError,
            httpx.WriteError,
        ) as exc:
            if kind is Kind.CREATE:
                raise TrackerUnavailable(
                    f"{method} {self._short(url)}: {type(exc).__name__} after the request was "
                    "sent; it may have been applied, so it is not repeated"
                ) from None
            raise _Retry(0, f"{type(exc).__name__}") from None
        except httpx.HTTPError as exc:
            raise TrackerError(
                f"{method} {self._short(url)}: {type(exc).__name__}: {exc}"
            ) from None

        status = resp.status_code
        if status != 304:
            self.rate.counted += 1
        else:
            self.rate.not_modified += 1
        bucket = self.rate.update(resp.headers, resource)
        log.debug("github: %s %s -> %d", method, self._short(url), status)

        if status < 300 or status == 304:
            return self._answer(resp, method, url)
        if status in (403, 429):
            msg = _message(resp)
            low = msg.lower()
            retry_after = resp.headers.get("retry-after")
            if (
                retry_after is not None
                or "secondary rate limit" in low
                or (status == 429 and bucket.remaining != 0)
            ):
                delay = self._retry_after(retry_after)
                if delay is None:
                    raise _Retry(SECONDARY_DEFAULT_WAIT, "secondary (no Retry-After)")
                raise _Retry(delay, "secondary")
            if bucket.remaining == 0 or "rate limit" in low:
                self.wait_for_reset(bucket.reset_at, resource)
                raise _Retry(0, "primary")
            raise TrackerError(f"{method} {self._short(url)}: forbidden (403): {msg}")
        if status == 401:
            self.tokens.invalidate()
            raise _Retry(0, "unauthorized")
        if status in (404, 410):
            raise NotFoundError(f"{method} {self._short(url)}: not found on GitHub ({status})")
        if status >= 500:
            if kind is Kind.CREATE:
                raise TrackerUnavailable(
                    f"{method} {self._short(url)}: GitHub answered {status}; the write may have "
                    "been applied, so it is not repeated"
                )
            raise _Retry(0, f"GitHub answered {status}")
        raise TrackerError(
            f"{method} {self._short(url)}: GitHub refused ({status}): {_message(resp)}"
        )

    def _retry_after(self, raw: str | None) -> float | None:
        """Seconds from ``Retry-After`` (delta-seconds or an HTTP date), or None."""
        if raw is None:
            return None
        try:
            return max(0.0, float(raw))
        except ValueError:
            pass
        try:
            return max(0.0, parsedate_to_datetime(raw).timestamp() - self.clock())
        except (TypeError, ValueError):
            return None

    def _answer(self, resp: httpx.Response, method: str, url: str) -> Answer:
        links = {str(k): str(v.get("url", "")) for k, v in resp.links.items()}
        if resp.status_code in (204, 304) or not resp.content:
            return Answer(resp.status_code, resp.headers, None, links)
        try:
            body = resp.json()
        except ValueError:
            raise TrackerError(
                f"{method} {self._short(url)}: GitHub answered {resp.status_code} with a body "
                "that is not JSON"
            ) from None
        return Answer(resp.status_code, resp.headers, body, links)

    # -- helpers -------------------------------------------------------------------------

    def paginate(
        self, path: str, params: Mapping[str, Any] | None = None, *, resource: str = "core"
    ) -> Iterator[Any]:
        """Every item of a REST list, following ``Link: rel="next"``."""
        p = dict(params or {})
        p.setdefault("per_page", self.settings.page_size)
        answer = self.request("GET", path, params=p, resource=resource)
        while True:
            body = answer.body
            items = body.get("items", []) if isinstance(body, dict) else body or []
            yield from items
            nxt = answer.next_url()
            if not nxt:
                return
            # the next link carries every parameter already
            answer = self.request("GET", nxt, resource=resource)
