"""Backtests, honest by construction.

Labels: issues sorted by creation time; the model is trained on the older 70%
with the labels they carried at the cut (label events after the cut are
replayed away) and tested on the newer 30% against their final labels. Inputs
are the title and body only: comments, later labels and the closing remarks
never reach a prediction.

An unlabelled issue counts as a negative for every label, and the team applies
some families rarely, so the headline figure judges a right platform guess on an
issue nobody gave a platform label as a false positive. ``families`` therefore
reports, per family, how many test issues carry any label of it and a second
score over only those issues (see :func:`family_scores`).

Duplicates: the index is built in creation order; each issue the history marks
as a duplicate is searched *before* it and every later issue are added, so the
candidates, the idf and the average length are exactly what existed when it was
filed. The duplicate-closing comment is never part of the query (title + body
only).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from triagedesk.domain.model import Issue, IssueRef
from triagedesk.intelligence.aliases import LabelNormaliser
from triagedesk.intelligence.duplicates import DuplicateConfig, DuplicateIndex, IndexedIssue
from triagedesk.intelligence.families import evidence_guess, family_scores, prf
from triagedesk.intelligence.history import (
    bot_labelled,
    duplicate_mark,
    labels_at,
    mention_times,
    removed_by_people,
    resolve_chain,
)
from triagedesk.intelligence.labels import LabelExample, choose_threshold, predict_one, train
from triagedesk.intelligence.rules import RuleEngine
from triagedesk.ports.intelligence import Feedback, FeedbackKind
from triagedesk.settings import Settings

Progress = Callable[[int, int], None]


def _scores(gold: Sequence[set[str]], pred: Sequence[set[str]]) -> dict[str, Any]:
    labels = sorted({x for g in gold for x in g} | {x for p in pred for x in p})
    per: dict[str, dict[str, float]] = {}
    tp_all = fp_all = fn_all = 0
    f1s = []
    for lab in labels:
        tp = sum(1 for g, p in zip(gold, pred, strict=True) if lab in g and lab in p)
        fp = sum(1 for g, p in zip(gold, pred, strict=True) if lab not in g and lab in p)
        fn = sum(1 for g, p in zip(gold, pred, strict=True) if lab in g and lab not in p)
        p_, r_, f_ = prf(tp, fp, fn)
        per[lab] = {
            "precision": round(p_, 4),
            "recall": round(r_, 4),
            "f1": round(f_, 4),
            "support": tp + fn,
            "predicted": tp + fp,
        }
        tp_all, fp_all, fn_all = tp_all + tp, fp_all + fp, fn_all + fn
        if tp + fn:
            f1s.append(f_)
    micro = prf(tp_all, fp_all, fn_all)[2]
    return {
        "micro_f1": round(micro, 4),
        "macro_f1": round(sum(f1s) / len(f1s), 4) if f1s else 0.0,
        "per_label": per,
    }


def public_issues(issues: Iterable[Issue], settings: Settings) -> list[Issue]:
    internal = settings.profile.internal_repo.lower()
    out = [i for i in issues if str(i.repo).lower() != internal]
    out.sort(key=lambda i: (i.created_at, str(i.ref)))
    return out


def label_examples(
    issues: Sequence[Issue],
    settings: Settings,
    at: datetime | None,
    *,
    extra_rejected: Iterable[tuple[str, str]] = (),
) -> list[LabelExample]:
    """Training examples; with ``at``, the labels each issue carried at that moment.

    ``extra_rejected`` holds (issue, label) pairs people removed (stored feedback).
    """
    stored: dict[str, set[str]] = {}
    for ref, lab in extra_rejected:
        stored.setdefault(ref, set()).add(lab)
    norm = LabelNormaliser.from_settings(settings)
    bot = settings.profile.bot_login
    out = []
    for i in issues:
        raw = labels_at(i, at) if at is not None else set(i.labels)
        rejected = {lab for lab, _, when in removed_by_people(i, bot) if at is None or when <= at}
        rejected |= stored.get(str(i.ref), set())
        out.append(
            LabelExample(
                ref=str(i.ref),
                repo=str(i.repo),
                title=i.title,
                body=i.body,
                created_at=i.created_at,
                labels=frozenset(norm.normalise(raw)),
                rejected=frozenset(norm.normalise(rejected)),
            )
        )
    return out


def _baseline_labels(
    train_ex: Sequence[LabelExample], test_ex: Sequence[LabelExample], seed: int
) -> list[set[str]]:
    """TF-IDF + one logistic regression per label, threshold 0.5 (the textbook model)."""
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    support = Counter(lab for ex in train_ex for lab in ex.labels)
    labels = [lab for lab, c in support.items() if 2 <= c < len(train_ex)]
    vec = TfidfVectorizer(sublinear_tf=True, min_df=2, max_features=60000)
    x_tr = vec.fit_transform([f"{e.title}\n{e.body}" for e in train_ex])
    x_te = vec.transform([f"{e.title}\n{e.body}" for e in test_ex])
    pred: list[set[str]] = [set() for _ in test_ex]
    for lab in labels:
        y = np.array([lab in e.labels for e in train_ex], dtype=np.int8)
        clf = LogisticRegression(solver="liblinear", max_iter=300, random_state=seed)
        clf.fit(x_tr, y)
        for i in np.flatnonzero(clf.predict_proba(x_te)[:, 1] >= 0.5):
            pred[int(i)].add(lab)
    return pred


def feedback_seen(
    issues: Iterable[Issue], settings: Settings, feedback: Sequence[Feedback] = ()
) -> dict[str, Any]:
    """Precision people actually saw: triagedesk's labels that stayed vs were removed, and
    duplicate suggestions people confirmed vs rejected."""
    bot = settings.profile.bot_login
    applied = 0
    removed: set[tuple[str, str]] = set()
    for i in issues:
        applied += len(bot_labelled(i, bot))
        removed |= {(str(i.ref), lab.lower()) for lab, _, _ in removed_by_people(i, bot)}
    removed |= {
        (str(f.issue), f.subject.lower()) for f in feedback if f.kind is FeedbackKind.LABEL_REMOVED
    }
    confirmed = sum(1 for f in feedback if f.kind is FeedbackKind.DUPLICATE_CONFIRMED)
    rejected = sum(1 for f in feedback if f.kind is FeedbackKind.DUPLICATE_REJECTED)
    return {
        "labels_applied": applied,
        "labels_removed": len(removed),
        "precision_seen": round(max(0, applied - len(removed)) / applied, 4) if applied else None,
        "duplicates_confirmed": confirmed,
        "duplicates_rejected": rejected,
        "duplicate_precision_seen": round(confirmed / (confirmed + rejected), 4)
        if confirmed + rejected
        else None,
    }


def eval_labels(
    issues: Iterable[Issue],
    settings: Settings,
    *,
    train_fraction: float = 0.7,
    seed: int = 0,
    progress: Callable[[str], None] | None = None,
    feedback: Sequence[Feedback] = (),
) -> dict[str, Any]:
    pool = public_issues(issues, settings)
    if len(pool) < 10:
        raise ValueError(f"need at least 10 issues to backtest labels, have {len(pool)}")
    cut = max(1, min(len(pool) - 1, int(len(pool) * train_fraction)))
    cut_at = pool[cut].created_at
    # feedback given before the cut is history the model could have learnt from
    early = [
        (str(f.issue), f.subject)
        for f in feedback
        if f.kind is FeedbackKind.LABEL_REMOVED and f.at <= cut_at
    ]
    train_ex = label_examples(pool[:cut], settings, cut_at, extra_rejected=early)
    test_ex = label_examples(pool[cut:], settings, None)
    model = train(train_ex, settings, seed=seed, progress=progress)
    engine = RuleEngine(settings, LabelNormaliser.from_settings(settings))
    gold = [set(ex.labels) for ex in test_ex]
    pred: list[set[str]] = []
    auto: list[set[str]] = []
    when: list[set[str]] = []
    for ex in test_ex:
        sugg = predict_one(model, engine, title=ex.title, body=ex.body, repo=ex.repo)
        pred.append({s.label for s in sugg if s.likely})
        auto.append({s.label for s in sugg if s.decision == "apply"})
        when.append({s.label for s in sugg if s.likely or evidence_guess(s)})
    result = _scores(gold, pred)
    auto_tp = sum(len(a & g) for a, g in zip(auto, gold, strict=True))
    auto_n = sum(len(a) for a in auto)
    gold_n = sum(len(g) for g in gold)
    for lab, row in result["per_label"].items():
        n_auto = sum(1 for a in auto if lab in a)
        ok = sum(1 for a, g in zip(auto, gold, strict=True) if lab in a and lab in g)
        row["auto_applied"] = n_auto
        row["auto_precision"] = round(ok / n_auto, 4) if n_auto else None
        row["threshold"] = model.thresholds.get(lab)
    base = _scores(gold, _baseline_labels(train_ex, test_ex, seed))
    return {
        "micro_f1": result["micro_f1"],
        "macro_f1": result["macro_f1"],
        "auto_precision": round(auto_tp / auto_n, 4) if auto_n else None,
        "auto_coverage": round(sum(1 for a in auto if a) / len(auto), 4),
        "auto_recall": round(auto_tp / gold_n, 4) if gold_n else None,
        "auto_applied": auto_n,
        "target_precision": settings.intelligence.target_precision,
        "per_label": result["per_label"],
        "families": family_scores(gold, pred, when, settings.intelligence.label_families, train_ex),
        "n_train": len(train_ex),
        "n_test": len(test_ex),
        "cut": cut_at.isoformat(),
        "baseline": {"micro_f1": base["micro_f1"], "macro_f1": base["macro_f1"]},
        "feedback": feedback_seen(pool, settings, feedback),
    }


@dataclass(frozen=True, slots=True)
class DupQuery:
    issue: IssueRef
    gold: tuple[str, ...]


def duplicate_queries(
    pool: Sequence[Issue], settings: Settings
) -> tuple[list[DupQuery], dict[str, int]]:
    """Every issue history marks as a duplicate whose original can be scored."""
    team = settings.profile.team
    marks = {i.ref: duplicate_mark(i, team) for i in pool}
    targets = {ref: m.target for ref, m in marks.items() if m is not None}
    created = {i.ref: i.created_at for i in pool}
    counts = Counter[str]()
    queries = []
    for i in pool:
        m = marks[i.ref]
        if m is None:
            continue
        counts["marked"] += 1
        if m.target is None:
            counts["no_target"] += 1
            continue
        chain = resolve_chain(m.target, targets)
        gold = tuple(
            str(r) for r in chain if r in created and created[r] < i.created_at and r != i.ref
        )
        if not gold:
            counts["target_not_earlier_or_not_stored"] += 1
            continue
        queries.append(DupQuery(i.ref, gold))
    return queries, dict(counts)


def _rank(cands: Sequence[str], gold: Sequence[str]) -> int | None:
    for pos, ref in enumerate(cands, 1):
        if ref in gold:
            return pos
    return None


def _summary(ranks: Sequence[int | None]) -> dict[str, float]:
    n = len(ranks) or 1
    return {
        "recall@1": round(sum(1 for r in ranks if r is not None and r <= 1) / n, 4),
        "recall@5": round(sum(1 for r in ranks if r is not None and r <= 5) / n, 4),
        "recall@10": round(sum(1 for r in ranks if r is not None and r <= 10) / n, 4),
        "mrr": round(sum(1.0 / r for r in ranks if r is not None) / n, 4),
    }


def eval_duplicates(
    issues: Iterable[Issue],
    settings: Settings,
    *,
    depth: int = 100,
    progress: Progress | None = None,
    keep_index: bool = False,
    feedback: Sequence[Feedback] = (),
    baseline: bool = True,
) -> dict[str, Any]:
    """Recall@k and MRR of the hybrid index and of plain BM25 over the history's duplicates.

    People's confirmed and rejected suggestions (``feedback``) join the history's
    duplicates when the "duplicate" threshold is chosen. With ``keep_index`` the hybrid
    index (holding every issue) is returned under "index".
    """
    judged: dict[str, dict[str, bool]] = {}
    for f in feedback:
        if f.kind in (FeedbackKind.DUPLICATE_CONFIRMED, FeedbackKind.DUPLICATE_REJECTED):
            verdict = f.kind is FeedbackKind.DUPLICATE_CONFIRMED
            judged.setdefault(str(f.issue), {})[f.subject] = verdict
    cfg = settings.intelligence
    pool = public_issues(issues, settings)
    queries, counts = duplicate_queries(pool, settings)
    by_ref = {q.issue: q for q in queries}
    hybrid = DuplicateIndex(duplicate_config(settings))
    # references made before each query's moment only (the factor compares times)
    hybrid.set_mentions(mention_times(pool))
    # the textbook baseline: every query term, title once, no signatures, no time factor
    plain = DuplicateIndex(
        DuplicateConfig(
            k1=cfg.bm25_k1, b=cfg.bm25_b, title_weight=1, max_query_terms=0, max_df_ratio=1.0
        )
    )
    ranks: list[int | None] = []
    base_ranks: list[int | None] = []
    scored: list[tuple[float, bool]] = []
    for n, issue in enumerate(pool):
        q = by_ref.get(issue.ref)
        if q is not None:
            cands = hybrid.search(
                issue.title, issue.body, k=depth, before=issue.created_at, with_evidence=False
            )
            ranks.append(_rank([c.ref for c in cands], q.gold))
            scored.extend((c.similarity, c.ref in q.gold) for c in cands[: cfg.duplicates_top_k])
            if baseline:
                base = plain.search(
                    issue.title, issue.body, k=depth, lexical_only=True, with_evidence=False
                )
                base_ranks.append(_rank([c.ref for c in base], q.gold))
        pairs = judged.get(str(issue.ref))
        if pairs:
            found = hybrid.search(
                issue.title, issue.body, k=depth, before=issue.created_at, with_evidence=False
            )
            scored.extend((c.similarity, pairs[c.ref]) for c in found if c.ref in pairs)
        doc = IndexedIssue(
            str(issue.ref),
            issue.title,
            issue.body,
            issue.created_at,
            issue.is_open,
            issue.closed_at,
        )
        hybrid.add(doc)
        if baseline:
            plain.add(doc)
        if progress:
            progress(n + 1, len(pool))
    dup_th = choose_threshold(
        [s for s, _ in scored], [t for _, t in scored], cfg.duplicate_target_precision, 5
    )
    out: dict[str, Any] = {
        **_summary(ranks),
        "n_queries": len(ranks),
        "n_issues": len(pool),
        "marked": counts,
        "baseline": {**_summary(base_ranks), "method": "BM25 over title+body, title once"},
        "feedback": {
            k: v for k, v in feedback_seen((), settings, feedback).items() if "duplicate" in k
        },
        "chosen_thresholds": {
            "duplicate": dup_th,
            "related": cfg.related_threshold,
            "duplicate_target_precision": cfg.duplicate_target_precision,
        },
    }
    if keep_index:
        out["index"] = hybrid
    return out


def duplicate_config(
    settings: Settings, duplicate_threshold: float | None = None
) -> DuplicateConfig:
    cfg = settings.intelligence
    return DuplicateConfig(
        k1=cfg.bm25_k1,
        b=cfg.bm25_b,
        title_weight=cfg.title_weight,
        lexical_weight=cfg.lexical_weight,
        signature_weight=cfg.signature_weight,
        duplicate_threshold=cfg.duplicate_threshold
        if duplicate_threshold is None
        else duplicate_threshold,
        related_threshold=cfg.related_threshold,
        recency_weight=cfg.recency_weight,
        recency_half_life_days=cfg.recency_half_life_days,
        closed_penalty=cfg.closed_penalty,
        mention_weight=cfg.mention_weight,
    )
