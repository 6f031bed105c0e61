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
