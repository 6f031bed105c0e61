"""Every extractor takes any text without raising; hostile shapes finish (timing lives in bench/)."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from triagedesk.domain.checklist import build_checklist
from triagedesk.domain.evidence.diagnostics import find_diagnostics
from triagedesk.domain.evidence.environment import find_environment
from triagedesk.domain.evidence.kind import find_kind
from triagedesk.domain.evidence.reproduction import find_reproduction
from triagedesk.domain.evidence.template import find_template, template_similarity
from triagedesk.domain.model import Comment, Issue, IssueRef, RepoRef

T0 = datetime(2022, 1, 1, tzinfo=UTC)
G = "5C0B4E1A-93D2-4F6B-A8E7-2D1C0F9B3A64"

# pieces of the real shapes, so random texts hit the interesting paths
PIECES = [
    "### Expected behavior\n",
    "### Actual behavior\n",
    "### Information\n",
    "### Steps to reproduce the behavior\n",
    "### Description\n",
    "### Diagnostics ID\n",
    "- Diagnostics ID: ",
    "DID:",
    G,
    G.lower(),
    "/20210506123456",
    "/2017-03-04_10-11-12",
    "logs: /tmp/",
    "incoming/3/",
    ".tar.gz",
    "[OK] vmnetd\n",
    "[ERROR] ",
    "[FAIL] DD0004: is it?",
    "\n    Failed with: x\n",
    "1 : The test: ",
    "```",
    "```bash\n",
    "```dockerfile\n",
    "~~~",
    "FROM ",
    "RUN \\\n",
    "<<EOF\n",
    "services:\n",
    "$ ",
    "PS C:\\> ",
    "1. ...\n",
    "2. ",
    "- [ ] ",
    "<!--",
    "-->",
    "**",
    "> ",
    "Docker for Mac: version: ",
    "macOS: version 10.12.5 (build: 16F73)\n",
    "Windows 10 Pro (21H1) OS build 19043.1165",
    "upgrading from 3.5.2 to ",
    "switched to the edge",
    "_No response_",
    "NA",
    "\r\n",
    "\x00",
    "\u202e",
    "é",
    "{",
    "}",
    "\t",
    " ",
    "\n",
]

texts = st.one_of(
    st.text(max_size=400),
    st.lists(st.sampled_from(PIECES) | st.text(max_size=12), max_size=60).map("".join),
)

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(texts)
def test_diagnostics_never_raises(text: str) -> None:
    ev = find_diagnostics(text)
    for i in ev.ids:
        assert i.uuid == i.uuid.upper() and len(i.uuid) == 36
    assert all(c.status in ("ok", "warn", "fail", "skip") for c in ev.checks)
    assert isinstance(ev.failing_components, tuple)


@FUZZ
@given(texts)
def test_environment_never_raises(text: str) -> None:
    env = find_environment(text)
    assert env.os is None or env.os.value in ("macos", "windows", "linux")


@FUZZ
@given(texts)
def test_reproduction_never_raises(text: str) -> None:
    rep = find_reproduction(text, lambda kind, body: (None, "skipped"))
    assert set(rep.kinds) <= {"ui-steps", "shell", "dockerfile", "compose"}


@FUZZ
@given(texts)
def test_template_never_raises(text: str) -> None:
    ev = find_template(text)
    assert 0.0 <= ev.score <= 1.0
    assert 0.0 <= template_similarity(text) <= 1.0


@FUZZ
@given(texts, texts, st.lists(st.text(max_size=20), max_size=4))
def test_checklist_never_raises(title: str, body: str, labels: list[str]) -> None:
    find_kind(title, body, labels)
    issue = Issue(
        ref=IssueRef(RepoRef("o", "r"), 1),
        title=title,
        body=body,
        author="a",
        created_at=T0,
        updated_at=T0,
        labels=tuple(labels),
        comments=(Comment(1, "a", body[::-1], T0),),
    )
    cl = build_checklist(issue, now=T0)
    assert cl.verdict in ("complete", "needs-more-info")
    assert set(cl.missing) <= {ln.name for ln in cl.lines}


HOSTILE = [
    "a" * 1_000_000,
    "\n" * 1_000_000,
    (G + "/") * 27_000,
    "[OK] x\n" * 140_000,
    "```\n" * 250_000,
    "<!--" * 250_000,
    "1. ...\n" * 140_000,
    "$ " * 500_000,
    "- a:" * 250_000,
    "```\nFROM a\n" + "RUN \\\n" * 160_000,
    "### Steps to reproduce\n" + "- step one two\n" * 60_000,
]


def test_hostile_megabyte_bodies_finish_with_an_answer() -> None:
    for body in HOSTILE:
        issue = Issue(IssueRef(RepoRef("o", "r"), 1), body[:300], body, "a", T0, T0)
        assert build_checklist(issue, now=T0).verdict in ("complete", "needs-more-info")
        assert template_similarity(body) <= 1.0


def test_bytes_and_none_are_read_as_text() -> None:
    assert find_diagnostics(b"DID: " + G.encode() + b"\xff").ids  # type: ignore[arg-type]
    assert find_diagnostics(None).ids == ()  # type: ignore[arg-type]
