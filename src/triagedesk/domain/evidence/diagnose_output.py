"""Pasted diagnose output: the old Mac header and ``[OK]/[ERROR]`` lines, the newer
``com.docker.diagnose check`` ``[PASS]/[FAIL]/[SKIP] DDxxxx: question?`` lines.

Statuses are normalised to ``ok``, ``warn``, ``fail``, ``skip``; an old check's
detail is the indented lines after it, a new one's the text after the question or
the "Failed with:" line of the "Please investigate the following N issues" tail.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from triagedesk.domain.evidence._text import clip

MAX_CHECKS = 300
MAX_DETAIL_LINES = 8

_CHECK_RE = re.compile(
    r"^[ \t>]{0,12}\[(OK|PASS|PASSED|WARN|WARNING|ERROR|FAIL|FAILED|SKIP|SKIPPED)\][ \t]{0,40}"
    r"([^\n]{1,300})$",
    re.MULTILINE,
)
_CODE_RE = re.compile(r"^(DD\d{4})[ \t]*:?[ \t]*(.*)$")
_STATUS = {
    "OK": "ok",
    "PASS": "ok",
    "PASSED": "ok",
    "WARN": "warn",
    "WARNING": "warn",
    "ERROR": "fail",
    "FAIL": "fail",
    "FAILED": "fail",
    "SKIP": "skip",
    "SKIPPED": "skip",
}
_INVESTIGATE_RE = re.compile(
    r"^[ \t>]{0,8}\d{1,3}[ \t]*:[ \t]*The test:[ \t]*([^\n]{1,300})\n"
    r"[ \t>]{0,12}Failed with:[ \t]*([^\n]{0,500})",
    re.MULTILINE,
)
_PRODUCT_RE = re.compile(
    r"^[ \t>]{0,8}Docker (?:for Mac|for Windows|Desktop)[ \t]*:[ \t]*version[ \t]*:?[ \t]*"
    r"([0-9][0-9A-Za-z.+_-]{0,40})(?:[ \t]*\(([^)\n]{1,60})\))?",
    re.MULTILINE | re.IGNORECASE,
)
_OS_RE = re.compile(
    r"^[ \t>]{0,8}(macOS|OS X|Windows)[ \t]*:[ \t]*version[ \t]*:?[ \t]*([0-9][0-9A-Za-z.]{0,30})"
    r"(?:[ \t]*\(build[ \t]*:?[ \t]*([^)\n]{1,40})\))?",
    re.MULTILINE | re.IGNORECASE,
)
_FAILURE_RE = re.compile(r"^[ \t>]{0,8}failure:[ \t]*([^\n]{1,300})$", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class DiagnoseCheck:
    component: str  # "vpnkit", "driver.amd64-linux", or the check code "DD0004"
    status: str  # "ok", "warn", "fail", "skip"
    code: str = ""  # "DD0004" for newer diagnose output, else ""
    question: str = ""  # "is the Docker engine running?"
    detail: str = ""  # the indented lines after it, or the "Failed with:" text


@dataclass(frozen=True, slots=True)
class DiagnoseHeader:
    product_version: str | None = None
    product_build: str | None = None
    os_name: str | None = None  # "macos" / "windows"
    os_version: str | None = None
    os_build: str | None = None
    failure: str | None = None


def parse_checks(text: str) -> tuple[DiagnoseCheck, ...]:
    if "[" not in text:
        return ()
    out: list[DiagnoseCheck] = []
    for m in _CHECK_RE.finditer(text):
        if len(out) >= MAX_CHECKS:
            break
        status = _STATUS[m.group(1).upper()]
        rest = m.group(2).strip()
        code_m = _CODE_RE.match(rest)
        if code_m:
            code = code_m.group(1)
            component, question = code, code_m.group(2).strip()
            detail = ""
            mark = question.find("?")
            if 0 <= mark < len(question) - 1:
                question, detail = question[: mark + 1], question[mark + 1 :].strip(" :-")
        else:
            code, question, detail = "", "", ""
            component = clip(rest, 80)
        detail = detail or _detail_after(text, m.end())
        out.append(
            DiagnoseCheck(
                component=component, status=status, code=code, question=question, detail=detail
            )
        )
    if out and "Failed with" in text:
        failed = {" ".join(q.split()).lower(): d.strip() for q, d in _INVESTIGATE_RE.findall(text)}
        if failed:
            out = [
                DiagnoseCheck(
                    c.component,
                    c.status,
                    c.code,
                    c.question,
                    c.detail or failed.get(" ".join(c.question.split()).lower(), ""),
                )
                for c in out
            ]
    return tuple(out)


def _detail_after(text: str, pos: int) -> str:
    """The indented lines right after a check line (the old diagnose's detail)."""
    lines: list[str] = []
    cursor = pos + 1
    for _ in range(MAX_DETAIL_LINES):
        if cursor >= len(text):
            break
        end = text.find("\n", cursor, cursor + 500)
        if end < 0:
            end = min(len(text), cursor + 500)
        line = text[cursor:end]
        stripped = line.lstrip(" \t>")
        if line[:1] not in (" ", "\t") or not stripped or stripped.startswith("["):
            break
        lines.append(stripped.strip())
        cursor = end + 1
    return clip(" ".join(lines), 300)


def parse_header(text: str) -> DiagnoseHeader | None:
    if "version" not in text.lower():
        return None
    p = _PRODUCT_RE.search(text)
    o = _OS_RE.search(text)
    f = _FAILURE_RE.search(text) if (p or o) else None
    if not p and not o:
        return None
    os_name = None
    if o:
        os_name = "windows" if o.group(1).lower() == "windows" else "macos"
    return DiagnoseHeader(
        product_version=p.group(1) if p else None,
        product_build=(p.group(2).strip() if p and p.group(2) else None),
        os_name=os_name,
        os_version=o.group(2) if o else None,
        os_build=(o.group(3).strip() if o and o.group(3) else None),
        failure=f.group(1).strip() if f else None,
    )
