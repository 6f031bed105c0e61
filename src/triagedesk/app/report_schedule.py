"""The periodic jobs: the report at the end of each rotation, SLA ticks, reconciliation.

:func:`run_due` runs whatever is due at ``now`` and returns what it did. Every
job claims ``(job, period)`` in the store before it runs (a unique row), so a
job never runs twice for the same period — whether the schedule ticks twice,
restarts, or runs in two processes. ``triagedesk schedule`` calls it every
minute under APScheduler; ``triagedesk schedule --once`` (or cron) calls it once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial

from triagedesk.app.report import area_map as _area_map
from triagedesk.app.report import build_report, default_period, rotation_of, sla_targets
from triagedesk.app.report_delivery import archive_report, deliver, retry_pending
from triagedesk.domain.errors import TriagedeskError
from triagedesk.domain.periods import Period
from triagedesk.domain.sla import evaluate
from triagedesk.ports.notify import ChatPoster, Mailer
from triagedesk.ports.reports import JobRuns, ReportArchive, ReportSource
from triagedesk.settings import Settings

#: a periodic job's work: given now, returns a one-line summary (raises TriagedeskError on failure)
SyncFn = Callable[[datetime], str]


@dataclass(frozen=True)
class PeriodicJob:
    """A job the composition root adds (reconciliation sync, quality sweep …): once per slot."""

    name: str
    minutes: int
    work: SyncFn


@dataclass
class ScheduleDeps:
    settings: Settings
    source: ReportSource
    archive: ReportArchive
    runs: JobRuns
    mailer: Mailer | None = None
    poster: ChatPoster | None = None
    periodic: list[PeriodicJob] = field(default_factory=list)


def slot(now: datetime, minutes: int) -> datetime:
    """The start of the ``minutes``-long slot (counted from midnight UTC) holding ``now``."""
    day = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    done = int((now - day).total_seconds() // 60)
    return day + timedelta(minutes=done - done % minutes)


def report_due(now: datetime, settings: Settings) -> Period | None:
    """The rotation week whose report is due at ``now`` (it ended ``delay_minutes`` ago or more)."""
    period = default_period(now, settings)
    if now >= period.end + timedelta(minutes=settings.report.delay_minutes):
        return period
    return None


def _run(
    deps: ScheduleDeps, job: str, period: str, now: datetime, work: Callable[[], str]
) -> dict[str, object] | None:
    if not deps.runs.claim(job, period, at=now):
        return None
    try:
        detail = work()
    except TriagedeskError as exc:
        deps.runs.finish(job, period, at=now, ok=False, detail=str(exc))
        return {"job": job, "period": period, "ok": False, "detail": str(exc)}
    deps.runs.finish(job, period, at=now, ok=True, detail=detail)
    return {"job": job, "period": period, "ok": True, "detail": detail}


def run_due(deps: ScheduleDeps, now: datetime) -> list[dict[str, object]]:
    """Run every job due at ``now`` that has not run for its period yet."""
    s = deps.settings
    done: list[dict[str, object]] = []
    period = report_due(now, s)
    if period is not None:

        def make_report() -> str:
            report = build_report(deps.source, s, period, now=now)
            archived = archive_report(deps.archive, report, at=now)
            sent = deliver(
                archived,
                deps.archive,
                s,
                channels=s.report.channels,
                mailer=deps.mailer,
                poster=deps.poster,
                at=now,
            )
            return f"archived as {archived.id}; sent: {', '.join(sent.sent) or 'nothing'}"

        ran = _run(deps, "report", period.label, now, make_report)
        if ran is not None:
            done.append(ran)
    # reports the schedule made whose delivery failed: retried on every tick
    failed = [str(r["period"]) for r in deps.runs.runs("report", limit=20)]
    if failed:
        for d in retry_pending(
            deps.archive, s, failed, mailer=deps.mailer, poster=deps.poster, at=now
        ):
            done.append(
                {"job": "retry", "period": d.period, "ok": not d.failed, "detail": d.as_dict()}
            )

    tick = slot(now, s.report.sla_tick_minutes)

    def sla_tick() -> str:
        window = Period(tick - timedelta(minutes=s.report.sla_tick_minutes), now, "sla")
        names = sorted(r.name for r in s.profile.public_repos)
        inputs = deps.source.report_inputs(
            names, until=now, period_start=window.start, relevant_since=window.start
        )
        area_of, _ = _area_map(s)
        summary = evaluate(inputs.facts, window, sla_targets(s), s.profile.aliases(), area_of)
        return f"{len(summary.warnings)} warning(s), {len(summary.breaches)} breach(es)"

    ran = _run(deps, "sla", tick.isoformat(timespec="minutes"), now, sla_tick)
    if ran is not None:
        done.append(ran)
    for job in deps.periodic:
        job_slot = slot(now, job.minutes)
        ran = _run(
            deps, job.name, job_slot.isoformat(timespec="minutes"), now, partial(job.work, now)
        )
        if ran is not None:
            done.append(ran)
    return done


__all__ = ["PeriodicJob", "ScheduleDeps", "SyncFn", "report_due", "rotation_of", "run_due", "slot"]
