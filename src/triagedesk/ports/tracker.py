"""The issue tracker as the write-back layer sees it (GitHub behind it; a fake in tests).

Every method is one small read or write; ``app/apply.py`` composes them into
idempotent actions (read, compare, change only what differs).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from triagedesk.domain.model import CloseReason, Comment, Issue, IssueRef, IssueState, RepoRef


class Tracker(Protocol):
    def fetch_issue(self, ref: IssueRef) -> Issue:
        """The issue as the tracker has it now: labels, state, assignees (comments may be empty)."""
        ...

    def list_comments(self, ref: IssueRef) -> list[Comment]: ...

    def add_labels(self, ref: IssueRef, labels: Sequence[str]) -> None: ...

    def remove_label(self, ref: IssueRef, label: str) -> None: ...

    def create_comment(self, ref: IssueRef, body: str) -> int:
        """Post a comment; returns its id."""
        ...

    def update_comment(self, repo: RepoRef, comment_id: int, body: str) -> None: ...

    def set_state(self, ref: IssueRef, state: IssueState, reason: CloseReason | None) -> None: ...

    def add_assignees(self, ref: IssueRef, logins: Sequence[str]) -> None: ...

    def find_issue_with_marker(self, repo: RepoRef, marker: str) -> IssueRef | None:
        """An issue of ``repo`` whose body carries ``marker`` (the hidden HTML comment), if any."""
        ...

    def create_issue(
        self,
        repo: RepoRef,
        title: str,
        body: str,
        labels: Sequence[str] = (),
        assignees: Sequence[str] = (),
    ) -> IssueRef: ...

    def ensure_label(self, repo: RepoRef, name: str, color: str, description: str) -> str:
        """Create or update a label; returns "created", "updated" or "unchanged"."""
        ...
