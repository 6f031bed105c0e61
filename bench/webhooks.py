"""Webhook intake and worker benchmark (SQLite, real HTTP on 127.0.0.1).

Figures:
* acknowledgement latency p50/p99 of signed ``issues.opened`` deliveries sent one
  at a time over a keep-alive connection to uvicorn (server in its own process);
* sustained deliveries/s with 8 concurrent senders;
* baseline, same run: the same server acknowledging after verifying the
  signature and parsing the JSON but without storing (a queue that keeps nothing),
  so the ratio is the price of storing before answering;
* worker throughput draining what was stored (shadow mode, triage rule);
* deliveries lost / processed twice when worker processes are SIGKILLed at random
  points mid-batch and restarted (effects counted per delivery).

Run: ``.venv/bin/python -m bench.webhooks`` (``BENCH_WEBHOOKS_N`` sets the count).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from support.kill_harness import fill, run_with_kills  # noqa: E402
from support.webhooks import SECRET, free_port, headers, opened_issue  # noqa: E402

N = int(os.environ.get("BENCH_WEBHOOKS_N", "2000"))
CONCURRENCY = 8

SERVER = """
import sys, uvicorn
from pydantic import SecretStr
from triagedesk.adapters.store.db import open_engine, migrate
from triagedesk.settings import Settings, Secrets
from triagedesk.web.app import create_app
import structlog, logging
structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
url, port, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3]
engine = open_engine(url); migrate(engine)
queue = None
if mode == "baseline":
    class NoStore:
        def enqueue(self, d): return True
        def counts(self): return {}
    queue = NoStore()
worker = None
if mode == "worker":
    from datetime import UTC, datetime, timedelta
    from triagedesk.adapters.github.webhook_payloads import parse_payload
    from triagedesk.adapters.store.action_log import SqlActionLog
    from triagedesk.adapters.store.deliveries import SqlDeliveryQueue, SqlReleaseStore
    from triagedesk.adapters.store.issues import SqlIssueStore
    from triagedesk.app import triage
    from triagedesk.app.context import AppContext
    from triagedesk.app.jobs import Worker
    triage.register_handlers()
    worker = Worker(
        ctx=AppContext(settings=Settings(), issues=SqlIssueStore(engine),
                       now=lambda: datetime.now(UTC), actions=SqlActionLog(engine)),
        queue=SqlDeliveryQueue(engine), parse=parse_payload, releases=SqlReleaseStore(engine),
        lease=timedelta(seconds=60), idle_sleep=0.05,
    )
app = create_app(Settings(), Secrets(webhook_secret=SecretStr(sys.argv[4])), engine, queue=queue,
                 worker=worker)
uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
"""


def _start(url: str, mode: str) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + env.get("PYTHONPATH", "")
    proc = subprocess.Popen(
        [sys.executable, "-c", SERVER, url, str(port), mode, SECRET],
        env=env,
        stdout=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            httpx.get(base + "/healthz", timeout=1)
            return proc, base
        except httpx.TransportError:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("benchmark server did not start") from None
            time.sleep(0.1)


def _bodies(n: int, offset: int) -> list[tuple[str, bytes]]:
    return [(f"bench-{offset + i}", opened_issue(offset + i + 1)) for i in range(n)]


def _latencies(base: str, items: list[tuple[str, bytes]]) -> list[float]:
    out = []
    with httpx.Client(base_url=base, timeout=10) as client:
        for delivery, body in items:
            h = headers("issues", delivery, body)
            t = time.perf_counter()
            r = client.post("/webhooks/github", content=body, headers=h)
            out.append(time.perf_counter() - t)
            if r.status_code != 202:
                raise RuntimeError(f"unexpected {r.status_code}: {r.text}")
    return out


def _throughput(base: str, items: list[tuple[str, bytes]]) -> float:
    chunks = [items[i::CONCURRENCY] for i in range(CONCURRENCY)]
    errors: list[str] = []

    def send(chunk: list[tuple[str, bytes]]) -> None:
        with httpx.Client(base_url=base, timeout=10) as client:
            for delivery, body in chunk:
                r = client.post(
                    "/webhooks/github", content=body, headers=headers("issues", delivery, body)
                )
                if r.status_code != 202:
                    errors.append(f"{r.status_code}")

    threads = [threading.Thread(target=send, args=(c,)) for c in chunks]
    t = time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    elapsed = time.perf_counter() - t
    if errors:
        raise RuntimeError(f"{len(errors)} deliveries not acknowledged: {errors[:3]}")
    return len(items) / elapsed


def _pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1] * 1000


def _intake(url: str, mode: str) -> dict[str, float]:
    proc, base = _start(url, mode)
    try:
        _latencies(base, _bodies(50, 10_000_000))  # warm-up
        lat = _latencies(base, _bodies(N, 0))
        rate = _throughput(base, _bodies(N, 1_000_000))
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    return {"p50": _pct(lat, 50), "p99": _pct(lat, 99), "rate": rate}


def _worker_rate(url: str) -> tuple[int, float]:
    from triagedesk.adapters.github.webhook_payloads import parse_payload
    from triagedesk.adapters.store.action_log import SqlActionLog
    from triagedesk.adapters.store.db import open_engine
    from triagedesk.adapters.store.deliveries import SqlDeliveryQueue, SqlReleaseStore
    from triagedesk.adapters.store.issues import SqlIssueStore
    from triagedesk.app import triage
    from triagedesk.app.context import AppContext
    from triagedesk.app.jobs import Worker
    from triagedesk.settings import Settings

    engine = open_engine(url)
    triage.register_handlers()
    w = Worker(
        ctx=AppContext(
            settings=Settings(),
            issues=SqlIssueStore(engine),
            now=lambda: datetime.now(UTC),
            actions=SqlActionLog(engine),
        ),
        queue=SqlDeliveryQueue(engine),
        parse=parse_payload,
        releases=SqlReleaseStore(engine),
        lease=timedelta(seconds=60),
        batch=50,
    )
    t = time.perf_counter()
    n = w.drain()
    return n, n / (time.perf_counter() - t)


def main() -> None:
    import structlog

    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(50))
    from triagedesk.adapters.store.db import migrate, open_engine

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        migrate(open_engine(url))
        print(f"webhook intake, {N} signed issues.opened deliveries, SQLite, uvicorn on 127.0.0.1")
        base = _intake(f"sqlite:///{tmp}/baseline.db", "baseline")
        real = _intake(url, "store")
        print(
            f"  baseline (verify + parse, no store): p50 {base['p50']:.2f} ms  p99 {base['p99']:.2f} ms  "
            f"{base['rate']:.0f} deliveries/s ({CONCURRENCY} senders)"
        )
        print(
            f"  store before ack:                    p50 {real['p50']:.2f} ms  p99 {real['p99']:.2f} ms  "
            f"{real['rate']:.0f} deliveries/s ({CONCURRENCY} senders)"
        )
        print(
            f"  ratio store/baseline: p99 x{real['p99'] / base['p99']:.2f}, "
            f"throughput x{real['rate'] / base['rate']:.2f}"
        )
        print(
            f"  targets: p99 <= 50 ms: {'met' if real['p99'] <= 50 else 'MISSED'}; "
            f">= 200 deliveries/s: {'met' if real['rate'] >= 200 else 'MISSED'}"
        )
        busy = _intake(f"sqlite:///{tmp}/busy.db", "worker")
        print(
            f"  store before ack, worker busy in the same process (serve's default): "
            f"p50 {busy['p50']:.2f} ms  p99 {busy['p99']:.2f} ms  {busy['rate']:.0f} deliveries/s"
        )
        n, rate = _worker_rate(url)
        print(
            f"  worker (shadow mode, triage rule): {n} deliveries drained at {rate:.0f} deliveries/s"
        )

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/kill.db"
        engine = open_engine(url)
        migrate(engine)
        kills_n = 300
        fill(engine, kills_n, lambda i: opened_issue(100000 + i))
        t = time.perf_counter()
        result = run_with_kills(url, engine, kills_n, batch=10, lease=1.0, seed=2026, max_kills=15)
        print(
            f"worker killed at random points: {result.deliveries} deliveries, {result.kills} SIGKILLs "
            f"mid-batch, {result.restarts} worker starts, {time.perf_counter() - t:.1f} s"
        )
        print(
            f"  lost: {result.lost} (target 0)  processed twice in effect: {result.twice} (target 0)  "
            f"re-claimed after a kill (at-least-once, absorbed by idempotence): {result.reprocessed}"
        )


if __name__ == "__main__":
    main()
