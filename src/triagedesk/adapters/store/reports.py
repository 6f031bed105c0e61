"""The report archive (every format, and where each report went) and job-run claims.

The read queries live in :mod:`triagedesk.adapters.store.report_queries`
(``SqlReportSource`` is re-exported here).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Engine, RowMapping
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from triagedesk.adapters.store.db import describe, translated, writing
from triagedesk.adapters.store.report_queries import SqlReportSource
from triagedesk.adapters.store.tables.reports import job_runs, report_sends, reports
from triagedesk.ports.reports import ArchivedReport

__all__ = ["SqlJobRuns", "SqlReportArchive", "SqlReportSource"]


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
        with translated(), writing(self.engine) as conn:
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
        with translated(), writing(self.engine) as conn:
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
            with writing(self.engine) as conn:
                conn.execute(
                    insert(job_runs).values(job=job, period=period, claimed_at=at, status="running")
                )
        except IntegrityError:
            return False
        except SQLAlchemyError as exc:
            raise describe(exc) from exc
        return True

    def finish(self, job: str, period: str, *, at: datetime, ok: bool, detail: str = "") -> None:
        with translated(), writing(self.engine) as conn:
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
