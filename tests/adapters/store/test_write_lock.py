"""Concurrent writers on one SQLite file wait their turn instead of failing.

A deferred transaction that reads and then writes gets "database is locked" at
once when another writer holds the lock (SQLite skips the busy timeout to avoid
a deadlock). Write transactions therefore BEGIN IMMEDIATE.
"""

from __future__ import annotations

import threading
from pathlib import Path

from support.core_data import make_issue
from triagedesk.adapters.store.db import migrate, open_engine
from triagedesk.adapters.store.issues import SqlIssueStore
from triagedesk.domain.model import RepoRef


def test_parallel_read_then_write_upserts_all_succeed(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/w.db"
    migrate(open_engine(url))
    repo = RepoRef("docker", "for-mac")
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def writer(offset: int) -> None:
        store = SqlIssueStore(open_engine(url))
        start.wait()
        try:
            for round_ in range(15):
                batch = [make_issue(offset * 1000 + round_ * 10 + i, repo) for i in range(10)]
                store.upsert_issues(batch)
                # the same issues again: a read-compare that finds them unchanged
                store.upsert_issues(batch)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert SqlIssueStore(open_engine(url)).count_issues(repo) == 4 * 15 * 10
