"""Streaming output: the gh JSON array and its ``.events.json`` sidecar, one record at a time.

Each record is encoded on its own (``json.dumps`` uses the C encoder; ``json.dump``
on a file would not), so 100k issues never sit in memory as one string. Both
files are written under temporary names and renamed at the end, so a failed run
never leaves a half-written corpus where a good one was.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from triagedesk.demo.clock import DEFAULT_END
from triagedesk.demo.corpus import CorpusSummary, generate


def events_path_for(path: Path) -> Path:
    """``X.json`` -> ``X.events.json`` (the sidecar the importer looks for)."""
    if path.suffix == ".json":
        return path.with_name(path.name[: -len(".json")] + ".events.json")
    return path.with_name(path.name + ".events.json")


def write_corpus(
    path: Path,
    issues: int,
    seed: int,
    end: datetime = DEFAULT_END,
    progress: Callable[[int], None] | None = None,
) -> CorpusSummary:
    """Write the corpus to ``path`` and its events sidecar; return what was written."""
    path = Path(path)
    events_path = events_path_for(path)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp_events = events_path.with_name(f".{events_path.name}.tmp")
    summary = CorpusSummary()
    try:
        with (
            tmp.open("w", encoding="utf-8", newline="\n") as out,
            tmp_events.open("w", encoding="utf-8", newline="\n") as ev_out,
        ):
            out.write("[")
            ev_out.write("[")
            first, first_event = True, True
            for record, events in generate(issues, seed, end, summary):
                out.write("\n" if first else ",\n")
                out.write(json.dumps(record, ensure_ascii=False))
                first = False
                for event in events:
                    ev_out.write("\n" if first_event else ",\n")
                    ev_out.write(json.dumps(event, ensure_ascii=False))
                    first_event = False
                if progress is not None:
                    progress(1)
            out.write("\n]\n")
            ev_out.write("\n]\n")
        os.replace(tmp, path)
        os.replace(tmp_events, events_path)
    finally:
        for leftover in (tmp, tmp_events):
            if leftover.exists():
                leftover.unlink()
    return summary
