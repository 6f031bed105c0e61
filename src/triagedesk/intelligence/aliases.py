"""One name per label: case, aliases and renames across the years folded together.

History labels the same thing many ways (``network``, ``area/network``,
``Kube``, ``osx/10.12.x``, ``bug``). Training and evaluation see the canonical
name only, built from ``profile.areas[].aliases``, ``profile.status_aliases``
and ``intelligence.label_renames``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from triagedesk.settings import Settings


@dataclass(frozen=True)
class LabelNormaliser:
    exact: dict[str, str]
    prefixes: tuple[tuple[str, str], ...]
    families: tuple[str, ...]

    @classmethod
    def from_settings(cls, settings: Settings) -> LabelNormaliser:
        exact: dict[str, str] = {}
        prefixes: list[tuple[str, str]] = []
        for old, new in settings.intelligence.label_renames.items():
            key = old.strip().lower()
            if key.endswith("*"):
                prefixes.append((key[:-1], new))
            else:
                exact[key] = new
        for area in settings.profile.areas:
            exact[area.label.lower()] = area.label
            for alias in area.aliases:
                exact[alias.strip().lower()] = area.label
        for alias, status in settings.profile.status_aliases.items():
            exact[alias.strip().lower()] = status
        for spec in settings.profile.status_labels:
            exact[spec.name.lower()] = spec.name
        fams = tuple(f.lower() for f in settings.intelligence.label_families)
        # longest prefix first so "osx/10.12" wins over "osx"
        prefixes.sort(key=lambda p: -len(p[0]))
        return cls(exact=exact, prefixes=tuple(prefixes), families=fams)

    def canonical(self, label: str) -> str:
        """The canonical name of ``label`` (lower-cased when nothing maps it)."""
        key = " ".join(label.strip().lower().split())
        hit = self.exact.get(key)
        if hit is not None:
            return hit
        for prefix, new in self.prefixes:
            if key.startswith(prefix):
                return new
        if key.startswith("area/"):
            # "area/Network" or "area/networking " that only differs by case or spacing
            hit = self.exact.get(key[5:])
            if hit is not None:
                return hit
        return key

    def family(self, label: str) -> str | None:
        low = label.lower()
        for fam in self.families:
            if low.startswith(fam):
                return fam
        return None

    def in_family(self, label: str) -> str | None:
        """The canonical label if it belongs to a suggested family, else None."""
        canon = self.canonical(label)
        return canon if self.family(canon) is not None else None

    def normalise(self, labels: Iterable[str]) -> set[str]:
        """The canonical family labels among ``labels``."""
        out: set[str] = set()
        for lab in labels:
            c = self.in_family(lab)
            if c is not None:
                out.add(c)
        return out
