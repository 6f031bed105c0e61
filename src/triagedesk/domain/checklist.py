"""The L1 checklist: one line per check with its evidence, and one verdict.

Lines: ``diagnostics``, ``logs-uploaded``, ``environment``, ``reproduction-present``,
``reproduction-valid``, ``template-complete`` and, when a person recorded it,
``reproduced-by-person``. Statuses: ``ok``, ``missing``, ``could-not-verify``,
``not-needed``, ``invalid``. The verdict is ``needs-more-info`` when a
*required* line is ``missing`` or ``invalid``; ``missing`` names those lines.
The rules (docs/quality.md explains why):

* feature requests, docs issues and questions need no diagnostics, environment
  or reproduction — only a body that says something;
* a bug needs a Diagnostics ID or pasted diagnose output (given in the body or
  in a later comment by the reporter), and an uploaded bundle when it was looked
  up (S3 unreachable is "could not verify", never "missing");
* a bug needs a reproduction (real steps, a script, a Dockerfile or a compose file),
  and the template's steps left as ``1. ...`` count as missing, unless the reporter
  gave one in a later comment or a person reproduced it;
* a template left empty or as placeholders, with no description elsewhere, is
  incomplete whatever else is there.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from triagedesk.domain.evidence.gather import (
    IssueEvidence,
    evidence_dict,
    gather_evidence,
    labels_as_filed,
)
from triagedesk.domain.evidence.reproduction import Validate
from triagedesk.domain.model import Issue, IssueRef, require_utc

__all__ = [
    "CHECKS",
    "COMPLETE",
    "NEEDS_MORE_INFO",
    "BundleCheck",
    "Checklist",
    "ChecklistLine",
    "IssueEvidence",
    "PersonReproduction",
    "build_checklist",
    "evidence_dict",
    "gather_evidence",
    "labels_as_filed",
]

OK = "ok"
MISSING = "missing"
COULD_NOT_VERIFY = "could-not-verify"
NOT_NEEDED = "not-needed"
INVALID = "invalid"

COMPLETE = "complete"
NEEDS_MORE_INFO = "needs-more-info"

CHECKS = (
    "diagnostics",
    "logs-uploaded",
    "environment",
    "reproduction-present",
    "reproduction-valid",
    "template-complete",
)
#: below this many of the reporter's own words describing the problem, the description is missing
THIN_DESCRIPTION_WORDS = 20
#: a template era is complete enough from this share of filled required sections
TEMPLATE_SCORE_OK = 0.5


@dataclass(frozen=True, slots=True)
class BundleCheck:
    """What the bucket said about one diagnostics ID."""

    id: str
    state: str  # "found", "not-found", "error", "unchecked"
    key: str = ""
    size: int | None = None
    uploaded_at: datetime | None = None
    detail: str = ""
    #: known failures found in the bundle's logs ("area/networking: hint (path)"), once fetched
    signatures: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PersonReproduction:
    """A person confirmed the issue reproduces."""

    by: str
    at: datetime
    version: str
    platform: str
    note: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "at", require_utc(self.at, "reproduction time"))


@dataclass(frozen=True, slots=True)
class ChecklistLine:
    name: str
    status: str
    evidence: str
    required: bool = False

    @property
    def blocking(self) -> bool:
        return self.required and self.status in (MISSING, INVALID)


@dataclass(frozen=True, slots=True)
class Checklist:
    ref: IssueRef
    lines: tuple[ChecklistLine, ...]
    verdict: str
    missing: tuple[str, ...]
    computed_at: datetime
    evidence: IssueEvidence | None = field(default=None, compare=False)

    def line(self, name: str) -> ChecklistLine | None:
        return next((ln for ln in self.lines if ln.name == name), None)

    @property
    def complete(self) -> bool:
        return self.verdict == COMPLETE

    def to_dict(self, *, with_evidence: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {
            "repo": self.ref.repo.full_name,
            "number": self.ref.number,
            "verdict": self.verdict,
            "missing": list(self.missing),
            "computed_at": self.computed_at.isoformat(),
            "lines": [
                {
                    "name": ln.name,
                    "status": ln.status,
                    "required": ln.required,
                    "evidence": ln.evidence,
                }
                for ln in self.lines
            ],
        }
        if with_evidence and self.evidence is not None:
            out["evidence"] = evidence_dict(self.evidence)
        return out


def build_checklist(
    issue: Issue,
    *,
    now: datetime,
    evidence: IssueEvidence | None = None,
    bundles: Mapping[str, BundleCheck] | None = None,
    reproductions: Sequence[PersonReproduction] = (),
    include_comments: bool = True,
    validate: Validate | None = None,
) -> Checklist:
    """The checklist and verdict of ``issue``; ``bundles`` maps an ID (``uuid/ts`` or uuid) to
    what the bucket said, absent when the bucket was not asked."""
    ev = evidence or gather_evidence(issue, include_comments=include_comments, validate=validate)
    lines = [
        _diagnostics_line(ev),
        _logs_line(ev, bundles),
        _environment_line(ev),
        *_reproduction_lines(ev, reproductions),
        _template_line(ev),
    ]
    if reproductions:
        last = max(reproductions, key=lambda r: r.at)
        lines.append(
            ChecklistLine(
                "reproduced-by-person",
                OK,
                f"reproduced by {last.by} on {last.at.date().isoformat()} "
                f"with {last.version} on {last.platform}"
                + (f" ({len(reproductions)} confirmations)" if len(reproductions) > 1 else ""),
            )
        )
    missing = tuple(ln.name for ln in lines if ln.blocking)
    return Checklist(
        ref=issue.ref,
        lines=tuple(lines),
        verdict=NEEDS_MORE_INFO if missing else COMPLETE,
        missing=missing,
        computed_at=require_utc(now, "checklist time"),
        evidence=ev,
    )


def _not_needed(name: str, ev: IssueEvidence) -> ChecklistLine:
    return ChecklistLine(name, NOT_NEEDED, f"{ev.kind.kind} ({ev.kind.evidence})")


def _diagnostics_line(ev: IssueEvidence) -> ChecklistLine:
    d = ev.diagnostics
    if d.ids:
        shown = ", ".join(f"{i.id} ({i.shape})" for i in d.ids[:3])
        return ChecklistLine("diagnostics", OK, f"Diagnostics ID {shown}", True)
    if d.has_output:
        failing = ", ".join(d.failing_components[:5]) or "none failing"
        what = f"{len(d.checks)} check lines" if d.checks else "the diagnose header"
        return ChecklistLine("diagnostics", OK, f"diagnose output pasted: {what}; {failing}", True)
    if not ev.kind.needs_diagnostics:
        return _not_needed("diagnostics", ev)
    if d.declined:
        return ChecklistLine(
            "diagnostics", MISSING, f"the Diagnostics ID line says {d.id_line_text!r}", True
        )
    where = {
        "empty": "the Diagnostics ID line is empty",
        "other": f"the Diagnostics ID line holds no ID ({d.id_line_text!r})",
    }.get(d.id_line, "no Diagnostics ID or diagnose output")
    return ChecklistLine("diagnostics", MISSING, where, True)


def _bundle_text(b: BundleCheck) -> str:
    size = f", {b.size} bytes" if b.size is not None else ""
    when = f", uploaded {b.uploaded_at.isoformat()}" if b.uploaded_at else ""
    found = f"; known failures in its logs: {'; '.join(b.signatures[:3])}" if b.signatures else ""
    return f"{b.key or b.id}{size}{when}{found}"


def _logs_line(ev: IssueEvidence, bundles: Mapping[str, BundleCheck] | None) -> ChecklistLine:
    ids = ev.diagnostics.ids
    if not ids:
        if not ev.kind.needs_diagnostics:
            return _not_needed("logs-uploaded", ev)
        return ChecklistLine("logs-uploaded", MISSING, "no Diagnostics ID, so no bundle to look up")
    if bundles is None:
        return ChecklistLine("logs-uploaded", COULD_NOT_VERIFY, "the bucket was not asked")
    checks = [bundles.get(i.id) or bundles.get(i.uuid) for i in ids]
    found = [b for b in checks if b is not None and b.state == "found"]
    if found:
        return ChecklistLine("logs-uploaded", OK, "bundle " + _bundle_text(found[0]))
    errors = [b for b in checks if b is None or b.state in ("error", "unchecked")]
    if errors:
        detail = next((b.detail for b in errors if b is not None and b.detail), "not looked up")
        return ChecklistLine("logs-uploaded", COULD_NOT_VERIFY, f"could not verify: {detail}")
    return ChecklistLine(
        "logs-uploaded",
        MISSING,
        "no bundle in the bucket for " + ", ".join(i.id for i in ids[:3]),
        ev.kind.needs_diagnostics,
    )


def _environment_line(ev: IssueEvidence) -> ChecklistLine:
    env = ev.environment
    facts = [f"{n}={getattr(env, n).value}" for n in env.known if n != "install_context"]
    if env.install_context is not None:
        ic = env.install_context
        span = " ".join(
            x
            for x in (
                ic.from_version and f"from {ic.from_version}",
                ic.to_version and f"to {ic.to_version}",
            )
            if x
        )
        facts.append(f"install={ic.kind}" + (f" ({span})" if span else ""))
    has_core = env.os_version is not None or env.product_version is not None
    if has_core:
        return ChecklistLine("environment", OK, "; ".join(facts), True)
    if ev.diagnostics.ids:
        extra = f" ({'; '.join(facts)})" if facts else ""
        return ChecklistLine("environment", OK, "in the diagnostics bundle" + extra, True)
    if not ev.kind.needs_diagnostics:
        return _not_needed("environment", ev)
    if facts:
        return ChecklistLine(
            "environment", MISSING, "no OS or product version; found " + "; ".join(facts), True
        )
    return ChecklistLine("environment", MISSING, "no OS version or product version", True)


def _described_words(ev: IssueEvidence) -> int:
    return ev.template.described_words + ev.comment_words


def _steps_left_as_placeholders(ev: IssueEvidence) -> bool:
    """The template's steps section is still ``1. ...`` (or empty) and no later comment fixed it."""
    if ev.reproduction_in_comments:
        return False
    if ev.reproduction.placeholder_steps or ev.template.placeholder_steps:
        return not any(i.kind == "ui-steps" for i in ev.reproduction.items)
    section = next((s for s in ev.template.sections if s.role == "steps"), None)
    return section is not None and section.state in ("placeholder", "empty")


