"""train / suggest / duplicates / index / eval through the real entry point, on a generated corpus."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from support.cli import run


@pytest.fixture
def demo_db(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    """A small generated corpus (the demo generator), imported into a fresh SQLite file."""
    corpus = tmp_path / "corpus.json"
    db = f"sqlite:///{tmp_path}/intel.db"
    code, _, err = run(
        ["demo-data", "--issues", "400", "--seed", "5", "--out", str(corpus)], capsys
    )
    assert code == 0, err
    code, _, err = run(["import", str(corpus), "--db", db], capsys)
    assert code == 0, err
    return db


def _first_duplicate(db: str, capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    code, out, err = run(["eval", "duplicates", "--json", "--db", db], capsys)
    assert code == 0, err
    return json.loads(out)  # type: ignore[no-any-return]


@pytest.mark.slow
def test_pipeline(demo_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    db = demo_db
    # nothing trained yet: a clear one-line error
    code, _, err = run(["suggest", "--all", "--db", db], capsys)
    assert code == 2 and "triagedesk train" in err

    code, out, err = run(["train", "--json", "--db", db], capsys)
    assert code == 0, err
    trained = json.loads(out)
    assert trained["n_issues"] == 400 and trained["index_version"] == 1

    code, out, err = run(["suggest", "--all", "--limit", "3", "--json", "--db", db], capsys)
    assert code == 0, err
    rows = json.loads(out)
    assert len(rows) == 3
    for row in rows:
        assert set(row) >= {"issue", "labels", "duplicates"}
        for lab in row["labels"]:
            assert lab["basis"] in {"history", "when-labelled"}
            # evidence measured only on labelled issues is shown, never applied
            assert lab["basis"] == "history" or lab["decision"] == "suggest"
        for cand in row["duplicates"]:
            assert cand["verdict"] in {"duplicate", "related", "none", "rejected"}
            assert 0.0 <= cand["score"] <= 1.0
            assert isinstance(cand["evidence"], dict)

    issue = rows[0]["issue"]
    code, out, _ = run(["suggest", issue, "--db", db], capsys)
    assert code == 0 and issue in out

    if rows[0]["duplicates"]:
        cand = rows[0]["duplicates"][0]["ref"]
        code, out, err = run(
            ["duplicates", "reject", issue, "--of", cand, "--actor", "ann", "--json", "--db", db],
            capsys,
        )
        assert code == 0, err
        code, out, _ = run(["suggest", issue, "--json", "--db", db], capsys)
        verdicts = {c["ref"]: c["verdict"] for c in json.loads(out)[0]["duplicates"]}
        assert verdicts[cand] == "rejected"
        code, out, err = run(
            ["duplicates", "confirm", issue, "--of", cand, "--actor", "ann", "--json", "--db", db],
            capsys,
        )
        assert code == 0, err
        planned = json.loads(out)
        assert [p["kind"] for p in planned] == ["comment", "add_labels", "close"]
        assert {p["status"] for p in planned} == {"planned"}  # shadow mode: nothing sent

    code, out, err = run(["index", "rebuild", "--json", "--db", db], capsys)
    assert code == 0, err
    assert json.loads(out)["indexed"] == 400
    code, out, err = run(["index", "update", "--json", "--db", db], capsys)
    assert code == 0, err
    assert json.loads(out)["added"] == 0

    code, out, err = run(["eval", "labels", "--json", "--db", db], capsys)
    assert code == 0, err
    labels = json.loads(out)
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
        assert key in labels
    assert labels["n_train"] == 280 and labels["n_test"] == 120
    fams = labels["families"]
    assert set(fams) == {"area/", "kind/", "platform/", "version/"}
    for row in fams.values():
        assert row["test_issues"] == 120 and 0 <= row["test_labelled"] <= 120
        assert set(row["labelled_only"]) == {"precision", "recall", "f1"}

    dups = _first_duplicate(db, capsys)
    for key in ("recall@1", "recall@5", "recall@10", "mrr", "n_queries", "baseline"):
        assert key in dups
    assert dups["n_queries"] > 0


def test_user_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = f"sqlite:///{tmp_path}/empty.db"
    code, _, err = run(["suggest", "--db", db], capsys)
    assert code == 2 and "--all" in err
    code, _, err = run(["train", "--db", db], capsys)
    assert code == 2 and "no issues" in err
    code, _, err = run(["eval", "labels", "--db", db], capsys)
    assert code == 2 and "at least 10" in err
    code, _, err = run(
        ["duplicates", "reject", "docker/for-mac#1", "--of", "2", "--db", db], capsys
    )
    assert code == 2 and "not stored" in err
    code, _, err = run(["duplicates", "confirm", "nonsense", "--of", "2", "--db", db], capsys)
    assert code == 2 and "issue reference" in err
