"""The end-of-rotation report: built from the store, as one JSON-able mapping with every number.

:func:`build_report` reads the store once through
:class:`~triagedesk.ports.reports.ReportSource`, then leaves every number to the
pure domain (:mod:`~triagedesk.domain.stats`, :mod:`~triagedesk.domain.sla`,
:mod:`~triagedesk.domain.trends`). Rendering is in :mod:`triagedesk.app.report_render`,
delivery in :mod:`triagedesk.app.report_delivery`.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from triagedesk.app.report_trends import clusters, top_duplicates, trends_with_releases
from triagedesk.domain.periods import (
    Period,
    Rotation,
    date_range,
    last_completed_week,
    next_week,
    on_rotation,
    trailing_weeks,
    week_containing,
)
from triagedesk.domain.sla import SlaSummary, Target, evaluate
from triagedesk.domain.stats import (
    IssueFacts,
    StatsConfig,
    TimelineCache,
    compute_stats_by_repo,
    resolution_histogram,
    resolver,
    weekly_series_from_times,
)
from triagedesk.domain.trends import (
    surges,
    top_keys,
)
from triagedesk.domain.workflow import Status
from triagedesk.ports.reports import ReportSource
from triagedesk.settings import Settings

#: buckets of the time-to-resolution histogram, in hours: 1 day, 3 days, 1 week, 2 weeks, 30 days, 90 days
HISTOGRAM_EDGES = (24.0, 72.0, 168.0, 336.0, 720.0, 2160.0)
HISTOGRAM_LABELS = ("<1d", "1-3d", "3-7d", "1-2w", "2w-30d", "30-90d", ">90d")
SURGE_TRAILING_DAYS = 28


def rotation_of(settings: Settings) -> Rotation:
    r = settings.rotation
    return Rotation(timezone=r.timezone, start_day=r.start_day, start_time=r.start_time)


def area_map(settings: Settings) -> tuple[dict[str, str], dict[str, str]]:
    """(label or alias, lower case → canonical area label), (… → owner)."""
    area_of: dict[str, str] = {}
    owners: dict[str, str] = {}
    for a in settings.profile.areas:
        for name in (a.label, *a.aliases):
            area_of[name.lower()] = a.label
            if a.owner:
                owners[name.lower()] = a.owner
    return area_of, owners


def stats_config(settings: Settings) -> StatsConfig:
    _, owners = area_map(settings)
    return StatsConfig(
        aliases=settings.profile.aliases(),
        target_days=settings.sla.resolution_target_days,
        target_overrides={
            k.lower(): v for k, v in settings.report.resolution_target_overrides.items()
        },
        area_owners=owners,
    )


def sla_targets(settings: Settings) -> list[Target]:
    return [
        Target(days=t.days, warn_days=t.warn_days, priority=t.priority, area=t.area)
        for t in settings.sla.targets
    ]


def default_period(now: datetime, settings: Settings) -> Period:
    """The rotation week that ended most recently."""
    return last_completed_week(now, rotation_of(settings))


def comparison_windows(period: Period, rot: Rotation, n: int) -> list[Period]:
    """``n`` windows before ``period`` and the period itself: rotation weeks for a week,
    equally long windows for a date range."""
    if period.iso_week is not None:
        return [*trailing_weeks(period, rot, n), period]
    length = period.end - period.start
    out = [
        Period(period.start - length * k, period.start - length * (k - 1), f"-{k}")
        for k in range(n, 0, -1)
    ]
    return [*out, period]


def local_days(first: datetime, last: datetime, rot: Rotation) -> list[Period]:
    """Whole local days from the one holding ``first`` to the one holding ``last``."""
    zone = rot.zone()
    d, stop = first.astimezone(zone).date(), last.astimezone(zone).date()
    out: list[Period] = []
    while d <= stop:
        day = date_range(d, d, rot)
        out.append(Period(day.start, day.end, d.isoformat()))
        d += timedelta(days=1)
    return out


@dataclass(frozen=True, slots=True)
class Report:
    """The report as data: ``data`` is exactly the JSON the report's JSON format holds."""

    period: Period
    repos: tuple[str, ...]
    data: dict[str, Any]


