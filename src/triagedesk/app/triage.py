"""The first status rule: every new issue on a public tracker starts in ``status/0-triage``.

A new issue without a status label gets :class:`SetStatus` (TRIAGE). One whose
only status label is a legacy or form alias (``needs-triage``, ``status/triage``)
gets the same action, which swaps the alias for the canonical label. Issues in
repositories that are not public trackers (the internal one) are left alone.
The reporter-answered move (more-info-needed -> triage) belongs to the quality
feature, not here.
"""

from __future__ import annotations

from triagedesk.app.context import AppContext
from triagedesk.app.events import Change, IssueChanged, register
from triagedesk.domain.actions import Action, SetStatus
from triagedesk.domain.workflow import Status, status_of

NAME = "triage-on-open"


def status_on_open(event: IssueChanged, ctx: AppContext) -> list[Action]:
    if event.change is not Change.OPENED:
        return []
    public = {r.name.lower() for r in ctx.settings.profile.public_repos}
    if event.ref.repo.full_name.lower() not in public:
        return []
    issue = ctx.issues.get_issue(event.ref)
    if issue is None or not issue.is_open:
        return []
    current = status_of(issue.labels, ctx.settings.profile.aliases())
    if current is None or (current is Status.TRIAGE and Status.TRIAGE.value not in issue.labels):
        return [
            SetStatus(
                event.ref,
                "new issue: every issue starts in triage",
                status=Status.TRIAGE,
                actor=ctx.settings.profile.bot_login,
            )
        ]
    return []


def register_handlers() -> None:
    """Called by the composition roots (nothing registers at import time)."""
    register(NAME, status_on_open)
