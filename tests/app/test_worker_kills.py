"""Workers SIGKILLed mid-batch and restarted: every delivery takes effect exactly once."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine

from support.kill_harness import fill, run_with_kills
from support.webhooks import opened_issue


@pytest.mark.slow
def test_killed_workers_lose_nothing_and_repeat_nothing(engine: Engine, db_url: str) -> None:
    n = 40
    fill(engine, n, lambda i: opened_issue(100000 + i))
    result = run_with_kills(db_url, engine, n, batch=5, lease=1.0, seed=11, max_kills=4)
    assert result.kills >= 1  # the test really killed workers mid-batch
    assert result.reprocessed >= result.kills  # their claimed deliveries were taken again
    assert result.lost == 0
    assert result.twice == 0


@pytest.mark.slow
def test_concurrent_worker_processes_share_the_queue(engine: Engine, db_url: str) -> None:
    import subprocess
    import sys

    from support.kill_harness import WORKER, _env, count_effects

    n = 60
    fill(engine, n, lambda i: opened_issue(100000 + i))
    procs = [
        subprocess.Popen(
            [sys.executable, str(WORKER), db_url, "30", "3"],
            stdout=subprocess.PIPE,
            text=True,
            env=_env(),
        )
        for _ in range(3)
    ]
    done_by: list[list[str]] = []
    for p in procs:
        out, _ = p.communicate(timeout=120)
        assert p.returncode == 0
        done_by.append([line.split()[1] for line in out.splitlines() if line.startswith("done")])
    every = [d for ds in done_by for d in ds]
    assert sorted(every) == sorted(f"kill-{i}" for i in range(n))  # each processed by one worker
    result = count_effects(engine, n, kills=0, restarts=3)
    assert (result.lost, result.twice, result.reprocessed) == (0, 0, 0)
