"""Commands of the foundation's data side: import, export, status set/history.

Registered on the root app when :mod:`triagedesk.cli.core` imports this module.
"""

from __future__ import annotations

import getpass
import os
import shutil
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from triagedesk.cli import app
from triagedesk.cli.common import (
    DEFAULT_DB,
    ConfigOpt,
    DbOpt,
    JsonOpt,
    console,
    emit,
    err_console,
    print_json,
    runtime,
)
from triagedesk.cli.wiring import parse_issue
from triagedesk.domain.errors import InputError, TriagedeskError, UserError
from triagedesk.domain.model import Repo, RepoRef, Visibility

RepoOpt = Annotated[
    str | None,
    typer.Option("--repo", help="OWNER/NAME: the repository (default: from the records' URLs)"),
]


def _repo(text: str | None) -> RepoRef | None:
    return None if text is None else RepoRef.parse(text)


def _spool_stdin(paths: list[Path], folder: Path) -> list[Path]:
    """``-`` means standard input (``gh issue list … | triagedesk import -``): copied to
    a file chunk by chunk, so it streams like any other file."""
    out: list[Path] = []
    for path in paths:
        if str(path) == "-":
            spooled = folder / "stdin.json"
            with spooled.open("wb") as fh:
                shutil.copyfileobj(sys.stdin.buffer, fh, 1 << 20)
            out.append(spooled)
        else:
            out.append(path)
    return out


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
        console=err_console,
        transient=True,
    )


@app.command("import")
def import_cmd(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="gh or REST JSON files (or folders, or - for standard input); "
            "X.comments.json/X.events.json beside X.json are joined"
        ),
    ],
    repo: RepoOpt = None,
    strict: Annotated[
        bool, typer.Option("--strict", help="exit 1 when any record was skipped or had problems")
    ] = False,
    db: DbOpt = DEFAULT_DB,
    config: ConfigOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Import `gh issue list --json …` output or GitHub REST JSON (idempotent)."""
    from triagedesk.adapters.github.records import GithubRecords
    from triagedesk.adapters.store.issues import SqlIssueStore
    from triagedesk.app.importing import expand, import_paths, total_bytes

    target = _repo(repo)
    rt = runtime(db, config)
    internal = rt.settings.profile.internal_repo  # a broken config fails here, before any write
    store = SqlIssueStore(rt.engine)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="triagedesk-import-") as spool:
        files = expand(_spool_stdin(paths, Path(spool)))
        with _progress() as bar:
            task = bar.add_task("importing", total=total_bytes(files) or None)
            summary = import_paths(
                files, store, GithubRecords(), repo=target, progress=lambda n: bar.advance(task, n)
            )
        # name standard input as such in the report, not by its spool file
        spooled = str(Path(spool) / "stdin.json")
        summary.files = ["-" if f == spooled else f for f in summary.files]
        summary.errors = [replace(p, file="-") if p.file == spooled else p for p in summary.errors]
    for known in store.repo_info():  # the configured engineering tracker is internal
        vis = Visibility.INTERNAL if known.ref.full_name == internal else Visibility.PUBLIC
        if known.visibility is not vis:
            store.set_repo(Repo(known.ref, vis))
    rt.close()
    s = summary
    if s.errors and s.issues == 0 and s.pull_requests == 0:
        # nothing usable: one clear line (the other problems, if any, before it)
        if as_json:
            print_json(s.as_dict())
        else:
            for problem in s.errors[1:20]:
                err_console.print(f"[yellow]problem:[/] {problem}", highlight=False, soft_wrap=True)
        more = f" (and {len(s.errors) - 1} more problems)" if len(s.errors) > 1 else ""
        raise InputError(f"nothing imported: {s.errors[0]}{more}")
    seconds = time.perf_counter() - started
    if as_json:
        print_json({**s.as_dict(), "seconds": round(seconds, 3)})
    else:
        console.print(
            f"imported {s.issues} issues from {len(s.files)} file(s): {s.inserted} new, "
            f"{s.updated} updated, {s.unchanged} unchanged; {s.skipped} skipped, "
            f"{s.duplicates} duplicates, {s.pull_requests} pull requests ignored; "
            f"{s.comments} comments, {s.events} events; {seconds:.1f} s",
            highlight=False,
            soft_wrap=True,
        )
        for problem in s.errors[:20]:
            err_console.print(f"[yellow]problem:[/] {problem}", highlight=False, soft_wrap=True)
        if len(s.errors) > 20:
            err_console.print(f"… and {len(s.errors) - 20} more problems (use --json to see all)")
    if strict and s.errors:
        raise TriagedeskError(f"--strict: {len(s.errors)} problem(s) while importing (see above)")


@app.command("export")
def export_cmd(
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            help="json (lossless), ndjson (lossless, one issue per line), gh, or csv",
        ),
    ] = "json",
    repo: RepoOpt = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="write here (default: standard output)")
    ] = None,
    db: DbOpt = DEFAULT_DB,
    config: ConfigOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Export stored issues as JSON (re-importable, lossless), JSON lines, gh JSON or CSV."""
    from triagedesk.adapters.github.records_out import GithubRecordsOut
    from triagedesk.adapters.store.issues import SqlIssueStore
    from triagedesk.app.exporting import ExportFormat, export_issues

    try:
        form = ExportFormat(fmt.lower())
    except ValueError:
        raise UserError(
            f"--format: unknown format {fmt!r}; one of {', '.join(f.value for f in ExportFormat)}"
        ) from None
    target = _repo(repo)
    rt = runtime(db, config)
    aliases = rt.settings.profile.aliases() if form is ExportFormat.CSV else None
    store = SqlIssueStore(rt.engine)
    total = store.count_issues(target)
    if out is None:
        count = export_issues(
            store, GithubRecordsOut(), sys.stdout, form, repo=target, aliases=aliases
        )
        sys.stdout.flush()
        rt.close()
        return
    if out.parent and not out.parent.exists():
        raise UserError(f"--out: folder {out.parent} does not exist")
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    try:
        with _progress() as bar, tmp.open("w", encoding="utf-8", newline="") as fh:
            task = bar.add_task("exporting", total=total)
            count = export_issues(
                store,
                GithubRecordsOut(),
                fh,
                form,
                repo=target,
                aliases=aliases,
                progress=lambda _i: bar.advance(task),
            )
        tmp.replace(out)  # all or nothing: no half-written export under the real name
    except OSError as exc:
        raise UserError(f"--out: cannot write {out}: {exc.strerror or exc}") from None
    finally:
        tmp.unlink(missing_ok=True)
    rt.close()
    emit(
        {"exported": count, "format": form.value, "out": str(out)},
        as_json,
        lambda d: console.print(f"exported {d['exported']} issues as {d['format']} to {d['out']}"),
    )


