"""`triagedesk sync` and `triagedesk labels sync` (registered by ``cli/github.py``)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from triagedesk.cli import app, wiring
from triagedesk.cli.common import (
    DEFAULT_DB,
    ConfigOpt,
    DbOpt,
    JsonOpt,
    Runtime,
    console,
    emit,
    err_console,
    runtime,
)
from triagedesk.domain.errors import RateLimited, TrackerError, UserError
from triagedesk.domain.model import RepoRef
from triagedesk.settings import Secrets, Settings

if TYPE_CHECKING:
    from triagedesk.adapters.github.client import GithubClient
    from triagedesk.app.labels import LabelOutcome
    from triagedesk.app.replay import ReplayReport
    from triagedesk.app.sync import SyncReport

RepoOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--repo", help="owner/name (repeatable; default: the profile's public repositories)"
    ),
]

labels_app = typer.Typer(help="Status and area labels on the repositories.", no_args_is_help=True)
app.add_typer(labels_app, name="labels")


def _repos(settings: Settings, names: list[str] | None) -> list[RepoRef]:
    if names:
        return [RepoRef.parse(n) for n in names]
    return [RepoRef.parse(r.name) for r in settings.profile.public_repos]


def _has_credentials(secrets: Secrets) -> bool:
    return secrets.github_token is not None or secrets.github_app_id is not None


def _client(settings: Settings, secrets: Secrets) -> GithubClient:
    from triagedesk.adapters.github.client import build_client

    return build_client(settings.github, secrets)


def _when(epoch: float | None) -> str:
    if epoch is None:
        return "later"
    return datetime.fromtimestamp(epoch, UTC).strftime("%H:%M UTC")


def _print_sync(report: SyncReport, stats: dict[str, int]) -> None:
    from rich.table import Table

    table = Table("repository", "mode", "issues", "new", "changed", "requests", "follow-ups")
    for r in report.repos:
        table.add_row(
            r.repo,
            r.mode + ("" if r.finished or r.mode == "skipped" else " (stopped)"),
            str(r.issues),
            str(r.inserted),
            str(r.updated),
            str(r.requests),
            str(r.followups),
        )
    console.print(table)
    for r in report.repos:
        if r.mode == "busy":
            console.print(f"{r.repo}: skipped, {r.error}")
    console.print(
        f"requests: {stats['sent']} sent, {stats['counted']} counted by GitHub, "
        f"{stats['not_modified']} answered 304 (free)"
    )


@app.command()
def sync(
    repo: RepoOpt = None,
    full: Annotated[
        bool, typer.Option("--full", help="fetch every issue again, not only the changed ones")
    ] = False,
    internal: Annotated[
        bool, typer.Option("--internal", help="also the internal (engineering) repository")
    ] = False,
    show_state: Annotated[
        bool,
        typer.Option("--state", help="show where each repository's sync stands; sync nothing"),
    ] = False,
    db: DbOpt = DEFAULT_DB,
    config: ConfigOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Sync issues, comments, labels and label history from GitHub (incremental, resumable)."""
    if show_state:
        _show_state(db, config, as_json)
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn

    from triagedesk.adapters.store.issues import SqlIssueStore
    from triagedesk.adapters.store.sync_state import SqlSyncState
    from triagedesk.app.sync import Progress as SyncProgress
    from triagedesk.app.sync import sync_repos

    rt = runtime(db, config)
    repos = _repos(rt.settings, repo)
    if internal:
        inner = RepoRef.parse(rt.settings.profile.internal_repo)
        if inner not in repos:
            repos.append(inner)
    client = _client(rt.settings, rt.secrets)
    try:
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            console=err_console,
            transient=as_json,
        ) as bar:
            tasks: dict[str, TaskID] = {}

            def progress(p: SyncProgress) -> None:
                if p.repo not in tasks:
                    tasks[p.repo] = bar.add_task(f"sync {p.repo}", total=p.total)
                bar.update(tasks[p.repo], completed=p.done, total=p.total)

            report = sync_repos(
                client,
                SqlIssueStore(rt.engine),
                SqlSyncState(rt.engine),
                repos,
                now=wiring.now,
                full=full,
                progress=progress,
            )
        stats = client.stats
        reacted = react_to_sync(rt, report)
    finally:
        client.close()
        rt.close()
    reaction = (
        {"issues": reacted.issues, "actions": reacted.actions, "failed": reacted.failed}
        if reacted is not None
        else None
    )
    data = {**report.to_dict(), "requests": stats, "handlers": reaction}

    def human(_d: object) -> None:
        _print_sync(report, stats)
        if reacted is not None:
            console.print(
                f"handlers heard {reacted.issues} changed issue(s): {reacted.actions} action(s) decided"
                + (f", {len(reacted.failed)} failed" if reacted.failed else "")
            )

    emit(data, as_json, human)
    if report.stopped:
        if "request budget" in report.stopped:
            raise RateLimited(
                f"sync stopped: {report.stopped} (github.request_budget); the place is kept: "
                "run `triagedesk sync` again to continue"
            )
        if report.reset_at is not None or report.stopped.startswith("rate limited"):
            raise RateLimited(
                f"sync stopped: {report.stopped}; the place is kept: run `triagedesk sync` "
                f"again after {_when(report.reset_at)} to resume",
                reset_at=report.reset_at,
            )
        raise TrackerError(f"sync stopped: {report.stopped}; run `triagedesk sync` again to resume")


