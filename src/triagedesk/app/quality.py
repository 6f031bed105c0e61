"""The L1 quality checklist as a use case: compute, store, decide the more-info loop.

On every new issue, edit and comment (:func:`handle`, for the worker) and for
``triagedesk check`` (:func:`check_issue`, :func:`check_all`):

1. gather the evidence (body + the reporter's comments), look the Diagnostics IDs
   up in the bucket (cached; an unreachable bucket is "could not verify" and is
   asked again next time), and build the checklist with people's reproductions;
2. store it (a history entry only when it changed);
3. decide: one sticky checklist comment; ``status/0-more-info-needed`` with a
   comment naming exactly what is missing (once per issue: after the reporter
   answered, an L1 person decides); back to ``status/0-triage`` when the reporter
   answers (a comment or an edit after the ask); after N silent days with the team
   having spoken last, close with a comment — never an issue that was acknowledged
   or later, nor one carrying the opt-out label.

Handlers only decide; the worker (or :func:`check_all`) hands the actions to
``app.apply.submit``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from triagedesk.app.context import AppContext
from triagedesk.app.events import Change, IssueChanged, register
from triagedesk.app.quality_bundles import BundleLookup
from triagedesk.app.quality_render import render_checklist, render_close, render_more_info
from triagedesk.domain.actions import Action, Close, SetStatus, UpsertComment, marker_tag
from triagedesk.domain.checklist import (
    Checklist,
    PersonReproduction,
    build_checklist,
    gather_evidence,
)
from triagedesk.domain.errors import (
    NotFoundError,
    TriagedeskError,
    UserError,
)
from triagedesk.domain.model import CloseReason, EventKind, Issue, IssueRef, RepoRef
from triagedesk.domain.workflow import Status, status_of

__all__ = [
    "BundleLookup",
    "CheckResult",
    "check_all",
    "check_issue",
    "decide",
    "evaluate",
    "handle",
    "record_reproduction",
    "register_handlers",
    "submit_actions",
    "sweep",
]

NAME = "quality-checklist"
CHECKLIST_MARKER = "checklist"
MORE_INFO_MARKER = "more-info"
CLOSE_MARKER = "closed-no-answer"
SOURCE = "quality"
#: checklists stored per transaction by check_all
SAVE_BATCH = 200
#: statuses past triage: such issues are never auto-closed
WORKED_ON = frozenset(
    {
        Status.ACKNOWLEDGED,
        Status.IN_PROGRESS,
        Status.FIXED,
        Status.FIX_RELEASED_BETA,
        Status.FIX_RELEASED_STABLE,
        Status.WONT_FIX,
    }
)
_HANDLED = frozenset(
    {
        Change.OPENED,
        Change.EDITED,
        Change.COMMENTED,
        Change.COMMENT_EDITED,
        Change.REOPENED,
        Change.TRANSFERRED,
        Change.SYNCED,
        Change.LABELED,
        Change.UNLABELED,
    }
)


def evaluate(
    ctx: AppContext,
    issue: Issue,
    *,
    lookup: BundleLookup | None = None,
    include_comments: bool = True,
) -> Checklist:
    """The checklist of ``issue`` now (``include_comments=False``: as first filed)."""
    validate = ctx.repro_validator.check if ctx.repro_validator is not None else None
    evidence = gather_evidence(issue, include_comments=include_comments, validate=validate)
    bundles = (lookup or BundleLookup(ctx)).checks(evidence)
    reproductions: list[PersonReproduction] = (
        ctx.checklists.reproductions(issue.ref) if ctx.checklists is not None else []
    )
    return build_checklist(
        issue, now=ctx.now(), evidence=evidence, bundles=bundles, reproductions=reproductions
    )


# --- who said what, when -------------------------------------------------------------------


def _team(ctx: AppContext) -> set[str]:
    p = ctx.settings.profile
    return {login.lower() for login in [*p.team, p.bot_login]}


def _is_team_comment(ctx: AppContext, issue: Issue, author: str, is_team_assoc: bool) -> bool:
    if author == issue.author:
        return False
    return is_team_assoc or author.lower() in _team(ctx)


def last_ask(ctx: AppContext, issue: Issue) -> datetime | None:
    """When the issue was last put to more-info-needed (label event or our ask comment)."""
    aliases = ctx.settings.profile.aliases()
    times = [
        e.at
        for e in issue.events
        if e.kind is EventKind.LABELED
        and status_of([e.subject], aliases) is Status.MORE_INFO_NEEDED
    ]
    tag = marker_tag(MORE_INFO_MARKER)
    times += [c.created_at for c in issue.comments if tag in c.body]
    return max(times, default=None)


def reporter_answered(
    ctx: AppContext, issue: Issue, since: datetime | None, edited_at: datetime | None = None
) -> bool:
    """The reporter commented (or edited the issue) after ``since``."""
    if since is None:
        return False
    if edited_at is not None and edited_at > since:
        return True
    return any(c.author == issue.author and c.created_at > since for c in issue.comments)


def _ever_worked_on(ctx: AppContext, issue: Issue) -> bool:
    aliases = ctx.settings.profile.aliases()
    if status_of(issue.labels, aliases) in WORKED_ON:
        return True
    return any(
        e.kind is EventKind.LABELED and status_of([e.subject], aliases) in WORKED_ON
        for e in issue.events
    )


def close_due(ctx: AppContext, issue: Issue, now: datetime) -> str | None:
    """Why the issue may be closed for no answer now, or None."""
    s = ctx.settings
    if not issue.is_open or not s.quality.close_silent:
        return None
    aliases = s.profile.aliases()
    if status_of(issue.labels, aliases) is not Status.MORE_INFO_NEEDED:
        return None
    if issue.has_label(s.profile.opt_out_label) or _ever_worked_on(ctx, issue):
        return None
    asked = last_ask(ctx, issue)
    team_times = [
        c.created_at
        for c in issue.comments
        if _is_team_comment(ctx, issue, c.author, c.author_association.is_team)
    ]
    last_team = max([t for t in (asked, *team_times) if t is not None], default=None)
    if last_team is None:
        return None
    last_reporter = max(
        (c.created_at for c in issue.comments if c.author == issue.author), default=None
    )
    if last_reporter is not None and last_reporter >= last_team:
        return None
    days = s.quality.more_info_close_days
    if now - last_team < timedelta(days=days):
        return None
    return f"no answer from the reporter in {days} days since {last_team.date().isoformat()}"


# --- decisions -----------------------------------------------------------------------------


def decide(
    ctx: AppContext,
    issue: Issue,
    checklist: Checklist,
    *,
    edited_by_reporter_at: datetime | None = None,
) -> list[Action]:
    """The actions for ``issue`` given its checklist (nothing is written here)."""
    if not issue.is_open:
        return []
    s = ctx.settings
    bot = s.profile.bot_login
    ref = issue.ref
    actions: list[Action] = []
    if s.quality.checklist_comment:
        actions.append(
            UpsertComment(
                ref,
                f"L1 checklist: {checklist.verdict}",
                marker=CHECKLIST_MARKER,
                body=render_checklist(checklist),
            )
        )
    if issue.author_association.is_team or issue.author.lower() in _team(ctx):
        return actions  # the team does not ask itself for more information
    status = status_of(issue.labels, s.profile.aliases())
    asked = last_ask(ctx, issue)
    if status is Status.MORE_INFO_NEEDED:
        if reporter_answered(ctx, issue, asked, edited_by_reporter_at):
            actions.append(SetStatus(ref, "the reporter answered", status=Status.TRIAGE, actor=bot))
            return actions
        why = close_due(ctx, issue, ctx.now())
        if why is not None:
            actions.append(
                UpsertComment(ref, why, marker=CLOSE_MARKER, body=render_close(issue, s))
            )
            actions.append(Close(ref, why, close_reason=CloseReason.NOT_PLANNED))
        return actions
    if (
        status in (None, Status.TRIAGE)
        and not checklist.complete
        and s.quality.ask_for_info
        and asked is None
    ):
        reason = "checklist: missing " + ", ".join(checklist.missing)
        if status is None:
            actions.append(
                SetStatus(
                    ref, "new issue: every issue starts in triage", status=Status.TRIAGE, actor=bot
                )
            )
        actions.append(SetStatus(ref, reason, status=Status.MORE_INFO_NEEDED, actor=bot))
        actions.append(
            UpsertComment(
                ref, reason, marker=MORE_INFO_MARKER, body=render_more_info(checklist, issue, s)
            )
        )
    return actions


@dataclass
class CheckResult:
    checklist: Checklist
    actions: list[Action] = field(default_factory=list)
    changed: bool = False


def _public(ctx: AppContext, repo: RepoRef) -> bool:
    return repo.full_name.lower() in {r.name.lower() for r in ctx.settings.profile.public_repos}


def check_issue(
    ctx: AppContext,
    ref: IssueRef,
    *,
    lookup: BundleLookup | None = None,
    edited_by_reporter_at: datetime | None = None,
) -> CheckResult:
    issue = ctx.issues.get_issue(ref)
    if issue is None:
        raise NotFoundError(f"{ref}: no such issue in the database (import or sync it first)")
    return _check(ctx, issue, lookup or BundleLookup(ctx), edited_by_reporter_at)


def _check(
    ctx: AppContext,
    issue: Issue,
    lookup: BundleLookup,
    edited_at: datetime | None = None,
    *,
    save: bool = True,
) -> CheckResult:
    checklist = evaluate(ctx, issue, lookup=lookup)
    changed = True
    if save and ctx.checklists is not None:
        changed = ctx.checklists.save_checklist(checklist)
    actions = (
        decide(ctx, issue, checklist, edited_by_reporter_at=edited_at)
        if _public(ctx, issue.repo)
        else []
    )
    return CheckResult(checklist, actions, changed)


def handle(event: IssueChanged, ctx: AppContext) -> list[Action]:
    """The worker's entry: recompute on new issues, edits, comments; return the actions.

    A context without the checklist store (the quality feature not wired) hears nothing,
    like the other features' handlers without their ports."""
    if ctx.checklists is None:
        return []
    if event.change not in _HANDLED or not _public(ctx, event.ref.repo):
        return []
    issue = ctx.issues.get_issue(event.ref)
    if issue is None:
        return []
    edited_at = event.at if event.change is Change.EDITED and event.actor == issue.author else None
    return _check(ctx, issue, BundleLookup(ctx), edited_at).actions


