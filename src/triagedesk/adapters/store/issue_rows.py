"""Issue aggregates as table rows and back: the one place that maps the domain onto core.py.

``to_rows`` flattens an Issue into the rows of every core table plus a content
digest; ``load_issues`` assembles aggregates from those rows (a few queries per
page of ids, whatever the page size).
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Table, insert, select

from triagedesk.adapters.store.tables.core import (
    assignees,
    comments,
    issue_events,
    issue_labels,
    issues,
    reactions,
    repos,
)
from triagedesk.domain.model import (
    Association,
    CloseReason,
    Comment,
    EventKind,
    Issue,
    IssueEvent,
    IssueRef,
    IssueState,
    Reactions,
    RepoRef,
)

#: ids or numbers per IN (...) list
CHUNK = 2000
CHILDREN = (issue_labels, assignees, reactions, comments, issue_events)
#: reactions.target for the issue itself (comments use their position)
ISSUE_TARGET = -1


def chunks(items: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclass(slots=True)
class Rows:
    """One issue as table rows (without issue_id/repo_id), plus its digest."""

    issue: dict[str, Any]
    labels: list[dict[str, Any]]
    assignees: list[dict[str, Any]]
    reactions: list[dict[str, Any]]
    comments: list[dict[str, Any]]
    events: list[dict[str, Any]]


def to_rows(issue: Issue) -> Rows:
    reaction_rows = [
        {"target": ISSUE_TARGET, "content": k, "count": v} for k, v in issue.reactions.counts
    ]
    comment_rows = []
    for pos, c in enumerate(issue.comments):
        comment_rows.append(
            {
                "position": pos,
                "github_id": c.id,
                "author": c.author,
                "author_association": c.author_association.value,
                "body": c.body,
                "created_at": c.created_at,
                "updated_at": c.updated_at,
                "url": c.url,
            }
        )
        reaction_rows.extend(
            {"target": pos, "content": k, "count": v} for k, v in c.reactions.counts
        )
    row: dict[str, Any] = {
        "number": issue.number,
        "title": issue.title,
        "body": issue.body,
        "author": issue.author,
        "author_association": issue.author_association.value,
        "state": issue.state.value,
        "state_reason": issue.state_reason.value if issue.state_reason else None,
        "created_at": issue.created_at,
        "updated_at": issue.updated_at,
        "closed_at": issue.closed_at,
        "milestone": issue.milestone,
        "url": issue.url,
        "locked": issue.locked,
        "comments_count": len(issue.comments),
        "reactions_total": issue.reactions.total,
    }
    out = Rows(
        issue=row,
        labels=[{"position": i, "name": n} for i, n in enumerate(issue.labels)],
        assignees=[{"position": i, "login": n} for i, n in enumerate(issue.assignees)],
        reactions=reaction_rows,
        comments=comment_rows,
        events=[
            {
                "position": i,
                "kind": e.kind.value,
                "actor": e.actor,
                "at": e.at,
                "subject": e.subject,
            }
            for i, e in enumerate(issue.events)
        ],
    )
    row["content_hash"] = digest(out)
    return out


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"cannot digest {type(value).__name__}")


def digest(rows: Rows) -> str:
    """sha1 of every stored field (before ids and the digest itself are added).

    Canonical JSON (timestamps as ISO 8601), so the digest does not change with
    the Python version: equal issues give equal digests on every backend, and an
    upgrade does not mark every stored issue as updated.
    """
    payload = json.dumps(
        [
            [v for k, v in rows.issue.items() if k not in ("content_hash", "repo_id")],
            [r["name"] for r in rows.labels],
            [r["login"] for r in rows.assignees],
            [list(r.values()) for r in rows.reactions],
            [list(r.values()) for r in rows.comments],
            [list(r.values()) for r in rows.events],
        ],
        default=_plain,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha1(payload.encode("utf-8", "surrogatepass"), usedforsecurity=False).hexdigest()


def bulk_insert(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """INSERT ``rows`` with the driver's executemany (COPY on PostgreSQL), past
    SQLAlchemy's per-row work.

    The statement is compiled once for the dialect and the column types' bind
    processors (UTC timestamps, booleans) are applied here, so the values are the
    ones SQLAlchemy itself would send.
    """
    if not rows:
        return
    dialect = conn.dialect
    keys = list(rows[0])
    compiled = insert(table).compile(dialect=dialect, column_keys=keys)
    procs = {
        k: p
        for k in keys
        if (p := table.c[k].type.dialect_impl(dialect).bind_processor(dialect)) is not None
    }
    order = list(compiled.positiontup or keys) if compiled.positional else keys
    # column by column: map() and zip() keep the per-row work in C
    columns: list[Any] = []
    for k in order:
        values = [r[k] for r in rows]
        columns.append(list(map(procs[k], values)) if k in procs else values)
    tuples = zip(*columns, strict=True)
    if dialect.name == "postgresql":
        # COPY: PostgreSQL's bulk path, in the same transaction as everything else
        raw: Any = conn.connection.driver_connection
        names = ", ".join(f'"{k}"' for k in order)
        with raw.cursor() as cur, cur.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
            for row in tuples:
                copy.write_row(row)
        return
    params: list[Any] = (
        list(tuples) if compiled.positional else [dict(zip(order, t, strict=True)) for t in tuples]
    )
    conn.exec_driver_sql(compiled.string, params)


def _children(
    conn: Connection, ids: Sequence[int], tables: Sequence[Table]
) -> dict[str, dict[int, list[Any]]]:
    kids: dict[str, dict[int, list[Any]]] = {}
    for table in tables:
        grouped: dict[int, list[Any]] = defaultdict(list)
        order = (
            (table.c.issue_id, table.c.target, table.c.content)
            if table is reactions
            else (table.c.issue_id, table.c.position)
        )
        for part in chunks(ids):
            for row in conn.execute(
                select(table).where(table.c.issue_id.in_(part)).order_by(*order)
            ):
                grouped[row.issue_id].append(row)
        kids[table.name] = grouped
    return kids


def _reactions_by_target(rows: Sequence[Any]) -> dict[int, dict[str, int]]:
    react: dict[int, dict[str, int]] = defaultdict(dict)
    for x in rows:
        react[x.target][x.content] = x.count
    return react


def _comments(rows: Sequence[Any], react: dict[int, dict[str, int]]) -> tuple[Comment, ...]:
    return tuple(
        Comment(
            id=c.github_id,
            author=c.author,
            body=c.body,
            created_at=c.created_at,
            updated_at=c.updated_at,
            author_association=Association(c.author_association),
            reactions=Reactions.of(react.get(c.position, {})),
            url=c.url,
        )
        for c in rows
    )


def _events(rows: Sequence[Any]) -> tuple[IssueEvent, ...]:
    return tuple(IssueEvent(EventKind(e.kind), e.actor, e.at, e.subject) for e in rows)


def load_comments(conn: Connection, ids: Sequence[int]) -> dict[int, tuple[Comment, ...]]:
    """The stored comments (with their reactions) of ``ids``; issues without any are absent."""
    kids = _children(conn, ids, (comments, reactions))
    return {
        iid: _comments(rows, _reactions_by_target(kids["reactions"].get(iid, ())))
        for iid, rows in kids["comments"].items()
    }


def load_events(conn: Connection, ids: Sequence[int]) -> dict[int, tuple[IssueEvent, ...]]:
    """The stored events of ``ids``; issues without any are absent."""
    return {
        iid: _events(rows)
        for iid, rows in _children(conn, ids, (issue_events,))["issue_events"].items()
    }


def load_issues(conn: Connection, ids: Sequence[int]) -> dict[int, Issue]:
    """Assemble the aggregates of ``ids`` (a few queries, whatever the count)."""
    kids = _children(conn, ids, CHILDREN)
    out: dict[int, Issue] = {}
    for part in chunks(ids):
        q = (
            select(issues, repos.c.full_name)
            .join(repos, repos.c.id == issues.c.repo_id)
            .where(issues.c.id.in_(part))
        )
        for r in conn.execute(q):
            react = _reactions_by_target(kids["reactions"].get(r.id, ()))
            out[r.id] = Issue(
                ref=IssueRef(repo_of(r.full_name), r.number),
                title=r.title,
                body=r.body,
                author=r.author,
                created_at=r.created_at,
                updated_at=r.updated_at,
                state=IssueState(r.state),
                state_reason=CloseReason(r.state_reason) if r.state_reason else None,
                closed_at=r.closed_at,
                author_association=Association(r.author_association),
                labels=tuple(x.name for x in kids["issue_labels"].get(r.id, ())),
                assignees=tuple(x.login for x in kids["assignees"].get(r.id, ())),
                milestone=r.milestone,
                reactions=Reactions.of(react.get(ISSUE_TARGET, {})),
                comments=_comments(kids["comments"].get(r.id, ()), react),
                events=_events(kids["issue_events"].get(r.id, ())),
                url=r.url,
                locked=bool(r.locked),
            )
    return out


def repo_of(full_name: str) -> RepoRef:
    owner, name = full_name.split("/", 1)
    return RepoRef(owner, name)
