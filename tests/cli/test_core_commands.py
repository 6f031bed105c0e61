"""init, config show/check and workflow diagram through the real entry point."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from support.cli import run


def test_init_then_show_and_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "t.toml"
    assert run(["init", str(path)], capsys)[0] == 0
    code, _, err = run(["init", str(path)], capsys)
    assert code == 2 and "--force" in err and len(err.strip().splitlines()) == 1
    code, out, _ = run(["config", "show", "--json", "--config", str(path)], capsys)
    assert code == 0 and json.loads(out)["profile"]["internal_repo"] == "docker/pinata"
    code, out, _ = run(["config", "check", "--json", "--config", str(path)], capsys)
    assert json.loads(out)["public_repos"] == ["docker/for-mac", "docker/for-win"]


def test_broken_config_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "t.toml"
    path.write_text("[sla]\nresolution_target_days = 'soon'\n", encoding="utf-8")
    code, _, err = run(["config", "check", "--config", str(path)], capsys)
    assert code == 2
    assert f"{path}: sla.resolution_target_days" in err


def test_workflow_diagram_json_is_the_table(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["workflow", "diagram", "--json"], capsys)
    assert code == 0
    table = json.loads(out)["transitions"]
    assert table["(new issue)"] == ["status/0-triage"]
    assert table["status/4-fix-released-stable"] == []
    code, out, _ = run(["workflow", "diagram"], capsys)
    assert code == 0 and out.startswith("stateDiagram-v2")
