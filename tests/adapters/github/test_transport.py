"""The transport against the GitHub test server: pagination, 304s, limits, retries, writes."""

from __future__ import annotations

import socket

import pytest
from pydantic import SecretStr

from support.github_fixtures import make_transport, settings_for
from support.github_server import TOKEN, FakeClock, Fault, GithubServer
from triagedesk.adapters.github.auth import StaticToken
from triagedesk.adapters.github.rest import Kind, Transport
from triagedesk.domain.errors import NotFoundError, RateLimited, TrackerError, TrackerUnavailable
from triagedesk.settings.github import GithubSettings

REPO = "docker/for-mac"
ISSUES = f"/repos/{REPO}/issues"


def _seed(server: GithubServer, n: int) -> None:
    for i in range(n):
        server.add_issue(REPO, title=f"issue {i}", created=1_700_000_000 + i)


def test_paginate_follows_link_headers(github_server: GithubServer) -> None:
    clock = FakeClock()
    _seed(github_server, 250)
    t = make_transport(github_server, clock, page_size=100)
    numbers = [i["number"] for i in t.paginate(ISSUES, {"state": "all", "direction": "asc"})]
    assert numbers == list(range(1, 251))
    pages = github_server.requests("GET", ISSUES)
    assert len(pages) == 3
    assert "page=3" in pages[-1].query


def test_conditional_request_answered_304_costs_no_rate_limit(github_server: GithubServer) -> None:
    clock = FakeClock()
    _seed(github_server, 3)
    t = make_transport(github_server, clock)
    first = t.request("GET", ISSUES)
    etag = first.headers["etag"]
    remaining = github_server.bucket("core").remaining
    again = t.request("GET", ISSUES, headers={"If-None-Match": etag})
    assert again.not_modified and again.body is None
    assert github_server.bucket("core").remaining == remaining
    assert t.rate.not_modified == 1 and t.rate.counted == 1 and t.rate.sent == 2
    github_server.add_issue(REPO, title="a new one")
    changed = t.request("GET", ISSUES, headers={"If-None-Match": etag})
    assert changed.status == 200 and changed.headers["etag"] != etag


def test_if_modified_since_answered_304(github_server: GithubServer) -> None:
    clock = FakeClock()
    _seed(github_server, 2)
    t = make_transport(github_server, clock)
    last = t.request("GET", ISSUES).headers["last-modified"]
    assert t.request("GET", ISSUES, headers={"If-Modified-Since": last}).not_modified


def test_primary_limit_waits_for_the_reset_then_goes_on(github_server: GithubServer) -> None:
    clock = FakeClock()
    _seed(github_server, 1)
    t = make_transport(github_server, clock)
    github_server.set_rate("core", remaining=1, reset_in=120)
    t.request("GET", ISSUES)  # spends the last request; the answer says 0 remain
    t.request("GET", ISSUES)  # known exhausted: waits for the reset before sending
    assert len(clock.sleeps) == 1 and 120 <= clock.sleeps[0] <= 122
    assert [r.status for r in github_server.requests("GET", ISSUES)] == [200, 200]


def test_primary_limit_met_unannounced_waits_and_retries(github_server: GithubServer) -> None:
    clock = FakeClock()
    _seed(github_server, 1)
    t = make_transport(github_server, clock)
    github_server.set_rate("core", remaining=0, reset_in=60)
    assert t.request("GET", ISSUES).status == 200
    assert [r.status for r in github_server.requests("GET", ISSUES)] == [403, 200]
    assert len(clock.sleeps) == 1 and 60 <= clock.sleeps[0] <= 62


def test_primary_limit_too_far_away_stops_cleanly_with_the_reset(
    github_server: GithubServer,
) -> None:
    clock = FakeClock()
    t = make_transport(github_server, clock, max_wait_seconds=900)
    github_server.set_rate("core", remaining=0, reset_in=3000)
    with pytest.raises(RateLimited) as err:
        t.request("GET", ISSUES)
    assert err.value.reset_at is not None and err.value.reset_at == pytest.approx(
        clock() + 3000, abs=2
    )
    assert clock.sleeps == []
    assert len(github_server.requests()) == 1
    # the next call does not even send: the transport knows the limit is spent
    with pytest.raises(RateLimited):
        t.request("GET", ISSUES)
    assert len(github_server.requests()) == 1


def test_reads_keep_the_reserve_writes_may_use_it(github_server: GithubServer) -> None:
    clock = FakeClock()
    _seed(github_server, 1)
    t = make_transport(github_server, clock, rate_limit_reserve=10, wait_for_reset=False)
    github_server.set_rate("core", remaining=11, reset_in=3000)
    t.request("GET", ISSUES)  # 10 remain now
    with pytest.raises(RateLimited):
        t.request("GET", ISSUES)
    t.request("POST", f"{ISSUES}/1/comments", json={"body": "hi"}, kind=Kind.CREATE)
    assert len(github_server.repo(REPO).comments[1]) == 1


