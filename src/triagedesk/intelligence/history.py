"""What the history says: labels at a moment, and which issue a duplicate repeats.

The team marked duplicates in several ways over the years: GitHub's "closed as
duplicate" / ``marked_as_duplicate`` event, a duplicate label, and a comment
("Closing as dupe of #N", "duplicate of <URL>", "closing in favour of #N",
"we track this in #N"). A maintainer sometimes corrected a wrong number in a
later comment, and a duplicate can point at another duplicate (a chain).
Users' "same as #N" / "similar to #N" are related issues, not duplicates, and
are ignored here. A team comment that names #N and says, in the same comment, that
it closes or marks this issue as a duplicate ("Looks like the same problem as #N.
Closing as a duplicate") makes #N the target; with several issues named, the one
it is "the same ... as" wins, else none is guessed. A comment saying "not a
duplicate" marks nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from itertools import islice

from triagedesk.domain.errors import InputError
from triagedesk.domain.model import CloseReason, EventKind, Issue, IssueRef, RepoRef

_REF = (
    r"(?:https?://github\.com/(?P<urepo>[\w.-]+/[\w.-]+)/(?:issues|pull)/(?P<unum>\d+)"
    r"|(?P<repo>[\w.-]+/[\w.-]+)?#(?P<num>\d+))"
)
_DUP_PATTERNS = tuple(
    re.compile(p, re.IGNORECASE)
    for p in (
        rf"\b(?:dupe|duplicate|dup)\s+of\s+(?:issue\s+)?{_REF}",
        rf"\bclos(?:e|ing)\s+(?:this\s+)?in\s+fav(?:ou|o)r\s+of\s+{_REF}",
        rf"\bwe(?:'re|\s+are)?\s+track(?:ing)?\s+(?:this|it)\s+(?:in|at|on|with)\s+{_REF}",
        rf"\bduplicates\s+{_REF}",
        rf"\btracked\s+(?:in|at|by)\s+{_REF}",
    )
)
_CORRECTION = re.compile(
    rf"\b(?:sorry|oops|correction|wrong\s+(?:issue|number|link)|i\s+meant|should\s+be)\b"
    rf"[^\n]{{0,80}}?{_REF}",
    re.IGNORECASE,
)
#: a team comment that says it closes (or marks) the issue as a duplicate ("Looks like the
#: same problem as #N. Closing as a duplicate", "this is a duplicate, so I'm closing it")
#: and names the issue — the close words make it more than a user's "same as"
_CLOSING_AS_DUP = re.compile(
    r"\b(?:clos(?:e|ed|es|ing)|mark(?:ed|ing|s)?)\s+(?:(?:this|it)\s+(?:(?:one|issue)\s+)?)?"
    r"as\s+(?:a\s+)?(?:dupe|dup|duplicate)\b",
    re.IGNORECASE,
)
#: ... or has the close and the duplicate words in one sentence, close together
_CLOSE_NEAR_DUP = re.compile(
    r"\bclos(?:e|ed|es|ing)\b[^.!?\n]{0,60}\b(?:dupe|dup|duplicate)\b"
    r"|\b(?:dupe|dup|duplicate)\b[^.!?\n]{0,60}\bclos(?:e|ed|es|ing)\b",
    re.IGNORECASE,
)
#: "not a duplicate", "isn't a dupe": the comment says it is not one
_NEGATED = re.compile(
    r"(?:\bnot|n't)\s+(?:really\s+|actually\s+)?(?:an?\s+)?(?:dupe|dup|duplicate)\b",
    re.IGNORECASE,
)
#: "the same problem as #N": which of several named issues a closing comment means
_SAME_AS = re.compile(rf"\bsame\s+(?:[a-z]+\s+){{0,2}}as\s+{_REF}", re.IGNORECASE)
_ANY_REF = re.compile(_REF, re.IGNORECASE)
#: a comment is read up to GitHub's own cap
MAX_COMMENT = 65_536
DUPLICATE_LABELS = frozenset({"duplicate", "status/duplicate", "kind/duplicate", "dupe"})


def _ref_from(m: re.Match[str], default: RepoRef) -> IssueRef | None:
    repo_text = m.group("urepo") or m.group("repo")
    num = m.group("unum") or m.group("num")
    if num is None:
        return None
    try:
        repo = RepoRef.parse(repo_text) if repo_text else default
    except InputError:
        return None
    return IssueRef(repo, int(num))


def is_team(author: str, association_is_team: bool, team: Iterable[str]) -> bool:
    return association_is_team or author.lower() in {t.lower().lstrip("@") for t in team}


@dataclass(frozen=True, slots=True)
class DuplicateMark:
    """How history marks ``issue`` as a duplicate, and of what (None when no target is named)."""

    issue: IssueRef
    target: IssueRef | None
    how: str


def duplicate_mark(issue: Issue, team: Iterable[str] = ()) -> DuplicateMark | None:
    """The history's verdict on ``issue`` as a duplicate, or None when it is not one."""
    team = tuple(team)
    target: IssueRef | None = None
    how = ""
    for ev in issue.events:
        if ev.kind is EventKind.MARKED_AS_DUPLICATE and ev.subject:
            try:
                target = IssueRef.parse(ev.subject, issue.repo)
                how = "marked_as_duplicate"
            except InputError:
                continue
        elif ev.kind is EventKind.UNMARKED_AS_DUPLICATE:
            target, how = None, ""
    comment_target: IssueRef | None = None
    for c in sorted(issue.comments, key=lambda c: c.created_at):
        if not is_team(c.author, c.author_association.is_team, team):
            continue
        if comment_target is not None:
            fix = _CORRECTION.search(c.body)
            if fix:
                corrected = _ref_from(fix, issue.repo)
                if corrected is not None and corrected != issue.ref:
                    comment_target = corrected
                    continue
        body = c.body[:MAX_COMMENT]
        if _NEGATED.search(body):
            continue  # "this is not a duplicate of #N after all"
        matched = False
        for rx in _DUP_PATTERNS:
            m = rx.search(body)
            if m:
                matched = True
                found = _ref_from(m, issue.repo)
                if found is not None and found != issue.ref:
                    comment_target = found
                break
        if not matched:
            found = _closing_target(body, issue)
            if found is not None:
                comment_target = found
    if comment_target is not None:
        # a team comment names (and may correct) the target; it wins over a bare close
        target, how = comment_target, how or "team comment"
    closed_dup = issue.state_reason is CloseReason.DUPLICATE
    labelled = any(lab.lower() in DUPLICATE_LABELS for lab in issue.labels)
    if target is None and not closed_dup and not labelled and not how:
        return None
    if not how:
        how = "closed as duplicate" if closed_dup else "duplicate label"
    return DuplicateMark(issue.ref, target, how)


