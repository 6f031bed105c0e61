"""checklists and their history, diagnostics bundles, reproductions

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "quality_checklists",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("repo", sa.String(200), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("computed_at", _TS, nullable=False),
        sa.Column("verdict", sa.String(32), nullable=False),
        sa.Column("missing", sa.Text(), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_quality_checklists"),
    )
    op.create_index("ix_quality_checklists_issue", "quality_checklists", ["repo", "number", "id"])
    op.create_table(
        "quality_reproductions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("repo", sa.String(200), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("by", sa.String(255), nullable=False),
        sa.Column("at", _TS, nullable=False),
        sa.Column("version", sa.String(100), nullable=False),
        sa.Column("platform", sa.String(200), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_quality_reproductions"),
    )
    op.create_index("ix_quality_reproductions_issue", "quality_reproductions", ["repo", "number"])
    op.create_table(
        "quality_bundles",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("diag_id", sa.String(100), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("key", sa.String(1024), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=True),
        sa.Column("uploaded_at", _TS, nullable=True),
        sa.Column("checked_at", _TS, nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("signatures", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_quality_bundles"),
        sa.UniqueConstraint("diag_id", name="uq_quality_bundles_diag_id"),
    )


def downgrade() -> None:
    op.drop_table("quality_bundles")
    op.drop_index("ix_quality_reproductions_issue", table_name="quality_reproductions")
    op.drop_table("quality_reproductions")
    op.drop_index("ix_quality_checklists_issue", table_name="quality_checklists")
    op.drop_table("quality_checklists")
