from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from triagedesk.domain.checklist import (
    BundleCheck,
    PersonReproduction,
    build_checklist,
    gather_evidence,
    labels_as_filed,
)
from triagedesk.domain.evidence.template import EMPTY_TEMPLATES
from triagedesk.domain.model import Comment, EventKind, Issue, IssueEvent, IssueRef, RepoRef

T0 = datetime(2021, 3, 1, 9, 0, tzinfo=UTC)
G = "5C0B4E1A-93D2-4F6B-A8E7-2D1C0F9B3A64"
ID = f"{G}/20210301085959"

FILLED = f"""- [x] I have tried with the latest version of my channel (Stable or Edge)
- [x] I have uploaded Diagnostics
- Diagnostics ID: {ID}

### Expected behavior
Containers can reach the internet.

### Actual behavior
Since the update no container resolves any DNS name; ping by IP works fine.

### Information
- Windows Version: Windows 10 Pro 20H2
- Docker Desktop Version: 3.2.1 (61626)
- Are you running inside a virtualized Windows e.g. on a cloud server or on a mac VM: No

### Steps to reproduce the behavior
1. Start Docker Desktop with the Hyper-V backend
2. Run docker run --rm alpine nslookup docker.com
"""

THIN_FREE = "docker is broken pls fix"
RICH_FREE = (
    "After waking my MacBook from sleep the Docker engine no longer answers; the whale icon "
    "stays orange and every docker command hangs until I restart the app from the menu. "
    f"Docker Desktop 4.12.0 on macOS 12.6, Apple M1. Diagnostics ID: {ID}"
)

STEPS = "\n\n1. Put the Mac to sleep for ten minutes\n2. Wake it and run docker ps\n"


def issue(
    body: str,
    *,
    title: str = "Something is wrong",
    labels: tuple[str, ...] = (),
    comments: tuple[tuple[str, str], ...] = (),
    events: tuple[IssueEvent, ...] = (),
) -> Issue:
    return Issue(
        ref=IssueRef(RepoRef("docker", "for-win"), 42),
        title=title,
        body=body,
        author="reporter",
        created_at=T0,
        updated_at=T0,
        labels=labels,
        comments=tuple(
            Comment(i + 1, who, text, T0 + timedelta(hours=i + 1))
            for i, (who, text) in enumerate(comments)
        ),
        events=events,
    )


# (name, issue, verdict, missing)
CASES = [
    ("filled 2018 template with an ID", issue(FILLED), "complete", ()),
    (
        "empty template",
        issue(EMPTY_TEMPLATES["2019"]),
        "needs-more-info",
        ("diagnostics", "environment", "reproduction-present", "template-complete"),
    ),
    (
        "empty form",
        issue(EMPTY_TEMPLATES["form"]),
        "needs-more-info",
        ("diagnostics", "environment", "reproduction-present", "template-complete"),
    ),
    (
        "declined ID, rest filled",
        issue(FILLED.replace(f"- Diagnostics ID: {ID}", "- Diagnostics ID: NA")),
        "needs-more-info",
        ("diagnostics",),
    ),
    (
        "rich free text with an ID but no reproduction",
        issue(RICH_FREE),
        "needs-more-info",
        ("reproduction-present",),
    ),
    ("rich free text with an ID and steps", issue(RICH_FREE + STEPS), "complete", ()),
    (
        "template steps left as placeholders",
        issue(
            FILLED.replace(
                "1. Start Docker Desktop with the Hyper-V backend\n2. Run docker run --rm alpine nslookup docker.com",
                "1. ...\n2. ...",
            )
            + "\n```bash\ndocker run --rm alpine nslookup docker.com\n```\n"
        ),
        "needs-more-info",
        ("reproduction-present",),
    ),
    (
        "thin free text with an ID",
        issue(f"{THIN_FREE} DID: {ID}"),
        "needs-more-info",
        ("reproduction-present", "template-complete"),
    ),
    (
        "feature request without diagnostics",
        issue(
            "It would be great to choose where the VM disk lives.",
            title="[Feature request] disk location",
        ),
        "complete",
        (),
    ),
    (
        "question without diagnostics",
        issue(
            "I want to change the default subnet of the bridge network.",
            title="How do I change the subnet?",
        ),
        "complete",
        (),
    ),
    (
        "empty feature request",
        issue("", title="Feature request: X"),
        "needs-more-info",
        ("template-complete",),
    ),
    (
        "pasted diagnose output instead of an ID",
        issue(
            RICH_FREE.replace(f"Diagnostics ID: {ID}", "")
            + STEPS
            + "\n```\n[PASS] DD0027: is there available disk space?\n[FAIL] DD0004: is the Docker engine running?\n```"
        ),
        "complete",
        (),
    ),
    (
        "ID given later in a comment by the reporter",
        issue(
            FILLED.replace(f"- Diagnostics ID: {ID}", "- Diagnostics ID:"),
            comments=(("maintainer", "please upload diagnostics"), ("reporter", f"here: {ID}")),
        ),
        "complete",
        (),
    ),
    (
        "ID given by someone else does not count",
        issue(
            FILLED.replace(f"- Diagnostics ID: {ID}", "- Diagnostics ID:"),
            comments=(("someone", f"mine: {ID}"),),
        ),
        "needs-more-info",
        ("diagnostics",),
    ),
]


