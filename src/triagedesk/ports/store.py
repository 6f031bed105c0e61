"""The issue store: the aggregate Issue in, the aggregate Issue out."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Protocol

from triagedesk.domain.model import Issue, IssueRef, RepoRef
from triagedesk.domain.workflow import StatusChange


@dataclass(frozen=True, slots=True)
class UpsertResult:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0

    def __add__(self, other: UpsertResult) -> UpsertResult:
        return UpsertResult(
            self.inserted + other.inserted,
            self.updated + other.updated,
            self.unchanged + other.unchanged,
        )


class IssueStore(Protocol):
    def upsert_issues(self, issues: Iterable[Issue]) -> UpsertResult:
        """Insert or update in one transaction; an issue equal to the stored one changes nothing."""
        ...

    def get_issue(self, ref: IssueRef) -> Issue | None: ...

    def iter_issues(self, repo: RepoRef | None = None) -> Iterator[Issue]:
        """Every stored issue (of ``repo``), ordered by repository and number, streamed."""
        ...

    def count_issues(self, repo: RepoRef | None = None) -> int: ...

    def repos(self) -> list[RepoRef]: ...

    def record_status_change(self, change: StatusChange) -> None: ...

    def status_history(self, ref: IssueRef) -> list[StatusChange]: ...
