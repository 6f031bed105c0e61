"""Signatures: the same fault on two machines yields the same keys."""

from __future__ import annotations

import pytest

from triagedesk.intelligence.signatures import describe, normalise_error_line, signature_of


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (
            "Error response from daemon: Ports are not available: listen tcp 0.0.0.0:8080: bind",
            "error response from daemon: ports are not available: listen tcp 0.0.0.0:5432: bind",
        ),
        (
            "mkdir /Users/alice/project/data: permission denied",
            "mkdir /Users/bob/projects/x/y: permission denied",
        ),
        (
            "failed to start 9C1A2B3D-0000-4A4A-8B8B-0123456789AB at 2021-03-01T10:10:10Z",
            "failed to start 11111111-2222-4333-8444-555555555555 at 2022-01-01T00:00:00Z",
        ),
    ],
)
def test_error_lines_normalise_equal(a: str, b: str) -> None:
    assert normalise_error_line(a) == normalise_error_line(b)


def test_signature_parts() -> None:
    body = "\n".join(
        [
            "Docker Desktop Version: 4.12.0",
            "```",
            "Error: exited with code 137",
            "panic: runtime error: invalid memory address",
            "goroutine 1 [running]:",
            "main.startEngine(0x1)",
            "\t/go/src/engine/main.go:42 +0x1d",
            "```",
            "[FAIL] DD0004: is the Docker engine running? engine not responding",
            "Error 0x8007273d while starting",
        ]
    )
    sig = signature_of("Engine crashes", body)
    assert "137" in sig.exit_codes
    assert "0x8007273d" in sig.codes
    assert "main.startengine" in sig.frames
    assert any("panic: runtime error" in e for e in sig.error_lines)
    assert sig.components == {"dd0004"}
    assert sig.versions == {"4.12.0"}
    keys = sig.all_keys()
    assert {"ver:4.12.0", "vmm:4.12", "diag:dd0004", "exit:137"} <= keys
    shown = describe(keys)
    assert shown["failing_components"] == ["dd0004"]
    assert shown["versions"] == ["4.12.0"]


def test_old_mac_diagnose_components() -> None:
    body = "Docker for Mac: version: 17.06.0-ce-mac19\n[OK]     vmnetd\n[ERROR]  vpnkit\n    not running\n"
    assert "vpnkit" in signature_of("x", body).components


def test_plain_prose_has_no_signature() -> None:
    sig = signature_of("Feature request: dark mode", "Would be nice to have a dark theme.")
    assert not sig.all_keys()
