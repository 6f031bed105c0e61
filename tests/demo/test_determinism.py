"""Same issues, seed and end: the same bytes. Different seed: a different corpus."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from triagedesk.demo import events_path_for, write_corpus


def test_same_seed_same_bytes(tmp_path):
    a, b, c = tmp_path / "a.json", tmp_path / "b.json", tmp_path / "c.json"
    write_corpus(a, 400, 3)
    write_corpus(b, 400, 3)
    write_corpus(c, 400, 4)
    assert a.read_bytes() == b.read_bytes()
    assert events_path_for(a).read_bytes() == events_path_for(b).read_bytes()
    assert a.read_bytes() != c.read_bytes()


def test_end_date_moves_the_window(tmp_path):
    out = tmp_path / "x.json"
    write_corpus(out, 200, 1, datetime(2024, 6, 1, tzinfo=UTC))
    records = json.loads(out.read_text())
    created = sorted(r["createdAt"] for r in records)
    assert created[0] >= "2022-06-01" and created[-1] < "2024-06-01"
    assert all(r["updatedAt"] <= "2024-06-01T00:00:00Z" for r in records)


def test_sidecar_name(tmp_path):
    assert events_path_for(tmp_path / "c.json").name == "c.events.json"
    assert events_path_for(tmp_path / "c").name == "c.events.json"


def test_same_bytes_across_processes_with_different_hash_seeds(tmp_path):
    import os
    import subprocess
    import sys

    code = "import sys; from pathlib import Path; from triagedesk.demo import write_corpus; write_corpus(Path(sys.argv[1]), 150, 9)"
    outs = []
    for hash_seed in ("1", "2"):
        out = tmp_path / f"h{hash_seed}.json"
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        subprocess.run(
            [sys.executable, "-c", code, str(out)], env=env, check=True, capture_output=True
        )
        outs.append((out.read_bytes(), events_path_for(out).read_bytes()))
    assert outs[0] == outs[1]
