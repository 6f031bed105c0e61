"""Diagnostics IDs and pasted diagnose output, in every shape reporters used.

ID shapes (see docs/quality.md):

* ``uuid/dated-timestamp`` — ``<GUID>/<YYYY-MM-DD_HH-MM-SS>`` (Windows, 2016–2018)
* ``uuid/timestamp`` — ``<GUID>/<YYYYMMDDhhmmss>``, often followed by `` (uploaded)``
* ``uuid`` — a bare GUID (old Mac, or only the user part copied); lower case on Linux
* ``logs-path`` — the old Mac header line ``logs: /tmp/<GUID>/<YYYYMMDD-hhmmss>.tar.gz``
* ``bucket-key`` — the upload URL/key ``incoming/<n>/<GUID>/<timestamp>.zip``

A bare GUID counts only where it reads as a diagnostics ID: on a line that names
it ("Diagnostics ID:", "DID:", "diagnostic id is …", "uploaded"), inside a
"Diagnostics ID" section, or alone on its line. GUIDs inside other text (Windows
device classes in braces, request ids in a log line) are not IDs.

Diagnose output: the old header (``Docker for Mac: version: …``, ``macOS: version
… (build: …)``, ``failure: …``), the old check lines (``[OK] vmnetd``,
``[ERROR] driver.amd64-linux`` + indented detail) and the newer
``com.docker.diagnose check`` lines (``[PASS] DD0001: question``, ``[FAIL] …``,
``[SKIP] …``) with their "Please investigate the following N issues" tail.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from triagedesk.domain.evidence._text import bounded, clip, headings, line_at
from triagedesk.domain.evidence.diagnose_output import (
    MAX_CHECKS,
    DiagnoseCheck,
    DiagnoseHeader,
    parse_checks,
    parse_header,
)
from triagedesk.domain.model import Issue

__all__ = [
    "DiagnoseCheck",
    "DiagnoseHeader",
    "DiagnosticsEvidence",
    "DiagnosticsId",
    "find_diagnostics",
    "find_issue_diagnostics",
    "merge",
    "reporter_texts",
]

_UUID = r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}"
_ID_RE = re.compile(
    r"(?<![0-9A-Za-z-])(" + _UUID + r")"
    r"(?:/(?:(\d{4}-\d{2}-\d{2}_\d{2}-\d{2}-\d{2})|(\d{14})|(\d{8}-\d{6}))(?![0-9]))?"
    r"(?![0-9A-Za-z-])"
)
# applied to lower-cased text; the lookahead lets the engine skip most positions quickly
_LABEL_RE = re.compile(r"\b(?=[dibul])(?:diagnos|did\b|ids?\b|upload|bundle|logs?\b)|incoming/")
# the old Mac diagnose header: "logs: /tmp/<GUID>/<YYYYMMDD-hhmmss>.tar.gz"
_LOGS_PATH_RE = re.compile(r"/tmp/$|\blogs?:[^\n]{0,40}$", re.IGNORECASE)  # noqa: S108
_BUCKET_KEY_RE = re.compile(r"incoming/\d{1,6}/$")
_ALONE_STRIP = " \t>*_`-•'\"[]()<>:.,;"

# the line that should carry the ID: template bullet, form heading or free text
_ID_LINE_RE = re.compile(
    r"^[ \t>*_#-]{0,12}(?:\*\*)?(?:diagnostics?|diagnose)[ \t]*(?:id|ids|identifier)\b"
    r"[ \t*_]{0,4}(?::|=|is\b|-)?([^\n]{0,300})$"
    r"|^[ \t>*_-]{0,12}(?:\*\*)?DID[ \t*_]{0,4}:([^\n]{0,300})$",
    re.IGNORECASE | re.MULTILINE,
)
_DECLINE_RE = re.compile(
    r"^(?:n/?a|n\.a\.?|none|no|nope|nil|null|x|-+|—|–|\?+|not? (?:available|applicable|possible)"
    r"|unavailable|not able\b.*|unable\b.*|can'?t\b.*|cannot\b.*|could ?n[o']t\b.*"
    r"|diagnose (?:failed|fails|crashed|hangs?)\b.*|failed\b.*|fails\b.*|error\b.*"
    r"|doesn'?t work\b.*|does not work\b.*|no (?:id|diagnostics?)\b.*|nothing\b.*"
    r"|not (?:working|generated|uploaded)\b.*|.*\b(?:fails?|failed|crash(?:es|ed)?|hangs?)\b.*)$",
    re.IGNORECASE,
)
_EMPTY_VALUES = {"", "_no response_", "no response", "<!-- -->", "...", "…", "`", "``"}

MAX_IDS = 50
#: GUID-shaped strings examined per text (a log can repeat one thousands of times)
MAX_MATCHES = 300


@dataclass(frozen=True, slots=True)
class DiagnosticsId:
    uuid: str  # canonical, upper case
    timestamp: str | None  # as written
    shape: str  # "uuid", "uuid/timestamp", "uuid/dated-timestamp", "logs-path", "bucket-key"
    raw: str
    uploaded: bool = False  # the reporter's line says "(uploaded)"

    @property
    def id(self) -> str:
        """``UUID/timestamp`` or the bare UUID: the text an L1 person pastes."""
        return f"{self.uuid}/{self.timestamp}" if self.timestamp else self.uuid


@dataclass(frozen=True, slots=True)
class DiagnosticsEvidence:
    ids: tuple[DiagnosticsId, ...] = ()
    checks: tuple[DiagnoseCheck, ...] = ()
    header: DiagnoseHeader | None = None
    declined: bool = False  # the ID line is there but says "NA", "none", "diagnose failed" …
    id_line: str = "absent"  # "absent", "empty", "declined", "given", "other"
    id_line_text: str = ""
    snippets: tuple[str, ...] = field(default=())

    @property
    def failing_components(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for c in self.checks:
            if c.status == "fail":
                seen.setdefault(c.component, None)
        if self.header is not None and self.header.failure:
            seen.setdefault(_failure_component(self.header.failure), None)
        return tuple(seen)

    @property
    def has_output(self) -> bool:
        """Pasted diagnose output (check lines or the header) is present."""
        return bool(self.checks) or self.header is not None

    @property
    def present(self) -> bool:
        """An ID or diagnose output: something L1 can look at."""
        return bool(self.ids) or self.has_output


def _failure_component(text: str) -> str:
    m = re.search(r"com\.docker\.([a-z0-9_-]{1,40})", text)
    return m.group(1) if m else clip(text, 60)


def _is_bare_id_context(text: str, start: int, end: int, section_title: str) -> bool:
    line_start, line_end = line_at(text, start)
    line_start, line_end = max(line_start, start - 200), min(line_end, end + 200)
    line = text[line_start:line_end]
    before = text[line_start:start]
    after = text[end:line_end]
    if "diagnos" in section_title.lower():
        return True
    if before.rstrip().endswith("{") and after.lstrip().startswith("}"):
        return bool(_LABEL_RE.search(before.replace("{", "").lower()))
    if _LABEL_RE.search(line.lower()):
        return True
    rest = (before + after).strip(_ALONE_STRIP)
    return rest == "" or rest.lower() == "uploaded"


def _section_title_at(heads: list[tuple[int, str]], pos: int) -> str:
    title = ""
    for start, t in heads:
        if start > pos:
            break
        title = t
    return title


def find_diagnostics(text: str) -> DiagnosticsEvidence:
    """Every diagnostics ID, the ID line's state and the pasted diagnose output in ``text``."""
    text = bounded(text)
    if not text:
        return DiagnosticsEvidence()
    heads = [(h.start, h.title) for h in headings(text)] if "#" in text or "**" in text else []
    ids: dict[tuple[str, str | None], DiagnosticsId] = {}
    snippets: list[str] = []
    for n, m in enumerate(_ID_RE.finditer(text)):
        if len(ids) >= MAX_IDS or n >= MAX_MATCHES:
            break
        uuid = m.group(1).upper()
        dated, compact, dashed = m.group(2), m.group(3), m.group(4)
        line_start, line_end = line_at(text, m.start())
        before = text[max(line_start, m.start() - 120) : m.start()]
        after = text[m.end() : min(line_end, m.end() + 120)]
        timestamp = dated or compact or dashed
        if dashed or _LOGS_PATH_RE.search(before):
            shape = "logs-path"
        elif _BUCKET_KEY_RE.search(before):
            shape = "bucket-key"
        elif dated:
            shape = "uuid/dated-timestamp"
        elif compact:
            shape = "uuid/timestamp"
        else:
            shape = "uuid"
            title = _section_title_at(heads, m.start())
            if not _is_bare_id_context(text, m.start(), m.end(), title):
                continue
        key = (uuid, timestamp)
        uploaded = "uploaded" in after[:40].lower()
        if key in ids:
            continue
        # a bare UUID already known with a timestamp adds nothing
        if timestamp is None and any(k[0] == uuid for k in ids):
            continue
        if timestamp is not None and (uuid, None) in ids:
            del ids[(uuid, None)]
        ids[key] = DiagnosticsId(
            uuid=uuid, timestamp=timestamp, shape=shape, raw=m.group(0), uploaded=uploaded
        )
        snippets.append(clip(text[line_start:line_end]))
    id_line, id_line_text = _id_line_state(text, heads, bool(ids))
    checks = parse_checks(text)
    header = parse_header(text)
    return DiagnosticsEvidence(
        ids=tuple(ids.values()),
        checks=checks,
        header=header,
        declined=id_line == "declined" and not ids,
        id_line=id_line,
        id_line_text=id_line_text,
        snippets=tuple(snippets[:10]),
    )


