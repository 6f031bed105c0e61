"""Categorise and de-duplicate: train, suggest, confirm or reject, and the new-issue handler.

The label model and the duplicate index are persisted through the
:class:`~triagedesk.ports.intelligence.IntelligenceStore` port. A process
loads them once (and again only when a newer version was saved); a new issue
is added to the loaded index in memory, so the webhook handler costs one
query, not a rebuild. ``categorise_train.update_index`` persists the additions; ``train_all`` and
``rebuild_index`` there rebuild from the whole history.

Labels above their threshold become :class:`AddLabels` actions (shadow mode
by default, through ``apply.submit``). Duplicates are never acted on
automatically: a person confirms, and only then a comment, the duplicate
label and a close with reason *duplicate* are submitted.
"""

from __future__ import annotations

import bisect
import threading
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from triagedesk.app import apply
from triagedesk.app.context import AppContext
from triagedesk.app.events import Change, IssueChanged, register
from triagedesk.domain.actions import Action, AddLabels, Close, UpsertComment
from triagedesk.domain.errors import ConfigError, NotFoundError, StoreError, UserError
from triagedesk.domain.model import CloseReason, EventKind, Issue, IssueRef
from triagedesk.intelligence.aliases import LabelNormaliser
from triagedesk.intelligence.duplicates import Candidate, DuplicateIndex, IndexedIssue
from triagedesk.intelligence.evaluate import duplicate_config
from triagedesk.intelligence.history import references
from triagedesk.intelligence.labels import LabelModel, LabelSuggestion, predict_one
from triagedesk.intelligence.rules import RuleEngine
from triagedesk.intelligence.signatures import signature_of
from triagedesk.ports.actions import ActionRecord
from triagedesk.ports.intelligence import FeedbackKind, IntelligenceStore

NAME = "categorise"
LABEL_MODEL = "label_model"
DUP_INDEX = "duplicate_index"
SOURCE = "categorise"


@dataclass
class Loaded:
    model: LabelModel | None
    index: DuplicateIndex
    model_version: int | None
    index_version: int | None
    engine: RuleEngine
    rejected_pairs: set[tuple[str, str]] = field(default_factory=set)
    removed_labels: set[tuple[str, str]] = field(default_factory=set)
    #: the store this was loaded from (an id() can be reused once a store is gone)
    store: IntelligenceStore | None = None


_CACHE: dict[int, Loaded] = {}
#: the loaded index is shared by the worker's threads: searches and adds take turns
_LOCK = threading.RLock()


def store_of(ctx: AppContext) -> IntelligenceStore:
    if ctx.intelligence is None:
        raise ConfigError("no intelligence store configured")
    return ctx.intelligence


def load(ctx: AppContext, *, fresh: bool = False) -> Loaded:
    """The persisted model and index, loaded once per process (reloaded when a newer one exists)."""
    store = store_of(ctx)
    key = id(store)
    mv, iv = store.artifact_version(LABEL_MODEL), store.artifact_version(DUP_INDEX)
    with _LOCK:
        hit = _CACHE.get(key)
        if (
            hit is not None
            and hit.store is store
            and not fresh
            and (hit.model_version, hit.index_version) == (mv, iv)
        ):
            return hit
        return _load(ctx, store, key)


def _load(ctx: AppContext, store: IntelligenceStore, key: int) -> Loaded:
    art = store.load_artifact(LABEL_MODEL)
    iart = store.load_artifact(DUP_INDEX)
    try:
        model = LabelModel.from_bytes(art.data) if art is not None else None
        if iart is not None:
            index = DuplicateIndex.from_bytes(iart.data)
        else:
            index = DuplicateIndex(duplicate_config(ctx.settings))
    except ValueError as exc:
        raise StoreError(
            f"the stored model or index cannot be read ({exc}): run `triagedesk train`"
        ) from None
    loaded = Loaded(
        model=model,
        index=index,
        model_version=None if art is None else art.version,
        index_version=None if iart is None else iart.version,
        engine=RuleEngine(ctx.settings, LabelNormaliser.from_settings(ctx.settings)),
        store=store,
    )
    _refresh_feedback(ctx, loaded)
    _CACHE[key] = loaded
    return loaded


