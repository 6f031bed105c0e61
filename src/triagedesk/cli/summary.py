"""`triagedesk summary`: what the desk holds now, across every feature (the end of `make demo`)."""

from __future__ import annotations

from typing import Any

from rich.table import Table

from triagedesk.cli import app
from triagedesk.cli.common import DEFAULT_DB, ConfigOpt, DbOpt, JsonOpt, console, emit, runtime


def _render(data: dict[str, Any]) -> None:
    table = Table(title="triagedesk: what the desk holds", show_header=True)
    table.add_column("what")
    table.add_column("count", justify="right")
    for repo, states in data["issues"].items():
        table.add_row(f"issues {repo}", f"{states['open']} open / {states['closed']} closed")
    table.add_row("comments / label and state events", f"{data['comments']} / {data['events']}")
    table.add_row("status moves in the audit trail", str(data["status_changes"]))
    for verdict, n in sorted(data["checklists"].items()):
        table.add_row(f"checklists: {verdict}", str(n))
    for status, kinds in sorted(data["actions"].items()):
        detail = ", ".join(f"{k} {n}" for k, n in sorted(kinds.items()))
        table.add_row(f"actions {status}", f"{sum(kinds.values())} ({detail})")
    for status, n in sorted(data["deliveries"].items()):
        table.add_row(f"webhook deliveries {status}", str(n))
    for name, version in sorted(data["models"].items()):
        table.add_row(f"model {name}", f"version {version}")
    table.add_row("reports archived", ", ".join(data["reports"]) or "none")
    console.print(table)


@app.command()
def summary(db: DbOpt = DEFAULT_DB, config: ConfigOpt = None, as_json: JsonOpt = False) -> None:
    """Counts of everything the desk holds: issues, checklists, planned actions, models, reports."""
    from triagedesk.adapters.store.summary import desk_summary

    rt = runtime(db, config)
    try:
        emit(desk_summary(rt.engine), as_json, _render)
    finally:
        rt.close()
