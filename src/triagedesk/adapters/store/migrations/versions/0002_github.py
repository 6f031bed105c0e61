"""sync cursors, webhook deliveries, planned and applied actions

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from triagedesk.adapters.store.tables.base import UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    _upgrade_h4b()
    _upgrade_h4a()


def downgrade() -> None:
    _downgrade_h4a()
    _downgrade_h4b()


# --- H4b: webhook deliveries, action log, releases ----------------------------------------


def _upgrade_h4b() -> None:
    op.create_table(
        "webhook_deliveries",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("delivery_id", sa.String(100), nullable=False),
        sa.Column("event", sa.String(100), nullable=False),
        sa.Column("action", sa.String(100), nullable=False, server_default=""),
        sa.Column("repo", sa.String(200), nullable=False, server_default=""),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("received_at", UTCDateTime(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("lease_owner", sa.String(100), nullable=True),
        sa.Column("lease_until", UTCDateTime(), nullable=True),
        sa.Column("processed_at", UTCDateTime(), nullable=True),
        sa.Column("error", sa.Text(), nullable=False, server_default=""),
        sa.PrimaryKeyConstraint("id", name="pk_webhook_deliveries"),
        sa.UniqueConstraint("delivery_id", name="uq_webhook_deliveries_delivery_id"),
    )
    op.create_index(
        "ix_webhook_deliveries_status_lease", "webhook_deliveries", ["status", "lease_until"]
    )
    op.create_table(
        "action_log",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("issue", sa.String(300), nullable=False),
        sa.Column("action_key", sa.Text(), nullable=False),
        sa.Column("planned_key", sa.String(64), nullable=True),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("source", sa.String(100), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("applied_at", UTCDateTime(), nullable=True),
        sa.Column("detail", sa.Text(), nullable=False, server_default=""),
        sa.PrimaryKeyConstraint("id", name="pk_action_log"),
        sa.UniqueConstraint("planned_key", name="uq_action_log_planned_key"),
    )
    op.create_index("ix_action_log_status", "action_log", ["status"])
    op.create_index("ix_action_log_issue", "action_log", ["issue"])
    op.create_table(
        "releases",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("repo", sa.String(200), nullable=False),
        sa.Column("version", sa.String(200), nullable=False),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("name", sa.String(300), nullable=False, server_default=""),
        sa.Column("body", sa.Text(), nullable=False, server_default=""),
        sa.Column("url", sa.String(500), nullable=False, server_default=""),
        sa.Column("published_at", UTCDateTime(), nullable=True),
        sa.Column("received_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_releases"),
        sa.UniqueConstraint("repo", "version", name="uq_releases_repo"),
    )


def _downgrade_h4b() -> None:
    op.drop_table("releases")
    op.drop_index("ix_action_log_issue", table_name="action_log")
    op.drop_index("ix_action_log_status", table_name="action_log")
    op.drop_table("action_log")
    op.drop_index("ix_webhook_deliveries_status_lease", table_name="webhook_deliveries")
    op.drop_table("webhook_deliveries")


# --- end H4b ------------------------------------------------------------------------------


# --- H4a: sync state ----------------------------------------------------------------------


def _upgrade_h4a() -> None:
    op.create_table(
        "github_sync_state",
        sa.Column("repo", sa.String(200), nullable=False),
        sa.Column("cursor", sa.Text(), nullable=True),
        sa.Column("run_since", UTCDateTime(), nullable=True),
        sa.Column("run_full", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("run_started_at", UTCDateTime(), nullable=True),
        sa.Column("run_pages", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("run_issues", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("high_water", UTCDateTime(), nullable=True),
        sa.Column("etag", sa.String(300), nullable=True),
        sa.Column("last_modified", sa.String(100), nullable=True),
        sa.Column("pending_etag", sa.String(300), nullable=True),
        sa.Column("pending_last_modified", sa.String(100), nullable=True),
        sa.Column("last_finished_at", UTCDateTime(), nullable=True),
        sa.Column("last_full_at", UTCDateTime(), nullable=True),
        sa.Column("lease_owner", sa.String(200), nullable=True),
        sa.Column("lease_until", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("repo", name="pk_github_sync_state"),
    )


def _downgrade_h4a() -> None:
    op.drop_table("github_sync_state")


# --- end H4a ------------------------------------------------------------------------------
