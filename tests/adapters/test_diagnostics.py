from __future__ import annotations

import io
import tarfile
import time
import zipfile
from pathlib import Path
from typing import Any

import moto.settings
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from support.s3 import ACCESS_KEY, SECRET_KEY, S3Bucket, closed_port_url, s3_bucket, s3_endpoint
from triagedesk.adapters.diagnostics import (
    S3DiagnosticsBucket,
    fetch,
    parse_id,
    safe_member_path,
    scan,
    unpack,
)
from triagedesk.domain.errors import ExternalServiceError, InputError, NotFoundError
from triagedesk.settings.quality import DiagnosticsSettings

__all__ = ["s3_bucket", "s3_endpoint"]

G = "5C0B4E1A-93D2-4F6B-A8E7-2D1C0F9B3A64"
TS = "20210506123456"


def settings_for(bucket: S3Bucket, **kw: Any) -> DiagnosticsSettings:
    return DiagnosticsSettings(
        bucket=bucket.name,
        endpoint_url=bucket.endpoint,
        shards=["0", "1", "2", "3"],
        retries=0,
        connect_timeout=2,
        read_timeout=5,
        **kw,
    )


def make_bucket(s: DiagnosticsSettings) -> S3DiagnosticsBucket:
    return S3DiagnosticsBucket(s, access_key=ACCESS_KEY, secret_key=SECRET_KEY)


def put(bucket: S3Bucket, key: str, data: bytes) -> None:
    bucket.client().put_object(Bucket=bucket.name, Key=key, Body=data)  # type: ignore[attr-defined]


