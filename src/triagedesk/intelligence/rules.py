"""Label rules: configured keywords and regexes, failing diagnose components, the tracker
an issue was filed in, the environment the reporter described and the kind of report
(bug, feature, docs, question) its wording shows.

Each hit names its source (``keyword``, ``regex``, ``component``, ``repo``,
``environment``, ``kind``) so training can measure how often that source was right for
that label in the repository's history; that measured precision is the hit's
confidence.

The team applies some families rarely (a platform label on a few percent of issues), so
"how often was the label there when the rule fired" is low even for a rule that is
never wrong about the platform. :func:`when_labelled` measures every rule source a
second way: only on issues the team gave *some* label of that family. That figure
answers "when the team labels the platform, is it this one?" and is what an
evidence-based suggestion shows; it never decides an automatic label.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from triagedesk.domain.evidence.kind import find_kind
from triagedesk.intelligence.aliases import LabelNormaliser
from triagedesk.intelligence.signatures import Signature
from triagedesk.settings import Settings

_REPO_PLATFORM = {
    "mac": "platform/macos",
    "macos": "platform/macos",
    "windows": "platform/windows",
    "win": "platform/windows",
    "linux": "platform/linux",
}


@dataclass(frozen=True, slots=True)
class Hit:
    label: str
    source: str
    detail: str

    @property
    def key(self) -> str:
        return f"{self.label}|{self.source}"


_OS_PLATFORM = {"macos": "platform/macos", "windows": "platform/windows", "linux": "platform/linux"}
_BACKEND_AREA = {
    "wsl2": "area/wsl2",
    "hyper-v": "area/hyper-v",
    "windows-containers": "area/windows-containers",
}


class RuleEngine:
    def __init__(self, settings: Settings, normaliser: LabelNormaliser) -> None:
        self._keyword: list[tuple[str, re.Pattern[str], bool]] = []
        self._regex: list[tuple[str, re.Pattern[str], bool]] = []
        for rule in settings.intelligence.rules:
            label = normaliser.canonical(rule.label)
            if rule.keywords:
                alt = "|".join(re.escape(k.lower()) for k in rule.keywords)
                rx = re.compile(rf"(?<![\w-])(?:{alt})(?![\w-])", re.IGNORECASE)
                self._keyword.append((label, rx, rule.title_only))
            for pattern in rule.regex:
                self._regex.append((label, re.compile(pattern, re.IGNORECASE), rule.title_only))
        self._components = {
            k.lower(): normaliser.canonical(v)
            for k, v in settings.intelligence.component_areas.items()
        }
        self._areas = {a.label: a.label for a in settings.profile.areas}
        self._kinds = {
            k: normaliser.canonical(f"kind/{k}") for k in ("bug", "feature", "docs", "question")
        }
        self._repo_platform: dict[str, str] = {}
        for repo in settings.profile.public_repos:
            plat = _REPO_PLATFORM.get(repo.platform.lower())
            if plat:
                self._repo_platform[repo.name.lower()] = plat

    def hits(
        self,
        title: str,
        body: str,
        repo: str,
        sig: Signature,
        known_labels: Iterable[str] = (),
    ) -> list[Hit]:
        out: list[Hit] = []
        text = f"{title}\n{body}"
        for label, rx, title_only in self._keyword:
            m = rx.search(title if title_only else text)
            if m:
                out.append(Hit(label, "keyword", f"mentions {m.group(0).lower()!r}"))
        for label, rx, title_only in self._regex:
            m = rx.search(title if title_only else text)
            if m:
                out.append(Hit(label, "regex", f"matches {rx.pattern!r}"))
        for comp in sorted(sig.components):
            for needle, label in self._components.items():
                if needle in comp:
                    out.append(Hit(label, "component", f"diagnose: {comp} failing"))
                    break
        plat = self._repo_platform.get(repo.lower())
        if plat:
            out.append(Hit(plat, "repo", f"filed in {repo}"))
        env_platform = _OS_PLATFORM.get(sig.os or "")
        if env_platform:
            out.append(Hit(env_platform, "environment", f"reported OS {sig.os}"))
        backend_area = self._areas.get(_BACKEND_AREA.get(sig.backend or "", ""))
        if backend_area:
            out.append(Hit(backend_area, "environment", f"backend {sig.backend}"))
        if sig.emulation and "area/emulation" in self._areas:
            out.append(Hit("area/emulation", "environment", f"emulation {sig.emulation}"))
        known = {k.lower() for k in known_labels}
        for v in sorted(sig.versions)[:1]:
            label = version_label(v, known)
            out.append(Hit(label, "environment", f"reported version {v}"))
        kind = find_kind(title, body)
        kind_label = self._kinds.get(kind.kind)
        if kind_label:
            out.append(Hit(kind_label, "kind", f"reads as a {kind.kind} ({kind.evidence[:60]})"))
        return out


#: rule sources also measured "when labelled": facts read off the issue (where it was
#: filed, what it reports, what kind of report it is) and the configured rules
EVIDENCE_SOURCES = frozenset({"repo", "environment", "kind", "component", "keyword", "regex"})


def family_of(label: str) -> str:
    """``platform/windows`` -> ``platform/``; a bare label is its own family."""
    head, sep, _ = label.partition("/")
    return f"{head}/" if sep else label


def evidence_key(hit: Hit) -> str:
    """The measuring key of an evidence hit; version hits pool across versions (each
    version is rare, the extractor reading it is the same)."""
    if hit.label.startswith("version/"):
        return f"version/*|{hit.source}"
    return hit.key


def when_labelled(
    hits: Sequence[Sequence[Hit]], truth: Sequence[set[str]]
) -> dict[str, tuple[float, int]]:
    """Per evidence key: (Laplace-smoothed precision, issues measured on), counting only the
    issues whose labels include some label of the hit's family."""
    fired: Counter[str] = Counter()
    right: Counter[str] = Counter()
    for issue_hits, labels in zip(hits, truth, strict=True):
        families = {family_of(lab) for lab in labels}
        seen = {
            (evidence_key(h), h.label)
            for h in issue_hits
            if h.source in EVIDENCE_SOURCES and family_of(h.label) in families
        }
        for key, label in seen:
            fired[key] += 1
            right[key] += int(label in labels)
    return {k: ((right[k] + 1.0) / (fired[k] + 2.0), fired[k]) for k in fired}


def labelled_confidence(
    hits: Sequence[Hit], table: dict[str, tuple[float, int]]
) -> dict[str, tuple[float, int, list[str]]]:
    """label -> (best when-labelled precision of its evidence hits, issues behind it, why)."""
    out: dict[str, tuple[float, int, list[str]]] = {}
    for h in hits:
        row = table.get(evidence_key(h)) if h.source in EVIDENCE_SOURCES else None
        if row is None:
            continue
        prec, n = row
        why = f"{h.source}: {h.detail}"
        prev = out.get(h.label)
        if prev is None or prec > prev[0]:
            out[h.label] = (prec, n, [why, *(prev[2] if prev else [])])
        else:
            prev[2].append(why)
    return out


def version_label(version: str, known: set[str]) -> str:
    """``version/<v>`` in the spelling history used (full, or major.minor), else the full one."""
    parts = version.split(".")
    for cand in (version, ".".join(parts[:3]), ".".join(parts[:2])):
        label = f"version/{cand}"
        if label in known:
            return label
    return f"version/{version}"
