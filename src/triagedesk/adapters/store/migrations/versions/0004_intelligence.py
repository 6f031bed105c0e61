"""label model, duplicate index, feedback

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "intel_artifacts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("trained_at", _TS, nullable=False),
        sa.Column("watermark", _TS, nullable=True),
        sa.Column("n_items", sa.Integer(), nullable=False),
        sa.Column("meta", sa.Text(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_intel_artifacts"),
        sa.UniqueConstraint("name", "version", name="uq_intel_artifacts_name"),
    )
    op.create_table(
        "intel_feedback",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("repo", sa.String(200), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(300), nullable=False),
        sa.Column("actor", sa.String(255), nullable=False),
        sa.Column("at", _TS, nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_intel_feedback"),
        sa.UniqueConstraint("kind", "repo", "number", "subject", name="uq_intel_feedback_kind"),
    )
    op.create_index("ix_intel_feedback_at", "intel_feedback", ["at"])


def downgrade() -> None:
    op.drop_index("ix_intel_feedback_at", table_name="intel_feedback")
    op.drop_table("intel_feedback")
    op.drop_table("intel_artifacts")
