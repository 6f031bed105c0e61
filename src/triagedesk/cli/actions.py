"""Commands for the action log and the delivery queue: actions (list, apply, reject) and
deliveries (list, requeue). Registered on the root app; ``cli/webhooks.py`` imports this.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from triagedesk.cli import app, wiring
from triagedesk.cli.common import DEFAULT_DB, ConfigOpt, DbOpt, JsonOpt, console, emit, runtime
from triagedesk.cli.wiring import build_context, build_tracker
from triagedesk.domain.errors import UserError
from triagedesk.ports.actions import ActionRecord, ActionStatus

# --- actions ----------------------------------------------------------------------------------

actions_app = typer.Typer(
    help="Planned and applied write-back actions (shadow mode plans, a person approves).",
    invoke_without_command=True,
)
app.add_typer(actions_app, name="actions")


def _action_row(r: ActionRecord) -> dict[str, Any]:
    return {
        "id": r.id,
        "status": r.status.value,
        "kind": r.action.kind,
        "issue": str(r.action.issue),
        "reason": r.action.reason,
        "source": r.source,
        "created_at": r.created_at,
        "applied_at": r.applied_at,
        "detail": r.detail,
        "action": r.action.to_dict(),
    }


def _describe(action: dict[str, Any]) -> str:
    skip = {"kind", "issue", "reason", "body"}
    parts = [
        f"{k}={v}" for k, v in action.items() if k not in skip and v not in ("", [], None, False)
    ]
    return " ".join(parts)


def _print_actions(rows: list[dict[str, Any]]) -> None:
    if not rows:
        console.print("no actions")
        return
    for r in rows:
        what = _describe(r["action"])
        line = f"#{r['id']} {r['status']:<9} {r['kind']} {r['issue']} {what} - {r['reason']}"
        if r["detail"]:
            line += f" [{r['detail']}]"
        console.print(line, highlight=False, soft_wrap=True, markup=False)


@actions_app.callback()
def actions(
    ctx: typer.Context,
    db: DbOpt = DEFAULT_DB,
    config: ConfigOpt = None,
    as_json: JsonOpt = False,
    planned: Annotated[bool, typer.Option("--planned", help="only planned actions")] = False,
    applied: Annotated[
        bool, typer.Option("--applied", help="only actions carried out (applied or unchanged)")
    ] = False,
    limit: Annotated[int, typer.Option("--limit", min=1, help="at most this many")] = 1000,
) -> None:
    """List actions: planned (shadow mode), applied, unchanged, failed."""
    if ctx.invoked_subcommand is not None:
        return
    if planned and applied:
        raise UserError("--planned and --applied exclude each other")
    from triagedesk.adapters.store.action_log import SqlActionLog

    rt = runtime(db, config)
    log = SqlActionLog(rt.engine)
    if planned:
        records = log.list(ActionStatus.PLANNED, limit)
    elif applied:
        records = log.list(ActionStatus.APPLIED, limit) + log.list(ActionStatus.UNCHANGED, limit)
        records.sort(key=lambda r: r.id)
    else:
        records = log.list(None, limit)
    emit([_action_row(r) for r in records], as_json, _print_actions)


@actions_app.command("apply")
def actions_apply(
    ids: Annotated[list[int], typer.Argument(help="ids of planned actions to carry out")],
    db: DbOpt = DEFAULT_DB,
    config: ConfigOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Carry out planned actions a person approved (needs GitHub credentials)."""
    from triagedesk.app import apply

    rt = runtime(db, config)
    tracker = build_tracker(rt.settings, rt.secrets)
    ctx = build_context(rt.settings, rt.secrets, rt.engine, tracker)
    records = apply.approve(ctx, ids)
    emit([_action_row(r) for r in records], as_json, _print_actions)


@actions_app.command("reject")
def actions_reject(
    ids: Annotated[list[int], typer.Argument(help="ids of planned actions to turn down")],
    why: Annotated[str, typer.Option("--why", help="the reason, kept with the record")] = "",
    db: DbOpt = DEFAULT_DB,
    config: ConfigOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Turn planned actions down: they stay in the log as rejected and are never sent."""
    from triagedesk.app import apply

    rt = runtime(db, config)
    ctx = build_context(rt.settings, rt.secrets, rt.engine, None)
    records = apply.reject(ctx, ids, why=why)
    emit([_action_row(r) for r in records], as_json, _print_actions)


# --- deliveries -------------------------------------------------------------------------------

deliveries_app = typer.Typer(help="Stored webhook deliveries (the worker's queue).")
app.add_typer(deliveries_app, name="deliveries")


@deliveries_app.callback(invoke_without_command=True)
def deliveries(
    ctx: typer.Context,
    db: DbOpt = DEFAULT_DB,
    config: ConfigOpt = None,
    as_json: JsonOpt = False,
    status: Annotated[
        str | None, typer.Option("--status", help="queued, done, ignored or parked")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", min=1)] = 50,
) -> None:
    """Counts by status and the newest deliveries."""
    if ctx.invoked_subcommand is not None:
        return
    from triagedesk.adapters.store.deliveries import SqlDeliveryQueue
    from triagedesk.ports.deliveries import DeliveryStatus

    try:
        wanted = DeliveryStatus(status) if status else None
    except ValueError:
        raise UserError(f"--status: want queued, done, ignored or parked, got {status!r}") from None
    rt = runtime(db, config)
    q = SqlDeliveryQueue(rt.engine)
    rows = [
        {
            "delivery": d.delivery_id,
            "event": d.event,
            "action": d.action,
            "repo": d.repo,
            "status": d.status.value,
            "attempts": d.attempts,
            "received_at": d.received_at,
            "error": d.error,
        }
        for d in q.list(wanted, limit)
    ]
    data = {"counts": q.counts(), "deliveries": rows}

    def human(d: dict[str, Any]) -> None:
        console.print(", ".join(f"{k}: {v}" for k, v in d["counts"].items()))
        for r in d["deliveries"]:
            line = f"{r['delivery']} {r['event']}.{r['action']} {r['repo']} {r['status']}"
            console.print(line + (f" ({r['error']})" if r["error"] else ""), highlight=False)

    emit(data, as_json, human)


@deliveries_app.command("requeue")
def deliveries_requeue(
    ids: Annotated[list[str], typer.Argument(help="delivery ids (X-GitHub-Delivery) to retry")],
    db: DbOpt = DEFAULT_DB,
    config: ConfigOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Put parked deliveries back in the queue."""
    from triagedesk.adapters.store.deliveries import SqlDeliveryQueue

    rt = runtime(db, config)
    n = SqlDeliveryQueue(rt.engine).requeue(ids, at=wiring.now())
    emit({"requeued": n}, as_json, lambda d: console.print(f"requeued {d['requeued']}"))
