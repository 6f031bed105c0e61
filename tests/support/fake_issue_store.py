"""An in-memory :class:`triagedesk.ports.store.IssueStore` for use-case tests."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from triagedesk.domain.model import Issue, IssueRef, RepoRef
from triagedesk.domain.workflow import StatusChange
from triagedesk.ports.store import IssueStore, UpsertResult


@dataclass
class FakeIssueStore:
    issues: dict[IssueRef, Issue] = field(default_factory=dict)
    changes: list[StatusChange] = field(default_factory=list)

    def upsert_issues(self, issues: Iterable[Issue]) -> UpsertResult:
        result = UpsertResult()
        for issue in issues:
            old = self.issues.get(issue.ref)
            if old == issue:
                result += UpsertResult(unchanged=1)
            elif old is None:
                result += UpsertResult(inserted=1)
            else:
                result += UpsertResult(updated=1)
            self.issues[issue.ref] = issue
        return result

    def get_issue(self, ref: IssueRef) -> Issue | None:
        return self.issues.get(ref)

    def iter_issues(self, repo: RepoRef | None = None) -> Iterator[Issue]:
        for ref in sorted(self.issues):
            if repo is None or ref.repo == repo:
                yield self.issues[ref]

    def count_issues(self, repo: RepoRef | None = None) -> int:
        return sum(1 for _ in self.iter_issues(repo))

    def repos(self) -> list[RepoRef]:
        return sorted({r.repo for r in self.issues})

    def record_status_change(self, change: StatusChange) -> None:
        self.changes.append(change)

    def status_history(self, ref: IssueRef) -> list[StatusChange]:
        return [c for c in self.changes if c.issue == ref]


def _typed(s: FakeIssueStore) -> IssueStore:
    return s
