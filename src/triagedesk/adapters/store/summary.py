"""Counts across every feature's tables: what the desk holds, in one cheap read."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from triagedesk.adapters.store.db import translated
from triagedesk.adapters.store.tables import core, github, intelligence, quality, reports


def desk_summary(engine: Engine) -> dict[str, Any]:
    """Issues per repository and state, latest checklist verdicts, actions, deliveries, models, reports."""
    out: dict[str, Any] = {}
    with translated(), engine.connect() as conn:
        rows = conn.execute(
            select(core.repos.c.full_name, core.issues.c.state, func.count())
            .join(core.issues, core.issues.c.repo_id == core.repos.c.id)
            .group_by(core.repos.c.full_name, core.issues.c.state)
            .order_by(core.repos.c.full_name)
        ).all()
        repos: dict[str, dict[str, int]] = {}
        for name, state, n in rows:
            repos.setdefault(name, {"open": 0, "closed": 0})[state] = int(n)
        out["issues"] = repos
        out["comments"] = int(
            conn.execute(select(func.count()).select_from(core.comments)).scalar_one()
        )
        out["events"] = int(
            conn.execute(select(func.count()).select_from(core.issue_events)).scalar_one()
        )
        out["status_changes"] = int(
            conn.execute(select(func.count()).select_from(core.status_changes)).scalar_one()
        )

        qc = quality.quality_checklists
        latest = select(func.max(qc.c.id).label("id")).group_by(qc.c.repo, qc.c.number).subquery()
        verdicts = conn.execute(
            select(qc.c.verdict, func.count())
            .where(qc.c.id.in_(select(latest.c.id)))
            .group_by(qc.c.verdict)
        ).all()
        out["checklists"] = {str(v): int(n) for v, n in verdicts}

        al = github.action_log
        actions = conn.execute(
            select(al.c.status, al.c.kind, func.count()).group_by(al.c.status, al.c.kind)
        ).all()
        by_status: dict[str, dict[str, int]] = {}
        for status, kind, n in actions:
            by_status.setdefault(str(status), {})[str(kind)] = int(n)
        out["actions"] = by_status

        wd = github.webhook_deliveries
        out["deliveries"] = {
            str(s): int(n)
            for s, n in conn.execute(select(wd.c.status, func.count()).group_by(wd.c.status)).all()
        }

        ia = intelligence.intel_artifacts
        out["models"] = {
            str(name): int(v)
            for name, v in conn.execute(
                select(ia.c.name, func.max(ia.c.version)).group_by(ia.c.name)
            ).all()
        }
        out["reports"] = [
            str(p)
            for (p,) in conn.execute(
                select(reports.reports.c.period).order_by(reports.reports.c.id)
            ).all()
        ]
    return out
