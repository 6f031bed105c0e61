"""Safe unpacking of diagnostics bundles and the scan for known failure signatures.

Unpacking never trusts the archive: absolute paths, ``..`` and drive letters
are refused, links and devices are skipped (nothing can point outside the
folder), and the entry count, the total unpacked size and each entry's
compression ratio are capped while the bytes are actually read.
"""

from __future__ import annotations

import re
import shutil
import stat
import tarfile
import zipfile
from pathlib import Path, PurePosixPath
from typing import IO

from triagedesk.domain.errors import InputError
from triagedesk.ports.diagnostics import SignatureHit, UnpackedBundle
from triagedesk.settings.quality import DiagnosticsSettings

CHUNK = 1024 * 1024


def safe_name(name: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9._-]", "_", name)[:200].lstrip(".")
    return cleaned or "bundle"


def safe_member_path(name: str) -> PurePosixPath | None:
    """The relative path an archive entry may be written to, or None when it would escape."""
    name = name.replace("\\", "/")
    if not name or "\x00" in name:
        return None
    if name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        return None
    parts = [p for p in PurePosixPath(name).parts if p not in ("", ".")]
    if not parts or any(p == ".." or re.match(r"^[A-Za-z]:", p) for p in parts):
        return None
    return PurePosixPath(*parts)


class _Budget:
    def __init__(self, settings: DiagnosticsSettings) -> None:
        self.settings = settings
        self.total = 0

    def copy(self, src: IO[bytes], dest: Path, declared: int, compressed: int, name: str) -> int:
        """Copy with the running total and the entry's ratio checked on the real bytes."""
        s = self.settings
        ratio_limit = max(compressed, 1) * s.max_ratio
        written = 0
        with dest.open("wb") as out:
            while chunk := src.read(CHUNK):
                written += len(chunk)
                self.total += len(chunk)
                if self.total > s.max_unpacked_bytes:
                    raise InputError(f"bundle unpacks to more than {s.max_unpacked_bytes} bytes")
                if compressed and written > ratio_limit:
                    raise InputError(
                        f"{name}: compression ratio over {s.max_ratio:g} (a zip bomb?)"
                    )
                out.write(chunk)
        return written


def unpack(
    archive: Path, folder: Path, settings: DiagnosticsSettings, key: str = ""
) -> UnpackedBundle:
    """Unpack a .zip or .tar(.gz) bundle into ``folder`` within the configured limits.

    Refused entries are listed in ``skipped``; a limit that is exceeded stops the
    unpacking with :class:`InputError` and removes what was written."""
    folder.mkdir(parents=True, exist_ok=True)
    root = folder.resolve()
    try:
        if zipfile.is_zipfile(archive):
            files, skipped, total = _unzip(archive, root, settings)
        elif tarfile.is_tarfile(archive):
            files, skipped, total = _untar(archive, root, settings)
        else:
            raise InputError(f"{archive.name}: not a zip or tar archive")
    except InputError:
        shutil.rmtree(root, ignore_errors=True)
        raise
    except (zipfile.BadZipFile, tarfile.TarError, EOFError, OSError) as exc:
        shutil.rmtree(root, ignore_errors=True)
        raise InputError(f"{archive.name}: damaged archive: {exc}") from None
    return UnpackedBundle(
        key=key or archive.name,
        folder=root,
        files=tuple(sorted(files)),
        total_bytes=total,
        skipped=tuple(skipped),
    )


def _target(root: Path, rel: PurePosixPath) -> Path:
    target = (root / Path(*rel.parts)).resolve()
    if root != target and root not in target.parents:
        raise InputError(f"{rel}: would be written outside the folder")
    return target


