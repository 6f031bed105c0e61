"""Categorise, training side: train the label model, build, rebuild and extend the index.

Split from :mod:`triagedesk.app.categorise` (suggesting, deciding, the handler),
which owns the loaded model and index these functions replace or extend.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from triagedesk.app.categorise import (
    DUP_INDEX,
    LABEL_MODEL,
    forget,
    indexed,
    load,
    store_of,
    watermark,
)
from triagedesk.app.context import AppContext
from triagedesk.domain.errors import UserError
from triagedesk.intelligence.duplicates import DuplicateIndex
from triagedesk.intelligence.evaluate import (
    duplicate_config,
    eval_duplicates,
    label_examples,
    public_issues,
)
from triagedesk.intelligence.history import mention_times
from triagedesk.intelligence.labels import train
from triagedesk.ports.intelligence import FeedbackKind


def train_all(
    ctx: AppContext, *, progress: Callable[[int, int], None] | None = None
) -> dict[str, Any]:
    """Train the label model on every issue and rebuild the duplicate index; persist both."""
    store = store_of(ctx)
    pool = public_issues(ctx.issues.iter_issues(), ctx.settings)
    if not pool:
        raise UserError("no issues stored: import or sync some first")
    now = ctx.now()
    removed = {(str(f.issue), f.subject) for f in store.list_feedback(FeedbackKind.LABEL_REMOVED)}
    examples = label_examples(pool, ctx.settings, None, extra_rejected=removed)
    model = train(examples, ctx.settings)
    report = eval_duplicates(
        pool,
        ctx.settings,
        progress=progress,
        keep_index=True,
        feedback=store.list_feedback(),
        baseline=False,
    )
    index: DuplicateIndex = report.pop("index")
    chosen = report["chosen_thresholds"]["duplicate"]
    index.with_config(duplicate_config(ctx.settings, chosen))
    index.compact()
    martifact = store.save_artifact(
        LABEL_MODEL,
        model.to_bytes(),
        trained_at=now,
        watermark=watermark(pool),
        n_items=len(examples),
        meta={"auto_labels": model.stats.get("auto_labels", []), "labels": model.labels},
    )
    iartifact = store.save_artifact(
        DUP_INDEX,
        index.to_bytes(),
        trained_at=now,
        watermark=watermark(pool),
        n_items=index.size,
        meta={"duplicate_threshold": index.config.duplicate_threshold},
    )
    forget(store)
    return {
        "n_issues": len(pool),
        "label_model_version": martifact.version,
        "index_version": iartifact.version,
        "model_labels": model.labels,
        "auto_labels": model.stats.get("auto_labels", []),
        "thresholds": {k: v for k, v in model.thresholds.items() if v is not None},
        "duplicate_threshold": index.config.duplicate_threshold,
        "duplicate_threshold_from_history": chosen is not None,
        "duplicate_history": {k: report[k] for k in ("recall@1", "recall@10", "n_queries")},
    }


def rebuild_index(
    ctx: AppContext, *, progress: Callable[[int, int], None] | None = None
) -> dict[str, Any]:
    """Build the duplicate index from scratch (keeping the thresholds chosen at training)."""
    store = store_of(ctx)
    old = store.load_artifact(DUP_INDEX)
    threshold = None if old is None else old.meta.get("duplicate_threshold")
    pool = public_issues(ctx.issues.iter_issues(), ctx.settings)
    index = DuplicateIndex(duplicate_config(ctx.settings, threshold))
    index.set_mentions(mention_times(pool))
    for n, issue in enumerate(pool):
        index.add(indexed(issue))
        if progress:
            progress(n + 1, len(pool))
    index.compact()
    art = store.save_artifact(
        DUP_INDEX,
        index.to_bytes(),
        trained_at=ctx.now(),
        watermark=watermark(pool),
        n_items=index.size,
        meta={"duplicate_threshold": index.config.duplicate_threshold},
    )
    forget(store)
    return {"index_version": art.version, "indexed": index.size}


def update_index(ctx: AppContext) -> dict[str, Any]:
    """Add issues the persisted index does not hold yet (no rebuild) and save it."""
    store = store_of(ctx)
    loaded = load(ctx, fresh=True)
    added = 0
    newest: datetime | None = None
    pool = public_issues(ctx.issues.iter_issues(), ctx.settings)
    loaded.index.set_mentions(mention_times(pool))
    for issue in pool:
        before = len(loaded.index.refs)
        loaded.index.add(indexed(issue))
        added += len(loaded.index.refs) - before
        newest = issue.updated_at if newest is None else max(newest, issue.updated_at)
    art = store.save_artifact(
        DUP_INDEX,
        loaded.index.to_bytes(),
        trained_at=ctx.now(),
        watermark=newest,
        n_items=loaded.index.size,
        meta={"duplicate_threshold": loaded.index.config.duplicate_threshold},
    )
    loaded.index_version = art.version
    return {"index_version": art.version, "added": added, "indexed": loaded.index.size}
