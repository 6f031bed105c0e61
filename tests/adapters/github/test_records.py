"""GitHub JSON shapes ↔ domain: every fixture parses, bad fields are named, export round-trips."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings

from support.core_data import issues
from triagedesk.adapters.github.records import (
    GithubRecords,
    comment_from_rest,
    event_from_rest,
    issue_from_gh,
    issue_from_rest,
    repo_from_url,
    shape_of,
)
from triagedesk.adapters.github.records_out import (
    event_to_rest,
    format_time,
    issue_to_gh,
    issue_to_rest,
)
from triagedesk.domain.errors import InputError
from triagedesk.domain.model import (
    Association,
    CloseReason,
    EventKind,
    Issue,
    IssueEvent,
    IssueRef,
    IssueState,
    RepoRef,
)

FIXTURES = Path(__file__).parents[2] / "fixtures" / "github"
WIN = RepoRef("docker", "for-win")
MAC = RepoRef("docker", "for-mac")


def _load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def _parse_any(obj: Any) -> object:
    shape = shape_of(obj)
    if shape == "gh":
        return issue_from_gh(obj)
    if shape == "rest":
        return issue_from_rest(obj)
    if shape == "rest-comment":
        return comment_from_rest(obj)
    if shape == "rest-event":
        return event_from_rest(obj)
    raise AssertionError(f"unknown shape: {sorted(obj)[:8]}")


#: this module's fixtures (other GitHub fixtures in the folder have other owners and shapes)
MINE = sorted(
    p for pat in ("gh_*.json", "rest_*.json", "webhook_*.json") for p in FIXTURES.glob(pat)
)


def test_the_fixtures_are_there() -> None:
    assert len(MINE) >= 6


@pytest.mark.parametrize("path", MINE, ids=lambda p: p.name)
def test_every_fixture_parses(path: Path) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    if isinstance(data, dict):  # a webhook payload: its issue and comment are REST shapes
        records = [data[k] for k in ("issue", "comment") if k in data]
    else:
        records = data
    assert records
    for record in records:
        _parse_any(record)


def test_gh_issue_fields() -> None:
    first, dup, wontfix = (issue_from_gh(r) for r in _load("gh_issues.json"))
    assert first.ref == IssueRef(MAC, 7101)
    assert first.state is IssueState.OPEN and first.state_reason is None
    assert first.labels == ("status/0-triage", "version/4.12.0")
    assert first.assignees == ("l2-sam",)
    assert first.milestone == "4.13.0"
    assert first.reactions.as_dict() == {"+1": 14, "eyes": 3}
    assert first.created_at == datetime(2022, 9, 15, 10, 15, tzinfo=UTC)
    assert [c.id for c in first.comments] == [1247000001, 1247000002]
    assert first.comments[0].author_association is Association.MEMBER
    assert first.comments[1].reactions.as_dict() == {"+1": 2}
    assert dup.author == "ghost"  # deleted account
    assert dup.state_reason is CloseReason.DUPLICATE
    assert dup.closed_at == datetime(2022, 9, 17, 12, 30, tzinfo=UTC)
    assert wontfix.state_reason is CloseReason.NOT_PLANNED
    assert wontfix.reactions.as_dict() == {"heart": 1}


def test_rest_issue_comment_event_fields() -> None:
    rows = _load("rest_issues.json")
    parsed = [issue_from_rest(r) for r in rows]
    assert parsed[1] is None  # the pull request
    wsl = parsed[0]
    assert wsl is not None and wsl.ref == IssueRef(WIN, 13001)
    assert wsl.reactions.as_dict() == {"+1": 5, "confused": 1}
    assert wsl.comments == ()  # REST gives a count, not the comments
    assert parsed[2] is not None and parsed[2].body == ""  # null body
    assert parsed[2].author_association is Association.FIRST_TIME_CONTRIBUTOR
    ref, comment = comment_from_rest(_load("rest_issues.comments.json")[1])
    assert ref == IssueRef(WIN, 13001) and comment.id == 905000002
    events = [event_from_rest(e) for e in _load("rest_issues.events.json")]
    kept = [(ref, e.kind, e.subject) for ref, e in events if e is not None]
    assert kept[0] == (IssueRef(WIN, 13001), EventKind.LABELED, "status/0-more-info-needed")
    assert (IssueRef(WIN, 13001), EventKind.ASSIGNED, "l2-sam") in kept
    assert (IssueRef(WIN, 13003), EventKind.CLOSED, "completed") in kept
    assert (IssueRef(WIN, 13003), EventKind.MILESTONED, "3.6.1") in kept
    assert len(kept) == 5  # "subscribed" is not kept


def test_repo_override_and_url_forms() -> None:
    record = _load("gh_issues.json")[0]
    assert issue_from_gh(record, RepoRef("acme", "desk")).ref.repo == RepoRef("acme", "desk")
    assert repo_from_url("https://api.github.com/repos/docker/for-win") == WIN
    assert repo_from_url("https://github.com/docker/for-mac/issues/3") == MAC
    assert repo_from_url("not a url") is None


def _without(record: dict[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k != key}


GH = _load("gh_issues.json")[0]
REST = _load("rest_issues.json")[0]


@pytest.mark.parametrize(
    ("parse", "record", "message"),
    [
        (issue_from_gh, _without(GH, "createdAt"), "issue #7101: field 'createdAt' is missing"),
        (issue_from_gh, _without(GH, "number"), "field 'number' is missing"),
        (issue_from_gh, {**GH, "number": "12"}, "'number' must be an issue number"),
        (issue_from_gh, {**GH, "title": None}, "field 'title' is null"),
        (issue_from_gh, {**GH, "title": 5}, "'title' must be a string, got a number"),
        (issue_from_gh, {**GH, "state": "MERGED"}, "must be open or closed"),
        (issue_from_gh, {**GH, "stateReason": "BORED"}, "unknown state reason"),
        (issue_from_gh, {**GH, "createdAt": "yesterday"}, "not an ISO 8601 timestamp"),
        (issue_from_gh, {**GH, "createdAt": "2022-09-15T10:15:00"}, "no time zone"),
        (issue_from_gh, {**GH, "body": "a\x00b"}, "NUL character"),
        (issue_from_gh, {**GH, "body": "a\ud800b"}, "unpaired surrogate"),
        (issue_from_gh, {**GH, "labels": "bug"}, "'labels' must be an array"),
        (issue_from_gh, {**GH, "reactionGroups": [{"content": "WAVE"}]}, "unknown reaction"),
        (issue_from_gh, {**GH, "url": "", "number": 5}, "no repository in its URLs"),
        (issue_from_gh, [1, 2], "expected a JSON object, got an array"),
        (
            issue_from_gh,
            {**GH, "comments": [{"body": "x"}]},
            "issue #7101: comments[0]: field 'createdAt' is missing",
        ),
        (issue_from_gh, {**GH, "number": 2**40}, "must be an issue number"),
        (issue_from_gh, {**GH, "labels": [{"name": "x" * 300}]}, "labels[0]: longer than 255"),
        (issue_from_gh, {**GH, "author": {"login": "y" * 256}}, "longer than 255 characters"),
        (
            issue_from_gh,
            {**GH, "reactionGroups": [{"content": "HEART", "users": {"totalCount": 10**12}}]},
            "totalCount: must be a count",
        ),
        (issue_from_rest, {**REST, "reactions": {"eyes": 10**12}}, "must be a count"),
        (issue_from_rest, _without(REST, "updated_at"), "field 'updated_at' is missing"),
        (issue_from_rest, {**REST, "user": {"id": 3}}, "field 'login' is missing"),
        (issue_from_rest, {**REST, "reactions": {"+1": -2}}, "must be a count"),
        (issue_from_rest, {**REST, "author_association": "BOSS"}, "unknown author association"),
    ],
)
def test_bad_fields_are_named(parse: Any, record: Any, message: str) -> None:
    with pytest.raises(InputError, match=message.replace("(", r"\(").replace("[", r"\[")):
        parse(record)


def test_event_without_issue_or_repo() -> None:
    bare = {
        "event": "labeled",
        "actor": None,
        "created_at": "2021-01-01T00:00:00Z",
        "label": {"name": "x"},
    }
    ref, event = event_from_rest(bare)
    assert ref is None and event == IssueEvent(
        EventKind.LABELED, "ghost", datetime(2021, 1, 1, tzinfo=UTC), "x"
    )
    with pytest.raises(InputError, match="field 'event' is missing"):
        event_from_rest(_without(bare, "event"))


def test_format_time() -> None:
    assert format_time(datetime(2021, 3, 4, 5, 6, 7, tzinfo=UTC)) == "2021-03-04T05:06:07Z"
    assert format_time(datetime(2021, 3, 4, 5, 6, 7, 120, tzinfo=UTC)).endswith(".000120Z")


@pytest.mark.slow
@settings(max_examples=150, deadline=None)
@given(issue=issues())
def test_rest_export_is_lossless(issue: Issue) -> None:
    text = json.dumps(issue_to_rest(issue), ensure_ascii=False)
    assert issue_from_rest(json.loads(text)) == issue


@settings(max_examples=60, deadline=None)
@given(issue=issues())
def test_gh_export_keeps_what_gh_has(issue: Issue) -> None:
    back = issue_from_gh(json.loads(json.dumps(issue_to_gh(issue))), issue.repo)
    assert (back.ref, back.title, back.body, back.labels, back.state, back.state_reason) == (
        issue.ref,
        issue.title,
        issue.body,
        issue.labels,
        issue.state,
        issue.state_reason,
    )
    assert back.reactions == issue.reactions
    assert [(c.author, c.body, c.created_at) for c in back.comments] == [
        (c.author, c.body, c.created_at) for c in issue.comments
    ]


@pytest.mark.parametrize("kind", list(EventKind))
def test_event_subject_survives_for_every_kind(kind: EventKind) -> None:
    event = IssueEvent(kind, "someone", datetime(2022, 1, 1, tzinfo=UTC), f"subject of {kind}")
    ref = IssueRef(WIN, 3)
    out = event_to_rest(ref, event, with_issue=True)
    assert event_from_rest(out) == (ref, event)


def test_records_object_exposes_the_converters() -> None:
    records = GithubRecords()
    assert records.shape_of(GH) == "gh"
    assert records.shape_of(REST) == "rest"
    assert records.shape_of(_load("rest_issues.comments.json")[0]) == "rest-comment"
    assert records.shape_of(_load("rest_issues.events.json")[0]) == "rest-event"
    assert records.shape_of({"hello": 1}) is None
