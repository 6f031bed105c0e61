"""Rate-limit bookkeeping and content-creation pacing (pure, on a fake clock)."""

from __future__ import annotations

import pytest

from support.github_server import FakeClock
from triagedesk.adapters.github.ratelimit import ContentPacer, RateState
from triagedesk.domain.errors import RateLimited


def test_headers_update_the_bucket_of_their_resource_and_bad_values_are_ignored() -> None:
    state = RateState()
    state.update({"x-ratelimit-remaining": "10", "x-ratelimit-reset": "1700000000"}, "core")
    state.update({"x-ratelimit-resource": "graphql", "x-ratelimit-remaining": "7"}, "core")
    state.update({"x-ratelimit-remaining": "lots"}, "core")  # a proxy mangled it
    assert state.bucket("core").remaining == 10 and state.bucket("core").reset_at == 1.7e9
    assert state.bucket("graphql").remaining == 7


@pytest.mark.parametrize(
    ("per_minute", "per_hour", "writes", "expected_waits"),
    [
        (80, 500, 80, 0),  # a full minute's worth goes straight out
        (80, 500, 81, 1),  # the 81st waits for the first to age out
        (80, 500, 160, 1),  # after one wait, the next 79 fit in the new minute
        (1000, 100, 101, 1),  # the hourly ceiling
    ],
)
def test_pacer_keeps_both_ceilings(
    per_minute: int, per_hour: int, writes: int, expected_waits: int
) -> None:
    clock = FakeClock(1_000_000.0)
    pacer = ContentPacer(per_minute, per_hour, clock, clock.sleep, max_wait=7200)
    stamps = []
    for _ in range(writes):
        pacer.acquire()
        stamps.append(clock())
    assert len(clock.sleeps) == expected_waits
    for i in range(len(stamps)):
        in_minute = sum(1 for t in stamps[: i + 1] if t > stamps[i] - 60)
        in_hour = sum(1 for t in stamps[: i + 1] if t > stamps[i] - 3600)
        assert in_minute <= per_minute and in_hour <= per_hour


def test_pacer_stops_instead_of_waiting_too_long() -> None:
    clock = FakeClock(1_000_000.0)
    pacer = ContentPacer(1000, 3, clock, clock.sleep, max_wait=60)
    for _ in range(3):
        pacer.acquire()
    with pytest.raises(RateLimited) as err:
        pacer.acquire()
    assert err.value.reset_at == pytest.approx(clock() + 3600)
    assert clock.sleeps == []
