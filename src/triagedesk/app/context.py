"""Everything a use case needs, built by the composition roots (cli, web) and passed down.

Features add their port here as an optional field; a use case that needs a
port that is None raises a clear error instead of guessing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from triagedesk.ports.actions import ActionLog
from triagedesk.ports.diagnostics import DiagnosticsBucket
from triagedesk.ports.intelligence import IntelligenceStore
from triagedesk.ports.quality import ChecklistStore
from triagedesk.ports.repro import ReproValidator
from triagedesk.ports.store import IssueStore
from triagedesk.ports.tracker import Tracker
from triagedesk.settings import Settings


@dataclass
class AppContext:
    settings: Settings
    issues: IssueStore
    #: the clock; tests pass a fixed one
    now: Callable[[], datetime]
    #: where decided actions are recorded (planned in shadow mode, applied otherwise)
    actions: ActionLog | None = None
    #: the tracker writes go to; None means shadow mode everywhere
    tracker: Tracker | None = None
    #: the persisted label model, duplicate index and feedback (categorise)
    intelligence: IntelligenceStore | None = None
    #: checklists with history, people's reproductions, bundle lookups (quality)
    checklists: ChecklistStore | None = None
    #: the diagnostics bucket; None: bundles are not looked up ("could not verify")
    diagnostics: DiagnosticsBucket | None = None
    #: static checks of reproductions (bash -n, Dockerfile, Compose); None: pure checks only
    repro_validator: ReproValidator | None = None