def zip_bytes(entries: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return buf.getvalue()


def test_finds_a_bundle_in_any_shard(s3_bucket: S3Bucket) -> None:
    put(s3_bucket, f"incoming/3/{G}/{TS}.zip", b"x" * 123)
    found = make_bucket(settings_for(s3_bucket)).find_bundle(G, TS)
    assert found is not None
    assert (found.key, found.size) == (f"incoming/3/{G}/{TS}.zip", 123)
    assert found.uploaded_at.tzinfo is not None


def test_a_bare_uuid_takes_the_newest(s3_bucket: S3Bucket) -> None:
    put(s3_bucket, f"incoming/1/{G}/20200101000000.zip", b"old")
    time.sleep(1.1)  # LastModified has one-second resolution
    put(s3_bucket, f"incoming/1/{G}/20210101000000.zip", b"newer")
    found = make_bucket(settings_for(s3_bucket)).find_bundle(G, None)
    assert found is not None and found.key.endswith("20210101000000.zip")


def test_lower_case_keys_and_custom_templates(s3_bucket: S3Bucket) -> None:
    put(s3_bucket, f"{G.lower()}/{TS}.zip", b"abc")
    s = settings_for(s3_bucket, key_template="{uuid}/{timestamp}.zip")
    found = make_bucket(s).find_bundle(G, TS)
    assert found is not None and found.size == 3


def test_missing_bundle_is_none(s3_bucket: S3Bucket) -> None:
    b = make_bucket(settings_for(s3_bucket))
    assert b.find_bundle(G, TS) is None
    assert b.find_bundle(G, None) is None


def test_unreachable_endpoint_is_an_external_error() -> None:
    s = DiagnosticsSettings(
        bucket="b", endpoint_url=closed_port_url(), retries=0, connect_timeout=1, read_timeout=1
    )
    with pytest.raises(ExternalServiceError, match="unreachable"):
        make_bucket(s).find_bundle(G, TS)


def test_access_denied_is_an_external_error(
    s3_bucket: S3Bucket, monkeypatch: pytest.MonkeyPatch
) -> None:
    put(s3_bucket, f"incoming/0/{G}/{TS}.zip", b"x")
    # moto checks credentials once this count is reached: unknown keys are refused
    monkeypatch.setattr(moto.settings, "INITIAL_NO_AUTH_ACTION_COUNT", 0)
    with pytest.raises(ExternalServiceError, match=r"denied|S3 said"):
        make_bucket(settings_for(s3_bucket)).find_bundle(G, TS)


def test_no_such_bucket(s3_bucket: S3Bucket) -> None:
    s = settings_for(s3_bucket).model_copy(update={"bucket": "no-such-bucket-here"})
    with pytest.raises(ExternalServiceError):
        make_bucket(s).find_bundle(G, None)


def test_fetch_downloads_unpacks_and_scans(s3_bucket: S3Bucket, tmp_path: Path) -> None:
    bundle = zip_bytes(
        {
            "logs/vm/dockerd.log": b"ok\nlisten tcp 0.0.0.0:80: bind: address already in use\n",
            "logs/host/install.log": b"all fine\n",
            "diagnose.txt": b"[FAIL] DD0004: is the Docker engine running?\n",
        }
    )
    put(s3_bucket, f"incoming/2/{G}/{TS}.zip", bundle)
    info, unpacked = fetch(make_bucket(settings_for(s3_bucket)), f"{G}/{TS}", tmp_path)
    assert info.size == len(bundle)
    assert unpacked.files == ("diagnose.txt", "logs/host/install.log", "logs/vm/dockerd.log")
    assert (unpacked.folder / "logs/vm/dockerd.log").read_bytes().startswith(b"ok")
    assert [(h.area, h.path) for h in unpacked.hits] == [("area/networking", "logs/vm/dockerd.log")]
    assert "bind: address already in use" in unpacked.hits[0].line
    assert not (tmp_path / ".download").exists()


def test_fetch_of_an_unknown_id(s3_bucket: S3Bucket, tmp_path: Path) -> None:
    with pytest.raises(NotFoundError):
        fetch(make_bucket(settings_for(s3_bucket)), G, tmp_path)


def test_download_refuses_an_oversized_bundle(s3_bucket: S3Bucket, tmp_path: Path) -> None:
    put(s3_bucket, "big.zip", b"x" * 5000)
    b = make_bucket(settings_for(s3_bucket, max_bundle_bytes=1000))
    with pytest.raises(InputError, match="limit"):
        b.download("big.zip", tmp_path)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("logs/a.log", "logs/a.log"),
        ("./logs//a.log", "logs/a.log"),
        ("../evil", None),
        ("logs/../../evil", None),
        ("/etc/passwd", None),
        ("C:\\Windows\\x", None),
        ("logs\\..\\..\\x", None),
        ("", None),
        ("a\x00b", None),
    ],
)
def test_safe_member_paths(name: str, safe: str | None) -> None:
    got = safe_member_path(name)
    assert (str(got) if got is not None else None) == safe


def test_zip_traversal_and_links_are_skipped(tmp_path: Path) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("ok.log", b"fine")
        zf.writestr("../escape.txt", b"bad")
        zf.writestr("/abs.txt", b"bad")
        link = zipfile.ZipInfo("link-to-etc")
        link.external_attr = 0o120777 << 16
        zf.writestr(link, "/etc/passwd")
    archive = tmp_path / "b.zip"
    archive.write_bytes(buf.getvalue())
    out = unpack(archive, tmp_path / "out", DiagnosticsSettings())
    assert out.files == ("ok.log",)
    assert len(out.skipped) == 3
    assert not (tmp_path / "escape.txt").exists()
    assert not (tmp_path / "out" / "link-to-etc").exists()


def test_zip_bomb_is_refused_and_nothing_is_left(tmp_path: Path) -> None:
    archive = tmp_path / "bomb.zip"
    archive.write_bytes(zip_bytes({"zeros.log": b"\0" * 5_000_000}))
    with pytest.raises(InputError, match="ratio"):
        unpack(archive, tmp_path / "out", DiagnosticsSettings(max_ratio=50))
    assert not (tmp_path / "out").exists()


