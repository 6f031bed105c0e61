"""The corpus skeleton: when each issue is filed, where, about what, and which ones are duplicates.

Planning is one cheap pass over N small records (enough for 100k issues):
creation times over the window, repository and number, kind, problem,
"outbreaks" (a regression that hits many users for a few weeks: its first
report is the root, later reports are members the team may close as
duplicates of it), duplicate targets (root, a same-repo copy, a dupe of a dupe,
across repos), wrong numbers, and "same as #N" mentions. Rendering each issue
then only needs its own record and the few it points at.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from triagedesk.demo.problems_engine import ENGINE
from triagedesk.demo.problems_usage import USAGE
from triagedesk.demo.topics import Problem, requests_of

PROBLEMS: tuple[Problem, ...] = ENGINE + USAGE
REPOS = ("docker/for-mac", "docker/for-win")
PLATFORM = {"docker/for-mac": "mac", "docker/for-win": "win"}
_FIRST_NUMBER = {"docker/for-mac": 7310, "docker/for-win": 14260}
_KINDS = ("bug", "feature", "question", "docs")
_KIND_WEIGHTS = (0.82, 0.08, 0.06, 0.04)
_HOURS = (2, 1, 1, 1, 1, 2, 4, 6, 9, 11, 12, 11, 10, 10, 11, 12, 12, 11, 9, 7, 6, 5, 4, 3)

#: share of bug reports that belong to an active outbreak, and how often the team closes a member
OUTBREAK_SHARE = 0.26
DUP_CLOSE = 0.22
#: share of background bug reports filed in the other platform's tracker
MISFILED = 0.025


@dataclass(slots=True)
class Outbreak:
    oid: int
    problem: int
    platforms: str
    start: datetime
    end: datetime
    weight: float
    members: list[int] = field(default_factory=list)


@dataclass(slots=True)
class Planned:
    idx: int
    repo: str
    number: int
    created: datetime
    kind: str
    problem: int = -1  # index into PROBLEMS (bugs)
    request: int = -1  # index into requests_of(kind)
    outbreak: int = -1
    dup_of: int = -1  # idx of the issue the team closes this one in favour of
    dup_external: str = ""  # a target outside the corpus (the public roadmap)
    wrong_number: int = 0  # the number first written by mistake, then corrected
    mention: int = -1  # idx of an earlier issue the reporter calls "same as"/"similar to"
    misfiled: bool = False  # about the other platform: filed in the wrong tracker

    @property
    def reported_platform(self) -> str:
        """The platform the report is really about."""
        if self.misfiled:
            return "mac" if self.repo == "docker/for-win" else "win"
        return PLATFORM[self.repo]

    @property
    def platform(self) -> str:
        return PLATFORM[self.repo]


@dataclass(slots=True)
class Plan:
    issues: list[Planned]
    outbreaks: list[Outbreak]
    start: datetime
    end: datetime
    #: per-outbreak values shared by its reports, filled on first use
    shared: dict[int, tuple[dict[str, str], tuple[str, ...], tuple[str, ...]]] = field(
        default_factory=dict
    )

    def ref(self, target: int, from_repo: str, rng: random.Random) -> str:
        """How the team writes a reference to issue ``target`` from an issue in ``from_repo``."""
        t = self.issues[target]
        if t.repo != from_repo:
            return rng.choice(
                (f"{t.repo}#{t.number}", f"https://github.com/{t.repo}/issues/{t.number}")
            )
        return (
            f"#{t.number}"
            if rng.random() < 0.8
            else f"https://github.com/{t.repo}/issues/{t.number}"
        )


def _times(rng: random.Random, n: int, start: datetime, span_days: int) -> list[datetime]:
    day_weights = []
    for d in range(span_days):
        wd = (start + timedelta(days=d)).weekday()
        seasonal = 1.0 + 0.15 * math.sin(2 * math.pi * d / 365.0)
        day_weights.append((0.55 if wd >= 5 else 1.0) * seasonal)
    picked_days = rng.choices(range(span_days), weights=day_weights, k=n)
    picked_hours = rng.choices(range(24), weights=_HOURS, k=n)
    out = [
        start + timedelta(days=d, hours=h, minutes=rng.randrange(60), seconds=rng.randrange(60))
        for d, h in zip(picked_days, picked_hours, strict=True)
    ]
    out.sort()
    return out


def _outbreaks(rng: random.Random, n: int, start: datetime, span_days: int) -> list[Outbreak]:
    count = max(4, round(n / 42))
    weights = [p.weight for p in PROBLEMS]
    out = []
    for oid in range(count):
        pi = rng.choices(range(len(PROBLEMS)), weights=weights)[0]
        p = PROBLEMS[pi]
        plats = p.platforms
        if plats == "both" and rng.random() < 0.45:
            plats = "win" if rng.random() < 0.6 else "mac"
        begin = start + timedelta(days=rng.uniform(0, span_days - 7))
        length = timedelta(days=min(200.0, rng.lognormvariate(3.8, 0.6)))
        weight = min(40.0, rng.paretovariate(1.2))
        out.append(Outbreak(oid, pi, plats, begin, begin + length, weight))
    out.sort(key=lambda o: o.start)
    for i, o in enumerate(out):
        o.oid = i
    return out


def make_plan(n: int, seed: int, end: datetime, span_days: int = 730) -> Plan:
    rng = random.Random(f"plan:{seed}")
    start = end - timedelta(days=span_days)
    times = _times(rng, n, start, span_days)
    outbreaks = _outbreaks(rng, n, start, span_days)
    next_number = dict(_FIRST_NUMBER)
    issues: list[Planned] = []
    active: list[Outbreak] = []
    pending = list(outbreaks)
    pending.reverse()
    by_problem: dict[int, list[int]] = {}
    by_request: dict[tuple[str, int], list[int]] = {}
    candidates = {
        plat: (
            [i for i, pr in enumerate(PROBLEMS) if pr.on(plat)],
            [pr.weight for pr in PROBLEMS if pr.on(plat)],
        )
        for plat in ("mac", "win")
    }
    for idx, at in enumerate(times):
        repo = "docker/for-win" if rng.random() < 0.6 else "docker/for-mac"
        number = next_number[repo]
        next_number[repo] += 1 + (rng.randint(1, 3) if rng.random() < 0.06 else 0)
        kind = rng.choices(_KINDS, weights=_KIND_WEIGHTS)[0]
        p = Planned(idx, repo, number, at, kind)
        issues.append(p)
        while pending and pending[-1].start <= at:
            active.append(pending.pop())
        active = [o for o in active if o.end >= at]
        if kind != "bug":
            p.request = rng.randrange(len(requests_of(kind)))
            _request_dup(rng, p, by_request.setdefault((kind, p.request), []))
            continue
        plat = p.platform
        here = [o for o in active if o.platforms in (plat, "both")]
        if here and rng.random() < OUTBREAK_SHARE:
            o = rng.choices(here, weights=[x.weight for x in here])[0]
            p.problem, p.outbreak = o.problem, o.oid
            _member(rng, p, o, issues)
            o.members.append(idx)
        else:
            if rng.random() < MISFILED:
                p.misfiled = True
                plat = p.reported_platform
            pool, pool_w = candidates[plat]
            p.problem = rng.choices(pool, weights=pool_w)[0]
            _background(rng, p, by_problem.get(p.problem, []), issues)
        by_problem.setdefault(p.problem, []).append(idx)
    return Plan(issues, outbreaks, start, end)


def _member(rng: random.Random, p: Planned, o: Outbreak, issues: list[Planned]) -> None:
    if not o.members:
        return  # the root
    root = o.members[0]
    if rng.random() >= DUP_CLOSE:
        if rng.random() < 0.15:
            p.mention = root
        return
    target = root
    if issues[root].repo != p.repo and rng.random() < 0.5:
        same = [m for m in o.members if issues[m].repo == p.repo]
        if same:
            target = same[0]
    if rng.random() < 0.12:
        dupes = [m for m in o.members if issues[m].dup_of >= 0]
        if dupes:
            target = rng.choice(dupes)  # a dupe of a dupe
    p.dup_of = target
    if rng.random() < 0.06:
        p.wrong_number = max(1, issues[target].number + rng.choice((-11, -2, -1, 1, 3, 10, 100)))


def _background(
    rng: random.Random, p: Planned, same_problem: list[int], issues: list[Planned]
) -> None:
    """Unrelated reports of a known problem: now and then noticed as a dupe, or called "similar"."""
    if not same_problem:
        return
    recent = [i for i in same_problem[-30:] if issues[i].created > p.created - timedelta(days=120)]
    r = rng.random()
    if recent and r < 0.015:
        p.dup_of = rng.choice(recent)
    elif r < 0.08:
        p.mention = rng.choice(same_problem[-50:])


def _request_dup(rng: random.Random, p: Planned, earlier: list[int]) -> None:
    if p.kind == "feature" and rng.random() < 0.04:
        p.dup_external = f"https://github.com/docker/roadmap/issues/{rng.randint(20, 780)}"
    elif earlier and rng.random() < 0.06:
        p.dup_of = earlier[-1] if rng.random() < 0.7 else rng.choice(earlier)
    earlier.append(p.idx)
