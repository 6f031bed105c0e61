"""The web application factory. Nothing is built at import time.

``create_app`` refuses to start without a webhook secret: an endpoint that
cannot verify signatures would either refuse every delivery or accept forged
ones. When given a worker it runs it in a background thread for the app's
lifetime (the default of ``triagedesk serve``).
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager

import structlog
from fastapi import FastAPI
from fastapi.responses import JSONResponse
from sqlalchemy.engine import Engine
from starlette.concurrency import run_in_threadpool

from triagedesk.adapters.store.deliveries import SqlDeliveryQueue
from triagedesk.app.jobs import Worker
from triagedesk.domain.errors import ConfigError, StoreError
from triagedesk.ports.deliveries import DeliveryQueue
from triagedesk.settings import Secrets, Settings
from triagedesk.web import webhooks

log = structlog.get_logger("triagedesk.web")


def webhook_secret(secrets: Secrets) -> bytes:
    """The webhook secret, or a clear startup error naming the variable."""
    value = secrets.webhook_secret.get_secret_value() if secrets.webhook_secret else ""
    if not value.strip():
        raise ConfigError(
            "TRIAGEDESK_WEBHOOK_SECRET is not set: the webhook endpoint cannot verify "
            "deliveries (set it to the secret configured on the GitHub hook or App)"
        )
    return value.encode("utf-8")


def _every(stop: threading.Event, interval: float, fn: Callable[[], object]) -> None:
    while not stop.wait(interval):
        try:
            fn()
        except Exception as exc:  # keep the schedule: the next run may succeed
            log.error(
                "periodic job failed", job=getattr(fn, "__name__", "job"), error=repr(exc)[:500]
            )


def create_app(
    settings: Settings,
    secrets: Secrets,
    engine: Engine,
    *,
    worker: Worker | None = None,
    queue: DeliveryQueue | None = None,
    max_body: int = webhooks.MAX_BODY_BYTES,
    jobs: Sequence[tuple[float, Callable[[], object]]] = (),
) -> FastAPI:
    """The app. ``worker`` runs in a background thread; each of ``jobs`` is
    ``(interval_seconds, fn)``, run every interval in its own thread (the
    redelivery job) — a failing run is logged and the next one still happens."""
    secret = webhook_secret(secrets)
    deliveries = queue if queue is not None else SqlDeliveryQueue(engine)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        stop = threading.Event()
        threads = []
        if worker is not None:
            threads.append(
                threading.Thread(
                    target=worker.run, args=(stop,), name="triagedesk-worker", daemon=True
                )
            )
        for interval, fn in jobs:
            threads.append(
                threading.Thread(
                    target=_every, args=(stop, interval, fn), name="triagedesk-job", daemon=True
                )
            )
        for t in threads:
            t.start()
        try:
            yield
        finally:
            stop.set()
            for t in threads:
                t.join(timeout=30)

    app = FastAPI(
        title="triagedesk",
        summary=f"Support desk for {settings.profile.name}",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.deliveries = deliveries
    app.include_router(webhooks.router(deliveries, secret, max_body=max_body))

    @app.get("/healthz")
    async def healthz() -> JSONResponse:
        try:
            counts = await run_in_threadpool(deliveries.counts)
        except StoreError as exc:
            log.error("health check failed", reason=str(exc))
            return JSONResponse({"status": "error", "error": "database"}, status_code=503)
        return JSONResponse({"status": "ok", "deliveries": counts})

    return app
