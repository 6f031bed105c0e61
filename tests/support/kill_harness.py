"""Kill a worker subprocess at random points mid-batch, restart it, and count the effects."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from triagedesk.adapters.store.deliveries import SqlDeliveryQueue
from triagedesk.adapters.store.tables.github import action_log, webhook_deliveries
from triagedesk.ports.deliveries import NewDelivery

WORKER = Path(__file__).with_name("worker_proc.py")


@dataclass
class KillResult:
    deliveries: int
    kills: int
    restarts: int
    lost: int  # deliveries never processed (not done, or no effect)
    twice: int  # deliveries whose effect exists more than once
    reprocessed: int  # deliveries claimed more than once (at-least-once, expected after kills)


def fill(engine: Engine, n: int, payload_for: object) -> None:
    q = SqlDeliveryQueue(engine)
    for i in range(n):
        body = payload_for(i)  # type: ignore[operator]
        q.enqueue(
            NewDelivery(
                delivery_id=f"kill-{i}",
                event="issues",
                action="opened",
                repo="docker/for-mac",
                payload=body,
                received_at=datetime.now(UTC),
            )
        )


def _env() -> dict[str, str]:
    env = dict(os.environ)
    src = str(Path(__file__).resolve().parents[2] / "src")
    env["PYTHONPATH"] = src + os.pathsep + env.get("PYTHONPATH", "")
    return env


def run_with_kills(
    url: str, engine: Engine, n: int, *, batch: int, lease: float, seed: int, max_kills: int
) -> KillResult:
    """Run workers on the queue, SIGKILLing each after a random number of deliveries
    (never a whole batch) plus a random few milliseconds, until ``max_kills`` kills;
    then one worker drains the rest after the leases expire."""
    rng = random.Random(seed)
    kills = restarts = 0
    while kills < max_kills:
        proc = subprocess.Popen(
            [sys.executable, str(WORKER), url, str(lease), str(batch)],
            stdout=subprocess.PIPE,
            text=True,
            env=_env(),
        )
        restarts += 1
        assert proc.stdout is not None
        target = rng.randint(1, batch - 1)
        seen = 0
        drained = False
        for line in proc.stdout:
            if line.startswith("done"):
                seen += 1
                if seen >= target:
                    time.sleep(rng.random() * 0.005)
                    proc.send_signal(signal.SIGKILL)
                    kills += 1
                    break
            elif line.startswith("drained"):
                drained = True
                break
        proc.wait(timeout=60)
        if drained:
            break
    time.sleep(lease + 0.2)  # let the dead workers' leases run out
    final = subprocess.run(
        [sys.executable, str(WORKER), url, str(lease), str(batch)],
        capture_output=True,
        text=True,
        env=_env(),
        timeout=120,
    )
    assert final.returncode == 0, final.stderr
    return count_effects(engine, n, kills, restarts + 1)


def count_effects(engine: Engine, n: int, kills: int, restarts: int) -> KillResult:
    with engine.connect() as conn:
        states = dict(
            conn.execute(
                select(webhook_deliveries.c.delivery_id, webhook_deliveries.c.status)
            ).all()
        )
        attempts = dict(
            conn.execute(
                select(webhook_deliveries.c.delivery_id, webhook_deliveries.c.attempts)
            ).all()
        )
        per_issue = Counter(
            dict(
                conn.execute(
                    select(action_log.c.issue, func.count()).group_by(action_log.c.issue)
                ).all()
            )
        )
    lost = twice = 0
    for i in range(n):
        effects = per_issue.get(f"docker/for-mac#{100000 + i}", 0)
        if states.get(f"kill-{i}") != "done" or effects == 0:
            lost += 1
        if effects > 1:
            twice += 1
    reprocessed = sum(1 for a in attempts.values() if a > 1)
    return KillResult(n, kills, restarts, lost, twice, reprocessed)


def as_json(r: KillResult) -> str:
    return json.dumps(r.__dict__)
