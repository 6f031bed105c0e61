"""Label colours, descriptions and ids as GitHub would return them for the corpus."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from typing import Any

from triagedesk.demo.people import node_id
from triagedesk.domain.workflow import DESCRIPTIONS, Status

_STATUS_COLOURS = {
    "status/0-triage": "ededed",
    "status/0-wont-fix": "b60205",
    "status/0-more-info-needed": "fbca04",
    "status/1-acknowledged": "0e8a16",
    "status/2-in-progress": "1d76db",
    "status/3-fixed": "5319e7",
    "status/4-fix-released-beta": "c2e0c6",
    "status/4-fix-released-stable": "0b6623",
}
_OTHER = {
    "status/triage": ("ededed", "Needs triage"),
    "needs-triage": ("ededed", ""),
    "status/acknowledged": ("0e8a16", ""),
    "status/needs-information": ("fbca04", "More information is needed from the reporter"),
    "status/duplicate": ("cfd3d7", "Duplicate of another issue"),
    "duplicate": ("cfd3d7", "This issue or pull request already exists"),
    "lifecycle/stale": ("795548", ""),
    "lifecycle/frozen": ("d3e2f0", ""),
    "lifecycle/locked": ("000000", ""),
    "bug": ("d73a4a", "Something isn't working"),
    "kind/bug": ("d73a4a", ""),
    "kind/regression": ("e11d21", ""),
    "kind/feature": ("a2eeef", ""),
    "kind/enhancement": ("a2eeef", ""),
    "enhancement": ("a2eeef", "New feature or request"),
    "feature": ("a2eeef", ""),
    "kind/docs": ("0075ca", ""),
    "docs": ("0075ca", ""),
}
_STATUS_DESCRIPTIONS = {s.value: DESCRIPTIONS[s] for s in Status}


@lru_cache(maxsize=4096)
def _meta(name: str) -> tuple[str, str]:
    if name in _STATUS_COLOURS:
        return _STATUS_COLOURS[name], _STATUS_DESCRIPTIONS.get(name, "")
    if name in _OTHER:
        return _OTHER[name]
    if name.startswith("version/"):
        return "bfd4f2", ""
    if name.startswith("platform/"):
        return "5319e7", ""
    return "c5def5", ""  # area labels and their aliases


@lru_cache(maxsize=8192)
def _label_id(repo: str, name: str) -> str:
    n = int.from_bytes(hashlib.blake2b(f"{repo}:{name}".encode(), digest_size=5).digest(), "big")
    return node_id("LA_kwDOA", n)


def label_json(repo: str, name: str) -> dict[str, Any]:
    """``{id, name, description, color}`` as ``gh --json labels`` prints it."""
    color, description = _meta(name)
    return {"color": color, "description": description, "id": _label_id(repo, name), "name": name}
