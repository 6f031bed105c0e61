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


def test_two_writers_adding_the_same_new_repository(pg_url: str) -> None:
    """PostgreSQL: a second writer inserting the same new repository waits, then goes on.

    Writer A adds docker/for-mac and holds its transaction open; writer B stores an
    issue of the same new repository, which blocks on the unique index until A
    commits. A plain INSERT then fails B with a unique violation (seen as a lost
    webhook delivery when two workers start on an empty database).
    """
    from triagedesk.adapters.store.db import writing
    from triagedesk.adapters.store.issue_queries import IssueQueries

    engine = open_engine(pg_url)
    migrate(engine)
    repo = RepoRef("docker", "for-mac")
    errors: list[BaseException] = []

    def writer_b() -> None:
        try:
            SqlIssueStore(open_engine(pg_url)).upsert_issues([make_issue(1, repo)])
        except BaseException as exc:
            errors.append(exc)

    b = threading.Thread(target=writer_b)
    with writing(engine) as conn:
        IssueQueries._ensure_repos(conn, {repo})
        b.start()
        b.join(timeout=1.0)  # B is now waiting on A's uncommitted row
        assert b.is_alive()
    b.join(timeout=30)
    assert errors == []
    assert SqlIssueStore(engine).count_issues(repo) == 1
