"""The README and docs/ name only commands that exist, and link only files that exist."""

from __future__ import annotations

import re
from pathlib import Path

import typer.main

from triagedesk.cli import app

ROOT = Path(__file__).parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def _commands() -> set[tuple[str, ...]]:
    found: set[tuple[str, ...]] = set()

    def walk(cmd: object, path: tuple[str, ...]) -> None:
        found.add(path)
        for name, sub in getattr(cmd, "commands", {}).items():
            walk(sub, (*path, name))

    walk(typer.main.get_command(app), ())
    return found


_FENCE = re.compile(r"^```[^\n]*\n(.*?)^```", re.MULTILINE | re.DOTALL)
_SPAN = re.compile(r"`([^`\n]+)`")
_CALL = re.compile(r"\btriagedesk ([a-z][a-z-]+)(?: ([a-z][a-z-]+))?")


def _code(text: str) -> str:
    """Fenced blocks and inline code spans: where a command is written, not prose."""
    blocks = _FENCE.findall(text)
    rest = _FENCE.sub("", text)
    return "\n".join([*blocks, *_SPAN.findall(rest)])


def test_every_documented_command_exists() -> None:
    commands = _commands()
    groups = {path[0] for path in commands if len(path) > 1}
    missing = []
    for doc in DOCS:
        for first, second in _CALL.findall(_code(doc.read_text(encoding="utf-8"))):
            if (first,) not in commands:
                missing.append(f"{doc.name}: triagedesk {first}")
            elif first in groups and second and (first, second) not in commands:
                missing.append(f"{doc.name}: triagedesk {first} {second}")
    assert sorted(set(missing)) == []


def test_relative_links_resolve() -> None:
    broken = []
    for doc in DOCS:
        for target in re.findall(r"\]\(([^)#:]+)\)", doc.read_text(encoding="utf-8")):
            if not (doc.parent / target).exists():
                broken.append(f"{doc.name} -> {target}")
    assert broken == []
