"""The report's read queries: what a report over 100k issues needs, in a few bulk queries.

They do not assemble Issue aggregates: a report needs a handful of columns per
issue, the current labels of the recent and open ones, the label events of the
issues open during the period, and a few GROUP BY counts. Each is one query.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from operator import attrgetter
from typing import Any

from sqlalchemy import String, and_, func, or_, select, type_coerce
from sqlalchemy.engine import Engine

from triagedesk.adapters.store.db import translated
from triagedesk.adapters.store.issue_rows import load_issues
from triagedesk.adapters.store.tables.core import (
    assignees,
    comments,
    issue_events,
    issue_labels,
    issues,
    repos,
)
from triagedesk.adapters.store.tables.github import releases
from triagedesk.domain.facts import IssueFacts, LabelChange
from triagedesk.ports.reports import ReportInputs

_REF_RE = re.compile(r"(?:([A-Za-z0-9._-]+/[A-Za-z0-9._-]+)(?:#|/issues/))?#?(\d+)\s*$")


def _parse_text(value: str) -> datetime:
    """A timestamp SQLite keeps as UTC wall-clock text, read without SQLAlchemy's per-value
    processing (the bulk path); appending the offset is several times faster than
    ``.replace(tzinfo=UTC)``."""
    return datetime.fromisoformat(value + "+00:00")


def _parse_value(value: str | datetime) -> datetime:
    """A timestamp as PostgreSQL (an aware datetime) or SQLite (text) gives it."""
    if isinstance(value, datetime):
        return value.astimezone(UTC)
    return _parse_text(value)


def _stamps(dialect: str) -> tuple[Callable[[Any], Any], Callable[[Any], datetime]]:
    """How the bulk queries select a timestamp column, and how a selected value is read.

    SQLite keeps UTC wall-clock text: the query appends the offset, so that
    :meth:`datetime.fromisoformat` (a C function, no Python frame per value) reads it as is.
    """
    if dialect == "sqlite":
        return (lambda col: type_coerce(col, String) + "+00:00"), datetime.fromisoformat
    return (lambda col: type_coerce(col, String)), _parse_value


_at = attrgetter("at")


def _tuples(conn: Any, stmt: Any) -> Sequence[Any]:
    """All rows as the driver's plain tuples: for columns that need no result processing
    (integers, text, and timestamps read as text), Row objects only cost time."""
    result = conn.execute(stmt)
    try:
        return result.cursor.fetchall()  # type: ignore[no-any-return]
    finally:
        result.close()


def _chunks(ids: list[int], size: int) -> Iterator[list[int]]:
    for i in range(0, len(ids), size):
        yield ids[i : i + size]


def _grouped(conn: Any, stmt: Any) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    for key, value in _tuples(conn, stmt):
        out.setdefault(key, []).append(value)
    return out


def _canonical(subject: str, default_repo: str) -> str | None:
    m = _REF_RE.search(subject.strip())
    if not m:
        return None
    return f"{m.group(1) or default_repo}#{m.group(2)}"


class SqlReportSource:
    """:class:`triagedesk.ports.reports.ReportSource` on the core tables."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def public_repos(self) -> list[str]:
        with translated(), self.engine.connect() as conn:
            rows = conn.execute(
                select(repos.c.full_name)
                .where(repos.c.visibility == "public")
                .order_by(repos.c.full_name)
            ).all()
        return [r[0] for r in rows]

    def report_inputs(
        self,
        repos_in: Sequence[str],
        *,
        until: datetime,
        period_start: datetime,
        relevant_since: datetime,
    ) -> ReportInputs:
        names = list(repos_in)
        stamp, parse = _stamps(self.engine.dialect.name)
        with translated(), self.engine.connect() as conn:
            repo_ids = dict(
                conn.execute(
                    select(repos.c.id, repos.c.full_name).where(repos.c.full_name.in_(names))
                ).all()
            )
            if not repo_ids:
                return ReportInputs(facts=[], closed_earlier=dict.fromkeys(names, 0))
            base = and_(issues.c.repo_id.in_(list(repo_ids)), issues.c.created_at < until)
            # one scan of the issues; children are read for the relevant ones only
            rows = _tuples(
                conn,
                select(
                    issues.c.id,
                    issues.c.repo_id,
                    issues.c.number,
                    issues.c.title,
                    stamp(issues.c.created_at),
                    stamp(issues.c.closed_at),
                    issues.c.state,
                    issues.c.state_reason,
                    issues.c.reactions_total,
                    issues.c.comments_count,
                ).where(base),
            )
            # facts are needed for issues open at relevant_since or opened after it; label
            # history for issues open at some point of the period
            relevant = or_(
                issues.c.state == "open",
                issues.c.closed_at.is_(None),
                issues.c.closed_at >= relevant_since,
                issues.c.created_at >= relevant_since,
            )
            active = or_(
                issues.c.state == "open",
                issues.c.closed_at.is_(None),
                issues.c.closed_at >= period_start,
            )
            labels = _grouped(
                conn,
                select(issue_labels.c.issue_id, issue_labels.c.name)
                .join(issues, issues.c.id == issue_labels.c.issue_id)
                .where(base, relevant)
                # the order the issues index is walked in: no sort (position order
                # within an issue is all that matters)
                .order_by(issues.c.repo_id, issues.c.number, issue_labels.c.position),
            )
            people = _grouped(
                conn,
                select(assignees.c.issue_id, assignees.c.login).order_by(
                    assignees.c.issue_id, assignees.c.position
                ),
            )
            events: dict[int, list[LabelChange]] = {}
            # coalesce(kind) keeps SQLite from the kind index: walking the primary key
            # per issue is several times faster than sorting every label event
            for iid, kind, at, subject in _tuples(
                conn,
                select(
                    issue_events.c.issue_id,
                    issue_events.c.kind,
                    stamp(issue_events.c.at),
                    issue_events.c.subject,
                )
                .join(issues, issues.c.id == issue_events.c.issue_id)
                .where(
                    base,
                    active,
                    func.coalesce(issue_events.c.kind, "").in_(("labeled", "unlabeled")),
                )
                .order_by(issues.c.repo_id, issues.c.number, issue_events.c.position),
            ):
                events.setdefault(iid, []).append(
                    LabelChange(parse(at), kind == "labeled", subject)
                )
            comment_rows = _tuples(
                conn,
                select(comments.c.issue_id, func.count())
                .where(comments.c.created_at >= period_start, comments.c.created_at < until)
                .group_by(comments.c.issue_id),
            )
            dup_rows = _tuples(
                conn,
                select(
                    issue_events.c.issue_id,
                    stamp(issue_events.c.at),
                    issue_events.c.subject,
                ).where(issue_events.c.kind == "marked_as_duplicate"),
            )
            new_ids: list[int] = []
            by_id: dict[int, Any] = {row[0]: row for row in rows}
            facts: list[IssueFacts] = []
            created_times: list[datetime] = []
            closed_times: list[datetime] = []
            closed_earlier = dict.fromkeys(names, 0)
            dup_ids: set[int] = set()
            dup_reason: set[int] = set()
            for row in rows:
                iid, rid, number, title, created_s, closed_s, state, reason, reactions, n = row
                created = parse(created_s)
                created_times.append(created)
                closed: datetime | None = None
                if state == "closed" and closed_s is not None:
                    closed = parse(closed_s)
                    closed_times.append(closed)
                    if reason == "duplicate":
                        dup_reason.add(iid)
                        if period_start <= closed < until:
                            dup_ids.add(iid)
                    if closed < relevant_since and created < relevant_since:
                        closed_earlier[repo_ids[rid]] += 1
                        continue
                if created >= period_start:
                    new_ids.append(iid)
                facts.append(
                    IssueFacts(
                        repo=repo_ids[rid],
                        number=number,
                        created_at=created,
                        closed_at=closed,
                        labels=tuple(labels.get(iid, ())),
                        assignees=tuple(people.get(iid, ())),
                        label_events=tuple(sorted(events[iid], key=_at)) if iid in events else (),
                        title=title,
                        reactions=reactions,
                        comments=n,
                    )
                )

            def key_of(iid: int) -> str:
                r = by_id[iid]
                return f"{repo_ids[r[1]]}#{r[2]}"

            bodies: dict[str, str] = {}
            for chunk in _chunks(new_ids, 500):
                for iid, title, body in conn.execute(
                    select(issues.c.id, issues.c.title, issues.c.body).where(issues.c.id.in_(chunk))
                ):
                    bodies[key_of(iid)] = f"{title}\n\n{body}"
            new_dups: dict[str, int] = {}
            marked: set[int] = set()
            for iid, at, subject in dup_rows:
                if iid not in by_id:
                    continue
                marked.add(iid)
                if parse(at) < period_start:
                    continue
                dup_ids.add(iid)
                target = _canonical(subject, repo_ids[by_id[iid][1]])
                if target is not None:
                    new_dups[target] = new_dups.get(target, 0) + 1
            # among the new issues, those already linked as a duplicate of another
            linked = {key_of(i) for i in new_ids if i in dup_reason or i in marked}
            # the whole aggregate of each issue closed as a duplicate in the period: the
            # issue it repeats is often named only in a team comment
            dup_issues = list(load_issues(conn, sorted(dup_ids)).values()) if dup_ids else []
            titles = self._titles(conn, list(new_dups)) if new_dups else {}
        created_times.sort()
        closed_times.sort()
        in_period: dict[str, int] = {}
        reactions_of: dict[str, int] = {}
        for iid, count in comment_rows:
            if iid in by_id:
                key = key_of(iid)
                in_period[key] = count
                titles[key] = by_id[iid][3]
                reactions_of[key] = by_id[iid][8]
        return ReportInputs(
            facts=facts,
            closed_earlier=closed_earlier,
            created_times=created_times,
            closed_times=closed_times,
            comments_in_period=in_period,
            new_duplicates=new_dups,
            linked=frozenset(linked),
            bodies=bodies,
            titles=titles,
            reactions=reactions_of,
            duplicate_issues=dup_issues,
        )

    def titles(self, keys: Sequence[str]) -> dict[str, str]:
        with translated(), self.engine.connect() as conn:
            return self._titles(conn, list(keys))

    @staticmethod
    def _titles(conn: Any, keys: list[str]) -> dict[str, str]:
        """Titles of ``owner/name#N`` keys in other repositories."""
        wanted: dict[str, list[int]] = {}
        for key in keys:
            repo, _, number = key.rpartition("#")
            if number.isdigit():
                wanted.setdefault(repo, []).append(int(number))
        out: dict[str, str] = {}
        for repo, numbers in wanted.items():
            for number, title in conn.execute(
                select(issues.c.number, issues.c.title)
                .join(repos, repos.c.id == issues.c.repo_id)
                .where(repos.c.full_name == repo, issues.c.number.in_(numbers[:500]))
            ):
                out[f"{repo}#{number}"] = title
        return out

    def version_first_seen(
        self, versions: Sequence[str], repos_in: Sequence[str]
    ) -> dict[str, datetime]:
        out: dict[str, datetime] = {}
        joined = issues.join(repos, repos.c.id == issues.c.repo_id)
        with translated(), self.engine.connect() as conn:
            for v in versions:
                seen: list[datetime] = []
                rel = conn.execute(
                    select(func.min(releases.c.published_at)).where(
                        releases.c.version.in_((v, f"v{v}"))
                    )
                ).scalar()
                if rel is not None:
                    seen.append(rel)
                pattern = (
                    "%" + v.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
                )
                first = conn.execute(
                    select(func.min(issues.c.created_at))
                    .select_from(joined)
                    .where(
                        repos.c.full_name.in_(list(repos_in)),
                        issues.c.body.like(pattern, escape="\\"),
                    )
                ).scalar()
                if first is not None:
                    seen.append(first)
                if seen:
                    out[v] = min(seen)
        return out