@pytest.mark.parametrize(
    ("name", "subject", "verdict", "missing"), CASES, ids=[c[0] for c in CASES]
)
def test_verdicts(name: str, subject: Issue, verdict: str, missing: tuple[str, ...]) -> None:
    cl = build_checklist(subject, now=T0)
    assert (cl.verdict, cl.missing) == (verdict, missing), [
        (ln.name, ln.status, ln.evidence) for ln in cl.lines
    ]
    assert all(ln.evidence for ln in cl.lines)


def test_as_first_filed_ignores_later_comments() -> None:
    subject = issue(
        FILLED.replace(f"- Diagnostics ID: {ID}", "- Diagnostics ID:"),
        comments=(("reporter", f"here: {ID}"),),
    )
    assert build_checklist(subject, now=T0, include_comments=False).missing == ("diagnostics",)


def test_not_needed_lines_for_a_feature_request() -> None:
    cl = build_checklist(
        issue("Please add a setting for the DNS server.", title="Please add a DNS setting"), now=T0
    )
    for name in ("diagnostics", "logs-uploaded", "environment", "reproduction-present"):
        line = cl.line(name)
        assert line is not None and line.status == "not-needed", name


@pytest.mark.parametrize(
    ("bundles", "status", "blocking"),
    [
        (None, "could-not-verify", False),
        ({ID: BundleCheck(ID, "found", key=f"incoming/1/{ID}.zip", size=123)}, "ok", False),
        ({G: BundleCheck(G, "found", key=f"incoming/1/{ID}.zip", size=5)}, "ok", False),
        ({ID: BundleCheck(ID, "not-found")}, "missing", True),
        ({ID: BundleCheck(ID, "error", detail="bucket unreachable")}, "could-not-verify", False),
        ({}, "could-not-verify", False),
    ],
)
def test_logs_uploaded(bundles: dict[str, BundleCheck] | None, status: str, blocking: bool) -> None:
    cl = build_checklist(issue(FILLED), now=T0, bundles=bundles)
    line = cl.line("logs-uploaded")
    assert line is not None and line.status == status
    assert ("logs-uploaded" in cl.missing) is blocking


def test_unreachable_bucket_says_why() -> None:
    cl = build_checklist(
        issue(FILLED), now=T0, bundles={ID: BundleCheck(ID, "error", detail="access denied")}
    )
    line = cl.line("logs-uploaded")
    assert line is not None and "access denied" in line.evidence and cl.complete


def test_person_reproduction_is_shown_and_covers_an_invalid_one() -> None:
    body = RICH_FREE + "\n```dockerfile\nRUN echo no from\n```"
    assert build_checklist(issue(body), now=T0).missing == ("reproduction-valid",)
    rep = PersonReproduction("alice", T0 + timedelta(days=1), "4.12.0", "macOS 12 arm64")
    cl = build_checklist(issue(body), now=T0, reproductions=[rep])
    assert cl.complete
    line = cl.line("reproduced-by-person")
    assert line is not None and "alice" in line.evidence and "4.12.0" in line.evidence


def test_json_shape() -> None:
    d = build_checklist(issue(FILLED), now=T0).to_dict()
    assert {"repo", "number", "verdict", "missing", "lines", "evidence"} <= set(d)
    assert d["repo"] == "docker/for-win" and d["number"] == 42
    assert d["evidence"]["diagnostics"]["ids"][0]["id"] == ID
    assert d["evidence"]["environment"]["product_version"]["value"] == "3.2.1"


def test_labels_as_filed_only_counts_labels_added_at_creation() -> None:
    events = (
        IssueEvent(EventKind.LABELED, "github-actions", T0 + timedelta(seconds=5), "needs-triage"),
        IssueEvent(EventKind.LABELED, "github-actions", T0 + timedelta(seconds=5), "kind/bug"),
        IssueEvent(EventKind.UNLABELED, "bot", T0 + timedelta(seconds=9), "kind/bug"),
        IssueEvent(EventKind.LABELED, "maintainer", T0 + timedelta(days=2), "kind/enhancement"),
    )
    subject = issue("x", labels=("needs-triage", "kind/enhancement"), events=events)
    assert labels_as_filed(subject) == ("needs-triage",)
    assert gather_evidence(subject, include_comments=False).kind.kind == "bug"
    assert gather_evidence(subject).kind.kind == "feature"
