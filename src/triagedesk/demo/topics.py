"""The problem catalogue: what goes wrong, how it reads, and what diagnose says about it.

A ``Problem`` is one real-shaped failure: the area it belongs to, the
platforms it hits, title and symptom wordings, the error lines users paste,
the diagnose components (old generation) and checks (new generation) that
fail with it, and the kinds of reproduction people give for it. Placeholders
in braces (``{port}``, ``{ver}`` …) are filled per outbreak or per issue, so
duplicates of one root share the exact error line while unrelated reports of
the same problem differ in the details.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime

from triagedesk.demo.environment import minor_at


@dataclass(frozen=True, slots=True)
class Problem:
    key: str
    area: str
    platforms: str  # "mac", "win" or "both"
    titles: tuple[str, ...]
    symptoms: tuple[str, ...]
    errors: tuple[str, ...]
    expected: tuple[str, ...]
    old_fail: tuple[str, ...] = ()
    new_fail: tuple[str, ...] = ()
    repro: tuple[str, ...] = ("ui",)  # preferred reproduction kinds
    ui: tuple[str, ...] = ()
    cmds: tuple[str, ...] = ()
    weight: float = 1.0

    def on(self, platform: str) -> bool:
        return self.platforms == "both" or self.platforms == platform


#: area -> label names the team used for it over the years (first is the canonical one)
AREA_LABELS: dict[str, tuple[str, ...]] = {
    "networking": ("area/networking", "network", "area/network", "firewall"),
    "filesharing": ("area/filesharing", "mounts", "area/mounts", "volumes", "VirtioFS"),
    "startup": ("area/startup", "startup", "Daemon/engine"),
    "installer": ("area/installer", "installer"),
    "update": ("area/update", "update"),
    "gui": ("area/gui", "gui", "settings"),
    "login": ("area/login", "login"),
    "storage": ("area/storage", "storage"),
    "wsl2": ("area/wsl2", "WSL2", "area/wsl"),
    "hyper-v": ("area/hyper-v", "hyper-v"),
    "windows-containers": ("area/windows-containers", "wincon"),
    "kubernetes": ("area/kubernetes", "kube", "Kube"),
    "emulation": ("area/emulation", "emulation", "m1"),
    "hyperkit": ("area/hyperkit", "hyperkit"),
    "build": ("area/build", "build"),
    "compose": ("area/compose", "compose"),
}

_IMAGES = (
    "nginx:latest",
    "postgres:16",
    "node:20-alpine",
    "python:3.12-slim",
    "redis:7",
    "mysql:8.0",
    "ubuntu:24.04",
    "golang:1.23",
)
_HOSTS = (
    "registry.npmjs.org",
    "github.com",
    "pypi.org",
    "deb.debian.org",
    "api.internal.example.com",
)
_DISTROS = ("Ubuntu", "Ubuntu-22.04", "Ubuntu-24.04", "Debian", "kali-linux")
_PATHS_MAC = (
    "/Users/{u}/projects/app",
    "/Users/{u}/code/api",
    "/Volumes/Data/src",
    "/Users/{u}/projects/site",
)
_PATHS_WIN = (
    "C:\\Users\\{u}\\source\\repos\\app",
    "D:\\projects\\api",
    "C:\\dev\\web",
    "\\\\wsl$\\Ubuntu\\home\\{u}\\src",
)


def fill_params(
    rng: random.Random, at: datetime, platform: str, user: str = "dev"
) -> dict[str, str]:
    """Values for the placeholders: drawn once per outbreak (shared) or once per issue."""
    minor = minor_at(at)
    u = user.lower()[:12] or "dev"
    paths = _PATHS_MAC if platform == "mac" else _PATHS_WIN
    return {
        "port": str(
            rng.choice((80, 443, 3000, 3306, 5000, 5432, 6379, 8000, 8080, 8443, 9000, 27017))
        ),
        "ver": f"4.{minor}.{rng.randint(0, 2)}",
        "prev": f"4.{max(0, minor - 1)}.{rng.randint(0, 2)}",
        "image": rng.choice(_IMAGES),
        "host": rng.choice(_HOSTS),
        "distro": rng.choice(_DISTROS),
        "path": rng.choice(paths).replace("{u}", u),
        "code": rng.choice(("4294967295", "1", "255", "0xc03a001a", "-1")),
        "mb": str(rng.choice((412, 96, 1024, 37))),
        "n": str(rng.randint(2, 60)),
        "pid": str(rng.randint(300, 65000)),
        "hex": f"{rng.getrandbits(48):012x}",
    }


def fill(text: str, params: dict[str, str]) -> str:
    if "{" not in text:
        return text
    for key, value in params.items():
        text = text.replace("{" + key + "}", value)
    return text


#: circumstances a regression is tied to; an outbreak picks one and most of its reports say it
#: in one of several wordings (unrelated reports mention one now and then, so it is no give-away)
TRIGGERS: tuple[tuple[str, ...], ...] = (
    ("It only happens after the machine wakes up from sleep.", "Happens every time after resume from sleep/hibernate.",
     "After sleep it breaks; a fresh boot works."),
    ("It started right after updating to {ver}.", "{prev} was fine, {ver} is broken.", "Regression in {ver}, downgrading helps."),
    ("Only while the Cisco AnyConnect VPN is connected.", "Happens only with our corporate VPN (AnyConnect) on.",
     "Disconnecting AnyConnect makes it go away."),
    ("It happens when Resource Saver mode kicks in.", "Seems related to Resource Saver: after a few idle minutes it breaks.",
     "Turning off Resource Saver avoids it."),
    ("Only with the containerd image store enabled.", "If I untick 'Use containerd for pulling and storing images' it works.",
     "containerd image store on = broken, off = fine."),
    ("Only when 'Use Rosetta for x86_64/amd64 emulation' is enabled.", "Disabling Rosetta in settings works around it.",
     "With the Rosetta option off it does not happen."),
    ("It happens once more than {n} containers are running.", "With a handful of containers it is fine, with {n}+ it breaks.",
     "Seems to depend on the number of running containers ({n} here)."),
    ("Only on machines enrolled in our MDM / managed by IT.", "Our managed laptops have it, my personal one does not.",
     "IT-managed devices only, maybe a policy?"),
    ("Only with Enhanced Container Isolation turned on.", "ECI enabled by our admin; without it it works.",
     "Happens since our org turned on Enhanced Container Isolation."),
    ("Only when the project is on a network drive.", "Projects on the local disk work, on the mapped network drive they don't.",
     "Happens only for folders on our file server."),
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Request:
    """A feature request, docs report or question: needs no diagnostics."""

    kind: str  # feature / docs / question
    area: str
    title: str
    body: str


FEATURES = (
    Request("feature", "gui", "Add a way to pin containers to the top of the list", "With dozens of containers it is hard to find the ones I use every day. A pin or favourite option in the Containers view would help."),
    Request("feature", "gui", "Feature request: dark mode that follows the system schedule", "The theme option only has light/dark/system, but system does not switch when macOS switches at sunset until I restart the app."),
    Request("feature", "storage", "Allow choosing the disk image location per user", "Our laptops have a small system drive. I would like to put the disk image on D: without editing json files by hand."),
    Request("feature", "kubernetes", "Option to choose the Kubernetes version", "We run 1.29 in production and would like the bundled cluster to match instead of always the newest one."),
    Request("feature", "networking", "Support IPv6 for published ports", "Publishing a port only listens on IPv4 on the host. Please add an option to also bind ::1."),
    Request("feature", "update", "Let admins postpone updates for a week", "Updates arrive in the middle of a sprint. An admin setting to delay them by a few days would avoid surprises."),
    Request("feature", "filesharing", "Expose file sharing implementation per project", "I'd like to choose VirtioFS for one project and gRPC FUSE for another, instead of one global setting."),
    Request("feature", "build", "Show build cache size in the dashboard", "The Builds view shows history but not how much disk the cache uses, so I never know when to prune."),
    Request("feature", "compose", "Compose: restart only the changed service from the UI", "When editing a compose project it would be nice to restart only one service from the dashboard."),
    Request("feature", "wsl2", "Allow limiting memory of the docker-desktop WSL distro from the UI", "Right now I have to edit .wslconfig; a slider in Settings > Resources would be easier."),
    Request("feature", "emulation", "Warn when an image has no arm64 variant", "On Apple silicon it is easy to pull amd64 images by accident. A warning in the UI would help."),
)  # fmt: skip

DOCS = (
    Request("docs", "installer", "Docs: install page still mentions Windows 10 1909", "The system requirements on the Windows install page list a build that is no longer supported. Page: https://docs.docker.com/desktop/setup/install/windows-install/"),
    Request("docs", "networking", "Docs about host.docker.internal are unclear for Linux containers on Windows", "The networking page does not say whether host.docker.internal works in Windows containers mode. Page: https://docs.docker.com/desktop/features/networking/"),
    Request("docs", "filesharing", "Documentation for synchronized file shares missing a limits section", "How many files can a synchronized share hold? The docs do not say. Page: https://docs.docker.com/desktop/features/synchronized-file-sharing/"),
    Request("docs", "gui", "Typo in the settings reference page", "The settings reference says 'Resouces' in two places. Page: https://docs.docker.com/desktop/settings-and-maintenance/settings/"),
    Request("docs", "login", "Docs should explain how to sign in behind an SSO proxy", "The sign-in docs assume direct internet access."),
)  # fmt: skip

QUESTIONS = (
    Request("question", "filesharing", "How do I make node_modules not sync to the host?", "I use a bind mount for my project and node_modules is very slow. What is the recommended setup?"),
    Request("question", "networking", "Question: how can a container reach a service on my VPN?", "Is there a setting to route container traffic through the host VPN interface?"),
    Request("question", "kubernetes", "Can I run two Kubernetes clusters at once?", "I would like a second cluster for testing upgrades. Is that possible with Docker Desktop?"),
    Request("question", "storage", "Where are my volumes stored on disk?", "I need to back up a named volume. Where does Docker Desktop keep it on Windows?"),
    Request("question", "login", "Is a paid subscription required for my use case?", "I use Docker Desktop at a university lab. Do we need a subscription?"),
    Request("question", "wsl2", "Is it safe to delete the docker-desktop-data distro?", "It takes 60 GB. Can I remove it and let Docker Desktop create it again?"),
)  # fmt: skip


def requests_of(kind: str) -> tuple[Request, ...]:
    return {"feature": FEATURES, "docs": DOCS, "question": QUESTIONS}[kind]
