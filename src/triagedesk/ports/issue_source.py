"""Where a sync reads issues from (GitHub behind it) and where it keeps its place.

The sync use case (``app/sync.py``) asks a source for pages of whole issues
(labels, comments, reactions, events) and stores each page before it records the
cursor that follows it, so an interrupted sync resumes at the first page it had
not stored. A cheap conditional probe tells an unchanged repository apart
without spending rate limit (GitHub does not count 304 answers).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from triagedesk.domain.model import Issue, Label, RepoRef


@dataclass(frozen=True, slots=True)
class Probe:
    """The answer to "did anything change since these validators?"."""

    changed: bool
    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True, slots=True)
class IssuePage:
    """One page of issues, oldest update first."""

    issues: tuple[Issue, ...]
    #: pass as ``after`` to get the next page; None when the source gives none
    end_cursor: str | None
    has_next: bool
    #: issues matching the query in all (for a progress bar), if the source knows
    total: int | None = None
    #: HTTP requests this page cost, the page itself and its follow-ups
    requests: int = 1
    #: follow-up requests for issues with more than one page of comments or events
    followups: int = 0
    #: pull requests met and skipped (a REST source sees them; GraphQL never does)
    skipped_pulls: int = 0
    #: malformed issues skipped (logged with the reason)
    rejected: int = 0


class IssueSource(Protocol):
    def probe(self, repo: RepoRef, etag: str | None, last_modified: str | None) -> Probe:
        """One conditional request: has any issue of ``repo`` changed since the validators?"""
        ...

    def issue_page(self, repo: RepoRef, *, since: datetime | None, after: str | None) -> IssuePage:
        """Issues of ``repo`` updated at or after ``since`` (all when None), after ``after``."""
        ...


class LabelSource(Protocol):
    def list_labels(self, repo: RepoRef) -> list[Label]:
        """Every label defined on ``repo``."""
        ...


@dataclass(slots=True)
class SyncState:
    """Where one repository's sync stands."""

    repo: RepoRef
    #: cursor after the last stored page of the run in progress (None: no run in progress)
    cursor: str | None = None
    run_since: datetime | None = None
    run_full: bool = False
    run_started_at: datetime | None = None
    run_pages: int = 0
    run_issues: int = 0
    #: newest ``updated_at`` stored by a finished run
    high_water: datetime | None = None
    etag: str | None = None
    last_modified: str | None = None
    pending_etag: str | None = None
    pending_last_modified: str | None = None
    last_finished_at: datetime | None = None
    last_full_at: datetime | None = None

    @property
    def in_progress(self) -> bool:
        return self.run_started_at is not None


class SyncStateStore(Protocol):
    def get_state(self, repo: RepoRef) -> SyncState | None: ...

    def save_state(self, state: SyncState) -> None:
        """Insert or replace the state of ``state.repo`` (one transaction); the lease stays."""
        ...

    def lease(self, repo: RepoRef, owner: str, *, now: datetime, until: datetime) -> str | None:
        """Take or renew the right to sync ``repo`` until ``until``.

        Returns None when ``owner`` holds it now, else the owner holding an unexpired lease.
        """
        ...

    def release(self, repo: RepoRef, owner: str) -> None:
        """Give the lease up (if ``owner`` holds it)."""
        ...
