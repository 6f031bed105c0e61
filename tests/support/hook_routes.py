"""Hook-deliveries endpoints for the GitHub test server (added with ``server.add_route``).

GitHub's record of a webhook's delivery attempts: list them (newest first,
paged) and redeliver one. A redelivery really sends the stored payload, signed,
to ``target`` (the running triagedesk app) and records the answer's status as a
new attempt with the same GUID, as GitHub does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import httpx

from support.github_data import iso
from support.github_server import GithubServer, Req, Resp
from support.webhooks import SECRET, headers


@dataclass
class Hook:
    base: str  # "/repos/o/r/hooks/1" or "/app/hook"
    server: GithubServer
    target: str | None = None
    secret: str = SECRET
    attempts: list[dict[str, Any]] = field(default_factory=list)
    payloads: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    next_id: int = 9_000_000_001

    def record(self, guid: str, event: str, body: bytes, status_code: int, at: float,
               redelivery: bool = False) -> dict[str, Any]:  # fmt: skip
        self.payloads[guid] = (event, body)
        row = {
            "id": self.next_id,
            "guid": guid,
            "delivered_at": iso(at),
            "redelivery": redelivery,
            "duration": 0.05,
            "status": "OK" if 200 <= status_code < 300 else "failed",
            "status_code": status_code,
            "event": event,
            "action": "opened",
            "installation_id": None,
            "repository_id": 60870221,
        }
        self.next_id += 1
        self.attempts.append(row)
        return row

    def list(self, s: GithubServer, req: Req, m: re.Match[str]) -> Resp:
        rows = sorted(self.attempts, key=lambda r: (r["delivered_at"], r["id"]), reverse=True)
        return s.paginate(req, rows)

    def redeliver(self, s: GithubServer, req: Req, m: re.Match[str]) -> Resp:
        found = [a for a in self.attempts if a["id"] == int(m["id"])]
        if not found:
            return Resp(404, {"message": "Not Found"})
        guid = found[0]["guid"]
        event, body = self.payloads[guid]
        status = 502
        if self.target is not None:
            try:
                status = httpx.post(
                    self.target + "/webhooks/github",
                    content=body,
                    headers=headers(event, guid, body, self.secret),
                    timeout=10,
                ).status_code
            except httpx.HTTPError:
                status = 504
        self.record(guid, event, body, status, s.clock(), redelivery=True)
        return Resp(202, {})


def install(server: GithubServer, base: str, target: str | None = None) -> Hook:
    hook = Hook(base=base, server=server, target=target)
    server.add_route("GET", re.escape(base) + "/deliveries", hook.list)
    server.add_route("POST", re.escape(base) + r"/deliveries/(?P<id>\d+)/attempts", hook.redeliver)
    return hook
