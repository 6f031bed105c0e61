"""Which issue template an issue was written in, and which sections were really filled.

Eras (docs/quality.md has the sections of each):

* ``2016`` — Expected / Actual behavior, Information (bullets), Steps to reproduce
* ``2018`` — the same after a preamble, checkboxes and a "- Diagnostics ID:" line
* ``2019`` — 2018 plus "Docker Desktop Version:", the virtualisation question
* ``2021`` — checkboxes incl. experimental features, Actual before Expected, the
  ``com.docker.diagnose check`` output section
* ``form`` — the 2023 issue form: Description, Reproduce, Expected behavior,
  docker version, docker info, Diagnostics ID, Additional Info
* ``free`` — no template (free text, bold pseudo-headings, own headings)

A section is ``filled`` when, after dropping the template's own lines (HTML
comment hints, ``1. ...`` placeholders, checkboxes, bullet labels without a
value, the template's instruction sentences, ``_No response_``), real words
remain; ``placeholder`` when only template lines remain; ``empty`` when
nothing does; ``missing`` when the heading is not there at all.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from difflib import SequenceMatcher

from triagedesk.domain.evidence._text import (
    Heading,
    bounded,
    headings,
    strip_html_comments,
    word_count,
)


@dataclass(frozen=True, slots=True)
class SectionSpec:
    key: str
    patterns: tuple[str, ...]  # lower-case substrings of the heading
    required: bool = True
    role: str = "text"  # "text", "steps", "info", "output", "id"


def _s(key: str, *patterns: str, required: bool = True, role: str = "text") -> SectionSpec:
    return SectionSpec(key, patterns, required, role)


_EXPECTED = _s("expected", "expected behavio", "expected result")
_ACTUAL = _s("actual", "actual behavio", "actual result")
_INFO = _s("information", "information", "environment", role="info")
_STEPS = _s("steps", "steps to reproduce", "reproduce", "repro", role="steps")

ERAS: dict[str, tuple[SectionSpec, ...]] = {
    "2016": (_EXPECTED, _ACTUAL, _INFO, _STEPS),
    "2018": (
        _EXPECTED,
        _ACTUAL,
        _INFO,
        _STEPS,
        _s("diagnostic-logs", "diagnostic logs", required=False, role="output"),
    ),
    "2019": (_EXPECTED, _ACTUAL, _INFO, _STEPS),
    "2021": (
        _ACTUAL,
        _EXPECTED,
        _INFO,
        _STEPS,
        _s("diagnose-output", "diagnose", "diagnostic", required=False, role="output"),
    ),
    "form": (
        _s("description", "description"),
        _s("reproduce", "reproduce", role="steps"),
        _s("expected", "expected behavio"),
        _s("docker-version", "docker version", required=False, role="output"),
        _s("docker-info", "docker info", required=False, role="output"),
        _s("diagnostics-id", "diagnostics id", role="id"),
        _s("additional", "additional info", required=False),
    ),
}

# the empty templates, as this project renders them (for the "88% match" baseline)
EMPTY_TEMPLATES: dict[str, str] = {
    "2016": (
        "### Expected behavior\n\n### Actual behavior\n\n### Information\n\n"
        '- Full output of the diagnostics from "Diagnose & Feedback" in the menu\n'
        "- A reproducible case if this is a bug, Dockerfiles FTW\n"
        "- Page URL if this is a docs issue or the name of a man page\n"
        "- Host OS version:\n\n"
        "### Steps to reproduce the behavior\n\n1. ...\n2. ...\n"
    ),
    "2018": (
        "Please read the troubleshooting guide before filing; issues without logs will be closed.\n\n"
        "- [ ] I have tried with the latest version of my channel (Stable or Edge)\n"
        "- [ ] I have uploaded Diagnostics\n- Diagnostics ID:\n\n"
        "### Expected behavior\n\n### Actual behavior\n\n### Information\n\n"
        "- Windows Version:\n- Docker for Windows Version:\n\n"
        "### Steps to reproduce the behavior\n\n1. ...\n2. ...\n"
    ),
    "2019": (
        "Please read the troubleshooting guide before filing; issues without logs will be closed.\n\n"
        "- [ ] I have tried with the latest version of my channel (Stable or Edge)\n"
        "- [ ] I have uploaded Diagnostics\n- Diagnostics ID:\n\n"
        "### Expected behavior\n\n### Actual behavior\n\n### Information\n\n"
        "- Is it reproducible?\n- Is the problem new?\n- Did the problem appear with an update?\n"
        "- Windows Version:\n- Docker Desktop Version:\n"
        "- Are you running inside a virtualized Windows e.g. on a cloud server or on a mac VM:\n\n"
        "### Steps to reproduce the behavior\n\n1. ...\n2. ...\n"
    ),
    "2021": (
        "- [ ] I have tried with the latest version of Docker Desktop\n"
        "- [ ] I have tried disabling enabled experimental features\n"
        "- [ ] I have uploaded Diagnostics\n- Diagnostics ID:\n\n"
        "### Actual behavior\n\n### Expected behavior\n\n### Information\n\n"
        "- Windows Version:\n- Docker Desktop Version:\n- WSL2 or Hyper-V backend?\n"
        "- Are you running inside a virtualized Windows e.g. on a cloud server or a VM:\n\n"
        "### Output of `com.docker.diagnose check`\n\n"
        "### Steps to reproduce the behavior\n\n1. ...\n2. ...\n"
    ),
    "form": (
        "### Description\n\n_No response_\n\n### Reproduce\n\n1.\n2.\n3.\n\n"
        "### Expected behavior\n\n_No response_\n\n### docker version\n\n```bash\n\n```\n\n"
        "### docker info\n\n```bash\n\n```\n\n### Diagnostics ID\n\n_No response_\n\n"
        "### Additional Info\n\n_No response_\n"
    ),
}

TEMPLATE_PHRASES = (
    "full output of the diagnostics",
    "a reproducible case if this is a bug",
    "dockerfiles ftw",
    "page url if this is a docs issue",
    "name of a man page",
    "i have tried with the latest version",
    "i have uploaded diagnostics",
    "i have tried disabling enabled experimental",
    "read the troubleshooting guide",
    "issues without logs",
    "describe the results you",
    "describe what you expected",
    "describe what actually happened",
    "steps to reproduce the behavior",
    "paste the output",
    "a clear and concise description",
    "_no response_",
    "docker for mac: version...",
    "docker for mac: version: ...",
)

_PLACEHOLDER_LINE_RE = re.compile(
    r"^[ \t>]{0,8}(?:(?:\d{1,3}[.)]|[-*+•])[ \t]{0,4})?(?:\.{2,}|…|etc\.?|tbd|todo|n/?a)?[ \t.]{0,8}$",
    re.IGNORECASE,
)
_CHECKBOX_RE = re.compile(r"^[ \t>]{0,8}[-*+]?[ \t]{0,4}\[[ xX]?\]")
# "- macOS Version:", "- Is it reproducible?", "**Docker version**:" with nothing after it
_LABEL_ONLY_RE = re.compile(r"^[ \t>]{0,8}[-*+][ \t]{0,4}[^:?\n]{1,120}[:?][ \t*_]{0,6}$")
_FENCE_LINE_RE = re.compile(r"^[ \t>]{0,8}(?:`{3,}|~{3,})[ \t]*[\w+-]{0,20}[ \t]*$")


@dataclass(frozen=True, slots=True)
class SectionState:
    key: str
    heading: str  # as written ("" when missing)
    state: str  # "filled", "empty", "placeholder", "missing"
    required: bool
    role: str
    words: int  # the reporter's own words in it


@dataclass(frozen=True, slots=True)
class TemplateEvidence:
    era: str
    sections: tuple[SectionState, ...]
    score: float  # 0..1: share of the era's required sections that are filled
    content_words: int  # the reporter's own words in the whole body
    placeholder_steps: bool  # the template's "1. ..." steps are still there

    def section(self, key: str) -> SectionState | None:
        return next((s for s in self.sections if s.key == key), None)

    @property
    def unfilled(self) -> tuple[str, ...]:
        return tuple(s.key for s in self.sections if s.required and s.state != "filled")

    @property
    def described_words(self) -> int:
        """Words that describe the problem (description/actual/expected/steps, or free text)."""
        if self.era == "free":
            return self.content_words
        return sum(
            s.words
            for s in self.sections
            if s.role in ("text", "steps") and s.key not in ("additional",)
        )


_PHRASE_RE = re.compile("|".join(re.escape(p) for p in TEMPLATE_PHRASES))
_MARKUP_START = frozenset("-*+•[0123456789.…`~>_tTeEnN")


def is_template_line(line: str) -> bool:
    """A line the template put there, not the reporter."""
    stripped = line.strip()
    if not stripped or stripped[0] == "#":
        return True
    # the shape checks only matter for lines starting with list, checkbox or fence markup
    if stripped[0] in _MARKUP_START and (
        _PLACEHOLDER_LINE_RE.match(line)
        or _CHECKBOX_RE.match(line)
        or _LABEL_ONLY_RE.match(line)
        or _FENCE_LINE_RE.match(line)
    ):
        return True
    return _PHRASE_RE.search(stripped.lower()) is not None


MAX_LINES = 4000


def own_words(text: str) -> tuple[int, bool]:
    """(the reporter's own words, whether any template line was present) in ``text``."""
    words = 0
    template_seen = False
    for _, w, tpl in _line_facts(strip_html_comments(text)):
        words += w
        template_seen = template_seen or tpl
    return words, template_seen


def _line_facts(text: str) -> list[tuple[int, int, bool]]:
    """Per line: (offset, own words, is a non-blank template line); the first MAX_LINES lines."""
    out: list[tuple[int, int, bool]] = []
    pos = 0
    for line in text.split("\n", MAX_LINES)[:MAX_LINES]:
        short = line[:2000]
        if is_template_line(short):
            out.append((pos, 0, bool(short.strip())))
        else:
            out.append((pos, word_count(short), False))
        pos += len(line) + 1
    return out


_NOT_NEWLINE_RE = re.compile(r"[^\n]+")


def _blank_comments(text: str) -> str:
    """HTML comments replaced by spaces (newlines kept), so offsets stay valid."""
    if "<!--" not in text:
        return text
    out: list[str] = []
    pos = 0
    while True:
        start = text.find("<!--", pos)
        if start < 0:
            out.append(text[pos:])
            break
        out.append(text[pos:start])
        end = text.find("-->", start + 4)
        stop = len(text) if end < 0 else end + 3
        chunk = text[start:stop]
        out.append(_NOT_NEWLINE_RE.sub(" ", chunk))
        pos = stop
        if end < 0:
            break
    return "".join(out)


def _match_era(heads: tuple[Heading, ...], text: str) -> str:
    titles = [h.title.lower() for h in heads if h.level <= 6]
    low = text[:6000].lower()

    def hits(era: str) -> int:
        return sum(
            1 for spec in ERAS[era] if any(any(p in t for p in spec.patterns) for t in titles)
        )

    form = hits("form")
    classic = hits("2016")
    if form >= 3 and form >= classic:
        return "form"
    has_behaviour = any("expected behavio" in t or "actual behavio" in t for t in titles)
    if classic < 2 or not has_behaviour:
        return "free"
    if "experimental features" in low or "com.docker.diagnose" in low:
        return "2021"
    actual_first = _order(titles, "actual behavio", "expected behavio")
    if actual_first:
        return "2021"
    if (
        "docker desktop version" in low
        or "virtualized windows" in low
        or "is it reproducible" in low
    ):
        return "2019"
    if "diagnostics id" in low or "[ ]" in low or "[x]" in low:
        return "2018"
    return "2016"


def _order(titles: list[str], first: str, second: str) -> bool:
    a = next((i for i, t in enumerate(titles) if first in t), None)
    b = next((i for i, t in enumerate(titles) if second in t), None)
    return a is not None and b is not None and a < b


def find_template(text: str) -> TemplateEvidence:
    """The template era of ``text`` and the state of each of its sections."""
    text = bounded(text)
    heads = headings(text)
    era = _match_era(heads, text)
    plain = _blank_comments(text)
    facts = _line_facts(plain)
    content_words = sum(f[1] for f in facts)
    steps_placeholder = bool(
        re.search(r"^[ \t]{0,4}1\.[ \t]{0,4}(?:\.\.\.|…)[ \t]*$", text[:20000], re.M)
    )
    if era == "free":
        score = min(1.0, content_words / 30)
        return TemplateEvidence("free", (), round(score, 3), content_words, steps_placeholder)
    states: list[SectionState] = []
    used: set[int] = set()
    offsets = [f[0] for f in facts]
    for spec in ERAS[era]:
        idx = next(
            (
                i
                for i, h in enumerate(heads)
                if i not in used and any(p in h.title.lower() for p in spec.patterns)
            ),
            None,
        )
        if idx is None:
            states.append(SectionState(spec.key, "", "missing", spec.required, spec.role, 0))
            continue
        used.add(idx)
        h = heads[idx]
        end = heads[idx + 1].start if idx + 1 < len(heads) else len(text)
        lo, hi = bisect_left(offsets, h.body_start), bisect_left(offsets, end)
        words = sum(f[1] for f in facts[lo:hi])
        seen = any(f[2] for f in facts[lo:hi])
        body = text[h.body_start : min(end, h.body_start + 4000)]
        if words > 0:
            state = "filled"
        elif seen or body.strip():
            state = "placeholder"
        else:
            state = "empty"
        states.append(SectionState(spec.key, h.title, state, spec.required, spec.role, words))
    required = [s for s in states if s.required]
    filled = sum(1 for s in required if s.state == "filled")
    score = filled / len(required) if required else 1.0
    return TemplateEvidence(era, tuple(states), round(score, 3), content_words, steps_placeholder)


_TOKEN_RE = re.compile(r"\S+")
_TEMPLATE_TOKENS: dict[str, list[str]] = {}


def template_similarity(text: str, floor: float = 0.5) -> float:
    """The best ``difflib`` ratio between ``text`` and any empty template (the 88% baseline).

    Compared word by word (whitespace-separated tokens): as telling as characters for
    "how much of this is the empty template", and fast enough to run on every issue.
    Exact whenever it can reach ``floor``; below that it returns the cheap upper bound
    ``2·min(a, b) / (a + b)`` instead of running the matcher on a long body.
    """
    words = _TOKEN_RE.findall(bounded(text))
    best = 0.0
    for era, tpl in EMPTY_TEMPLATES.items():
        tpl_words = _TEMPLATE_TOKENS.get(era)
        if tpl_words is None:
            tpl_words = _TEMPLATE_TOKENS[era] = _TOKEN_RE.findall(tpl)
        a, b = len(tpl_words), len(words)
        if a + b == 0:
            continue
        bound = 2 * min(a, b) / (a + b)
        if bound <= best:
            continue
        if bound < floor:
            best = max(best, bound)
            continue
        matcher = SequenceMatcher(None, tpl_words, words, autojunk=False)
        if matcher.real_quick_ratio() <= best or matcher.quick_ratio() <= best:
            continue
        best = max(best, matcher.ratio())
    return round(best, 4)
