"""The report feature's ports: bulk read queries, the archive, and scheduled job claims."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from triagedesk.domain.facts import IssueFacts
from triagedesk.domain.model import Issue


@dataclass(frozen=True, slots=True)
class ReportInputs:
    """Everything a report reads from the store, for a set of repositories."""

    #: issues created before ``until`` that were open at ``relevant_since`` or opened after
    #: it; label events only for issues open at some point of the period
    facts: list[IssueFacts]
    #: repository → issues left out of ``facts``: opened and closed before ``relevant_since``
    closed_earlier: dict[str, int] = field(default_factory=dict)
    #: creation and final-close times of every issue created before ``until``, sorted
    created_times: list[datetime] = field(default_factory=list)
    closed_times: list[datetime] = field(default_factory=list)
    #: issue key ("owner/name#N") → comments created in the period
    comments_in_period: dict[str, int] = field(default_factory=dict)
    #: canonical issue key → issues marked as its duplicate in the period, from the
    #: ``marked_as_duplicate`` events that name it
    new_duplicates: dict[str, int] = field(default_factory=dict)
    #: keys of issues marked as a duplicate of another (ever): already linked
    linked: frozenset[str] = frozenset()
    #: title and body of the issues opened in the period, by key
    bodies: dict[str, str] = field(default_factory=dict)
    #: titles of the issues in ``new_duplicates`` and ``comments_in_period`` (which may be
    #: old, closed, or elsewhere)
    titles: dict[str, str] = field(default_factory=dict)
    #: total reactions of the issues in ``comments_in_period``
    reactions: dict[str, int] = field(default_factory=dict)
    #: full aggregates of the issues closed or marked as a duplicate in the period
    duplicate_issues: list[Issue] = field(default_factory=list)


class ReportSource(Protocol):
    def report_inputs(
        self,
        repos: Sequence[str],
        *,
        until: datetime,
        period_start: datetime,
        relevant_since: datetime,
    ) -> ReportInputs:
        """Issues of ``repos`` created before ``until`` and the period's activity
        (comments, duplicates, bodies of new issues) in ``[period_start, until)``."""
        ...

    def version_first_seen(
        self, versions: Sequence[str], repos: Sequence[str]
    ) -> dict[str, datetime]:
        """When each version was first seen: its release, or the first issue mentioning it."""
        ...

    def titles(self, keys: Sequence[str]) -> dict[str, str]:
        """Titles of issues by key (``owner/name#N``); unknown keys are left out."""
        ...

    def public_repos(self) -> list[str]:
        """Repositories that have issues stored, by name."""
        ...


@dataclass(frozen=True, slots=True)
class ArchivedReport:
    id: int
    period: str
    period_start: datetime
    period_end: datetime
    repos: str
    created_at: datetime
    updated_at: datetime
    markdown: str
    html: str
    json: str
    #: channel → when it went out
    sent: dict[str, datetime] = field(default_factory=dict)


class ReportArchive(Protocol):
    def save(
        self,
        *,
        period: str,
        period_start: datetime,
        period_end: datetime,
        repos: str,
        markdown: str,
        html: str,
        json: str,
        at: datetime,
    ) -> ArchivedReport:
        """Store a report; the same (period, repos) again replaces its contents, keeps its sends."""
        ...

    def find(self, period: str, repos: str) -> ArchivedReport | None: ...

    def get(self, report_id: int) -> ArchivedReport | None: ...

    def list(self, limit: int = 100) -> list[ArchivedReport]:
        """Newest period first."""
        ...

    def mark_sent(self, report_id: int, channel: str, *, at: datetime, detail: str = "") -> None:
        """Record a delivery (a second one for the same channel replaces the first)."""
        ...


class JobRuns(Protocol):
    def claim(self, job: str, period: str, *, at: datetime) -> bool:
        """True when this caller now owns (job, period); False when it ran or runs already."""
        ...

    def finish(
        self, job: str, period: str, *, at: datetime, ok: bool, detail: str = ""
    ) -> None: ...

    def runs(self, job: str | None = None, limit: int = 100) -> list[dict[str, object]]: ...
