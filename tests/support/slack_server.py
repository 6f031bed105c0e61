"""A local HTTP server that speaks the part of Slack triagedesk uses, and records every request.

Routes: ``POST /webhook`` (incoming webhook), ``POST /api/chat.postMessage``,
``POST /api/files.getUploadURLExternal``, ``POST /upload/<id>``,
``POST /api/files.completeUploadExternal``. Set ``fail_status`` to answer every
request with that HTTP status, or ``api_error`` to answer API calls ``ok: false``.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Recorded:
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class SlackState:
    requests: list[Recorded] = field(default_factory=list)
    fail_status: int | None = None
    api_error: str | None = None
    base: str = ""


def _handler(state: SlackState) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _send(self, status: int, body: Any) -> None:
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            state.requests.append(Recorded(self.path, dict(self.headers.items()), body))
            if state.fail_status is not None:
                self._send(state.fail_status, b"server trouble")
                return
            if self.path == "/webhook":
                self._send(200, b"ok")
            elif self.path.startswith("/upload/"):
                self._send(200, b"OK - 1")
            elif self.path.startswith("/api/"):
                if self.headers.get("Authorization", "") != "Bearer xoxb-test-token":
                    self._send(200, {"ok": False, "error": "invalid_auth"})
                elif state.api_error:
                    self._send(200, {"ok": False, "error": state.api_error})
                elif self.path == "/api/chat.postMessage":
                    self._send(200, {"ok": True, "ts": "1700000000.000100", "channel": "C0123"})
                elif self.path == "/api/files.getUploadURLExternal":
                    self._send(
                        200, {"ok": True, "upload_url": f"{state.base}/upload/F1", "file_id": "F1"}
                    )
                elif self.path == "/api/files.completeUploadExternal":
                    self._send(200, {"ok": True, "files": [{"id": "F1"}]})
                else:
                    self._send(200, {"ok": False, "error": "unknown_method"})
            else:
                self._send(404, b"not found")

    return Handler


@contextmanager
def slack_server() -> Iterator[SlackState]:
    state = SlackState()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    state.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
