"""Patterns and trends: new issues per area week over week, spikes, surges, major occurrences.

Pure: the caller passes the weeks (from :mod:`triagedesk.domain.periods`), the
issues' areas (labels normalised through the area aliases) and, for "does this
spike follow a release", the product version each new issue reports and the
time each version was first seen.

A *spike* is a week whose count is unusual against the trailing weeks: the
Poisson upper tail P(X ≥ x | λ) is below ``alpha``, where λ is the trailing
mean (at least ``min_rate``), and x is at least ``min_count``. The robust
z-score (x − median) / (1.4826 · MAD) is reported beside it for people.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from triagedesk.domain.facts import IssueFacts
from triagedesk.domain.periods import Period


def normalise_area(label: str, area_of: Mapping[str, str]) -> str | None:
    """The canonical area label for ``label`` (or its alias), None for a non-area label."""
    return area_of.get(label.lower())


def areas_of(f: IssueFacts, area_of: Mapping[str, str]) -> set[str]:
    out: set[str] = set()
    for lab in f.labels:
        area = area_of.get(lab.lower())
        if area:
            out.add(area)
    return out


def poisson_sf(x: int, lam: float) -> float:
    """P(X ≥ x) for X ~ Poisson(λ)."""
    if x <= 0:
        return 1.0
    term = math.exp(-lam)
    cdf = term
    for k in range(1, x):
        term *= lam / k
        cdf += term
    return max(0.0, 1.0 - cdf)


def robust_z(x: float, trailing: Sequence[float]) -> float | None:
    if not trailing:
        return None
    xs = sorted(trailing)
    med = _median(xs)
    mad = _median(sorted(abs(v - med) for v in xs))
    scale = 1.4826 * mad
    if scale == 0:
        # a flat history: fall back on the Poisson spread of its median
        scale = math.sqrt(max(med, 1.0))
    return round((x - med) / scale, 2)


def _median(xs: Sequence[float]) -> float:
    n = len(xs)
    if n == 0:
        return 0.0
    mid = n // 2
    return float(xs[mid]) if n % 2 else (xs[mid - 1] + xs[mid]) / 2


@dataclass(frozen=True, slots=True)
class SpikeTest:
    count: int
    baseline: float
    p_value: float
    z: float | None
    spike: bool


def spike_test(
    count: int,
    trailing: Sequence[int],
    *,
    alpha: float = 0.01,
    min_count: int = 5,
    min_rate: float = 0.5,
) -> SpikeTest:
    lam = max(sum(trailing) / len(trailing), min_rate) if trailing else min_rate
    p = poisson_sf(count, lam)
    return SpikeTest(
        count=count,
        baseline=round(lam, 3),
        p_value=round(p, 6),
        z=robust_z(count, [float(t) for t in trailing]),
        spike=bool(trailing) and count >= min_count and p < alpha,
    )


@dataclass(frozen=True, slots=True)
class AreaTrend:
    area: str
    #: counts of new issues per week, oldest first; the last one is the report's period
    weekly: tuple[int, ...]
    this_week: int
    last_week: int
    week_over_week: int
    #: least-squares slope over the last four weeks, issues per week
    slope_4w: float
    last_4w: int
    previous_4w: int
    spike: SpikeTest
    #: when the spike follows a release: the version most of the week's issues report
    release: str | None = None
    release_share: float | None = None

    def as_dict(self) -> dict[str, object]:
        return {
            "area": self.area,
            "weekly": list(self.weekly),
            "this_week": self.this_week,
            "last_week": self.last_week,
            "week_over_week": self.week_over_week,
            "slope_4w": self.slope_4w,
            "last_4w": self.last_4w,
            "previous_4w": self.previous_4w,
            "spike": self.spike.spike,
            "spike_p_value": self.spike.p_value,
            "spike_z": self.spike.z,
            "baseline": self.spike.baseline,
            "release": self.release,
            "release_share": self.release_share,
        }


def slope(ys: Sequence[int]) -> float:
    n = len(ys)
    if n < 2:
        return 0.0
    mx = (n - 1) / 2
    my = sum(ys) / n
    num = sum((i - mx) * (y - my) for i, y in enumerate(ys))
    den = sum((i - mx) ** 2 for i in range(n))
    return round(num / den, 3)


class _Buckets:
    """Which of consecutive periods holds an instant, by binary search over their starts."""

    def __init__(self, periods: Sequence[Period]) -> None:
        self.periods = periods
        self.starts = [p.start for p in periods]

    def index(self, t: datetime) -> int | None:
        from bisect import bisect_right

        i = bisect_right(self.starts, t) - 1
        if i >= 0 and t < self.periods[i].end:
            return i
        return None


def follows_release(
    issues: Sequence[IssueFacts],
    period: Period,
    versions: Mapping[str, str],
    first_seen: Mapping[str, datetime],
    *,
    window: timedelta = timedelta(days=14),
    min_share: float = 0.3,
) -> tuple[str | None, float | None]:
    """The version a spike follows: the most reported version among ``issues`` that was
    first seen at most ``window`` before the period ended, if at least ``min_share`` report it."""
    counts = Counter(versions[f.key] for f in issues if f.key in versions)
    if not counts or not issues:
        return None, None
    for version, n in counts.most_common():
        seen = first_seen.get(version)
        if seen is None or seen < period.start - window or seen >= period.end:
            continue
        share = n / len(issues)
        if share >= min_share:
            return version, round(share, 3)
    return None, None


def area_trends(
    facts: Sequence[IssueFacts],
    weeks: Sequence[Period],
    area_of: Mapping[str, str],
    *,
    versions: Mapping[str, str] | None = None,
    first_seen: Mapping[str, datetime] | None = None,
    alpha: float = 0.01,
    min_count: int = 5,
    groups_of: Callable[[IssueFacts], Iterable[str]] | None = None,
) -> list[AreaTrend]:
    """Per-area counts of new issues over ``weeks`` (the last is the report's period).

    ``groups_of`` puts issues in other groups than their areas (e.g. their repository).
    """
    if not weeks:
        return []
    n = len(weeks)
    counts: dict[str, list[int]] = {}
    this_week: dict[str, list[IssueFacts]] = {}
    first, last = weeks[0].start, weeks[-1].end
    buckets = _Buckets(weeks)
    for f in facts:
        if not (first <= f.created_at < last):
            continue
        areas = groups_of(f) if groups_of is not None else areas_of(f, area_of)
        if not areas:
            continue
        i = buckets.index(f.created_at)
        if i is None:
            continue
        for area in areas:
            counts.setdefault(area, [0] * n)[i] += 1
            if i == n - 1:
                this_week.setdefault(area, []).append(f)
    out: list[AreaTrend] = []
    for area, ws in counts.items():
        test = spike_test(ws[-1], ws[:-1], alpha=alpha, min_count=min_count)
        release: tuple[str | None, float | None] = (None, None)
        if test.spike and versions is not None and first_seen is not None:
            release = follows_release(this_week.get(area, []), weeks[-1], versions, first_seen)
        out.append(
            AreaTrend(
                area=area,
                weekly=tuple(ws),
                this_week=ws[-1],
                last_week=ws[-2] if n > 1 else 0,
                week_over_week=ws[-1] - (ws[-2] if n > 1 else 0),
                slope_4w=slope(ws[-4:]),
                last_4w=sum(ws[-4:]),
                previous_4w=sum(ws[-8:-4]),
                spike=test,
                release=release[0],
                release_share=release[1],
            )
        )
    out.sort(key=lambda t: (-t.this_week, -t.last_4w, t.area))
    return out


@dataclass(frozen=True, slots=True)
class Surge:
    """A day of the period with unusually many new issues against the trailing days."""

    day: str
    repo: str
    count: int
    baseline: float
    p_value: float

    def as_dict(self) -> dict[str, object]:
        return {
            "day": self.day,
            "repo": self.repo,
            "count": self.count,
            "baseline": self.baseline,
            "p_value": self.p_value,
        }


def surges(
    facts: Iterable[IssueFacts],
    days: Sequence[Period],
    trailing_days: int,
    *,
    alpha: float = 0.001,
    min_count: int = 5,
) -> list[Surge]:
    """Daily spikes of new issues per repository (and ``all``) in the last
    ``len(days) - trailing_days`` days, each against the ``trailing_days`` before it."""
    repos: dict[str, list[int]] = {}
    n = len(days)
    total = [0] * n
    if not days:
        return []
    buckets = _Buckets(days)
    first, last = days[0].start, days[-1].end
    for f in facts:
        if not (first <= f.created_at < last):
            continue
        i = buckets.index(f.created_at)
        if i is None:
            continue
        repos.setdefault(f.repo, [0] * n)[i] += 1
        total[i] += 1
    out: list[Surge] = []
    for repo, ws in [*sorted(repos.items()), ("all", total)]:
        for i in range(trailing_days, n):
            t = spike_test(ws[i], ws[i - trailing_days : i], alpha=alpha, min_count=min_count)
            if t.spike:
                out.append(Surge(days[i].label, repo, ws[i], t.baseline, t.p_value))
    return out


@dataclass(frozen=True, slots=True)
class Occurrence:
    repo: str
    number: int
    title: str
    value: int

    def as_dict(self) -> dict[str, object]:
        return {"repo": self.repo, "number": self.number, "title": self.title, "value": self.value}


def top(facts: Iterable[IssueFacts], values: Mapping[str, int], limit: int = 5) -> list[Occurrence]:
    """The ``limit`` issues with the largest positive ``values[key]`` (ties: repo, number)."""
    rows = [
        Occurrence(f.repo, f.number, f.title, values[f.key])
        for f in facts
        if values.get(f.key, 0) > 0
    ]
    rows.sort(key=lambda o: (-o.value, o.repo, o.number))
    return rows[:limit]


def top_keys(
    values: Mapping[str, int], titles: Mapping[str, str], limit: int = 5
) -> list[Occurrence]:
    """Like :func:`top` for issues known only by key (``owner/name#N``) and title."""
    rows: list[Occurrence] = []
    for key, value in values.items():
        repo, _, number = key.rpartition("#")
        if value > 0 and repo and number.isdigit():
            rows.append(Occurrence(repo, int(number), titles.get(key, ""), value))
    rows.sort(key=lambda o: (-o.value, o.repo, o.number))
    return rows[:limit]


@dataclass(frozen=True, slots=True)
class Cluster:
    """Similar new issues of the period not linked as duplicates."""

    issues: tuple[str, ...]
    terms: tuple[str, ...]

    def as_dict(self) -> dict[str, object]:
        return {"issues": list(self.issues), "terms": list(self.terms)}


_STOP_TEXT = (
    "a an and are as at be but by can cannot docker desktop does doesnt dont error for from "
    "has have how i in is it its my no not of on or that the this to up when with after "
    "issue problem using use work working works wont will fails failed failing"
)
_STOP = frozenset(_STOP_TEXT.split(" "))


def _tokens(title: str) -> set[str]:
    import re

    return {w for w in re.findall(r"[a-z0-9][a-z0-9.+-]{2,}", title.lower()) if w not in _STOP}


def title_clusters(
    issues: Sequence[IssueFacts], *, threshold: float = 0.5, min_size: int = 2
) -> list[Cluster]:
    """Clusters by title-word Jaccard similarity (single link): the fallback when the
    duplicate index is absent."""
    toks = [_tokens(f.title) for f in issues]
    parent = list(range(len(issues)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    index: dict[str, list[int]] = {}
    for i, ts in enumerate(toks):
        for t in ts:
            index.setdefault(t, []).append(i)
    for i, ts in enumerate(toks):
        seen: set[int] = set()
        for t in ts:
            for j in index[t]:
                if j <= i or j in seen:
                    continue
                seen.add(j)
                union = len(ts | toks[j])
                if union and len(ts & toks[j]) / union >= threshold:
                    parent[find(j)] = find(i)
    groups: dict[int, list[int]] = {}
    for i in range(len(issues)):
        groups.setdefault(find(i), []).append(i)
    out: list[Cluster] = []
    for members in groups.values():
        if len(members) < min_size:
            continue
        common = set.intersection(*(toks[i] for i in members))
        out.append(
            Cluster(
                issues=tuple(sorted(issues[i].key for i in members)),
                terms=tuple(sorted(common))[:6],
            )
        )
    out.sort(key=lambda c: (-len(c.issues), c.issues))
    return out
