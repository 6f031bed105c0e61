"""The report feature in SQL: bulk read queries, the report archive and job-run claims.

The read side does not assemble Issue aggregates: a report over 100k issues
needs a handful of columns per issue, the label events of the issues that were
open recently, and a few GROUP BY counts. Each is one query.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, func, insert, or_, select, update
from sqlalchemy.engine import Engine, RowMapping
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from triagedesk.adapters.store.db import describe, translated
from triagedesk.adapters.store.tables.core import (
    assignees,
    comments,
    issue_events,
    issue_labels,
    issues,
    repos,
)
from triagedesk.adapters.store.tables.github import releases
from triagedesk.adapters.store.tables.reports import job_runs, report_sends, reports
from triagedesk.domain.stats import IssueFacts, LabelChange
from triagedesk.ports.reports import ArchivedReport, ReportInputs

_REF_RE = re.compile(r"(?:([A-Za-z0-9._-]+/[A-Za-z0-9._-]+)(?:#|/issues/))?#?(\d+)\s*$")


def _canonical(subject: str, default_repo: str) -> str | None:
    m = _REF_RE.search(subject.strip())
    if not m:
        return None
    return f"{m.group(1) or default_repo}#{m.group(2)}"


class SqlReportSource:
    """:class:`triagedesk.ports.reports.ReportSource` on the core tables."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def public_repos(self) -> list[str]:
        with translated(), self.engine.connect() as conn:
            rows = conn.execute(
                select(repos.c.full_name)
                .where(repos.c.visibility == "public")
                .order_by(repos.c.full_name)
            ).all()
        return [r[0] for r in rows]

    def report_inputs(
        self,
        repos_in: Sequence[str],
        *,
        until: datetime,
        period_start: datetime,
        relevant_since: datetime,
    ) -> ReportInputs:
        names = list(repos_in)
        base = and_(repos.c.full_name.in_(names), issues.c.created_at < until)
        joined = issues.join(repos, repos.c.id == issues.c.repo_id)
        # issues that could matter beyond counting: open at relevant_since or created after it
        relevant = and_(
            base,
            or_(
                issues.c.state == "open",
                issues.c.closed_at.is_(None),
                issues.c.closed_at >= relevant_since,
                issues.c.created_at >= relevant_since,
            ),
        )
        with translated(), self.engine.connect() as conn:
            rows = conn.execute(
                select(
                    issues.c.id,
                    repos.c.full_name,
                    issues.c.number,
                    issues.c.title,
                    issues.c.created_at,
                    issues.c.closed_at,
                    issues.c.state,
                    issues.c.reactions_total,
                    issues.c.comments_count,
                )
                .select_from(joined)
                .where(base)
            ).all()
            labels: dict[int, list[str]] = {}
            for iid, name in conn.execute(
                select(issue_labels.c.issue_id, issue_labels.c.name)
                .select_from(issue_labels.join(joined, issues.c.id == issue_labels.c.issue_id))
                .where(relevant)
                .order_by(issue_labels.c.issue_id, issue_labels.c.position)
            ):
                labels.setdefault(iid, []).append(name)
            people: dict[int, list[str]] = {}
            for iid, login in conn.execute(
                select(assignees.c.issue_id, assignees.c.login)
                .select_from(assignees.join(joined, issues.c.id == assignees.c.issue_id))
                .where(relevant)
                .order_by(assignees.c.issue_id, assignees.c.position)
            ):
                people.setdefault(iid, []).append(login)
            events: dict[int, list[LabelChange]] = {}
            for iid, kind, at, subject in conn.execute(
                select(
                    issue_events.c.issue_id,
                    issue_events.c.kind,
                    issue_events.c.at,
                    issue_events.c.subject,
                )
                .select_from(issue_events.join(joined, issues.c.id == issue_events.c.issue_id))
                .where(relevant, issue_events.c.kind.in_(("labeled", "unlabeled")))
                .order_by(issue_events.c.issue_id, issue_events.c.at, issue_events.c.position)
            ):
                events.setdefault(iid, []).append(LabelChange(at, kind == "labeled", subject))
            in_period = and_(base, issues.c.created_at >= period_start)
            bodies_rows = conn.execute(
                select(repos.c.full_name, issues.c.number, issues.c.title, issues.c.body)
                .select_from(joined)
                .where(in_period)
            ).all()
            comment_rows = conn.execute(
                select(repos.c.full_name, issues.c.number, func.count())
                .select_from(comments.join(joined, issues.c.id == comments.c.issue_id))
                .where(
                    repos.c.full_name.in_(names),
                    comments.c.created_at >= period_start,
                    comments.c.created_at < until,
                )
                .group_by(repos.c.full_name, issues.c.number)
            ).all()
            dup_rows = conn.execute(
                select(
                    repos.c.full_name,
                    issues.c.number,
                    issue_events.c.at,
                    issue_events.c.subject,
                )
                .select_from(issue_events.join(joined, issues.c.id == issue_events.c.issue_id))
                .where(
                    repos.c.full_name.in_(names),
                    issue_events.c.kind == "marked_as_duplicate",
                    issue_events.c.at < until,
                )
            ).all()
            reason_rows = conn.execute(
                select(repos.c.full_name, issues.c.number)
                .select_from(joined)
                .where(base, issues.c.state_reason == "duplicate")
            ).all()
        facts = [
            IssueFacts(
                repo=r.full_name,
                number=r.number,
                created_at=r.created_at,
                closed_at=r.closed_at if r.state == "closed" else None,
                labels=tuple(labels.get(r.id, ())),
                assignees=tuple(people.get(r.id, ())),
                label_events=tuple(events.get(r.id, ())),
                title=r.title,
                reactions=r.reactions_total,
                comments=r.comments_count,
            )
            for r in rows
        ]
        new_dups: dict[str, int] = {}
        linked: set[str] = {f"{repo}#{n}" for repo, n in reason_rows}
        for repo, number, at, subject in dup_rows:
            linked.add(f"{repo}#{number}")
            if at < period_start:
                continue
            target = _canonical(subject, repo)
            if target is not None:
                new_dups[target] = new_dups.get(target, 0) + 1
        return ReportInputs(
            facts=facts,
            comments_in_period={f"{repo}#{n}": c for repo, n, c in comment_rows},
            new_duplicates=new_dups,
            linked=frozenset(linked),
            bodies={f"{r[0]}#{r[1]}": f"{r[2]}\n\n{r[3]}" for r in bodies_rows},
        )

    def version_first_seen(
        self, versions: Sequence[str], repos_in: Sequence[str]
    ) -> dict[str, datetime]:
        out: dict[str, datetime] = {}
        joined = issues.join(repos, repos.c.id == issues.c.repo_id)
        with translated(), self.engine.connect() as conn:
            for v in versions:
                seen: list[datetime] = []
                rel = conn.execute(
                    select(func.min(releases.c.published_at)).where(
                        releases.c.version.in_((v, f"v{v}"))
                    )
                ).scalar()
                if rel is not None:
                    seen.append(rel)
                pattern = (
                    "%" + v.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
                )
                first = conn.execute(
                    select(func.min(issues.c.created_at))
                    .select_from(joined)
                    .where(
                        repos.c.full_name.in_(list(repos_in)),
                        issues.c.body.like(pattern, escape="\\"),
                    )
                ).scalar()
                if first is not None:
                    seen.append(first)
                if seen:
                    out[v] = min(seen)
        return out


