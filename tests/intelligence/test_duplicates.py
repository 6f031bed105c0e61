"""The hybrid index: evidence, only earlier issues, edits, persistence."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from triagedesk.intelligence.duplicates import DuplicateIndex, IndexedIssue

T = datetime(2022, 1, 1, tzinfo=UTC)
ERR = "Error response from daemon: Ports are not available: listen tcp 0.0.0.0:8080: bind: address already in use"


def _index() -> DuplicateIndex:
    idx = DuplicateIndex()
    docs = [
        (
            "docker/for-mac#1",
            "Ports not available after upgrade",
            f"Docker Desktop Version: 4.12.0\n```\n{ERR}\n```\n[FAIL] DD0013: is the VM networking working?",
        ),
        ("docker/for-mac#2", "Kubernetes will not start", "kubectl hangs forever"),
        ("docker/for-win#3", "Slow bind mounts", "npm install takes ages in a mounted folder"),
        ("docker/for-win#4", "Dark theme please", "the dashboard is too bright"),
    ]
    for i, (ref, title, body) in enumerate(docs):
        idx.add(IndexedIssue(ref, title, body, T + timedelta(days=i)))
    return idx


def test_finds_the_original_with_evidence() -> None:
    idx = _index()
    body = f"Docker Desktop Version: 4.12.0\ncontainers cannot publish ports:\n{ERR.replace('8080', '3000')}\n[FAIL] DD0013: is the VM networking working?"
    got = idx.search("Cannot publish ports", body, k=3)
    top = got[0]
    assert top.ref == "docker/for-mac#1"
    assert "dd0013" in top.evidence["failing_components"]
    assert top.evidence["error_lines"]
    assert top.evidence["versions"] == ["4.12.0"]
    assert top.signature > 0 and top.lexical > 0
    assert top.score > got[1].score


def test_only_earlier_issues_and_not_itself() -> None:
    idx = _index()
    q = (
        "Ports not available, kubernetes slow mounts",
        "kubectl hangs; npm install in a mounted folder",
    )
    got = idx.search(*q, before=T + timedelta(days=1), k=5)
    assert [c.ref for c in got] == ["docker/for-mac#1"]
    assert idx.search(*q, before=T, k=5) == []
    got = idx.search("Kubernetes will not start", "kubectl hangs", exclude="docker/for-mac#2", k=5)
    assert "docker/for-mac#2" not in [c.ref for c in got]


def test_nothing_shared_is_no_candidate() -> None:
    assert _index().search("Completely different words", "zebra quantum", k=5) == []


def test_edit_replaces_the_entry() -> None:
    idx = _index()
    idx.add(
        IndexedIssue("docker/for-win#4", "Kubernetes context missing", "kubectl context gone", T)
    )
    assert idx.size == 4
    got = idx.search("kubectl context", "", k=4)
    assert got[0].ref == "docker/for-win#4"
    assert sum(1 for c in got if c.ref == "docker/for-win#4") == 1


def test_persisted_index_answers_the_same_and_grows() -> None:
    idx = _index()
    again = DuplicateIndex.from_bytes(idx.to_bytes())
    q = ("Ports", ERR)
    assert [(c.ref, round(c.score, 6)) for c in idx.search(*q)] == [
        (c.ref, round(c.score, 6)) for c in again.search(*q)
    ]
    again.add(IndexedIssue("docker/for-mac#9", "Ports again", ERR, T + timedelta(days=9)))
    assert again.search(*q, k=1)[0].ref in {"docker/for-mac#9", "docker/for-mac#1"}
    assert again.size == 5


def test_verdicts_follow_thresholds() -> None:
    idx = _index()
    assert idx.verdict(0.95) == "duplicate"
    assert idx.verdict(0.35) == "related"
    assert idx.verdict(0.05) == "none"


def test_references_count_only_before_the_query() -> None:
    idx = DuplicateIndex()
    idx.add(IndexedIssue("docker/for-mac#1", "Whale icon flickers", "flicker tray icon", T))
    idx.add(
        IndexedIssue(
            "docker/for-mac#2", "Whale icon flickers", "flicker tray icon", T + timedelta(days=1)
        )
    )
    query_at = T + timedelta(days=10)
    q = ("Whale icon flickers", "flicker tray icon")
    # no references: the newer copy wins on recency
    assert idx.search(*q, before=query_at)[0].ref == "docker/for-mac#2"
    # referred to (say "same as #1") only after the query was filed: still no help
    idx.set_mentions({"docker/for-mac#1": [(query_at + timedelta(hours=1)).timestamp()]})
    assert idx.search(*q, before=query_at)[0].ref == "docker/for-mac#2"
    # referred to twice before: the popular original wins
    before = (T + timedelta(days=2)).timestamp()
    idx.set_mentions({"docker/for-mac#1": [before, before + 60]})
    assert idx.search(*q, before=query_at)[0].ref == "docker/for-mac#1"
    again = DuplicateIndex.from_bytes(idx.to_bytes())
    assert again.search(*q, before=query_at)[0].ref == "docker/for-mac#1"