status_app = typer.Typer(help="Move issues along the status workflow; see the audit trail.")
app.add_typer(status_app, name="status")


def _default_actor() -> str:
    try:
        return getpass.getuser()
    except Exception:
        return "cli"


@status_app.command("set")
def status_set(
    issue: Annotated[str, typer.Argument(help="owner/name#N or the issue's URL")],
    status: Annotated[
        str,
        typer.Argument(
            help="status label (status/1-acknowledged, acknowledged …), duplicate or no-answer"
        ),
    ],
    reason: Annotated[str, typer.Option("--reason", help="why (kept in the audit trail)")],
    force: Annotated[
        bool, typer.Option("--force", help="make a move the workflow does not allow (recorded)")
    ] = False,
    actor: Annotated[
        str | None, typer.Option("--actor", help="who moves it (default: your user name)")
    ] = None,
    db: DbOpt = DEFAULT_DB,
    config: ConfigOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Move a stored issue to another status (locally; relabels it and records the move)."""
    from triagedesk.adapters.store.issues import SqlIssueStore
    from triagedesk.app.statusmoves import move_status, parse_target

    rt = runtime(db, config)
    ref = parse_issue(rt.settings, issue)
    target = parse_target(status)
    change, after = move_status(
        SqlIssueStore(rt.engine),
        ref,
        target,
        actor=actor or _default_actor(),
        reason=reason,
        at=datetime.now(UTC),
        force=force,
        aliases=rt.settings.profile.aliases(),
    )
    rt.close()
    data = {
        "issue": str(ref),
        "from": change.from_state.value if change.from_state else None,
        "to": change.to_state.value,
        "forced": change.forced,
        "actor": change.actor,
        "at": change.at,
        "labels": list(after.labels),
        "state": after.state.value,
    }
    emit(
        data,
        as_json,
        lambda d: console.print(
            f"{d['issue']}: {d['from'] or '(no status)'} -> {d['to']}"
            + (" (forced)" if d["forced"] else "")
            + f"; labels: {', '.join(d['labels']) or '-'}",
            highlight=False,
            soft_wrap=True,
        ),
    )


@status_app.command("history")
def status_history(
    issue: Annotated[str, typer.Argument(help="owner/name#N or the issue's URL")],
    db: DbOpt = DEFAULT_DB,
    config: ConfigOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """The audit trail of an issue's status moves."""
    from triagedesk.adapters.store.issues import SqlIssueStore

    rt = runtime(db, config)
    ref = parse_issue(rt.settings, issue)
    changes = SqlIssueStore(rt.engine).status_history(ref)
    rt.close()
    rows = [
        {
            "at": c.at,
            "from": c.from_state.value if c.from_state else None,
            "to": c.to_state.value,
            "actor": c.actor,
            "source": c.source.value,
            "forced": c.forced,
            "reason": c.reason,
        }
        for c in changes
    ]

    def human(data: list[dict[str, Any]]) -> None:
        if not data:
            console.print(f"{ref}: no status moves recorded")
            return
        table = Table(title=f"status moves of {ref}")
        table.add_column("at (UTC)", no_wrap=True)
        table.add_column("move", no_wrap=True)
        table.add_column("by")
        table.add_column("reason", overflow="fold")
        for r in data:
            move = (r["from"] or "(new)").removeprefix("status/") + " -> "
            move += r["to"].removeprefix("status/")
            by = f"{r['actor']} ({r['source']}{', forced' if r['forced'] else ''})"
            table.add_row(r["at"].strftime("%Y-%m-%d %H:%M"), move, by, r["reason"])
        console.print(table)

    emit(rows, as_json, human)
