"""What kind of issue this is: a bug needs diagnostics; feature requests, docs and questions don't.

Read from kind labels first (``kind/feature``, ``enhancement``, ``docs``, ``question``,
``kind/bug`` …), then the title's wording ("[Feature Request]", "Docs:",
"How do I …", "Please add …"), then the first lines of the body ("This is a
feature request", a docs page URL). Everything else is a bug report: that is
what the trackers are for.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from triagedesk.domain.evidence._text import bounded, clip

_LABELS = {
    "feature": {
        "kind/feature",
        "kind/enhancement",
        "enhancement",
        "feature",
        "feature request",
        "feature-request",
        "kind/feature-request",
        "type/enhancement",
        "type/feature",
    },
    "docs": {"kind/docs", "docs", "documentation", "area/docs", "kind/documentation", "type/docs"},
    "question": {"kind/question", "question", "type/question", "kind/support"},
    "bug": {
        "kind/bug",
        "bug",
        "type/bug",
        "kind/regression",
        "regression",
        "kind/performance",
        "performance",
    },
}
_I = re.IGNORECASE
_TITLE_FEATURE_RE = re.compile(
    r"^[ \t]{0,4}[\[(]?[ \t]{0,2}(?:feature(?:[ \t-]{1,2}request)?|enhancement|request|proposal|"
    r"suggestion|idea|rfe|fr)[ \t]{0,2}[\])]?[ \t]{0,2}[:\-\]]"
    r"|\bfeature[ \t-]request\b|\bplease (?:add|support|allow|provide|make)\b|\bwould be (?:nice|great|useful|helpful)\b"
    r"|\b(?:add|allow|provide|support)(?:ing)? (?:an? |the )?(?:option|setting|ability|way|support|flag|toggle|possibility)\b"
    r"|\b(?:option|ability|setting) to (?!start|run|open|connect)\w",
    _I,
)
_TITLE_DOCS_RE = re.compile(
    r"^[ \t]{0,4}[\[(]?[ \t]{0,2}docs?[ \t]{0,2}[\])]?[ \t]{0,2}[:\-\]]|\bdocs\b|\bdocumentation\b|"
    r"\btypo\b|docs\.docker\.com|\bmanual page\b|\bman page\b",
    _I,
)
# an imperative title is a request ("Allow …", "Warn when …") unless it reports a failure
_TITLE_IMPERATIVE_RE = re.compile(
    r"^[ \t]{0,4}(?:please[ \t]{1,3})?(?:add|allow|support|provide|expose|let|offer|warn|display|"
    r"introduce|implement|permit|make it possible|give|show|bring|reduce|remember|"
    r"respect|honou?r|integrate|publish|document)\b",
    _I,
)
_FAILURE_RE = re.compile(
    r"\b(?:fail\w*|error\w*|crash\w*|broken|break\w*|not (?:work\w*|start\w*|load\w*)|"
    r"doesn'?t|does not|don'?t|can'?t|cannot|won'?t|unable|stuck|hang\w*|freez\w*|slow\w*|"
    r"lost|missing|wrong|after (?:update|upgrad)\w*|since)\b",
    _I,
)
_TITLE_ASKING_RE = re.compile(
    r"^[ \t]{0,4}(?:how|is|are|can|could|should|what|where|which|will|would|do (?:i|we|you)|"
    r"does docker desktop (?:support|need|require))\b[^\n]{0,250}\?[ \t]*$",
    _I,
)
_TITLE_QUESTION_RE = re.compile(
    r"^[ \t]{0,4}[\[(]?[ \t]{0,2}question[ \t]{0,2}[\])]?[ \t]{0,2}[:\-\]]"
    r"|^[ \t]{0,4}(?:how (?:do|can|should) (?:i|we|you)\b|how to\b|is (?:it|there) (?:possible|a way)\b"
    r"|can (?:i|we|you)\b|what is the (?:best|recommended|right)\b|where (?:is|are|can|do)\b)",
    _I,
)
_BODY_FEATURE_RE = re.compile(
    r"\b(?:this is a feature request|feature request|i(?:'d| would) like to (?:request|suggest|propose)|"
    r"it would be (?:nice|great|useful|helpful) (?:if|to)|please consider adding|"
    r"i (?:propose|suggest) (?:adding|that)|i wish (?:there|docker|i)|would (?:really )?help\b)",
    _I,
)
_BODY_DOCS_RE = re.compile(
    r"(?:page url|docs page|documentation page)[^\n]{0,20}https?://docs\.docker\.com|"
    r"\bthe (?:docs|documentation) (?:say|says|state|states|is wrong|are wrong|is outdated)\b",
    _I,
)


@dataclass(frozen=True, slots=True)
class IssueKind:
    kind: str  # "bug", "feature", "docs", "question"
    evidence: str

    @property
    def needs_diagnostics(self) -> bool:
        return self.kind == "bug"


def find_kind(title: str, body: str, labels: Iterable[str] = ()) -> IssueKind:
    low_labels = {lab.lower() for lab in labels}
    for kind in ("bug", "feature", "docs", "question"):
        hit = sorted(low_labels & _LABELS[kind])
        if hit:
            return IssueKind(kind, f"label {hit[0]}")
    title = bounded(title[:300])[:256]  # GitHub caps titles at 256 characters
    for kind, regex in (
        ("docs", _TITLE_DOCS_RE),
        ("question", _TITLE_QUESTION_RE),
        ("feature", _TITLE_FEATURE_RE),
    ):
        m = regex.search(title)
        if m:
            return IssueKind(kind, f"title: {clip(title, 80)}")
    if not _FAILURE_RE.search(title):
        if _TITLE_IMPERATIVE_RE.search(title):
            return IssueKind("feature", f"title asks for something: {clip(title, 80)}")
        if _TITLE_ASKING_RE.search(title):
            return IssueKind("question", f"title is a question: {clip(title, 80)}")
    head = bounded(body[:1500])
    low = head.lower()
    feature_words = ("feature", "would", "like to", "propose", "suggest", "wish", "consider")
    m = _BODY_FEATURE_RE.search(head) if any(w in low for w in feature_words) else None
    if m:
        return IssueKind("feature", f"body: {clip(m.group(0), 80)}")
    m = _BODY_DOCS_RE.search(head) if ("docs" in low or "documentation" in low) else None
    if m:
        return IssueKind("docs", f"body: {clip(m.group(0), 80)}")
    return IssueKind("bug", "a problem report (no feature, docs or question wording)")
