"""Redelivery of failed webhook deliveries.

GitHub does not retry a failed delivery by itself (a delivery not answered 2xx
within 10 s is failed), but it keeps deliveries for about three days and
redelivers one on request. This job lists the recent attempts of each hook,
groups them by delivery GUID (a redelivery keeps the GUID), and asks once more
for every GUID that has no successful attempt, unless triagedesk already stored
it (it then failed after storing, e.g. the answer timed out) or it has been
redelivered ``max_redeliveries`` times already. Incremental sync heals whatever
this cannot.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import structlog

from triagedesk.domain.errors import RateLimited, TrackerError
from triagedesk.ports.deliveries import DeliveryQueue, HookDeliveries, HookDelivery

log = structlog.get_logger("triagedesk.redeliver")


@dataclass
class RedeliveryReport:
    hooks: int = 0
    seen: int = 0  # distinct delivery GUIDs in the window
    failed: int = 0  # GUIDs without a 2xx attempt
    already_stored: int = 0
    gave_up: int = 0
    requested: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def redeliver_failed(
    hooks: Sequence[HookDeliveries],
    queue: DeliveryQueue | None,
    *,
    now: datetime,
    window: timedelta = timedelta(hours=72),
    max_redeliveries: int = 3,
) -> RedeliveryReport:
    report = RedeliveryReport(hooks=len(hooks))
    for hook in hooks:
        try:
            attempts = hook.list_deliveries(now - window)
        except (RateLimited, TrackerError) as exc:
            report.errors.append(f"{hook.name}: {exc}")
            log.warning("cannot list hook deliveries", hook=hook.name, error=str(exc))
            continue
        by_guid: dict[str, list[HookDelivery]] = defaultdict(list)
        for attempt in attempts:
            by_guid[attempt.guid].append(attempt)
        report.seen += len(by_guid)
        for guid, tries in sorted(by_guid.items()):
            if any(t.ok for t in tries):
                continue
            report.failed += 1
            if queue is not None and queue.get(guid) is not None:
                report.already_stored += 1
                continue
            if sum(1 for t in tries if t.redelivery) >= max_redeliveries:
                report.gave_up += 1
                continue
            latest = max(tries, key=lambda t: (t.delivered_at, t.id))
            try:
                hook.redeliver(latest.id)
            except (RateLimited, TrackerError) as exc:
                report.errors.append(f"{hook.name} {guid}: {exc}")
                continue
            report.requested.append(guid)
            log.info("redelivery requested", hook=hook.name, delivery=guid, gh_event=latest.event)
    return report
