"""In-memory fakes of :mod:`triagedesk.ports.issue_source`: a source and a sync-state store.

The source serves pages of domain issues ordered by (updated_at, number), honours
``since`` (at or after) and a cursor that is the sort key of the last issue, and
answers the probe "changed" whenever any issue changed since the version the
validators name. ``fail_after`` makes the N-th next ``issue_page`` raise, to
interrupt a sync.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from triagedesk.domain.errors import TrackerUnavailable
from triagedesk.domain.model import Issue, Label, RepoRef
from triagedesk.ports.issue_source import IssuePage, Probe, SyncState


@dataclass
class FakeIssueSource:
    issues: dict[RepoRef, dict[int, Issue]] = field(default_factory=dict)
    labels: dict[RepoRef, list[Label]] = field(default_factory=dict)
    page_size: int = 100
    #: bumped on every change: the probe's ETag
    version: int = 0
    #: every call, in order: ("probe" | "page", repo)
    calls: list[tuple[str, str]] = field(default_factory=list)
    #: raise TrackerUnavailable on the page request this many calls from now (None: never)
    fail_after: int | None = None

    def put(self, issue: Issue) -> None:
        self.issues.setdefault(issue.repo, {})[issue.number] = issue
        self.version += 1

    def touch(self, issue: Issue, at: datetime, **changes: object) -> Issue:
        changed = replace(issue, updated_at=at, **changes)  # type: ignore[arg-type]
        self.put(changed)
        return changed

    def probe(self, repo: RepoRef, etag: str | None, last_modified: str | None) -> Probe:
        self.calls.append(("probe", str(repo)))
        current = f'"v{self.version}"'
        return Probe(etag != current, current, None)

    def issue_page(self, repo: RepoRef, *, since: datetime | None, after: str | None) -> IssuePage:
        self.calls.append(("page", str(repo)))
        if self.fail_after is not None:
            if self.fail_after == 0:
                self.fail_after = None
                raise TrackerUnavailable("injected: GitHub answered 502")
            self.fail_after -= 1
        rows = sorted(self.issues.get(repo, {}).values(), key=lambda i: (i.updated_at, i.number))
        if since is not None:
            rows = [i for i in rows if i.updated_at >= since]
        total = len(rows)
        if after:
            ts, _, num = after.partition("|")
            key = (datetime.fromisoformat(ts), int(num))
            rows = [i for i in rows if (i.updated_at, i.number) > key]
        chunk = rows[: self.page_size]
        cursor = f"{chunk[-1].updated_at.isoformat()}|{chunk[-1].number}" if chunk else after
        return IssuePage(tuple(chunk), cursor, len(rows) > len(chunk), total)

    def list_labels(self, repo: RepoRef) -> list[Label]:
        return list(self.labels.get(repo, []))


@dataclass
class FakeSyncState:
    states: dict[RepoRef, SyncState] = field(default_factory=dict)
    leases: dict[RepoRef, tuple[str, datetime]] = field(default_factory=dict)

    def get_state(self, repo: RepoRef) -> SyncState | None:
        state = self.states.get(repo)
        return None if state is None else replace(state)

    def save_state(self, state: SyncState) -> None:
        self.states[state.repo] = replace(state)

    def lease(self, repo: RepoRef, owner: str, *, now: datetime, until: datetime) -> str | None:
        held = self.leases.get(repo)
        if held is not None and held[0] != owner and held[1] >= now:
            return held[0]
        self.leases[repo] = (owner, until)
        return None

    def release(self, repo: RepoRef, owner: str) -> None:
        if repo in self.leases and self.leases[repo][0] == owner:
            del self.leases[repo]
