"""`triagedesk demo-data` writes both files and prints a summary; bad arguments exit 2."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from triagedesk.cli import main


def run(args, capsys):
    with pytest.raises(SystemExit) as exc:
        main(args)
        raise SystemExit(0)
    out = capsys.readouterr()
    return exc.value.code, out.out, out.err


def test_writes_corpus_and_events_and_json_summary(tmp_path, capsys):
    out = tmp_path / "corpus.json"
    code, stdout, _ = run(
        ["demo-data", "--issues", "120", "--seed", "5", "--out", str(out), "--json"], capsys
    )
    assert code == 0
    summary = json.loads(stdout)
    records = json.loads(out.read_text())
    events = json.loads((tmp_path / "corpus.events.json").read_text())
    assert len(records) == summary["issues"] == 120
    assert summary["per_repo"]["docker/for-win"] + summary["per_repo"]["docker/for-mac"] == 120
    assert summary["events"] == len(events)
    assert summary["comments"] == sum(len(r["comments"]) for r in records)


def test_human_summary(tmp_path):
    out = tmp_path / "c.json"
    exe = Path(sys.executable).parent / "triagedesk"
    proc = subprocess.run(
        [str(exe), "demo-data", "--issues", "60", "--out", str(out)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "closed as duplicate" in proc.stdout and "docker/for-win" in proc.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["--issues", "0"],
        ["--end", "yesterday"],
        ["--out", "/nonexistent-dir/c.json"],
    ],
)
def test_bad_arguments_exit_2_and_write_nothing(tmp_path, capsys, args):
    argv = ["demo-data", "--out", str(tmp_path / "c.json"), *args]
    code, _, err = run(argv, capsys)
    assert code == 2 and "error" in err
    assert not (tmp_path / "c.json").exists()
