"""Tables of the quality feature: checklists with history, reproductions, bundle lookups."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Index, Integer, String, Table, Text, UniqueConstraint

from triagedesk.adapters.store.tables.base import UTCDateTime, metadata

quality_checklists = Table(
    "quality_checklists",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("repo", String(200), nullable=False),
    Column("number", Integer, nullable=False),
    Column("computed_at", UTCDateTime, nullable=False),
    Column("verdict", String(32), nullable=False),
    Column("missing", Text, nullable=False),
    Column("digest", String(64), nullable=False),
    Column("data", Text, nullable=False),
    Index("ix_quality_checklists_issue", "repo", "number", "id"),
)

quality_reproductions = Table(
    "quality_reproductions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("repo", String(200), nullable=False),
    Column("number", Integer, nullable=False),
    Column("by", String(255), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("version", String(100), nullable=False),
    Column("platform", String(200), nullable=False),
    Column("note", Text, nullable=False),
    Index("ix_quality_reproductions_issue", "repo", "number"),
)

quality_bundles = Table(
    "quality_bundles",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("diag_id", String(100), nullable=False),
    Column("state", String(16), nullable=False),
    Column("key", String(1024), nullable=False),
    Column("size", BigInteger, nullable=True),
    Column("uploaded_at", UTCDateTime, nullable=True),
    Column("checked_at", UTCDateTime, nullable=False),
    Column("detail", Text, nullable=False),
    Column("signatures", Text, nullable=False),
    UniqueConstraint("diag_id", name="uq_quality_bundles_diag_id"),
)

__all__ = ["metadata", "quality_bundles", "quality_checklists", "quality_reproductions"]
