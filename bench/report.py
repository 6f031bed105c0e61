"""Report generation time and peak RSS over a 100k-issue, two-year history (target <= 2 s).

Builds (once, cached under bench/out/) SQLite databases with a synthetic two-year
history of 10k and 100k issues (label events, closes and reopens, comments,
duplicates; tests/support/report_history.py), then measures, each in a fresh
subprocess so the peak RSS is the workload's own:

- ``report``: build_report over the bulk report queries + render md, html, json;
- baseline ``naive``: the same statistics from full Issue aggregates
  (SqlIssueStore.iter_issues → facts_from_issue → compute_stats), the per-issue
  Python loop a report would be without its own queries;
- the 10k report, for the scaling ratio.

Run: ``.venv/bin/python -m bench.report`` (``BENCH_REPORT_SIZES=2000,20000`` for a quick run).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from bench._rss import PEAK_RSS_KB_EXPR

OUT = Path(__file__).parent / "out"
ROOT = Path(__file__).parents[1]
END = "2026-11-23T09:00:00+00:00"  # the end of rotation week 2026-W47 (London)

_WORKLOAD = r"""
import json, resource, sys, time
from datetime import datetime
sys.path.insert(0, {root!r})
from triagedesk.adapters.store.db import open_engine
from triagedesk.settings import Settings
from triagedesk.domain.periods import Rotation, rotation_week
w47 = rotation_week(2026, 47, Rotation("Europe/London"))
now = datetime.fromisoformat({end!r})
engine = open_engine({url!r})
settings = Settings()
mode = {mode!r}
# PYTHONDONTWRITEBYTECODE=1 on this machine makes every cold import compile from source:
# import what the report uses before the clock starts, and say how long that took
ti = time.perf_counter()
import triagedesk.adapters.store.reports, triagedesk.adapters.store.issues
import triagedesk.app.report, triagedesk.app.report_render
import triagedesk.intelligence.duplicates, triagedesk.domain.evidence.environment
import_seconds = time.perf_counter() - ti
t0 = time.perf_counter()
c0 = time.process_time()
if mode == "report":
    from triagedesk.adapters.store.reports import SqlReportSource
    from triagedesk.app.report import build_report
    from triagedesk.app.report_render import render_html, render_json, render_markdown
    report = build_report(SqlReportSource(engine), settings, w47, now=now)
    t1 = time.perf_counter()
    sizes = [len(render_markdown(report)), len(render_html(report)), len(render_json(report))]
    numbers = report.data["all"]
else:
    from triagedesk.adapters.store.issues import SqlIssueStore
    from triagedesk.app.report import stats_config
    from triagedesk.domain.stats import compute_stats, facts_from_issue
    facts = [facts_from_issue(i) for i in SqlIssueStore(engine).iter_issues()]
    t1 = time.perf_counter()
    numbers = compute_stats(facts, w47, stats_config(settings)).as_dict()
    sizes = []
elapsed = time.perf_counter() - t0
cpu = time.process_time() - c0
print(json.dumps({{
    "cpu_seconds": cpu,
    "seconds": elapsed, "query_seconds": t1 - t0, "sizes": sizes, "import_seconds": import_seconds,
    "max_rss_mb": {rss_expr} / 1024,
    "opened_all_time": numbers["opened_all_time"], "closed": numbers["closed"],
}}))
"""


def _build(n: int) -> str:
    """A cached SQLite file with ``n`` issues over two years before END."""
    OUT.mkdir(exist_ok=True)
    path = OUT / f"report-{n}.db"
    url = f"sqlite:///{path}"
    from datetime import datetime

    sys.path.insert(0, str(ROOT))
    from tests.support.report_history import synthetic_issues

    from triagedesk.adapters.store.db import migrate, open_engine
    from triagedesk.adapters.store.issues import SqlIssueStore

    if path.exists():
        engine = open_engine(url)
        migrate(engine)
        if SqlIssueStore(engine).count_issues() >= n:
            engine.dispose()
            return url
        engine.dispose()
        path.unlink()
    engine = open_engine(url)
    migrate(engine)
    store = SqlIssueStore(engine)
    started = time.perf_counter()
    batch = []
    end = datetime.fromisoformat(END)
    for issue in synthetic_issues(n, end=end, days=730, seed=17, burst=max(10, n // 4000)):
        batch.append(issue)
        if len(batch) == 2000:
            store.upsert_issues(batch)
            batch = []
    if batch:
        store.upsert_issues(batch)
    engine.dispose()
    print(f"built {path.name}: {n} issues in {time.perf_counter() - started:.0f} s", flush=True)
    return url


def _measure(url: str, mode: str) -> dict[str, float]:
    code = _WORKLOAD.format(
        root=str(ROOT / "src"), end=END, url=url, mode=mode, rss_expr=PEAK_RSS_KB_EXPR
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, cwd=ROOT
    )
    if proc.returncode != 0:
        raise RuntimeError(f"{mode} workload failed: {proc.stderr[-2000:]}")
    result: dict[str, float] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    sizes = [int(s) for s in os.environ.get("BENCH_REPORT_SIZES", "10000,100000").split(",")]
    small, large = min(sizes), max(sizes)
    url_small, url_large = _build(small), _build(large)
    runs = {
        f"report {small}": _measure(url_small, "report"),
        f"report {large}": _measure(url_large, "report"),
        f"naive stats {large}": _measure(url_large, "naive"),
    }
    # a second run of the large report: the first one also warms the OS page cache
    runs[f"report {large} (2nd)"] = _measure(url_large, "report")
    for name, r in runs.items():
        print(
            f"{name:<22} {r['seconds']:6.2f} s wall, {r['cpu_seconds']:5.2f} s CPU  "
            f"(build {r['query_seconds']:.2f} s; "
            f"imports before it {r['import_seconds']:.2f} s)  "
            f"peak RSS {r['max_rss_mb']:6.0f} MB  opened_all_time {r['opened_all_time']}",
            flush=True,
        )
    rep = runs[f"report {large} (2nd)"]
    naive = runs[f"naive stats {large}"]
    load = os.getloadavg()[0]
    print(
        f"report over {large} issues: {rep['seconds']:.2f} s wall / {rep['cpu_seconds']:.2f} s CPU "
        f"(target <= 2 s: {'met' if rep['seconds'] <= 2 else 'MISSED'} on wall time; "
        f"load average {load:.1f} on {os.cpu_count()} cores); "
        f"naive aggregate loop / report = {naive['seconds'] / rep['seconds']:.1f}x wall, "
        f"{naive['cpu_seconds'] / rep['cpu_seconds']:.1f}x CPU; "
        f"{large}/{small} CPU ratio = {rep['cpu_seconds'] / runs[f'report {small}']['cpu_seconds']:.1f}x "
        f"for {large // small}x the issues"
    )


if __name__ == "__main__":
    main()
