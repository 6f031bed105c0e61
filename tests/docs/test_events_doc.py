"""docs/events.md lists exactly the events and actions the code handles."""

from __future__ import annotations

import re
from pathlib import Path

from triagedesk.app.webhooks import HANDLED, is_handled

DOC = Path(__file__).resolve().parents[2] / "docs" / "events.md"


def _section(text: str, title: str) -> str:
    m = re.search(rf"^## {title}\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert m, f"docs/events.md has no '## {title}' section"
    return m.group(1)


def _rows(section: str) -> list[list[str]]:
    rows = []
    for line in section.splitlines():
        if line.startswith("|") and not line.startswith("| ---"):
            rows.append([c.strip() for c in line.strip("|").split("|")])
    return rows[1:]  # without the header


def test_handled_table_matches_code() -> None:
    documented = set()
    for event, action, _what in _rows(_section(DOC.read_text(), "Handled")):
        name = event.strip("`")
        act = "" if action == "(none)" else action.strip("`")
        documented.add((name, act))
    in_code = {(e, a) for e, actions in HANDLED.items() for a in actions}
    assert documented == in_code


def test_ignored_examples_are_really_ignored() -> None:
    for event_cell, actions_cell in _rows(_section(DOC.read_text(), "Ignored")):
        events = re.findall(r"`([a-z_]+)`", event_cell)
        actions = re.findall(r"`([a-z_]+)`", actions_cell) or ["opened", "created", ""]
        for event in events:
            for action in actions:
                assert not is_handled(event, action), (event, action)
