"""Label rules: configured keywords and regexes, failing diagnose components, the tracker
an issue was filed in, and the environment the reporter described.

Each hit names its source (``keyword``, ``regex``, ``component``, ``repo``,
``environment``) so training can measure how often that source was right for
that label in the repository's history; that measured precision is the hit's
confidence.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

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
        return out


def version_label(version: str, known: set[str]) -> str:
    """``version/<v>`` in the spelling history used (full, or major.minor), else the full one."""
    parts = version.split(".")
    for cand in (version, ".".join(parts[:3]), ".".join(parts[:2])):
        label = f"version/{cand}"
        if label in known:
            return label
    return f"version/{version}"
