"""Write-back: the one place decided actions reach the tracker.

Every feature hands its actions to :func:`submit`. In shadow mode (globally,
per repository, or when there is no tracker) each action is recorded as
planned — once: an identical planned action is not stored twice — and nothing
is sent. Otherwise each action is carried out idempotently: read the tracker,
compare, change only what differs, and record the outcome (applied, unchanged
or failed, with a detail a person can read).

Why a write is never repeated: the outcome is recorded right after the write,
and if the process dies between the two, the retry reads the tracker first and
finds nothing left to do (the labels are there, the marker comment exists, the
issue is closed), so it records "unchanged" and sends nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

from triagedesk.app.context import AppContext
from triagedesk.domain.actions import (
    Action,
    AddLabels,
    Assign,
    Close,
    OpenInternal,
    RemoveLabels,
    Reopen,
    SetStatus,
    UpsertComment,
    marker_tag,
)
from triagedesk.domain.errors import (
    ConfigError,
    NotFoundError,
    RateLimited,
    TrackerUnavailable,
    TriagedeskError,
    UserError,
)
from triagedesk.domain.model import CloseReason, IssueRef, IssueState, RepoRef
from triagedesk.domain.workflow import Source, relabel, status_of, step
from triagedesk.ports.actions import ActionLog, ActionRecord, ActionStatus
from triagedesk.ports.tracker import Tracker

__all__ = ["approve", "carry_out", "is_shadow", "reject", "submit"]


def _log(ctx: AppContext) -> ActionLog:
    if ctx.actions is None:
        raise ConfigError("no action log configured: decided actions would be lost")
    return ctx.actions


def is_shadow(ctx: AppContext, repo: RepoRef) -> bool:
    """True when writes for ``repo`` are planned instead of sent."""
    if ctx.tracker is None or ctx.settings.github.shadow:
        return True
    for spec in ctx.settings.profile.public_repos:
        if spec.name.lower() == repo.full_name.lower():
            return spec.shadow
    return False


def submit(ctx: AppContext, actions: Sequence[Action], *, source: str) -> list[ActionRecord]:
    """Plan or carry out ``actions`` in order; one record per action.

    Transient tracker failures (rate limit, 5xx after retries) propagate so the
    caller (the worker) retries the whole delivery later; retrying is safe
    because every step reads before it writes. Any other refusal is recorded
    as FAILED with its reason.
    """
    log = _log(ctx)
    out: list[ActionRecord] = []
    planned: list[Action] = []  # consecutive shadow actions, stored in one transaction

    def flush() -> None:
        if planned:
            out.extend(
                log.record(planned, status=ActionStatus.PLANNED, source=source, at=ctx.now())
            )
            planned.clear()

    for action in actions:
        if is_shadow(ctx, action.issue.repo):
            planned.append(action)
            continue
        flush()
        assert ctx.tracker is not None  # is_shadow() is True without a tracker
        status, detail = carry_out(ctx, ctx.tracker, action)
        [rec] = log.record([action], status=status, source=source, at=ctx.now())
        if detail:
            log.mark(rec.id, status, at=ctx.now(), detail=detail)
            rec = _with_detail(rec, detail)
        out.append(rec)
    flush()
    return out


def approve(ctx: AppContext, ids: Iterable[int]) -> list[ActionRecord]:
    """Carry out planned actions a person approved (shadow flags do not apply to these)."""
    log = _log(ctx)
    if ctx.tracker is None:
        raise ConfigError(
            "cannot apply actions without GitHub credentials "
            "(set TRIAGEDESK_GITHUB_TOKEN or the GitHub App variables)"
        )
    records = _planned(log, ids)
    out = []
    for rec in records:
        status, detail = carry_out(ctx, ctx.tracker, rec.action)
        at = ctx.now()
        log.mark(rec.id, status, at=at, detail=detail or "approved")
        updated = log.get(rec.id)
        assert updated is not None
        out.append(updated)
    return out


def reject(ctx: AppContext, ids: Iterable[int], *, why: str = "") -> list[ActionRecord]:
    """A person turned planned actions down: they are kept as rejected, never sent.

    The same decision can be planned again later (a new event may make it right)."""
    log = _log(ctx)
    records = _planned(log, ids)
    out = []
    for rec in records:
        log.mark(rec.id, ActionStatus.REJECTED, at=ctx.now(), detail=why or "rejected")
        updated = log.get(rec.id)
        assert updated is not None
        out.append(updated)
    return out


def _planned(log: ActionLog, ids: Iterable[int]) -> list[ActionRecord]:
    """The records of ``ids``, all of them planned, or a clear error before anything is done."""
    records = []
    for action_id in ids:
        rec = log.get(action_id)
        if rec is None:
            raise NotFoundError(f"no action with id {action_id}")
        if rec.status is not ActionStatus.PLANNED:
            raise UserError(f"action {action_id} is {rec.status.value}, not planned")
        records.append(rec)
    return records


def _with_detail(rec: ActionRecord, detail: str) -> ActionRecord:
    return ActionRecord(
        id=rec.id,
        action=rec.action,
        status=rec.status,
        source=rec.source,
        created_at=rec.created_at,
        applied_at=rec.applied_at,
        detail=detail,
    )


# --- carrying one action out ---------------------------------------------------------------


def carry_out(ctx: AppContext, tracker: Tracker, action: Action) -> tuple[ActionStatus, str]:
    """Read, compare, write what differs. Returns the outcome and what was done."""
    try:
        done = _dispatch(ctx, tracker, action)
    except (RateLimited, TrackerUnavailable):
        raise
    except TriagedeskError as exc:
        return ActionStatus.FAILED, str(exc)
    if not done:
        return ActionStatus.UNCHANGED, "the tracker already matched"
    return ActionStatus.APPLIED, "; ".join(done)


def _dispatch(ctx: AppContext, tracker: Tracker, action: Action) -> list[str]:
    if isinstance(action, AddLabels):
        return _add_labels(ctx, tracker, action.issue, action.labels)
    if isinstance(action, RemoveLabels):
        return _remove_labels(ctx, tracker, action.issue, action.labels)
    if isinstance(action, SetStatus):
        return _set_status(ctx, tracker, action)
    if isinstance(action, UpsertComment):
        return _upsert_comment(ctx, tracker, action.issue, action.marker, action.body)
    if isinstance(action, Close):
        return _close(ctx, tracker, action)
    if isinstance(action, Reopen):
        issue = tracker.fetch_issue(action.issue)
        if issue.state is IssueState.OPEN:
            return []
        tracker.set_state(action.issue, IssueState.OPEN, None)
        return ["reopened"]
    if isinstance(action, Assign):
        issue = tracker.fetch_issue(action.issue)
        have = {a.lower() for a in issue.assignees}
        missing = [a.lstrip("@") for a in action.assignees if a.lstrip("@").lower() not in have]
        if not missing:
            return []
        tracker.add_assignees(action.issue, missing)
        return [f"assigned {', '.join(missing)}"]
    if isinstance(action, OpenInternal):
        return _open_internal(ctx, tracker, action)
    raise UserError(f"unknown action kind {action.kind!r}")


def _add_labels(
    ctx: AppContext, tracker: Tracker, ref: IssueRef, labels: Sequence[str]
) -> list[str]:
    issue = tracker.fetch_issue(ref)
    have = {lab.lower() for lab in issue.labels}
    missing: list[str] = []
    for lab in labels:
        if lab.lower() not in have and lab.lower() not in {m.lower() for m in missing}:
            missing.append(lab)
    if not missing:
        return []
    tracker.add_labels(ref, missing)
    _mirror_labels(ctx, ref, (*issue.labels, *missing))
    return [f"added {', '.join(missing)}"]


def _remove_labels(
    ctx: AppContext, tracker: Tracker, ref: IssueRef, labels: Sequence[str]
) -> list[str]:
    issue = tracker.fetch_issue(ref)
    wanted = {lab.lower() for lab in labels}
    present = [lab for lab in issue.labels if lab.lower() in wanted]
    for lab in present:
        tracker.remove_label(ref, lab)
    if present:
        _mirror_labels(ctx, ref, tuple(lab for lab in issue.labels if lab not in present))
    return [f"removed {', '.join(present)}"] if present else []


def _set_status(ctx: AppContext, tracker: Tracker, action: SetStatus) -> list[str]:
    issue = tracker.fetch_issue(action.issue)
    aliases = ctx.settings.profile.aliases()
    current = status_of(issue.labels, aliases)
    delta = relabel(issue.labels, action.status, aliases)
    if delta.empty:
        return []
    change = None
    if current is not action.status:
        bot = ctx.settings.profile.bot_login.lower()
        automated = action.actor.lower() in (bot, "triagedesk") and not action.forced
        change = step(
            action.issue,
            current,
            action.status,
            actor=action.actor,
            at=ctx.now(),
            reason=action.reason,
            source=Source.AUTOMATION if automated else Source.PERSON,
            force=action.forced,
        )
    done: list[str] = []
    if delta.add:
        tracker.add_labels(action.issue, list(delta.add))
        done.append(f"added {', '.join(delta.add)}")
    for lab in delta.remove:
        tracker.remove_label(action.issue, lab)
    if delta.remove:
        done.append(f"removed {', '.join(delta.remove)}")
    kept = tuple(lab for lab in issue.labels if lab not in delta.remove)
    _mirror_labels(ctx, action.issue, (*kept, *delta.add))
    if change is not None:
        ctx.issues.record_status_change(change)
    return done


def _mirror_labels(ctx: AppContext, ref: IssueRef, labels: tuple[str, ...]) -> None:
    """Keep the stored issue's labels equal to what was just written.

    The handlers that run after this one read the store; without this they would
    see the labels of before the write (the tracker's own ``labeled`` delivery
    arrives later) and could decide on a stale status.
    """
    stored = ctx.issues.get_issue(ref)
    if stored is not None and stored.labels != labels:
        ctx.issues.upsert_issues([replace(stored, labels=labels)])


def _upsert_comment(
    ctx: AppContext, tracker: Tracker, ref: IssueRef, marker: str, body: str
) -> list[str]:
    if not marker:
        raise UserError(f"{ref}: a bot comment needs a marker")
    tag = marker_tag(marker)
    text = body if tag in body else f"{tag}\n{body}"
    carrying = [c for c in tracker.list_comments(ref) if tag in c.body]
    bot = ctx.settings.profile.bot_login.lower()
    # prefer the bot's own comment: a person quoting the marker must not be edited
    ours = [c for c in carrying if c.author.lower() == bot] or carrying
    if not ours:
        new_id = tracker.create_comment(ref, text)
        return [f"commented ({marker}, comment {new_id})"]
    existing = ours[0]
    if existing.body.strip() == text.strip():
        return []
    tracker.update_comment(ref.repo, existing.id, text)
    return [f"edited comment {existing.id} ({marker})"]


def _close(ctx: AppContext, tracker: Tracker, action: Close) -> list[str]:
    done: list[str] = []
    reason = action.close_reason
    if action.duplicate_of is not None:
        reason = CloseReason.DUPLICATE
        # GitHub marks the issue as a duplicate when a comment says "Duplicate of #N"
        target = action.duplicate_of
        mention = f"#{target.number}" if target.repo == action.issue.repo else str(target)
        done += _upsert_comment(
            ctx, tracker, action.issue, "duplicate-of", f"Duplicate of {mention}"
        )
    issue = tracker.fetch_issue(action.issue)
    if issue.state is IssueState.OPEN:
        tracker.set_state(action.issue, IssueState.CLOSED, reason)
        done.append(f"closed as {reason.value}")
    return done


def _open_internal(ctx: AppContext, tracker: Tracker, action: OpenInternal) -> list[str]:
    done: list[str] = []
    marker = action.marker or f"internal-for:{action.issue}"
    tag = marker_tag(marker)
    internal = tracker.find_issue_with_marker(action.repo, tag)
    if internal is None:
        body = action.body if tag in action.body else f"{action.body}\n\n{tag}"
        internal = tracker.create_issue(
            action.repo,
            action.title or f"Escalated from {action.issue}",
            body,
            labels=list(action.labels),
            assignees=[a.lstrip("@") for a in action.assignees],
        )
        done.append(f"opened {internal}")
    # cross-links, both ways, each once
    done += _upsert_comment(
        ctx, tracker, internal, f"link:{action.issue}", f"Public issue: {action.issue}"
    )
    done += _upsert_comment(
        ctx, tracker, action.issue, f"link:{internal}", f"Tracked internally as {internal}"
    )
    return done
