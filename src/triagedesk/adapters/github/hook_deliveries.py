"""The hook deliveries endpoints: list recent attempts, ask for a redelivery.

Two flavours: a GitHub App's hook (``/app/hook/deliveries``, authenticated with
the App's JWT, not an installation token) and a repository hook
(``/repos/{owner}/{repo}/hooks/{id}/deliveries``, with the token). Lists are
newest first and paged with a cursor in the ``Link`` header; paging stops at
the first attempt older than asked.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from triagedesk.adapters.github.rest import Kind, Transport
from triagedesk.domain.errors import TrackerError
from triagedesk.domain.model import RepoRef
from triagedesk.ports.deliveries import HookDelivery

__all__ = ["HookDeliveriesApi", "app_hook", "repo_hook"]


def _time(value: Any) -> datetime:
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise TrackerError(f"hook delivery with a bad delivered_at: {value!r}") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _attempt(item: Any) -> HookDelivery:
    if not isinstance(item, dict) or not isinstance(item.get("id"), int):
        raise TrackerError("GitHub listed a hook delivery without an id")
    return HookDelivery(
        id=int(item["id"]),
        guid=str(item.get("guid", "")),
        delivered_at=_time(item.get("delivered_at")),
        status_code=int(item.get("status_code") or 0),
        redelivery=bool(item.get("redelivery", False)),
        event=str(item.get("event") or ""),
        action=str(item.get("action") or ""),
    )


class HookDeliveriesApi:
    """:class:`triagedesk.ports.deliveries.HookDeliveries` over the REST transport."""

    def __init__(
        self,
        transport: Transport,
        base: str,
        name: str,
        auth: Callable[[], str] | None = None,
        max_pages: int = 50,
    ) -> None:
        self.transport = transport
        self.base = base
        self.name = name
        self.auth = auth
        self.max_pages = max_pages

    def list_deliveries(self, since: datetime) -> list[HookDelivery]:
        out: list[HookDelivery] = []
        url: str | None = f"{self.base}/deliveries"
        params: dict[str, Any] | None = {"per_page": 100}
        for _ in range(self.max_pages):
            if url is None:
                break
            answer = self.transport.request(
                "GET", url, params=params, auth=self.auth() if self.auth else None
            )
            items = answer.body if isinstance(answer.body, list) else []
            page = [_attempt(i) for i in items]
            out.extend(a for a in page if a.delivered_at >= since)
            if not page or min(a.delivered_at for a in page) < since:
                break
            url, params = answer.next_url(), None
        return out

    def redeliver(self, delivery_id: int) -> None:
        self.transport.request(
            "POST",
            f"{self.base}/deliveries/{delivery_id}/attempts",
            kind=Kind.IDEMPOTENT,
            auth=self.auth() if self.auth else None,
        )


def app_hook(transport: Transport, app_jwt: Callable[[], str]) -> HookDeliveriesApi:
    return HookDeliveriesApi(transport, "/app/hook", "app", auth=lambda: f"Bearer {app_jwt()}")


def repo_hook(transport: Transport, repo: RepoRef, hook_id: int) -> HookDeliveriesApi:
    return HookDeliveriesApi(
        transport, f"/repos/{repo.full_name}/hooks/{hook_id}", f"{repo.full_name} hook {hook_id}"
    )
