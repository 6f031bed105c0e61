"""Tables of the core feature: repositories, issues and everything hanging off them.

An issue's children (labels, assignees, reactions, comments, events) are keyed
by ``(issue_id, position)`` so the order GitHub gave them survives a round
trip. On an update the store deletes and re-inserts an issue's children in the
same transaction. ``issues.content_hash`` is a digest of everything stored
about the issue: an import of unchanged data compares hashes and writes
nothing.

The status audit trail is keyed by repository name and number, not by
``issues.id``: it outlives re-imports and may name issues not (yet) stored.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from triagedesk.adapters.store.tables.base import UTCDateTime, metadata

repos = Table(
    "repos",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("full_name", String(200), nullable=False, unique=True),
    Column("visibility", String(16), nullable=False, server_default="public"),
)

issues = Table(
    "issues",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "repo_id",
        Integer,
        ForeignKey("repos.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("number", Integer, nullable=False),
    Column("title", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("author", String(255), nullable=False),
    Column("author_association", String(32), nullable=False),
    Column("state", String(16), nullable=False),
    Column("state_reason", String(32), nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("closed_at", UTCDateTime, nullable=True),
    Column("milestone", Text, nullable=True),
    Column("url", Text, nullable=False),
    Column("locked", Boolean, nullable=False),
    # denormalised for cheap sorting in reports and queues
    Column("comments_count", Integer, nullable=False),
    Column("reactions_total", Integer, nullable=False),
    # sha1 hex of everything stored about the issue (see issues.py:_digest)
    Column("content_hash", String(40), nullable=False),
    UniqueConstraint("repo_id", "number", name="uq_issues_repo_id"),
    Index("ix_issues_updated_at", "updated_at"),
    Index("ix_issues_state", "state"),
)

labels = Table(
    "labels",
    metadata,
    Column(
        "repo_id",
        Integer,
        ForeignKey("repos.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("name", String(255), primary_key=True),
    Column("color", String(16), nullable=False, server_default=""),
    Column("description", Text, nullable=False, server_default=""),
)

issue_labels = Table(
    "issue_labels",
    metadata,
    Column(
        "issue_id",
        Integer,
        ForeignKey("issues.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("position", Integer, primary_key=True),
    Column("name", String(255), nullable=False),
    Index("ix_issue_labels_name", "name"),
)

assignees = Table(
    "assignees",
    metadata,
    Column(
        "issue_id",
        Integer,
        ForeignKey("issues.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("position", Integer, primary_key=True),
    Column("login", String(255), nullable=False),
    Index("ix_assignees_login", "login"),
)

#: ``target`` is -1 for the issue itself, else the comment's position
reactions = Table(
    "reactions",
    metadata,
    Column(
        "issue_id",
        Integer,
        ForeignKey("issues.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("target", Integer, primary_key=True),
    Column("content", String(16), primary_key=True),
    Column("count", Integer, nullable=False),
)

comments = Table(
    "comments",
    metadata,
    Column(
        "issue_id",
        Integer,
        ForeignKey("issues.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("position", Integer, primary_key=True),
    # GitHub's numeric comment id, 0 when unknown
    Column("github_id", BigInteger, nullable=False),
    Column("author", String(255), nullable=False),
    Column("author_association", String(32), nullable=False),
    Column("body", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=True),
    Column("url", Text, nullable=False),
    Index("ix_comments_github_id", "github_id"),
)

issue_events = Table(
    "issue_events",
    metadata,
    Column(
        "issue_id",
        Integer,
        ForeignKey("issues.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("position", Integer, primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("actor", String(255), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("subject", Text, nullable=False),
    Index("ix_issue_events_kind", "kind"),
)

status_changes = Table(
    "status_changes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("repo", String(200), nullable=False),
    Column("number", Integer, nullable=False),
    Column("from_state", String(64), nullable=True),
    Column("to_state", String(64), nullable=False),
    Column("actor", String(255), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("reason", Text, nullable=False),
    Column("source", String(16), nullable=False),
    Column("forced", Boolean, nullable=False),
    Index("ix_status_changes_repo", "repo", "number"),
)

__all__ = [
    "assignees",
    "comments",
    "issue_events",
    "issue_labels",
    "issues",
    "labels",
    "metadata",
    "reactions",
    "repos",
    "status_changes",
]
