"""The import and export use cases against real stores (SQLite files, PostgreSQL)."""

from __future__ import annotations

import csv
import io
import json
import shutil
import sqlite3
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete
from sqlalchemy.engine import Engine

from support.core_data import MAC, WIN, issues, make_issue
from triagedesk.adapters.github.records import GithubRecords
from triagedesk.adapters.github.records_out import GithubRecordsOut, issue_to_gh, issue_to_rest
from triagedesk.adapters.store.db import migrate, open_engine
from triagedesk.adapters.store.issues import SqlIssueStore
from triagedesk.adapters.store.tables.core import repos
from triagedesk.app.exporting import CSV_COLUMNS, ExportFormat, export_issues
from triagedesk.app.importing import ImportSummary, expand, import_paths
from triagedesk.domain.errors import StoreLocked, UserError
from triagedesk.domain.model import EventKind, IssueRef, RepoRef
from triagedesk.domain.workflow import Status

FIXTURES = Path(__file__).parents[1] / "fixtures" / "github"
RECORDS = GithubRecords()


def _import(store: SqlIssueStore, *paths: Path, **kw: Any) -> ImportSummary:
    return import_paths(list(paths), store, RECORDS, **kw)


def _write(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _problems(summary: ImportSummary) -> str:
    return "\n".join(str(p) for p in summary.errors)


def test_gh_file_with_events_sidecar(sqlite_engine: Engine, tmp_path: Path) -> None:
    store = SqlIssueStore(sqlite_engine)
    corpus = _write(
        tmp_path / "corpus.json", [issue_to_gh(make_issue(n, events=0)) for n in (1, 2)]
    )
    events = [
        {
            "event": "labeled",
            "actor": {"login": "l1-ana"},
            "created_at": "2021-03-05T00:00:00Z",
            "label": {"name": "status/0-triage"},
            "url": "https://api.github.com/repos/docker/for-mac/issues/events/1",
            "issue": {"number": 2},
        },
        {
            "event": "subscribed",
            "actor": {"login": "x"},
            "created_at": "2021-03-05T00:00:00Z",
            "issue": {"number": 2},
        },
    ]
    _write(tmp_path / "corpus.events.json", events)
    summary = _import(store, corpus, tmp_path / "corpus.events.json")  # the sidecar is skipped
    assert summary.files == [str(corpus)]
    assert (summary.inserted, summary.events, summary.comments) == (2, 1, 4)
    assert summary.errors == []
    two = store.get_issue(IssueRef(MAC, 2))
    assert two is not None
    assert [(e.kind, e.subject) for e in two.events] == [(EventKind.LABELED, "status/0-triage")]
    again = _import(store, corpus)  # without the events file the stored events are kept
    assert (again.unchanged, again.updated) == (2, 0)
    assert store.get_issue(IssueRef(MAC, 2)) == two


def test_rest_files_with_both_sidecars(sqlite_engine: Engine, tmp_path: Path) -> None:
    for name in ("rest_issues.json", "rest_issues.comments.json", "rest_issues.events.json"):
        shutil.copy(FIXTURES / name, tmp_path / name)
    store = SqlIssueStore(sqlite_engine)
    summary = _import(store, tmp_path)  # a folder: its files, sidecars joined
    assert (summary.inserted, summary.pull_requests, summary.comments, summary.events) == (
        2,
        1,
        3,
        5,
    )
    assert summary.errors == []
    wsl = store.get_issue(IssueRef(WIN, 13001))
    assert wsl is not None
    assert [c.id for c in wsl.comments] == [905000001, 905000002]
    assert [e.kind for e in wsl.events] == [
        EventKind.LABELED,
        EventKind.LABELED,
        EventKind.ASSIGNED,
    ]
    assert _import(store, tmp_path / "rest_issues.json").unchanged == 2


def test_repo_override(sqlite_engine: Engine, tmp_path: Path) -> None:
    store = SqlIssueStore(sqlite_engine)
    shutil.copy(FIXTURES / "gh_issues.json", tmp_path / "x.json")
    _import(store, tmp_path / "x.json", repo=RepoRef("acme", "desk"))
    assert store.repos() == [RepoRef("acme", "desk")]


def test_bad_records_are_skipped_and_reported(sqlite_engine: Engine, tmp_path: Path) -> None:
    store = SqlIssueStore(sqlite_engine)
    good = [issue_to_gh(make_issue(n)) for n in range(1, 6)]
    broken = {k: v for k, v in good[1].items() if k != "createdAt"}
    records: list[Any] = [
        good[0],
        broken,
        "not an object",
        good[2],
        {**good[3], "title": 7},
        good[4],
    ]
    path = _write(tmp_path / "mixed.json", records)
    summary = _import(store, path, batch=2)
    assert summary.inserted == 3 and summary.skipped == 3
    text = _problems(summary)
    assert f"{path}: item 1 (line 1): issue #2: field 'createdAt' is missing" in text
    assert "item 2 (line 1): not an issue record" in text
    assert "item 4 (line 1): issue #4: field 'title' must be a string" in text
    assert store.count_issues() == 3


def test_duplicates_last_wins_and_counted(sqlite_engine: Engine, tmp_path: Path) -> None:
    store = SqlIssueStore(sqlite_engine)
    first, later = make_issue(1), make_issue(1, title="edited title")
    path = _write(
        tmp_path / "d.json",
        [issue_to_rest(first), issue_to_rest(make_issue(2)), issue_to_rest(later)],
    )
    summary = _import(store, path, batch=2)  # the duplicate lands in another batch
    assert summary.duplicates == 1
    assert store.count_issues() == 2
    assert store.get_issue(first.ref) == later


def test_truncated_file_keeps_what_came_before(sqlite_engine: Engine, tmp_path: Path) -> None:
    store = SqlIssueStore(sqlite_engine)
    text = json.dumps([issue_to_rest(make_issue(n)) for n in range(1, 5)], indent=1)
    path = tmp_path / "cut.json"
    path.write_text(text[: int(len(text) * 0.8)])
    summary = _import(store, path, batch=2)
    assert store.count_issues() == summary.inserted >= 2
    assert "truncated" in _problems(summary)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            json.dumps(
                [{"id": 1, "issue_url": "https://api.github.com/repos/a/b/issues/1", "body": "x"}]
            ),
            "a REST comment, not an issue",
        ),
        (json.dumps({"issues": []}), "wrong format"),
        (json.dumps([[1, 2]]), "wrong format"),
        ("<html>rate limited</html>", "expected a JSON array"),
        ("", "the file is empty"),
    ],
)
def test_wrong_formats(sqlite_engine: Engine, tmp_path: Path, content: str, message: str) -> None:
    store = SqlIssueStore(sqlite_engine)
    path = tmp_path / "in.json"
    path.write_text(content)
    summary = _import(store, path)
    assert summary.issues == 0
    assert message in _problems(summary)