def _show_state(db: str, config: Path | None, as_json: bool) -> None:
    from rich.table import Table

    from triagedesk.adapters.store.sync_state import SqlSyncState

    rt = runtime(db, config)
    try:
        states = SqlSyncState(rt.engine).all_states()
    finally:
        rt.close()

    def stamp(value: datetime | None) -> str:
        return value.isoformat(timespec="seconds") if value else ""

    rows = [
        {
            "repo": str(st.repo),
            "in_progress": st.in_progress,
            "run": ("full" if st.run_full else "incremental") if st.in_progress else "",
            "run_pages": st.run_pages if st.in_progress else 0,
            "run_issues": st.run_issues if st.in_progress else 0,
            "high_water": stamp(st.high_water),
            "has_etag": bool(st.etag),
            "last_finished_at": stamp(st.last_finished_at),
            "last_full_at": stamp(st.last_full_at),
        }
        for st in states
    ]

    def human(_d: object) -> None:
        if not rows:
            console.print("no repository has been synced yet")
            return
        table = Table("repository", "run in progress", "newest update stored", "last finished")
        for r in rows:
            running = (
                f"{r['run']}: {r['run_pages']} pages, {r['run_issues']} issues stored"
                if r["in_progress"]
                else "-"
            )
            table.add_row(str(r["repo"]), running, str(r["high_water"]), str(r["last_finished_at"]))
        console.print(table)

    emit(rows, as_json, human)


def react_to_sync(rt: Runtime, report: SyncReport) -> ReplayReport | None:
    """Run the features' handlers over what an incremental sync changed.

    This is what makes reconciliation heal a missed webhook delivery: issues created
    since the last run are heard as opened (triage, checklist, suggestions), the
    others as synced. Handlers decide from the stored state, so hearing an issue twice
    (webhook and sync) plans nothing new.
    """
    opened = [ref for r in report.repos for ref in r.opened]
    seen = set(opened)
    changed = [ref for r in report.repos for ref in r.touched if ref not in seen]
    if not opened and not changed:
        return None
    from triagedesk.app.events import Change
    from triagedesk.app.replay import replay
    from triagedesk.cli.wiring import build_context, build_tracker, register_all_handlers

    register_all_handlers()
    tracker = None if rt.settings.github.shadow else build_tracker(rt.settings, rt.secrets)
    ctx = build_context(rt.settings, rt.secrets, rt.engine, tracker)
    out = replay(ctx, opened, change=Change.OPENED, actor="sync")
    more = replay(ctx, changed, change=Change.SYNCED, actor="sync")
    out.issues += more.issues
    out.actions += more.actions
    out.failed += more.failed
    return out


