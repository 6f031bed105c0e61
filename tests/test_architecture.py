"""The rules of direction that import-linter cannot see: the domain imports only the standard library."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

SRC = Path(__file__).parents[1] / "src" / "triagedesk"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.add(node.module)
    return out


def test_domain_imports_only_stdlib_and_itself() -> None:
    bad = []
    for path in sorted((SRC / "domain").rglob("*.py")):
        for mod in _imports(path):
            top = mod.split(".")[0]
            if mod.startswith("triagedesk.domain") or top == "__future__":
                continue
            if top not in sys.stdlib_module_names:
                bad.append(f"{path.relative_to(SRC)} imports {mod}")
    assert bad == []


def test_domain_never_reads_the_clock_or_environment() -> None:
    bad = []
    for path in sorted((SRC / "domain").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        for needle in (
            "datetime.now(",
            "datetime.utcnow(",
            "time.time(",
            "os.environ",
            "date.today(",
        ):
            if needle in text:
                bad.append(f"{path.relative_to(SRC)}: {needle}")
    assert bad == []
