"""Label aliases, case and renames fold into one canonical name."""

from __future__ import annotations

import pytest

from triagedesk.intelligence.aliases import LabelNormaliser
from triagedesk.settings import Settings

NORM = LabelNormaliser.from_settings(Settings())


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("network", "area/networking"),
        ("area/network", "area/networking"),
        ("Area/Network", "area/networking"),
        ("Kube", "area/kubernetes"),
        ("kube", "area/kubernetes"),
        ("WSL2", "area/wsl2"),
        ("VirtioFS", "area/filesharing"),
        ("Daemon/engine", "area/startup"),
        ("bug", "kind/bug"),
        ("Enhancement", "kind/enhancement"),
        ("osx/10.12.x", "platform/macos"),
        ("windows 10", "platform/windows"),
        ("needs-triage", "status/0-triage"),
        ("version/4.41.2", "version/4.41.2"),
        ("lifecycle/stale", "lifecycle/stale"),
    ],
)
def test_canonical(raw: str, canonical: str) -> None:
    assert NORM.canonical(raw) == canonical


def test_only_families_are_kept() -> None:
    assert NORM.normalise(["network", "lifecycle/stale", "needs-triage", "bug", "version/4.1"]) == {
        "area/networking",
        "kind/bug",
        "version/4.1",
    }
