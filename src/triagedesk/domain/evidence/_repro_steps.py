"""UI steps in a report: numbered lines, and bulleted lines where they read as steps.

Split from reproduction.py. Every pattern is anchored at a line start with bounded
repetitions, and at most a few hundred bullets are read, so hostile input stays cheap.
"""

from __future__ import annotations

import re
from itertools import islice

from triagedesk.domain.evidence._text import clip, headings
from triagedesk.domain.evidence.template import is_template_line

_NUMBERED_RE = re.compile(r"^[ \t]{0,6}\d{1,2}[.)][ \t]+(\S[^\n]{0,400})$", re.M)
_BULLET_RE = re.compile(r"^[ \t]{0,6}[-*+•][ \t]+(\S[^\n]{0,400})$", re.M)
_FIELD_RE = re.compile(r"^[^:\n]{1,40}:[ \t]*\S")


def steps_region(text: str) -> tuple[int, int] | None:
    heads = headings(text)
    for i, h in enumerate(heads):
        low = h.title.lower()
        if "reproduc" in low or "steps" in low or "repro" in low or "how to" in low:
            end = heads[i + 1].start if i + 1 < len(heads) else len(text)
            return h.body_start, end
    return None


def _real_step(step: str) -> bool:
    if is_template_line("1. " + step) or is_template_line(step):
        return False
    if _FIELD_RE.match(step) and len(step.split()) <= 6:
        return False  # "Windows Version: 10" is a field, not a step
    return sum(1 for w in re.findall(r"[A-Za-z]{2,}", step)) >= 2


def find_steps(outside: str) -> tuple[list[str], bool]:
    """(the real steps, whether template placeholder steps were seen) in ``outside``
    (the text with fenced blocks blanked): numbered lines first, then bullets under a
    steps heading, then bullet lists that read as steps."""
    region = steps_region(outside)
    steps: list[str] = []
    placeholder = False
    sources = [(_NUMBERED_RE, outside)]
    if region is not None:
        sources.append((_BULLET_RE, outside[region[0] : region[1]]))
    for regex, where in sources:
        for m in islice(regex.finditer(where), 300):
            step = m.group(1).strip()
            if _real_step(step):
                steps.append(clip(step, 200))
            else:
                placeholder = True
            if len(steps) >= 100:
                break
        if steps:
            break
    if not steps and "\n" in outside:
        steps = _bulleted_steps(outside)
    return steps, placeholder


# the first word of a bulleted UI step ("- Open Settings", "* Click Apply & restart")
_IMPERATIVES = frozenset(
    [
        "open",
        "click",
        "go",
        "start",
        "restart",
        "run",
        "select",
        "enable",
        "disable",
        "install",
        "uninstall",
        "reinstall",
        "launch",
        "quit",
        "close",
        "wait",
        "create",
        "add",
        "remove",
        "delete",
        "set",
        "change",
        "navigate",
        "press",
        "type",
        "build",
        "pull",
        "push",
        "mount",
        "connect",
        "disconnect",
        "log",
        "sign",
        "switch",
        "toggle",
        "reboot",
        "turn",
        "stop",
        "execute",
        "download",
        "update",
        "upgrade",
        "drag",
        "copy",
        "edit",
        "save",
        "apply",
        "choose",
        "expand",
        "tick",
        "untick",
        "check",
        "uncheck",
        "put",
        "make",
        "resize",
        "reset",
        "pause",
        "resume",
        "unpause",
        "attach",
        "leave",
        "let",
        "use",
        "visit",
        "try",
    ]
)
# the line introducing a bullet list says it holds steps ("How to reproduce:", "Steps:")
_STEPS_INTRO_RE = re.compile(r"reproduc|\brepro\b|\bsteps\b|\bhow to\b|\bto trigger\b", re.I)
# ... or that it holds something else ("What I tried:", "Workarounds:")
_NOT_STEPS_INTRO_RE = re.compile(r"\btried\b|workaround|attempt|expected|environment|setup", re.I)
_BULLET_LINE_RE = re.compile(r"[ \t]{0,6}[-*+•][ \t]+(\S[^\n]{0,420})")


def _bulleted_steps(outside: str) -> list[str]:
    """Real steps from bullet lists outside a steps heading: a list whose introducing line
    names steps ("To reproduce:"), or whose bullets mostly start with an imperative verb."""
    steps: list[str] = []
    intro = ""
    current: list[str] = []

    def flush() -> None:
        if not current:
            return
        real = [b for b in current if _real_step(b)]
        if intro.endswith(":") and _STEPS_INTRO_RE.search(intro):
            steps.extend(real)
        elif not _NOT_STEPS_INTRO_RE.search(intro):
            verbs = [b for b in real if b.split(" ", 1)[0].lower().strip(",.") in _IMPERATIVES]
            if len(verbs) * 2 >= len(current):
                steps.extend(verbs)
        current.clear()

    seen = 0  # bullets read at all: a hostile body of bullets stays cheap
    for line in islice(outside.split("\n"), 5000):
        m = _BULLET_LINE_RE.fullmatch(line[:424])
        if m:
            seen += 1
            if len(current) < 50:
                current.append(m.group(1).strip())
        elif line.strip():
            flush()
            intro = line.strip()[:200]
        if len(steps) >= 100 or seen >= 400:
            break
    flush()
    return [clip(s, 200) for s in steps[:100]]
