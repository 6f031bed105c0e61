"""check / reproduced / diagnostics fetch / eval quality through the real entry point."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from support.cli import run
from support.s3 import S3Bucket, s3_bucket, s3_endpoint

__all__ = ["s3_bucket", "s3_endpoint"]

G = "5C0B4E1A-93D2-4F6B-A8E7-2D1C0F9B3A64"
ID = f"{G}/20250301090000"
GOOD = f"""### Description

Since 4.38.0 the engine stops after the Mac wakes from sleep; every docker command then
hangs until I quit Docker Desktop. macOS 15.3 on an Apple M2, Docker Desktop 4.38.0.

### Reproduce

1. Start any container with docker run -d nginx
2. Close the lid for ten minutes and open it again
3. Run docker ps

### Expected behavior

The engine keeps running.

### Diagnostics ID

{ID}
"""
EMPTY = "### Description\n\n_No response_\n\n### Reproduce\n\n1.\n2.\n\n### Diagnostics ID\n\n_No response_\n"


def _comment(login: str, assoc: str, body: str, at: str) -> dict[str, Any]:
    return {"author": {"login": login}, "authorAssociation": assoc, "body": body, "createdAt": at}


def _issue(
    number: int, title: str, body: str, comments: list[dict[str, Any]], state: str = "OPEN"
) -> dict[str, Any]:
    return {
        "number": number,
        "title": title,
        "body": body,
        "author": {"login": "reporter"},
        "labels": [],
        "state": state,
        "stateReason": "NOT_PLANNED" if state == "CLOSED" else "",
        "createdAt": "2025-03-01T10:00:00Z",
        "closedAt": "2025-03-20T10:00:00Z" if state == "CLOSED" else None,
        "updatedAt": "2025-03-20T10:00:00Z",
        "comments": comments,
        "url": f"https://github.com/docker/for-mac/issues/{number}",
    }


@pytest.fixture
def db(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    issues = [
        _issue(
            1,
            "Engine stops after sleep",
            GOOD,
            [
                _comment(
                    "maint",
                    "MEMBER",
                    "Thanks, acknowledged: we can see it in the logs.",
                    "2025-03-02T10:00:00Z",
                ),
            ],
        ),
        _issue(
            2,
            "Docker broken",
            EMPTY,
            [
                _comment(
                    "maint",
                    "MEMBER",
                    "Please provide a diagnostics ID and the exact steps.",
                    "2025-03-02T10:00:00Z",
                ),
            ],
            state="CLOSED",
        ),
        _issue(
            3, "Feature request: pin the dashboard", "It would be great to pin the dashboard.", []
        ),
        _issue(4, "Nobody looked at this", EMPTY, []),
    ]
    path = tmp_path / "corpus.json"
    path.write_text(json.dumps(issues), encoding="utf-8")
    url = f"sqlite:///{tmp_path}/q.db"
    code, _, err = run(["import", str(path), "--db", url], capsys)
    assert code == 0, err
    return url


def test_check_one_issue_as_json(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["check", "docker/for-mac#4", "--db", db, "--json", "--no-s3"], capsys)
    assert code == 0, err
    data = json.loads(out)
    assert (data["repo"], data["number"], data["verdict"]) == (
        "docker/for-mac",
        4,
        "needs-more-info",
    )
    assert "diagnostics" in data["missing"] and "reproduction-present" in data["missing"]
    assert data["evidence"]["template"]["era"] == "form"


def test_check_all_plans_actions_and_prints_every_issue(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(["check", "--all", "--db", db, "--json", "--no-s3"], capsys)
    assert code == 0, err
    rows = {r["number"]: r for r in json.loads(out)}
    assert set(rows) == {1, 2, 3, 4}
    assert rows[1]["verdict"] == "complete" and rows[1]["missing"] == []
    assert rows[1]["evidence"]["diagnostics"]["ids"][0]["id"] == ID
    assert rows[3]["verdict"] == "complete"
    from triagedesk.adapters.store.action_log import SqlActionLog
    from triagedesk.adapters.store.db import open_engine
    from triagedesk.ports.actions import ActionStatus

    engine = open_engine(db)
    planned = [r.action for r in SqlActionLog(engine).list(ActionStatus.PLANNED)]
    engine.dispose()
    keys = {(str(a.issue), a.kind, getattr(a, "marker", "")) for a in planned}
    assert ("docker/for-mac#4", "comment", "more-info") in keys
    assert ("docker/for-mac#1", "comment", "checklist") in keys
    assert not any(a.issue.number == 2 for a in planned)  # closed: checked, no actions


def test_check_needs_an_issue_or_all(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["check", "--db", db], capsys)
    assert code == 2 and "ISSUE or --all" in err
    code, _, err = run(["check", "docker/for-mac#99", "--db", db], capsys)
    assert code == 2 and "no such issue" in err


def test_reproduced_shows_who_and_when(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(
        [
            "reproduced",
            "docker/for-mac#4",
            "--version",
            "4.38.0",
            "--platform",
            "macOS 15 arm64",
            "--by",
            "alice",
            "--db",
            db,
            "--json",
        ],
        capsys,
    )
    assert code == 0, err
    lines = {ln["name"]: ln for ln in json.loads(out)["lines"]}
    assert "alice" in lines["reproduced-by-person"]["evidence"]
    assert lines["reproduction-present"]["status"] == "ok"


def test_eval_quality_json(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["eval", "quality", "--db", db, "--json"], capsys)
    assert code == 0, err
    data = json.loads(out)
    for key in ("precision", "recall", "f1", "n", "baseline"):
        assert key in data
    for key in ("precision", "recall", "f1", "n"):
        assert key in data["baseline"]
    # #1 worked on, #2 asked; #3 and #4 had no team signal
    assert (data["n"], data["unknown"]) == (2, 2)
    assert data["confusion"] == {"tp": 1, "fp": 0, "fn": 0, "tn": 1}
    assert data["f1"] == 1.0
    assert data["at_first_response"]["n"] == 2


def test_eval_quality_on_an_empty_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(["eval", "quality", "--db", f"sqlite:///{tmp_path}/e.db"], capsys)
    assert code == 2 and "no issues" in err


def test_diagnostics_fetch(
    s3_bucket: S3Bucket,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("logs/vm.log", "kernel: no space left on device\n")
        zf.writestr("../evil", "x")
    s3_bucket.client().put_object(
        Bucket=s3_bucket.name, Key=f"incoming/0/{ID}.zip", Body=buf.getvalue()
    )  # type: ignore[attr-defined]
    config = tmp_path / "t.toml"
    config.write_text(
        f'[diagnostics]\nbucket = "{s3_bucket.name}"\nendpoint_url = "{s3_bucket.endpoint}"\nretries = 0\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("TRIAGEDESK_AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("TRIAGEDESK_AWS_SECRET_ACCESS_KEY", "testing")
    dest = tmp_path / "out"
    args = [
        "diagnostics",
        "fetch",
        ID,
        "--to",
        str(dest),
        "--config",
        str(config),
        "--db",
        f"sqlite:///{tmp_path}/d.db",
    ]
    code, out, err = run([*args, "--json"], capsys)
    assert code == 0, err
    data = json.loads(out)
    assert data["files"] == ["logs/vm.log"]
    assert data["skipped"] and "leaves the folder" in data["skipped"][0]
    assert data["signatures"][0]["area"] == "area/storage"
    assert not (tmp_path / "evil").exists()
    # the checklist of an issue with that ID now shows the known failure
    from triagedesk.adapters.store.checklists import SqlChecklistStore
    from triagedesk.adapters.store.db import open_engine

    engine = open_engine(f"sqlite:///{tmp_path}/d.db")
    stored = SqlChecklistStore(engine).bundle_check(ID)
    engine.dispose()
    assert stored is not None and stored[0].signatures[0].startswith("area/storage")
    code, _, err = run(
        ["diagnostics", "fetch", f"{G[:-1]}9", "--to", str(dest), "--config", str(config)], capsys
    )
    assert code == 2 and "no bundle" in err
    code, _, err = run(["diagnostics", "fetch", "nonsense", "--config", str(config)], capsys)
    assert code == 2 and "not a Diagnostics ID" in err
