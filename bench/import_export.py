"""Import/export throughput and peak memory: 100k generated issues with 5 comments each.

    .venv/bin/python -m bench.import_export        (BENCH_IMPORT_ISSUES=N to change the size)

Writes a ``gh issue list --json …`` file with its own quick generator, then runs
each measurement in a fresh subprocess and reads that process's peak RSS
(``VmHWM``, see bench/_rss.py): the import into a new SQLite file, the import into a fresh
PostgreSQL schema, a second (idempotent, nothing changes) import into the same
SQLite file, and a JSON-lines export. The baseline, in the same run, is the
naive way: one INSERT per row with a commit per issue, on a 2,000-issue subset.
Targets: at least 2,000 issues/s into SQLite, peak RSS at most 500 MB.

Each line gives the wall-clock rate and the rate per CPU second of the importing
process: on a shared machine the wall clock includes time spent waiting for a
core, the CPU figure does not (for PostgreSQL it leaves out the server's work).
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

PG_ADMIN = os.environ.get("TRIAGEDESK_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
ISSUES = int(os.environ.get("BENCH_IMPORT_ISSUES", "100000"))
COMMENTS = 5
BASELINE_ISSUES = 2000

_WORDS = [
    "docker",
    "desktop",
    "engine",
    "starts",
    "hangs",
    "crash",
    "wsl2",
    "hyper-v",
    "mount",
    "volume",
    "network",
    "dns",
    "proxy",
    "upgrade",
    "install",
    "kubernetes",
    "compose",
    "build",
    "image",
    "container",
    "port",
    "bind",
    "error",
    "failed",
    "after",
    "update",
    "since",
    "restart",
    "whale",
    "icon",
    "settings",
    "login",
    "memory",
    "cpu",
    "disk",
    "slow",
    "virtiofs",
]


def _text(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(_WORDS) for _ in range(words))


def generate(path: Path, n: int, seed: int = 7) -> None:
    """``n`` gh-shaped issues with ``COMMENTS`` comments each (≈3 KB an issue)."""
    rng = random.Random(seed)
    repos = ("docker/for-mac", "docker/for-win")
    labels = ["status/0-triage", "kind/bug", "area/network", "version/4.12.0", "platform/windows"]
    with path.open("w", encoding="utf-8") as fh:
        fh.write("[")
        for i in range(n):
            repo = repos[i % 2]
            number = i // 2 + 1
            day = 1 + i % 28
            created = f"2021-{1 + i % 12:02d}-{day:02d}T10:{i % 60:02d}:00Z"
            record = {
                "number": number,
                "title": _text(rng, 8),
                "body": "### Description\n\n"
                + _text(rng, 120)
                + "\n\n### Diagnostics ID\n\n"
                + str(uuid.UUID(int=rng.getrandbits(128))).upper()
                + "/20210101101010\n",
                "author": {"login": f"user{rng.randrange(5000)}"},
                "labels": [{"name": lab} for lab in rng.sample(labels, rng.randrange(4))],
                "state": "CLOSED" if i % 3 == 0 else "OPEN",
                "stateReason": "COMPLETED" if i % 3 == 0 else "",
                "createdAt": created,
                "closedAt": created if i % 3 == 0 else None,
                "updatedAt": created,
                "comments": [
                    {
                        "author": {"login": f"user{rng.randrange(5000)}"},
                        "authorAssociation": "MEMBER" if c % 2 else "NONE",
                        "body": _text(rng, 40),
                        "createdAt": created,
                        "url": f"https://github.com/{repo}/issues/{number}#issuecomment-{i * 10 + c}",
                        "reactionGroups": [{"content": "THUMBS_UP", "users": {"totalCount": c}}],
                    }
                    for c in range(COMMENTS)
                ],
                "reactionGroups": [{"content": "THUMBS_UP", "users": {"totalCount": i % 9}}],
                "url": f"https://github.com/{repo}/issues/{number}",
                "assignees": [],
                "milestone": None,
            }
            fh.write(("\n" if i == 0 else ",\n") + json.dumps(record))
        fh.write("\n]\n")


# each runs in a fresh interpreter; prints one JSON line with seconds and peak RSS (KB on Linux)
_IMPORT = """
import json, resource, sys, time
def _cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime
from pathlib import Path
from triagedesk.adapters.github.records import GithubRecords
from triagedesk.adapters.store.db import migrate, open_engine
from triagedesk.adapters.store.issues import SqlIssueStore
from triagedesk.app.importing import import_paths
engine = open_engine(sys.argv[1]); migrate(engine)
t = time.perf_counter(); c0 = _cpu()
s = import_paths([Path(sys.argv[2])], SqlIssueStore(engine), GithubRecords())
dt = time.perf_counter() - t
print(json.dumps({"seconds": dt, "issues": s.issues, "inserted": s.inserted,
    "unchanged": s.unchanged, "errors": len(s.errors),
    "cpu": _cpu() - c0, "rss_kb": int(next(l for l in open('/proc/self/status') if l.startswith('VmHWM:')).split()[1])}))
