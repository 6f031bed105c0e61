"""The label backtest per family: how sparse the team's labels are, and a score over only the
issues the team labelled in a family (see :func:`family_scores`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from triagedesk.intelligence.labels import LabelExample, LabelSuggestion


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


#: an evidence suggestion counts as a guess in the family view when its evidence was right
#: more often than not on the training issues labelled in that family (fixed, not tuned)
EVIDENCE_GUESS = 0.5


def evidence_guess(s: LabelSuggestion) -> bool:
    return s.basis == "when-labelled" and s.confidence >= EVIDENCE_GUESS


def _micro(gold: Sequence[set[str]], pred: Sequence[set[str]]) -> dict[str, float]:
    tp = sum(len(g & p) for g, p in zip(gold, pred, strict=True))
    fp = sum(len(p - g) for g, p in zip(gold, pred, strict=True))
    fn = sum(len(g - p) for g, p in zip(gold, pred, strict=True))
    p_, r_, f_ = prf(tp, fp, fn)
    return {"precision": round(p_, 4), "recall": round(r_, 4), "f1": round(f_, 4)}


def family_scores(
    gold: Sequence[set[str]],
    pred: Sequence[set[str]],
    when: Sequence[set[str]],
    families: Sequence[str],
    train_ex: Sequence[LabelExample] = (),
) -> dict[str, dict[str, Any]]:
    """Per label family: how sparse the truth is, and two scores.

    ``all_issues``: the headline predictions (``pred``) restricted to the family, over every
    test issue (an issue without a label of the family counts as all negatives).
    ``labelled_only``: over only the test issues the team gave some label of the family,
    with ``when`` (the headline predictions plus evidence guesses): "when the team labels the
    platform, do we pick the same one?".
    """
    out: dict[str, dict[str, Any]] = {}
    for fam in families:

        def only(labels: set[str], fam: str = fam) -> set[str]:
            return {lab for lab in labels if lab.startswith(fam)}

        g_all = [only(g) for g in gold]
        idx = [i for i, g in enumerate(g_all) if g]
        out[fam] = {
            "test_issues": len(gold),
            "test_labelled": len(idx),
            "test_labelled_share": round(len(idx) / len(gold), 4) if gold else 0.0,
            "train_labelled": sum(1 for ex in train_ex if only(set(ex.labels))),
            "all_issues": _micro(g_all, [only(p) for p in pred]),
            "labelled_only": _micro([g_all[i] for i in idx], [only(when[i]) for i in idx]),
        }
    return out
