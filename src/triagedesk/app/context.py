"""Everything a use case needs, built by the composition roots (cli, web) and passed down.

Features add their port here as an optional field; a use case that needs a
port that is None raises a clear error instead of guessing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from triagedesk.ports.actions import ActionLog
from triagedesk.ports.intelligence import IntelligenceStore
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
