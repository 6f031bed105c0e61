"""issues, comments, events, labels, repos, status audit trail

Revision ID: 0001
Revises: None
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "repos",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("full_name", sa.String(200), nullable=False),
        sa.Column("visibility", sa.String(16), nullable=False, server_default="public"),
        sa.PrimaryKeyConstraint("id", name="pk_repos"),
        sa.UniqueConstraint("full_name", name="uq_repos_full_name"),
    )
    op.create_table(
        "issues",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("repo_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("author", sa.String(255), nullable=False),
        sa.Column("author_association", sa.String(32), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("state_reason", sa.String(32), nullable=True),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("updated_at", _TS, nullable=False),
        sa.Column("closed_at", _TS, nullable=True),
        sa.Column("milestone", sa.Text(), nullable=True),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("locked", sa.Boolean(), nullable=False),
        sa.Column("comments_count", sa.Integer(), nullable=False),
        sa.Column("reactions_total", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(40), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_issues"),
        sa.ForeignKeyConstraint(
            ["repo_id"], ["repos.id"], name="fk_issues_repo_id_repos", ondelete="CASCADE"
        ),
        sa.UniqueConstraint("repo_id", "number", name="uq_issues_repo_id"),
    )
    op.create_index("ix_issues_updated_at", "issues", ["updated_at"])
    op.create_index("ix_issues_state", "issues", ["state"])

    op.create_table(
        "labels",
        sa.Column("repo_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("color", sa.String(16), nullable=False, server_default=""),
        sa.Column("description", sa.Text(), nullable=False, server_default=""),
        sa.PrimaryKeyConstraint("repo_id", "name", name="pk_labels"),
        sa.ForeignKeyConstraint(
            ["repo_id"], ["repos.id"], name="fk_labels_repo_id_repos", ondelete="CASCADE"
        ),
    )

    def child(table: str, *cols: sa.Column[object], pk: tuple[str, ...]) -> None:
        op.create_table(
            table,
            sa.Column("issue_id", sa.Integer(), nullable=False),
            *cols,
            sa.PrimaryKeyConstraint(*pk, name=f"pk_{table}"),
            sa.ForeignKeyConstraint(
                ["issue_id"], ["issues.id"], name=f"fk_{table}_issue_id_issues", ondelete="CASCADE"
            ),
        )

    child(
        "issue_labels",
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        pk=("issue_id", "position"),
    )
    op.create_index("ix_issue_labels_name", "issue_labels", ["name"])
    child(
        "assignees",
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("login", sa.String(255), nullable=False),
        pk=("issue_id", "position"),
    )
    op.create_index("ix_assignees_login", "assignees", ["login"])
    child(
        "reactions",
        sa.Column("target", sa.Integer(), nullable=False),
        sa.Column("content", sa.String(16), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        pk=("issue_id", "target", "content"),
    )
    child(
        "comments",
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("github_id", sa.BigInteger(), nullable=False),
        sa.Column("author", sa.String(255), nullable=False),
        sa.Column("author_association", sa.String(32), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("updated_at", _TS, nullable=True),
        sa.Column("url", sa.Text(), nullable=False),
        pk=("issue_id", "position"),
    )
    op.create_index("ix_comments_github_id", "comments", ["github_id"])
    child(
        "issue_events",
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("actor", sa.String(255), nullable=False),
        sa.Column("at", _TS, nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        pk=("issue_id", "position"),
    )
    op.create_index("ix_issue_events_kind", "issue_events", ["kind"])

    op.create_table(
        "status_changes",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("repo", sa.String(200), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("from_state", sa.String(64), nullable=True),
        sa.Column("to_state", sa.String(64), nullable=False),
        sa.Column("actor", sa.String(255), nullable=False),
        sa.Column("at", _TS, nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("forced", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_status_changes"),
    )
    op.create_index("ix_status_changes_repo", "status_changes", ["repo", "number"])


def downgrade() -> None:
    for index, table in (
        ("ix_status_changes_repo", "status_changes"),
        ("ix_issue_events_kind", "issue_events"),
        ("ix_comments_github_id", "comments"),
        ("ix_assignees_login", "assignees"),
        ("ix_issue_labels_name", "issue_labels"),
        ("ix_issues_state", "issues"),
        ("ix_issues_updated_at", "issues"),
    ):
        op.drop_index(index, table_name=table)
    for table in (
        "status_changes",
        "issue_events",
        "comments",
        "reactions",
        "assignees",
        "issue_labels",
        "labels",
        "issues",
        "repos",
    ):
        op.drop_table(table)
