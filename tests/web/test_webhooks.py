"""POST /webhooks/github: verify, store before answering, refuse bad input with a reason."""

from __future__ import annotations

import json
import logging
import subprocess
import sys

import httpx
import pytest
import structlog
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy.engine import Engine

from support.webhooks import SECRET, headers, load, running, sign
from triagedesk.adapters.store.deliveries import SqlDeliveryQueue
from triagedesk.domain.errors import ConfigError
from triagedesk.ports.deliveries import DeliveryStatus
from triagedesk.settings import Secrets, Settings
from triagedesk.web.app import create_app

URL = "/webhooks/github"


def secrets(value: str | None = SECRET) -> Secrets:
    return Secrets(webhook_secret=SecretStr(value) if value is not None else None)


@pytest.fixture
def client(sqlite_engine: Engine) -> TestClient:
    return TestClient(create_app(Settings(), secrets(), sqlite_engine))


def body_of(name: str) -> bytes:
    return json.dumps(load(name)).encode()


def test_signed_delivery_is_stored_then_acknowledged(
    client: TestClient, sqlite_engine: Engine
) -> None:
    body = body_of("issues/opened")
    r = client.post(URL, content=body, headers=headers("issues", "d-1", body))
    assert r.status_code == 202
    assert r.json() == {"status": "queued", "delivery": "d-1"}
    stored = SqlDeliveryQueue(sqlite_engine).get("d-1")
    assert stored is not None
    assert (stored.event, stored.action, stored.repo) == ("issues", "opened", "docker/for-mac")
    assert stored.payload == body
    assert stored.status is DeliveryStatus.QUEUED


def test_replayed_delivery_is_stored_once(client: TestClient, sqlite_engine: Engine) -> None:
    body = body_of("issues/opened")
    first = client.post(URL, content=body, headers=headers("issues", "d-2", body))
    again = client.post(URL, content=body, headers=headers("issues", "d-2", body))
    assert first.status_code == 202
    assert again.status_code == 200 and again.json()["status"] == "duplicate"
    assert SqlDeliveryQueue(sqlite_engine).counts()["queued"] == 1


@pytest.mark.parametrize(
    ("change", "status", "reason"),
    [
        (lambda h: h.pop("X-Hub-Signature-256"), 401, "missing"),
        (lambda h: h.update({"X-Hub-Signature-256": sign(b"other body")}), 401, "does not match"),
        (lambda h: h.update({"X-Hub-Signature-256": sign(b"x", "wrong")}), 401, "does not match"),
        (lambda h: h.update({"X-Hub-Signature-256": "sha1=abc"}), 401, "does not match"),
        (lambda h: h.update({"Content-Type": "application/x-www-form-urlencoded"}), 415, "content"),
        (lambda h: h.pop("Content-Type"), 415, "content type"),
        (lambda h: h.pop("X-GitHub-Delivery"), 400, "X-GitHub-Delivery"),
        (lambda h: h.pop("X-GitHub-Event"), 400, "X-GitHub-Event"),
        (lambda h: h.update({"X-GitHub-Delivery": "x" * 300}), 400, "X-GitHub-Delivery"),
    ],
)
def test_refusals_store_nothing(
    client: TestClient, sqlite_engine: Engine, change: object, status: int, reason: str
) -> None:
    body = body_of("issues/opened")
    h = headers("issues", "d-3", body)
    change(h)  # type: ignore[operator]
    r = client.post(URL, content=body, headers=h)
    assert r.status_code == status
    assert reason in r.json()["error"]
    assert sum(SqlDeliveryQueue(sqlite_engine).counts().values()) == 0


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b'{"action": "opened", ', "malformed JSON"),
        (b"[]", "not an object"),
        (b"\xff\xfe{}", "not UTF-8"),
        (b"", "malformed JSON"),
    ],
)
def test_malformed_json_is_400(
    client: TestClient, sqlite_engine: Engine, body: bytes, reason: str
) -> None:
    r = client.post(URL, content=body, headers=headers("issues", "d-4", body))
    assert r.status_code == 400
    assert reason in r.json()["error"]
    assert sum(SqlDeliveryQueue(sqlite_engine).counts().values()) == 0


@pytest.mark.parametrize(
    ("event", "name"),
    [("watch", "watch/started"), ("issue_comment", "issue_comment/deleted"), ("push", None)],
)
def test_unhandled_events_are_acknowledged_and_ignored(
    client: TestClient, sqlite_engine: Engine, event: str, name: str | None
) -> None:
    body = body_of(name) if name else b'{"ref": "refs/heads/main"}'
    r = client.post(URL, content=body, headers=headers(event, f"d-{event}", body))
    assert r.status_code == 202 and r.json()["status"] == "ignored"
    stored = SqlDeliveryQueue(sqlite_engine).get(f"d-{event}")
    assert stored is not None and stored.status is DeliveryStatus.IGNORED
    assert stored.payload == b""  # nothing kept that will never be used


def test_declared_25_mb_body_is_413_before_reading(client: TestClient) -> None:
    h = headers("issues", "d-5", b"")
    h["Content-Length"] = str(25 * 1024 * 1024)
    r = client.post(URL, content=b"{}", headers=h)
    assert r.status_code == 413


def test_25_mb_body_over_real_http_is_413(sqlite_engine: Engine) -> None:
    app = create_app(Settings(), secrets(), sqlite_engine)
    big = b'{"action": "opened", "pad": "' + b"x" * (25 * 1024 * 1024) + b'"}'
    with running(app) as base:
        # chunked upload: no Content-Length, so the server must count while reading
        def chunks() -> object:
            for i in range(0, len(big), 1 << 20):
                yield big[i : i + (1 << 20)]

        h = headers("issues", "d-6", big)
        try:
            r = httpx.post(base + URL, content=chunks(), headers=h, timeout=60)  # type: ignore[arg-type]
            assert r.status_code == 413
        except httpx.TransportError:
            pass  # the server may close the connection mid-upload after answering 413
        ok = body_of("issues/opened")
        assert (
            httpx.post(base + URL, content=ok, headers=headers("issues", "d-7", ok)).status_code
            == 202
        )
    counts = SqlDeliveryQueue(sqlite_engine).counts()
    assert counts["queued"] == 1  # only the normal one


def test_refusal_reason_is_logged_without_the_secret(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    structlog.configure(
        processors=[structlog.processors.KeyValueRenderer()],
        logger_factory=structlog.stdlib.LoggerFactory(),
    )
    try:
        body = body_of("issues/opened")
        h = headers("issues", "d-8", body, secret="a-wrong-one")
        with caplog.at_level(logging.INFO):
            assert client.post(URL, content=body, headers=h).status_code == 401
        text = caplog.text
        assert "does not match" in text and "d-8" in text
        assert SECRET not in text and h["X-Hub-Signature-256"] not in text
    finally:
        structlog.reset_defaults()


@pytest.mark.parametrize("value", [None, "", "   "])
def test_missing_secret_is_a_clear_startup_error(sqlite_engine: Engine, value: str | None) -> None:
    with pytest.raises(ConfigError, match="TRIAGEDESK_WEBHOOK_SECRET"):
        create_app(Settings(), secrets(value), sqlite_engine)


def test_healthz(client: TestClient) -> None:
    r = client.get("/healthz")
    assert r.status_code == 200
    assert r.json()["status"] == "ok" and r.json()["deliveries"]["queued"] == 0


def test_request_path_imports_nothing_heavy() -> None:
    code = (
        "import sys, triagedesk.web.app, triagedesk.web.webhooks;"
        "heavy = [m for m in ('sklearn', 'scipy', 'numpy') if m in sys.modules];"
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
