"""One 3000-issue corpus per test session, generated once and shared by the demo tests."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from triagedesk.demo import CorpusSummary, write_corpus


@dataclass
class Corpus:
    path: Path
    records: list[dict[str, Any]]
    events: list[dict[str, Any]]
    summary: CorpusSummary

    def by_ref(self) -> dict[tuple[str, int], dict[str, Any]]:
        out = {}
        for r in self.records:
            repo = r["url"].split("github.com/")[1].rsplit("/issues/", 1)[0]
            out[(repo, r["number"])] = r
        return out


@pytest.fixture(scope="session")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    path = tmp_path_factory.mktemp("demo") / "corpus.json"
    summary = write_corpus(path, 3000, 7)
    records = json.loads(path.read_text(encoding="utf-8"))
    events = json.loads(path.with_name("corpus.events.json").read_text(encoding="utf-8"))
    return Corpus(path, records, events, summary)
