"""The diagnostics bucket: find an uploaded bundle, download and unpack it safely, scan it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Protocol


@dataclass(frozen=True, slots=True)
class BundleInfo:
    key: str
    size: int
    uploaded_at: datetime


@dataclass(frozen=True, slots=True)
class SignatureHit:
    """A configured failure signature found in a bundle's log."""

    area: str
    hint: str
    path: str  # the file inside the bundle
    line: str  # the matching line (clipped)


@dataclass(frozen=True, slots=True)
class UnpackedBundle:
    key: str
    folder: Path
    files: tuple[str, ...]  # paths relative to folder
    total_bytes: int
    skipped: tuple[str, ...] = ()  # entries refused (links, traversal, devices), with the reason
    hits: tuple[SignatureHit, ...] = field(default=())


class DiagnosticsBucket(Protocol):
    def find_bundle(self, uuid: str, timestamp: str | None) -> BundleInfo | None:
        """The bundle for ``uuid/timestamp`` (the newest for a bare ``uuid``), or None.

        Raises ``ExternalServiceError`` when the bucket is unreachable or denies access:
        the checklist then says "could not verify", never "missing".
        """
        ...

    def download(self, key: str, dest: Path) -> Path:
        """Download ``key`` into the folder ``dest``; returns the file written."""
        ...

    def scan_bundle(self, key: str) -> tuple[SignatureHit, ...]:
        """Download and unpack ``key`` in a temporary folder, return the known failures found
        in its logs, remove everything. ``InputError`` for a bundle refused as unsafe."""
        ...
