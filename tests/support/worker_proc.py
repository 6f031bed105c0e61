"""A worker process for the kill tests and the benchmark: ``python worker_proc.py DB_URL LEASE BATCH``.

Builds the real worker (SQL queue, SQL issue store, SQL action log, the
triage-on-open rule, shadow mode) and prints ``done <delivery id>`` after each
delivery, flushed, so the parent can SIGKILL it at a chosen point mid-batch.
It exits when the queue has nothing claimable left.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta

from triagedesk.adapters.github.webhook_payloads import parse_payload
from triagedesk.adapters.store.action_log import SqlActionLog
from triagedesk.adapters.store.db import open_engine
from triagedesk.adapters.store.deliveries import SqlDeliveryQueue, SqlReleaseStore
from triagedesk.adapters.store.issues import SqlIssueStore
from triagedesk.app import triage
from triagedesk.app.context import AppContext
from triagedesk.app.jobs import Worker
from triagedesk.ports.deliveries import Delivery
from triagedesk.settings import Settings


def main(url: str, lease: float, batch: int) -> None:
    engine = open_engine(url)
    triage.register_handlers()
    ctx = AppContext(
        settings=Settings(),
        issues=SqlIssueStore(engine),
        now=lambda: datetime.now(UTC),
        actions=SqlActionLog(engine),
        tracker=None,
    )

    def report(d: Delivery) -> None:
        sys.stdout.write(f"done {d.delivery_id}\n")
        sys.stdout.flush()

    w = Worker(
        ctx=ctx,
        queue=SqlDeliveryQueue(engine),
        parse=parse_payload,
        releases=SqlReleaseStore(engine),
        lease=timedelta(seconds=lease),
        batch=batch,
        after_each=report,
    )
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    w.drain()
    sys.stdout.write("drained\n")
    sys.stdout.flush()


if __name__ == "__main__":
    import structlog

    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(40))
    main(sys.argv[1], float(sys.argv[2]), int(sys.argv[3]))
