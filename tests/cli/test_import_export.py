"""triagedesk import / export / status through the real entry point."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from support.cli import run

FIXTURES = Path(__file__).parents[1] / "fixtures" / "github"


@pytest.fixture
def files(tmp_path: Path) -> Path:
    for name in ("gh_issues.json", "rest_issues.json", "rest_issues.comments.json"):
        shutil.copy(FIXTURES / name, tmp_path / name)
    return tmp_path


def test_import_twice_then_export_round_trip(
    files: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = f"sqlite:///{tmp_path}/a.db"
    code, out, _ = run(
        [
            "import",
            str(files / "gh_issues.json"),
            str(files / "rest_issues.json"),
            "--db",
            db,
            "--json",
        ],
        capsys,
    )
    assert code == 0
    summary = json.loads(out)
    assert summary["issues"]["inserted"] == 5 and summary["pull_requests_skipped"] == 1
    assert summary["comments"] == 6
    code, out, _ = run(
        [
            "import",
            str(files / "gh_issues.json"),
            str(files / "rest_issues.json"),
            "--db",
            db,
            "--json",
        ],
        capsys,
    )
    assert json.loads(out)["issues"] == {
        "inserted": 0,
        "updated": 0,
        "unchanged": 5,
        "skipped": 0,
        "duplicates": 0,
    }

    dump = tmp_path / "dump.json"
    code, out, _ = run(["export", "--db", db, "--out", str(dump), "--json"], capsys)
    assert code == 0 and json.loads(out) == {"exported": 5, "format": "json", "out": str(dump)}
    other = f"sqlite:///{tmp_path}/b.db"
    code, out, _ = run(["import", str(dump), "--db", other, "--json"], capsys)
    assert json.loads(out)["issues"]["inserted"] == 5
    code, again, _ = run(["export", "--db", other], capsys)  # to standard output
    assert json.loads(again) == json.loads(dump.read_text())

    code, out, _ = run(
        ["export", "--db", db, "--format", "csv", "--repo", "docker/for-win"], capsys
    )
    lines = out.strip().splitlines()
    assert lines[0].startswith("repo,number,title,state")
    assert [ln.split(",")[1] for ln in lines[1:]] == ["13001", "13003"]


def test_human_summary(files: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        ["import", str(files / "gh_issues.json"), "--db", f"sqlite:///{tmp_path}/h.db"], capsys
    )
    assert code == 0
    assert "imported 3 issues from 1 file(s): 3 new, 0 updated, 0 unchanged" in out


def _one_line_error(code: int, err: str, text: str) -> None:
    assert code == 2
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("error:") and text in lines[0]


@pytest.mark.parametrize(
    ("content", "text"),
    [
        ('{"total_count": 0, "items": []}', "wrong format"),
        ('[{"number": 1, "title": ', "truncated"),
        ("\x00\x01binary", "expected a JSON array"),
    ],
)
def test_unusable_files_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, text: str
) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content)
    code, _, err = run(["import", str(path), "--db", f"sqlite:///{tmp_path}/x.db"], capsys)
    _one_line_error(code, err, text)


def test_user_errors_exit_2(
    files: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = f"sqlite:///{tmp_path}/u.db"
    code, _, err = run(["import", str(tmp_path / "missing.json"), "--db", db], capsys)
    _one_line_error(code, err, "no such file")
    code, _, err = run(
        ["import", str(files / "gh_issues.json"), "--repo", "not-a-repo", "--db", db], capsys
    )
    _one_line_error(code, err, "not a repository name")
    code, _, err = run(["export", "--format", "xml", "--db", db], capsys)
    _one_line_error(code, err, "unknown format 'xml'")
    code, _, err = run(["export", "--out", str(tmp_path / "no" / "dir.json"), "--db", db], capsys)
    _one_line_error(code, err, "does not exist")
    code, _, err = run(
        ["import", str(files / "gh_issues.json"), "--db", "sqlite:////no/such/dir/x.db"], capsys
    )
    _one_line_error(code, err, "does not exist")


def test_partial_import_reports_problems_and_strict_fails(
    files: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    records = json.loads((files / "gh_issues.json").read_text())
    del records[1]["createdAt"]
    path = tmp_path / "partial.json"
    path.write_text(json.dumps(records))
    db = f"sqlite:///{tmp_path}/p.db"
    code, out, err = run(["import", str(path), "--db", db], capsys)
    assert code == 0 and "2 new" in out
    assert "item 1 (line 1): issue #7102: field 'createdAt' is missing" in err
    code, _, _ = run(["import", str(path), "--db", db, "--strict"], capsys)
    assert code == 1


def test_read_only_and_locked_databases(
    files: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db_file = tmp_path / "ro.db"
    assert (
        run(["import", str(files / "gh_issues.json"), "--db", f"sqlite:///{db_file}"], capsys)[0]
        == 0
    )
    code, _, err = run(
        ["import", str(files / "rest_issues.json"), "--db", f"sqlite:///{db_file}?mode=ro"], capsys
    )
    _one_line_error(code, err, "cannot be written")
    holder = sqlite3.connect(db_file, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        code, _, err = run(
            [
                "import",
                str(files / "rest_issues.json"),
                "--db",
                f"sqlite:///{db_file}?busy_timeout=100",
            ],
            capsys,
        )
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    _one_line_error(code, err, "locked by another writer")
    code, out, _ = run(["export", "--db", f"sqlite:///{db_file}", "--format", "ndjson"], capsys)
    assert len(out.strip().splitlines()) == 3  # nothing lost, nothing half-written


def test_status_set_and_history(
    files: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = f"sqlite:///{tmp_path}/s.db"
    run(["import", str(files / "gh_issues.json"), "--db", db], capsys)
    code, out, _ = run(
        [
            "status",
            "set",
            "docker/for-mac#7101",
            "acknowledged",
            "--reason",
            "reproduced on 4.12",
            "--actor",
            "l1-ana",
            "--db",
            db,
            "--json",
        ],
        capsys,
    )
    assert code == 0
    moved = json.loads(out)
    assert moved["from"] == "status/0-triage" and moved["to"] == "status/1-acknowledged"
    assert moved["labels"] == ["version/4.12.0", "status/1-acknowledged"]
    code, _, err = run(
        ["status", "set", "docker/for-mac#7101", "fixed", "--reason", "x", "--db", db], capsys
    )
    _one_line_error(code, err, "cannot move from status/1-acknowledged to status/3-fixed")
    code, out, _ = run(
        [
            "status",
            "set",
            "https://github.com/docker/for-mac/issues/7101",
            "status/3-fixed",
            "--reason",
            "fixed in master",
            "--force",
            "--actor",
            "lead",
            "--db",
            db,
            "--json",
        ],
        capsys,
    )
    assert code == 0 and json.loads(out)["forced"] is True
    code, _, err = run(
        ["status", "set", "docker/for-mac#9999", "acknowledged", "--reason", "x", "--db", db],
        capsys,
    )
    _one_line_error(code, err, "not in the database")
    code, _, err = run(
        ["status", "set", "docker/for-mac#7101", "sleeping", "--reason", "x", "--db", db], capsys
    )
    _one_line_error(code, err, "unknown status 'sleeping'")
    code, out, _ = run(["status", "history", "docker/for-mac#7101", "--db", db, "--json"], capsys)
    history = json.loads(out)
    assert [(h["to"], h["actor"], h["forced"]) for h in history] == [
        ("status/1-acknowledged", "l1-ana", False),
        ("status/3-fixed", "lead", True),
    ]
    code, out, _ = run(["status", "history", "docker/for-mac#7101", "--db", db], capsys)
    assert code == 0 and "status moves of docker/for-mac#7101" in out


def test_import_from_standard_input(
    files: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import io
    import types

    data = (files / "gh_issues.json").read_bytes()
    monkeypatch.setattr("sys.stdin", types.SimpleNamespace(buffer=io.BytesIO(data[:3000])))
    code, out, _ = run(["import", "-", "--db", f"sqlite:///{tmp_path}/in.db", "--json"], capsys)
    summary = json.loads(out)
    assert code == 0 and summary["files"] == ["-"]
    assert summary["issues"]["inserted"] == 1  # the rest was cut off …
    assert summary["errors"][0]["file"] == "-"  # … and reported as standard input's
    assert "truncated" in summary["errors"][0]["message"]


def test_internal_repo_from_the_configuration(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from triagedesk.adapters.store.db import open_engine
    from triagedesk.adapters.store.issues import SqlIssueStore
    from triagedesk.domain.model import Visibility

    rest = json.loads((FIXTURES / "rest_issues.json").read_text())
    path = tmp_path / "pinata.json"
    path.write_text(json.dumps(rest))
    db = f"sqlite:///{tmp_path}/v.db"
    code, _, _ = run(["import", str(path), "--repo", "docker/pinata", "--db", db], capsys)
    assert code == 0
    code, _, _ = run(["import", str(FIXTURES / "gh_issues.json"), "--db", db], capsys)
    engine = open_engine(db)
    info = {r.ref.full_name: r.visibility for r in SqlIssueStore(engine).repo_info()}
    engine.dispose()
    assert info == {"docker/pinata": Visibility.INTERNAL, "docker/for-mac": Visibility.PUBLIC}
    broken = tmp_path / "broken.toml"
    broken.write_text("[profile\\n")
    code, _, err = run(["import", str(path), "--db", db, "--config", str(broken)], capsys)
    assert code == 2 and "broken.toml" in err
