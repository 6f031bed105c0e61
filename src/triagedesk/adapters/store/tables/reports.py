"""Tables of the reports feature: the report archive, its deliveries, and scheduled job runs.

``reports`` holds one row per (period, repos) with every rendered format;
``report_sends`` one row per channel a report went out on (its absence means
"not sent yet", which the schedule retries); ``job_runs`` is the claim that
keeps a scheduled job from running twice for the same period: the unique
(job, period) insert is the lock, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Integer, String, Table, Text, UniqueConstraint

from triagedesk.adapters.store.tables.base import UTCDateTime, metadata

reports = Table(
    "reports",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    # "2026-W47" or "2026-11-01..2026-11-07"
    Column("period", String(40), nullable=False),
    Column("period_start", UTCDateTime, nullable=False),
    Column("period_end", UTCDateTime, nullable=False),
    # sorted, comma-separated owner/name list ("" = every public repository)
    Column("repos", String(1000), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("markdown", Text, nullable=False),
    Column("html", Text, nullable=False),
    Column("json", Text, nullable=False),
    UniqueConstraint("period", "repos", name="uq_reports_period"),
)

report_sends = Table(
    "report_sends",
    metadata,
    Column(
        "report_id",
        Integer,
        ForeignKey("reports.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    # "email" or "slack"
    Column("channel", String(16), primary_key=True),
    Column("sent_at", UTCDateTime, nullable=False),
    Column("detail", Text, nullable=False, server_default=""),
)

job_runs = Table(
    "job_runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("job", String(64), nullable=False),
    Column("period", String(64), nullable=False),
    Column("claimed_at", UTCDateTime, nullable=False),
    Column("finished_at", UTCDateTime, nullable=True),
    # running -> done | failed
    Column("status", String(16), nullable=False),
    Column("detail", Text, nullable=False, server_default=""),
    UniqueConstraint("job", "period", name="uq_job_runs_job"),
)

__all__ = ["job_runs", "metadata", "report_sends", "reports"]
