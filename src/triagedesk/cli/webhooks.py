"""Commands of the webhook side of the github feature: serve, worker, redeliver, replay
(registered on the root app; ``cli/github.py`` imports this module, and this one imports
``cli/actions.py``: actions and deliveries).

``wiring`` below is the composition root for the worker: it builds the stores,
the tracker (only when credentials are set: without them every write is
planned) and the registered handlers.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Annotated

import typer
from sqlalchemy.engine import Engine

from triagedesk.cli import app
from triagedesk.cli.common import (
    DEFAULT_DB,
    ConfigOpt,
    DbOpt,
    JsonOpt,
    console,
    emit,
    err_console,
    progress_bar,
    runtime,
)
from triagedesk.cli.wiring import build_context, build_tracker, now, register_all_handlers
from triagedesk.domain.errors import ConfigError
from triagedesk.ports.actions import ActionStatus
from triagedesk.ports.deliveries import HookDeliveries
from triagedesk.settings import Secrets, Settings

if TYPE_CHECKING:  # keeps the CLI's import light
    from triagedesk.app.jobs import Worker
    from triagedesk.app.redeliver import RedeliveryReport


def build_worker(
    settings: Settings,
    secrets: Secrets,
    engine: Engine,
    *,
    lease_seconds: float | None = None,
    batch: int = 10,
) -> Worker:
    from triagedesk.adapters.github.webhook_payloads import parse_payload
    from triagedesk.adapters.store.deliveries import SqlDeliveryQueue, SqlReleaseStore
    from triagedesk.app.jobs import Worker

    register_all_handlers()
    tracker = None if settings.github.shadow else build_tracker(settings, secrets)
    return Worker(
        ctx=build_context(settings, secrets, engine, tracker),
        queue=SqlDeliveryQueue(engine),
        parse=parse_payload,
        releases=SqlReleaseStore(engine),
        lease=timedelta(seconds=lease_seconds or settings.github.worker_lease_seconds),
        max_attempts=settings.github.worker_max_attempts,
        batch=batch,
    )


def build_hooks(settings: Settings, secrets: Secrets) -> list[HookDeliveries]:
    """The hooks whose deliveries the redelivery job watches (needs credentials)."""
    from triagedesk.adapters.github.auth import AppInstallationToken
    from triagedesk.adapters.github.client import build_client
    from triagedesk.adapters.github.hook_deliveries import app_hook, repo_hook
    from triagedesk.domain.model import RepoRef

    if secrets.github_token is None and secrets.github_app_id is None:
        raise ConfigError(
            "redelivery needs GitHub credentials: set TRIAGEDESK_GITHUB_TOKEN (repository "
            "hooks, with github.hook_ids) or the GitHub App variables"
        )
    transport = build_client(settings.github, secrets).t
    if settings.github.hook_ids:
        return [
            repo_hook(transport, RepoRef.parse(repo), hook_id)
            for repo, hook_id in sorted(settings.github.hook_ids.items())
        ]
    tokens = transport.tokens
    if not isinstance(tokens, AppInstallationToken):
        raise ConfigError(
            "with a token, set github.hook_ids (repository -> webhook id) so the "
            "redelivery job knows which hooks to watch"
        )
    return [app_hook(transport, tokens.app_jwt)]


def run_redelivery(settings: Settings, secrets: Secrets, engine: Engine) -> RedeliveryReport:
    from triagedesk.adapters.store.deliveries import SqlDeliveryQueue
    from triagedesk.app.redeliver import redeliver_failed

    return redeliver_failed(
        build_hooks(settings, secrets),
        SqlDeliveryQueue(engine),
        now=now(),
        window=timedelta(hours=settings.github.redeliver_window_hours),
        max_redeliveries=settings.github.redeliver_max,
    )


@app.command()
def redeliver(
    db: DbOpt = DEFAULT_DB,
    config: ConfigOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Ask GitHub to redeliver recent webhook deliveries that failed (serve runs this periodically)."""
    rt = runtime(db, config)
    report = run_redelivery(rt.settings, rt.secrets, rt.engine)
    data = {
        "hooks": report.hooks,
        "deliveries": report.seen,
        "failed": report.failed,
        "already_stored": report.already_stored,
        "gave_up": report.gave_up,
        "requested": report.requested,
        "errors": report.errors,
    }
    emit(
        data,
        as_json,
        lambda d: console.print(
            f"{d['deliveries']} deliveries on {d['hooks']} hook(s): {d['failed']} failed, "
            f"{len(d['requested'])} redelivery requested, {d['already_stored']} already stored, "
            f"{d['gave_up']} given up"
            + (f"; errors: {'; '.join(d['errors'])}" if d["errors"] else "")
        ),
    )


# --- serve and worker -----------------------------------------------------------------------

LeaseOpt = Annotated[
    float | None,
    typer.Option(
        "--lease",
        min=1,
        help="seconds a claimed delivery stays with this worker (default: github.worker_lease_seconds)",
    ),
]


