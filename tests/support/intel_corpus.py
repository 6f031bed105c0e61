"""A small deterministic history for the intelligence tests (our own text, real shapes).

Topics each carry an area, title phrasings, error lines and a failing diagnose
check. Labels come in the inconsistent spellings of history (``network``,
``area/network``, ``Kube``, ``bug``), some added a day after filing. Every
``dup_every``-th issue repeats an earlier one of its topic and is closed by a
team member with one of the team's phrasings; one chain (a dupe of a dupe) and
one corrected number are included; users' "same as #N" comments appear on
issues that are not duplicates.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from triagedesk.domain.model import (
    Association,
    CloseReason,
    Comment,
    EventKind,
    Issue,
    IssueEvent,
    IssueRef,
    IssueState,
    RepoRef,
)

MAC = RepoRef("docker", "for-mac")
WIN = RepoRef("docker", "for-win")
T0 = datetime(2021, 1, 4, 9, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Topic:
    area_labels: tuple[str, ...]  # spellings used over the years
    titles: tuple[str, ...]
    errors: tuple[str, ...]
    check: str
    words: tuple[str, ...]


TOPICS = (
    Topic(
        ("network", "area/network", "area/networking"),
        (
            "Port forwarding stops working after sleep",
            "Published port not reachable from host",
            "DNS resolution fails inside containers",
        ),
        (
            "Error response from daemon: driver failed programming external connectivity",
            "dial tcp: lookup registry-1.docker.io: no such host",
        ),
        "[FAIL] DD0013: is the VM networking working? vpnkit not responding",
        ("port", "localhost", "vpnkit", "dns", "network", "connection refused"),
    ),
    Topic(
        ("mounts", "area/mounts", "volumes"),
        (
            "Bind mount extremely slow on large project",
            "File changes not picked up in mounted folder",
            "Volume mount shows empty directory",
        ),
        (
            "Error response from daemon: invalid mount config for type bind",
            "error while creating mount source path: mkdir /host_mnt: file exists",
        ),
        "[FAIL] DD0021: is file sharing working? osxfs not responding",
        ("mount", "bind", "folder", "files", "sync", "npm install"),
    ),
    Topic(
        ("kube", "Kube", "area/kube"),
        (
            "Kubernetes stuck on starting",
            "Kubernetes cluster fails to start after reset",
            "kubectl cannot connect to the bundled cluster",
        ),
        (
            "Unable to connect to the server: dial tcp 127.0.0.1:6443: connect: connection refused",
            "kubernetes failed to start: timed out waiting for the api server",
        ),
        "[FAIL] DD0027: is Kubernetes running? control plane not ready",
        ("kubernetes", "kubectl", "cluster", "pods", "context"),
    ),
    Topic(
        ("WSL2", "area/wsl2", "wsl"),
        (
            "WSL integration fails with distro",
            "Docker Desktop WSL 2 backend will not start",
            "WSL2 distro terminated unexpectedly",
        ),
        (
            "Wsl/Service/CreateInstance/0x8007273d error while starting the wsl distro",
            "exit status 0xffffffff from wsl.exe --import docker-desktop",
        ),
        "[FAIL] DD0035: is the WSL 2 Linux VM running? docker-desktop distro stopped",
        ("wsl", "distro", "ubuntu", "integration", "windows"),
    ),
    Topic(
        ("startup", "area/startup", "Daemon/engine"),
        (
            "Docker Desktop stuck on starting forever",
            "Engine fails to start after update",
            "Docker daemon not running after reboot",
        ),
        (
            "error during connect: this error may indicate that the docker daemon is not running",
            "Cannot connect to the Docker daemon at unix:///var/run/docker.sock",
        ),
        "[FAIL] DD0004: is the Docker engine running? engine not responding",
        ("starting", "engine", "daemon", "whale", "restart"),
    ),
)

_FILLER = (
    "I am using it every day for development and it worked before.",
    "Restarting the app does not help and neither does a reboot.",
    "This started this morning and happens every time now.",
    "Our whole team sees the same thing on different machines.",
    "I tried resetting to factory defaults without luck.",
)


def _body(rng: random.Random, topic: Topic, repo: RepoRef, version: str, err: str) -> str:
    mac = repo == MAC
    words = " ".join(rng.sample(list(topic.words), k=min(3, len(topic.words))))
    lines = [
        "- [x] I have tried with the latest version of Docker Desktop",
        f"- Diagnostics ID: {str(uuid.UUID(int=rng.getrandbits(128))).upper()}/20210301101010",
        "",
        "### Actual behavior",
        f"{rng.choice(_FILLER)} Something about {words}.",
        "",
        "```",
        err,
        "```",
        "",
        "### Information",
        f"- {'macOS Version: 11.2.2' if mac else 'Windows Version: Windows 10 Pro 21H1'}",
        f"- Docker Desktop Version: {version}",
        "",
        "### Output of com.docker.diagnose check",
        "[PASS] DD0001: is the application running?",
        topic.check,
        "",
        "### Steps to reproduce the behavior",
        "1. start docker",
        f"2. {rng.choice(_FILLER)}",
    ]
    if rng.random() < 0.3:
        lines = lines[3:6]  # a reporter who ignored the template
    return "\n".join(lines)


def build(
    n: int = 160, *, seed: int = 7, dup_every: int = 6, bot: str = "triagedesk[bot]"
) -> list[Issue]:
    rng = random.Random(seed)
    out: list[Issue] = []
    by_topic: dict[int, list[int]] = {}
    number = {MAC: 0, WIN: 0}
    for i in range(n):
        ti = i % len(TOPICS) if rng.random() < 0.8 else rng.randrange(len(TOPICS))
        topic = TOPICS[ti]
        repo = WIN if (ti == 3 or rng.random() < 0.5) else MAC
        number[repo] += 1
        ref = IssueRef(repo, number[repo])
        created = T0 + timedelta(hours=13 * i)
        version = rng.choice(["4.1.0", "4.2.0", "4.3.1"])
        is_dup = i >= dup_every * 2 and i % dup_every == 0 and by_topic.get(ti)
        comments: list[Comment] = []
        events: list[IssueEvent] = []
        state, reason, closed_at = IssueState.OPEN, None, None
        err = rng.choice(topic.errors)
        title = rng.choice(topic.titles)
        if is_dup:
            orig_idx = rng.choice(by_topic[ti])
            orig = out[orig_idx]
            title = orig.title if rng.random() < 0.5 else rng.choice(topic.titles)
            err_line = next((ln for ln in orig.body.splitlines() if ln in topic.errors), err)
            err = err_line
            phr = rng.choice(
                [
                    "Closing as dupe of {r}",
                    "This is a dupe of {r}, so I'm closing this copy",
                    "closing in favour of {r} to keep the discussion in one place",
                    "we track this in {r}",
                    "duplicate of https://github.com/{full}/issues/{num}",
                ]
            )
            target = str(orig.number) if orig.repo == repo else f"{orig.repo}#{orig.number}"
            text = phr.format(
                r=f"#{target}" if orig.repo == repo else target,
                full=orig.repo,
                num=orig.number,
            )
            at = created + timedelta(days=1)
            comments.append(Comment(i * 10 + 1, "maintainer-a", text, at, None, Association.MEMBER))
            state, reason, closed_at = IssueState.CLOSED, CloseReason.DUPLICATE, at
        elif by_topic.get(ti) and rng.random() < 0.15:
            other = out[rng.choice(by_topic[ti])]
            comments.append(
                Comment(
                    i * 10 + 2,
                    "someone",
                    f"same as #{other.number}",
                    created + timedelta(hours=3),
                    None,
                    Association.NONE,
                )
            )
        labels: list[str] = []
        if rng.random() < 0.7:
            labels.append(rng.choice(topic.area_labels))
        if rng.random() < 0.6:
            labels.append(rng.choice(["bug", "kind/bug"]))
        if rng.random() < 0.5:
            labels.append(f"version/{version}")
        for j, lab in enumerate(labels):
            events.append(
                IssueEvent(
                    EventKind.LABELED, "maintainer-a", created + timedelta(days=1, minutes=j), lab
                )
            )
        if is_dup:
            labels.append("status/duplicate")
        issue = Issue(
            ref=ref,
            title=title,
            body=_body(rng, topic, repo, version, err),
            author=f"user{i}",
            created_at=created,
            updated_at=created + timedelta(days=2),
            state=state,
            state_reason=reason,
            closed_at=closed_at,
            labels=tuple(labels),
            comments=tuple(comments),
            events=tuple(events),
            url=f"https://github.com/{repo}/issues/{ref.number}",
        )
        out.append(issue)
        if not is_dup:
            by_topic.setdefault(ti, []).append(i)
    _ = bot
    return out


def topic_of(issue: Issue) -> int:
    for ti, t in enumerate(TOPICS):
        if issue.title in t.titles:
            return ti
    return -1
