"""Backtest of the checklist verdict against what the team really did (``eval quality``).

For every issue, the *prediction* is the verdict on the issue **as first filed**:
the body only (no comments), the labels an event added within five minutes of
creation (issue forms), no bundle lookups. The *truth* is read from the imported
history, in time order, ignoring the reporter and robots:

* **asked** (positive): the team put it to ``status/0-more-info-needed`` (or an
  alias such as ``status/needs-information``), or a team comment asks for
  information (diagnostics, steps, versions, "not enough information", "no
  content", the ">88% template match" notice), or the team closed it not-planned
  with such a comment;
* **worked on** (negative): acknowledged or a later status, closed as a
  duplicate, or any other team activity (a comment, a label, a close) without a
  request for information.

When both happened, the first one decides: an ask after the issue was
acknowledged is about something else. Issues without any team signal are
**excluded** (they are counted as ``unknown``): nobody looked at them, so there
is nothing to compare with. The baseline is the team's own heuristic: the body
matches an empty template by 88% or more (``difflib`` ratio); a second one,
"no Diagnostics ID means needs info", is reported beside it. A second figure,
``at_first_response``, gives the verdict with what the reporter added in comments
before the team's first response (an ID added before anyone looked was never asked for).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from triagedesk.domain.checklist import (
    NEEDS_MORE_INFO,
    build_checklist,
    gather_evidence,
    labels_as_filed,
)
from triagedesk.domain.evidence.diagnostics import find_diagnostics
from triagedesk.domain.evidence.reproduction import Validate
from triagedesk.domain.evidence.template import template_similarity
from triagedesk.domain.model import CloseReason, EventKind, Issue
from triagedesk.domain.workflow import Status, status_of
from triagedesk.settings import Settings

BASELINE_THRESHOLD = 0.88
CREATION_WINDOW = timedelta(minutes=5)
_WORK = frozenset(
    {
        Status.ACKNOWLEDGED,
        Status.IN_PROGRESS,
        Status.FIXED,
        Status.FIX_RELEASED_BETA,
        Status.FIX_RELEASED_STABLE,
        Status.WONT_FIX,
    }
)
_ASK_RE = re.compile(
    r"\b(?:more info(?:rmation)?|not enough info(?:rmation)?|no content|issue template|"
    r"diagnostics? id|(?:upload|gather|collect|attach)\w* (?:a |the |new |fresh )*diagnostics?|"
    r"diagnostics? bundle|(?:exact |detailed )?steps to reproduce|exact steps|"
    r"wsl (?:--version|-l -v)|"
    r"(?:please|can you|could you|would you)(?: please)? (?:provide|share|add|upload|attach|"
    r"run|post|include|send|give|fill|paste|tell)|what (?:is|was) the (?:exact )?error|"
    r"which (?:version|mac|model)|not filled(?: in| out)?|no (?:details|description|information)|"
    r"(?:missing|incomplete) (?:information|details|description))\b",
    re.IGNORECASE,
)
# a comment that recognises a duplicate or a known problem is work, whatever else it asks
_DUPLICATE_RE = re.compile(
    r"\b(?:dupe|duplicate|same (?:problem|issue|bug) as|track(?:ed|ing)? (?:this |it )?in|"
    r"in favou?r of)\b",
    re.IGNORECASE,
)
_ROBOT_RE = re.compile(r"(?:\[bot\]|-robot|-bot|^robot)$", re.IGNORECASE)


@dataclass
class Scores:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    def add(self, predicted: bool, truth: bool) -> None:
        if predicted and truth:
            self.tp += 1
        elif predicted:
            self.fp += 1
        elif truth:
            self.fn += 1
        else:
            self.tn += 1

    @property
    def n(self) -> int:
        return self.tp + self.fp + self.fn + self.tn

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
            "n": self.n,
            "confusion": {"tp": self.tp, "fp": self.fp, "fn": self.fn, "tn": self.tn},
        }


@dataclass
class EvalResult:
    checklist: Scores = field(default_factory=Scores)
    baseline: Scores = field(default_factory=Scores)
    no_id: Scores = field(default_factory=Scores)
    #: the verdict with what the reporter added before the team's first response
    at_response: Scores = field(default_factory=Scores)
    unknown: int = 0
    #: issue refs the checklist got wrong, for a person to read (capped)
    misses: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        out = self.checklist.as_dict()
        out["baseline"] = {
            "name": f"body matches the empty template by >= {BASELINE_THRESHOLD:.0%}",
            **self.baseline.as_dict(),
        }
        out["baseline_no_diagnostics_id"] = {
            "name": "no Diagnostics ID in the body means needs info",
            **self.no_id.as_dict(),
        }
        out["at_first_response"] = {
            "name": "checklist with the reporter's comments before the team's first response",
            **self.at_response.as_dict(),
        }
        out["unknown"] = self.unknown
        out["misses"] = self.misses
        return out


def _is_team(settings: Settings, issue: Issue, login: str, assoc_team: bool) -> bool:
    if login == issue.author or _ROBOT_RE.search(login or ""):
        return login.lower() == settings.profile.bot_login.lower()
    team = {t.lower() for t in settings.profile.team}
    return assoc_team or login.lower() in team


def team_truth(issue: Issue, settings: Settings) -> bool | None:
    """True: the team asked for more information first; False: it worked on the issue
    first; None: no team signal at all."""
    signal = team_signal(issue, settings)
    return None if signal is None else signal[0]


def team_signal(issue: Issue, settings: Settings) -> tuple[bool, datetime] | None:
    """The team's first decision (asked?) and when it was taken; None without one."""
    aliases = settings.profile.aliases()
    signals: list[tuple[datetime, bool]] = []
    settle = issue.created_at + CREATION_WINDOW
    for e in issue.events:
        if e.at <= settle or e.actor == issue.author or _ROBOT_RE.search(e.actor or ""):
            continue
        if e.kind is EventKind.LABELED:
            low = e.subject.lower()
            status = status_of([e.subject], aliases)
            if status is Status.MORE_INFO_NEEDED:
                signals.append((e.at, True))
            elif (
                status in _WORK
                or low in ("status/duplicate", "duplicate")
                or (status is None and not low.startswith(("lifecycle/", "version/")))
            ):
                signals.append((e.at, False))
        elif e.kind is EventKind.MARKED_AS_DUPLICATE or (
            e.kind is EventKind.CLOSED and e.subject in ("completed", "duplicate")
        ):
            # closed as done or as a duplicate: worked on. A bare not-planned close says
            # nothing about why (no answer, won't fix, stale), so it is no signal alone.
            signals.append((e.at, False))
    for c in issue.comments:
        if not _is_team(settings, issue, c.author, c.author_association.is_team):
            continue
        text = c.body[:4000]
        asks = bool(_ASK_RE.search(text)) and not _DUPLICATE_RE.search(text)
        signals.append((c.created_at, asks))
    if not signals and issue.closed_at is not None and issue.state_reason is CloseReason.DUPLICATE:
        signals.append((issue.closed_at, False))
    if not signals:
        return None
    # at the same moment (a label and a comment together) work wins over an ask
    signals.sort(key=lambda s: (s[0], s[1]))
    at, asked = signals[0]
    return asked, at


