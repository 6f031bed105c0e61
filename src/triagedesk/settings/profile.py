"""Repositories, labels, areas, owners, rotation and SLA: the team's profile.

The defaults are the built-in Docker Desktop ("Piñata") profile from the support
seed: public trackers docker/for-mac and docker/for-win, the internal tracker
docker/pinata, the eight status labels and the area taxonomy seen on those trackers.
"""

from __future__ import annotations

from pydantic import Field, field_validator

from triagedesk.domain.workflow import DESCRIPTIONS, Status
from triagedesk.settings.base import Section

STATUS_COLOURS: dict[Status, str] = {
    Status.TRIAGE: "ededed",
    Status.WONT_FIX: "b60205",
    Status.MORE_INFO_NEEDED: "fbca04",
    Status.ACKNOWLEDGED: "0e8a16",
    Status.IN_PROGRESS: "1d76db",
    Status.FIXED: "5319e7",
    Status.FIX_RELEASED_BETA: "c2e0c6",
    Status.FIX_RELEASED_STABLE: "0b6623",
}


class RepoSettings(Section):
    name: str = Field(description="owner/name of the repository on GitHub")
    platform: str = Field(default="", description="platform this tracker is for (mac, windows)")
    shadow: bool = Field(
        default=True, description="record writes as planned actions instead of sending them"
    )

    @field_validator("name")
    @classmethod
    def _owner_name(cls, v: str) -> str:
        if v.count("/") != 1 or not all(v.split("/")):
            raise ValueError(f"want owner/name, got {v!r}")
        return v


class LabelSpec(Section):
    name: str = Field(description="label name")
    color: str = Field(default="ededed", description="six hex digits, no #")
    description: str = Field(default="", description="label description shown on GitHub")


def _status_labels() -> list[LabelSpec]:
    return [
        LabelSpec(name=s.value, color=STATUS_COLOURS[s], description=DESCRIPTIONS[s])
        for s in Status
    ]


class AreaSpec(Section):
    label: str = Field(description="canonical label, e.g. area/network")
    aliases: list[str] = Field(
        default_factory=list, description="older or differently-cased names of the same area"
    )
    owner: str = Field(default="", description="team handle mentioned on escalation")
    description: str = Field(default="", description="what belongs in this area")
    color: str = Field(default="c5def5", description="six hex digits, no #")


def _areas() -> list[AreaSpec]:
    rows = [
        (
            "area/networking",
            ["network", "area/network", "firewall", "area/vpnkit"],
            "@docker/desktop-networking",
            "Ports, DNS, proxies, VPN, vpnkit",
        ),
        (
            "area/filesharing",
            [
                "mounts",
                "area/mounts",
                "volumes",
                "area/volumes",
                "osxfs",
                "VirtioFS",
                "area/virtiofs",
            ],
            "@docker/desktop-filesharing",
            "Bind mounts, volumes, file sharing performance",
        ),
        (
            "area/startup",
            ["startup", "area/startup", "Daemon/engine", "area/engine"],
            "@docker/desktop-core",
            "Engine or app fails to start",
        ),
        (
            "area/installer",
            ["installer", "area/installer"],
            "@docker/desktop-install",
            "Install, uninstall, first run",
        ),
        (
            "area/update",
            ["update", "area/update"],
            "@docker/desktop-install",
            "In-app update and upgrades",
        ),
        (
            "area/gui",
            ["gui", "area/gui", "settings", "area/settings"],
            "@docker/desktop-ui",
            "Dashboard, tray, settings UI",
        ),
        (
            "area/login",
            ["login", "area/login"],
            "@docker/desktop-ui",
            "Sign-in, Docker Hub credentials",
        ),
        (
            "area/storage",
            ["storage", "area/storage", "disk"],
            "@docker/desktop-core",
            "Disk image, space, pruning",
        ),
        (
            "area/wsl2",
            ["WSL2", "area/wsl2", "wsl", "area/wsl"],
            "@docker/desktop-windows",
            "WSL 2 backend and integration",
        ),
        (
            "area/hyper-v",
            ["hyper-v", "area/hyper-v", "hyperv"],
            "@docker/desktop-windows",
            "Hyper-V backend",
        ),
        (
            "area/windows-containers",
            ["wincon", "area/wincon", "windows containers"],
            "@docker/desktop-windows",
            "Windows containers mode",
        ),
        (
            "area/kubernetes",
            ["kube", "Kube", "area/kube", "kubernetes"],
            "@docker/desktop-kube",
            "The bundled Kubernetes",
        ),
        (
            "area/emulation",
            ["emulation", "area/emulation", "m1", "area/m1", "qemu", "rosetta"],
            "@docker/desktop-mac",
            "Apple silicon, QEMU and Rosetta emulation",
        ),
        (
            "area/hyperkit",
            ["hyperkit", "area/hyperkit", "virtualization"],
            "@docker/desktop-mac",
            "The Mac virtual machine",
        ),
        (
            "area/build",
            ["build", "area/build", "buildkit"],
            "@docker/build",
            "docker build and BuildKit",
        ),
        ("area/compose", ["compose", "area/compose"], "@docker/compose", "docker compose"),
    ]
    return [
        AreaSpec(label=label, aliases=aliases, owner=owner, description=desc)
        for label, aliases, owner, desc in rows
    ]


