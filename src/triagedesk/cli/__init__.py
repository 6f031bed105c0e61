"""The command line: `triagedesk --help` lists everything.

Each feature keeps its commands in its own module here and registers them on
``app`` (or on the shared ``eval`` group) at import.
"""

from __future__ import annotations

import os
import sys

import click
import typer

from triagedesk.cli.common import configure_logging, err_console, eval_app
from triagedesk.domain.errors import TriagedeskError

app = typer.Typer(
    name="triagedesk",
    help="Tiered support desk for products whose users report problems in GitHub issue trackers.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(eval_app, name="eval")

# feature modules register their commands on import
from triagedesk.cli import core, demo, github, intel, quality, report, summary  # noqa: E402

__all__ = ["app", "core", "demo", "github", "intel", "main", "quality", "report", "summary"]


def main(argv: list[str] | None = None) -> None:
    """Entry point: project errors become one clear line and an exit code (2 for user errors)."""
    configure_logging()
    try:
        app(args=argv, standalone_mode=False)
    except TriagedeskError as exc:
        err_console.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        err_console.print("aborted")
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(2)
    except KeyboardInterrupt:
        err_console.print("interrupted")
        sys.exit(130)
    except Exception as exc:
        # a bug, not a user error: say so in one line; the traceback on request
        if os.environ.get("TRIAGEDESK_DEBUG"):
            raise
        err_console.print(
            f"[bold red]internal error:[/] {type(exc).__name__}: {exc} "
            "(set TRIAGEDESK_DEBUG=1 for the traceback)",
            highlight=False,
            soft_wrap=True,
        )
        sys.exit(1)