def _reproduction_lines(
    ev: IssueEvidence, reproductions: Sequence[PersonReproduction]
) -> list[ChecklistLine]:
    rep = ev.reproduction
    if reproductions:
        last = max(reproductions, key=lambda r: r.at)
        text = f"{last.by} reproduced it"
        if rep.present:
            text = f"{', '.join(rep.kinds)}; {text}"
        return [
            ChecklistLine("reproduction-present", OK, text, True),
            ChecklistLine("reproduction-valid", OK, text, True),
        ]
    if not ev.kind.needs_diagnostics:
        return [_not_needed("reproduction-present", ev), _not_needed("reproduction-valid", ev)]
    placeholders = _steps_left_as_placeholders(ev)
    if not rep.present:
        why = (
            "only the template's placeholder steps"
            if placeholders
            else "no steps, script, Dockerfile or compose file"
        )
        return [
            ChecklistLine("reproduction-present", MISSING, why, True),
            ChecklistLine("reproduction-valid", NOT_NEEDED, "no reproduction to check"),
        ]
    kinds = ", ".join(rep.kinds)
    if placeholders:
        present = ChecklistLine(
            "reproduction-present",
            MISSING,
            f"the template's steps are still placeholders (found only: {kinds})",
            True,
        )
    else:
        present = ChecklistLine("reproduction-present", OK, kinds, True)
    details = "; ".join(f"{i.kind}: {i.reason}" for i in rep.items[:4])
    valid = rep.any_valid
    if valid:
        vline = ChecklistLine("reproduction-valid", OK, details, True)
    elif valid is False:
        vline = ChecklistLine("reproduction-valid", INVALID, details, True)
    else:
        vline = ChecklistLine("reproduction-valid", COULD_NOT_VERIFY, details, True)
    return [present, vline]


def _template_line(ev: IssueEvidence) -> ChecklistLine:
    t = ev.template
    words = _described_words(ev)
    if not ev.kind.needs_diagnostics:
        if t.content_words + ev.comment_words >= 3:
            return ChecklistLine("template-complete", OK, f"{t.content_words} words", True)
        return ChecklistLine("template-complete", MISSING, "the body is empty", True)
    if t.era == "free":
        if words >= THIN_DESCRIPTION_WORDS:
            return ChecklistLine(
                "template-complete", OK, f"no template; {words} words of description", True
            )
        return ChecklistLine(
            "template-complete", MISSING, f"no template and only {words} words of description", True
        )
    unfilled = ", ".join(
        f"{s.key} ({s.state})" for s in t.sections if s.required and s.state != "filled"
    )
    if t.score >= TEMPLATE_SCORE_OK or words >= THIN_DESCRIPTION_WORDS:
        text = f"{t.era} template, score {t.score:.2f}"
        if unfilled:
            text += f"; not filled: {unfilled}"
        return ChecklistLine("template-complete", OK, text, True)
    return ChecklistLine(
        "template-complete",
        MISSING,
        f"{t.era} template, score {t.score:.2f}; not filled: {unfilled}; {words} words of description",
        True,
    )
