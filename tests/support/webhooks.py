"""Shared helpers for webhook tests: fixtures, signing, and the app on a real port."""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import FastAPI

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "webhooks"
SECRET = "it-is-only-a-test-secret"


def fixture_paths() -> list[Path]:
    return sorted(FIXTURES.rglob("*.json"))


def load(name: str) -> dict[str, Any]:
    """``load("issues/opened")`` -> the parsed fixture (a fresh copy)."""
    data: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text())
    return copy.deepcopy(data)


def event_of(path: Path) -> str:
    return path.parent.name


def sign(body: bytes, secret: str = SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def headers(event: str, delivery: str, body: bytes, secret: str = SECRET) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "X-GitHub-Event": event,
        "X-GitHub-Delivery": delivery,
        "X-Hub-Signature-256": sign(body, secret),
        "User-Agent": "GitHub-Hookshot/test",
    }


def opened_issue(number: int, repo: str = "docker/for-mac") -> bytes:
    """An issues.opened payload for a distinct issue ``number`` in ``repo``."""
    data = load("issues/opened")
    owner, name = repo.split("/")
    data["repository"]["full_name"] = repo
    data["repository"]["name"] = name
    data["issue"]["number"] = number
    data["issue"]["id"] = 3_000_000_000 + number
    data["issue"]["title"] = f"Published ports stop answering (report {number})"
    data["issue"]["html_url"] = f"https://github.com/{owner}/{name}/issues/{number}"
    return json.dumps(data).encode()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def running(app: FastAPI) -> Iterator[str]:
    """Serve ``app`` with uvicorn on 127.0.0.1, port 0, in a thread; yields the base URL."""
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="error", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=20)
