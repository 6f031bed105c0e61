"""Diagnostics IDs in every shape reporters paste them, and diagnose output of both generations."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

#: how the ID itself is written
ID_SHAPES = ("compact", "uploaded", "bare", "lower", "dashed", "logs_line")
ID_SHAPE_WEIGHTS = (46, 16, 11, 6, 8, 5)

#: where in the issue the reporter puts it
PLACEMENTS = ("template", "did", "sentence", "docker_info", "comment_later")

#: what reporters write when they have no ID
MISSING_MARKERS = (
    "", "", "", "NA", "N/A", "none", "None", "-", "unavailable", "diagnose failed",
    "n/a, the app does not start", "can't run diagnose, it hangs", "not available",
    "I cannot upload diagnostics from work", "will add later",
)  # fmt: skip


def guid(rng: random.Random) -> str:
    """An upper-case random (version 4) UUID, like the diagnose tool's."""
    h = f"{rng.getrandbits(128):032X}"
    variant = "89AB"[int(h[16], 16) % 4]
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{variant}{h[17:20]}-{h[20:]}"


def compact_ts(at: datetime) -> str:
    return at.strftime("%Y%m%d%H%M%S")


def render_id(shape: str, gid: str, at: datetime) -> str:
    """The ID text for ``shape`` (a bundle taken at ``at``)."""
    if shape == "compact":
        return f"{gid}/{compact_ts(at)}"
    if shape == "uploaded":
        return f"{gid}/{compact_ts(at)} (uploaded)"
    if shape == "bare":
        return gid
    if shape == "lower":
        return f"{gid}/{compact_ts(at)}".lower()
    if shape == "dashed":
        return f"{gid}/{at.strftime('%Y-%m-%d_%H-%M-%S')}"
    if shape == "logs_line":
        return f"logs: /tmp/{gid}/{at.strftime('%Y%m%d-%H%M%S')}.tar.gz"
    raise ValueError(f"unknown diagnostics ID shape {shape!r}")


def upload_lines(gid: str, at: datetime, rng: random.Random) -> str:
    """What the upload step prints: the bucket key holds the ID."""
    n = rng.randint(1, 9)
    ts = compact_ts(at)
    return (
        f"Diagnostics Bundle: /tmp/{gid}/{ts}.zip\n"
        f"Diagnostics ID:     {gid}/{ts} (uploaded)\n"
        f"https://docker-pinata-support.s3.amazonaws.com/incoming/{n}/{gid}/{ts}.zip"
    )


# --- old generation: [OK]/[WARN]/[ERROR] component, indented detail --------------------------

OLD_COMPONENTS = (
    "app", "db", "dns", "docker-cli", "disk", "driver.amd64-linux", "env", "logs", "moby",
    "moby-syslog", "osxfs", "slirp", "system", "virtualization VT-X",
    "virtualization kern.hv_support", "vmnetd", "vpnkit",
)  # fmt: skip

OLD_DETAIL = {
    "app": "com.docker.app is not running",
    "db": "failed to read the settings database: EOF",
    "dns": "com.docker.dns is not responding",
    "docker-cli": "/usr/local/bin/docker is not a symlink into the app bundle",
    "disk": "Docker.qcow2 is 63.9 GiB, the disk is nearly full",
    "driver.amd64-linux": "the Linux VM did not finish booting in 120s",
    "env": "DOCKER_HOST is set to tcp://localhost:2375 in the shell environment",
    "logs": "failed to collect the logs from the VM",
    "moby": "/var/run/docker.sock does not answer /_ping",
    "moby-syslog": "no syslog lines from the VM for 300s",
    "osxfs": "com.docker.osxfs exited with status 1",
    "slirp": "com.docker.slirp is not running",
    "system": "sysctl kern.hv_support returned 0",
    "virtualization VT-X": "VT-x is disabled in the firmware",
    "virtualization kern.hv_support": "the hypervisor framework is not available",
    "vmnetd": "com.docker.vmnetd is not installed or not running",
    "vpnkit": "vpnkit is not listening on the control socket",
}


def old_diagnose(
    rng: random.Random, failing: tuple[str, ...], version: str, os_line: str, gid: str, at: datetime
) -> str:
    """The pre-2.x diagnose report: header lines then one line per component."""
    lines = [f"Docker for Mac: version: {version}", f"macOS: version {os_line}"]
    lines.append(render_id("logs_line", gid, at))
    if "slirp" in failing or (failing and rng.random() < 0.3):
        lines.append(f"failure: com.docker.{failing[0].split()[0]} is not running")
    shown = sorted(
        set(rng.sample(OLD_COMPONENTS, rng.randint(8, len(OLD_COMPONENTS)))) | set(failing)
    )
    for comp in shown:
        if comp in failing:
            lines.append(f"[ERROR]  {comp}")
            lines.append(f"         {OLD_DETAIL.get(comp, 'check failed')}")
            if rng.random() < 0.4:
                lines.append(f"         see /tmp/{gid}/{comp.replace(' ', '-')}.log")
        elif rng.random() < 0.08:
            lines.append(f"[WARN]   {comp}")
            lines.append("         slow to answer, retried")
        else:
            lines.append(f"[OK]     {comp}")
    return "\n".join(lines)