def test_limits_on_count_and_total_size(tmp_path: Path) -> None:
    archive = tmp_path / "many.zip"
    archive.write_bytes(zip_bytes({f"f{i}.log": b"x" for i in range(20)}))
    with pytest.raises(InputError, match="entries"):
        unpack(archive, tmp_path / "a", DiagnosticsSettings(max_files=10))
    archive.write_bytes(zip_bytes({f"f{i}.log": bytes(range(256)) * 40 for i in range(5)}))
    with pytest.raises(InputError, match="more than"):
        unpack(archive, tmp_path / "b", DiagnosticsSettings(max_unpacked_bytes=20_000))


def _tar(tmp_path: Path, members: list[tuple[tarfile.TarInfo, bytes | None]]) -> Path:
    path = tmp_path / "bundle.tar.gz"
    with tarfile.open(path, "w:gz") as tf:
        for info, data in members:
            tf.addfile(info, io.BytesIO(data) if data is not None else None)
    return path


def test_tar_links_devices_and_traversal_are_skipped(tmp_path: Path) -> None:
    def info(
        name: str, kind: bytes = tarfile.REGTYPE, size: int = 0, target: str = ""
    ) -> tarfile.TarInfo:
        ti = tarfile.TarInfo(name)
        ti.type = kind
        ti.size = size
        ti.linkname = target
        return ti

    archive = _tar(
        tmp_path,
        [
            (info("logs/a.log", size=5), b"hello"),
            (info("logs/passwd", tarfile.SYMTYPE, target="/etc/passwd"), None),
            (info("logs/hard", tarfile.LNKTYPE, target="../../x"), None),
            (info("../../evil.sh", size=3), b"bad"),
            (info("dev/tty", tarfile.CHRTYPE), None),
        ],
    )
    out = unpack(archive, tmp_path / "out", DiagnosticsSettings())
    assert out.files == ("logs/a.log",)
    assert len(out.skipped) == 4
    assert not (tmp_path / "out" / "logs" / "passwd").exists()
    assert not (tmp_path.parent / "evil.sh").exists()


def test_not_an_archive_and_damaged_archives(tmp_path: Path) -> None:
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"<html>not a bundle</html>")
    with pytest.raises(InputError, match="not a zip or tar"):
        unpack(junk, tmp_path / "out", DiagnosticsSettings())
    good = zip_bytes({"a.log": b"x" * 1000})
    damaged = tmp_path / "damaged.zip"
    damaged.write_bytes(good[:40] + b"\xff" * 20 + good[60:])
    with pytest.raises(InputError):
        unpack(damaged, tmp_path / "out2", DiagnosticsSettings())


def test_scan_reads_non_utf8_logs_and_skips_binaries(tmp_path: Path) -> None:
    archive = tmp_path / "b.zip"
    archive.write_bytes(
        zip_bytes(
            {
                "a.log": b"\xff\xfe garbage\nmodprobe: FATAL: Module vboxdrv not found\n",
                "core.bin": b"\x00\x01no space left on device",
            }
        )
    )
    out = unpack(archive, tmp_path / "out", DiagnosticsSettings())
    hits = scan(out, DiagnosticsSettings())
    assert [(h.area, h.path) for h in hits] == [("area/startup", "a.log")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"{G}/{TS}", (G, TS)),
        (G.lower(), (G, None)),
        (f"{G}/2017-03-04_10-11-12", (G, "2017-03-04_10-11-12")),
    ],
)
def test_parse_id(text: str, expected: tuple[str, str | None]) -> None:
    assert parse_id(text) == expected


def test_parse_id_rejects_junk() -> None:
    with pytest.raises(InputError):
        parse_id("not-an-id")


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab./\\:C\x00 ")), max_size=30))
def test_safe_member_paths_never_escape(name: str) -> None:
    rel = safe_member_path(name)
    if rel is not None:
        assert not rel.is_absolute() and ".." not in rel.parts
        assert not any(len(p) >= 2 and p[1] == ":" and p[0].isalpha() for p in rel.parts)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=80))
def test_parse_id_either_parses_or_says_why(text: str) -> None:
    try:
        uuid, _ = parse_id(text)
    except InputError as exc:
        assert "Diagnostics ID" in str(exc)
    else:
        assert len(uuid) == 36 and uuid == uuid.upper()
