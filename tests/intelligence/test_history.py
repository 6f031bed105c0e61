"""Which issue a duplicate repeats, as the team wrote it; labels replayed to a moment."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from triagedesk.domain.model import (
    Association,
    CloseReason,
    Comment,
    EventKind,
    Issue,
    IssueEvent,
    IssueRef,
    IssueState,
    RepoRef,
)
from triagedesk.intelligence.history import duplicate_mark, labels_at, resolve_chain

MAC = RepoRef("docker", "for-mac")
WIN = RepoRef("docker", "for-win")
T = datetime(2021, 5, 1, tzinfo=UTC)


def _issue(
    comments: list[tuple[str, Association]] = (),  # type: ignore[assignment]
    *,
    labels: tuple[str, ...] = (),
    reason: CloseReason | None = None,
    events: tuple[IssueEvent, ...] = (),
) -> Issue:
    return Issue(
        ref=IssueRef(MAC, 50),
        title="t",
        body="b",
        author="u",
        created_at=T,
        updated_at=T,
        state=IssueState.CLOSED if reason else IssueState.OPEN,
        state_reason=reason,
        labels=labels,
        events=events,
        comments=tuple(
            Comment(
                i, "maint" if assoc.is_team else "user", body, T + timedelta(hours=i), None, assoc
            )
            for i, (body, assoc) in enumerate(comments, 1)
        ),
    )


M = Association.MEMBER
N = Association.NONE


@pytest.mark.parametrize(
    ("comments", "target"),
    [
        ([("Closing as dupe of #12", M)], IssueRef(MAC, 12)),
        ([("This is a dupe of #7, so I'm closing this copy", M)], IssueRef(MAC, 7)),
        ([("duplicate of https://github.com/docker/for-win/issues/9931", M)], IssueRef(WIN, 9931)),
        ([("closing in favour of #31 to keep the discussion in one place", M)], IssueRef(MAC, 31)),
        ([("we track this in docker/for-win#5", M)], IssueRef(WIN, 5)),
        (
            [("Looks like the same problem as #44. Closing as a duplicate; add details there.", M)],
            IssueRef(MAC, 44),
        ),
        # the team closes as a duplicate in other words, naming the issue once
        ([("Same issue as #44, this is a duplicate so I'm closing it.", M)], IssueRef(MAC, 44)),
        (
            [("Marking this as a duplicate; the crash is tracked over at #61.", M)],
            IssueRef(MAC, 61),
        ),
        ([("Closed as dupe. Please follow docker/for-win#9 instead.", M)], IssueRef(WIN, 9)),
        (
            [("Closing this one as duplicate, please see the discussion in #70.", M)],
            IssueRef(MAC, 70),
        ),
        # several issues named: the one it is "the same ... as" is the target
        (
            [("This is the same bug as #44 (the log differs from #40). Closing as dup.", M)],
            IssueRef(MAC, 44),
        ),
        # a maintainer corrects a wrong number
        ([("Closing as dupe of #12", M), ("sorry, wrong number: #21", M)], IssueRef(MAC, 21)),
        (
            [("Duplicate of #12", M), ("Correction: this duplicates #13 (#12 was a typo).", M)],
            IssueRef(MAC, 13),
        ),
    ],
)
def test_team_comments_name_the_target(
    comments: list[tuple[str, Association]], target: IssueRef
) -> None:
    mark = duplicate_mark(_issue(comments))
    assert mark is not None and mark.target == target


@pytest.mark.parametrize(
    "comments",
    [
        [("same as #12", N)],
        [("similar to #12", N)],
        [("duplicate of #12", N)],  # a user's claim is not the team's verdict
        [("I think this is the same as #12", M)],
        # a user's "same as" stays related even with close words (no team verdict)
        [("Looks like the same problem as #12. Closing as a duplicate?", N)],
        [("Same as #12, please close as duplicate", N)],
        # the team names an issue but does not close this one as a duplicate
        [("Same root cause as #12 maybe; keeping this open to collect logs.", M)],
        [("This is not a duplicate of #12, the error differs. Closing the other one.", M)],
        [("Closing: fixed in 4.31.0. See #12 for the duplicate reports.", M)],
        # two issues named, none of them as "same as": no guess
        [("Closing as a duplicate, either #12 or #13 tracks it.", M)],
    ],
)
def test_not_duplicates(comments: list[tuple[str, Association]]) -> None:
    assert duplicate_mark(_issue(comments)) is None


def test_team_list_counts_as_team() -> None:
    issue = _issue([("dupe of #3", N)])
    mark = duplicate_mark(issue, team=["@user"])
    assert mark is not None and mark.target == IssueRef(MAC, 3)


def test_close_reason_or_label_without_target() -> None:
    by_reason = duplicate_mark(_issue(reason=CloseReason.DUPLICATE))
    by_label = duplicate_mark(_issue(labels=("status/duplicate",)))
    assert by_reason is not None and by_reason.target is None
    assert by_label is not None and by_label.how == "duplicate label"


def test_marked_as_duplicate_event() -> None:
    ev = IssueEvent(EventKind.MARKED_AS_DUPLICATE, "maint", T, "docker/for-mac#4")
    mark = duplicate_mark(_issue(events=(ev,)))
    assert mark is not None and mark.target == IssueRef(MAC, 4)


def test_chain_resolution_stops_on_cycles() -> None:
    a, b, c = (IssueRef(MAC, n) for n in (1, 2, 3))
    assert resolve_chain(a, {a: b, b: c}) == [a, b, c]
    assert resolve_chain(a, {a: b, b: a}) == [a, b]


def test_labels_at_replays_events() -> None:
    events = (
        IssueEvent(EventKind.LABELED, "m", T + timedelta(days=1), "area/network"),
        IssueEvent(EventKind.LABELED, "m", T + timedelta(days=2), "bug"),
        IssueEvent(EventKind.UNLABELED, "m", T + timedelta(days=3), "bug"),
    )
    issue = _issue(labels=("area/network", "version/4.1.0"), events=events)
    assert labels_at(issue, T) == {"version/4.1.0"}  # no event: present from the start
    assert labels_at(issue, T + timedelta(days=2, hours=1)) == {
        "area/network",
        "bug",
        "version/4.1.0",
    }
    assert labels_at(issue, T + timedelta(days=4)) == {"area/network", "version/4.1.0"}


_WORDS = st.sampled_from(
    [
        "same",
        "as",
        "#12",
        "#50",
        "closing",
        "closed",
        "as a",
        "duplicate",
        "dupe",
        "not",
        "n't",
        "of",
        "in favour of",
        "docker/for-win#3",
        "https://github.com/a/b/issues/9",
        "sorry",
        ".",
        "\n",
        "mark",
        "this",
        "one",
    ]
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.lists(_WORDS, max_size=25).map(" ".join), st.booleans()), max_size=4))
def test_duplicate_mark_never_raises(comments: list[tuple[str, bool]]) -> None:
    issue = _issue([(body, M if team else N) for body, team in comments])
    mark = duplicate_mark(issue)
    # never the issue itself, and only team comments can name a target
    assert mark is None or mark.target != issue.ref
    if not any(team for _, team in comments):
        assert mark is None
