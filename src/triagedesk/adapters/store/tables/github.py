"""Tables of the github feature."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)

from triagedesk.adapters.store.tables.base import UTCDateTime, metadata

__all__ = ["action_log", "github_sync_state", "metadata", "releases", "webhook_deliveries"]

# --- H4b: webhook deliveries (the durable queue), action log, releases -------------------

#: one row per GitHub delivery, unique by X-GitHub-Delivery; also the worker's queue
webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("delivery_id", String(100), nullable=False, unique=True),
    Column("event", String(100), nullable=False),
    Column("action", String(100), nullable=False, server_default=""),
    Column("repo", String(200), nullable=False, server_default=""),
    Column("payload", Text, nullable=False),
    Column("received_at", UTCDateTime, nullable=False),
    # queued -> done | ignored | parked
    Column("status", String(20), nullable=False),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("lease_owner", String(100), nullable=True),
    Column("lease_until", UTCDateTime, nullable=True),
    Column("processed_at", UTCDateTime, nullable=True),
    Column("error", Text, nullable=False, server_default=""),
)
Index(
    "ix_webhook_deliveries_status_lease",
    webhook_deliveries.c.status,
    webhook_deliveries.c.lease_until,
)

#: every action decided: planned (shadow), applied, unchanged, failed, rejected
action_log = Table(
    "action_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(40), nullable=False),
    Column("issue", String(300), nullable=False),
    Column("action_key", Text, nullable=False),
    # sha256 of action_key while the action is planned, NULL otherwise: at most one planned
    # copy of an action (NULLs never collide on SQLite or PostgreSQL)
    Column("planned_key", String(64), nullable=True, unique=True),
    Column("payload", Text, nullable=False),
    Column("status", String(20), nullable=False),
    Column("source", String(100), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("applied_at", UTCDateTime, nullable=True),
    Column("detail", Text, nullable=False, server_default=""),
)
Index("ix_action_log_status", action_log.c.status)
Index("ix_action_log_issue", action_log.c.issue)

#: releases heard from the tracker (release webhooks), kept for the L2 fix-released moves
releases = Table(
    "releases",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("repo", String(200), nullable=False),
    Column("version", String(200), nullable=False),
    Column("channel", String(20), nullable=False),
    Column("name", String(300), nullable=False, server_default=""),
    Column("body", Text, nullable=False, server_default=""),
    Column("url", String(500), nullable=False, server_default=""),
    Column("published_at", UTCDateTime, nullable=True),
    Column("received_at", UTCDateTime, nullable=False),
    UniqueConstraint("repo", "version"),
)

# --- end H4b ------------------------------------------------------------------------------

# --- H4a: sync state (cursor, ETag, high-water mark per repository) -----------------------

#: one row per repository: where the running sync stands and what the last one saw
github_sync_state = Table(
    "github_sync_state",
    metadata,
    Column("repo", String(200), primary_key=True),
    # GraphQL endCursor of the last stored page of the run in progress; NULL when none runs
    Column("cursor", Text, nullable=True),
    # the `since` the run in progress uses (NULL: a full run); a resumed run keeps it
    Column("run_since", UTCDateTime, nullable=True),
    Column("run_full", Boolean, nullable=False, server_default=false()),
    Column("run_started_at", UTCDateTime, nullable=True),
    Column("run_pages", Integer, nullable=False, server_default="0"),
    Column("run_issues", Integer, nullable=False, server_default="0"),
    # newest updatedAt seen by a finished run: the next incremental run's `since`
    Column("high_water", UTCDateTime, nullable=True),
    # the conditional-request validators of the last finished run's probe
    Column("etag", String(300), nullable=True),
    Column("last_modified", String(100), nullable=True),
    # validators of the probe of the run in progress, promoted when it finishes
    Column("pending_etag", String(300), nullable=True),
    Column("pending_last_modified", String(100), nullable=True),
    Column("last_finished_at", UTCDateTime, nullable=True),
    Column("last_full_at", UTCDateTime, nullable=True),
    # who is syncing this repository now, and until when (renewed after every page)
    Column("lease_owner", String(200), nullable=True),
    Column("lease_until", UTCDateTime, nullable=True),
)

# --- end H4a ------------------------------------------------------------------------------