def _closing_target(body: str, issue: Issue) -> IssueRef | None:
    """The issue a team comment closes this one as a duplicate of, without "dupe of #N":
    it must say it closes/marks as a duplicate and name one issue (or several, one of
    them as "the same ... as #N")."""
    if not (_CLOSING_AS_DUP.search(body) or _CLOSE_NEAR_DUP.search(body)):
        return None
    refs = {_ref_from(m, issue.repo) for m in islice(_ANY_REF.finditer(body), 50)}
    refs.discard(None)
    refs.discard(issue.ref)
    if len(refs) == 1:
        return refs.pop()
    same = _SAME_AS.search(body)
    if same is not None:
        found = _ref_from(same, issue.repo)
        if found is not None and found != issue.ref:
            return found
    return None


def resolve_chain(
    start: IssueRef, targets: Mapping[IssueRef, IssueRef | None], limit: int = 10
) -> list[IssueRef]:
    """``start`` and the issues it leads to when it is itself a duplicate (cycles stop)."""
    chain = [start]
    seen = {start}
    cur = start
    for _ in range(limit):
        nxt = targets.get(cur)
        if nxt is None or nxt in seen:
            break
        chain.append(nxt)
        seen.add(nxt)
        cur = nxt
    return chain


def labels_at(issue: Issue, at: datetime) -> set[str]:
    """The labels ``issue`` carried at ``at``, replayed from its label events.

    A current label with no event at all is taken as present from the start
    (issue forms add labels at creation, and plain ``gh`` exports carry no events).
    """
    evented: set[str] = set()
    state: dict[str, bool] = {}
    for ev in sorted(issue.label_events, key=lambda e: e.at):
        key = ev.subject
        evented.add(key.lower())
        if ev.at > at:
            continue
        state[key] = ev.kind is EventKind.LABELED
    out = {k for k, v in state.items() if v}
    out |= {lab for lab in issue.labels if lab.lower() not in evented}
    return out


def removed_by_people(issue: Issue, bot: str) -> list[tuple[str, str, datetime]]:
    """Labels the bot added that a person later removed: (label, who, when)."""
    added: dict[str, datetime] = {}
    out: list[tuple[str, str, datetime]] = []
    for ev in sorted(issue.label_events, key=lambda e: e.at):
        low = ev.subject.lower()
        if ev.kind is EventKind.LABELED and ev.actor == bot:
            added[low] = ev.at
        elif ev.kind is EventKind.UNLABELED and low in added and ev.actor != bot:
            out.append((ev.subject, ev.actor, ev.at))
            del added[low]
    return out


def bot_labelled(issue: Issue, bot: str) -> list[str]:
    return [
        ev.subject for ev in issue.label_events if ev.kind is EventKind.LABELED and ev.actor == bot
    ]


def mention_times(issues: Iterable[Issue]) -> dict[str, list[float]]:
    """ref -> times (epoch seconds) at which another issue's body or comment referred to it."""
    out: dict[str, list[float]] = {}
    for issue in issues:
        texts = [(issue.body, issue.created_at)] + [(c.body, c.created_at) for c in issue.comments]
        for text, at in texts:
            if "#" not in text and "/issues/" not in text:
                continue
            for ref in references(text, issue.repo) - {issue.ref}:
                out.setdefault(str(ref), []).append(at.timestamp())
    return out


def references(text: str, repo: RepoRef) -> set[IssueRef]:
    """Issues ``text`` refers to: ``#N`` (in ``repo``), ``owner/name#N`` and issue URLs."""
    out: set[IssueRef] = set()
    for m in _ANY_REF.finditer(text):
        ref = _ref_from(m, repo)
        if ref is not None:
            out.add(ref)
    return out
