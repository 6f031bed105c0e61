"""GitHub sync request counts against the test server (tests/support/github_server.py).

Figures:
* backfill of N issues with 5 comments each through GraphQL pages, stored in SQLite:
  requests used against the minimum ceil(N/100) (target <= 1.1x);
* an idle incremental sync: requests per repository (target 1, answered 304);
* an incremental sync after K issues changed: requests used;
* the baseline in the same run: REST issue pages plus one comments request per issue
  (what a client that fetches comments issue by issue spends), and the ratio.

Run: ``.venv/bin/python -m bench.github`` (``BENCH_GITHUB_ISSUES`` to change N).
"""

from __future__ import annotations

import math
import os
import random
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench._rss import peak_rss_mb

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT / "tests") not in sys.path:
    sys.path.insert(0, str(ROOT / "tests"))

from pydantic import SecretStr  # noqa: E402

from support.github_server import TOKEN, GithubServer  # noqa: E402
from triagedesk.adapters.github.auth import StaticToken  # noqa: E402
from triagedesk.adapters.github.client import GithubClient  # noqa: E402
from triagedesk.adapters.github.rest import Transport  # noqa: E402
from triagedesk.adapters.store.db import migrate, open_engine  # noqa: E402
from triagedesk.adapters.store.issues import SqlIssueStore  # noqa: E402
from triagedesk.adapters.store.sync_state import SqlSyncState  # noqa: E402
from triagedesk.app.sync import sync_repos  # noqa: E402
from triagedesk.domain.model import IssueRef, RepoRef  # noqa: E402
from triagedesk.settings.github import GithubSettings  # noqa: E402

MAC = RepoRef("docker", "for-mac")
WIN = RepoRef("docker", "for-win")
T0 = 1_600_000_000.0


def _client(server: GithubServer) -> GithubClient:
    settings = GithubSettings(api_url=server.url, request_budget=0, rate_limit_reserve=0)
    return GithubClient(Transport(settings, StaticToken(SecretStr(TOKEN)), rng=random.Random(1)))


def _now() -> datetime:
    return datetime.now(UTC)


def _seed(server: GithubServer, repo: RepoRef, n: int) -> None:
    words = ["engine", "WSL 2", "network", "mount", "startup", "update", "login", "disk"]
    for i in range(n):
        server.add_issue(
            str(repo),
            title=f"{words[i % len(words)]} problem {i}",
            body=f"Diagnostics ID: {i:08X}-0000-4000-8000-000000000000/20240101120000\n"
            "Steps to reproduce: start Docker Desktop.",
            comments=5,
            labels=("status/0-triage",) if i % 3 else (),
            created=T0 + i * 30,
        )


def main() -> None:
    n = int(os.environ.get("BENCH_GITHUB_ISSUES", "10000"))
    server = GithubServer().start()
    try:
        for bucket in ("core", "graphql", "search"):
            server.set_rate(bucket, remaining=10**7, limit=10**7)
        _seed(server, MAC, n)
        _seed(server, WIN, 50)
        with tempfile.TemporaryDirectory() as tmp:
            engine = open_engine(f"sqlite:///{tmp}/bench.db")
            migrate(engine)
            store, states = SqlIssueStore(engine), SqlSyncState(engine)

            client = _client(server)
            started = time.perf_counter()
            report = sync_repos(client, store, states, [MAC], now=_now)
            took = time.perf_counter() - started
            used = client.stats["sent"]
            minimum = math.ceil(n / 100)
            assert report.ok, report.stopped
            print(f"backfill: {n} issues x 5 comments -> {report.repos[0].issues} stored")
            print(
                f"  requests used: {used} (GraphQL pages {report.repos[0].pages}, "
                f"follow-ups {report.repos[0].followups}, probe 1)"
            )
            print(f"  minimum ceil(N/100): {minimum}; ratio {used / minimum:.3f}x (target <= 1.1x)")
            print(f"  wall time {took:.1f} s ({n / took:.0f} issues/s incl. SQLite upserts)")

            assert sync_repos(client, store, states, [WIN], now=_now).ok
            server.clear_log()
            idle = _client(server)
            report = sync_repos(idle, store, states, [MAC, WIN], now=_now)
            idle_stats = idle.stats
            statuses = [r.status for r in server.requests()]
            print(
                f"idle incremental, 2 repositories: {idle_stats['sent']} requests "
                f"({idle_stats['sent'] / 2:.1f} per repository, target 1), statuses {statuses}, "
                f"{idle_stats['counted']} counted against the rate limit"
            )

            changed = 50
            writer = _client(server)
            for k in range(changed):
                writer.create_comment(IssueRef(MAC, 1 + k * (n // changed)), "any news?")
            inc = _client(server)
            report = sync_repos(inc, store, states, [MAC], now=_now)
            print(
                f"incremental after {changed} issues changed: {inc.stats['sent']} requests, "
                f"{report.repos[0].issues} issues re-read"
            )

            base = _client(server)
            started = time.perf_counter()
            issues = [
                i
                for i in base.t.paginate(f"/repos/{MAC}/issues", {"state": "all"})
                if "pull_request" not in i
            ]
            for issue in issues:
                base.list_comments(IssueRef(MAC, int(issue["number"])))
            base_took = time.perf_counter() - started
            base_used = base.stats["sent"]
            print(
                f"baseline REST (issue pages + comments per issue, no events): {base_used} "
                f"requests in {base_took:.1f} s"
            )
            print(f"GraphQL backfill vs REST baseline: {base_used / used:.0f}x fewer requests")
            rss = peak_rss_mb()
            print(f"peak RSS of the process (server + client + store): {rss:.0f} MB")
            engine.dispose()
    finally:
        server.stop()


if __name__ == "__main__":
    main()
