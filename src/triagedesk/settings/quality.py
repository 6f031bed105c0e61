"""The L1 quality checklist and the diagnostics bucket."""

from __future__ import annotations

import re

from pydantic import Field, field_validator

from triagedesk.settings.base import Section


class SignatureSpec(Section):
    """A known failure line in a diagnostics bundle's logs."""

    pattern: str = Field(description="regular expression searched line by line in the logs")
    area: str = Field(default="", description="area label it points at, e.g. area/networking")
    hint: str = Field(default="", description="what it usually means, shown as evidence")

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, v: str) -> str:
        try:
            re.compile(v)
        except re.error as exc:
            raise ValueError(f"not a regular expression: {exc}") from None
        return v


def _signatures() -> list[SignatureSpec]:
    rows = [
        (
            r"bind: address already in use|port is already allocated",
            "area/networking",
            "a published port is taken by another process on the host",
        ),
        (
            r"(?i)vpnkit[^\n]{0,80}(?:exited|crash|panic)",
            "area/networking",
            "the network proxy (vpnkit) died",
        ),
        (
            r"(?i)hardware assisted virtuali[sz]ation[^\n]{0,80}must be enabled",
            "area/hyper-v",
            "virtualisation is off in the firmware (BIOS/UEFI)",
        ),
        (
            r"(?i)hyper-v[^\n]{0,60}(?:is not enabled|is not available|not installed)",
            "area/hyper-v",
            "the Hyper-V feature is missing or disabled",
        ),
        (
            r"(?i)wsl 2 installation is incomplete|wsl(?:\.exe)?[^\n]{0,80}exit(?:ed)? with code",
            "area/wsl2",
            "the WSL 2 distribution or kernel failed",
        ),
        (r"(?i)no space left on device", "area/storage", "the VM disk or the host disk is full"),
        (
            r"modprobe: FATAL: Module \S{1,80} not found",
            "area/startup",
            "a kernel module the engine needs is missing",
        ),
        (
            r"(?i)(?:osxfs|grpcfuse|virtiofs)[^\n]{0,80}(?:error|failed)",
            "area/filesharing",
            "the file sharing daemon failed",
        ),
        (
            r"(?i)com\.docker\.hyperkit[^\n]{0,80}(?:exited|crash)",
            "area/hyperkit",
            "the Mac virtual machine (hyperkit) exited",
        ),
        (
            r"(?i)kube-apiserver[^\n]{0,80}(?:error|refused)|failed to start kubernetes",
            "area/kubernetes",
            "the bundled Kubernetes did not start",
        ),
        (
            r"(?i)incorrect username or password|unauthorized: authentication required",
            "area/login",
            "Docker Hub sign-in failed",
        ),
    ]
    return [SignatureSpec(pattern=p, area=a, hint=h) for p, a, h in rows]


class DiagnosticsSettings(Section):
    bucket: str = Field(
        default="docker-desktop-diagnostics", description="S3 bucket of uploaded bundles"
    )
    key_template: str = Field(
        default="incoming/{shard}/{uuid}/{timestamp}.zip",
        description="object key of a bundle; {uuid}, {timestamp} and {shard} are filled in",
    )
    region: str = Field(default="us-east-1", description="S3 region")
    endpoint_url: str = Field(
        default="", description="S3 endpoint (empty: AWS); set for S3-compatible servers"
    )
    shards: list[str] = Field(
        default_factory=lambda: [str(n) for n in range(10)],
        description="values tried for {shard} in key_template, in order (the upload picks one)",
    )
    connect_timeout: float = Field(
        default=5.0, gt=0, description="seconds to wait for the S3 endpoint to accept a connection"
    )
    read_timeout: float = Field(default=30.0, gt=0, description="seconds to wait for S3 answers")
    retries: int = Field(
        default=2, ge=0, le=10, description="retries of a failed S3 call before 'could not verify'"
    )
    max_bundle_bytes: int = Field(
        default=512 * 1024 * 1024, gt=0, description="refuse to download a bigger bundle"
    )
    max_unpacked_bytes: int = Field(
        default=2 * 1024 * 1024 * 1024, gt=0, description="refuse to unpack more than this"
    )
    max_files: int = Field(default=20_000, gt=0, description="refuse bundles with more entries")
    max_ratio: float = Field(
        default=200.0,
        gt=1,
        description="refuse an entry whose unpacked/compressed size ratio exceeds this (zip bombs)",
    )
    scan_max_bytes: int = Field(
        default=16 * 1024 * 1024,
        gt=0,
        description="read at most this much of each log file when scanning for signatures",
    )
    signatures: list[SignatureSpec] = Field(
        default_factory=_signatures,
        description="failure signatures searched in the bundle's logs (regex -> area, hint)",
    )


_MORE_INFO = (
    "Thank you for the report! Before we can look into it we need a little more:\n\n"
    "{missing}\n\n"
    "The troubleshooting guide explains how to collect all of it: {troubleshooting_url}\n"
    "Once you add it here (or edit the description), the issue goes back to triage."
)
_CLOSE = (
    "We have not heard back in {days} days, so we are closing this issue for now. "
    "If it still happens, please open a fresh issue with a detailed description and a "
    "Diagnostics ID, following the troubleshooting guide: {troubleshooting_url}"
)


def _asks() -> dict[str, str]:
    return {
        "diagnostics": (
            "- a **Diagnostics ID**: run the diagnostics (Troubleshoot → Get support, or "
            "`com.docker.diagnose gather -upload`) and paste the ID it prints"
        ),
        "logs-uploaded": (
            "- the diagnostics **bundle uploaded**: we could not find it for the ID you gave; "
            "please upload a new one and paste its ID"
        ),
        "environment": "- your **environment**: OS and version, Docker Desktop version and build",
        "reproduction-present": (
            "- **steps to reproduce**: the exact steps, commands, Dockerfile or compose file "
            "that trigger the problem"
        ),
        "reproduction-valid": (
            "- a **reproduction that runs**: the one given does not parse (see the checklist)"
        ),
        "template-complete": (
            "- a **description**: what you expected, what happened instead, and the error you see"
        ),
    }


class QualitySettings(Section):
    more_info_close_days: int = Field(
        default=14, description="close an issue waiting on the reporter after this many silent days"
    )
    sweep_minutes: int = Field(
        default=360,
        ge=5,
        description="how often `triagedesk schedule` re-checks open issues (silence has no event: "
        "closing after the silent days and re-asking a bucket that was down need this pass)",
    )
    checklist_comment: bool = Field(
        default=True, description="keep one sticky checklist comment on each checked issue"
    )
    ask_for_info: bool = Field(
        default=True,
        description="set status/0-more-info-needed and ask, when the checklist is incomplete",
    )
    close_silent: bool = Field(
        default=True, description="close issues whose reporter stayed silent past the close days"
    )
    verify_bundles: bool = Field(
        default=True, description="look each Diagnostics ID up in the bucket during checks"
    )
    scan_bundles: bool = Field(
        default=False,
        description="also download each found bundle once and scan its logs for the signatures",
    )
    more_info_template: str = Field(
        default=_MORE_INFO,
        description="comment asking for information; {missing}, {troubleshooting_url}, {author}",
    )
    close_template: str = Field(
        default=_CLOSE, description="comment when closing; {days}, {troubleshooting_url}, {author}"
    )
    asks: dict[str, str] = Field(
        default_factory=_asks,
        description="one line per missing checklist item, listed in the more-info comment",
    )