def test_missing_and_sidecar_only_paths(sqlite_engine: Engine, tmp_path: Path) -> None:
    store = SqlIssueStore(sqlite_engine)
    _write(tmp_path / "lone.comments.json", [])
    summary = _import(store, tmp_path / "nope.json", tmp_path / "lone.comments.json")
    text = _problems(summary)
    assert "nope.json: no such file" in text
    assert "a sidecar file: import lone.json" in text
    with pytest.raises(UserError, match="nothing to import"):
        import_paths([], store, RECORDS)
    assert expand([tmp_path]) == [tmp_path / "lone.comments.json"]


def test_non_utf8_and_big_bodies(sqlite_engine: Engine, tmp_path: Path) -> None:
    store = SqlIssueStore(sqlite_engine)
    big = "[FAIL] DD0004: is the Docker engine running?\n" * (10 * 1024 * 1024 // 45)
    data = json.dumps(
        [issue_to_rest(make_issue(1, body=big)), issue_to_rest(make_issue(2, body="caf\u00e9"))],
        ensure_ascii=False,
    )
    raw = data.encode().replace("caf\u00e9".encode(), b"caf\xe9")  # a Latin-1 byte
    path = tmp_path / "latin.json"
    path.write_bytes(raw)
    summary = _import(store, path)
    assert summary.inserted == 2
    assert "invalid UTF-8" in _problems(summary)
    one, two = store.get_issue(IssueRef(MAC, 1)), store.get_issue(IssueRef(MAC, 2))
    assert one is not None and one.body == big
    assert two is not None and two.body == "caf\ufffd"


def test_orphan_sidecar_entries_are_reported(sqlite_engine: Engine, tmp_path: Path) -> None:
    store = SqlIssueStore(sqlite_engine)
    path = _write(tmp_path / "a.json", [issue_to_rest(make_issue(1), embed=False)])
    _write(
        tmp_path / "a.comments.json",
        [
            {
                "id": 9,
                "issue_url": "https://api.github.com/repos/docker/for-mac/issues/404",
                "user": {"login": "u"},
                "body": "lost",
                "created_at": "2021-01-01T00:00:00Z",
            }
        ],
    )
    summary = _import(store, path)
    assert "1 entries for issues not in a.json: docker/for-mac#404" in _problems(summary)


def test_locked_database_stops_cleanly(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/locked.db"
    engine = open_engine(url, busy_timeout_ms=100)
    migrate(engine)
    store = SqlIssueStore(engine)
    path = _write(tmp_path / "many.json", [issue_to_rest(make_issue(n)) for n in range(1, 7)])

    class LockAfterFirstBatch:
        """Takes the write lock from another connection once the first batch is stored."""

        def __init__(self) -> None:
            self.calls = 0
            self.holder: sqlite3.Connection | None = None

        def upsert_issues(self, batch: Any, **kw: Any) -> Any:
            self.calls += 1
            if self.calls == 2:
                self.holder = sqlite3.connect(f"{tmp_path}/locked.db", isolation_level=None)
                self.holder.execute("BEGIN IMMEDIATE")
            return store.upsert_issues(batch, **kw)

    sink = LockAfterFirstBatch()
    with pytest.raises(StoreLocked, match=r"import stopped at .*many.json.*2 issues were stored"):
        import_paths([path], sink, RECORDS, batch=2)
    assert sink.holder is not None
    sink.holder.execute("ROLLBACK")
    assert store.count_issues() == 2  # the first batch, whole; the second rolled back
    engine.dispose()


def _clear(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(delete(repos))  # cascades to issues and their children


@pytest.mark.slow
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(batch=st.lists(issues(), min_size=1, max_size=5, unique_by=lambda i: i.ref))
def test_import_of_export_is_identity(engine: Engine, tmp_path: Path, batch: list[Any]) -> None:
    """import(export(x)) == x, on SQLite and PostgreSQL."""
    store = SqlIssueStore(engine)
    _clear(engine)
    store.upsert_issues(batch)
    for fmt, name in ((ExportFormat.JSON, "x.json"), (ExportFormat.NDJSON, "x.ndjson")):
        out = io.StringIO()
        assert export_issues(store, GithubRecordsOut(), out, fmt) == len(batch)
        path = tmp_path / name
        path.write_text(out.getvalue(), encoding="utf-8")
        _clear(engine)
        summary = _import(store, path)
        assert summary.errors == [] and summary.inserted == len(batch)
        assert list(store.iter_issues()) == sorted(batch, key=lambda i: i.ref)


def test_csv_export(sqlite_engine: Engine) -> None:
    store = SqlIssueStore(sqlite_engine)
    store.upsert_issues(
        [
            make_issue(1, labels=("needs-triage", "area/network")),
            replace(make_issue(2), title='=HYPERLINK("http://evil")'),
        ]
    )
    out = io.StringIO()
    export_issues(
        store, GithubRecordsOut(), out, ExportFormat.CSV, aliases={"needs-triage": Status.TRIAGE}
    )

    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert list(rows[0]) == list(CSV_COLUMNS)
    assert rows[0]["status"] == "status/0-triage"
    assert rows[0]["labels"] == "needs-triage; area/network"
    assert rows[0]["comments"] == "2"
    assert rows[1]["title"].startswith("'=")  # a formula, defused


def test_a_record_the_database_refuses_is_skipped_alone(
    sqlite_engine: Engine, tmp_path: Path
) -> None:
    """A refusal inside a batch rolls the batch back; the import retries it record by record."""
    with sqlite_engine.begin() as conn:
        conn.exec_driver_sql(
            "CREATE TRIGGER refuse_poison BEFORE INSERT ON issues WHEN NEW.title = 'poison' "
            "BEGIN SELECT RAISE(ABORT, 'refused by a trigger'); END"
        )
    store = SqlIssueStore(sqlite_engine)
    batch = [make_issue(n) for n in range(1, 6)]
    batch[2] = make_issue(3, title="poison")
    path = _write(tmp_path / "p.json", [issue_to_rest(i) for i in batch])
    summary = _import(store, path, batch=10)
    assert (summary.inserted, summary.skipped) == (4, 1)
    assert summary.comments == 8
    assert (
        "issue docker/for-mac#3: the database refused it: database error: refused by a trigger"
        in _problems(summary)
    )
    assert store.get_issue(IssueRef(MAC, 3)) is None
    assert store.count_issues() == 4


def test_a_bad_first_record_does_not_reject_the_file(sqlite_engine: Engine, tmp_path: Path) -> None:
    store = SqlIssueStore(sqlite_engine)
    path = _write(
        tmp_path / "f.json",
        ["oops", {"note": "x"}, issue_to_gh(make_issue(1)), issue_to_gh(make_issue(2))],
    )
    summary = _import(store, path)
    assert (summary.inserted, summary.skipped) == (2, 2)
    text = _problems(summary)
    assert "item 0 (line 1): not an issue record" in text
    assert "item 1 (line 1): not an issue record: expected" in text
    five_bad = _write(
        tmp_path / "g.json", [{"n": i} for i in range(7)] + [issue_to_gh(make_issue(3))]
    )
    summary = _import(store, five_bad)
    assert summary.issues == 0
    assert [str(p) for p in summary.errors] == [
        f"{five_bad}: item 0 (line 1): wrong format: expected `gh issue list --json …` output "
        "or GitHub REST issues, got an object with keys ['n']"
    ]


def test_gh_and_ndjson_export_shapes(sqlite_engine: Engine, tmp_path: Path) -> None:
    store = SqlIssueStore(sqlite_engine)
    store.upsert_issues([make_issue(1), make_issue(2, WIN)])
    out = io.StringIO()
    assert export_issues(store, GithubRecordsOut(), out, ExportFormat.GH, repo=WIN) == 1
    (record,) = json.loads(out.getvalue())
    assert record["number"] == 2 and record["state"] == "OPEN" and "createdAt" in record
    path = tmp_path / "gh.json"
    path.write_text(out.getvalue())
    again = SqlIssueStore(sqlite_engine)
    # gh keeps no comment edit times: re-importing it updates the issue (events are kept)
    summary = _import(again, path)
    assert (summary.updated, summary.unchanged) == (1, 0)
    stored = again.get_issue(IssueRef(WIN, 2))
    assert stored is not None and stored.events == make_issue(2, WIN).events
    lines = io.StringIO()
    export_issues(store, GithubRecordsOut(), lines, ExportFormat.NDJSON)
    assert [json.loads(x)["number"] for x in lines.getvalue().splitlines()] == [1, 2]
    empty = io.StringIO()
    assert (
        export_issues(store, GithubRecordsOut(), empty, ExportFormat.JSON, repo=RepoRef("a", "b"))
        == 0
    )
    assert json.loads(empty.getvalue()) == []