# --- new generation: com.docker.diagnose check ---------------------------------------------

CHECKS: dict[str, tuple[str, str, str]] = {
    # code: (question, platforms, message when it fails)
    "DD0001": ("is the application running?", "mw", "Docker Desktop is not running"),
    "DD0002": ("does the bootloader have virtualization enabled?", "w", "hypervisorlaunchtype is Off"),
    "DD0003": ("is the WSL 2 Linux filesystem corrupt?", "w", "ext4.vhdx fails fsck"),
    "DD0004": ("is the Docker engine running?", "mw", "the engine is not running: context deadline exceeded"),
    "DD0005": ("is the user in the docker-users group?", "w", "the user is not in docker-users"),
    "DD0006": ("is the Docker Desktop Service responding?", "w", "com.docker.service is stopped"),
    "DD0007": ("is the backend responding?", "mw", "backend.sock did not answer in 10s"),
    "DD0008": ("is the native API responding?", "mw", "the native API socket refuses connections"),
    "DD0009": ("is the vpnkit API responding?", "mw", "vpnkit-bridge is not running"),
    "DD0010": ("is the Docker API proxy responding?", "mw", "the API proxy exited with status 1"),
    "DD0011": ("are the LinuxKit services running?", "mw", "failed to ping services in the VM"),
    "DD0012": ("is the VM networking working?", "mw", "network checks failed: no route to host"),
    "DD0013": ("is the $PATH ok?", "mw", "the docker CLI was not found on the PATH"),
    "DD0014": ("are the backend processes running?", "mw", "com.docker.backend is not running"),
    "DD0015": ("are the binary symlinks installed?", "m", "/usr/local/bin/docker is missing"),
    "DD0016": ("is the LinuxKit VM running?", "mw", "the VM is not running"),
    "DD0017": ("can a VM be started?", "mw", "starting the VM failed: exit status 1"),
    "DD0018": ("does the host support virtualization?", "mw", "virtualization is not enabled in the BIOS"),
    "DD0019": ("is the com.docker.vmnetd process responding?", "m", "vmnetd.sock: connection refused"),
    "DD0020": ("is the Hyper-V Windows Feature enabled?", "w", "Microsoft-Hyper-V is disabled"),
    "DD0021": ("is the WSL 2 Windows Feature enabled?", "w", "VirtualMachinePlatform is not enabled"),
    "DD0022": ("is the Virtual Machine Platform Windows Feature enabled?", "w", "the feature is off"),
    "DD0023": ("is the WSL 2 kernel up to date?", "w", "the WSL kernel is older than 5.10"),
    "DD0024": ("is WSL installed?", "w", "wsl.exe --status exited with code 1"),
    "DD0025": ("are the WSL distros installed?", "w", "docker-desktop distro is missing"),
    "DD0026": ("is the Docker Desktop WSL distro running?", "w", "docker-desktop is Stopped"),
    "DD0027": ("is there available disk space on the host?", "mw", "only 412MB free on the system drive"),
    "DD0028": ("is there available VM disk space?", "mw", "the VM disk is 99% full"),
    "DD0029": ("is the WSL 2 distro able to start?", "w", "the distro exited with code 4294967295"),
    "DD0030": ("is the disk image readable?", "mw", "Docker.raw: input/output error"),
    "DD0031": ("does the Docker API work?", "mw", "GET /_ping: 500 Internal Server Error"),
}  # fmt: skip


def new_check(rng: random.Random, failing: tuple[str, ...], platform: str) -> str:
    """``com.docker.diagnose check`` output with the closing "please investigate" tail."""
    flag = "m" if platform == "mac" else "w"
    codes = [c for c, (_, plats, _m) in CHECKS.items() if flag in plats]
    failing = tuple(c for c in failing if c in codes)
    shown = sorted(
        set(rng.sample(codes, rng.randint(min(10, len(codes)), len(codes)))) | set(failing)
    )
    lines = []
    fails = []
    for code in shown:
        question, _p, message = CHECKS[code]
        if code in failing:
            lines.append(f"[FAIL] {code}: {question} {message}")
            fails.append((code, question, message))
        elif rng.random() < 0.06:
            lines.append(f"[SKIP] {code}: {question}")
        else:
            lines.append(f"[PASS] {code}: {question}")
    if fails:
        lines.append("")
        lines.append(
            f"Please investigate the following {len(fails)} issue{'s' if len(fails) > 1 else ''}:"
        )
        lines.append("")
        for i, (_code, question, message) in enumerate(fails, 1):
            lines.append(f"{i} : The test: {question}")
            lines.append(f"    Failed with: {message}")
            lines.append("")
    else:
        lines.append("")
        lines.append("No fatal errors detected.")
    return "\n".join(lines).rstrip()


def bundle_time(created: datetime, rng: random.Random) -> datetime:
    """Reporters usually run diagnose minutes to hours before they file."""
    return created - timedelta(minutes=rng.randint(2, 60 * 30))


def fresh_id(rng: random.Random, at: datetime) -> str:
    """A new ID a reporter uploads when asked (or pastes under someone else's issue)."""
    return render_id("compact", guid(rng), at)
