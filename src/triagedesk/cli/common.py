"""What every command shares: --db, --config, --json, the runtime it builds, and output."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Protocol

import typer
from rich.console import Console
from sqlalchemy.engine import Engine

from triagedesk import settings as settings_mod
from triagedesk.settings import Secrets, Settings

DEFAULT_DB = "sqlite:///triagedesk.db"
DEFAULT_CONFIG = Path("triagedesk.toml")

DbOpt = Annotated[
    str,
    typer.Option(
        "--db",
        envvar="TRIAGEDESK_DB",
        help="database URL (sqlite:///file.db or postgresql+psycopg://…)",
    ),
]
ConfigOpt = Annotated[
    Path | None,
    typer.Option(
        "--config",
        envvar="TRIAGEDESK_CONFIG",
        help="TOML configuration (default: ./triagedesk.toml if present, else the built-in profile)",
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="print machine-readable JSON")]

console = Console(stderr=False)
err_console = Console(stderr=True)

#: the `eval` group, shared by the quality and intelligence commands
eval_app = typer.Typer(
    help="Backtests: replay history and score what triagedesk would have done.",
    no_args_is_help=True,
)


class _CurrentStderr:
    """Writes to whatever sys.stderr is now (tests swap and close it; a bound file would go stale)."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


def configure_logging() -> None:
    """structlog to stderr (stdout stays clean for --json), level from TRIAGEDESK_LOG_LEVEL (INFO)."""
    import logging
    import os

    import structlog

    name = os.environ.get("TRIAGEDESK_LOG_LEVEL", "INFO").upper()
    level = logging.getLevelNamesMapping().get(name, logging.INFO)
    structlog.configure(
        wrapper_class=structlog.make_filtering_bound_logger(level),
        logger_factory=structlog.PrintLoggerFactory(_CurrentStderr()),  # type: ignore[arg-type]
    )


@dataclass
class Runtime:
    """Settings, secrets and engine, built once per command, on first use."""

    db: str = DEFAULT_DB
    config: Path | None = None
    _engine: Engine | None = field(default=None, init=False, repr=False)

    @cached_property
    def settings(self) -> Settings:
        if self.config is None:
            return settings_mod.load(DEFAULT_CONFIG if DEFAULT_CONFIG.exists() else None)
        return settings_mod.load(self.config)

    @cached_property
    def secrets(self) -> Secrets:
        return Secrets()

    @property
    def engine(self) -> Engine:
        """The database engine, migrated to the newest schema."""
        if self._engine is None:
            from triagedesk.adapters.store.db import migrate, open_engine

            engine = open_engine(self.db)
            migrate(engine)
            self._engine = engine
        return self._engine

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None


def runtime(db: str = DEFAULT_DB, config: Path | None = None) -> Runtime:
    return Runtime(db=db, config=config)


class Step(Protocol):
    def __call__(self, done: int, total: int | None = None) -> None: ...


@contextmanager
def progress_bar(what: str, total: int | None = None) -> Iterator[Step]:
    """A transient progress bar on stderr (stdout stays for --json).

    Yields ``step(done, total=None)``: how many are done so far, and the total once
    it is known. Rich redraws at its own pace, so calling it per item is cheap.
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    with Progress(
        f"[bold]{what}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    ) as bar:
        task = bar.add_task(what, total=total)

        def step(done: int, total: int | None = None) -> None:
            if total is None:
                bar.update(task, completed=done)
            else:
                bar.update(task, completed=done, total=total)

        yield step


def _default(o: Any) -> Any:
    if hasattr(o, "isoformat"):
        return o.isoformat()
    if isinstance(o, set | frozenset | tuple):
        return list(o)
    return str(o)


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, default=_default, ensure_ascii=False) + "\n")


def emit(data: Any, as_json: bool, human: Callable[[Any], None]) -> None:
    """JSON for scripts, or ``human(data)`` for people."""
    if as_json:
        print_json(data)
    else:
        human(data)
