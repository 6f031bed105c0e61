"""Signatures: the hard evidence two reports of the same fault share.

An issue's signature set holds prefixed strings:

- ``diag:<component>`` — a failing diagnose component or check, from the
  evidence extractor ``triagedesk.domain.evidence.diagnostics.find_diagnostics``;
- ``err:<line>`` — an error line, normalised (lower case, numbers, paths,
  GUIDs and hex scrubbed) so the same message from two machines is equal;
- ``exit:<n>`` — an exit code; ``code:<x>`` — an HRESULT/errno-style code or a
  diagnose check code (``dd0004``);
- ``frame:<function>`` — a stack frame (Go, Python, Java/.NET, JS shapes);
- ``ver:<x.y.z>`` and ``vmm:<x.y>`` — the product version, from
  ``triagedesk.domain.evidence.environment.find_environment``.

Pure stdlib; cheap enough for the webhook path.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from triagedesk.intelligence.text import GUID_RE, HEX_RE, MAX_TEXT, TIMESTAMP_RE, URL_RE

_ERR_WORDS = re.compile(
    r"\b(error|errors|failed|failure|fatal|panic|exception|cannot|can't|unable to|"
    r"not running|refused|denied|timed out|timeout|no such|invalid|crash(?:ed)?)\b",
    re.IGNORECASE,
)
_EXIT_RE = re.compile(
    r"\bexit(?:ed)?\s*(?:with\s*)?(?:code|status)?\s*[:=]?\s*(-?\d{1,10})\b", re.IGNORECASE
)
_HCODE_RE = re.compile(
    r"\b(0x[0-9a-fA-F]{8}|E(?:ACCES|NOENT|PERM|CONNREFUSED|CONNRESET|ADDRINUSE|NOSPC|TIMEDOUT"
    r"|EXIST|IO|INVAL|PIPE|NOTDIR|ISDIR|ROFS|MFILE|NOMEM|HOSTUNREACH|NETUNREACH))\b"
)
_FRAME_RES = (
    re.compile(r"^\s*at\s+([\w$.<>]+)\s*\("),  # Java/.NET/JS
    re.compile(r'^\s*File "[^"]+", line \d+, in (\w+)'),  # Python
    re.compile(r"^\s*((?:[\w-]+/)*[\w-]+\.\(?\*?\w*\)?\.?\w+)\(.*\)\s*$"),  # Go function line
    re.compile(r"^\s*([\w./-]+\.go):\d+"),  # Go file:line
)
_PATH_RE = re.compile(r"(?:[a-z]:)?(?:[\\/][\w.@~ -]+){2,}", re.IGNORECASE)
_NUM_RE = re.compile(r"\d+")
_SPACE_RE = re.compile(r"\s+")
_DIAG_LINE_RE = re.compile(
    r"^\s*\[(ERROR|FAIL|WARN|WARNING)\]\s+(DD\d{4}|[A-Za-z][\w.-]*(?: [A-Za-z][\w.-]*)?)"
)

MAX_ERROR_LINES = 12


@dataclass(frozen=True, slots=True)
class Signature:
    """The signature set of one issue, with the parts kept apart for evidence."""

    components: frozenset[str] = frozenset()
    error_lines: frozenset[str] = frozenset()
    exit_codes: frozenset[str] = frozenset()
    codes: frozenset[str] = frozenset()
    frames: frozenset[str] = frozenset()
    versions: frozenset[str] = frozenset()
    extra: frozenset[str] = field(default_factory=frozenset)
    #: environment facts (not signature keys: too common to say "same fault")
    os: str | None = None
    backend: str | None = None
    emulation: str | None = None

    def all_keys(self) -> set[str]:
        out = {f"diag:{c}" for c in self.components}
        out |= {f"err:{e}" for e in self.error_lines}
        out |= {f"exit:{e}" for e in self.exit_codes}
        out |= {f"code:{c}" for c in self.codes}
        out |= {f"frame:{f}" for f in self.frames}
        for v in self.versions:
            out.add(f"ver:{v}")
            mm = ".".join(v.split(".")[:2])
            out.add(f"vmm:{mm}")
        return out | set(self.extra)


def normalise_error_line(line: str) -> str:
    """Scrub machine-specific parts of an error line so equal messages compare equal."""
    low = line.strip().lower()
    low = URL_RE.sub("<url>", low)
    low = GUID_RE.sub("<guid>", low)
    low = TIMESTAMP_RE.sub("<ts>", low)
    low = _PATH_RE.sub("<path>", low)
    low = HEX_RE.sub("<hex>", low)
    low = _NUM_RE.sub("<n>", low)
    low = low.strip(" \t`*>#-:[]")
    low = _SPACE_RE.sub(" ", low)
    return low[:160]


def _error_lines(text: str) -> set[str]:
    out: list[str] = []
    for line in text.splitlines():
        if len(line) > 400 or not _ERR_WORDS.search(line):
            continue
        norm = normalise_error_line(line)
        # a bare word ("error:") carries nothing; template lines are not errors
        if len(norm) < 12 or norm.count(" ") < 1:
            continue
        out.append(norm)
        if len(out) >= MAX_ERROR_LINES:
            break
    return set(out)


def _frames(text: str) -> set[str]:
    out: set[str] = set()
    for line in text.splitlines():
        if len(line) > 300:
            continue
        for rx in _FRAME_RES:
            m = rx.match(line)
            if m:
                out.add(m.group(1).lower())
                break
    return out


@dataclass(frozen=True, slots=True)
class _Extracted:
    components: frozenset[str] = frozenset()
    version: str | None = None
    os: str | None = None
    backend: str | None = None
    emulation: str | None = None


def _value(found: object) -> str | None:
    value = getattr(found, "value", found)
    return str(value).strip().lower() if value else None


def _extract(text: str) -> _Extracted:
    """Failing components and environment through the evidence extractors (H3's)."""
    try:
        from triagedesk.domain.evidence.diagnostics import (  # type: ignore[import-not-found, unused-ignore]
            find_diagnostics,
        )
        from triagedesk.domain.evidence.environment import (  # type: ignore[import-not-found, unused-ignore]
            find_environment,
        )
    except ImportError:  # extractors absent from this build: read the check lines ourselves
        return _Extracted(components=frozenset(_components_fallback(text)))
    diag = find_diagnostics(text)
    comps = {str(c).strip().lower() for c in diag.failing_components if str(c).strip()}
    env = find_environment(text, diag.header)
    version = _value(env.product_version)
    return _Extracted(
        components=frozenset(comps),
        version=version.split(" ")[0] if version else None,
        os=_value(env.os),
        backend=_value(env.backend),
        emulation=_value(env.emulation),
    )


def _components_fallback(text: str) -> set[str]:
    out: set[str] = set()
    for line in text.splitlines():
        m = _DIAG_LINE_RE.match(line)
        if m and m.group(1).upper() in ("ERROR", "FAIL"):
            out.add(m.group(2).strip().lower())
    return out


def signature_of(title: str, body: str) -> Signature:
    """The signature of an issue as first filed (title and body only)."""
    text = f"{title[:MAX_TEXT]}\n{body[:MAX_TEXT]}"
    ex = _extract(text)
    codes = {c.lower() for c in _HCODE_RE.findall(text)}
    return Signature(
        components=ex.components,
        # the title is matched as words already; an error line is what the body quotes
        error_lines=frozenset(_error_lines(body[:MAX_TEXT])),
        exit_codes=frozenset(m.group(1) for m in _EXIT_RE.finditer(text)),
        codes=frozenset(codes),
        frames=frozenset(_frames(body)),
        versions=frozenset([ex.version] if ex.version else ()),
        os=ex.os,
        backend=ex.backend,
        emulation=ex.emulation,
    )


def describe(keys: Iterable[str]) -> dict[str, list[str]]:
    """Group signature keys by kind for display: {"components": [...], "error_lines": [...]}."""
    names = {
        "diag": "failing_components",
        "err": "error_lines",
        "exit": "exit_codes",
        "code": "codes",
        "frame": "stack_frames",
        "ver": "versions",
    }
    out: dict[str, list[str]] = {}
    for k in sorted(keys):
        kind, _, value = k.partition(":")
        if kind in names:
            out.setdefault(names[kind], []).append(value)
    return out