def _classify_value(value: str) -> str:
    value = value.strip().strip("*_`>\"' \t").strip()
    low = value.lower()
    if low in _EMPTY_VALUES:
        return "empty"
    if _ID_RE.search(value):
        return "given"
    if _DECLINE_RE.match(low):
        return "declined"
    return "other"


def _id_line_state(text: str, heads: list[tuple[int, str]], has_ids: bool) -> tuple[str, str]:
    """State of the place where the ID belongs: absent, empty, declined, given, other."""
    states: list[tuple[str, str]] = []
    # the form's "### Diagnostics ID" section: its first non-empty line is the value
    all_heads = headings(text) if heads else []
    for i, h in enumerate(all_heads):
        if "diagnostics id" not in h.title.lower():
            continue
        end = all_heads[i + 1].start if i + 1 < len(all_heads) else len(text)
        section = text[h.body_start : min(end, h.body_start + 2000)]
        value = next((ln for ln in section.split("\n") if ln.strip()), "")
        states.append((_classify_value(value), clip(value, 80)))
    low = text.lower()
    has_label = "diagnos" in low or "did" in low
    for m in _ID_LINE_RE.finditer(text) if has_label else ():
        value = m.group(1) if m.group(1) is not None else (m.group(2) or "")
        state = _classify_value(value)
        if state == "empty":
            # the value may be on the next line ("- Diagnostics ID:\n  ABCD…/2021…")
            nxt_end = text.find("\n", m.end() + 1, m.end() + 400)
            nxt = text[m.end() + 1 : nxt_end if nxt_end > 0 else m.end() + 400]
            if _ID_RE.search(nxt):
                state = "given"
        states.append((state, clip(value, 80)))
        if len(states) > 20:
            break
    if has_ids:
        return "given", next((t for s, t in states if s == "given"), "")
    for wanted in ("given", "declined", "other", "empty"):
        for s, t in states:
            if s == wanted:
                return s, t
    return "absent", ""


