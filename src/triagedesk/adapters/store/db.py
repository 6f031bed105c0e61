"""Engines, migrations and the translation of database errors into the project's tree."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from sqlalchemy import Table, create_engine, event
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError

from triagedesk.domain.errors import ConfigError, StoreError, StoreLocked, StoreReadOnly

MIGRATIONS = Path(__file__).with_name("migrations")
#: how long a SQLite writer waits for a lock before StoreLocked (milliseconds)
BUSY_TIMEOUT_MS = 5000


def _pragmas(busy_timeout_ms: int) -> Any:
    def apply(dbapi_conn: Any, _record: Any) -> None:
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cur.execute("PRAGMA foreign_keys=ON")
        # WAL lets the web process read while the worker writes; NORMAL is durable in WAL mode
        # except for the last transactions on power loss, never corrupting.
        # a read-only file keeps its journal mode; reads still work
        with suppress(Exception):
            cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    return apply


def _sqlite_file(database: str | None) -> Path | None:
    """The file behind a SQLite URL's database part (``file:`` URIs included), or None."""
    if not database or database == ":memory:":
        return None
    if database.startswith("file:"):
        database = database[len("file:") :].split("?", 1)[0]
        if not database or database == ":memory:":
            return None
    return Path(database).expanduser()


def open_engine(url: str, *, echo: bool = False, busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> Engine:
    """An engine for ``url``: ``sqlite:///file.db`` (default) or ``postgresql+psycopg://…``.

    ``sqlite:///file.db?mode=ro`` opens the file read-only. A SQLite writer waits
    ``busy_timeout_ms`` (or ``?busy_timeout=MS`` in the URL) for another writer's
    lock before :class:`StoreLocked`.
    """
    try:
        parsed = make_url(url)
    except Exception:
        raise ConfigError(f"--db: not a database URL: {url!r}") from None
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        query = dict(parsed.query)
        if "busy_timeout" in query:  # ?busy_timeout=MS in the URL overrides the default
            raw = query.pop("busy_timeout")
            try:
                busy_timeout_ms = int(raw if isinstance(raw, str) else raw[0])
            except ValueError:
                raise ConfigError(f"--db: busy_timeout must be milliseconds, got {raw!r}") from None
            parsed = parsed.set(query=query)
        if (
            query.get("mode") == "ro"
            and parsed.database
            and not parsed.database.startswith("file:")
        ):
            # SQLite honours mode=ro only in URI form
            parsed = parsed.set(
                database=f"file:{parsed.database}?mode=ro",
                query={k: v for k, v in query.items() if k != "mode"} | {"uri": "true"},
            )
        file = _sqlite_file(parsed.database)
        if file is not None:
            parent = file.resolve().parent
            if not parent.exists():
                raise ConfigError(f"--db: folder {parent} does not exist")
            if file.is_dir():
                raise ConfigError(f"--db: {file} is a folder, not a database file")
        engine = create_engine(parsed, echo=echo, connect_args={"timeout": busy_timeout_ms / 1000})
        event.listen(engine, "connect", _pragmas(busy_timeout_ms))

        # SQLAlchemy's pysqlite driver defers BEGIN; emit it ourselves so a whole
        # batch is one transaction and reads inside it are consistent. Write
        # transactions (see writing()) take the write lock up front: a deferred
        # transaction that reads and then writes cannot wait for a busy writer
        # (SQLite answers "database is locked" at once instead of using the busy
        # timeout, to avoid a deadlock), an immediate one waits its turn.
        @event.listens_for(engine, "begin")
        def _begin(conn: Any) -> None:
            immediate = conn.get_execution_options().get(_IMMEDIATE, False)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

        @event.listens_for(engine, "connect")
        def _no_autobegin(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.isolation_level = None

        return engine
    if backend == "postgresql":
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        return create_engine(parsed, echo=echo, pool_pre_ping=True)
    raise ConfigError(
        f"--db: unsupported database {backend!r} (use sqlite:/// or postgresql+psycopg://)"
    )


_IMMEDIATE = "triagedesk_immediate"


def insert_ignoring(dialect_name: str, table: Table, *columns: str) -> Any:
    """``INSERT … ON CONFLICT (columns) DO NOTHING`` in the dialect: the insert that two
    writers may race on (a new repository, a redelivered webhook, an action planned twice)."""
    from sqlalchemy.dialects.postgresql import insert as pg_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    make = pg_insert if dialect_name == "postgresql" else sqlite_insert
    return make(table).on_conflict_do_nothing(index_elements=list(columns))


@contextmanager
def writing(engine: Engine) -> Iterator[Connection]:
    """A write transaction: BEGIN IMMEDIATE on SQLite (waits for the lock), plain BEGIN elsewhere."""
    with engine.connect() as conn:
        conn.execution_options(**{_IMMEDIATE: True})
        with conn.begin():
            yield conn


def describe(exc: BaseException) -> StoreError:
    """Turn a SQLAlchemy/driver error into the project's error with a clear message."""
    text = str(getattr(exc, "orig", exc) or exc).strip().splitlines()[0] if str(exc) else repr(exc)
    low = text.lower()
    if "database is locked" in low or "could not obtain lock" in low or "lock timeout" in low:
        return StoreLocked(f"the database is locked by another writer: {text}")
    if "readonly" in low or "read-only" in low or "read only" in low:
        return StoreReadOnly(f"the database cannot be written: {text}")
    if "file is not a database" in low or "database disk image is malformed" in low:
        return StoreError(f"the file is not a usable SQLite database: {text}")
    if isinstance(exc, OperationalError) and ("unable to open" in low or "connection" in low):
        return StoreError(f"cannot open the database: {text}")
    return StoreError(f"database error: {text}")


@contextmanager
def translated() -> Iterator[None]:
    """Re-raise SQLAlchemy and driver errors as the project's StoreError tree."""
    try:
        yield
    except (SQLAlchemyError, DBAPIError) as exc:
        raise describe(exc) from exc


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` (Alembic, one stream for SQLite and PostgreSQL)."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with translated(), engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
