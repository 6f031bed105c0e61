"""What a webhook delivery does: the table of handled events, and processing one delivery.

``HANDLED`` is the single list of events and actions triagedesk acts on;
``docs/events.md`` lists the same (a test compares them). Everything else is
acknowledged and ignored. This module stays light: the web request path
imports ``HANDLED`` from here.

Processing an issue delivery: merge the payload's issue into the stored one
(keeping stored comments and history; an older delivery arriving after a newer
one does not roll fields back), upsert it, then hand one :class:`IssueChanged`
to every registered handler and their actions to :func:`apply.submit`.
Everything here is idempotent, so processing a delivery twice has the effect
of processing it once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

import structlog

from triagedesk.app import apply
from triagedesk.app.context import AppContext
from triagedesk.app.events import Change, IssueChanged, handlers
from triagedesk.domain.model import Comment, EventKind, Issue, IssueEvent
from triagedesk.ports.deliveries import (
    Delivery,
    DeliveryStatus,
    IssueDelivery,
    PayloadParser,
    PingDelivery,
    Release,
    ReleaseDelivery,
    ReleaseStore,
)

log = structlog.get_logger("triagedesk.webhooks")

#: event -> action -> the change handlers hear ("" for events without an action)
HANDLED: Mapping[str, Mapping[str, Change | None]] = {
    "issues": {
        "opened": Change.OPENED,
        "edited": Change.EDITED,
        "labeled": Change.LABELED,
        "unlabeled": Change.UNLABELED,
        "closed": Change.CLOSED,
        "reopened": Change.REOPENED,
        "transferred": Change.TRANSFERRED,
        "assigned": Change.ASSIGNED,
        "unassigned": Change.UNASSIGNED,
    },
    "issue_comment": {"created": Change.COMMENTED, "edited": Change.COMMENT_EDITED},
    "release": {"published": None, "prereleased": None},
    "ping": {"": None},
}

#: webhook action -> timeline event kept in the issue's history
_EVENT_KINDS: Mapping[str, EventKind] = {
    "labeled": EventKind.LABELED,
    "unlabeled": EventKind.UNLABELED,
    "closed": EventKind.CLOSED,
    "reopened": EventKind.REOPENED,
    "assigned": EventKind.ASSIGNED,
    "unassigned": EventKind.UNASSIGNED,
    "transferred": EventKind.TRANSFERRED,
}


def is_handled(event: str, action: str) -> bool:
    actions = HANDLED.get(event)
    return actions is not None and action in actions


@dataclass(frozen=True, slots=True)
class Outcome:
    status: DeliveryStatus
    detail: str = ""
    actions: int = 0


class HandlerFailed(Exception):
    """One or more handlers raised; the delivery is retried (everything is idempotent)."""

    def __init__(self, message: str, errors: list[Exception]) -> None:
        super().__init__(message)
        self.errors = errors


def process(
    ctx: AppContext,
    delivery: Delivery,
    parse: PayloadParser,
    releases: ReleaseStore | None = None,
) -> Outcome:
    """Carry out one stored delivery. Raises to have it retried later."""
    if not is_handled(delivery.event, delivery.action):
        return Outcome(DeliveryStatus.IGNORED, f"{delivery.event}.{delivery.action} not handled")
    parsed = parse(delivery.event, delivery.action, delivery.payload)
    if isinstance(parsed, PingDelivery):
        log.info("webhook ping", hook_id=parsed.hook_id)
        return Outcome(DeliveryStatus.DONE, "ping")
    if isinstance(parsed, ReleaseDelivery):
        return _release(ctx, parsed, releases)
    return _issue(ctx, parsed, source=f"webhook:{delivery.event}.{delivery.action}")


def _release(ctx: AppContext, parsed: ReleaseDelivery, releases: ReleaseStore | None) -> Outcome:
    if releases is None:
        return Outcome(DeliveryStatus.IGNORED, "no release store configured")
    new = releases.record_release(
        Release(
            repo=parsed.repo,
            version=parsed.version,
            channel=parsed.channel,
            name=parsed.name,
            body=parsed.body,
            url=parsed.url,
            published_at=parsed.published_at,
        ),
        at=ctx.now(),
    )
    what = "new" if new else "updated"
    return Outcome(DeliveryStatus.DONE, f"release {parsed.version} ({parsed.channel}) {what}")


def merge(stored: Issue | None, parsed: IssueDelivery) -> Issue:
    """The stored issue updated by a delivery; pure.

    Comments and history the store already has are kept (payloads carry none);
    the delivery's comment is added or replaced by id; the delivery's change is
    added to the history once. When the stored copy is newer than the payload
    (deliveries can arrive out of order) its fields win.
    """
    fresh = parsed.issue
    base = fresh
    if stored is not None and stored.updated_at > fresh.updated_at:
        base = stored
    comments: list[Comment] = list(stored.comments) if stored else []
    if parsed.comment is not None:
        comments = [c for c in comments if c.id != parsed.comment.id or c.id == 0]
        comments.append(parsed.comment)
        comments.sort(key=lambda c: (c.created_at, c.id))
    events = list(stored.events) if stored else []
    kind = _EVENT_KINDS.get(parsed.action) if parsed.event == "issues" else None
    if kind is not None:
        subject = parsed.subject
        if kind is EventKind.CLOSED and fresh.state_reason is not None:
            subject = fresh.state_reason.value
        event = IssueEvent(kind=kind, actor=parsed.actor, at=parsed.at, subject=subject)
        if event not in events:
            events.append(event)
            events.sort(key=lambda e: e.at)
    return replace(base, comments=tuple(comments), events=tuple(events))


def _issue(ctx: AppContext, parsed: IssueDelivery, *, source: str) -> Outcome:
    if parsed.is_pull_request:
        return Outcome(DeliveryStatus.IGNORED, "pull request")
    stored = ctx.issues.get_issue(parsed.issue.ref)
    merged = merge(stored, parsed)
    if merged != stored:
        ctx.issues.upsert_issues([merged])
    change = HANDLED[parsed.event][parsed.action]
    assert change is not None
    event = IssueChanged(
        ref=parsed.issue.ref,
        change=change,
        actor=parsed.actor,
        at=parsed.at,
        subject=parsed.subject,
    )
    return run_handlers(ctx, event, source=source)


def run_handlers(ctx: AppContext, event: IssueChanged, *, source: str) -> Outcome:
    """Every registered handler, in order; their actions go to apply.submit.

    A handler that raises does not stop the others; the delivery then fails
    and is retried (handlers and submit are idempotent).
    """
    count = 0
    failed: list[str] = []
    errors: list[Exception] = []
    for name, handler in handlers():
        try:
            actions = handler(event, ctx)
            if actions:
                count += len(apply.submit(ctx, actions, source=f"{name}:{source}"))
        except Exception as exc:  # one feature's bug must not silence the others
            log.error("handler failed", handler=name, issue=str(event.ref), error=repr(exc)[:500])
            failed.append(f"{name}: {type(exc).__name__}: {exc}")
            errors.append(exc)
    if failed:
        raise HandlerFailed("; ".join(failed), errors)
    return Outcome(DeliveryStatus.DONE, f"{event.change.value} {event.ref}", count)
