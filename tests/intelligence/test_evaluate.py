"""The backtests are honest by construction: nothing from the future reaches a prediction."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from support.intel_corpus import build
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
from triagedesk.intelligence.evaluate import (
    duplicate_queries,
    eval_duplicates,
    eval_labels,
    public_issues,
)
from triagedesk.settings import Settings

S = Settings()
MAC = RepoRef("docker", "for-mac")
T = datetime(2022, 3, 1, tzinfo=UTC)


def _issue(n: int, title: str, body: str, *, day: int, comments: tuple[Comment, ...] = ()) -> Issue:
    closed = any("dupe of" in c.body for c in comments)
    return Issue(
        ref=IssueRef(MAC, n),
        title=title,
        body=body,
        author="u",
        created_at=T + timedelta(days=day),
        updated_at=T + timedelta(days=day + 1),
        state=IssueState.CLOSED if closed else IssueState.OPEN,
        state_reason=CloseReason.DUPLICATE if closed else None,
        comments=comments,
    )


def test_duplicate_eval_scores_and_beats_nothing_for_free() -> None:
    result = eval_duplicates(build(200), S)
    assert result["n_queries"] > 10
    for key in ("recall@1", "recall@5", "recall@10", "mrr"):
        assert 0.0 <= result[key] <= 1.0
        assert 0.0 <= result["baseline"][key] <= 1.0
    assert result["recall@1"] <= result["recall@5"] <= result["recall@10"]


def test_closing_comment_never_reaches_the_query() -> None:
    """The only link between the two issues is in the team's closing comment."""
    orig = _issue(1, "Whale icon flickers in the menu bar", "flicker flicker icon tray", day=0)
    noise = [
        _issue(2 + i, f"Unrelated report {i}", f"something else entirely {i} kubernetes", day=1 + i)
        for i in range(5)
    ]
    closing = Comment(
        1,
        "maint",
        "Closing as dupe of #1 (whale icon flickers in the menu bar, flicker icon tray)",
        T + timedelta(days=30),
        None,
        Association.MEMBER,
    )
    dup = _issue(20, "Kubernetes context", "kubernetes something else", day=20, comments=(closing,))
    result = eval_duplicates([orig, *noise, dup], S)
    assert result["n_queries"] == 1
    # the original shares no words with the query text: it must not be ranked first
    assert result["recall@1"] == 0.0
    # and the same run without the comment's words in the history gives the same numbers
    stripped = replace(dup, comments=(replace(closing, body="Closing as dupe of #1"),))
    again = eval_duplicates([orig, *noise, stripped], S)
    assert {k: result[k] for k in ("recall@1", "recall@10", "mrr")} == {
        k: again[k] for k in ("recall@1", "recall@10", "mrr")
    }


def test_originals_filed_later_are_not_counted() -> None:
    later = Comment(
        1, "maint", "Closing as dupe of #2", T + timedelta(days=9), None, Association.MEMBER
    )
    first = _issue(1, "Ports busy", "bind failed", day=0, comments=(later,))
    second = _issue(2, "Ports busy", "bind failed", day=5)
    queries, counts = duplicate_queries(public_issues([first, second], S), S)
    assert queries == []
    assert counts["target_not_earlier_or_not_stored"] == 1


def test_users_same_as_is_not_a_query() -> None:
    same = Comment(1, "someone", "same as #1", T + timedelta(days=2), None, Association.NONE)
    a = _issue(1, "Ports busy", "bind failed", day=0)
    b = _issue(2, "Ports busy", "bind failed", day=1, comments=(same,))
    queries, _ = duplicate_queries(public_issues([a, b], S), S)
    assert queries == []


def test_chains_count_any_issue_of_the_chain() -> None:
    m = Association.MEMBER
    a = _issue(1, "Ports busy on 8080", "bind failed 8080", day=0)
    b = _issue(
        2,
        "Ports busy on 8080 again",
        "bind failed",
        day=1,
        comments=(Comment(1, "x", "dupe of #1", T + timedelta(days=3), None, m),),
    )
    c = _issue(
        3,
        "Ports busy",
        "bind failed",
        day=2,
        comments=(Comment(2, "x", "dupe of #2", T + timedelta(days=4), None, m),),
    )
    queries, _ = duplicate_queries(public_issues([a, b, c], S), S)
    by = {str(q.issue): q.gold for q in queries}
    assert by["docker/for-mac#3"] == ("docker/for-mac#2", "docker/for-mac#1")


def test_labels_added_after_the_cut_are_not_learnt() -> None:
    issues = build(100, seed=11)
    pool = public_issues(issues, S)
    cut_at = pool[70].created_at
    # a label invented after the cut on the oldest issues must not be in the training labels
    late = IssueEvent(EventKind.LABELED, "maint", cut_at + timedelta(days=1), "area/compose")
    tampered = [
        replace(i, labels=(*i.labels, "area/compose"), events=(*i.events, late)) if n < 40 else i
        for n, i in enumerate(pool)
    ]
    result = eval_labels(tampered, S)
    assert result["n_train"] == 70 and result["n_test"] == 30
    # the model never saw area/compose as a label, so it cannot predict it
    assert result["per_label"].get("area/compose", {}).get("predicted", 0) == 0
    # while the same label known before the cut would be learnt
    early = IssueEvent(EventKind.LABELED, "maint", pool[0].created_at, "area/compose")
    known = [
        replace(i, labels=(*i.labels, "area/compose"), events=(*i.events, early)) if n < 40 else i
        for n, i in enumerate(pool)
    ]
    assert "area/compose" in eval_labels(known, S)["per_label"]


def test_label_eval_keys() -> None:
    result = eval_labels(build(150), S)
    for key in (
        "micro_f1",
        "macro_f1",
        "auto_precision",
        "auto_coverage",
        "per_label",
        "n_train",
        "n_test",
        "baseline",
    ):
        assert key in result
    assert result["n_train"] == 105 and result["n_test"] == 45
    assert 0.0 <= result["micro_f1"] <= 1.0
    assert set(result["baseline"]) >= {"micro_f1", "macro_f1"}


def test_confirmed_and_rejected_suggestions_choose_the_threshold() -> None:
    from triagedesk.ports.intelligence import Feedback, FeedbackKind

    topics = [
        "whale icon flickers",
        "ports busy after sleep",
        "kubectl context lost",
        "disk image grows forever",
        "proxy settings ignored",
        "login loop in dashboard",
    ]
    originals = [_issue(i + 1, t.title(), f"{t} every time", day=i) for i, t in enumerate(topics)]
    copies = [
        _issue(i + 50, t.title(), f"{t} again here", day=20 + i) for i, t in enumerate(topics)
    ]
    pool = originals + copies
    plain = eval_duplicates(pool, S)
    assert plain["n_queries"] == 0 and plain["chosen_thresholds"]["duplicate"] is None
    fb = [
        Feedback(
            i, FeedbackKind.DUPLICATE_CONFIRMED, c.ref, str(o.ref), "ann", T + timedelta(days=40)
        )
        for i, (c, o) in enumerate(zip(copies, originals, strict=True))
    ]
    judged = eval_duplicates(pool, S, feedback=fb)
    assert judged["chosen_thresholds"]["duplicate"] is not None
    assert judged["feedback"]["duplicates_confirmed"] == 6
    assert judged["feedback"]["duplicate_precision_seen"] == 1.0