def check_all(
    ctx: AppContext,
    repo: RepoRef | None = None,
    *,
    submit: bool = True,
    open_only: bool = False,
    progress: Callable[[int], None] | None = None,
    scan: bool | None = None,
) -> list[CheckResult]:
    """Check every stored issue (of ``repo``); hand the actions to the write-back layer.
    ``scan`` downloads found bundles once and scans them (None: the setting)."""
    lookup = BundleLookup(ctx, scan=scan)
    results: list[CheckResult] = []
    pending: list[CheckResult] = []

    def flush() -> None:
        if ctx.checklists is not None and pending:
            for r, changed in zip(
                pending, ctx.checklists.save_checklists([r.checklist for r in pending]), strict=True
            ):
                r.changed = changed
        pending.clear()

    for n, issue in enumerate(ctx.issues.iter_issues(repo), 1):
        if open_only and not issue.is_open:
            continue
        result = _check(ctx, issue, lookup, save=False)
        results.append(result)
        pending.append(result)
        if len(pending) >= SAVE_BATCH:
            flush()
        if progress is not None:
            progress(n)
    flush()
    if submit:
        submit_actions(ctx, [a for r in results for a in r.actions])
    return results


def sweep(ctx: AppContext) -> str:
    """The periodic pass over open issues: silence has no event, so closing after N days
    and re-asking a bucket that was down need one. Meant for the scheduler (daily)."""
    results = check_all(ctx, open_only=True)
    actions = [a for r in results for a in r.actions]
    closed = sum(1 for a in actions if isinstance(a, Close))
    asked = sum(
        1 for a in actions if isinstance(a, SetStatus) and a.status is Status.MORE_INFO_NEEDED
    )
    back = sum(1 for a in actions if isinstance(a, SetStatus) and a.status is Status.TRIAGE)
    return (
        f"checked {len(results)} open issues: {asked} asked for more information, "
        f"{back} back to triage, {closed} closed for no answer"
    )


def submit_actions(ctx: AppContext, actions: Iterable[Action]) -> int:
    """Plan (shadow mode) or carry out the actions; returns how many were handed over."""
    batch = list(actions)
    if not batch:
        return 0
    from triagedesk.app.apply import submit

    submit(ctx, batch, source=SOURCE)
    return len(batch)


def record_reproduction(
    ctx: AppContext,
    ref: IssueRef,
    *,
    by: str,
    version: str,
    platform: str,
    note: str = "",
) -> CheckResult:
    """A person confirms the issue reproduces: store it and recompute the checklist."""
    if ctx.checklists is None:
        raise TriagedeskError("no checklist store configured")
    if not by.strip() or not version.strip() or not platform.strip():
        raise UserError("who (--by), --version and --platform are all needed")
    if ctx.issues.get_issue(ref) is None:
        raise NotFoundError(f"{ref}: no such issue in the database")
    ctx.checklists.record_reproduction(
        ref, PersonReproduction(by.strip(), ctx.now(), version.strip(), platform.strip(), note)
    )
    return check_issue(ctx, ref)


def register_handlers() -> None:
    """Called by the composition roots (nothing registers at import time)."""
    register(NAME, handle)
