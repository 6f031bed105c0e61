"""Commands of the demo feature: the generated corpus (registered on the root app at import)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
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
    runtime,
)
from triagedesk.domain.errors import UserError

MAX_ISSUES = 2_000_000


@app.command("demo-data")
def demo_data(
    out: Annotated[
        Path, typer.Option("--out", help="where to write the gh JSON (the events go beside it)")
    ] = Path("corpus.json"),
    issues: Annotated[int, typer.Option("--issues", help="how many issues to generate")] = 3000,
    seed: Annotated[int, typer.Option("--seed", help="random seed: same seed, same bytes")] = 1,
    end: Annotated[
        str | None,
        typer.Option(
            "--end", help="last day of the two-year window (YYYY-MM-DD, UTC; default 2026-11-01)"
        ),
    ] = None,
    db: DbOpt = DEFAULT_DB,
    config: ConfigOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Write a realistic, deterministic demo corpus of Docker Desktop issues (gh JSON + events sidecar)."""
    from triagedesk.demo.clock import DEFAULT_END, parse_day
    from triagedesk.demo.writer import events_path_for, write_corpus

    runtime(db, config)  # the demo corpus needs no database; built for the common signature
    if not 1 <= issues <= MAX_ISSUES:
        raise UserError(f"--issues must be between 1 and {MAX_ISSUES}, got {issues}")
    try:
        end_at = parse_day(end) if end else DEFAULT_END
    except ValueError:
        raise UserError(f"--end wants a date like 2026-11-01, got {end!r}") from None
    if out.is_dir():
        raise UserError(
            f"--out {out} is a directory; give a file name such as {out / 'corpus.json'}"
        )
    if not out.parent.exists():
        raise UserError(f"the folder for --out does not exist: {out.parent}")
    progress = Progress(
        TextColumn("generating"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err_console,
        transient=True,
        disable=as_json,
    )
    try:
        with progress:
            task = progress.add_task("issues", total=issues)
            summary = write_corpus(out, issues, seed, end_at, lambda n: progress.advance(task, n))
    except OSError as exc:
        raise UserError(f"cannot write {out}: {exc.strerror or exc}") from None
    data = summary.as_dict()
    data["out"] = str(out)
    data["events_out"] = str(events_path_for(out))
    data["seed"] = seed
    data["end"] = end_at.date().isoformat()
    emit(data, as_json, _human)


def _human(d: dict[str, Any]) -> None:
    issues = d["issues"] or 1
    bugs = d["bugs"] or 1
    t = Table(title=f"demo corpus: {d['out']} (+ {d['events_out']})", show_header=False)
    t.add_column("what")
    t.add_column("count", justify="right")
    t.add_column("share", justify="right")

    def row(label: str, n: int, of: int = issues) -> None:
        t.add_row(label, str(n), f"{100 * n / of:.1f}%")

    row("issues", d["issues"])
    for repo, n in d["per_repo"].items():
        row(f"  {repo}", n)
    row("open", d["open"])
    row("closed", d["closed"])
    row("bugs", d["bugs"])
    row("  with a diagnostics ID in the body", d["bugs_with_diagnostics"], bugs)
    row("  ID only later in a comment", d["diagnostics_later_in_comment"], bugs)
    row("  pasted diagnose output", d["pasted_diagnose_output"], bugs)
    row("  empty template", d["empty_templates"], bugs)
    row("closed as duplicate", d["duplicates_closed"])
    row("more-info requests", d["more_info_requests"])
    row("  answered by the reporter", d["reporter_answers"])
    row("  closed for lack of information", d["closed_for_no_info"])
    row("acknowledged", d["acknowledged"])
    row("fix released", d["fixes_released"])
    row("reopened", d["reopened"])
    row("no label at all", d["unlabelled"])
    t.add_row("comments / label events", f"{d['comments']} / {d['events']}", "")
    console.print(t)
