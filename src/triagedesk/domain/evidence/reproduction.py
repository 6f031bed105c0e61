"""Reproduction instructions: which kinds are present and whether each is statically valid.

Kinds (the seed's four acceptable reproductions):

* ``ui-steps`` — numbered (anywhere) or bulleted lines that are real steps, not the
  template's ``1. ...``; bullets count in a steps/reproduce section, in a list
  introduced by a line naming steps ("To reproduce:"), or in a list whose bullets
  mostly start with an imperative verb ("- Open Settings", "* Click Apply & restart")
  unless its introducing line says it is something else ("What I tried:"); valid
  from two steps
* ``shell`` — fenced ``sh``/``bash``/``console``/``powershell`` blocks, unlabelled
  blocks of prompt lines or ``docker …`` commands, and prompt lines in the text;
  valid when ``bash -n`` accepts it (checked by an injected validator). PowerShell
  and cmd.exe commands (``powershell``/``cmd`` fences, ``PS C:\\dir>`` / ``C:\\>``
  prompts) are present but never given to ``bash -n``: their validity is None
  ("not checked"), which the checklist shows as "could not verify", not "invalid"
* fenced output under the issue form's ``docker version`` / ``docker info`` (and
  diagnostics, logs, output, error) sections is never a reproduction, whatever the
  fence's language says
* ``dockerfile`` — fenced ``dockerfile`` blocks or blocks whose first instruction is
  ``FROM``; valid when it parses and starts FROM an image (own small parser here,
  dockerfile-parse through the validator)
* ``compose`` — YAML with a top-level ``services:``; valid when it parses and
  validates against the Compose schema (validator only)

The pure parts live here; checks that need a library or a process come in
through ``validate(kind, text) -> (valid or None, reason)`` (None: could not check).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from itertools import islice

from triagedesk.domain.evidence._repro_steps import find_steps
from triagedesk.domain.evidence._text import (
    Heading,
    bounded,
    clip,
    fenced_blocks,
    headings,
    outside_fences,
    strip_html_comments,
)

Validate = Callable[[str, str], tuple[bool | None, str]]

KINDS = ("ui-steps", "shell", "dockerfile", "compose")
SHELL_LANGS = frozenset(
    {
        "sh",
        "bash",
        "shell",
        "console",
        "zsh",
        "shell-session",
        "shellsession",
        "terminal",
        "session",
    }
)
OTHER_SHELL_LANGS = frozenset({"powershell", "ps", "ps1", "pwsh", "cmd", "bat", "batch"})
DOCKERFILE_LANGS = frozenset({"dockerfile", "docker"})
YAML_LANGS = frozenset({"yaml", "yml", "compose", "docker-compose"})
INSTRUCTIONS = frozenset(
    {
        "FROM",
        "RUN",
        "CMD",
        "LABEL",
        "MAINTAINER",
        "EXPOSE",
        "ENV",
        "ADD",
        "COPY",
        "ENTRYPOINT",
        "VOLUME",
        "USER",
        "WORKDIR",
        "ARG",
        "ONBUILD",
        "STOPSIGNAL",
        "HEALTHCHECK",
        "SHELL",
    }
)
MAX_SNIPPET = 65_536

# Windows prompts: PowerShell "PS C:\\Users\\dev> cmd", "PS> cmd", cmd.exe "C:\\> cmd" or
# "C:\\Users\\dev>cmd" (cmd.exe puts no space after ">"); bash -n does not apply to them
_WIN_PROMPT_RE = re.compile(
    r"^[ \t]{0,6}(?:PS(?:[ \t]{1,2}(?:[A-Za-z]:\\|/|~)[^>\n]{0,120})?>|[A-Za-z]:\\[^>\n]{0,120}>)"
    r"[ \t]{0,4}"
    r"(\S[^\n]{0,1000})$",
    re.M,
)
_DOLLAR_RE = re.compile(r"^[ \t]{0,6}\$[ \t]+(\S[^\n]{0,1000})$", re.M)
_COMMAND_LINE_RE = re.compile(
    r"^[ \t]{0,4}(?:sudo[ \t]+)?(?:docker|docker-compose|curl|kubectl|wsl|mkdir|cd|echo|cat|ls|touch)"
    r"(?:[ \t][^\n]{0,1000})?$",
    re.M,
)
_HEREDOC_RE = re.compile(r"<<-?[ \t]*[\"']?([A-Za-z_][A-Za-z0-9_]{0,30})[\"']?")
_COMPOSE_TOP_RE = re.compile(r"^services[ \t]*:[ \t]*(?:#[^\n]*)?$", re.M)
_K8S_RE = re.compile(r"^(?:apiVersion|kind)[ \t]*:", re.M)


@dataclass(frozen=True, slots=True)
class ReproItem:
    kind: str  # one of KINDS
    source: str  # "fenced", "prompts", "steps"
    text: str  # the reproduction as extracted (capped)
    valid: bool | None  # None: could not be checked
    reason: str


@dataclass(frozen=True, slots=True)
class Reproduction:
    items: tuple[ReproItem, ...] = ()
    placeholder_steps: bool = False  # only the template's "1. ..." steps were found

    @property
    def kinds(self) -> tuple[str, ...]:
        return tuple(k for k in KINDS if any(i.kind == k for i in self.items))

    @property
    def present(self) -> bool:
        return bool(self.items)

    @property
    def valid_kinds(self) -> tuple[str, ...]:
        return tuple(k for k in KINDS if any(i.kind == k and i.valid for i in self.items))

    @property
    def any_valid(self) -> bool | None:
        """True if one item is valid; False if all were checked and none is; else None."""
        if any(i.valid for i in self.items):
            return True
        if self.items and all(i.valid is False for i in self.items):
            return False
        return None


def check_dockerfile(text: str) -> tuple[bool, str]:
    """A small parser: known instructions, continuations, heredocs; the first is FROM an image."""
    escape = "\\"
    lines = text.split("\n")[:5000]
    instructions: list[tuple[int, str, str]] = []
    i = 0
    directives_open = True
    while i < len(lines):
        line = lines[i][:4000]
        stripped = line.strip()
        if not stripped:
            i += 1
            continue
        if stripped.startswith("#"):
            m = re.match(r"#[ \t]*escape[ \t]*=[ \t]*([\\`])", stripped, re.I)
            if directives_open and m:
                escape = m.group(1)
            i += 1
            continue
        directives_open = False
        start = i
        # only the first physical line's keyword and the joined arguments' start matter
        parts = [stripped]
        last = stripped
        while last.endswith(escape) and i + 1 < len(lines):
            i += 1
            nxt = lines[i][:4000].strip()
            if nxt.startswith("#"):
                continue
            parts[-1] = parts[-1][:-1]
            parts.append(nxt)
            last = nxt
        logical = " ".join(parts[:50])
        keyword, _, args = logical.partition(" ")
        word = keyword.upper()
        if word not in INSTRUCTIONS:
            return False, f"unknown instruction {clip(keyword, 30)!r} on line {start + 1}"
        heredoc = _HEREDOC_RE.search(args) if word in ("RUN", "COPY", "ADD") else None
        if heredoc:
            end_word = heredoc.group(1)
            i += 1
            while i < len(lines) and lines[i].strip() != end_word:
                i += 1
        instructions.append((start + 1, word, args.strip()))
        i += 1
    if not instructions:
        return False, "no instructions"
    for line_no, word, args in instructions:
        if word == "ARG":
            continue
        if word != "FROM":
            return False, f"the first instruction is {word} (line {line_no}), not FROM"
        image = next((a for a in args.split() if not a.startswith("--")), "")
        if not image:
            return False, f"FROM without an image on line {line_no}"
        return True, f"parses; FROM {clip(image, 60)}"
    return False, "only ARG instructions, no FROM"


def _first_instruction(content: str) -> str:
    for line in content.split("\n")[:200]:
        s = line.strip()
        if s and not s.startswith("#"):
            return s.split(" ", 1)[0].upper()
    return ""


def _classify_block(info: str, content: str, before: str) -> str | None:
    lang = info.split(" ", 1)[0].strip("{}.") if info else ""
    if not content.strip():
        return None
    if lang in DOCKERFILE_LANGS:
        return "dockerfile"
    if lang in SHELL_LANGS or lang in OTHER_SHELL_LANGS:
        return "shell"
    first = _first_instruction(content)
    compose_named = bool(re.search(r"(?:docker-)?compose\.ya?ml", before, re.I))
    if lang in YAML_LANGS or compose_named or not lang:
        if _COMPOSE_TOP_RE.search(content) and not _K8S_RE.search(content):
            return "compose"
        if lang in YAML_LANGS:
            return None
    if lang and lang not in ("text", "txt", "plain", "plaintext", "none"):
        return None
    if first == "FROM" or (first == "ARG" and re.search(r"^[ \t]*FROM[ \t]", content, re.M | re.I)):
        return "dockerfile"
    if _DOLLAR_RE.search(content) or _WIN_PROMPT_RE.search(content):
        return "shell"
    lines = [ln for ln in content.split("\n")[:200] if ln.strip()]
    if lines and sum(1 for ln in lines if _COMMAND_LINE_RE.match(ln)) * 2 >= len(lines):
        return "shell"
    return None


# sections that hold output the template asked for, not a reproduction
_OUTPUT_SECTIONS = ("docker version", "docker info", "diagnos", "log", "output", "error")
_OUTPUT_START_RE = re.compile(r"^[ \t]*(?:Client|Server)(?:: Docker| Version|:|$)")


def _section_of(heads: tuple[Heading, ...], pos: int) -> str:
    title = ""
    for h in heads:
        if h.start > pos:
            break
        title = h.title
    return title.lower()


def _is_output(content: str, section: str) -> bool:
    if any(word in section for word in _OUTPUT_SECTIONS) and "reproduc" not in section:
        return True
    first = next((ln for ln in content.split("\n", 20) if ln.strip()), "")
    return bool(_OUTPUT_START_RE.match(first))


def _shell_script(content: str) -> tuple[str, bool]:
    """The commands of a shell block (prompt lines when it has prompts, else every line),
    and whether they were typed at a Windows (PowerShell / cmd.exe) prompt."""
    prompts = [m.group(1) for m in islice(_DOLLAR_RE.finditer(content), 500)]
    if prompts:
        return "\n".join(prompts), False
    prompts = [m.group(1) for m in islice(_WIN_PROMPT_RE.finditer(content), 500)]
    if prompts:
        return "\n".join(prompts), True
    return content, False


def find_reproduction(text: str, validate: Validate | None = None) -> Reproduction:
    """The reproductions in ``text``; ``validate`` adds the checks needing libraries/processes."""
    text = strip_html_comments(bounded(text))
    fences = fenced_blocks(text)
    heads = headings(text) if fences else ()
    items: list[ReproItem] = []
    for b in fences:
        if _is_output(b.content, _section_of(heads, b.start)):
            continue
        before = text[max(0, b.start - 200) : b.start]
        kind = _classify_block(b.info, b.content, before)
        if kind is None:
            continue
        content = b.content[:MAX_SNIPPET]
        if kind == "shell":
            lang = b.info.split(" ", 1)[0]
            script, windows = _shell_script(content)
            if lang in OTHER_SHELL_LANGS or windows:
                items.append(_windows_shell("fenced", script, lang))
                continue
            items.append(_checked("shell", "fenced", script, validate))
        elif kind == "dockerfile":
            ok, reason = check_dockerfile(content)
            item = ReproItem("dockerfile", "fenced", content, ok, reason)
            if ok and validate is not None:
                item = _checked("dockerfile", "fenced", content, validate)
            items.append(item)
        else:
            items.append(_checked("compose", "fenced", content, validate))
    outside = outside_fences(text, fences)
    prompts = (
        [m.group(1) for m in islice(_DOLLAR_RE.finditer(outside), 200)] if "$" in outside else []
    )
    if prompts:
        items.append(_checked("shell", "prompts", "\n".join(prompts), validate))
    win_prompts = (
        [m.group(1) for m in islice(_WIN_PROMPT_RE.finditer(outside), 200)]
        if ">" in outside
        else []
    )
    if win_prompts:
        items.append(_windows_shell("prompts", "\n".join(win_prompts), ""))
    steps, placeholder = find_steps(outside)
    if steps:
        n = len(steps)
        items.append(
            ReproItem(
                "ui-steps",
                "steps",
                "\n".join(steps[:30]),
                n >= 2,
                f"{n} real step{'s' if n != 1 else ''}"
                + ("" if n >= 2 else " (two or more needed)"),
            )
        )
    return Reproduction(tuple(items), placeholder_steps=placeholder and not steps)


def _windows_shell(source: str, script: str, lang: str) -> ReproItem:
    """PowerShell / cmd.exe commands: a reproduction, but ``bash -n`` cannot judge them."""
    shell = "cmd" if lang in ("cmd", "bat", "batch") else "PowerShell/cmd"
    return ReproItem("shell", source, script, None, f"{shell} commands; not checked (bash -n n/a)")


def _checked(kind: str, source: str, text: str, validate: Validate | None) -> ReproItem:
    if validate is None:
        return ReproItem(kind, source, text, None, "static check not run")
    try:
        valid, reason = validate(kind, text)
    except Exception as exc:  # a validator must never take the extraction down
        return ReproItem(kind, source, text, None, f"check failed: {clip(str(exc), 80)}")
    return ReproItem(kind, source, text, valid, reason)