def _archived(row: RowMapping, sent: dict[str, datetime]) -> ArchivedReport:
    return ArchivedReport(
        id=row["id"],
        period=row["period"],
        period_start=row["period_start"],
        period_end=row["period_end"],
        repos=row["repos"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        markdown=row["markdown"],
        html=row["html"],
        json=row["json"],
        sent=sent,
    )


class SqlReportArchive:
    """:class:`triagedesk.ports.reports.ReportArchive` on ``reports`` and ``report_sends``."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def _sent(self, conn: Any, ids: list[int]) -> dict[int, dict[str, datetime]]:
        out: dict[int, dict[str, datetime]] = {i: {} for i in ids}
        if ids:
            for rid, channel, at in conn.execute(
                select(
                    report_sends.c.report_id, report_sends.c.channel, report_sends.c.sent_at
                ).where(report_sends.c.report_id.in_(ids))
            ):
                out[rid][channel] = at
        return out

    def save(
        self,
        *,
        period: str,
        period_start: datetime,
        period_end: datetime,
        repos: str,
        markdown: str,
        html: str,
        json: str,
        at: datetime,
    ) -> ArchivedReport:
        values = {
            "period_start": period_start,
            "period_end": period_end,
            "markdown": markdown,
            "html": html,
            "json": json,
            "updated_at": at,
        }
        with translated(), self.engine.begin() as conn:
            found = conn.execute(
                select(reports.c.id).where(reports.c.period == period, reports.c.repos == repos)
            ).scalar()
            if found is None:
                pk = conn.execute(
                    insert(reports).values(period=period, repos=repos, created_at=at, **values)
                ).inserted_primary_key
                assert pk is not None
                found = pk[0]
            else:
                conn.execute(update(reports).where(reports.c.id == found).values(**values))
        got = self.get(int(found))
        assert got is not None
        return got

    def get(self, report_id: int) -> ArchivedReport | None:
        with translated(), self.engine.connect() as conn:
            row = conn.execute(select(reports).where(reports.c.id == report_id)).mappings().first()
            if row is None:
                return None
            return _archived(row, self._sent(conn, [row["id"]])[row["id"]])

    def find(self, period: str, repos: str) -> ArchivedReport | None:
        with translated(), self.engine.connect() as conn:
            rid = conn.execute(
                select(reports.c.id).where(reports.c.period == period, reports.c.repos == repos)
            ).scalar()
        return None if rid is None else self.get(int(rid))

    def list(self, limit: int = 100) -> list[ArchivedReport]:
        with translated(), self.engine.connect() as conn:
            rows = (
                conn.execute(
                    select(reports)
                    .order_by(reports.c.period_start.desc(), reports.c.id.desc())
                    .limit(limit)
                )
                .mappings()
                .all()
            )
            sent = self._sent(conn, [r["id"] for r in rows])
        return [_archived(r, sent[r["id"]]) for r in rows]

    def mark_sent(self, report_id: int, channel: str, *, at: datetime, detail: str = "") -> None:
        with translated(), self.engine.begin() as conn:
            conn.execute(
                delete(report_sends).where(
                    report_sends.c.report_id == report_id, report_sends.c.channel == channel
                )
            )
            conn.execute(
                insert(report_sends).values(
                    report_id=report_id, channel=channel, sent_at=at, detail=detail[:2000]
                )
            )


class SqlJobRuns:
    """:class:`triagedesk.ports.reports.JobRuns`: the unique (job, period) row is the claim."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def claim(self, job: str, period: str, *, at: datetime) -> bool:
        try:
            with self.engine.begin() as conn:
                conn.execute(
                    insert(job_runs).values(job=job, period=period, claimed_at=at, status="running")
                )
        except IntegrityError:
            return False
        except SQLAlchemyError as exc:
            raise describe(exc) from exc
        return True

    def finish(self, job: str, period: str, *, at: datetime, ok: bool, detail: str = "") -> None:
        with translated(), self.engine.begin() as conn:
            conn.execute(
                update(job_runs)
                .where(job_runs.c.job == job, job_runs.c.period == period)
                .values(finished_at=at, status="done" if ok else "failed", detail=detail[:2000])
            )

    def runs(self, job: str | None = None, limit: int = 100) -> list[dict[str, object]]:
        stmt = select(job_runs).order_by(job_runs.c.claimed_at.desc(), job_runs.c.id.desc())
        if job is not None:
            stmt = stmt.where(job_runs.c.job == job)
        with translated(), self.engine.connect() as conn:
            rows = conn.execute(stmt.limit(limit)).mappings().all()
        return [dict(r) for r in rows]