def _issue_row(f: IssueFacts, end: datetime, status: str, extra: dict[str, Any]) -> dict[str, Any]:
    return {
        "repo": f.repo,
        "number": f.number,
        "title": f.title,
        "age_days": round((end - f.created_at).total_seconds() / 86400, 2),
        "status": status,
        "owner": f.assignees[0] if f.assignees else "",
        **extra,
    }


def handoff(
    facts: Sequence[IssueFacts],
    period: Period,
    settings: Settings,
    statuses: dict[str, Status | None] | None = None,
) -> dict[str, Any]:
    """What the next rotation inherits at the end of ``period`` (SLA and over-target are
    filled in by the caller from the statistics). ``statuses``: the status of each issue
    open at the end, when the statistics already worked it out."""
    aliases = settings.profile.aliases()
    status_of = resolver(aliases)
    more: list[dict[str, Any]] = []
    untriaged: list[dict[str, Any]] = []
    for f in facts:
        if statuses is not None:
            if f.key not in statuses:
                continue
            st = statuses[f.key]
        elif not f.open_at(period.end):
            continue
        else:
            st = status_of(f.labels_at(period.end) if f.label_events else set(f.labels))
        if st is Status.MORE_INFO_NEEDED:
            since = max(
                (
                    e.at
                    for e in f.label_events
                    if e.added
                    and e.at < period.end
                    and status_of.of_label(e.label) is Status.MORE_INFO_NEEDED
                ),
                default=f.created_at,
            )
            waiting = round((period.end - since).total_seconds() / 86400, 2)
            more.append(_issue_row(f, period.end, st.value, {"waiting_days": waiting}))
        elif st is None or st is Status.TRIAGE:
            untriaged.append(_issue_row(f, period.end, st.value if st else "none", {}))
    more.sort(key=lambda r: -r["waiting_days"])
    untriaged.sort(key=lambda r: -r["age_days"])
    return {"more_info_needed": more, "untriaged": untriaged}


