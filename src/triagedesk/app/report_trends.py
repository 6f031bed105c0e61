"""The report's patterns and trends: spikes and the releases they follow, clusters of
similar new issues, and the issues that gained the most duplicates.

Each optional collaborator (environment extraction, duplicate index, duplicate
history) is imported where it is used; without it the report says which simpler
method it used instead.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from triagedesk.domain.facts import IssueFacts
from triagedesk.domain.periods import Period
from triagedesk.domain.trends import AreaTrend, Occurrence, area_trends, title_clusters, top_keys
from triagedesk.ports.reports import ReportInputs, ReportSource
from triagedesk.settings import Settings

#: a spike follows a release when at least this share of its new issues report the version
RELEASE_MIN_SHARE = 0.3


def clusters(inputs: ReportInputs, new: list[IssueFacts], index_max: int) -> dict[str, Any]:
    """Similar new issues not yet linked: through the duplicate index when it is there and
    the week is not too large for it (one search per new issue), else by title words."""
    unlinked = [f for f in new if f.key not in inputs.linked]
    try:
        from triagedesk.intelligence.duplicates import DuplicateIndex, IndexedIssue
    except ImportError:  # the duplicate index is optional
        found = title_clusters(unlinked)
        return {"method": "title-words", "items": [c.as_dict() for c in found]}
    if len(unlinked) > index_max:
        found = title_clusters(unlinked)
        return {
            "method": f"title-words (more than {index_max} new issues)",
            "items": [c.as_dict() for c in found],
        }
    index = DuplicateIndex()
    for f in unlinked:
        text = inputs.bodies.get(f.key, f.title)
        title, _, body = text.partition("\n\n")
        index.add(IndexedIssue(ref=f.key, title=title, body=body, created_at=f.created_at))
    parent = {f.key: f.key for f in unlinked}

    def find(k: str) -> str:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    for f in unlinked:
        text = inputs.bodies.get(f.key, f.title)
        title, _, body = text.partition("\n\n")
        for cand in index.search(title, body, k=5, exclude=f.key, with_evidence=False):
            if cand.verdict == "duplicate":
                parent[find(cand.ref)] = find(f.key)
    groups: dict[str, list[str]] = {}
    for k in parent:
        groups.setdefault(find(k), []).append(k)
    titles = {f.key: f.title for f in unlinked}
    items = [
        {"issues": sorted(members), "titles": [titles[m] for m in sorted(members)]}
        for members in groups.values()
        if len(members) > 1
    ]
    items.sort(key=lambda c: (-len(c["issues"]), c["issues"]))
    return {"method": "duplicate-index", "items": items}


def _versions(
    source: ReportSource,
    inputs: ReportInputs,
    groups: Sequence[set[str]],
    repos: Sequence[str],
) -> tuple[dict[str, str], dict[str, datetime]]:
    """Product versions the new issues of each spike report, and when the versions that
    could be the release a spike follows were first seen."""
    keys = set().union(*groups) if groups else set()
    if not keys:
        return {}, {}
    try:
        from triagedesk.domain.evidence.environment import find_environment
    except ImportError:  # the environment extraction is optional
        return {}, {}
    versions: dict[str, str] = {}
    for key in keys:
        try:
            env = find_environment(inputs.bodies.get(key, ""))
        except Exception:  # noqa: S112 - one text the extractor trips on must not sink the report
            continue
        if env.product_version is not None:
            versions[key] = env.product_version.value
    # only a version enough of a spike's issues report can be the release it follows
    candidates: set[str] = set()
    for group in groups:
        counts = Counter(versions[k] for k in group if k in versions)
        candidates |= {v for v, n in counts.items() if n >= RELEASE_MIN_SHARE * len(group)}
    if not candidates:
        return versions, {}
    return versions, source.version_first_seen(sorted(candidates), repos)


def trends_with_releases(
    source: ReportSource,
    inputs: ReportInputs,
    settings: Settings,
    windows: Sequence[Period],
    repos: Sequence[str],
    area_of: Mapping[str, str],
) -> tuple[list[AreaTrend], list[AreaTrend]]:
    """New issues per area and per repository (and all) over ``windows``; for each spike,
    the release it follows, if any."""
    rs = settings.report
    facts = inputs.facts
    period = windows[-1]
    new = [f for f in facts if f.created_at >= period.start]

    def by_repo(f: IssueFacts) -> tuple[str, str]:
        return (f.repo, "all")

    def run(
        groups_of: Callable[[IssueFacts], Iterable[str]] | None,
        versions: dict[str, str] | None = None,
        first_seen: dict[str, datetime] | None = None,
    ) -> list[AreaTrend]:
        return area_trends(
            facts,
            windows,
            area_of,
            versions=versions,
            first_seen=first_seen,
            alpha=rs.spike_alpha,
            min_count=rs.spike_min_count,
            groups_of=groups_of,
        )

    areas, per_repo = run(None), run(by_repo)
    spiking_areas = sorted(t.area for t in areas if t.spike.spike)
    spiking_repos = sorted(t.area for t in per_repo if t.spike.spike)
    if not spiking_areas and not spiking_repos:
        return areas, _repo_order(per_repo, repos)
    groups = [
        {f.key for f in new if any(area_of.get(lab.lower()) == area for lab in f.labels)}
        for area in spiking_areas
    ] + [{f.key for f in new if name in ("all", f.repo)} for name in spiking_repos]
    versions, first_seen = _versions(source, inputs, groups, repos)
    if spiking_areas:
        areas = run(None, versions, first_seen)
    if spiking_repos:
        per_repo = run(by_repo, versions, first_seen)
    return areas, _repo_order(per_repo, repos)


def _repo_order(trends: list[AreaTrend], repos: Sequence[str]) -> list[AreaTrend]:
    order = {name: i for i, name in enumerate([*repos, "all"])}
    return sorted(trends, key=lambda t: order.get(t.area, len(order)))


def top_duplicates(
    source: ReportSource, inputs: ReportInputs, settings: Settings
) -> list[Occurrence]:
    """The issues that gained the most duplicates in the period. The duplicate history
    (events, then team comments such as "Closing as dupe of #N") names each target."""
    counts = dict(inputs.new_duplicates)
    try:
        from triagedesk.intelligence.history import duplicate_mark
    except ImportError:  # the duplicate history is optional: events only
        pass
    else:
        counts = {}
        for issue in inputs.duplicate_issues:
            mark = duplicate_mark(issue, settings.profile.team)
            if mark is not None and mark.target is not None:
                key = str(mark.target)
                counts[key] = counts.get(key, 0) + 1
    best = top_keys(counts, {}, settings.report.top_n)
    titles = source.titles([f"{o.repo}#{o.number}" for o in best]) if best else {}
    return [
        Occurrence(o.repo, o.number, titles.get(f"{o.repo}#{o.number}", ""), o.value) for o in best
    ]
