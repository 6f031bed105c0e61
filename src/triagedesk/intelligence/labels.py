"""The label model: rules plus linear classifiers trained on the repository's own history.

Training (scikit-learn, imported lazily; never on the webhook path):

1. every labelled family label (area/*, kind/*, platform/*; version/* comes from
   the environment only) with at least ``min_label_support`` training issues gets a
   logistic regression over our TF-IDF features (:mod:`.features`);
2. every rule source (keyword, regex, failing component, repo, environment) gets
   its precision measured per label on the same history (Laplace-smoothed);
3. an issue's confidence for a label is ``1 - (1 - p_model) * (1 - p_rule)``;
   on out-of-fold confidences (3-fold) each label gets the lowest threshold at
   which history shows the target precision with at least ``min_auto_support``
   issues above it. A label without such a threshold is never applied, only
   suggested; a confidence below ``suggest_floor`` is not even suggested.
4. rule sources (repo, environment, kind, component, keyword, regex) are also measured
   only on issues the
   team gave a label of that family (:func:`.rules.when_labelled`); when the
   confidence of step 3 abstains, such a hit is still *suggested* with that
   "when labelled" confidence (``basis="when-labelled"``), never applied.

Predicting needs NumPy only: the weights, idf and vocabulary are plain arrays.
"""

from __future__ import annotations

import io
import json
import math
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from triagedesk.intelligence.aliases import LabelNormaliser
from triagedesk.intelligence.features import Vectoriser, feature_tokens
from triagedesk.intelligence.rules import (
    Hit,
    RuleEngine,
    family_of,
    labelled_confidence,
    when_labelled,
)
from triagedesk.intelligence.signatures import Signature, signature_of
from triagedesk.settings import Settings

FORMAT = "triagedesk-labels/1"


@dataclass(frozen=True, slots=True)
class LabelExample:
    ref: str
    repo: str
    title: str
    body: str
    created_at: datetime
    labels: frozenset[str]
    #: labels people removed after triagedesk applied them: negatives whatever the labels say
    rejected: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class LabelSuggestion:
    label: str
    confidence: float
    decision: str  # "apply" or "suggest"
    threshold: float | None
    evidence: tuple[str, ...] = ()
    #: at or above the label's best-F1 confidence on history
    likely: bool = False
    #: "history": confidence against every issue; "when-labelled": how often the evidence
    #: was right on the issues the team gave a label of this family (suggestion only)
    basis: str = "history"

    def to_dict(self) -> dict[str, Any]:
        return {
            "basis": self.basis,
            "label": self.label,
            "confidence": round(self.confidence, 4),
            "decision": self.decision,
            "threshold": None if self.threshold is None else round(self.threshold, 4),
            "evidence": list(self.evidence),
            "likely": self.likely,
        }


def choose_threshold(
    scores: Sequence[float], truth: Sequence[bool], target: float, min_support: int
) -> float | None:
    """The lowest score at which the issues at or above it reach ``target`` precision."""
    pairs = sorted(zip(scores, truth, strict=True), key=lambda p: -p[0])
    best: float | None = None
    tp = 0
    for i, (s, t) in enumerate(pairs):
        tp += int(t)
        n = i + 1
        if n < len(pairs) and pairs[i + 1][0] == s:
            continue  # only cut between distinct scores
        if s <= 0:
            break
        if n >= min_support and tp / n >= target:
            best = s
    return best


def best_f1_threshold(scores: Sequence[float], truth: Sequence[bool], floor: float = 0.2) -> float:
    """The confidence (at least ``floor``) whose cut gives the best F1 on history; 1.0 if none."""
    pairs = sorted(zip(scores, truth, strict=True), key=lambda p: -p[0])
    positives = sum(truth)
    best, best_f1, tp = 1.0, 0.0, 0
    for i, (s, t) in enumerate(pairs):
        tp += int(t)
        if s < floor:
            break
        if i + 1 < len(pairs) and pairs[i + 1][0] == s:
            continue
        f1 = 2 * tp / (i + 1 + positives) if positives else 0.0
        if f1 > best_f1:
            best, best_f1 = s, f1
    return best


def _smoothed(correct: int, fired: int) -> float:
    return (correct + 1.0) / (fired + 2.0)


