"""The one shared in-memory fake of :class:`triagedesk.ports.tracker.Tracker`.

It keeps issues, comments and labels the way GitHub does (labels are
case-insensitive on add, adding an existing label is a no-op, removing a
missing label is a 404) and logs every write in ``writes`` so tests can check
that an idempotent apply sends nothing the second time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from triagedesk.domain.errors import NotFoundError, TrackerError
from triagedesk.domain.model import (
    CloseReason,
    Comment,
    Issue,
    IssueRef,
    IssueState,
    Label,
    RepoRef,
)
from triagedesk.ports.tracker import Tracker

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


@dataclass
class FakeTracker:
    """An in-memory tracker. ``bot`` is the login its writes are made as."""

    bot: str = "triagedesk[bot]"
    issues: dict[IssueRef, Issue] = field(default_factory=dict)
    comments: dict[IssueRef, list[Comment]] = field(default_factory=dict)
    labels: dict[RepoRef, dict[str, Label]] = field(default_factory=dict)
    #: every write, in order: (method, argument summary)
    writes: list[tuple[str, str]] = field(default_factory=list)
    #: method names that raise TrackerError (to test FAILED records)
    failing: set[str] = field(default_factory=set)
    _clock: datetime = T0
    _next_comment: int = 1000

    # --- set-up helpers (tests only) ---------------------------------------------------------

    def put(self, issue: Issue) -> Issue:
        self.issues[issue.ref] = replace(issue, comments=())
        self.comments.setdefault(issue.ref, list(issue.comments))
        return issue

    def tick(self) -> datetime:
        self._clock += timedelta(seconds=1)
        return self._clock

    def _issue(self, ref: IssueRef) -> Issue:
        issue = self.issues.get(ref)
        if issue is None:
            raise NotFoundError(f"{ref}: no such issue")
        return issue

    def _write(self, method: str, detail: str) -> None:
        if method in self.failing:
            raise TrackerError(f"{method} failed (injected)")
        self.writes.append((method, detail))

    # --- Tracker -----------------------------------------------------------------------------

    def fetch_issue(self, ref: IssueRef) -> Issue:
        return self._issue(ref)

    def list_comments(self, ref: IssueRef) -> list[Comment]:
        self._issue(ref)
        return list(self.comments.get(ref, []))

    def add_labels(self, ref: IssueRef, labels: Sequence[str]) -> None:
        issue = self._issue(ref)
        self._write("add_labels", f"{ref} {','.join(labels)}")
        have = list(issue.labels)
        for name in labels:
            if not any(h.lower() == name.lower() for h in have):
                have.append(name)
        self.issues[ref] = replace(issue, labels=tuple(have), updated_at=self.tick())

    def remove_label(self, ref: IssueRef, label: str) -> None:
        issue = self._issue(ref)
        if not any(h.lower() == label.lower() for h in issue.labels):
            raise NotFoundError(f"{ref}: label {label!r} is not on the issue")
        self._write("remove_label", f"{ref} {label}")
        kept = tuple(h for h in issue.labels if h.lower() != label.lower())
        self.issues[ref] = replace(issue, labels=kept, updated_at=self.tick())

    def create_comment(self, ref: IssueRef, body: str) -> int:
        self._issue(ref)
        self._write("create_comment", f"{ref} {len(body)} chars")
        self._next_comment += 1
        at = self.tick()
        self.comments.setdefault(ref, []).append(
            Comment(id=self._next_comment, author=self.bot, body=body, created_at=at)
        )
        return self._next_comment

    def update_comment(self, repo: RepoRef, comment_id: int, body: str) -> None:
        for ref, comments in self.comments.items():
            if ref.repo != repo:
                continue
            for i, c in enumerate(comments):
                if c.id == comment_id:
                    self._write("update_comment", f"{repo} {comment_id}")
                    comments[i] = replace(c, body=body, updated_at=self.tick())
                    return
        raise NotFoundError(f"{repo}: no comment {comment_id}")

    def set_state(self, ref: IssueRef, state: IssueState, reason: CloseReason | None) -> None:
        issue = self._issue(ref)
        self._write("set_state", f"{ref} {state.value} {reason.value if reason else ''}")
        at = self.tick()
        self.issues[ref] = replace(
            issue,
            state=state,
            state_reason=reason,
            closed_at=at if state is IssueState.CLOSED else None,
            updated_at=at,
        )

    def add_assignees(self, ref: IssueRef, logins: Sequence[str]) -> None:
        issue = self._issue(ref)
        self._write("add_assignees", f"{ref} {','.join(logins)}")
        have = list(issue.assignees)
        have.extend(login for login in logins if login not in have)
        self.issues[ref] = replace(issue, assignees=tuple(have), updated_at=self.tick())

    def find_issue_with_marker(self, repo: RepoRef, marker: str) -> IssueRef | None:
        for ref, issue in sorted(self.issues.items()):
            if ref.repo == repo and marker in issue.body:
                return ref
        return None

    def create_issue(
        self,
        repo: RepoRef,
        title: str,
        body: str,
        labels: Sequence[str] = (),
        assignees: Sequence[str] = (),
    ) -> IssueRef:
        self._write("create_issue", f"{repo} {title}")
        number = 1 + max((r.number for r in self.issues if r.repo == repo), default=0)
        ref = IssueRef(repo, number)
        at = self.tick()
        self.issues[ref] = Issue(
            ref=ref,
            title=title,
            body=body,
            author=self.bot,
            created_at=at,
            updated_at=at,
            labels=tuple(labels),
            assignees=tuple(assignees),
        )
        self.comments[ref] = []
        return ref

    def ensure_label(self, repo: RepoRef, name: str, color: str, description: str) -> str:
        have = self.labels.setdefault(repo, {})
        current = have.get(name.lower())
        wanted = Label(name, color, description)
        if current == wanted:
            return "unchanged"
        self._write("ensure_label", f"{repo} {name}")
        have[name.lower()] = wanted
        return "created" if current is None else "updated"


def _typed(t: FakeTracker) -> Tracker:
    """mypy-free check that the fake has the Protocol's shape (used by a test)."""
    return t
