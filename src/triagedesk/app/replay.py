"""Replay stored issues through the handlers, as if each had just happened.

Used to put a database filled by import or sync through the live pipeline (the
demo does this in shadow mode: every decision becomes a planned action). It is
safe to run again: handlers are idempotent and identical planned actions are
stored once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from triagedesk.app.context import AppContext
from triagedesk.app.events import Change, IssueChanged
from triagedesk.app.webhooks import HandlerFailed, run_handlers
from triagedesk.domain.model import IssueRef


@dataclass
class ReplayReport:
    issues: int = 0
    actions: int = 0
    failed: list[str] = field(default_factory=list)


def replay(
    ctx: AppContext,
    refs: Sequence[IssueRef],
    *,
    change: Change = Change.OPENED,
    actor: str = "replay",
    on_progress: Callable[[int], None] | None = None,
) -> ReplayReport:
    report = ReplayReport()
    for ref in refs:
        event = IssueChanged(ref=ref, change=change, actor=actor, at=ctx.now())
        try:
            outcome = run_handlers(ctx, event, source=f"replay.{change.value}")
            report.actions += outcome.actions
        except HandlerFailed as exc:
            report.failed.append(f"{ref}: {exc}")
        report.issues += 1
        if on_progress is not None:
            on_progress(1)
    return report
