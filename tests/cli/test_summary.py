"""triagedesk summary: counts across features, on a corpus run through the demo pipeline steps."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from support.cli import run


def test_summary_counts_what_the_pipelines_stored(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = f"sqlite:///{tmp_path}/d.db"
    corpus = tmp_path / "c.json"
    assert run(["demo-data", "--issues", "60", "--seed", "3", "--out", str(corpus)], capsys)[0] == 0
    assert run(["import", str(corpus), "--db", db], capsys)[0] == 0
    code, out, _ = run(["summary", "--db", db, "--json"], capsys)
    assert code == 0
    before = json.loads(out)
    total = sum(s["open"] + s["closed"] for s in before["issues"].values())
    assert total == 60
    assert set(before["issues"]) <= {"docker/for-mac", "docker/for-win"}
    assert before["checklists"] == {} and before["actions"] == {}

    assert run(["check", "--all", "--db", db], capsys)[0] == 0
    code, out, _ = run(["summary", "--db", db, "--json"], capsys)
    after = json.loads(out)
    assert sum(after["checklists"].values()) == 60
    assert set(after["checklists"]) <= {"complete", "needs-more-info"}
    # shadow mode by default: decisions are planned, none applied
    assert "planned" in after["actions"] and "applied" not in after["actions"]


def test_summary_human_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["summary", "--db", f"sqlite:///{tmp_path}/empty.db"], capsys)
    assert code == 0
    assert "reports archived" in out
