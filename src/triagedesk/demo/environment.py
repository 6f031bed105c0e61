"""The reporter's environment: OS, Desktop version and build, chip or backend, install context."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime

_FOUR_ZERO = datetime(2021, 8, 31, tzinfo=UTC)
_DAYS_PER_MINOR = 33.0


def minor_at(at: datetime) -> int:
    """Desktop 4.x minor current at ``at`` (4.0 shipped late August 2021, about one a month)."""
    return max(0, int((at - _FOUR_ZERO).days / _DAYS_PER_MINOR))


def build_of(minor: int, patch: int) -> int:
    return 67000 + minor * 3130 + patch * 410


def version_at(at: datetime, rng: random.Random, lag: int = 0) -> tuple[str, int]:
    """A version a user runs at ``at``: the current one or up to ``lag`` minors behind."""
    minor = max(0, minor_at(at) - (rng.randint(0, lag) if lag else 0))
    patch = rng.choice((0, 0, 0, 1, 1, 2))
    return f"4.{minor}.{patch}", build_of(minor, patch)


def version_text(version: str, build: int, rng: random.Random) -> str:
    r = rng.random()
    if r < 0.45:
        return f"{version} ({build})"
    if r < 0.8:
        return version
    if r < 0.9:
        return f"v{version}"
    return f"{version} (build {build})"


@dataclass(frozen=True, slots=True)
class Env:
    platform: str  # "mac" | "win"
    os_line: str
    version: str
    build: int
    version_shown: str
    chip: str  # mac: "Apple M2 Pro" / "Intel"; win: CPU line
    backend: str  # win: "WSL 2" / "Hyper-V"; mac: "Apple Virtualization framework" …
    channel: str
    context: str  # free-text install context ("" when none given)
    context_kind: (
        str  # fresh / failed_install / upgrade / update / channel / downgrade / reinstall / ""
    )
    engine: str  # docker engine version


_WIN = (
    ("Windows 11 Pro 24H2 (OS build 26100.{b})", "2024-10-01"),
    ("Windows 11 Home 23H2 build 22631.{b}", "2023-10-01"),
    ("Windows 10 Pro 22H2 (OS build 19045.{b})", "2022-10-01"),
    ("Windows 10 Enterprise 22H2, build 19045.{b}", "2022-10-01"),
    ("Windows 11 Enterprise 25H2 (26200.{b})", "2025-09-30"),
    ("Windows Server 2022 Datacenter 21H2 (20348.{b})", "2021-08-18"),
    ("Windows 11", "2021-10-05"),
    ("Win 10 Pro", "2015-07-29"),
)
_MAC = (
    ("macOS 15.{m} (Sequoia)", "2024-09-16", "{m}"),
    ("macOS Sequoia 15.{m}.1", "2024-09-16", "{m}"),
    ("macOS 14.{m} Sonoma", "2023-09-26", "{m}"),
    ("macOS 13.{m} (Ventura)", "2022-10-24", "{m}"),
    ("macOS 26.{m} Tahoe", "2025-09-15", "{m}"),
    ("macOS 12.{m} Monterey", "2021-10-25", "{m}"),
    ("Big Sur 11.{m}", "2020-11-12", "{m}"),
    ("Sonoma", "2023-09-26", ""),
    ("macOS 15", "2024-09-16", ""),
)
_MAC_CHIPS = (
    "Apple M1", "Apple M1 Pro", "Apple M2", "Apple M2 Max", "Apple M3", "Apple M3 Pro",
    "Apple M4", "Apple M4 Pro", "Intel", "Intel Core i7", "Intel i9 (2019 MacBook Pro)",
)  # fmt: skip
_WIN_CPUS = (
    "Intel Core i7-12700H",
    "AMD Ryzen 7 5800X",
    "Intel i5-8250U",
    "AMD Ryzen 9 7940HS",
    "Snapdragon X Elite",
)


def _since(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(tzinfo=UTC)


_WIN_SINCE = tuple((text, _since(day)) for text, day in _WIN)
_MAC_SINCE = tuple((text, _since(day)) for text, day, _m in _MAC)


def _pick_os(rng: random.Random, at: datetime, platform: str) -> str:
    """An OS line that existed at ``at``."""
    table = _WIN_SINCE if platform == "win" else _MAC_SINCE
    rows = [text for text, since in table if since <= at] or [text for text, _s in table]
    text = rng.choice(rows)
    return text.replace("{b}", str(rng.randint(1000, 6500))).replace("{m}", str(rng.randint(0, 6)))


def install_context(rng: random.Random, at: datetime, version: str) -> tuple[str, str]:
    """(free text, kind): about one report in six mentions an upgrade or update."""
    minor = int(version.split(".")[1])
    prev = f"4.{max(0, minor - rng.randint(1, 3))}.{rng.randint(0, 2)}"
    r = rng.random()
    if r < 0.07:
        return f"This started after upgrading from {prev} to {version}.", "upgrade"
    if r < 0.13:
        return rng.choice(
            ("It worked fine until the last update.", "Since the last update this is broken.",
             "Started happening since I updated Docker Desktop yesterday.")
        ), "update"  # fmt: skip
    if r < 0.19:
        return rng.choice(
            ("This is a fresh install on a new machine.", "Fresh install, first start.",
             "Brand new laptop, installed Docker Desktop for the first time.")
        ), "fresh"  # fmt: skip
    if r < 0.22:
        return rng.choice(
            ("I already reinstalled Docker Desktop twice, no change.",
             "Uninstalled, rebooted and reinstalled - same result.")
        ), "reinstall"  # fmt: skip
    if r < 0.25:
        return rng.choice(
            (f"The installer fails with 'Installation failed: exit code 1603' for {version}.",
             "The installer hangs at 'Unpacking files' and then rolls back.")
        ), "failed_install"  # fmt: skip
    if r < 0.27:
        return rng.choice(
            ("I switched to the beta channel last week.",
             "After switching to the early access (beta) builds this started.")
        ), "channel"  # fmt: skip
    if r < 0.29:
        return f"I downgraded to {prev} and the problem goes away there.", "downgrade"
    return "", ""


def make_env(rng: random.Random, platform: str, at: datetime, pinned: str = "") -> Env:
    """A reporter's environment at ``at``; ``pinned`` fixes the Desktop version (an outbreak's)."""
    version, build = version_at(at, rng, lag=3)
    if pinned:
        _four, minor, patch = (int(x) for x in pinned.split("."))
        version, build = pinned, build_of(minor, patch)
    shown = version_text(version, build, rng)
    os_line = _pick_os(rng, at, platform)
    if platform == "mac":
        chip = rng.choice(_MAC_CHIPS)
        backend = rng.choice(
            ("Apple Virtualization framework", "Apple Virtualization framework", "QEMU")
        )
        if chip.startswith("Apple") and rng.random() < 0.2:
            chip += rng.choice((", Rosetta enabled", " (Rosetta on)", ", amd64 images via QEMU"))
    else:
        chip = rng.choice(_WIN_CPUS)
        r = rng.random()
        backend = (
            "WSL 2" if r < 0.8 else "Hyper-V" if r < 0.96 else "WSL 2, Windows containers mode"
        )
    channel = "beta" if rng.random() < 0.05 else "stable"
    if channel == "beta" and rng.random() < 0.7:
        shown += rng.choice((" (beta)", " beta", " - beta channel"))
    context, kind = install_context(rng, at, version)
    engine = f"{27 + max(0, minor_at(at) - 31) // 9}.{rng.randint(0, 5)}.{rng.randint(0, 3)}"
    return Env(
        platform, os_line, version, build, shown, chip, backend, channel, context, kind, engine
    )


def docker_version_block(env: Env, rng: random.Random) -> str:
    arch = "arm64" if env.platform == "mac" and "Apple" in env.chip else "amd64"
    client_os = "darwin" if env.platform == "mac" else "windows"
    commit = f"{rng.getrandbits(28):07x}"
    lines = [
        "Client:",
        f" Version:           {env.engine}",
        " API version:       1.47",
        f" Go version:        go1.2{rng.randint(2, 4)}.{rng.randint(1, 9)}",
        f" Git commit:        {commit}",
        f" OS/Arch:           {client_os}/{arch}",
        " Context:           desktop-linux",
        "",
        f"Server: Docker Desktop {env.version} ({env.build})",
        " Engine:",
        f"  Version:          {env.engine}",
        f"  OS/Arch:          linux/{arch}",
        f"  Experimental:     {'false' if rng.random() < 0.9 else 'true'}",
        " containerd:",
        f"  Version:          1.7.{rng.randint(20, 27)}",
    ]
    return "\n".join(lines)


def docker_info_block(env: Env, rng: random.Random, extra: str = "") -> str:
    arch = "aarch64" if env.platform == "mac" and "Apple" in env.chip else "x86_64"
    lines = [
        "Client:",
        f" Version:    {env.engine}",
        " Context:    desktop-linux",
        " Debug Mode: false",
        "",
        "Server:",
        f" Containers: {rng.randint(0, 40)}",
        f" Images: {rng.randint(0, 120)}",
        f" Server Version: {env.engine}",
        " Storage Driver: overlayfs",
        " Cgroup Driver: cgroupfs",
        " Operating System: Docker Desktop",
        " OSType: linux",
        f" Architecture: {arch}",
        f" CPUs: {rng.choice((4, 8, 10, 12, 16))}",
        f" Total Memory: {rng.choice(('7.6', '11.68', '15.6', '23.4'))}GiB",
        " Name: docker-desktop",
    ]
    if env.platform == "win":
        lines.append(
            f" Kernel Version: 5.15.{rng.randint(90, 167)}.{rng.randint(1, 3)}-microsoft-standard-WSL2"
        )
    else:
        lines.append(f" Kernel Version: 6.10.{rng.randint(0, 14)}-linuxkit")
    if extra:
        lines.append(extra)
    return "\n".join(lines)
