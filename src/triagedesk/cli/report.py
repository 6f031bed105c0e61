"""Commands of the report feature: `report`, `reports list|show`, `schedule`."""

from __future__ import annotations

import json
import time
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

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
)
from triagedesk.cli.common import runtime as make_runtime
from triagedesk.domain.errors import InputError, UserError

if TYPE_CHECKING:
    from triagedesk.app.report_schedule import PeriodicJob, ScheduleDeps
    from triagedesk.domain.periods import Period
    from triagedesk.ports.notify import ChatPoster, Mailer

reports_app = typer.Typer(help="The archive of rotation reports.", no_args_is_help=True)
app.add_typer(reports_app, name="reports")

FORMATS = ("md", "html", "json")


def _parse_date(text: str, flag: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InputError(f"{flag}: not a date (want YYYY-MM-DD): {text!r}") from None


def _period(rt: Runtime, week: str | None, first: str | None, last: str | None) -> Period:
    from triagedesk.app.report import default_period, rotation_of
    from triagedesk.domain.periods import date_range, parse_week, rotation_week

    rot = rotation_of(rt.settings)
    if week and (first or last):
        raise UserError("give either --week or --from/--to, not both")
    if week:
        year, num = parse_week(week)
        return rotation_week(year, num, rot)
    if first or last:
        if not (first and last):
            raise UserError("--from and --to go together")
        return date_range(_parse_date(first, "--from"), _parse_date(last, "--to"), rot)
    return default_period(wiring.now(), rt.settings)


def mailer_for(rt: Runtime) -> Mailer:
    from triagedesk.adapters.notify.smtp import SmtpMailer

    r = rt.settings.report
    return SmtpMailer(
        host=r.smtp_host,
        port=r.smtp_port,
        sender=r.smtp_from,
        tls=r.smtp_tls,
        username=rt.secrets.smtp_username,
        password=rt.secrets.smtp_password,
        timeout=r.smtp_timeout_seconds,
    )


def poster_for(rt: Runtime) -> ChatPoster | None:
    from triagedesk.adapters.notify.slack import SlackPoster

    s = rt.secrets
    if s.slack_webhook_url is None and s.slack_token is None:
        return None
    return SlackPoster(
        channel=rt.settings.report.slack_channel,
        webhook_url=s.slack_webhook_url,
        token=s.slack_token,
        api_url=rt.settings.report.slack_api_url,
    )


def periodic_jobs(rt: Runtime) -> list[PeriodicJob]:
    """The other features' periodic jobs: reconciliation sync (with credentials), quality sweep."""
    from triagedesk.app.quality import sweep
    from triagedesk.app.report_schedule import PeriodicJob
    from triagedesk.cli.github_sync import make_sync_hook
    from triagedesk.cli.wiring import build_context, register_all_handlers

    jobs: list[PeriodicJob] = []
    hook = make_sync_hook(rt)
    if hook is not None:
        jobs.append(PeriodicJob("sync", rt.settings.report.sync_minutes, hook))

    def quality_sweep(_now: datetime) -> str:
        register_all_handlers()
        return sweep(build_context(rt.settings, rt.secrets, rt.engine))

    jobs.append(PeriodicJob("quality-sweep", rt.settings.quality.sweep_minutes, quality_sweep))
    return jobs


@app.command("report")
def report_cmd(
    week: Annotated[
        str | None, typer.Option("--week", help="rotation week, YYYY-Www (default: the last one)")
    ] = None,
    first: Annotated[
        str | None, typer.Option("--from", help="first local day, YYYY-MM-DD (with --to)")
    ] = None,
    last: Annotated[str | None, typer.Option("--to", help="last local day, YYYY-MM-DD")] = None,
    repo: Annotated[
        list[str] | None,
        typer.Option("--repo", help="owner/name (repeatable; default: every public tracker)"),
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="md, html or json")] = "md",
    out: Annotated[
        Path | None, typer.Option("--out", help="write the report here instead of stdout")
    ] = None,
    send: Annotated[
        bool, typer.Option("--send", help="deliver by email and Slack (report.channels)")
    ] = False,
    force: Annotated[
        bool, typer.Option("--force", help="send again a report that was already sent")
    ] = False,
    db: DbOpt = DEFAULT_DB,
    config: ConfigOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Build the end-of-rotation report: statistics, trends, major occurrences, hand-off."""
    from triagedesk.adapters.store.reports import SqlReportArchive, SqlReportSource
    from triagedesk.app.report import build_report
    from triagedesk.app.report_delivery import archive_report, deliver
    from triagedesk.app.report_render import render
    from triagedesk.domain.model import RepoRef

    if fmt not in FORMATS:
        raise UserError(f"--format: want one of {', '.join(FORMATS)}, got {fmt!r}")
    rt = make_runtime(db, config)
    period = _period(rt, week, first, last)
    repos = [RepoRef.parse(r).full_name for r in repo] if repo else None
    archive = SqlReportArchive(rt.engine)
    now = wiring.now()
    with err_console.status(f"building the report for {period.label}"):
        started = time.perf_counter()
        report = build_report(SqlReportSource(rt.engine), rt.settings, period, now=now, repos=repos)
        text = render(report, fmt)
        elapsed = time.perf_counter() - started
    # the report goes out first: a locked or read-only archive must not lose it
    if out is not None:
        try:
            out.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise UserError(f"--out {out}: cannot write: {exc.strerror}") from None
    elif not as_json:
        typer.echo(text, nl=False)
    archived = None
    if rt.settings.report.archive or send:
        archived = archive_report(archive, report, at=now)
    result: dict[str, Any] = {
        "period": period.label,
        "repos": list(report.repos),
        "format": fmt,
        "out": str(out) if out else None,
        "archived_id": archived.id if archived else None,
        "seconds": round(elapsed, 3),
    }
    if send:
        assert archived is not None
        delivery = deliver(
            archived,
            archive,
            rt.settings,
            channels=rt.settings.report.channels,
            mailer=mailer_for(rt),
            poster=poster_for(rt),
            at=wiring.now(),
            force=force,
        )
        result["sent"] = delivery.sent
    if as_json:
        result["report"] = report.data
        emit(result, True, lambda _d: None)
    elif out is not None or send:
        where = f" to {out}" if out else ""
        sent = f"; sent by {', '.join(result.get('sent', []))}" if send else ""
        err_console.print(
            f"wrote the {fmt} report for {period.label}{where} in {elapsed:.2f} s{sent}",
            highlight=False,
            soft_wrap=True,
        )


@reports_app.command("list")
def reports_list(
    limit: Annotated[int, typer.Option("--limit", help="how many, newest first")] = 50,
    db: DbOpt = DEFAULT_DB,
    config: ConfigOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List archived reports, newest period first, with where each was sent."""
    from triagedesk.adapters.store.reports import SqlReportArchive

    rt = make_runtime(db, config)
    rows = [
        {
            "id": r.id,
            "period": r.period,
            "repos": r.repos,
            "created_at": r.created_at.isoformat(timespec="seconds"),
            "updated_at": r.updated_at.isoformat(timespec="seconds"),
            "sent": {c: t.isoformat(timespec="seconds") for c, t in sorted(r.sent.items())},
        }
        for r in SqlReportArchive(rt.engine).list(limit)
    ]

    def human(data: list[dict[str, Any]]) -> None:
        if not data:
            console.print("no archived reports")
        for r in data:
            sent = ", ".join(f"{c} {t}" for c, t in r["sent"].items()) or "not sent"
            console.print(
                f"{r['id']:>4}  {r['period']:<22} {r['repos']}  ({sent})", highlight=False
            )

    emit(rows, as_json, human)


@reports_app.command("show")
def reports_show(
    period: Annotated[str, typer.Argument(help="period label, e.g. 2026-W47")],
    fmt: Annotated[str, typer.Option("--format", help="md, html or json")] = "md",
    repo: Annotated[list[str] | None, typer.Option("--repo", help="as given to report")] = None,
    db: DbOpt = DEFAULT_DB,
    config: ConfigOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Print an archived report as it was built."""
    from triagedesk.adapters.store.reports import SqlReportArchive
    from triagedesk.app.report_delivery import repos_key
    from triagedesk.domain.errors import NotFoundError

    if fmt not in FORMATS:
        raise UserError(f"--format: want one of {', '.join(FORMATS)}, got {fmt!r}")
    rt = make_runtime(db, config)
    names = repo or [r.name for r in rt.settings.profile.public_repos]
    found = SqlReportArchive(rt.engine).find(period, repos_key(names))
    if found is None:
        raise NotFoundError(f"no archived report for {period} ({repos_key(names)})")
    text = {"md": found.markdown, "html": found.html, "json": found.json}[fmt]
    if as_json:
        emit(json.loads(found.json), True, lambda _d: None)
    else:
        typer.echo(text, nl=False)


def schedule_deps(rt: Runtime) -> ScheduleDeps:
    from triagedesk.adapters.store.reports import SqlJobRuns, SqlReportArchive, SqlReportSource
    from triagedesk.app.report_schedule import ScheduleDeps

    return ScheduleDeps(
        settings=rt.settings,
        source=SqlReportSource(rt.engine),
        archive=SqlReportArchive(rt.engine),
        runs=SqlJobRuns(rt.engine),
        mailer=mailer_for(rt) if "email" in rt.settings.report.channels else None,
        poster=poster_for(rt),
        periodic=periodic_jobs(rt),
    )


@app.command("schedule")
def schedule_cmd(
    once: Annotated[bool, typer.Option("--once", help="run the due jobs once and exit")] = False,
    db: DbOpt = DEFAULT_DB,
    config: ConfigOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Run the periodic jobs: the report at the end of each rotation, SLA ticks, reconciliation.

    Each job claims (job, period) in the database first, so it never runs twice for
    the same period, however many schedulers run.
    """
    from triagedesk.app.report_schedule import run_due

    rt = make_runtime(db, config)
    deps = schedule_deps(rt)

    def tick() -> list[dict[str, object]]:
        done = run_due(deps, wiring.now())
        for d in done:
            state = "ok" if d["ok"] else "FAILED"
            err_console.print(f"{d['job']} {d['period']}: {state} {d['detail']}", highlight=False)
        return done

    if once:
        done = tick()
        emit(done, as_json, lambda d: console.print(f"{len(d)} job(s) ran") if not d else None)
        return
    from apscheduler.schedulers.blocking import BlockingScheduler

    scheduler = BlockingScheduler(timezone=rt.settings.rotation.timezone)
    scheduler.add_job(
        tick, "interval", minutes=1, next_run_time=wiring.now(), max_instances=1, coalesce=True
    )
    err_console.print("schedule running (Ctrl-C stops it)")
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        scheduler.shutdown(wait=False)