def forget(store: IntelligenceStore) -> None:
    """Drop the loaded model and index of ``store`` (a new version was just saved)."""
    with _LOCK:
        _CACHE.pop(id(store), None)


def _cached(ctx: AppContext) -> Loaded | None:
    hit = _CACHE.get(id(store_of(ctx)))
    return hit if hit is not None and hit.store is ctx.intelligence else None


def _refresh_feedback(ctx: AppContext, loaded: Loaded) -> None:
    fb = store_of(ctx).list_feedback()
    loaded.rejected_pairs = {
        (str(f.issue), f.subject) for f in fb if f.kind is FeedbackKind.DUPLICATE_REJECTED
    }
    loaded.removed_labels = {
        (str(f.issue), f.subject.lower()) for f in fb if f.kind is FeedbackKind.LABEL_REMOVED
    }


def indexed(issue: Issue) -> IndexedIssue:
    return IndexedIssue(
        str(issue.ref), issue.title, issue.body, issue.created_at, issue.is_open, issue.closed_at
    )


def watermark(issues: list[Issue]) -> datetime | None:
    return max((i.updated_at for i in issues), default=None)


# --- suggestions -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Suggestions:
    issue: IssueRef
    title: str
    labels: list[LabelSuggestion]
    duplicates: list[Candidate]
    model_version: int | None
    index_version: int | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "issue": str(self.issue),
            "title": self.title,
            "labels": [s.to_dict() for s in self.labels],
            "duplicates": [c.to_dict() for c in self.duplicates],
            "model_version": self.model_version,
            "index_version": self.index_version,
        }


def suggest_for(ctx: AppContext, issue: Issue, loaded: Loaded | None = None) -> Suggestions:
    loaded = loaded or load(ctx)
    sig = signature_of(issue.title, issue.body)
    labels: list[LabelSuggestion] = []
    if loaded.model is not None:
        labels = predict_one(
            loaded.model,
            loaded.engine,
            title=issue.title,
            body=issue.body,
            repo=str(issue.repo),
            present=issue.labels,
            signature=sig,
        )
        ref = str(issue.ref)
        labels = [s for s in labels if (ref, s.label.lower()) not in loaded.removed_labels]
    with _LOCK:
        cands = loaded.index.search(
            issue.title,
            issue.body,
            k=ctx.settings.intelligence.duplicates_top_k,
            before=issue.created_at,
            exclude=str(issue.ref),
            signature=sig,
        )
    out = []
    for c in cands:
        if (str(issue.ref), c.ref) in loaded.rejected_pairs:
            c = replace(c, verdict="rejected")
        out.append(c)
    return Suggestions(
        issue.ref, issue.title, labels, out, loaded.model_version, loaded.index_version
    )


def suggest(ctx: AppContext, ref: IssueRef) -> Suggestions:
    issue = ctx.issues.get_issue(ref)
    if issue is None:
        raise NotFoundError(f"issue {ref} is not stored")
    return suggest_for(ctx, issue)


def label_actions(ctx: AppContext, s: Suggestions) -> list[Action]:
    apply_now = tuple(x.label for x in s.labels if x.decision == "apply")
    if not apply_now:
        return []
    why = "; ".join(
        f"{x.label} ({x.confidence:.2f} >= {x.threshold:.2f}: {', '.join(x.evidence[:2])})"
        for x in s.labels
        if x.decision == "apply" and x.threshold is not None
    )
    return [AddLabels(s.issue, f"label model: {why}", labels=apply_now)]


# --- duplicates: a person decides --------------------------------------------------


