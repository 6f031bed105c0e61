"""Tables of the intelligence feature: model/index artifacts and people's feedback.

Artifacts are opaque bytes (NumPy ``.npz`` / zip, never pickles) with a version
per name, the time they were trained and the newest issue update they saw.
"""

from __future__ import annotations

from sqlalchemy import (
    Column,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from triagedesk.adapters.store.tables.base import UTCDateTime, metadata

intel_artifacts = Table(
    "intel_artifacts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(64), nullable=False),
    Column("version", Integer, nullable=False),
    Column("trained_at", UTCDateTime, nullable=False),
    Column("watermark", UTCDateTime, nullable=True),
    Column("n_items", Integer, nullable=False),
    Column("meta", Text, nullable=False),
    Column("data", LargeBinary, nullable=False),
    UniqueConstraint("name", "version", name="uq_intel_artifacts_name"),
)

intel_feedback = Table(
    "intel_feedback",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(32), nullable=False),
    Column("repo", String(200), nullable=False),
    Column("number", Integer, nullable=False),
    Column("subject", String(300), nullable=False),
    Column("actor", String(255), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("detail", Text, nullable=False),
    UniqueConstraint("kind", "repo", "number", "subject", name="uq_intel_feedback_kind"),
    Index("ix_intel_feedback_at", "at"),
)

__all__ = ["intel_artifacts", "intel_feedback", "metadata"]