"""

_EXPORT = """
import json, resource, sys, time
def _cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime
from triagedesk.adapters.github.records_out import GithubRecordsOut
from triagedesk.adapters.store.db import open_engine
from triagedesk.adapters.store.issues import SqlIssueStore
from triagedesk.app.exporting import ExportFormat, export_issues
engine = open_engine(sys.argv[1])
t = time.perf_counter(); c0 = _cpu()
with open(sys.argv[2], "w", encoding="utf-8") as out:
    n = export_issues(SqlIssueStore(engine), GithubRecordsOut(), out, ExportFormat.NDJSON)
print(json.dumps({"seconds": time.perf_counter() - t, "issues": n,
    "cpu": _cpu() - c0, "rss_kb": int(next(l for l in open('/proc/self/status') if l.startswith('VmHWM:')).split()[1])}))
"""

# the naive baseline: parse everything, then one INSERT per row and a commit per issue
_NAIVE = """
import json, resource, sys, time
def _cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime
from itertools import islice
from pathlib import Path
from triagedesk.adapters.github.records import issue_from_gh
from triagedesk.adapters.store.db import migrate, open_engine
from triagedesk.adapters.store.tables.core import comments, issues, repos
engine = open_engine(sys.argv[1]); migrate(engine)
n = int(sys.argv[3])
t = time.perf_counter(); c0 = _cpu()
data = json.loads(Path(sys.argv[2]).read_text())[:n]
repo_ids = {}
for rec in data:
    issue = issue_from_gh(rec)
    with engine.begin() as conn:
        name = issue.repo.full_name
        if name not in repo_ids:
            repo_ids[name] = conn.execute(repos.insert().values(full_name=name)).inserted_primary_key[0]
        iid = conn.execute(issues.insert().values(repo_id=repo_ids[name], number=issue.number,
            title=issue.title, body=issue.body, author=issue.author,
            author_association=issue.author_association.value, state=issue.state.value,
            state_reason=None, created_at=issue.created_at, updated_at=issue.updated_at,
            closed_at=issue.closed_at, milestone=None, url=issue.url, locked=False,
            comments_count=len(issue.comments), reactions_total=issue.reactions.total,
            content_hash="")).inserted_primary_key[0]
        for pos, c in enumerate(issue.comments):
            conn.execute(comments.insert().values(issue_id=iid, position=pos, github_id=c.id,
                author=c.author, author_association=c.author_association.value, body=c.body,
                created_at=c.created_at, updated_at=None, url=c.url))
print(json.dumps({"seconds": time.perf_counter() - t, "issues": len(data),
    "cpu": _cpu() - c0, "rss_kb": int(next(l for l in open('/proc/self/status') if l.startswith('VmHWM:')).split()[1])}))
"""


def _run(code: str, *args: str) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(done.stderr.strip().splitlines()[-1] if done.stderr else "failed")
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _pg_schema() -> tuple[str, str]:
    import psycopg

    schema = f"bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    base = PG_ADMIN.replace("postgresql://", "postgresql+psycopg://", 1)
    return schema, f"{base}?options=-csearch_path%3D{schema}"


def _drop(schema: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def _line(name: str, r: dict[str, float]) -> tuple[float, float]:
    rate = r["issues"] / r["seconds"] if r["seconds"] else 0.0
    cpu_rate = r["issues"] / r["cpu"] if r["cpu"] else 0.0
    print(
        f"{name:<38} {int(r['issues']):>7} issues {r['seconds']:>7.1f} s wall "
        f"{rate:>7,.0f}/s | {r['cpu']:>6.1f} s CPU {cpu_rate:>7,.0f}/s | "
        f"peak RSS {r['rss_kb'] / 1024:>4.0f} MB",
        flush=True,
    )
    return rate, cpu_rate


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="triagedesk-bench-") as tmp:
        src = Path(tmp) / "corpus.json"
        generate(src, ISSUES)
        size = src.stat().st_size / 1e6
        print(f"corpus: {ISSUES} issues x {COMMENTS} comments, gh JSON, {size:.0f} MB", flush=True)

        sqlite = f"sqlite:///{tmp}/bench.db"
        rate = _line("import -> SQLite (new file)", _run(_IMPORT, sqlite, str(src)))
        peak = _run(_IMPORT, sqlite, str(src))
        _line("re-import -> SQLite (all unchanged)", peak)
        _line("export SQLite -> JSON lines", _run(_EXPORT, sqlite, f"{tmp}/out.ndjson"))

        try:
            schema, pg = _pg_schema()
        except Exception as exc:
            print(f"PostgreSQL skipped: {exc}")
        else:
            try:
                _line("import -> PostgreSQL (fresh schema)", _run(_IMPORT, pg, str(src)))
            finally:
                _drop(schema)

        small = Path(tmp) / "subset.json"
        generate(small, BASELINE_ISSUES)
        base = _line(
            "baseline: naive row-by-row -> SQLite",
            _run(_NAIVE, f"sqlite:///{tmp}/naive.db", str(small), str(BASELINE_ISSUES)),
        )
        print(
            "speed-up of the bulk import into SQLite over the naive baseline: "
            f"{rate[0] / base[0]:.1f}x wall-clock, {rate[1] / base[1]:.1f}x per CPU second"
        )
        print("targets: >= 2,000 issues/s into SQLite, peak RSS <= 500 MB")


if __name__ == "__main__":
    main()
