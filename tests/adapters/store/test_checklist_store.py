from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.engine import Engine

from triagedesk.adapters.store.checklists import SqlChecklistStore
from triagedesk.domain.checklist import BundleCheck, PersonReproduction, build_checklist
from triagedesk.domain.model import Issue, IssueRef, RepoRef

T0 = datetime(2024, 2, 1, 10, 0, tzinfo=UTC)
REF = IssueRef(RepoRef("docker", "for-mac"), 9)
G = "5C0B4E1A-93D2-4F6B-A8E7-2D1C0F9B3A64"


def _issue(body: str, number: int = 9) -> Issue:
    return Issue(IssueRef(REF.repo, number), "Engine stops", body, "rep", T0, T0)


def test_history_grows_only_when_the_checklist_changes(engine: Engine) -> None:
    store = SqlChecklistStore(engine)
    first = build_checklist(_issue("it is broken"), now=T0)
    assert store.save_checklist(first) is True
    # same content, later: no new history entry
    assert (
        store.save_checklist(build_checklist(_issue("it is broken"), now=T0 + timedelta(hours=1)))
        is False
    )
    body = (
        "After the 4.27.1 update the engine stops every few minutes and all containers exit; "
        f"the dashboard says the engine is stopped. macOS 14.4 on Apple M2. Diagnostics ID: {G}/20240201095959"
        "\n\n1. Start a container\n2. Wait ten minutes and run docker ps\n"
    )
    second = build_checklist(_issue(body), now=T0 + timedelta(days=1))
    assert store.save_checklist(second) is True
    history = store.checklist_history(REF)
    assert [h.verdict for h in history] == ["needs-more-info", "complete"]
    latest = store.latest_checklist(REF)
    assert latest is not None and latest.verdict == "complete" and latest.missing == ()
    assert latest.computed_at == T0 + timedelta(days=1)
    assert latest.data["evidence"]["diagnostics"]["ids"][0]["uuid"] == G
    assert store.latest_checklist(IssueRef(REF.repo, 999)) is None


def test_latest_checklists_per_issue(engine: Engine) -> None:
    store = SqlChecklistStore(engine)
    store.save_checklist(build_checklist(_issue("a", 1), now=T0))
    store.save_checklist(build_checklist(_issue(f"DID: {G}", 1), now=T0 + timedelta(minutes=1)))
    store.save_checklist(build_checklist(_issue("c", 2), now=T0))
    latest = store.latest_checklists(REF.repo)
    assert [(s.ref.number, s.computed_at) for s in latest] == [
        (1, T0 + timedelta(minutes=1)),
        (2, T0),
    ]
    assert store.latest_checklists(RepoRef("docker", "for-win")) == []


def test_reproductions(engine: Engine) -> None:
    store = SqlChecklistStore(engine)
    store.record_reproduction(
        REF, PersonReproduction("bob", T0 + timedelta(days=2), "4.28.0", "windows 11")
    )
    store.record_reproduction(
        REF, PersonReproduction("alice", T0, "4.27.1", "macOS 14 arm64", "with VirtioFS")
    )
    got = store.reproductions(REF)
    assert [(r.by, r.version, r.platform, r.note) for r in got] == [
        ("alice", "4.27.1", "macOS 14 arm64", "with VirtioFS"),
        ("bob", "4.28.0", "windows 11", ""),
    ]
    assert got[0].at == T0
    assert store.reproductions(IssueRef(REF.repo, 1)) == []


def test_bundle_checks_are_replaced(engine: Engine) -> None:
    store = SqlChecklistStore(engine)
    diag = f"{G}/20240201095959"
    store.save_bundle_check(BundleCheck(diag, "error", detail="unreachable"), T0)
    store.save_bundle_check(
        BundleCheck(
            diag,
            "found",
            key=f"incoming/1/{diag}.zip",
            size=10_000_000_000,
            uploaded_at=T0,
            signatures=("area/storage: the disk is full (logs/vm.log)",),
        ),
        T0 + timedelta(hours=1),
    )
    got = store.bundle_check(diag)
    assert got is not None
    check, at = got
    assert (check.state, check.size, check.uploaded_at, at) == (
        "found",
        10_000_000_000,
        T0,
        T0 + timedelta(hours=1),
    )
    assert check.signatures == ("area/storage: the disk is full (logs/vm.log)",)
    assert store.bundle_check("nope") is None
