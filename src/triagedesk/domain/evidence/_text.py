"""Text helpers every extractor shares: bounded input, lines, headings, fenced blocks.

Bounds: GitHub caps an issue body or a comment at 65,536 characters, so an
extractor reads at most :data:`MAX_TEXT` characters (that cap) and never
looks at more than :data:`MAX_LINE` characters of one line. Every regular
expression here is anchored at a line start or starts with a literal, and has
no nested quantifiers, so the work stays linear in the (capped) input.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

MAX_TEXT = 65_536
MAX_LINE = 2_000
#: at most this many headings / fenced blocks are considered
MAX_ITEMS = 400


def bounded(text: object) -> str:
    """``text`` as a ``str``, without NULs or carriage returns, cut at :data:`MAX_TEXT`."""
    if not isinstance(text, str):
        if isinstance(text, bytes):
            text = text.decode("utf-8", errors="replace")
        else:
            text = "" if text is None else str(text)
    if len(text) > MAX_TEXT:
        text = text[:MAX_TEXT]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\x00" in text:
        text = text.replace("\x00", "")
    return text


def line_at(text: str, pos: int) -> tuple[int, int]:
    """Start and end of the line holding ``pos``, clipped to :data:`MAX_LINE` around it."""
    start = text.rfind("\n", max(0, pos - MAX_LINE), pos) + 1
    if start == 0 and pos > MAX_LINE:
        start = pos - MAX_LINE
    end = text.find("\n", pos, pos + MAX_LINE)
    if end < 0:
        end = min(len(text), pos + MAX_LINE)
    return start, end


def clip(value: str, limit: int = 160) -> str:
    """A one-line snippet for evidence text."""
    value = " ".join(value.split())
    return value if len(value) <= limit else value[: limit - 1] + "…"


_HEADING_RE = re.compile(r"^[ \t]{0,3}(#{1,6})[ \t]+([^\n]{1,200})$", re.M)
# bold pseudo-headings on a line of their own: "**Steps to reproduce:**", "__Error__:"
_BOLD_HEADING_RE = re.compile(
    r"^[ \t]{0,3}(?:\*\*|__)([^*_\n]{2,80})(?:\*\*|__)[ \t]*:?[ \t]*$", re.M
)
_FENCE_RE = re.compile(r"^[ \t>]{0,8}(`{3,}|~{3,})[ \t]*([^\n`]{0,60})$", re.M)


@dataclass(frozen=True, slots=True)
class Heading:
    title: str
    level: int
    start: int  # offset of the heading line
    body_start: int  # offset just after the heading line


@lru_cache(maxsize=16)
def headings(text: str) -> tuple[Heading, ...]:
    """Markdown ATX headings and bold pseudo-headings, in order, outside fenced blocks.

    Cached: several extractors ask for the headings of the same text."""
    fences = fenced_blocks(text)
    out: list[Heading] = []
    for regex, bold in ((_HEADING_RE, False), (_BOLD_HEADING_RE, True)):
        for m in regex.finditer(text):
            if len(out) >= MAX_ITEMS:
                break
            if any(b.start <= m.start() < b.end for b in fences):
                continue
            title = m.group(2) if not bold else m.group(1)
            title = title.strip().strip("#").strip().rstrip(":").strip()
            level = len(m.group(1)) if not bold else 7
            out.append(Heading(title=title, level=level, start=m.start(), body_start=m.end()))
    out.sort(key=lambda h: h.start)
    return tuple(out)


@dataclass(frozen=True, slots=True)
class Fenced:
    info: str  # the info string after the fence, lower case ("bash", "dockerfile", "")
    content: str
    start: int  # offset of the opening fence
    end: int  # offset after the closing fence (or the end of the text)


@lru_cache(maxsize=16)
def fenced_blocks(text: str) -> tuple[Fenced, ...]:
    """Fenced code blocks (``` or ~~~); an unclosed fence runs to the end of the text."""
    out: list[Fenced] = []
    opening: re.Match[str] | None = None
    for m in _FENCE_RE.finditer(text):
        if opening is None:
            opening = m
            continue
        same_char = m.group(1)[0] == opening.group(1)[0]
        if same_char and len(m.group(1)) >= len(opening.group(1)) and not m.group(2).strip():
            content = text[opening.end() + 1 : m.start()]
            info = opening.group(2).strip().lower()
            out.append(
                Fenced(info=info, content=_unquote(content), start=opening.start(), end=m.end())
            )
            opening = None
            if len(out) >= MAX_ITEMS:
                return tuple(out)
    if opening is not None:
        content = text[opening.end() + 1 :]
        out.append(
            Fenced(
                info=opening.group(2).strip().lower(),
                content=_unquote(content),
                start=opening.start(),
                end=len(text),
            )
        )
    return tuple(out)


_QUOTE_PREFIX_RE = re.compile(r"^[ \t]{0,3}>[ \t]?", re.M)


def _unquote(content: str) -> str:
    """Drop the ``> `` of a block quoted fence so the code reads as written."""
    if ">" not in content[:4]:
        return content
    return _QUOTE_PREFIX_RE.sub("", content)


def outside_fences(text: str, fences: tuple[Fenced, ...]) -> str:
    """``text`` with fenced blocks blanked out (offsets and newlines are kept)."""
    if not fences:
        return text
    parts: list[str] = []
    pos = 0
    for b in fences:
        parts.append(text[pos : b.start])
        parts.append(_NOT_NEWLINE_RE.sub(" ", text[b.start : b.end]))
        pos = b.end
    parts.append(text[pos:])
    return "".join(parts)


_NOT_NEWLINE_RE = re.compile(r"[^\n]+")


def strip_html_comments(text: str) -> str:
    """Template hints live in HTML comments; they are not the reporter's words.

    A plain scan rather than a regex, so ``<!--`` repeated a million times stays linear.
    An unclosed comment hides the rest, as it does on GitHub.
    """
    if "<!--" not in text:
        return text
    parts: list[str] = []
    pos = 0
    while True:
        start = text.find("<!--", pos)
        if start < 0:
            parts.append(text[pos:])
            break
        parts.append(text[pos:start])
        end = text.find("-->", start + 4)
        if end < 0:
            break
        pos = end + 3
    return "".join(parts)


_WORD_RE = re.compile(r"[A-Za-z]{2,40}")


def word_count(text: str) -> int:
    return len(_WORD_RE.findall(text))


def relevant_lines(
    text: str, keywords: tuple[str, ...], *, max_hits: int = 25, max_chars: int = 24_000
) -> str:
    """Only the lines of ``text`` that hold one of ``keywords`` (lower case), in order.

    ``str.find`` runs at C speed, so narrowing a long text to these lines first keeps
    dozens of regular expressions cheap; each keyword contributes at most
    ``max_hits`` lines and each line at most 400 characters.
    """
    if len(text) <= 4_000:
        return text
    low = text.lower()
    spans: set[tuple[int, int]] = set()
    for kw in keywords:
        pos = low.find(kw)
        hits = 0
        while pos >= 0 and hits < max_hits:
            start = low.rfind("\n", max(0, pos - 400), pos) + 1
            if start == 0 and pos > 400:
                start = pos - 200
            end = low.find("\n", pos, pos + 400)
            if end < 0:
                end = min(len(low), pos + 200)
            spans.add((start, end))
            hits += 1
            pos = low.find(kw, end + 1)
    out: list[str] = []
    size = 0
    last_end = -1
    for start, end in sorted(spans):
        if start < last_end:
            start = last_end
        if start >= end:
            continue
        piece = text[start:end]
        out.append(piece)
        size += len(piece) + 1
        last_end = end
        if size > max_chars:
            break
    return "\n".join(out)
