"""Evidence-based label suggestions: kind hits, "when labelled" precision, the family view."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from triagedesk.intelligence.aliases import LabelNormaliser
from triagedesk.intelligence.families import family_scores
from triagedesk.intelligence.labels import LabelExample, LabelModel, predict_one, train
from triagedesk.intelligence.rules import (
    Hit,
    RuleEngine,
    labelled_confidence,
    when_labelled,
)
from triagedesk.intelligence.signatures import signature_of
from triagedesk.settings import Settings

T0 = datetime(2025, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("title", "label"),
    [
        ("[Feature Request] Allow changing the VM disk location", "kind/feature"),
        ("Docs: the proxy page lists a setting that no longer exists", "kind/docs"),
        ("Docker Desktop crashes on start after the update", "kind/bug"),
    ],
)
def test_kind_detector_is_a_rule_source(title: str, label: str) -> None:
    s = Settings()
    engine = RuleEngine(s, LabelNormaliser.from_settings(s))
    hits = engine.hits(title, "", "docker/for-mac", signature_of(title, ""))
    kinds = [h for h in hits if h.source == "kind"]
    assert [h.label for h in kinds] == [label]


W = Hit("platform/windows", "repo", "filed in docker/for-win")
V1 = Hit("version/4.30.0", "environment", "reported version 4.30.0")
V2 = Hit("version/4.31.1", "environment", "reported version 4.31.1")
G = Hit("area/gui", "keyword", "mentions 'dashboard'")


@pytest.mark.parametrize(
    ("hits", "truth", "key", "expected"),
    [
        # unlabelled issues do not count against the evidence: 1 right of 1 measured
        ([[W], [W], [W]], [{"platform/windows"}, set(), {"area/gui"}], W.key, (2 / 3, 1)),
        # a different platform label is a miss
        ([[W], [W]], [{"platform/windows"}, {"platform/macos"}], W.key, (2 / 4, 2)),
        # version hits pool across versions
        (
            [[V1], [V2], [V1]],
            [{"version/4.30.0"}, {"version/4.31.1"}, {"version/4.29.0"}],
            "version/*|environment",
            (3 / 5, 3),
        ),
        # configured rules are measured the same way, per label
        (
            [[Hit("area/gui", "keyword", "mentions 'gui'")], [G], [G]],
            [{"area/gui"}, {"area/wsl2"}, {"kind/bug"}],
            "area/gui|keyword",
            (2 / 4, 2),
        ),
    ],
)
def test_when_labelled_counts_only_issues_labelled_in_the_family(
    hits: list[list[Hit]],
    truth: list[set[str]],
    key: str,
    expected: tuple[float, int] | None,
) -> None:
    table = when_labelled(hits, truth)
    if expected is None:
        assert key not in table
    else:
        assert table[key][0] == pytest.approx(expected[0])
        assert table[key][1] == expected[1]


def test_labelled_confidence_takes_the_strongest_hit() -> None:
    env = Hit("platform/windows", "environment", "reported OS windows")
    table = {W.key: (0.9, 40), env.key: (0.7, 10)}
    got = labelled_confidence([env, W], table)
    prec, n, why = got["platform/windows"]
    assert (prec, n) == (0.9, 40)
    assert why[0].startswith("repo:") and any(w.startswith("environment:") for w in why)


def _examples() -> list[LabelExample]:
    """Windows and Mac reports; the team gave a platform label to only a few of them."""
    out = []
    for i in range(80):
        win = i % 2 == 0
        repo = "docker/for-win" if win else "docker/for-mac"
        labels: set[str] = set()
        if i % 20 in (0, 1):  # 8 of 80 carry a platform label (too few for a model), all right
            labels.add("platform/windows" if win else "platform/macos")
        if i % 4 == 0:
            labels.add("area/networking")
        body = "ports are not reachable from the host" if i % 4 == 0 else f"it fails, case {i}"
        out.append(
            LabelExample(
                ref=f"{repo}#{i + 1}",
                repo=repo,
                title=f"Something breaks when starting {i}",
                body=body,
                created_at=T0 + timedelta(hours=i),
                labels=frozenset(labels),
            )
        )
    return out


@pytest.fixture(scope="module")
def sparse_model() -> tuple[LabelModel, Settings]:
    s = Settings()
    return train(_examples(), s), s


def test_evidence_is_suggested_when_history_confidence_abstains(
    sparse_model: tuple[LabelModel, Settings],
) -> None:
    model, s = sparse_model
    # measured against every issue the repo rule is mostly "wrong" (nobody labelled)
    assert model.rule_precision["platform/windows|repo"] < model.suggest_floor
    engine = RuleEngine(s, LabelNormaliser.from_settings(s))
    got = predict_one(
        model, engine, title="App hangs on start", body="nothing happens", repo="docker/for-win"
    )
    plat = {g.label: g for g in got if g.label.startswith("platform/")}
    assert set(plat) == {"platform/windows"}
    g = plat["platform/windows"]
    assert g.basis == "when-labelled" and g.decision == "suggest" and not g.likely
    assert g.confidence == pytest.approx((4 + 1) / (4 + 2))
    assert any("4 issues the team gave a platform/* label" in e for e in g.evidence)
    # a label already on the issue is not suggested again
    again = predict_one(
        model,
        engine,
        title="App hangs on start",
        body="nothing happens",
        repo="docker/for-win",
        present=["platform/windows"],
    )
    assert "platform/windows" not in {g.label for g in again}


def test_evidence_suggestions_are_never_applied_and_survive_persistence(
    sparse_model: tuple[LabelModel, Settings],
) -> None:
    model, s = sparse_model
    # even with a history threshold far below it, a when-labelled suggestion stays a suggestion
    model.thresholds["platform/macos"] = 0.01
    engine = RuleEngine(s, LabelNormaliser.from_settings(s))
    try:
        for m in (model, LabelModel.from_bytes(model.to_bytes())):
            got = predict_one(m, engine, title="Crash", body="it died", repo="docker/for-mac")
            mac = [g for g in got if g.label == "platform/macos"]
            assert mac and mac[0].decision == "suggest" and mac[0].basis == "when-labelled"
        assert LabelModel.from_bytes(model.to_bytes()).labelled_precision == (
            model.labelled_precision
        )
    finally:
        model.thresholds["platform/macos"] = None


def test_family_scores_separate_sparse_truth_from_wrong_guesses() -> None:
    gold = [{"platform/windows"}, set(), set(), {"platform/macos", "area/gui"}]
    pred: list[set[str]] = [set(), set(), set(), {"area/gui"}]
    when = [{"platform/windows"}, {"platform/windows"}, set(), {"platform/windows", "area/gui"}]
    got = family_scores(gold, pred, when, ["platform/", "area/"])
    plat = got["platform/"]
    assert (plat["test_issues"], plat["test_labelled"], plat["test_labelled_share"]) == (4, 2, 0.5)
    assert plat["all_issues"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0}
    # only issues 0 and 3 are scored: one right, one wrong; issue 1's guess is not judged
    assert plat["labelled_only"] == {"precision": 0.5, "recall": 0.5, "f1": 0.5}
    assert got["area/"]["all_issues"]["f1"] == 1.0