@app.command()
def serve(
    db: DbOpt = DEFAULT_DB,
    config: ConfigOpt = None,
    as_json: JsonOpt = False,
    host: Annotated[str, typer.Option("--host", help="interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=0, max=65535, help="TCP port")] = 8000,
    no_worker: Annotated[
        bool,
        typer.Option("--no-worker", help="do not run the worker in-process (run `worker`)"),
    ] = False,
    lease: LeaseOpt = None,
) -> None:
    """Run the web app: POST /webhooks/github, GET /healthz (worker in-process by default)."""
    import uvicorn

    from triagedesk.web.app import create_app, webhook_secret

    rt = runtime(db, config)
    webhook_secret(rt.secrets)  # a missing secret stops here, before anything starts
    worker = (
        None if no_worker else build_worker(rt.settings, rt.secrets, rt.engine, lease_seconds=lease)
    )
    jobs: list[tuple[float, Callable[[], object]]] = []
    every = rt.settings.github.redeliver_every_minutes
    has_credentials = rt.secrets.github_token is not None or rt.secrets.github_app_id is not None
    if every > 0 and has_credentials:
        try:
            build_hooks(rt.settings, rt.secrets)  # say now, not in 30 minutes, what is missing
            jobs.append((every * 60, lambda: run_redelivery(rt.settings, rt.secrets, rt.engine)))
        except ConfigError as exc:
            err_console.print(f"redelivery job off: {exc}", highlight=False)
    web = create_app(rt.settings, rt.secrets, rt.engine, worker=worker, jobs=jobs)
    where = {
        "url": f"http://{host}:{port}",
        "worker": "in-process" if worker else "none",
        "redelivery_every_minutes": every if jobs else 0,
    }
    emit(
        where,
        as_json,
        lambda d: err_console.print(f"serving on {d['url']} (worker: {d['worker']})"),
    )
    uvicorn.run(web, host=host, port=port, log_level="warning")


@app.command()
def worker(
    db: DbOpt = DEFAULT_DB,
    config: ConfigOpt = None,
    as_json: JsonOpt = False,
    once: Annotated[
        bool, typer.Option("--once", help="drain what is queued now, then exit")
    ] = False,
    lease: LeaseOpt = None,
    batch: Annotated[int, typer.Option("--batch", min=1, max=500, help="claims per round")] = 10,
) -> None:
    """Process queued webhook deliveries (run several for more throughput)."""
    rt = runtime(db, config)
    w = build_worker(rt.settings, rt.secrets, rt.engine, lease_seconds=lease, batch=batch)
    if once:
        w.drain()
    else:
        stop = threading.Event()
        try:
            w.run(stop)
        except KeyboardInterrupt:
            stop.set()
    s = w.stats
    data = {
        "worker": w.owner,
        "claimed": s.claimed,
        "done": s.done,
        "ignored": s.ignored,
        "retried": s.retried,
        "parked": s.parked,
    }
    emit(
        data,
        as_json,
        lambda d: console.print(
            f"processed {d['done']} deliveries, ignored {d['ignored']}, "
            f"will retry {d['retried']}, parked {d['parked']}"
        ),
    )


# --- replay -----------------------------------------------------------------------------------


@app.command()
def replay(
    db: DbOpt = DEFAULT_DB,
    config: ConfigOpt = None,
    as_json: JsonOpt = False,
    repo: Annotated[
        list[str] | None, typer.Option("--repo", help="owner/name (repeatable); default: all")
    ] = None,
    include_closed: Annotated[
        bool, typer.Option("--all", help="closed issues too (default: open ones)")
    ] = False,
    limit: Annotated[int, typer.Option("--limit", min=0, help="at most N issues; 0 = all")] = 0,
) -> None:
    """Hear every stored issue as just opened: run the handlers, plan or apply their actions."""

    from triagedesk.app.replay import replay as run_replay
    from triagedesk.domain.model import RepoRef

    rt = runtime(db, config)
    register_all_handlers()
    tracker = None if rt.settings.github.shadow else build_tracker(rt.settings, rt.secrets)
    ctx = build_context(rt.settings, rt.secrets, rt.engine, tracker)
    repos = [RepoRef.parse(r) for r in repo] if repo else [None]
    refs = []
    for r in repos:
        for issue in ctx.issues.iter_issues(r):
            if include_closed or issue.is_open:
                refs.append(issue.ref)
    if limit:
        refs = refs[:limit]
    from triagedesk.adapters.store.action_log import SqlActionLog

    log = SqlActionLog(rt.engine)
    before = log.count()
    with progress_bar("replaying", len(refs)) as step:
        done = [0]

        def advance(n: int) -> None:
            done[0] += n
            step(done[0])

        report = run_replay(ctx, refs, on_progress=advance)
    data = {
        "issues": report.issues,
        "actions": report.actions,
        "new_records": log.count() - before,
        "planned": log.count(ActionStatus.PLANNED),
        "failed": report.failed,
    }
    emit(
        data,
        as_json,
        lambda d: console.print(
            f"replayed {d['issues']} issues: {d['actions']} actions decided, "
            f"{d['new_records']} new in the action log, {d['planned']} planned in all"
            + (f", {len(d['failed'])} failed" if d["failed"] else "")
        ),
    )


# the action-log and queue commands live beside these (they use the wiring above)
from triagedesk.cli import actions as _actions  # noqa: E402,F401