@dataclass
class LabelModel:
    labels: list[str]
    vectoriser: Vectoriser
    weights: Any  # (n_labels, n_features) float32
    bias: Any  # (n_labels,)
    rule_precision: dict[str, float]
    thresholds: dict[str, float | None]
    known_labels: list[str]
    n_train: int
    settings_target: float
    suggest_floor: float
    max_version_labels: int
    stats: dict[str, Any] = field(default_factory=dict)
    #: per label, the confidence that maximised F1 on history: at or above it the label is
    #: the model's best guess (shown as "likely"), below it only a weak suggestion
    point_thresholds: dict[str, float] = field(default_factory=dict)
    #: evidence key -> (precision, issues) measured on issues labelled in that family
    labelled_precision: dict[str, tuple[float, int]] = field(default_factory=dict)

    # --- predicting -------------------------------------------------------
    def model_probs(self, feats: Sequence[str]) -> dict[str, float]:
        import numpy as np

        if not self.labels:
            return {}
        ids, vals = self.vectoriser.transform_one(feats)
        if ids:
            z = self.weights[:, ids] @ np.asarray(vals, dtype=np.float32) + self.bias
        else:
            z = self.bias.copy()
        p = 1.0 / (1.0 + np.exp(-z))
        return {lab: float(p[i]) for i, lab in enumerate(self.labels)}

    def rule_confidence(self, hits: Sequence[Hit]) -> dict[str, tuple[float, list[str]]]:
        out: dict[str, tuple[float, list[str]]] = {}
        for h in hits:
            prec = self.rule_precision.get(h.key, _smoothed(0, 0) if h.source != "repo" else 0.5)
            prev, why = out.get(h.label, (0.0, []))
            out[h.label] = (max(prev, prec), [*why, f"{h.source}: {h.detail}"])
        return out

    def combine(
        self, probs: dict[str, float], rules: dict[str, tuple[float, list[str]]]
    ) -> dict[str, tuple[float, list[str]]]:
        out: dict[str, tuple[float, list[str]]] = {}
        for lab in set(probs) | set(rules):
            p = probs.get(lab, 0.0)
            r, why = rules.get(lab, (0.0, []))
            conf = 1.0 - (1.0 - p) * (1.0 - r)
            evidence = list(why)
            if p >= 0.05:
                evidence.append(
                    f"model: {p:.2f} from {self.stats.get('n_pos', {}).get(lab, 0)} labelled issues"
                )
            out[lab] = (conf, evidence)
        return out

    def suggest(
        self, feats: Sequence[str], hits: Sequence[Hit], present: Sequence[str] = ()
    ) -> list[LabelSuggestion]:
        scored = self.combine(self.model_probs(feats), self.rule_confidence(hits))
        have = {p.lower() for p in present}
        out: list[LabelSuggestion] = []
        versions = 0
        for lab, (conf, why) in sorted(scored.items(), key=lambda kv: -kv[1][0]):
            if lab.lower() in have or conf < self.suggest_floor:
                continue
            if lab.startswith("version/"):
                if versions >= self.max_version_labels:
                    continue
                versions += 1
            th = self.thresholds.get(lab)
            decision = "apply" if th is not None and conf >= th else "suggest"
            likely = decision == "apply" or conf >= self.point_thresholds.get(lab, 0.5)
            out.append(LabelSuggestion(lab, conf, decision, th, tuple(why), likely))
        shown = {s.label for s in out}
        evidence = labelled_confidence(hits, self.labelled_precision)
        for lab, (prec, n, why) in sorted(evidence.items(), key=lambda kv: -kv[1][0]):
            if lab in shown or lab.lower() in have or prec < self.suggest_floor:
                continue
            if lab.startswith("version/"):
                if versions >= self.max_version_labels:
                    continue
                versions += 1
            fam = family_of(lab)
            note = f"right on {prec:.0%} of {n} issues the team gave a {fam}* label"
            out.append(
                LabelSuggestion(
                    lab,
                    prec,
                    "suggest",
                    self.thresholds.get(lab),
                    (*why, note),
                    basis="when-labelled",
                )
            )
        return out

    # --- persistence ------------------------------------------------------
    def to_bytes(self) -> bytes:
        import numpy as np

        meta = {
            "format": FORMAT,
            "labels": self.labels,
            "vocab": sorted(self.vectoriser.vocab, key=self.vectoriser.vocab.__getitem__),
            "rule_precision": self.rule_precision,
            "thresholds": self.thresholds,
            "point_thresholds": self.point_thresholds,
            "labelled_precision": {k: list(v) for k, v in self.labelled_precision.items()},
            "known_labels": self.known_labels,
            "n_train": self.n_train,
            "settings_target": self.settings_target,
            "suggest_floor": self.suggest_floor,
            "max_version_labels": self.max_version_labels,
            "stats": self.stats,
        }
        buf = io.BytesIO()
        np.savez_compressed(
            buf,
            meta=np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8),
            idf=np.asarray(self.vectoriser.idf, dtype=np.float64),
            weights=self.weights,
            bias=self.bias,
        )
        return buf.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> LabelModel:
        """Load :meth:`to_bytes` output; anything unreadable raises ValueError."""
        try:
            return cls._from_bytes(data)
        except ValueError:
            raise
        except Exception as exc:  # npz/JSON damage of any kind
            raise ValueError(f"unreadable label model: {type(exc).__name__}: {exc}") from exc

    @classmethod
    def _from_bytes(cls, data: bytes) -> LabelModel:
        import numpy as np

        with np.load(io.BytesIO(data), allow_pickle=False) as z:
            meta = json.loads(bytes(z["meta"]).decode())
            if meta.get("format") != FORMAT:
                raise ValueError(f"label model format {meta.get('format')!r} is not {FORMAT}")
            vocab = {t: i for i, t in enumerate(meta["vocab"])}
            return cls(
                labels=list(meta["labels"]),
                vectoriser=Vectoriser(vocab, [float(x) for x in z["idf"]]),
                weights=z["weights"].astype(np.float32),
                bias=z["bias"].astype(np.float32),
                rule_precision={k: float(v) for k, v in meta["rule_precision"].items()},
                thresholds=dict(meta["thresholds"]),
                point_thresholds={k: float(v) for k, v in meta.get("point_thresholds", {}).items()},
                labelled_precision={
                    k: (float(v[0]), int(v[1]))
                    for k, v in meta.get("labelled_precision", {}).items()
                },
                known_labels=list(meta["known_labels"]),
                n_train=int(meta["n_train"]),
                settings_target=float(meta["settings_target"]),
                suggest_floor=float(meta["suggest_floor"]),
                max_version_labels=int(meta["max_version_labels"]),
                stats=dict(meta["stats"]),
            )


