"""``POST /webhooks/github``: verify, store, acknowledge. Nothing else happens here.

Order of checks (each refusal is logged with its reason, never with the secret
or the signature):

1. the declared size (Content-Length) over the limit -> 413, before reading
2. a content type other than ``application/json`` -> 415
3. the body, read up to the limit -> 413 past it
4. ``X-Hub-Signature-256`` missing or not the HMAC-SHA256 of the body with the
   webhook secret (constant-time comparison) -> 401
5. ``X-GitHub-Event`` / ``X-GitHub-Delivery`` missing or absurd -> 400
6. a body that is not a JSON object -> 400
7. store the delivery, unique by its delivery id, then answer 202 (a delivery
   id seen before: 200 and nothing more). Events triagedesk does not handle are
   stored as ignored, without their payload.

The worker does the rest (``app/jobs.py``). GitHub counts a delivery not
answered within 10 s as failed, so this path stays small: no parsing beyond
JSON, no tracker calls, no heavy imports.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable
from datetime import UTC, datetime

import structlog
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from triagedesk.adapters.github.webhook_payloads import summary
from triagedesk.app.webhooks import is_handled
from triagedesk.domain.errors import StoreError
from triagedesk.ports.deliveries import DeliveryQueue, DeliveryStatus, NewDelivery

log = structlog.get_logger("triagedesk.web.webhooks")

#: GitHub caps webhook payloads at 25 MB; anything at or past this is refused with 413
MAX_BODY_BYTES = 25 * 1000 * 1000
_MAX_HEADER = 100


def signature(secret: bytes, body: bytes) -> str:
    """The ``X-Hub-Signature-256`` value GitHub sends for ``body``."""
    return "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()


def verify(secret: bytes, body: bytes, header: str) -> bool:
    return hmac.compare_digest(signature(secret, body).encode(), header.strip().encode())


def router(
    queue: DeliveryQueue,
    secret: bytes,
    *,
    max_body: int = MAX_BODY_BYTES,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> APIRouter:
    api = APIRouter()

    @api.post("/webhooks/github", status_code=202)
    async def github_webhook(request: Request) -> JSONResponse:
        delivery_id = request.headers.get("x-github-delivery", "").strip()
        event = request.headers.get("x-github-event", "").strip()
        bound = log.bind(delivery=delivery_id[:_MAX_HEADER], gh_event=event[:_MAX_HEADER])

        def refuse(status: int, reason: str) -> JSONResponse:
            bound.warning("webhook refused", status=status, reason=reason)
            return JSONResponse({"error": reason}, status_code=status)

        declared = request.headers.get("content-length")
        if declared is not None:
            try:
                size = int(declared)
            except ValueError:
                return refuse(400, "Content-Length is not a number")
            if size >= max_body:
                return refuse(413, f"body of {size} bytes is over the {max_body}-byte limit")
        ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if ctype != "application/json":
            return refuse(
                415,
                f"content type {ctype or '(none)'!r} refused: configure the hook to send "
                "application/json",
            )
        chunks = bytearray()
        async for chunk in request.stream():
            chunks += chunk
            if len(chunks) >= max_body:
                return refuse(413, f"body over the {max_body}-byte limit")
        body = bytes(chunks)

        header = request.headers.get("x-hub-signature-256")
        if not header:
            return refuse(401, "X-Hub-Signature-256 missing")
        if not verify(secret, body, header):
            return refuse(401, "X-Hub-Signature-256 does not match the body")

        if not event or len(event) > _MAX_HEADER:
            return refuse(400, "X-GitHub-Event missing or too long")
        if not delivery_id or len(delivery_id) > _MAX_HEADER:
            return refuse(400, "X-GitHub-Delivery missing or too long")
        try:
            data = json.loads(body.decode("utf-8"))
        except UnicodeDecodeError as exc:
            return refuse(400, f"body is not UTF-8 (byte {exc.start})")
        except json.JSONDecodeError as exc:
            return refuse(400, f"malformed JSON: {exc.msg} at line {exc.lineno} column {exc.colno}")
        if not isinstance(data, dict):
            return refuse(400, "JSON body is not an object")

        action, repo = summary(data)
        handled = is_handled(event, action)
        delivery = NewDelivery(
            delivery_id=delivery_id,
            event=event,
            action=action[:_MAX_HEADER],
            repo=repo[:200],
            payload=body if handled else b"",
            received_at=clock(),
            status=DeliveryStatus.QUEUED if handled else DeliveryStatus.IGNORED,
        )
        try:
            new = await run_in_threadpool(queue.enqueue, delivery)
        except StoreError as exc:
            # not acknowledged: GitHub records a failed delivery, which the redelivery job retries
            bound.error("webhook not stored", status=503, reason=str(exc))
            return JSONResponse({"error": "could not store the delivery"}, status_code=503)
        if not new:
            bound.info("webhook replayed", status=200)
            return JSONResponse({"status": "duplicate", "delivery": delivery_id}, status_code=200)
        state = "queued" if handled else "ignored"
        bound.debug("webhook stored", status=202, state=state, action=action)
        return JSONResponse({"status": state, "delivery": delivery_id}, status_code=202)

    return api