def _verdict_at(issue: Issue, at: datetime, validate: Validate | None) -> str:
    """The verdict with the reporter's comments written before ``at`` (labels as filed)."""
    earlier = tuple(c for c in issue.comments if c.created_at < at and c.author == issue.author)
    if not earlier:
        return build_checklist(issue, now=at, include_comments=False, validate=validate).verdict
    then = replace(issue, comments=earlier, labels=labels_as_filed(issue))
    return build_checklist(then, now=at, validate=validate).verdict


def evaluate_history(
    issues: Iterable[Issue],
    settings: Settings,
    *,
    validate: Validate | None = None,
    progress: Callable[[int], None] | None = None,
    max_misses: int = 50,
) -> EvalResult:
    result = EvalResult()
    for n, issue in enumerate(issues, 1):
        if progress is not None:
            progress(n)
        signal = team_signal(issue, settings)
        if signal is None:
            result.unknown += 1
            continue
        truth, answered_at = signal
        evidence = gather_evidence(issue, include_comments=False, validate=validate)
        cl = build_checklist(issue, now=issue.created_at, evidence=evidence)
        predicted = cl.verdict == NEEDS_MORE_INFO
        result.checklist.add(predicted, truth)
        result.baseline.add(template_similarity(issue.body) >= BASELINE_THRESHOLD, truth)
        result.no_id.add(not find_diagnostics(issue.body).ids, truth)
        result.at_response.add(_verdict_at(issue, answered_at, validate) == NEEDS_MORE_INFO, truth)
        if predicted != truth and len(result.misses) < max_misses:
            result.misses.append(
                {
                    "issue": str(issue.ref),
                    "team_asked": truth,
                    "verdict": cl.verdict,
                    "missing": list(cl.missing),
                    "kind": evidence.kind.kind,
                }
            )
    return result
