"""Duplicate index and label model: build time, peak RSS, suggest latency, throughput vs rank-bm25.

    .venv/bin/python -m bench.intelligence          (BENCH_INTEL_ISSUES=N to change the size)

1. Generates BENCH_INTEL_ISSUES (default 100,000) issues with the demo generator
   (``triagedesk.demo``) and keeps title, body and dates in a JSON-lines file.
2. In a fresh subprocess (so ``ru_maxrss`` is ours alone): trains the label model
   on the oldest 10,000 issues, builds the duplicate index over all but the newest
   200, then "files" those 200 one by one as a webhook would — ``suggest`` (labels
   + top-10 duplicates with evidence), then add to the index — timing each call.
   Also times plain BM25 scoring + top-10 (the index's lexical part alone).
3. In another subprocess, rank-bm25's ``BM25Okapi`` over the same tokens (our
   tokeniser, the same corpus): build time, peak RSS, and ``get_scores`` + top-10
   for a sample of the same queries. Throughput ratios are printed.
4. The backtests on the demo corpus (3,000 issues, seed 7) through the CLI:
   ``triagedesk eval labels --json`` and ``triagedesk eval duplicates --json``.

Targets: suggest p99 <= 50 ms and peak RSS <= 1 GB at 100k; >= 10x rank-bm25.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench._rss import peak_rss_mb

ISSUES = int(os.environ.get("BENCH_INTEL_ISSUES", "100000"))
NEW = 200
TRAIN = 10000
BASELINE_QUERIES = int(os.environ.get("BENCH_INTEL_BASELINE_QUERIES", "20"))


def _write_corpus(path: Path, n: int) -> None:
    from triagedesk.demo import generate
    from triagedesk.domain.model import RepoRef
    from triagedesk.intelligence.history import references

    rows = []
    for rec, _events in generate(n, 7):
        repo = RepoRef.parse(rec["url"].split("github.com/", 1)[-1].split("/issues/")[0])
        refs = []
        for c in rec.get("comments", []):
            for ref in references(c.get("body") or "", repo):
                refs.append((str(ref), c["createdAt"]))
        rows.append(
            {
                "ref": rec["url"].split("github.com/", 1)[-1].replace("/issues/", "#"),
                "title": rec["title"],
                "body": rec["body"] or "",
                "created": rec["createdAt"],
                "closed": rec.get("closedAt"),
                "labels": [lab["name"] for lab in rec.get("labels", [])],
                "refs": refs,
            }
        )
    rows.sort(key=lambda r: r["created"])
    with path.open("w") as f:
        for r in rows:
            f.write(json.dumps(r) + "\n")


def _child_ours(path: str) -> None:
    from datetime import datetime

    from triagedesk.intelligence.aliases import LabelNormaliser
    from triagedesk.intelligence.duplicates import DuplicateIndex, IndexedIssue
    from triagedesk.intelligence.labels import LabelExample, predict_one, train
    from triagedesk.intelligence.rules import RuleEngine
    from triagedesk.intelligence.signatures import signature_of
    from triagedesk.intelligence.text import document_tokens
    from triagedesk.settings import Settings

    settings = Settings()
    rows = [json.loads(line) for line in Path(path).read_text().splitlines()]

    def ts(x: str | None) -> datetime | None:
        return None if not x else datetime.fromisoformat(x.replace("Z", "+00:00"))

    docs = [
        IndexedIssue(
            r["ref"], r["title"], r["body"], ts(r["created"]), r["closed"] is None, ts(r["closed"])
        )  # type: ignore[arg-type]
        for r in rows
    ]
    norm = LabelNormaliser.from_settings(settings)
    t0 = time.perf_counter()
    examples = [
        LabelExample(
            r["ref"],
            r["ref"].split("#")[0],
            r["title"],
            r["body"],
            d.created_at,
            frozenset(norm.normalise(r["labels"])),
        )
        for r, d in zip(rows[:TRAIN], docs[:TRAIN], strict=True)
    ]
    model = train(examples, settings)
    train_s = time.perf_counter() - t0
    rss_after_train = peak_rss_mb()
    t0 = time.perf_counter()
    index = DuplicateIndex()
    for d in docs[:-NEW]:
        index.add(d)
    index.compact()
    mentions: dict[str, list[float]] = {}
    for r in rows:
        for ref, at in r["refs"]:
            mentions.setdefault(ref, []).append(ts(at).timestamp())  # type: ignore[union-attr]
    index.set_mentions(mentions)
    build_s = time.perf_counter() - t0
    blob = index.to_bytes()
    t0 = time.perf_counter()
    index = DuplicateIndex.from_bytes(blob)
    load_s = time.perf_counter() - t0
    engine = RuleEngine(settings, norm)
    lat = []
    for d in docs[-NEW:]:
        t = time.perf_counter()
        sig = signature_of(d.title, d.body)
        predict_one(
            model, engine, title=d.title, body=d.body, repo=d.ref.split("#")[0], signature=sig
        )
        index.search(d.title, d.body, k=10, before=d.created_at, signature=sig)
        lat.append(time.perf_counter() - t)
        index.add(d)
    import numpy as np

    scorer = index._scorer()
    bm = []
    for d in docs[-NEW:]:
        q = document_tokens(d.title, d.body, title_weight=1)
        t = time.perf_counter()
        s = scorer.scores(q)
        np.argpartition(-s, 10)[:10]
        bm.append(time.perf_counter() - t)
    lat.sort()
    bm.sort()
    out = {
        "n": len(docs),
        "train_issues": len(examples),
        "train_s": train_s,
        "rss_after_train_mb": rss_after_train,
        "build_s": build_s,
        "index_mb": len(blob) / 1e6,
        "load_s": load_s,
        "suggest_p50_ms": 1000 * lat[len(lat) // 2],
        "suggest_p99_ms": 1000 * lat[int(len(lat) * 0.99) - 1],
        "suggest_per_s": len(lat) / sum(lat),
        "bm25_p50_ms": 1000 * bm[len(bm) // 2],
        "bm25_per_s": len(bm) / sum(bm),
        "peak_rss_mb": peak_rss_mb(),
    }
    print(json.dumps(out))


def _child_rank_bm25(path: str) -> None:

    import numpy as np
    from rank_bm25 import BM25Okapi

    from triagedesk.intelligence.text import document_tokens

    rows = [json.loads(line) for line in Path(path).read_text().splitlines()]
    t0 = time.perf_counter()
    corpus = [document_tokens(r["title"], r["body"], title_weight=1) for r in rows[:-NEW]]
    bm = BM25Okapi(corpus)
    build_s = time.perf_counter() - t0
    lat = []
    for r in rows[-NEW:][:BASELINE_QUERIES]:
        q = document_tokens(r["title"], r["body"], title_weight=1)
        t = time.perf_counter()
        s = bm.get_scores(q)
        np.argpartition(-s, 10)[:10]
        lat.append(time.perf_counter() - t)
    print(
        json.dumps(
            {
                "build_s": build_s,
                "query_p50_ms": 1000 * sorted(lat)[len(lat) // 2],
                "per_s": len(lat) / sum(lat),
                "peak_rss_mb": peak_rss_mb(),
            }
        )
    )


def _run_child(which: str, path: Path) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-m", "bench.intelligence", which, str(path)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def _evals() -> tuple[dict[str, object], dict[str, object]]:
    exe = Path(sys.executable).with_name("triagedesk")
    with tempfile.TemporaryDirectory() as tmp:
        corpus, db = Path(tmp) / "corpus.json", f"sqlite:///{tmp}/demo.db"
        run = [str(exe)]
        subprocess.run(
            [*run, "demo-data", "--issues", "3000", "--seed", "7", "--out", str(corpus)],
            check=True,
            capture_output=True,
        )
        subprocess.run([*run, "import", str(corpus), "--db", db], check=True, capture_output=True)
        labels = subprocess.run(
            [*run, "eval", "labels", "--json", "--db", db],
            check=True,
            capture_output=True,
            text=True,
        )
        dups = subprocess.run(
            [*run, "eval", "duplicates", "--json", "--db", db],
            check=True,
            capture_output=True,
            text=True,
        )
    return json.loads(labels.stdout), json.loads(dups.stdout)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "corpus.jsonl"
        t0 = time.perf_counter()
        _write_corpus(path, ISSUES)
        print(f"corpus: {ISSUES} generated issues in {time.perf_counter() - t0:.0f} s", flush=True)
        ours = _run_child("ours", path)
        base = _run_child("rank_bm25", path)
    print(f"label model: trained on {ours['train_issues']:.0f} issues in {ours['train_s']:.1f} s")
    print(
        f"duplicate index: {ours['n'] - NEW:.0f} issues built in {ours['build_s']:.1f} s "
        f"({(ours['n'] - NEW) / ours['build_s']:.0f} issues/s), {ours['index_mb']:.0f} MB persisted, "
        f"loaded in {ours['load_s']:.2f} s"
    )
    print(
        f"suggest (labels + top-10 duplicates with evidence, then add): "
        f"p50 {ours['suggest_p50_ms']:.1f} ms, p99 {ours['suggest_p99_ms']:.1f} ms "
        f"(target p99 <= 50 ms), {ours['suggest_per_s']:.0f}/s"
    )
    print(f"peak RSS: {ours['peak_rss_mb']:.0f} MB (target <= 1024 MB)")
    print(
        f"rank-bm25 BM25Okapi: built in {base['build_s']:.1f} s, peak RSS {base['peak_rss_mb']:.0f} MB, "
        f"query p50 {base['query_p50_ms']:.0f} ms, {base['per_s']:.2f} queries/s"
    )
    print(
        f"throughput vs rank-bm25: BM25 scoring + top-10 {ours['bm25_per_s']:.0f}/s = "
        f"{ours['bm25_per_s'] / base['per_s']:.0f}x; full suggest {ours['suggest_per_s']:.0f}/s = "
        f"{ours['suggest_per_s'] / base['per_s']:.0f}x (target >= 10x)"
    )
    labels, dups = _evals()
    print(
        f"eval labels (demo 3000, seed 7): micro-F1 {labels['micro_f1']} macro-F1 {labels['macro_f1']} "
        f"(baseline TF-IDF+LR {labels['baseline']['micro_f1']} / {labels['baseline']['macro_f1']}), "
        f"auto precision {labels['auto_precision']} coverage {labels['auto_coverage']}, "
        f"train {labels['n_train']} test {labels['n_test']}"
    )
    b = dups["baseline"]
    print(
        f"eval duplicates (demo 3000, seed 7): {dups['n_queries']} queries, R@1 {dups['recall@1']} "
        f"R@5 {dups['recall@5']} R@10 {dups['recall@10']} MRR {dups['mrr']} "
        f"(BM25 baseline R@1 {b['recall@1']} R@5 {b['recall@5']} R@10 {b['recall@10']} MRR {b['mrr']})"
    )


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "ours":
        _child_ours(sys.argv[2])
    elif len(sys.argv) == 3 and sys.argv[1] == "rank_bm25":
        _child_rank_bm25(sys.argv[2])
    else:
        main()