def _unzip(
    archive: Path, root: Path, settings: DiagnosticsSettings
) -> tuple[list[str], list[str], int]:
    files: list[str] = []
    skipped: list[str] = []
    budget = _Budget(settings)
    with zipfile.ZipFile(archive) as zf:
        infos = zf.infolist()
        if len(infos) > settings.max_files:
            raise InputError(
                f"bundle holds {len(infos)} entries, over the {settings.max_files} limit"
            )
        for info in infos:
            rel = safe_member_path(info.filename)
            mode = (info.external_attr >> 16) & 0xFFFF
            if rel is None:
                skipped.append(f"{info.filename}: path leaves the folder")
                continue
            if stat.S_ISLNK(mode):
                skipped.append(f"{info.filename}: link, not extracted")
                continue
            if info.is_dir():
                _target(root, rel).mkdir(parents=True, exist_ok=True)
                continue
            if mode and not stat.S_ISREG(mode) and stat.S_IFMT(mode):
                skipped.append(f"{info.filename}: not a regular file")
                continue
            if info.compress_size and info.file_size / info.compress_size > settings.max_ratio:
                raise InputError(
                    f"{info.filename}: compression ratio over {settings.max_ratio:g} (a zip bomb?)"
                )
            target = _target(root, rel)
            target.parent.mkdir(parents=True, exist_ok=True)
            with zf.open(info) as src:
                budget.copy(src, target, info.file_size, info.compress_size, info.filename)
            files.append(str(rel))
    return files, skipped, budget.total


def _untar(
    archive: Path, root: Path, settings: DiagnosticsSettings
) -> tuple[list[str], list[str], int]:
    files: list[str] = []
    skipped: list[str] = []
    budget = _Budget(settings)
    compressed = archive.stat().st_size
    with tarfile.open(archive) as tf:
        count = 0
        for member in tf:
            count += 1
            if count > settings.max_files:
                raise InputError(f"bundle holds more than {settings.max_files} entries")
            rel = safe_member_path(member.name)
            if rel is None:
                skipped.append(f"{member.name}: path leaves the folder")
                continue
            if member.issym() or member.islnk():
                skipped.append(f"{member.name}: link, not extracted")
                continue
            if member.isdir():
                _target(root, rel).mkdir(parents=True, exist_ok=True)
                continue
            if not member.isfile():
                skipped.append(f"{member.name}: not a regular file")
                continue
            src = tf.extractfile(member)
            if src is None:
                continue
            target = _target(root, rel)
            target.parent.mkdir(parents=True, exist_ok=True)
            # a tar's entries share one compressed stream: the ratio is checked on the whole archive
            with src:
                budget.copy(src, target, member.size, 0, member.name)
            if budget.total > compressed * settings.max_ratio:
                raise InputError(
                    f"{archive.name}: compression ratio over {settings.max_ratio:g} (a zip bomb?)"
                )
            files.append(str(rel))
    return files, skipped, budget.total


# -- signatures ----------------------------------------------------------------------------------


def scan(
    bundle: UnpackedBundle, settings: DiagnosticsSettings, per_signature: int = 3
) -> tuple[SignatureHit, ...]:
    """Configured failure signatures found in the bundle's files (each file read up to a cap)."""
    compiled = [(re.compile(s.pattern, re.MULTILINE), s) for s in settings.signatures]
    counts = [0] * len(compiled)
    hits: list[SignatureHit] = []
    for rel in bundle.files:
        path = bundle.folder / rel
        try:
            with path.open("rb") as fh:
                raw = fh.read(settings.scan_max_bytes)
        except OSError:
            continue
        if b"\x00" in raw[:1024]:
            continue  # binary
        text = raw.decode("utf-8", errors="replace")
        for i, (regex, spec) in enumerate(compiled):
            if counts[i] >= per_signature:
                continue
            m = regex.search(text)
            if m is None:
                continue
            start = text.rfind("\n", 0, m.start()) + 1
            end = text.find("\n", m.end())
            line = text[start : end if end >= 0 else len(text)].strip()
            hits.append(SignatureHit(area=spec.area, hint=spec.hint, path=rel, line=line[:300]))
            counts[i] += 1
    return tuple(hits)
