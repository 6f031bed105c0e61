"""The report built from a real store (SQLite and PostgreSQL) agrees with the pure domain,
names the rotation, finds the spike that follows a release, and renders every format."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from support.report_history import MAC, WIN, synthetic_issues
from triagedesk.adapters.store.issues import SqlIssueStore
from triagedesk.adapters.store.reports import SqlReportSource
from triagedesk.app.report import build_report, stats_config
from triagedesk.app.report_render import render_html, render_json, render_markdown
from triagedesk.domain.model import EventKind, Issue, IssueEvent, IssueRef, IssueState
from triagedesk.domain.periods import Rotation, rotation_week
from triagedesk.domain.stats import compute_stats, facts_from_issue
from triagedesk.settings import Settings

ROT = Rotation("Europe/London", "monday", "09:00")
W47 = rotation_week(2026, 47, ROT)  # [2026-11-16 09:00Z, 2026-11-23 09:00Z)
NOW = datetime(2026, 11, 23, 10, tzinfo=UTC)
SETTINGS = Settings()
REPO_KEYS = {
    "opened",
    "closed",
    "opened_all_time",
    "closed_all_time",
    "time_to_resolution_hours",
    "over_target",
}


def utc(*a: int) -> datetime:
    return datetime(*a, tzinfo=UTC)


def crafted() -> list[Issue]:
    """Issues whose numbers are worked out by hand in the tests below."""

    def issue(n: int, created: datetime, **kw: object) -> Issue:
        return Issue(
            ref=IssueRef(MAC, 10_000 + n),
            title=f"crafted {n}",
            body="",
            author="u",
            created_at=created,
            updated_at=created,
            **kw,  # type: ignore[arg-type]
        )

    return [
        # reopened: first opened 1 Nov, closed 5 Nov, reopened 12 Nov, finally closed 18 Nov (408 h)
        issue(
            1,
            utc(2026, 11, 1, 9),
            state=IssueState.CLOSED,
            closed_at=utc(2026, 11, 18, 9),
            events=(
                IssueEvent(EventKind.CLOSED, "m", utc(2026, 11, 5, 9)),
                IssueEvent(EventKind.REOPENED, "u", utc(2026, 11, 12, 9)),
                IssueEvent(EventKind.CLOSED, "m", utc(2026, 11, 18, 9)),
            ),
        ),
        # still open, 53 days old at the end of the week, waiting on the reporter since 20 Nov
        issue(
            2,
            utc(2026, 10, 1, 9),
            labels=("status/0-more-info-needed",),
            events=(
                IssueEvent(EventKind.LABELED, "bot", utc(2026, 10, 1, 9), "status/0-triage"),
                IssueEvent(EventKind.UNLABELED, "m", utc(2026, 11, 20, 9), "status/0-triage"),
                IssueEvent(
                    EventKind.LABELED, "m", utc(2026, 11, 20, 9), "status/0-more-info-needed"
                ),
            ),
        ),
    ]


def _store(engine: Engine, issues: list[Issue]) -> None:
    SqlIssueStore(engine).upsert_issues(issues)


@pytest.fixture
def history() -> list[Issue]:
    return [*synthetic_issues(400, end=W47.end, days=120, seed=3), *crafted()]


def test_store_path_equals_domain_path(engine: Engine, history: list[Issue]) -> None:
    _store(engine, history)
    report = build_report(SqlReportSource(engine), SETTINGS, W47, now=NOW)
    d = report.data
    cfg = stats_config(SETTINGS)
    for repo in (MAC, WIN):
        expected = compute_stats(
            [facts_from_issue(i) for i in history if i.repo == repo], W47, cfg
        ).as_dict()
        got = d["repos"][repo.full_name]
        assert {k: got[k] for k in expected} == expected
    everything = compute_stats([facts_from_issue(i) for i in history], W47, cfg).as_dict()
    assert {k: d["all"][k] for k in everything} == everything
    assert (
        d["all"]["opened"]
        == d["repos"][MAC.full_name]["opened"] + d["repos"][WIN.full_name]["opened"]
    )


def test_crafted_numbers(sqlite_engine: Engine) -> None:
    _store(sqlite_engine, crafted())
    d = build_report(SqlReportSource(sqlite_engine), SETTINGS, W47, now=NOW).data
    a = d["all"]
    assert (a["opened"], a["closed"], a["opened_all_time"], a["closed_all_time"]) == (0, 1, 2, 1)
    assert a["time_to_resolution_hours"] == {"mean": 408.0, "median": 408.0, "p90": 408.0, "n": 1}
    assert a["over_target"] == [
        {
            "repo": "docker/for-mac",
            "number": 10_002,
            "title": "crafted 2",
            "age_days": 53.0,
            "target_days": 30.0,
            "status": "status/0-more-info-needed",
            "owner": "",
        }
    ]
    # 47 % 4 == 3 in the default schedule; the week after is 48 % 4 == 0
    assert (d["on_rotation"], d["next_on_rotation"]) == ("@dan", "@alice")
    waiting = d["handoff"]["more_info_needed"]
    assert [(w["number"], w["waiting_days"]) for w in waiting] == [(10_002, 3.0)]
    assert d["period"]["start"] == "2026-11-16T09:00:00+00:00"


def test_json_keys(sqlite_engine: Engine, history: list[Issue]) -> None:
    _store(sqlite_engine, history)
    d = json.loads(
        render_json(build_report(SqlReportSource(sqlite_engine), SETTINGS, W47, now=NOW))
    )
    assert {"period", "repos", "all"} <= set(d)
    for block in [*d["repos"].values(), d["all"]]:
        assert set(block) >= REPO_KEYS
        assert set(block["time_to_resolution_hours"]) == {"mean", "median", "p90", "n"}
        for o in block["over_target"]:
            assert {"repo", "number", "age_days", "status", "owner"} <= set(o)
    assert set(d["repos"]) == {"docker/for-mac", "docker/for-win"}


def test_spike_that_follows_a_release(sqlite_engine: Engine) -> None:
    issues = list(
        synthetic_issues(600, end=W47.end, days=120, seed=5, burst=25, burst_version="4.99.0")
    )
    _store(sqlite_engine, issues)
    d = build_report(SqlReportSource(sqlite_engine), SETTINGS, W47, now=NOW).data
    spikes = {s["area"]: s for s in d["trends"]["spikes"]}
    assert "area/networking" in spikes
    assert spikes["area/networking"]["release"] == "4.99.0"
    assert spikes["area/networking"]["this_week"] >= 25


def test_major_occurrences_and_duplicates(sqlite_engine: Engine) -> None:
    base = utc(2026, 11, 17)

    def mk(n: int, **kw: object) -> Issue:
        return Issue(
            ref=IssueRef(WIN, n),
            title=f"t{n}",
            body="",
            author="u",
            created_at=base,
            updated_at=base,
            **kw,
        )  # type: ignore[arg-type]

    issues = [mk(1)] + [
        mk(
            n,
            state=IssueState.CLOSED,
            closed_at=base + timedelta(hours=n),
            events=(
                IssueEvent(EventKind.MARKED_AS_DUPLICATE, "m", base + timedelta(hours=n), "#1"),
            ),
        )
        for n in (2, 3, 4)
    ]
    _store(sqlite_engine, issues)
    d = build_report(SqlReportSource(sqlite_engine), SETTINGS, W47, now=NOW).data
    assert d["major_occurrences"]["duplicates"] == [
        {"repo": "docker/for-win", "number": 1, "title": "t1", "value": 3}
    ]


def test_empty_store_renders(sqlite_engine: Engine) -> None:
    report = build_report(SqlReportSource(sqlite_engine), SETTINGS, W47, now=NOW)
    assert report.data["all"]["opened_all_time"] == 0
    md = render_markdown(report)
    assert "2026-W47" in md and "None." in md
    assert "<svg" in render_html(report)


def test_html_is_self_contained(sqlite_engine: Engine, history: list[Issue]) -> None:
    _store(sqlite_engine, history)
    html = render_html(build_report(SqlReportSource(sqlite_engine), SETTINGS, W47, now=NOW))
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg"') == 4
    without_ns = html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert not re.search(r"""(src|href)\s*=|@import|url\(|https?://""", without_ns)


def test_doc_lists_the_json_keys(sqlite_engine: Engine, history: list[Issue]) -> None:
    """docs/report.md keeps a list of every JSON key; it must equal what the report produces."""
    _store(sqlite_engine, history)
    d = json.loads(
        render_json(build_report(SqlReportSource(sqlite_engine), SETTINGS, W47, now=NOW))
    )
    doc = (Path(__file__).parents[2] / "docs" / "report.md").read_text(encoding="utf-8")
    block = re.search(r"```text keys\n(.*?)```", doc, re.S)
    assert block, "docs/report.md needs a ```text keys block"
    documented = {line.strip() for line in block.group(1).splitlines() if line.strip()}
    produced = {f"top.{k}" for k in d} | {f"repo.{k}" for k in d["all"]}
    assert documented == produced


def test_duplicates_named_in_team_comments(sqlite_engine: Engine) -> None:
    """The target of a duplicate is often named only in a team comment."""
    from triagedesk.domain.model import Association, CloseReason, Comment

    base = utc(2026, 11, 17)
    target = Issue(
        ref=IssueRef(MAC, 7),
        title="VPN breaks DNS",
        body="",
        author="u",
        created_at=utc(2026, 1, 5),
        updated_at=base,
    )

    def dup(n: int, text: str) -> Issue:
        return Issue(
            ref=IssueRef(WIN, n),
            title=f"dns {n}",
            body="",
            author="u",
            created_at=base,
            updated_at=base + timedelta(hours=2),
            state=IssueState.CLOSED,
            state_reason=CloseReason.DUPLICATE,
            closed_at=base + timedelta(hours=2),
            comments=(
                Comment(
                    id=n,
                    author="maint",
                    body=text,
                    created_at=base + timedelta(hours=1),
                    author_association=Association.MEMBER,
                ),
            ),
            events=(IssueEvent(EventKind.MARKED_AS_DUPLICATE, "maint", base + timedelta(hours=2)),),
        )

    issues = [
        target,
        dup(20, "Closing as dupe of docker/for-mac#7"),
        dup(21, "This is a duplicate of https://github.com/docker/for-mac/issues/7"),
        dup(22, "same as #3, thanks"),  # not a duplicate target
    ]
    _store(sqlite_engine, issues)
    d = build_report(SqlReportSource(sqlite_engine), SETTINGS, W47, now=NOW).data
    assert d["major_occurrences"]["duplicates"] == [
        {"repo": "docker/for-mac", "number": 7, "title": "VPN breaks DNS", "value": 2}
    ]
    # closed as duplicates: already linked, so no cluster is proposed for them
    assert all("docker/for-win#20" not in c["issues"] for c in d["clusters"]["items"])


def test_hostile_titles_are_escaped(sqlite_engine: Engine) -> None:
    hostile = '<script>alert("x")</script> | <img src=x onerror=1>'
    base = utc(2026, 11, 17)
    _store(
        sqlite_engine,
        [
            Issue(
                ref=IssueRef(MAC, 1),
                title=hostile,
                body="",
                author="u",
                created_at=utc(2026, 1, 1),
                updated_at=base,
            )
        ],
    )
    report = build_report(SqlReportSource(sqlite_engine), SETTINGS, W47, now=NOW)
    html = render_html(report)
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;" in html
    md = render_markdown(report)
    assert "\\| <img" in md  # the pipe cannot break the Markdown table
