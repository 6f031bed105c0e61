"""Who appears in the corpus: the team, the robot, and the reporters.

Team members comment with ``authorAssociation`` MEMBER; the lifecycle robot is
a plain account (NONE) so that "what the team did" is never confused with what
the stale bot did. Reporter logins are invented from syllables; ids are
derived from the login so the same person always has the same id.
"""

from __future__ import annotations

import base64
import hashlib
import random
from dataclasses import dataclass
from datetime import datetime

from triagedesk.demo.clock import parse_day


@dataclass(frozen=True, slots=True)
class Person:
    login: str
    name: str
    association: str = "NONE"
    is_bot: bool = False

    @property
    def numeric_id(self) -> int:
        return numeric_id(self.login)

    @property
    def node_id(self) -> str:
        return node_id("U_kgDO", self.numeric_id)


def numeric_id(login: str) -> int:
    digest = hashlib.blake2b(login.encode(), digest_size=6).digest()
    return 1_000_000 + int.from_bytes(digest, "big") % 180_000_000


def node_id(prefix: str, number: int) -> str:
    raw = number.to_bytes(8, "big").lstrip(b"\0") or b"\0"
    return prefix + base64.b64encode(raw).decode().rstrip("=").replace("+", "-").replace("/", "_")


# (login, display name, first day on the rotation, last day) — the team changes over time
_TEAM_ROWS = (
    ("mvelasco-dd", "Marta Velasco", "2019-01-01", "2099-01-01"),
    ("ksato", "Kenji Sato", "2019-01-01", "2025-09-30"),
    ("dlindqvist", "Dag Lindqvist", "2019-01-01", "2099-01-01"),
    ("ahernandez-docker", "Ana Hernandez", "2020-06-01", "2099-01-01"),
    ("jbrennan", "Jo Brennan", "2019-01-01", "2026-02-28"),
    ("pnowak-dd", "Piotr Nowak", "2025-03-01", "2099-01-01"),
    ("tgrant", "Tess Grant", "2021-01-01", "2099-01-01"),
    ("ooyelaran", "Ola Oyelaran", "2025-10-01", "2099-01-01"),
)

TEAM: tuple[Person, ...] = tuple(Person(r[0], r[1], "MEMBER") for r in _TEAM_ROWS)
TEAM_LOGINS: frozenset[str] = frozenset(p.login for p in TEAM)
_SPANS = tuple((parse_day(r[2]), parse_day(r[3])) for r in _TEAM_ROWS)

#: applies lifecycle/stale, closes stale issues, locks old ones
ROBOT = Person("docker-robot", "", "NONE")


def team_on(at: datetime, rng: random.Random) -> Person:
    """A team member who was on the team at ``at``."""
    active = [p for p, (a, b) in zip(TEAM, _SPANS, strict=True) if a <= at < b]
    return rng.choice(active or list(TEAM))


_FIRST = (
    "alex", "sam", "chen", "li", "maria", "juan", "yuki", "arjun", "priya", "omar", "lena",
    "tom", "nina", "ivan", "sara", "mehmet", "kofi", "anna", "lucas", "emma", "noah",
    "fatima", "diego", "hana", "raj", "olga", "pablo", "zoe", "ali", "mia", "ben", "wei",
    "jonas", "eva", "marco", "sofia", "kim", "luis", "amir", "ella", "felix", "ines",
)  # fmt: skip
_LAST = (
    "smith", "wang", "garcia", "mueller", "rossi", "kowalski", "nguyen", "tanaka", "silva",
    "khan", "ivanov", "dubois", "berg", "patel", "costa", "jansen", "novak", "lopez",
    "schmidt", "ahmed", "park", "moreau", "fischer", "ortiz", "yilmaz", "hansen", "reyes",
)  # fmt: skip
_WORDS = (
    "dev", "code", "byte", "cloud", "pixel", "stack", "node", "rust", "go", "data", "ops",
    "shell", "kernel", "null", "async", "lambda", "vector", "delta", "nova", "orbit", "quantum",
    "matrix", "ninja", "coder", "hacker", "builder", "maker", "tinker", "owl", "fox", "panda",
)  # fmt: skip


def reporter(rng: random.Random) -> Person:
    """A new reporter with an invented login and (often) a display name."""
    first, last = rng.choice(_FIRST), rng.choice(_LAST)
    style = rng.random()
    if style < 0.25:
        login = f"{first}{last}"
    elif style < 0.45:
        login = f"{first}-{last}"
    elif style < 0.6:
        login = f"{first[0]}{last}{rng.randint(1, 99)}"
    elif style < 0.8:
        login = f"{rng.choice(_WORDS)}{rng.choice(_WORDS)}{rng.randint(0, 9999)}"
    else:
        login = f"{first}{rng.randint(70, 2010)}"
    if rng.random() < 0.15:
        login = login.capitalize()
    name = "" if rng.random() < 0.35 else f"{first.capitalize()} {last.capitalize()}"
    association = "CONTRIBUTOR" if rng.random() < 0.04 else "NONE"
    return Person(login, name, association)


def regulars(seed: int, count: int) -> tuple[Person, ...]:
    """People who file several issues over the years (the same pool for a seed)."""
    rng = random.Random(f"regulars:{seed}")
    return tuple(reporter(rng) for _ in range(max(count, 1)))
