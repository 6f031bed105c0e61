"""The diagnostics bucket on S3 (boto3), safe unpacking of bundles and the signature scan.

Key layout comes from ``diagnostics.key_template`` (``{uuid}``, ``{timestamp}``,
``{shard}``; every configured shard is tried). With only a UUID, the prefix up
to ``{timestamp}`` is listed and the newest object wins. botocore errors become
:class:`ExternalServiceError` here: a bucket that cannot be asked is "could not
verify", never "missing".

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
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import IO, Any

from triagedesk.domain.errors import ExternalServiceError, InputError, NotFoundError
from triagedesk.domain.evidence.diagnostics import find_diagnostics
from triagedesk.ports.diagnostics import BundleInfo, SignatureHit, UnpackedBundle
from triagedesk.settings.quality import DiagnosticsSettings

CHUNK = 1024 * 1024
_MISSING_CODES = {"404", "NoSuchKey", "NotFound"}
_DENIED_CODES = {
    "403",
    "AccessDenied",
    "InvalidAccessKeyId",
    "SignatureDoesNotMatch",
    "AllAccessDisabled",
}


class S3DiagnosticsBucket:
    """:class:`~triagedesk.ports.diagnostics.DiagnosticsBucket` on S3 or an S3-compatible server."""

    def __init__(
        self,
        settings: DiagnosticsSettings,
        *,
        access_key: str | None = None,
        secret_key: str | None = None,
        client: Any = None,
    ) -> None:
        self.settings = settings
        self._access_key = access_key
        self._secret_key = secret_key
        self._client = client

    def client(self) -> Any:
        if self._client is None:
            import boto3
            from botocore.config import Config

            s = self.settings
            self._client = boto3.client(
                "s3",
                region_name=s.region,
                endpoint_url=s.endpoint_url or None,
                aws_access_key_id=self._access_key,
                aws_secret_access_key=self._secret_key,
                config=Config(
                    connect_timeout=s.connect_timeout,
                    read_timeout=s.read_timeout,
                    retries={"max_attempts": s.retries + 1, "mode": "standard"},
                ),
            )
        return self._client

    # -- lookups -------------------------------------------------------------------------------

    def _shards(self) -> list[str]:
        return list(self.settings.shards) if "{shard}" in self.settings.key_template else [""]

    def _key(self, uuid: str, timestamp: str, shard: str) -> str:
        return self.settings.key_template.format(uuid=uuid, timestamp=timestamp, shard=shard)

    def _prefix(self, uuid: str, shard: str) -> str:
        head = self.settings.key_template.split("{timestamp}", 1)[0]
        return head.format(uuid=uuid, shard=shard)

    def find_bundle(self, uuid: str, timestamp: str | None) -> BundleInfo | None:
        uuids = list(dict.fromkeys([uuid.upper(), uuid.lower()]))
        with _translated(f"looking up bundle {uuid}"):
            for shard in self._shards():
                for u in uuids:
                    found = (
                        self._head(self._key(u, timestamp, shard))
                        if timestamp
                        else self._newest(self._prefix(u, shard))
                    )
                    if found is not None:
                        return found
        return None

    def _head(self, key: str) -> BundleInfo | None:
        from botocore.exceptions import ClientError

        try:
            resp = self.client().head_object(Bucket=self.settings.bucket, Key=key)
        except ClientError as exc:
            if _code(exc) in _MISSING_CODES:
                return None
            raise
        return BundleInfo(
            key=key, size=int(resp["ContentLength"]), uploaded_at=resp["LastModified"]
        )

    def _newest(self, prefix: str) -> BundleInfo | None:
        best: BundleInfo | None = None
        paginator = self.client().get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.settings.bucket, Prefix=prefix):
            for obj in page.get("Contents", []):
                info = BundleInfo(
                    key=obj["Key"], size=int(obj["Size"]), uploaded_at=obj["LastModified"]
                )
                if best is None or (info.uploaded_at, info.key) > (best.uploaded_at, best.key):
                    best = info
        return best

    # -- download ------------------------------------------------------------------------------

    def download(self, key: str, dest: Path) -> Path:
        dest.mkdir(parents=True, exist_ok=True)
        name = PurePosixPath(key).name or "bundle"
        target = dest / _safe_name(name)
        limit = self.settings.max_bundle_bytes
        with _translated(f"downloading {key}"):
            resp = self.client().get_object(Bucket=self.settings.bucket, Key=key)
            declared = int(resp.get("ContentLength") or 0)
            if declared > limit:
                raise InputError(f"{key}: bundle is {declared} bytes, over the {limit}-byte limit")
            written = 0
            body = resp["Body"]
            try:
                with target.open("wb") as out:
                    while chunk := body.read(CHUNK):
                        written += len(chunk)
                        if written > limit:
                            raise InputError(f"{key}: bundle is over the {limit}-byte limit")
                        out.write(chunk)
            except BaseException:
                target.unlink(missing_ok=True)
                raise
            finally:
                body.close()
        return target


def _code(exc: Any) -> str:
    return str(getattr(exc, "response", {}).get("Error", {}).get("Code", ""))


@contextmanager
def _translated(what: str) -> Iterator[None]:
    """botocore's errors as the project's: unreachable or denied -> ExternalServiceError."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        yield
    except ClientError as exc:
        code = _code(exc)
        if code in _MISSING_CODES:
            raise NotFoundError(f"{what}: not in the bucket") from None
        if code in _DENIED_CODES:
            raise ExternalServiceError(f"{what}: access denied by the bucket ({code})") from None
        if code == "NoSuchBucket":
            raise ExternalServiceError(f"{what}: the bucket does not exist") from None
        raise ExternalServiceError(f"{what}: S3 said {code or exc}") from None
    except BotoCoreError as exc:
        raise ExternalServiceError(f"{what}: S3 unreachable: {exc}") from None


# -- safe unpacking ------------------------------------------------------------------------------


def _safe_name(name: str) -> str:
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


def parse_id(text: str) -> tuple[str, str | None]:
    """``UUID`` or ``UUID/timestamp`` (any shape the checklist knows) from user input."""
    ev = find_diagnostics(f"Diagnostics ID: {text.strip()}")
    if not ev.ids:
        raise InputError(f"not a Diagnostics ID: {text!r} (want UUID or UUID/YYYYMMDDhhmmss)")
    first = ev.ids[0]
    return first.uuid, first.timestamp


def fetch(
    bucket: S3DiagnosticsBucket, id_text: str, dest: Path
) -> tuple[BundleInfo, UnpackedBundle]:
    """Find, download, unpack and scan the bundle of a Diagnostics ID into ``dest``."""
    uuid, timestamp = parse_id(id_text)
    info = bucket.find_bundle(uuid, timestamp)
    if info is None:
        raise NotFoundError(
            f"no bundle for {uuid}{'/' + timestamp if timestamp else ''} in the bucket"
        )
    archive = bucket.download(info.key, dest / ".download")
    folder = dest / _safe_name(f"{uuid}_{timestamp or PurePosixPath(info.key).stem}")
    try:
        unpacked = unpack(archive, folder, bucket.settings, key=info.key)
    finally:
        archive.unlink(missing_ok=True)
        shutil.rmtree(dest / ".download", ignore_errors=True)
    hits = scan(unpacked, bucket.settings)
    return info, UnpackedBundle(
        key=unpacked.key,
        folder=unpacked.folder,
        files=unpacked.files,
        total_bytes=unpacked.total_bytes,
        skipped=unpacked.skipped,
        hits=hits,
    )
