"""All the evidence of one issue: every extractor over the body and the reporter's comments.

``include_comments=False`` reads the issue as first filed (the body, and only the
labels an event added within minutes of creation); the backtest uses that.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from triagedesk.domain.evidence.diagnostics import (
    DiagnosticsEvidence,
    find_issue_diagnostics,
    reporter_texts,
)
from triagedesk.domain.evidence.environment import Environment, find_environment
from triagedesk.domain.evidence.kind import IssueKind, find_kind
from triagedesk.domain.evidence.reproduction import Reproduction, Validate, find_reproduction
from triagedesk.domain.evidence.template import TemplateEvidence, find_template, own_words
from triagedesk.domain.model import EventKind, Issue


@dataclass(frozen=True, slots=True)
class IssueEvidence:
    kind: IssueKind
    diagnostics: DiagnosticsEvidence
    environment: Environment
    reproduction: Reproduction
    template: TemplateEvidence
    #: the reporter's own words in later comments (0 when read as first filed)
    comment_words: int = 0
    as_filed: bool = False
    #: the reporter gave a reproduction in a later comment (it replaces template placeholders)
    reproduction_in_comments: bool = False


def evidence_dict(ev: IssueEvidence) -> dict[str, Any]:
    d = ev.diagnostics
    header = d.header
    return {
        "kind": {"kind": ev.kind.kind, "evidence": ev.kind.evidence},
        "diagnostics": {
            "ids": [
                {
                    "id": i.id,
                    "uuid": i.uuid,
                    "timestamp": i.timestamp,
                    "shape": i.shape,
                    "raw": i.raw,
                }
                for i in d.ids
            ],
            "id_line": d.id_line,
            "declined": d.declined,
            "checks": [
                {
                    "component": c.component,
                    "status": c.status,
                    "code": c.code,
                    "question": c.question,
                    "detail": c.detail,
                }
                for c in d.checks
            ],
            "failing_components": list(d.failing_components),
            "header": None
            if header is None
            else {
                "product_version": header.product_version,
                "product_build": header.product_build,
                "os_version": header.os_version,
                "os_build": header.os_build,
                "failure": header.failure,
            },
        },
        "environment": ev.environment.as_dict(),
        "reproduction": {
            "kinds": list(ev.reproduction.kinds),
            "placeholder_steps": ev.reproduction.placeholder_steps,
            "items": [
                {"kind": i.kind, "source": i.source, "valid": i.valid, "reason": i.reason}
                for i in ev.reproduction.items
            ],
        },
        "template": {
            "era": ev.template.era,
            "score": ev.template.score,
            "content_words": ev.template.content_words,
            "sections": [
                {"key": s.key, "heading": s.heading, "state": s.state, "required": s.required}
                for s in ev.template.sections
            ],
        },
    }


def labels_as_filed(issue: Issue, window: timedelta = timedelta(minutes=5)) -> tuple[str, ...]:
    """Labels the issue carried when filed: those an event added within ``window`` of creation
    (issue forms label at once). Without events nothing is known, so nothing is assumed."""
    labels: dict[str, None] = {}
    limit = issue.created_at + window
    for e in sorted(issue.events, key=lambda e: e.at):
        if e.at > limit:
            break
        if e.kind is EventKind.LABELED:
            labels[e.subject] = None
        elif e.kind is EventKind.UNLABELED:
            labels.pop(e.subject, None)
    return tuple(labels)


def gather_evidence(
    issue: Issue, *, include_comments: bool = True, validate: Validate | None = None
) -> IssueEvidence:
    """Every extractor over the body and (unless as first filed) the reporter's comments."""
    texts = reporter_texts(issue, include_comments=include_comments)
    joined = "\n\n".join(texts)
    diagnostics = find_issue_diagnostics(issue, include_comments=include_comments)
    labels = issue.labels if include_comments else labels_as_filed(issue)
    comment_words = 0
    for t in texts[1:]:
        comment_words += own_words(t)[0]
    in_comments = len(texts) > 1 and find_reproduction("\n\n".join(texts[1:])).present
    return IssueEvidence(
        kind=find_kind(issue.title, issue.body, labels),
        diagnostics=diagnostics,
        environment=find_environment(joined, header=diagnostics.header),
        reproduction=find_reproduction(joined, validate),
        template=find_template(issue.body),
        comment_words=comment_words,
        as_filed=not include_comments,
        reproduction_in_comments=in_comments,
    )