def merge(evidences: Iterable[DiagnosticsEvidence]) -> DiagnosticsEvidence:
    """Combine the evidence of several texts (a body and the reporter's comments)."""
    ids: dict[tuple[str, str | None], DiagnosticsId] = {}
    checks: list[DiagnoseCheck] = []
    header: DiagnoseHeader | None = None
    snippets: list[str] = []
    order = ("given", "declined", "other", "empty", "absent")
    id_line, id_line_text = "absent", ""
    for ev in evidences:
        for i in ev.ids:
            key = (i.uuid, i.timestamp)
            if key in ids or (i.timestamp is None and any(k[0] == i.uuid for k in ids)):
                continue
            if i.timestamp is not None:
                ids.pop((i.uuid, None), None)
            ids[key] = i
        checks.extend(ev.checks)
        header = header or ev.header
        snippets.extend(ev.snippets)
        if order.index(ev.id_line) < order.index(id_line):
            id_line, id_line_text = ev.id_line, ev.id_line_text
    if ids:
        id_line = "given"
    return DiagnosticsEvidence(
        ids=tuple(ids.values()),
        checks=tuple(checks[:MAX_CHECKS]),
        header=header,
        declined=id_line == "declined",
        id_line=id_line,
        id_line_text=id_line_text,
        snippets=tuple(snippets[:10]),
    )


def reporter_texts(issue: Issue, *, include_comments: bool = True) -> list[str]:
    """The body and, unless as first filed, every comment by the issue's author."""
    texts = [issue.body]
    if include_comments:
        texts.extend(c.body for c in issue.comments if c.author == issue.author)
    return texts


def find_issue_diagnostics(issue: Issue, *, include_comments: bool = True) -> DiagnosticsEvidence:
    """Diagnostics from the body plus the reporter's later comments (an ID given later counts)."""
    return merge(
        find_diagnostics(t) for t in reporter_texts(issue, include_comments=include_comments)
    )
