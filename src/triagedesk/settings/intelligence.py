"""Label model and duplicate index."""

from __future__ import annotations

from pydantic import Field, field_validator

from triagedesk.settings.base import Section


class LabelRule(Section):
    label: str = Field(description="label the rule suggests (canonical name)")
    keywords: list[str] = Field(
        default_factory=list,
        description="words or phrases (case-insensitive, whole words) in title or body",
    )
    regex: list[str] = Field(
        default_factory=list, description="regular expressions over title and body"
    )
    title_only: bool = Field(default=False, description="match the title only")

    @field_validator("regex")
    @classmethod
    def _compiles(cls, v: list[str]) -> list[str]:
        import re

        for rx in v:
            try:
                re.compile(rx)
            except re.error as exc:
                raise ValueError(f"regex {rx!r} does not compile: {exc}") from None
        return v


def _rules() -> list[LabelRule]:
    rows: list[tuple[str, list[str], list[str]]] = [
        (
            "area/networking",
            ["vpnkit", "dns", "proxy", "port forwarding", "published port", "vpn", "firewall"],
            [r"\bport\s+\d+\b.*\b(in use|bind|already allocated)"],
        ),
        (
            "area/filesharing",
            ["osxfs", "virtiofs", "grpcfuse", "bind mount", "file sharing", "inotify"],
            [r"\bmount(ed|ing|s)?\b.*\b(volume|folder|directory)"],
        ),
        ("area/kubernetes", ["kubernetes", "kubectl", "k8s"], []),
        ("area/wsl2", ["wsl2", "wsl 2", "wsl --update", "wsl -l -v", "wslservice"], []),
        ("area/hyper-v", ["hyper-v", "hyperv", "mobylinuxvm"], []),
        ("area/windows-containers", ["windows containers", "nanoserver", "servercore"], []),
        ("area/emulation", ["rosetta", "qemu", "emulation", "--platform linux/amd64"], []),
        ("area/installer", ["installer", "install fails", "installation failed", "msi"], []),
        ("area/update", ["auto-update", "update failed", "updater"], []),
        ("area/login", ["sign in", "sign-in", "login", "docker hub credentials"], []),
        ("area/build", ["buildkit", "buildx", "docker build"], []),
        ("area/compose", ["docker-compose", "docker compose", "compose.yaml"], []),
        ("area/storage", ["docker.raw", "docker.qcow2", "disk image", "no space left"], []),
        ("kind/performance", ["slow", "high cpu", "cpu usage", "memory usage", "performance"], []),
        ("kind/docs", ["documentation", "docs page", "the docs"], []),
        ("kind/enhancement", ["feature request", "would be nice", "please add", "support for"], []),
    ]
    return [LabelRule(label=lab, keywords=kw, regex=rx) for lab, kw, rx in rows]


def _component_areas() -> dict[str, str]:
    return {
        "vpnkit": "area/networking",
        "slirp": "area/networking",
        "dns": "area/networking",
        "network": "area/networking",
        "osxfs": "area/filesharing",
        "file sharing": "area/filesharing",
        "disk": "area/storage",
        "wsl": "area/wsl2",
        "hyper-v": "area/hyper-v",
        "hyperkit": "area/hyperkit",
        "virtualization": "area/hyperkit",
        "driver.amd64-linux": "area/startup",
        "moby": "area/startup",
        "engine": "area/startup",
        "docker-cli": "area/startup",
        "kube": "area/kubernetes",
    }


def _renames() -> dict[str, str]:
    return {
        "bug": "kind/bug",
        "enhancement": "kind/enhancement",
        "feature": "kind/feature",
        "feature request": "kind/feature",
        "docs": "kind/docs",
        "documentation": "kind/docs",
        "performance": "kind/performance",
        "regression": "kind/regression",
        "osx/*": "platform/macos",
        "osx": "platform/macos",
        "windows 10": "platform/windows",
        "windows server": "platform/windows",
        "area/windows": "platform/windows",
        "area/mac": "platform/macos",
    }


class IntelligenceSettings(Section):
    target_precision: float = Field(
        default=0.95,
        ge=0.5,
        le=1.0,
        description="per-label threshold is chosen to reach this precision",
    )
    duplicates_top_k: int = Field(
        default=10, ge=1, le=100, description="duplicate candidates shown"
    )
    label_families: list[str] = Field(
        default_factory=lambda: ["area/", "kind/", "platform/", "version/"],
        description="label prefixes triagedesk suggests; other labels are ignored",
    )
    label_renames: dict[str, str] = Field(
        default_factory=_renames,
        description="older or bare label names -> canonical label (case-insensitive; "
        "a trailing * matches a prefix); area aliases come from profile.areas",
    )
    rules: list[LabelRule] = Field(
        default_factory=_rules, description="keyword and regex rules that suggest a label"
    )
    component_areas: dict[str, str] = Field(
        default_factory=_component_areas,
        description="failing diagnose component (substring, lower case) -> area label",
    )
    min_label_support: int = Field(
        default=5,
        ge=1,
        description="labels with fewer training issues than this get no model (rules only)",
    )
    min_auto_support: int = Field(
        default=5,
        ge=1,
        description="a threshold counts only when at least this many history predictions "
        "lie above it; otherwise the label is never auto-applied",
    )
    suggest_floor: float = Field(
        default=0.3,
        ge=0.0,
        le=1.0,
        description="confidences below this are not even suggested (abstain)",
    )
    max_version_labels: int = Field(
        default=1, ge=0, description="at most this many version/* labels suggested per issue"
    )
    bm25_k1: float = Field(default=1.2, gt=0, description="BM25 term-frequency saturation")
    bm25_b: float = Field(default=0.75, ge=0, le=1, description="BM25 length normalisation")
    title_weight: int = Field(
        default=2, ge=1, le=10, description="title tokens count this many times in the index"
    )
    lexical_weight: float = Field(
        default=0.7, ge=0, description="weight of the normalised BM25 score in the hybrid score"
    )
    signature_weight: float = Field(
        default=0.3,
        ge=0,
        description="weight of the signature overlap (components, error lines, frames, "
        "versions) in the hybrid score",
    )
    recency_weight: float = Field(
        default=0.5,
        ge=0,
        le=1,
        description="share of the duplicate score that depends on how recent a candidate is "
        "(duplicates of a regression arrive within weeks); 0 turns it off",
    )
    recency_half_life_days: float = Field(
        default=30.0,
        gt=0,
        description="a candidate this many days older loses half the recency share",
    )
    closed_penalty: float = Field(
        default=0.2,
        ge=0,
        le=1,
        description="share of the duplicate score a candidate loses when it was already closed "
        "when the new issue was filed",
    )
    mention_weight: float = Field(
        default=0.5,
        ge=0,
        le=1,
        description="share of the duplicate score that depends on how often other issues "
        "had referred to a candidate before the new issue was filed",
    )
    duplicate_target_precision: float = Field(
        default=0.9,
        ge=0.5,
        le=1.0,
        description="the 'duplicate' similarity threshold is chosen on history (and on "
        "people's confirmations) for this precision among the top-k candidates",
    )
    duplicate_threshold: float = Field(
        default=0.6,
        ge=0,
        le=1,
        description="similarity for 'duplicate' when no threshold on history reaches "
        "the target precision",
    )
    related_threshold: float = Field(
        default=0.3,
        ge=0,
        le=1,
        description="similarity for 'related' (below it: none)",
    )
    duplicate_label: str = Field(
        default="status/duplicate",
        description="label added when a person confirms a duplicate ('' for none)",
    )