class ProfileSettings(Section):
    name: str = Field(
        default="Docker Desktop", description="product name used in comments and reports"
    )
    public_repos: list[RepoSettings] = Field(
        default_factory=lambda: [
            RepoSettings(name="docker/for-mac", platform="mac"),
            RepoSettings(name="docker/for-win", platform="windows"),
        ],
        description="public trackers users report in",
    )
    internal_repo: str = Field(default="docker/pinata", description="private engineering tracker")
    status_labels: list[LabelSpec] = Field(
        default_factory=_status_labels,
        description="the eight status labels, colours and descriptions",
    )
    status_aliases: dict[str, str] = Field(
        default_factory=lambda: {
            "status/triage": Status.TRIAGE.value,
            "needs-triage": Status.TRIAGE.value,
            "status/acknowledged": Status.ACKNOWLEDGED.value,
            "status/needs-information": Status.MORE_INFO_NEEDED.value,
        },
        description="legacy or form labels that mean a status label (name -> status label)",
    )
    areas: list[AreaSpec] = Field(
        default_factory=_areas, description="area label taxonomy and owners"
    )
    opt_out_label: str = Field(
        default="lifecycle/frozen", description="issues with this label are never auto-closed"
    )
    troubleshooting_url: str = Field(
        default="https://docs.docker.com/desktop/troubleshoot-and-support/troubleshoot/",
        description="linked from every request for more information",
    )
    bot_login: str = Field(default="triagedesk[bot]", description="the login the bot acts as")
    team: list[str] = Field(
        default_factory=list,
        description="logins counted as the team besides OWNER/MEMBER/COLLABORATOR authors",
    )

    @field_validator("status_aliases")
    @classmethod
    def _aliases_target_status(cls, v: dict[str, str]) -> dict[str, str]:
        for name, target in v.items():
            try:
                Status(target)
            except ValueError:
                raise ValueError(
                    f"alias {name!r} points at {target!r}, not a status label"
                ) from None
        return v

    def aliases(self) -> dict[str, Status]:
        return {k.lower(): Status(v) for k, v in self.status_aliases.items()}


class RotationSettings(Section):
    timezone: str = Field(default="Europe/London", description="time zone the rotation week is in")
    start_day: str = Field(default="monday", description="weekday the rotation starts")
    start_time: str = Field(
        default="09:00", description="local time the rotation hands over (HH:MM)"
    )
    schedule: list[str] = Field(
        default_factory=lambda: ["@alice", "@bob", "@carol", "@dan"],
        description="L1 handles in rotation order; week k of the year is schedule[k % len]",
    )
    overrides: dict[str, str] = Field(
        default_factory=dict, description="ISO week (YYYY-Www) -> handle, for swaps"
    )

    @field_validator("start_day")
    @classmethod
    def _weekday(cls, v: str) -> str:
        days = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
        if v.lower() not in days:
            raise ValueError(f"want a weekday name, got {v!r}")
        return v.lower()


class SlaTarget(Section):
    priority: str = Field(
        default="", description="priority label this target applies to ('' = any)"
    )
    area: str = Field(default="", description="area label this target applies to ('' = any)")
    days: float = Field(description="target days from acknowledged to fixed")
    warn_days: float = Field(default=0, description="warn this many days before the breach")


class SlaSettings(Section):
    resolution_target_days: float = Field(
        default=30, description="N in 'tickets over N days old' (the seed's target resolution time)"
    )
    targets: list[SlaTarget] = Field(
        default_factory=lambda: [
            SlaTarget(priority="priority/p0", days=3, warn_days=1),
            SlaTarget(priority="priority/p1", days=14, warn_days=3),
            SlaTarget(days=30, warn_days=5),
        ],
        description="SLA targets, first match wins",
    )
