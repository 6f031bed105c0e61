"""A realistic, deterministic demo corpus of Docker Desktop issues.

Pure standard library, seeded ``random.Random`` only, no clock: the same
``(issues, seed, end)`` always gives the same bytes. The output is the JSON
``gh issue list --json …`` prints, plus a sidecar of REST issue events that
carries the label history gh leaves out. The team's judgement (asked for more
information, acknowledged, closed as duplicate …) is expressed only through
that history, like on a real tracker.
"""

from __future__ import annotations

from triagedesk.demo.corpus import CorpusSummary, generate
from triagedesk.demo.writer import events_path_for, write_corpus

__all__ = ["CorpusSummary", "events_path_for", "generate", "write_corpus"]