def confirm_duplicate(
    ctx: AppContext, ref: IssueRef, original: IssueRef, *, actor: str
) -> list[ActionRecord]:
    """A person confirmed: comment (with a link), label, close as duplicate — via apply.submit."""
    if ref == original:
        raise UserError("an issue cannot duplicate itself")
    issue = ctx.issues.get_issue(ref)
    if issue is None:
        raise NotFoundError(f"issue {ref} is not stored")
    target = ctx.issues.get_issue(original)
    if target is not None and target.created_at > issue.created_at:
        raise UserError(f"{original} was filed after {ref}: close the newer one instead")
    link = f"#{original.number}" if original.repo == ref.repo else str(original)
    cfg = ctx.settings.intelligence
    reason = f"{actor} confirmed {ref} duplicates {original}"
    actions: list[Action] = [
        UpsertComment(
            ref,
            reason,
            marker="duplicate-note",
            body=(
                f"Closing as a duplicate of {link}: the discussion continues there. "
                "Please add your details (and a diagnostics ID) to that issue."
            ),
        )
    ]
    if cfg.duplicate_label:
        actions.append(AddLabels(ref, reason, labels=(cfg.duplicate_label,)))
    actions.append(Close(ref, reason, close_reason=CloseReason.DUPLICATE, duplicate_of=original))
    records = apply.submit(ctx, actions, source=f"{SOURCE}:confirm")
    store_of(ctx).add_feedback(
        FeedbackKind.DUPLICATE_CONFIRMED, ref, str(original), actor=actor, at=ctx.now()
    )
    return records


def reject_duplicate(ctx: AppContext, ref: IssueRef, candidate: IssueRef, *, actor: str) -> None:
    """A person said ``candidate`` is not what ``ref`` duplicates: remembered for next time."""
    store_of(ctx).add_feedback(
        FeedbackKind.DUPLICATE_REJECTED, ref, str(candidate), actor=actor, at=ctx.now()
    )
    hit = _cached(ctx)
    if hit is not None:
        hit.rejected_pairs.add((str(ref), str(candidate)))


# --- the new-issue handler ----------------------------------------------------------


def handle(event: IssueChanged, ctx: AppContext) -> list[Action]:
    """New or edited issue: index it in memory and apply the labels the model is sure of.

    A person removing a label triagedesk applied is stored as feedback.
    """
    if ctx.intelligence is None:
        return []
    public = {r.name.lower() for r in ctx.settings.profile.public_repos}
    if event.ref.repo.full_name.lower() not in public:
        return []
    if event.change is Change.UNLABELED:
        _label_removed(event, ctx)
        return []
    if event.change is Change.COMMENTED:
        _comment_mentions(event, ctx)
        return []
    if event.change not in (Change.OPENED, Change.EDITED, Change.TRANSFERRED):
        return []
    issue = ctx.issues.get_issue(event.ref)
    if issue is None or not issue.is_open:
        return []
    loaded = load(ctx)
    s = suggest_for(ctx, issue, loaded)
    with _LOCK:
        loaded.index.add(indexed(issue))
    return label_actions(ctx, s)


def _comment_mentions(event: IssueChanged, ctx: AppContext) -> None:
    """A new comment that refers to other issues makes them likelier originals from now on."""
    hit = _cached(ctx)
    issue = ctx.issues.get_issue(event.ref)
    if hit is None or issue is None:
        return
    for c in issue.comments:
        if str(c.id) == event.subject:
            with _LOCK:
                for ref in references(c.body, issue.repo) - {issue.ref}:
                    times = hit.index.mentions.setdefault(str(ref), [])
                    bisect.insort(times, c.created_at.timestamp())
            return


def _label_removed(event: IssueChanged, ctx: AppContext) -> None:
    bot = ctx.settings.profile.bot_login
    if not event.subject or event.actor == bot:
        return
    issue = ctx.issues.get_issue(event.ref)
    if issue is None:
        return
    ours = any(
        e.kind is EventKind.LABELED
        and e.actor == bot
        and e.subject.lower() == event.subject.lower()
        for e in issue.events
    )
    if ours:
        store_of(ctx).add_feedback(
            FeedbackKind.LABEL_REMOVED, event.ref, event.subject, actor=event.actor, at=event.at
        )
        hit = _cached(ctx)
        if hit is not None:
            hit.removed_labels.add((str(event.ref), event.subject.lower()))


def register_handlers() -> None:
    """Called by the composition roots (nothing registers at import time)."""
    register(NAME, handle)
