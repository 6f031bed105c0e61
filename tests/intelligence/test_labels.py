"""Thresholds for a target precision; the model trains, persists and abstains."""

from __future__ import annotations

import pytest

from support.intel_corpus import build
from triagedesk.intelligence.aliases import LabelNormaliser
from triagedesk.intelligence.evaluate import label_examples, public_issues
from triagedesk.intelligence.labels import LabelModel, choose_threshold, predict_one, train
from triagedesk.intelligence.rules import RuleEngine
from triagedesk.settings import Settings


@pytest.mark.parametrize(
    ("scores", "truth", "target", "support", "want"),
    [
        ([0.9, 0.8, 0.7, 0.6], [True, True, True, False], 0.95, 1, 0.7),
        ([0.9, 0.8, 0.7, 0.6], [True, True, True, False], 0.7, 1, 0.6),
        ([0.9, 0.8, 0.7, 0.6], [True, True, True, False], 0.95, 4, None),  # too few above
        ([0.9, 0.8], [False, True], 0.95, 1, None),  # never precise enough
        ([0.9, 0.9, 0.5], [True, False, True], 0.95, 1, None),  # ties are cut together
        ([0.0, 0.0], [True, True], 0.5, 1, None),  # zero confidence is never a threshold
    ],
)
def test_choose_threshold(
    scores: list[float], truth: list[bool], target: float, support: int, want: float | None
) -> None:
    assert choose_threshold(scores, truth, target, support) == want


@pytest.fixture(scope="module")
def trained() -> tuple[LabelModel, Settings]:
    s = Settings()
    pool = public_issues(build(220, seed=3), s)
    return train(label_examples(pool, s, None), s), s


def test_model_learns_areas_and_persists(trained: tuple[LabelModel, Settings]) -> None:
    model, s = trained
    assert "area/kubernetes" in model.labels
    engine = RuleEngine(s, LabelNormaliser.from_settings(s))
    body = "kubectl get pods hangs, the cluster never starts\nUnable to connect to the server"
    got = predict_one(
        model, engine, title="Kubernetes stuck on starting", body=body, repo="docker/for-mac"
    )
    assert got[0].label == "area/kubernetes"
    again = LabelModel.from_bytes(model.to_bytes())
    got2 = predict_one(
        again, engine, title="Kubernetes stuck on starting", body=body, repo="docker/for-mac"
    )
    assert [(g.label, round(g.confidence, 5)) for g in got] == [
        (g.label, round(g.confidence, 5)) for g in got2
    ]


def test_abstains_on_unrelated_text(trained: tuple[LabelModel, Settings]) -> None:
    model, s = trained
    engine = RuleEngine(s, LabelNormaliser.from_settings(s))
    got = predict_one(
        model, engine, title="Dark theme for the dashboard", body="colours", repo="acme/x"
    )
    assert all(g.decision == "suggest" for g in got)
    assert not any(g.label.startswith("area/") and g.confidence > 0.5 for g in got)


def test_labels_people_removed_are_negatives() -> None:
    s = Settings()
    pool = public_issues(build(120, seed=5), s)
    ex = label_examples(pool, s, None, extra_rejected=[(str(pool[0].ref), "area/networking")])
    assert "area/networking" in ex[0].rejected
