"""Sync: bring the store up to date with the tracker, cheaply, resumably.

Per repository:

1. A run in progress (the cursor is stored) is resumed where it stopped, with the
   ``since`` it started with, unless ``--full`` asks for a new full run.
2. Otherwise one conditional probe asks whether anything changed since the last
   finished run (``If-None-Match``/``If-Modified-Since``). Unchanged: done, one
   request answered 304, which GitHub does not count against the rate limit.
3. Changed (or never synced, or ``--full``): pages of issues updated at or after
   the high-water mark (all issues for a full run), oldest update first. Each page
   is stored *before* the cursor after it is saved, so a crash or a rate limit
   costs at most one page of work to redo, and re-storing an unchanged issue
   changes nothing.
4. The run finishes by promoting the probe's validators and clearing the cursor.

Rate limits stop the whole sync cleanly (the limit is shared by all
repositories); other tracker errors stop only the repository they hit.

A lease on each repository's state row (renewed after every page, expiring after
``LEASE_SECONDS`` if its holder dies) keeps two syncs (a person's and the
schedule's reconciliation, or two processes) from working the same repository at
once; the second one reports the repository as ``busy``.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from triagedesk.domain.errors import NotFoundError, RateLimited, TrackerError
from triagedesk.domain.model import IssueRef, RepoRef
from triagedesk.ports.issue_source import IssueSource, SyncState, SyncStateStore
from triagedesk.ports.store import IssueStore

#: a sync's hold on a repository lapses this long after its last page (if it died)
LEASE_SECONDS = 900


@dataclass
class RepoSync:
    """What one repository's sync did."""

    repo: str
    #: full | incremental | resumed | unchanged | skipped | busy
    mode: str
    pages: int = 0
    issues: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    requests: int = 0
    followups: int = 0
    skipped_pulls: int = 0
    rejected: int = 0
    finished: bool = False
    error: str = ""
    #: issues an incremental run stored (changed since the last run), for the features
    #: that react to changes (a reconciliation after missed webhooks); empty for full runs
    touched: list[IssueRef] = field(default_factory=list)
    #: the touched issues created since the last run: webhook "opened" deliveries may be missing
    opened: list[IssueRef] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        out = {k: v for k, v in self.__dict__.items() if k not in ("touched", "opened")}
        out["touched"] = len(self.touched)
        out["opened"] = len(self.opened)
        return out


@dataclass
class SyncReport:
    repos: list[RepoSync] = field(default_factory=list)
    #: why the sync stopped early ("" when every repository finished)
    stopped: str = ""
    #: epoch second a rate limit resets, when that is why it stopped
    reset_at: float | None = None

    @property
    def ok(self) -> bool:
        return not self.stopped and all(r.finished for r in self.repos)

    def to_dict(self) -> dict[str, object]:
        return {
            "ok": self.ok,
            "stopped": self.stopped,
            "reset_at": self.reset_at,
            "repos": [r.to_dict() for r in self.repos],
        }


@dataclass(frozen=True, slots=True)
class Progress:
    repo: str
    done: int
    total: int | None


ProgressFn = Callable[[Progress], None]


def sync_repos(
    source: IssueSource,
    store: IssueStore,
    states: SyncStateStore,
    repos: Sequence[RepoRef],
    *,
    now: Callable[[], datetime],
    full: bool = False,
    progress: ProgressFn | None = None,
    owner: str | None = None,
) -> SyncReport:
    """Sync each repository in turn; see the module docstring for the rules."""
    report = SyncReport()
    owner = owner or f"sync-{uuid.uuid4().hex[:12]}"
    lease = timedelta(seconds=LEASE_SECONDS)
    for i, repo in enumerate(repos):
        entry = RepoSync(repo.full_name, mode="skipped")
        report.repos.append(entry)
        at = now()
        holder = states.lease(repo, owner, now=at, until=at + lease)
        if holder is not None:
            entry.mode = "busy"
            entry.error = f"another sync ({holder}) is working on {repo}"
            continue

        def renew(repo: RepoRef = repo) -> None:
            t = now()
            states.lease(repo, owner, now=t, until=t + lease)

        try:
            _sync_one(
                source,
                store,
                states,
                repo,
                entry,
                now=now,
                full=full,
                progress=progress,
                renew=renew,
            )
        except RateLimited as exc:
            entry.error = str(exc)
            report.stopped = f"rate limited: {exc}"
            report.reset_at = exc.reset_at
            report.repos.extend(RepoSync(r.full_name, mode="skipped") for r in repos[i + 1 :])
            break
        except (TrackerError, NotFoundError) as exc:
            entry.error = str(exc)
            report.stopped = f"{repo}: {exc}"
        finally:
            states.release(repo, owner)
    return report


def _sync_one(
    source: IssueSource,
    store: IssueStore,
    states: SyncStateStore,
    repo: RepoRef,
    entry: RepoSync,
    *,
    now: Callable[[], datetime],
    full: bool,
    progress: ProgressFn | None,
    renew: Callable[[], None],
) -> None:
    state = states.get_state(repo) or SyncState(repo=repo)
    if state.in_progress and (state.run_full or not full):
        entry.mode = "resumed"
    else:
        incremental = not full and state.high_water is not None
        probe = source.probe(
            repo,
            state.etag if incremental else None,
            state.last_modified if incremental else None,
        )
        entry.requests += 1
        if incremental and not probe.changed:
            entry.mode = "unchanged"
            entry.finished = True
            return
        entry.mode = "incremental" if incremental else "full"
        state.cursor = None
        state.run_since = state.high_water if incremental else None
        state.run_full = not incremental
        state.run_started_at = now()
        state.run_pages = 0
        state.run_issues = 0
        state.pending_etag = probe.etag
        state.pending_last_modified = probe.last_modified
        states.save_state(state)

    while True:
        page = source.issue_page(repo, since=state.run_since, after=state.cursor)
        entry.requests += page.requests
        entry.followups += page.followups
        entry.skipped_pulls += page.skipped_pulls
        entry.rejected += page.rejected
        if page.issues:
            if not state.run_full:
                entry.touched.extend(issue.ref for issue in page.issues)
                since = state.run_since
                entry.opened.extend(
                    issue.ref
                    for issue in page.issues
                    if since is not None and issue.created_at > since
                )
            result = store.upsert_issues(page.issues)
            entry.inserted += result.inserted
            entry.updated += result.updated
            entry.unchanged += result.unchanged
            newest = max(issue.updated_at for issue in page.issues)
            if state.high_water is None or newest > state.high_water:
                state.high_water = newest
        entry.pages += 1
        entry.issues += len(page.issues)
        state.run_pages += 1
        state.run_issues += len(page.issues)
        if page.has_next and page.end_cursor in (None, state.cursor):
            # a source that says "more" without moving would loop forever
            raise TrackerError(f"{repo}: the tracker answered a page whose cursor does not advance")
        if page.end_cursor is not None:
            state.cursor = page.end_cursor
        if not page.has_next:
            break
        states.save_state(state)
        renew()
        if progress is not None:
            progress(Progress(repo.full_name, state.run_issues, page.total))

    finished = now()
    state.cursor = None
    state.run_started_at = None
    state.etag = state.pending_etag
    state.last_modified = state.pending_last_modified
    state.pending_etag = None
    state.pending_last_modified = None
    state.last_finished_at = finished
    if state.run_full:
        state.last_full_at = finished
    states.save_state(state)
    entry.finished = True
    if progress is not None:
        progress(Progress(repo.full_name, state.run_issues, state.run_issues))