def test_per_run_budget_stops_the_run_and_304s_are_free(github_server: GithubServer) -> None:
    clock = FakeClock()
    _seed(github_server, 1)
    t = make_transport(github_server, clock, request_budget=2)
    etag = t.request("GET", ISSUES).headers["etag"]
    for _ in range(5):
        assert t.request("GET", ISSUES, headers={"If-None-Match": etag}).not_modified
    t.request("GET", f"{ISSUES}/1")
    with pytest.raises(RateLimited, match="budget"):
        t.request("GET", f"{ISSUES}/1")
    assert len(github_server.requests()) == 7


@pytest.mark.parametrize(
    ("fault", "expected_sleep"),
    [
        (Fault(403, retry_after=30), 30.0),
        (Fault(429, retry_after=5), 5.0),
        (Fault(403), 60.0),  # the secondary-limit message without Retry-After: one minute
    ],
)
def test_secondary_limit_backs_off_as_told(
    github_server: GithubServer, fault: Fault, expected_sleep: float
) -> None:
    clock = FakeClock()
    _seed(github_server, 1)
    t = make_transport(github_server, clock)
    github_server.inject("GET", f"{ISSUES}/1", fault)
    assert t.request("GET", f"{ISSUES}/1").body["number"] == 1
    assert clock.sleeps == [expected_sleep]
    assert [r.status for r in github_server.requests("GET", f"{ISSUES}/1")] == [fault.status, 200]


def test_secondary_limit_longer_than_allowed_stops(github_server: GithubServer) -> None:
    clock = FakeClock()
    t = make_transport(github_server, clock, max_wait_seconds=100)
    github_server.inject("GET", ISSUES, Fault(429, retry_after=3600))
    with pytest.raises(RateLimited):
        t.request("GET", ISSUES)


def test_creating_write_refused_by_a_secondary_limit_is_sent_again(
    github_server: GithubServer,
) -> None:
    clock = FakeClock()
    _seed(github_server, 1)
    t = make_transport(github_server, clock)
    github_server.inject("POST", f"{ISSUES}/1/comments", Fault(403, retry_after=10))
    t.request("POST", f"{ISSUES}/1/comments", json={"body": "once"}, kind=Kind.CREATE)
    assert [c["body"] for c in github_server.repo(REPO).comments[1]] == ["once"]
    assert clock.sleeps == [10.0]


def test_5xx_on_a_read_is_retried_with_growing_jittered_backoff(
    github_server: GithubServer,
) -> None:
    clock = FakeClock()
    _seed(github_server, 1)
    t = make_transport(
        github_server, clock, max_retries=3, backoff_seconds=2, backoff_max_seconds=60
    )
    github_server.inject("GET", f"{ISSUES}/1", Fault(502), Fault(503), Fault(500))
    assert t.request("GET", f"{ISSUES}/1").status == 200
    assert len(github_server.requests("GET", f"{ISSUES}/1")) == 4
    # equal jitter: retry k waits between half and all of 2 * 2**(k-1) seconds
    for k, slept in enumerate(clock.sleeps, start=1):
        step = 2 * 2 ** (k - 1)
        assert step / 2 <= slept <= step


def test_5xx_retries_are_bounded(github_server: GithubServer) -> None:
    clock = FakeClock()
    t = make_transport(github_server, clock, max_retries=2)
    github_server.inject("GET", ISSUES, *[Fault(502)] * 10)
    with pytest.raises(TrackerUnavailable, match="after 2 retries"):
        t.request("GET", ISSUES)
    assert len(github_server.requests("GET", ISSUES)) == 3


def test_read_timeout_is_retried(github_server: GithubServer) -> None:
    clock = FakeClock()
    _seed(github_server, 1)
    t = make_transport(github_server, clock, timeout_seconds=0.2)
    github_server.inject("GET", f"{ISSUES}/1", Fault(504, delay=0.6))
    assert t.request("GET", f"{ISSUES}/1").status == 200
    assert len(github_server.requests("GET", f"{ISSUES}/1")) == 2


def test_creating_write_that_may_have_happened_is_not_repeated(github_server: GithubServer) -> None:
    clock = FakeClock()
    _seed(github_server, 1)
    t = make_transport(github_server, clock)
    path = f"{ISSUES}/1/comments"
    github_server.inject("POST", path, Fault(502, apply=True))
    with pytest.raises(TrackerUnavailable, match="not repeated"):
        t.request("POST", path, json={"body": "hello"}, kind=Kind.CREATE)
    assert len(github_server.requests("POST", path)) == 1
    assert [c["body"] for c in github_server.repo(REPO).comments[1]] == ["hello"]


def test_creating_write_timed_out_is_not_repeated(github_server: GithubServer) -> None:
    clock = FakeClock()
    _seed(github_server, 1)
    t = make_transport(github_server, clock, timeout_seconds=0.2)
    path = f"{ISSUES}/1/comments"
    github_server.inject("POST", path, Fault(201, delay=0.6, apply=True))
    with pytest.raises(TrackerUnavailable, match="not repeated"):
        t.request("POST", path, json={"body": "slow"}, kind=Kind.CREATE)
    assert len(github_server.requests("POST", path)) == 1


