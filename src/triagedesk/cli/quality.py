"""Commands of the quality feature: check, diagnostics fetch, reproduced, eval quality.

Writes decided here are planned (shadow mode: no tracker is built); ``actions
apply`` or the worker send them.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from triagedesk.cli import app
from triagedesk.cli.common import (
    DEFAULT_DB,
    ConfigOpt,
    DbOpt,
    JsonOpt,
    Runtime,
    console,
    emit,
    eval_app,
    progress_bar,
    runtime,
)
from triagedesk.cli.wiring import build_bucket, build_context, now, parse_issue
from triagedesk.domain.errors import UserError
from triagedesk.domain.model import RepoRef

if TYPE_CHECKING:  # keeps the CLI's import light
    pass

diagnostics_app = typer.Typer(help="Diagnostics bundles in the bucket.", no_args_is_help=True)
app.add_typer(diagnostics_app, name="diagnostics")


_MARK = {
    "ok": "[green]ok[/]",
    "missing": "[red]missing[/]",
    "invalid": "[red]invalid[/]",
    "could-not-verify": "[yellow]could not verify[/]",
    "not-needed": "[dim]not needed[/]",
}


def _print_checklist(d: dict[str, Any]) -> None:
    from rich.markup import escape
    from rich.table import Table

    verdict = d["verdict"]
    colour = "green" if verdict == "complete" else "red"
    title = f"{d['repo']}#{d['number']}: [{colour}]{verdict}[/]"
    if d["missing"]:
        title += f" (missing: {', '.join(d['missing'])})"
    table = Table(title=title, title_justify="left", show_lines=False)
    table.add_column("check")
    table.add_column("status")
    table.add_column("evidence", overflow="fold")
    for ln in d["lines"]:
        req = "" if ln["required"] else " [dim](info)[/]"
        table.add_row(
            ln["name"], _MARK.get(ln["status"], ln["status"]) + req, escape(ln["evidence"])
        )
    console.print(table)


@app.command("check")
def check_cmd(
    issue: Annotated[
        str | None, typer.Argument(help="owner/name#N (or N when one repository is configured)")
    ] = None,
    all_issues: Annotated[bool, typer.Option("--all", help="check every stored issue")] = False,
    repo: Annotated[str | None, typer.Option("--repo", help="only this owner/name")] = None,
    open_only: Annotated[bool, typer.Option("--open", help="skip closed issues")] = False,
    s3: Annotated[
        bool, typer.Option("--s3/--no-s3", help="look Diagnostics IDs up in the bucket")
    ] = True,
    scan: Annotated[
        bool | None,
        typer.Option(
            "--scan/--no-scan",
            help="download found bundles once and scan their logs (default: quality.scan_bundles)",
        ),
    ] = None,
    plan: Annotated[
        bool,
        typer.Option("--plan/--no-plan", help="record the decided actions (shadow: planned)"),
    ] = True,
    db: DbOpt = DEFAULT_DB,
    config: ConfigOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Compute, store and print the L1 checklist of one issue or of every issue."""
    from triagedesk.app import quality

    if (issue is None) == (not all_issues):
        raise UserError("give one ISSUE or --all")
    rt = runtime(db, config)
    try:
        ctx = build_context(rt.settings, rt.secrets, rt.engine, s3=s3)
        if issue is not None:
            result = quality.check_issue(
                ctx, parse_issue(rt.settings, issue), lookup=quality.BundleLookup(ctx, scan=scan)
            )
            if plan:
                quality.submit_actions(ctx, result.actions)
            emit(result.checklist.to_dict(), as_json, _print_checklist)
            return
        repo_ref = RepoRef.parse(repo) if repo else None
        total = ctx.issues.count_issues(repo_ref)
        with progress_bar("checking", total) as step:
            results = quality.check_all(
                ctx, repo_ref, submit=plan, open_only=open_only, progress=step, scan=scan
            )
        data = [r.checklist.to_dict() for r in results]

        def human(rows: list[dict[str, Any]]) -> None:
            incomplete = [r for r in rows if r["verdict"] != "complete"]
            for r in incomplete[:20]:
                console.print(f"{r['repo']}#{r['number']}: missing {', '.join(r['missing'])}")
            if len(incomplete) > 20:
                console.print(f"… and {len(incomplete) - 20} more")
            console.print(
                f"checked {len(rows)} issues: {len(rows) - len(incomplete)} complete, "
                f"{len(incomplete)} need more information"
            )

        emit(data, as_json, human)
    finally:
        rt.close()


def _remember_bundle(rt: Runtime, diag_id: str, info: Any, unpacked: Any) -> None:
    """Store what the bundle holds, so the checklist shows the known failures it found."""
    from triagedesk.adapters.diagnostics import parse_id
    from triagedesk.adapters.store.checklists import SqlChecklistStore
    from triagedesk.domain.checklist import BundleCheck

    uuid, timestamp = parse_id(diag_id)
    check = BundleCheck(
        id=f"{uuid}/{timestamp}" if timestamp else uuid,
        state="found",
        key=info.key,
        size=info.size,
        uploaded_at=info.uploaded_at,
        signatures=tuple(f"{h.area}: {h.hint} ({h.path})" for h in unpacked.hits),
    )
    try:
        SqlChecklistStore(rt.engine).save_bundle_check(check, now())
    finally:
        rt.close()


