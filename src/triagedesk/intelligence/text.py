"""Tokenising and normalising issue text for the lexical index and the label model.

Pure stdlib, cheap to import (it sits on the webhook path). Identifiers that
make every issue unique and say nothing about its subject (GUIDs of
diagnostics IDs, timestamps, hex hashes, URLs' query strings) are replaced by
placeholder tokens before tokenising, so they neither blow up the vocabulary
nor create false matches. Version numbers become one token each (``4.41.2``
stays ``4.41.2``) instead of three meaningless numbers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

GUID_RE = re.compile(
    r"\b[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\b"
)
TIMESTAMP_RE = re.compile(
    r"\b\d{4}-?\d{2}-?\d{2}[T_ -]?\d{2}[:-]?\d{2}[:-]?\d{2}(?:\.\d+)?Z?\b|\b\d{14}\b"
)
HEX_RE = re.compile(r"\b(?:0x)?[0-9a-f]{12,64}\b")
URL_RE = re.compile(r"https?://[^\s)>\]]+")
VERSION_RE = re.compile(r"\b\d+\.\d+(?:\.\d+){0,2}(?:-[a-z0-9]+(?:-[a-z0-9]+)*)?\b")
_TOKEN_RE = re.compile(r"[a-z][a-z0-9_.+-]*[a-z0-9]|[a-z]|\d+(?:\.\d+){1,3}|0x[0-9a-f]+|dd\d{4}")
_CODE_FENCE_RE = re.compile(r"```")

#: English function words plus the issue-template words every report repeats.
_STOP_TEXT = """
a about above after again against all am an and any are as at be because been before being
below between both but by can could did do does doing down during each few for from further
had has have having he her here hers him his how i if in into is it its itself just me more
most my no nor not now of off on once only or other our out over own same she should so some
such than that the their them then there these they this those through to too under until up
very was we were what when where which while who whom why will with would you your yours
also get got use using used still even one two since like try tried trying see seems please
thanks thank hi hello issue problem expected actual behavior behaviour steps reproduce
information describe description additional info version diagnostics id yes n/a na none
___guid___ ___ts___ ___hex___ ___url___
"""
STOPWORDS = frozenset(_STOP_TEXT.split())

#: text past this many characters is not read (a 10 MB paste of logs adds nothing but time)
MAX_TEXT = 100_000

GUID_MARK = "___guid___"
TS_MARK = "___ts___"
HEX_MARK = "___hex___"
URL_MARK = "___url___"


def scrub(text: str) -> str:
    """Lower-case ``text`` and replace identifiers by placeholder tokens."""
    low = text.lower()
    if "http" in low:
        low = URL_RE.sub(f" {URL_MARK} ", low)
    if "-" in low:
        low = GUID_RE.sub(f" {GUID_MARK} ", low)
    low = TIMESTAMP_RE.sub(f" {TS_MARK} ", low)
    low = HEX_RE.sub(f" {HEX_MARK} ", low)
    return low


def tokens(text: str, *, keep_stopwords: bool = False) -> list[str]:
    """Word tokens of ``text`` after :func:`scrub`; stop words and placeholders dropped."""
    found = _TOKEN_RE.findall(scrub(text[:MAX_TEXT]))
    if keep_stopwords:
        return found
    return [t for t in found if t not in STOPWORDS and len(t) < 40]


def document_tokens(title: str, body: str, *, title_weight: int = 2) -> list[str]:
    """Tokens of an issue as the index sees it: the title counted ``title_weight`` times."""
    head = tokens(title)
    return head * max(1, title_weight) + tokens(body)


def title_words(title: str) -> set[str]:
    return set(tokens(title))


def strip_code_fences(text: str) -> str:
    """Text without its fenced blocks (for rules that should read prose only)."""
    parts = _CODE_FENCE_RE.split(text)
    return "\n".join(parts[0::2])


def ngrams(words: Iterable[str], n: int = 2) -> list[str]:
    seq = list(words)
    return [" ".join(seq[i : i + n]) for i in range(len(seq) - n + 1)]