@contextmanager
def collector_paused() -> Iterator[None]:
    """Cyclic garbage collection held off while a report is built.

    A report over 100k issues allocates a few hundred thousand objects that live until it
    is done (rows, facts, stints); every burst of allocations would start a collection
    that walks them all and frees nothing (about a quarter of the CPU time). Reference
    counting still frees what is dropped; the collector resumes afterwards (it stays off
    if it was off).
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def build_report(
    source: ReportSource,
    settings: Settings,
    period: Period,
    *,
    now: datetime,
    repos: Sequence[str] | None = None,
) -> Report:
    """Every number of the report for ``period`` over ``repos`` (default: the public trackers)."""
    with collector_paused():
        return _build_report(source, settings, period, now=now, repos=repos)


def _build_report(
    source: ReportSource,
    settings: Settings,
    period: Period,
    *,
    now: datetime,
    repos: Sequence[str] | None = None,
) -> Report:
    rot = rotation_of(settings)
    rs = settings.report
    names = sorted(repos) if repos else sorted(r.name for r in settings.profile.public_repos)
    windows = comparison_windows(period, rot, rs.trailing_weeks)
    chart_end = week_containing(period.end - timedelta(seconds=1), rot)
    chart = [*trailing_weeks(chart_end, rot, rs.chart_weeks - 1), chart_end]
    days = local_days(
        period.start - timedelta(days=SURGE_TRAILING_DAYS), period.end - timedelta(seconds=1), rot
    )
    relevant_since = min(windows[0].start, days[0].start)
    inputs = source.report_inputs(
        names, until=period.end, period_start=period.start, relevant_since=relevant_since
    )
    facts = inputs.facts
    cfg = stats_config(settings)
    area_of, _ = area_map(settings)
    targets = sla_targets(settings)
    aliases = settings.profile.aliases()

    by_repo: dict[str, list[IssueFacts]] = {n: [] for n in names}
    for f in facts:
        by_repo.setdefault(f.repo, []).append(f)
    repo_data: dict[str, Any] = {}
    sla_all: list[SlaSummary] = []
    timelines: TimelineCache = {}
    statuses: dict[str, Status | None] = {}
    per_repo, all_stats = compute_stats_by_repo(
        facts,
        period,
        cfg,
        names,
        closed_earlier=inputs.closed_earlier,
        cache=timelines,
        statuses=statuses,
    )
    for name in names:
        sla = evaluate(by_repo[name], period, targets, aliases, area_of, timelines)
        sla_all.append(sla)
        repo_data[name] = {**per_repo[name].as_dict(), "sla": sla.as_dict()}
    met = sum(s.met for s in sla_all)
    missed = sum(s.missed for s in sla_all)
    sla_combined = SlaSummary(
        met=met,
        missed=missed,
        warnings=tuple(w for s in sla_all for w in s.warnings),
        breaches=tuple(b for s in sla_all for b in s.breaches),
    )
    sla_data = sla_combined.as_dict()
    all_data: dict[str, Any] = {**all_stats.as_dict(), "sla": sla_data}

    series = weekly_series_from_times(inputs.created_times, inputs.closed_times, chart)
    new = [f for f in facts if f.created_at >= period.start]
    trends, repo_trends = trends_with_releases(source, inputs, settings, windows, names, area_of)
    # issues active in the period: opened in it, or commented in it (GitHub does not date
    # reactions, so "most reactions" ranks the active issues by their total)
    reactions = dict(inputs.reactions)
    titles = dict(inputs.titles)
    for f in new:
        reactions[f.key] = f.reactions
        titles[f.key] = f.title
    hand = handoff(facts, period, settings, statuses)
    hand["sla_warnings"] = sla_data["warnings"]
    hand["sla_breaches"] = sla_data["breaches"]
    # the list itself is all.over_target
    hand["over_target_count"] = len(all_data["over_target"])
    person = on_rotation(period, settings.rotation.schedule, settings.rotation.overrides)
    following = (
        on_rotation(next_week(period, rot), settings.rotation.schedule, settings.rotation.overrides)
        if period.iso_week
        else ""
    )
    zone = rot.zone()
    data: dict[str, Any] = {
        "product": settings.profile.name,
        "generated_at": now.isoformat(),
        "period": {
            "label": period.label,
            "start": period.start.isoformat(),
            "end": period.end.isoformat(),
            "timezone": rot.timezone,
            "start_local": period.start.astimezone(zone).isoformat(),
            "end_local": period.end.astimezone(zone).isoformat(),
        },
        "on_rotation": person,
        "next_on_rotation": following,
        "settings": {
            "resolution_target_days": settings.sla.resolution_target_days,
            "resolution_target_overrides": dict(rs.resolution_target_overrides),
            "trailing_weeks": rs.trailing_weeks,
            "spike_alpha": rs.spike_alpha,
            "spike_min_count": rs.spike_min_count,
        },
        "repos": repo_data,
        "all": all_data,
        "weekly": {
            "weeks": [p.label for p in series],
            "opened": [p.opened for p in series],
            "closed": [p.closed for p in series],
            "backlog": [p.backlog for p in series],
        },
        "time_to_resolution_histogram": {
            "buckets": list(HISTOGRAM_LABELS),
            "edges_hours": list(HISTOGRAM_EDGES),
            "counts": resolution_histogram(facts, period, HISTOGRAM_EDGES),
        },
        "trends": {
            "windows": [w.label for w in windows],
            "areas": [t.as_dict() for t in trends],
            "repos": [t.as_dict() for t in repo_trends],
            "spikes": [t.as_dict() for t in [*repo_trends, *trends] if t.spike.spike],
        },
        "major_occurrences": {
            "reactions": [o.as_dict() for o in top_keys(reactions, titles, rs.top_n)],
            "comments": [
                o.as_dict() for o in top_keys(inputs.comments_in_period, titles, rs.top_n)
            ],
            "duplicates": [o.as_dict() for o in top_duplicates(source, inputs, settings)],
            "surges": [
                s.as_dict()
                for s in surges(facts, days, SURGE_TRAILING_DAYS, min_count=rs.spike_min_count)
            ],
        },
        "clusters": clusters(inputs, new, rs.cluster_index_max),
        "handoff": hand,
    }
    return Report(period=period, repos=tuple(names), data=data)