def make_sync_hook(rt: Runtime) -> Callable[[datetime], str] | None:
    """The reconciliation sync for ``triagedesk schedule`` (None without credentials).

    An incremental sync of the public repositories: one 304 per unchanged repository,
    and it heals whatever webhook deliveries were missed.
    """
    if not _has_credentials(rt.secrets):
        return None

    def run(now: datetime) -> str:
        from triagedesk.adapters.store.issues import SqlIssueStore
        from triagedesk.adapters.store.sync_state import SqlSyncState
        from triagedesk.app.sync import sync_repos

        client = _client(rt.settings, rt.secrets)
        try:
            report = sync_repos(
                client,
                SqlIssueStore(rt.engine),
                SqlSyncState(rt.engine),
                _repos(rt.settings, None),
                now=wiring.now,
            )
            sent = client.stats["sent"]
            reacted = react_to_sync(rt, report)
        finally:
            client.close()
        summary = "; ".join(f"{r.repo}: {r.mode}, {r.issues} issues" for r in report.repos)
        if reacted is not None:
            summary += f"; handlers: {reacted.issues} issues, {reacted.actions} actions"
        if report.stopped:
            raise TrackerError(f"sync stopped: {report.stopped} ({summary})")
        return f"{summary} ({sent} requests)"

    return run


def _print_labels(outcomes: list[LabelOutcome], shadowed: bool) -> None:
    from rich.table import Table

    table = Table("repository", "label", "colour", "action", "what differs")
    for o in outcomes:
        table.add_row(o.repo, o.name, f"#{o.color}", o.action, o.detail)
    console.print(table)
    changes = [o for o in outcomes if o.action not in ("unchanged",)]
    if any(o.action == "ensure" for o in outcomes):
        console.print(
            "the repositories' labels were not read (no GitHub credentials): "
            "every label is listed as 'ensure'"
        )
    if shadowed:
        console.print(
            f"shadow mode: {len(changes)} label change(s) planned, nothing written "
            "(set github.shadow = false and the repository's shadow = false to apply)"
        )
    else:
        applied = sum(1 for o in outcomes if o.applied)
        console.print(f"{applied} label(s) written, {len(outcomes) - applied} already right")


@labels_app.command("sync")
def labels_sync(
    repo: RepoOpt = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="plan only, whatever the shadow settings say")
    ] = False,
    areas: Annotated[
        bool, typer.Option("--areas/--no-areas", help="also the configured area labels")
    ] = True,
    docs: Annotated[
        Path | None,
        typer.Option("--docs", help="also write the label documentation (docs/labels.md) here"),
    ] = None,
    db: DbOpt = DEFAULT_DB,
    config: ConfigOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Create or update the status (and area) labels on each public repository."""
    from triagedesk.app.labels import labels_doc, sync_labels, wanted_labels

    rt = runtime(db, config)
    settings = rt.settings
    repos = _repos(settings, repo)
    per_repo = {r.name.lower(): r.shadow for r in settings.profile.public_repos}

    def shadow(ref: RepoRef) -> bool:
        return dry_run or settings.github.shadow or per_repo.get(str(ref).lower(), False)

    all_shadow = all(shadow(r) for r in repos)
    client = None
    if _has_credentials(rt.secrets):
        client = _client(settings, rt.secrets)
    elif not all_shadow:
        raise UserError(
            "labels sync would write labels but no GitHub credentials are set "
            "(TRIAGEDESK_GITHUB_TOKEN, or TRIAGEDESK_GITHUB_APP_ID with "
            "TRIAGEDESK_GITHUB_PRIVATE_KEY)"
        )
    try:
        outcomes = sync_labels(
            client, client, repos, wanted_labels(settings.profile, areas=areas), shadow=shadow
        )
    finally:
        if client is not None:
            client.close()
    if docs is not None:
        try:
            docs.write_text(labels_doc(settings.profile), encoding="utf-8")
        except OSError as exc:
            raise UserError(f"--docs {docs}: cannot write: {exc.strerror}") from None
    emit(
        {"shadow": all_shadow, "labels": [o.to_dict() for o in outcomes], "docs": str(docs or "")},
        as_json,
        lambda _d: _print_labels(outcomes, all_shadow),
    )
