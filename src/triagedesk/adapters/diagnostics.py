"""The diagnostics bucket on S3 (boto3), safe unpacking of bundles and the signature scan.

Key layout comes from ``diagnostics.key_template`` (``{uuid}``, ``{timestamp}``,
``{shard}``; every configured shard is tried). With only a UUID, the prefix up
to ``{timestamp}`` is listed and the newest object wins. botocore errors become
:class:`ExternalServiceError` here: a bucket that cannot be asked is "could not
verify", never "missing".

Unpacking and the signature scan live in :mod:`triagedesk.adapters.bundles`.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import Any

from triagedesk.adapters.bundles import safe_member_path, safe_name, scan, unpack
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


__all__ = ["S3DiagnosticsBucket", "fetch", "parse_id", "safe_member_path", "scan", "unpack"]


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
        target = dest / safe_name(name)
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

    def scan_bundle(self, key: str) -> tuple[SignatureHit, ...]:
        with tempfile.TemporaryDirectory(prefix="triagedesk-bundle-") as tmp:
            archive = self.download(key, Path(tmp) / "download")
            unpacked = unpack(archive, Path(tmp) / "bundle", self.settings, key=key)
            archive.unlink(missing_ok=True)
            return scan(unpacked, self.settings)


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
    folder = dest / safe_name(f"{uuid}_{timestamp or PurePosixPath(info.key).stem}")
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
