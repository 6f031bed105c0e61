"""The L1 checklist: throughput on the demo corpus, the worst 1 MB hostile body, eval figures.

`python -m bench.quality` (BENCH_QUALITY_ISSUES sets the corpus size, default 3000).

* throughput: ``build_checklist`` on every issue of the demo corpus (pure extractors,
  no bucket, no subprocess), against the baseline of the team's own heuristic run in
  the same process (the "88% match to the empty template" ratio on each body);
  then once more with the static validators (``bash -n``, dockerfile-parse, Compose);
* worst case: the slowest of a set of 1 MB adversarial bodies (best of 3 runs each);
* eval: ``eval quality`` figures on the same corpus (verdict as first filed vs what
  the team did), with both baselines.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench._rss import peak_rss_mb

G = "5C0B4E1A-93D2-4F6B-A8E7-2D1C0F9B3A64"
MB = 1_000_000
HOSTILE = {
    "one long line": "a" * MB,
    "newlines": "\n" * MB,
    "GUIDs glued by slashes": (G + "/") * (MB // 37),
    "GUID lines": (G + "\n") * (MB // 37),
    "check lines": "[OK] vmnetd\n" * (MB // 12),
    "FAIL + Failed with": "[FAIL] DD0004: q? d\n    Failed with: x\n" * (MB // 40),
    "fence markers": "```\n" * (MB // 4),
    "unclosed bash fence": "```bash\n" + "$ ls\n" * (MB // 5),
    "HTML comment openers": "<!--" * (MB // 4),
    "placeholder steps": "1. ...\n" * (MB // 7),
    "real steps": "1. open the app now\n" * (MB // 20),
    "bold headings": "**a**\n" * (MB // 6),
    "headings": "### Steps to reproduce\n" * (MB // 23),
    "dollar prompts": "$ " * (MB // 2),
    "label-only bullets": "- a:" * (MB // 4),
    "Dockerfile continuations": "```\nFROM a\n" + "RUN \\\n" * (MB // 6),
    "ID lines declined": "- Diagnostics ID: NA\n" * (MB // 21),
    "version soup": "Docker Desktop version: " + "1." * (MB // 2),
    "Windows words": "Windows 10 Pro (21H1) OS build 19043.1165 " * (MB // 42),
    "upgrade phrases": "upgraded from 1.2 to " * (MB // 21),
}


def _corpus(tmp: Path, n: int) -> str:
    db = f"sqlite:///{tmp}/q.db"
    corpus = tmp / "corpus.json"
    code = (
        "import sys; from triagedesk.cli import main; "
        "main(['demo-data', '--issues', sys.argv[1], '--seed', '7', '--out', sys.argv[2]]); "
    )
    subprocess.run(
        [sys.executable, "-c", code, str(n), str(corpus)], check=True, capture_output=True
    )
    imp = "import sys; from triagedesk.cli import main; main(['import', sys.argv[1], '--db', sys.argv[2]])"
    subprocess.run([sys.executable, "-c", imp, str(corpus), db], check=True, capture_output=True)
    return db


def main() -> None:
    from triagedesk.adapters.repro_validators import StaticReproValidator
    from triagedesk.adapters.store.db import open_engine
    from triagedesk.adapters.store.issues import SqlIssueStore
    from triagedesk.app.quality_eval import evaluate_history
    from triagedesk.domain.checklist import build_checklist
    from triagedesk.domain.evidence.template import template_similarity
    from triagedesk.domain.model import Issue, IssueRef, RepoRef
    from triagedesk.settings import Settings

    n = int(os.environ.get("BENCH_QUALITY_ISSUES", "3000"))
    now = datetime(2026, 11, 1, tzinfo=UTC)
    with tempfile.TemporaryDirectory() as tmp_name:
        db = _corpus(Path(tmp_name), n)
        engine = open_engine(db)
        issues = list(SqlIssueStore(engine).iter_issues())
        engine.dispose()

    # warm the regex caches once, then time
    for issue in issues[:50]:
        build_checklist(issue, now=now)
    started = time.perf_counter()
    verdicts = [build_checklist(issue, now=now).verdict for issue in issues]
    checklist_s = time.perf_counter() - started

    started = time.perf_counter()
    for issue in issues:
        template_similarity(issue.body)
    baseline_s = time.perf_counter() - started

    validate = StaticReproValidator().check
    started = time.perf_counter()
    for issue in issues:
        build_checklist(issue, now=now, validate=validate)
    validated_s = time.perf_counter() - started

    print(f"issues:                          {len(issues)} (demo corpus, seed 7)")
    print(f"needs more information:          {verdicts.count('needs-more-info')}")
    print(
        f"checklist (pure):                {len(issues) / checklist_s:,.0f} issues/s "
        f"({checklist_s * 1000 / len(issues):.2f} ms each)"
    )
    print(f"baseline 88% template ratio:     {len(issues) / baseline_s:,.0f} issues/s")
    print(f"ratio checklist / baseline time: {checklist_s / baseline_s:.2f}x")
    print(
        f"checklist + static validators:   {len(issues) / validated_s:,.0f} issues/s "
        f"(bash -n runs as a subprocess)"
    )

    ref = IssueRef(RepoRef("docker", "for-mac"), 1)
    worst_name, worst_ms, times = "", 0.0, []
    for name, body in HOSTILE.items():
        issue = Issue(ref, body[:256], body, "a", now, now)
        runs = []
        for _ in range(3):
            t = time.perf_counter()
            build_checklist(issue, now=now)
            runs.append((time.perf_counter() - t) * 1000)
        best = min(runs)
        times.append(best)
        if best > worst_ms:
            worst_name, worst_ms = name, best
    print(
        f"1 MB hostile bodies:             {len(HOSTILE)} shapes, median "
        f"{statistics.median(times):.1f} ms, worst {worst_ms:.1f} ms ({worst_name})"
    )

    started = time.perf_counter()
    result = evaluate_history(issues, Settings(), validate=validate).as_dict()
    eval_s = time.perf_counter() - started
    for label, s in (
        ("eval quality (checklist)", result),
        ("baseline: 88% template match", result["baseline"]),
        ("baseline: no Diagnostics ID", result["baseline_no_diagnostics_id"]),
        ("checklist at first response", result["at_first_response"]),
    ):
        print(
            f"{label + ':':33s}P {s['precision']:.3f}  R {s['recall']:.3f}  F1 {s['f1']:.3f}  n {s['n']}"
        )
    print(f"issues without a team signal:    {result['unknown']} (excluded)")
    print(f"eval time:                       {eval_s:.1f} s")
    rss = peak_rss_mb()
    print(f"peak RSS:                        {rss:.0f} MB")


if __name__ == "__main__":
    main()