@dataclass
class Prepared:
    """Features and rule hits of one issue (computed once, reused by folds)."""

    feats: list[str]
    hits: list[Hit]


def prepare(
    examples: Sequence[LabelExample], engine: RuleEngine, known: Sequence[str]
) -> list[Prepared]:
    out = []
    for ex in examples:
        sig = signature_of(ex.title, ex.body)
        out.append(
            Prepared(
                feature_tokens(ex.title, ex.body, sig),
                engine.hits(ex.title, ex.body, ex.repo, sig, known),
            )
        )
    return out


def _fit_lr(x: Any, y: Any, seed: int) -> tuple[Any, float]:
    from sklearn.linear_model import LogisticRegression

    clf = LogisticRegression(C=4.0, solver="liblinear", max_iter=300, random_state=seed)
    clf.fit(x, y)
    return clf.coef_[0], float(clf.intercept_[0])


def _platt(logits: Any, y: Any, seed: int) -> tuple[float, float]:
    """Slope and intercept mapping raw logits to calibrated probabilities."""
    from sklearn.linear_model import LogisticRegression

    if y.min() == y.max():
        return 1.0, 0.0
    cal = LogisticRegression(C=1e4, solver="lbfgs", max_iter=200, random_state=seed)
    cal.fit(logits.reshape(-1, 1), y)
    return float(cal.coef_[0][0]), float(cal.intercept_[0])


