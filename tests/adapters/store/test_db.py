"""Engines, migrations and error translation on real SQLite files and PostgreSQL."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.engine import Engine

from support.core_data import make_issue
from triagedesk.adapters.store.db import migrate, open_engine
from triagedesk.adapters.store.issues import SqlIssueStore
from triagedesk.adapters.store.tables import metadata
from triagedesk.domain.errors import ConfigError, StoreError, StoreLocked, StoreReadOnly


def test_migrated_schema_equals_metadata(engine: Engine) -> None:
    """Every feature's tables (one MetaData) against the whole migration stream."""
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(ctx, metadata)
    assert diff == []
    assert {"issues", "comments", "issue_events", "status_changes"} <= set(metadata.tables)


def test_migrate_twice_is_harmless(engine: Engine) -> None:
    migrate(engine)
    with engine.connect() as conn:
        assert conn.execute(text("select count(*) from issues")).scalar_one() == 0


def test_sqlite_pragmas(sqlite_engine: Engine) -> None:
    with sqlite_engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar_one() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar_one() == 5000


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("sqlite:////no/such/folder/x.db", "does not exist"),
        ("mysql://u@h/db", "unsupported database"),
        ("::::", "not a database URL"),
    ],
)
def test_bad_urls(url: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        open_engine(url)


def test_not_a_database_file(tmp_path: Path) -> None:
    bogus = tmp_path / "notes.db"
    bogus.write_text("these are my notes, not a database\n" * 200)
    engine = open_engine(f"sqlite:///{bogus}")
    with pytest.raises(StoreError, match="not a usable SQLite database"):
        migrate(engine)
    assert bogus.read_text().startswith("these are my notes")


def test_locked_database_gives_store_locked_and_keeps_data(sqlite_url: str) -> None:
    engine = open_engine(sqlite_url, busy_timeout_ms=150)
    migrate(engine)
    store = SqlIssueStore(engine)
    store.upsert_issues([make_issue(1)])
    path = sqlite_url.removeprefix("sqlite:///")
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another writer holds the write lock
    try:
        with pytest.raises(StoreLocked, match="locked"):
            store.upsert_issues([make_issue(2), make_issue(1, title="changed")])
        # readers still work in WAL mode while the lock is held
        assert store.count_issues() == 1
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    got = store.get_issue(make_issue(1).ref)
    assert got == make_issue(1)
    assert store.upsert_issues([make_issue(2)]).inserted == 1
    engine.dispose()


@contextlib.contextmanager
def _read_only(path: Path) -> Iterator[str]:
    """Make ``path`` read-only for this process; yield the URL to open it with.

    chmod is enough for a normal user. root ignores permission bits, so as root
    the file is also made immutable (chattr +i) where the filesystem allows it,
    and otherwise opened with SQLite's mode=ro.
    """
    os.chmod(path, stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    url = f"sqlite:///{path}"
    immutable = False
    if os.geteuid() == 0:
        done = subprocess.run(["chattr", "+i", str(path)], capture_output=True, check=False)
        immutable = done.returncode == 0
        if not immutable:
            url += "?mode=ro"
    try:
        yield url
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(path)], check=False)
        os.chmod(path, stat.S_IRUSR | stat.S_IWUSR)


def test_read_only_database_gives_store_read_only(tmp_path: Path) -> None:
    path = tmp_path / "ro.db"
    engine = open_engine(f"sqlite:///{path}")
    migrate(engine)
    SqlIssueStore(engine).upsert_issues([make_issue(1)])
    engine.dispose()  # checkpoints the WAL into the file
    with _read_only(path) as url:
        ro = open_engine(url)
        migrate(ro)  # already at head: reading the version is fine
        store = SqlIssueStore(ro)
        assert store.get_issue(make_issue(1).ref) == make_issue(1)
        with pytest.raises(StoreReadOnly, match="cannot be written"):
            store.upsert_issues([make_issue(2)])
        ro.dispose()
    check = open_engine(f"sqlite:///{path}")
    assert SqlIssueStore(check).count_issues() == 1
    check.dispose()


def test_mode_ro_url_refuses_writes(sqlite_url: str) -> None:
    engine = open_engine(sqlite_url)
    migrate(engine)
    engine.dispose()
    ro = open_engine(sqlite_url + "?mode=ro")
    with pytest.raises(StoreReadOnly):
        SqlIssueStore(ro).upsert_issues([make_issue(1)])
    ro.dispose()


def _with_options(pg_url: str, *settings: str) -> str:
    """The fixture's URL with more server settings (``options=-csearch_path%3D…``)."""
    extra = "".join(f"%20-c{s.replace('=', '%3D')}" for s in settings)
    return pg_url + extra


def test_postgres_read_only_transaction(pg_url: str) -> None:
    engine = open_engine(pg_url)
    migrate(engine)
    engine.dispose()
    ro = open_engine(_with_options(pg_url, "default_transaction_read_only=on"))
    store = SqlIssueStore(ro)
    assert store.count_issues() == 0
    with pytest.raises(StoreReadOnly, match=r"cannot be written.*read-only transaction"):
        store.upsert_issues([make_issue(1)])
    ro.dispose()


def test_postgres_lock_timeout(pg_url: str) -> None:
    engine = open_engine(pg_url)
    migrate(engine)
    SqlIssueStore(engine).upsert_issues([make_issue(1)])
    impatient = open_engine(_with_options(pg_url, "lock_timeout=150"))
    with engine.connect() as holder:
        holder.exec_driver_sql("LOCK TABLE issues IN ACCESS EXCLUSIVE MODE")
        with pytest.raises(StoreLocked, match="locked by another writer"):
            SqlIssueStore(impatient).upsert_issues([make_issue(2)])
        holder.rollback()
    assert SqlIssueStore(engine).count_issues() == 1
    impatient.dispose()
    engine.dispose()