def test_dropped_connection_repeats_reads_not_creating_writes(github_server: GithubServer) -> None:
    clock = FakeClock()
    _seed(github_server, 1)
    t = make_transport(github_server, clock)
    github_server.inject("GET", f"{ISSUES}/1", Fault(drop=True))
    assert t.request("GET", f"{ISSUES}/1").status == 200
    path = f"{ISSUES}/1/comments"
    github_server.inject("POST", path, Fault(drop=True, apply=True))
    with pytest.raises(TrackerUnavailable):
        t.request("POST", path, json={"body": "x"}, kind=Kind.CREATE)
    assert len(github_server.requests("POST", path)) == 1


def test_idempotent_write_is_retried_on_5xx(github_server: GithubServer) -> None:
    clock = FakeClock()
    _seed(github_server, 1)
    t = make_transport(github_server, clock)
    path = f"{ISSUES}/1/labels"
    github_server.inject("POST", path, Fault(502, apply=True))
    t.request("POST", path, json={"labels": ["status/0-triage"]}, kind=Kind.IDEMPOTENT)
    assert len(github_server.requests("POST", path)) == 2
    labels = [lab["name"] for lab in github_server.repo(REPO).issues[1]["labels"]]
    assert labels == ["status/0-triage"]


def _dead_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_connection_refused_is_retried_even_for_creating_writes() -> None:
    clock = FakeClock()
    t = Transport(
        GithubSettings(api_url=f"http://127.0.0.1:{_dead_port()}", max_retries=2),
        StaticToken(SecretStr(TOKEN)),
        clock=clock,
        sleep=clock.sleep,
    )
    with pytest.raises(TrackerUnavailable, match="cannot connect"):
        t.request("POST", "/repos/o/r/issues/1/comments", json={"body": "x"}, kind=Kind.CREATE)
    assert t.rate.sent == 3 and len(clock.sleeps) == 2


@pytest.mark.parametrize(
    ("status", "error"),
    [(404, NotFoundError), (410, NotFoundError), (422, TrackerError), (400, TrackerError)],
)
def test_client_errors_become_project_errors_without_retry(
    github_server: GithubServer, status: int, error: type[Exception]
) -> None:
    clock = FakeClock()
    t = make_transport(github_server, clock)
    github_server.inject("GET", ISSUES, Fault(status, message="nope"))
    with pytest.raises(error):
        t.request("GET", ISSUES)
    assert len(github_server.requests()) == 1


def test_bad_token_is_a_clear_error(github_server: GithubServer) -> None:
    clock = FakeClock()
    github_server.clock = clock
    t = Transport(
        settings_for(github_server),
        StaticToken(SecretStr("wrong-token-value")),
        clock=clock,
        sleep=clock.sleep,
    )
    with pytest.raises(TrackerError, match="401") as err:
        t.request("GET", ISSUES)
    assert "wrong-token-value" not in str(err.value)


def test_content_creation_is_paced(github_server: GithubServer) -> None:
    clock = FakeClock()
    _seed(github_server, 1)
    t = make_transport(github_server, clock, content_per_minute=3, content_per_hour=500)
    for i in range(4):
        t.request(
            "POST", f"{ISSUES}/1/comments", json={"body": f"c{i}"}, kind=Kind.CREATE, content=True
        )
    assert len(clock.sleeps) == 1 and 59 <= clock.sleeps[0] <= 60


def test_repeated_secondary_limits_without_retry_after_wait_longer_each_time(
    github_server: GithubServer,
) -> None:
    clock = FakeClock()
    _seed(github_server, 1)
    t = make_transport(github_server, clock, max_retries=3, max_wait_seconds=900)
    github_server.inject("GET", f"{ISSUES}/1", Fault(403), Fault(403), Fault(429))
    assert t.request("GET", f"{ISSUES}/1").status == 200
    assert clock.sleeps == [60.0, 120.0, 240.0]


def test_retry_after_as_an_http_date(github_server: GithubServer) -> None:
    from email.utils import formatdate

    clock = FakeClock(1_700_000_000.0)
    t = make_transport(github_server, clock)
    # a date 45 s ahead of the (fake) clock
    assert t._retry_after(formatdate(clock() + 45, usegmt=True)) == pytest.approx(45, abs=1)
    assert t._retry_after("soon") is None


def test_budget_renews_every_hour_in_a_long_running_process(github_server: GithubServer) -> None:
    clock = FakeClock()
    _seed(github_server, 1)
    t = make_transport(github_server, clock, request_budget=2)
    t.request("GET", f"{ISSUES}/1")
    t.request("GET", f"{ISSUES}/1")
    with pytest.raises(RateLimited) as err:
        t.request("GET", f"{ISSUES}/1")
    assert err.value.reset_at == pytest.approx(clock() + 3600)
    clock.advance(3600)
    t.request("GET", f"{ISSUES}/1")
    t.new_run()
    t.request("GET", f"{ISSUES}/1")
    t.request("GET", f"{ISSUES}/1")
    assert len(github_server.requests()) == 5