def train(
    examples: Sequence[LabelExample],
    settings: Settings,
    *,
    seed: int = 0,
    folds: int = 3,
    progress: Callable[[str], None] | None = None,
) -> LabelModel:
    """Train on ``examples`` (their ``labels`` already canonical)."""
    import numpy as np

    cfg = settings.intelligence
    normaliser = LabelNormaliser.from_settings(settings)
    engine = RuleEngine(settings, normaliser)
    truth = [set(ex.labels) - set(ex.rejected) for ex in examples]
    known = sorted({lab for t in truth for lab in t} | {r for ex in examples for r in ex.rejected})
    prepared = prepare(examples, engine, known)
    n = len(examples)
    support = Counter(lab for t in truth for lab in t)
    model_labels = [
        lab
        for lab in known
        if not lab.startswith("version/") and cfg.min_label_support <= support[lab] < n
    ]
    # rule precision on the whole history (rules are not fitted, only measured)
    fired: Counter[str] = Counter()
    right: Counter[str] = Counter()
    for prep, t in zip(prepared, truth, strict=True):
        for key, lab in {(h.key, h.label) for h in prep.hits}:
            fired[key] += 1
            right[key] += int(lab in t)
    rule_precision = {k: _smoothed(right[k], fired[k]) for k in fired}
    labelled_precision = when_labelled([p.hits for p in prepared], truth)

    vec = Vectoriser.fit([p.feats for p in prepared])
    x = vec.transform(p.feats for p in prepared)
    n_feat = x.shape[1]
    weights = np.zeros((len(model_labels), n_feat), dtype=np.float32)
    bias = np.zeros(len(model_labels), dtype=np.float32)
    oof: dict[str, Any] = {}
    rng = np.random.default_rng(seed)
    fold_of = rng.integers(0, folds, size=n)
    for li, lab in enumerate(model_labels):
        if progress:
            progress(lab)
        y = np.array([lab in t for t in truth], dtype=np.int8)
        logits = np.zeros(n, dtype=np.float64)
        for f in range(folds):
            tr, te = fold_of != f, fold_of == f
            if te.sum() == 0:
                continue
            if y[tr].min() == y[tr].max():
                m = min(max(float(y[tr].mean()), 1e-3), 1 - 1e-3)
                logits[te] = math.log(m / (1 - m))
                continue
            w, b = _fit_lr(x[tr], y[tr], seed)
            logits[te] = x[te] @ w + b
        # Platt scaling on the out-of-fold logits: the raw regression is over-confident on
        # sparse text; folded into the final weights, so predicting stays one dot product
        a, c = _platt(logits, y, seed)
        oof[lab] = 1.0 / (1.0 + np.exp(-(a * logits + c)))
        w, b = _fit_lr(x, y, seed)
        weights[li] = a * w
        bias[li] = a * b + c

    model = LabelModel(
        labels=model_labels,
        vectoriser=vec,
        weights=weights,
        bias=bias,
        rule_precision=rule_precision,
        thresholds={},
        known_labels=known,
        n_train=n,
        settings_target=cfg.target_precision,
        suggest_floor=cfg.suggest_floor,
        max_version_labels=cfg.max_version_labels,
        stats={"n_pos": {lab: int(support[lab]) for lab in known}},
        labelled_precision=labelled_precision,
    )
    # thresholds on out-of-fold confidences
    per_label_scores: dict[str, list[float]] = defaultdict(lambda: [0.0] * n)
    for i, prep in enumerate(prepared):
        probs = {lab: float(oof[lab][i]) for lab in model_labels}
        for lab, (conf, _) in model.combine(probs, model.rule_confidence(prep.hits)).items():
            per_label_scores[lab][i] = conf
    thresholds: dict[str, float | None] = {}
    for lab, scores_l in per_label_scores.items():
        ys = [lab in t for t in truth]
        thresholds[lab] = choose_threshold(scores_l, ys, cfg.target_precision, cfg.min_auto_support)
    model.thresholds = thresholds
    model.point_thresholds = {
        lab: best_f1_threshold(scores_l, [lab in t for t in truth])
        for lab, scores_l in per_label_scores.items()
    }
    model.stats["auto_labels"] = sorted(k for k, v in thresholds.items() if v is not None)
    return model


def predict_one(
    model: LabelModel,
    engine: RuleEngine,
    *,
    title: str,
    body: str,
    repo: str,
    present: Sequence[str] = (),
    signature: Signature | None = None,
) -> list[LabelSuggestion]:
    sig = signature or signature_of(title, body)
    feats = feature_tokens(title, body, sig)
    hits = engine.hits(title, body, repo, sig, model.known_labels)
    return model.suggest(feats, hits, present)


def sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))
