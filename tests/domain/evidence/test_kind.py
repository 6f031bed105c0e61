from __future__ import annotations

import pytest

from triagedesk.domain.evidence.kind import find_kind


@pytest.mark.parametrize(
    ("title", "body", "labels", "kind"),
    [
        ("Docker fails to start after update", "", (), "bug"),
        ("[Feature Request] allow changing the VM disk location", "", (), "feature"),
        ("Feature request: GPU support", "", (), "feature"),
        ("Please add an option to disable the tray icon", "", (), "feature"),
        ("It would be nice to pause containers", "", (), "feature"),
        ("Docs: wrong path for the settings file", "", (), "docs"),
        ("Typo in the troubleshooting page", "", (), "docs"),
        ("How do I change the subnet?", "", (), "question"),
        ("Question: is Kubernetes 1.28 supported", "", (), "question"),
        ("Volumes", "I'd like to request a way to set mount options", (), "feature"),
        ("Page", "Page URL: https://docs.docker.com/desktop/mac/ says 4GB", (), "docs"),
        ("Slow mounts", "", ("kind/enhancement",), "feature"),
        ("Option to pick the VM size", "", ("kind/bug",), "bug"),
        ("Why does the engine stop?", "", (), "bug"),
    ],
)
def test_kind(title: str, body: str, labels: tuple[str, ...], kind: str) -> None:
    found = find_kind(title, body, labels)
    assert found.kind == kind
    assert found.needs_diagnostics is (kind == "bug")
    assert found.evidence