@diagnostics_app.command("fetch")
def fetch_cmd(
    diag_id: Annotated[str, typer.Argument(help="Diagnostics ID: UUID or UUID/timestamp")],
    to: Annotated[Path, typer.Option("--to", help="folder to unpack into")] = Path("diagnostics"),
    db: DbOpt = DEFAULT_DB,
    config: ConfigOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Download a bundle, unpack it safely, list what it holds and the known failures in it."""
    from triagedesk.adapters.diagnostics import S3DiagnosticsBucket, fetch

    rt = runtime(db, config)
    bucket = build_bucket(rt.settings, rt.secrets)
    if bucket is None:
        bucket = S3DiagnosticsBucket(rt.settings.diagnostics)  # the default AWS credential chain
    assert isinstance(bucket, S3DiagnosticsBucket)
    info, unpacked = fetch(bucket, diag_id, to)
    _remember_bundle(rt, diag_id, info, unpacked)
    data = {
        "key": info.key,
        "size": info.size,
        "uploaded_at": info.uploaded_at,
        "folder": str(unpacked.folder),
        "total_bytes": unpacked.total_bytes,
        "files": list(unpacked.files),
        "skipped": list(unpacked.skipped),
        "signatures": [
            {"area": h.area, "hint": h.hint, "path": h.path, "line": h.line} for h in unpacked.hits
        ],
    }

    def human(d: dict[str, Any]) -> None:
        console.print(f"{d['key']}: {d['size']} bytes, uploaded {d['uploaded_at']}")
        console.print(
            f"unpacked {len(d['files'])} files ({d['total_bytes']} bytes) into {d['folder']}"
        )
        for f in d["files"][:50]:
            console.print(f"  {f}", highlight=False)
        if len(d["files"]) > 50:
            console.print(f"  … and {len(d['files']) - 50} more")
        for s in d["skipped"]:
            console.print(f"[yellow]skipped[/] {s}", highlight=False)
        for h in d["signatures"]:
            console.print(
                f"[red]{h['area']}[/] {h['hint']}: {h['path']}: {h['line']}", highlight=False
            )

    emit(data, as_json, human)


@app.command("reproduced")
def reproduced_cmd(
    issue: Annotated[str, typer.Argument(help="owner/name#N")],
    version: Annotated[str, typer.Option("--version", help="product version it reproduced on")],
    platform: Annotated[str, typer.Option("--platform", help="platform, e.g. 'macOS 14 arm64'")],
    by: Annotated[str, typer.Option("--by", help="who reproduced it")],
    note: Annotated[str, typer.Option("--note", help="anything worth knowing")] = "",
    db: DbOpt = DEFAULT_DB,
    config: ConfigOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Record that a person reproduced the issue; the checklist shows who and when."""
    from triagedesk.app import quality

    rt = runtime(db, config)
    try:
        ctx = build_context(rt.settings, rt.secrets, rt.engine, s3=False)
        result = quality.record_reproduction(
            ctx,
            parse_issue(rt.settings, issue),
            by=by,
            version=version,
            platform=platform,
            note=note,
        )
        quality.submit_actions(ctx, result.actions)
        emit(result.checklist.to_dict(), as_json, _print_checklist)
    finally:
        rt.close()


@eval_app.command("quality")
def eval_quality_cmd(
    repo: Annotated[str | None, typer.Option("--repo", help="only this owner/name")] = None,
    db: DbOpt = DEFAULT_DB,
    config: ConfigOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Score the verdict on each issue as first filed against what the team really did."""
    from triagedesk.adapters.repro_validators import StaticReproValidator
    from triagedesk.adapters.store.issues import SqlIssueStore
    from triagedesk.app.quality_eval import evaluate_history

    rt = runtime(db, config)
    try:
        store = SqlIssueStore(rt.engine)
        repo_ref = RepoRef.parse(repo) if repo else None
        total = store.count_issues(repo_ref)
        if total == 0:
            raise UserError("no issues in the database: import or sync some first")
        with progress_bar("replaying", total) as step:
            result = evaluate_history(
                store.iter_issues(repo_ref),
                rt.settings,
                validate=StaticReproValidator().check,
                progress=step,
            )
    finally:
        rt.close()
    data = result.as_dict()

    def human(d: dict[str, Any]) -> None:
        from rich.table import Table

        table = Table(
            title=f"eval quality: {d['n']} issues with a team signal ({d['unknown']} without, excluded)"
        )
        for col in ("rule", "precision", "recall", "F1", "TP", "FP", "FN", "TN"):
            table.add_column(col)
        for name, s in (
            ("checklist verdict", d),
            ("baseline: 88% template match", d["baseline"]),
            ("baseline: no Diagnostics ID", d["baseline_no_diagnostics_id"]),
            ("checklist at the team's first response", d["at_first_response"]),
        ):
            c = s["confusion"]
            table.add_row(
                name,
                f"{s['precision']:.3f}",
                f"{s['recall']:.3f}",
                f"{s['f1']:.3f}",
                *(str(c[k]) for k in ("tp", "fp", "fn", "tn")),
            )
        console.print(table)
        console.print("positive = the team asked for more information first")

    emit(data, as_json, human)
