"""A synthetic tracker history for the report tests and the report benchmark.

Issues arrive over ``days`` days before ``end`` in two repositories, walk the
status workflow through label events (triage → more-info / acknowledged →
in progress → fixed), get closed (a few reopened and closed again), commented,
reacted to, and now and then marked as a duplicate of an earlier issue. One
area sees a burst of new issues in the last week, most of them on a version
first seen that week, so the report has a spike that follows a release.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import datetime, timedelta

from triagedesk.domain.model import (
    CloseReason,
    Comment,
    EventKind,
    Issue,
    IssueEvent,
    IssueRef,
    IssueState,
    Reactions,
    RepoRef,
)

MAC = RepoRef("docker", "for-mac")
WIN = RepoRef("docker", "for-win")
AREAS = (
    "network",
    "area/networking",
    "mounts",
    "area/filesharing",
    "startup",
    "WSL2",
    "kube",
    "gui",
)
WORDS = (
    "port binding fails",
    "dns resolution broken",
    "bind mount slow",
    "engine does not start",
    "wsl integration lost",
    "kubernetes stuck starting",
    "dashboard blank",
    "volume permissions wrong",
)


def synthetic_issues(
    n: int,
    *,
    end: datetime,
    days: int = 730,
    seed: int = 7,
    burst: int = 0,
    burst_version: str = "4.99.0",
) -> Iterator[Issue]:
    """``n`` issues created over ``days`` days before ``end`` plus ``burst`` networking issues
    in the last week, all reporting ``burst_version``."""
    rnd = random.Random(seed)
    span = days * 86400
    numbers = {MAC: 0, WIN: 0}
    for i in range(n + burst):
        repo = MAC if rnd.random() < 0.4 else WIN
        numbers[repo] += 1
        number = numbers[repo]
        if i < n:
            created = end - timedelta(seconds=span * (1 - (i + rnd.random()) / n))
            version = f"4.{rnd.randint(10, 40)}.{rnd.randint(0, 3)}"
            area = rnd.choice(AREAS) if rnd.random() < 0.35 else None
        else:
            created = end - timedelta(seconds=rnd.uniform(3600, 6.5 * 86400))
            version = burst_version
            area = "network"
        yield _issue(rnd, repo, number, created, end, version, area)


def _issue(
    rnd: random.Random,
    repo: RepoRef,
    number: int,
    created: datetime,
    end: datetime,
    version: str,
    area: str | None,
) -> Issue:
    events: list[IssueEvent] = []
    labels = ["kind/bug"]
    if area:
        labels.append(area)
    if rnd.random() < 0.05:
        labels.append("priority/p1")

    def move(at: datetime, old: str | None, new: str) -> None:
        if at >= end:
            return
        if old:
            events.append(IssueEvent(EventKind.UNLABELED, "bot", at, old))
        events.append(IssueEvent(EventKind.LABELED, "bot", at, new))

    status = "status/0-triage"
    move(created, None, status)
    t = created
    if rnd.random() < 0.25:
        t2 = t + timedelta(hours=rnd.uniform(1, 72))
        move(t2, status, "status/0-more-info-needed")
        if t2 < end:
            status, t = "status/0-more-info-needed", t2
    if rnd.random() < 0.6:
        t2 = t + timedelta(hours=rnd.uniform(2, 240))
        if t2 < end:
            move(t2, status, "status/1-acknowledged")
            status, t = "status/1-acknowledged", t2
            if rnd.random() < 0.6:
                t3 = t + timedelta(hours=rnd.uniform(2, 400))
                if t3 < end:
                    move(t3, status, "status/3-fixed")
                    status, t = "status/3-fixed", t3
    labels.append(status)
    closed_at: datetime | None = None
    if rnd.random() < 0.8:
        c = max(t, created) + timedelta(hours=rnd.expovariate(1 / 300))
        if c < end:
            if rnd.random() < 0.05:
                events.append(IssueEvent(EventKind.CLOSED, "m", c, "completed"))
                r = c + timedelta(hours=rnd.uniform(1, 100))
                events.append(IssueEvent(EventKind.REOPENED, "u", r))
                c = r + timedelta(hours=rnd.uniform(1, 200))
            if c < end:
                closed_at = c
                events.append(IssueEvent(EventKind.CLOSED, "m", c, "completed"))
    reason = None
    if closed_at is not None and number > 10 and rnd.random() < 0.06:
        target = rnd.randint(1, number - 1)
        events.append(IssueEvent(EventKind.MARKED_AS_DUPLICATE, "m", closed_at, f"#{target}"))
        reason = CloseReason.DUPLICATE
    comments = []
    for k in range(rnd.randint(0, 4)):
        at = created + timedelta(hours=rnd.uniform(0.5, 300))
        if at < end:
            comments.append(
                Comment(id=0, author=f"user{k}", body=f"same here ({k})", created_at=at)
            )
    comments.sort(key=lambda c: c.created_at)
    events.sort(key=lambda e: e.at)
    title = f"{rnd.choice(WORDS)} on {version}"
    body = (
        "### Description\nSomething broke.\n\n### docker version\n"
        f"Docker Desktop Version: {version}\n\n### Diagnostics ID\nnone\n"
    )
    updated = max([created, *(e.at for e in events), *(c.created_at for c in comments)])
    return Issue(
        ref=IssueRef(repo, number),
        title=title,
        body=body,
        author=f"reporter{number % 97}",
        created_at=created,
        updated_at=updated,
        state=IssueState.CLOSED if closed_at else IssueState.OPEN,
        state_reason=reason or (CloseReason.COMPLETED if closed_at else None),
        closed_at=closed_at,
        labels=tuple(labels),
        assignees=("maintainer-a",) if status == "status/3-fixed" and rnd.random() < 0.5 else (),
        reactions=Reactions.of({"+1": int(rnd.expovariate(0.3))}),
        comments=tuple(comments),
        events=tuple(events),
    )
