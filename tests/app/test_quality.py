"""The quality use case: checklist stored with history, the more-info loop, bundles on moto S3."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine

from support.fake_issue_store import FakeIssueStore
from support.fake_tracker import FakeTracker
from support.s3 import ACCESS_KEY, SECRET_KEY, S3Bucket, closed_port_url, s3_bucket, s3_endpoint
from triagedesk.adapters.diagnostics import S3DiagnosticsBucket
from triagedesk.adapters.repro_validators import StaticReproValidator
from triagedesk.adapters.store.action_log import SqlActionLog
from triagedesk.adapters.store.checklists import SqlChecklistStore
from triagedesk.app import quality
from triagedesk.app.context import AppContext
from triagedesk.app.events import Change, IssueChanged
from triagedesk.domain.actions import Action, Close, SetStatus, UpsertComment
from triagedesk.domain.model import (
    Association,
    CloseReason,
    Comment,
    EventKind,
    Issue,
    IssueEvent,
    IssueRef,
    RepoRef,
)
from triagedesk.domain.workflow import Status
from triagedesk.ports.actions import ActionStatus
from triagedesk.settings import Settings, from_mapping
from triagedesk.settings.quality import DiagnosticsSettings

__all__ = ["s3_bucket", "s3_endpoint"]

WIN = RepoRef("docker", "for-win")
REF = IssueRef(WIN, 11)
T0 = datetime(2025, 6, 2, 9, 0, tzinfo=UTC)
G = "5C0B4E1A-93D2-4F6B-A8E7-2D1C0F9B3A64"
ID = f"{G}/20250602085500"

GOOD = f"""### Description

Since 4.41.2 every container loses DNS after the laptop resumes from sleep; only
restarting Docker Desktop helps. Windows 11 23H2 with the WSL 2 backend.

### Reproduce

1. Start any container, e.g. docker run -it alpine sh
2. Put the laptop to sleep for a minute and wake it
3. Run nslookup docker.com inside the container

### Expected behavior

Names resolve after resume.

### Diagnostics ID

{ID}
"""
EMPTY = """### Description

_No response_

### Reproduce

1.
2.

### Expected behavior

_No response_

### Diagnostics ID

_No response_
"""


class Clock:
    def __init__(self, t: datetime = T0) -> None:
        self.t = t

    def __call__(self) -> datetime:
        return self.t


def issue(
    body: str,
    *,
    labels: tuple[str, ...] = (),
    comments: tuple[Comment, ...] = (),
    events: tuple[IssueEvent, ...] = (),
    ref: IssueRef = REF,
    title: str = "DNS breaks after resume",
) -> Issue:
    return Issue(
        ref=ref,
        title=title,
        body=body,
        author="rep",
        created_at=T0,
        updated_at=T0,
        labels=labels,
        comments=comments,
        events=events,
    )


def ctx_for(
    engine: Engine,
    *issues: Issue,
    settings: Settings | None = None,
    bucket: S3DiagnosticsBucket | None = None,
    tracker: FakeTracker | None = None,
    now: datetime = T0,
) -> AppContext:
    store = FakeIssueStore()
    store.upsert_issues(issues)
    return AppContext(
        settings=settings or Settings(),
        issues=store,
        now=Clock(now),
        actions=SqlActionLog(engine),
        tracker=tracker,
        checklists=SqlChecklistStore(engine),
        diagnostics=bucket,
        repro_validator=StaticReproValidator(),
    )


def kinds(actions: list[Action]) -> list[tuple[str, str]]:
    out = []
    for a in actions:
        if isinstance(a, SetStatus):
            out.append(("status", a.status.value))
        elif isinstance(a, UpsertComment):
            out.append(("comment", a.marker))
        elif isinstance(a, Close):
            out.append(("close", a.close_reason.value))
        else:
            out.append((a.kind, ""))
    return out


def event(change: Change = Change.OPENED, actor: str = "rep", at: datetime = T0) -> IssueChanged:
    return IssueChanged(REF, change, actor, at)


def test_incomplete_new_issue_is_asked_exactly_what_is_missing(sqlite_engine: Engine) -> None:
    ctx = ctx_for(sqlite_engine, issue(EMPTY))
    actions = quality.handle(event(), ctx)
    assert kinds(actions) == [
        ("comment", "checklist"),
        ("status", "status/0-triage"),
        ("status", "status/0-more-info-needed"),
        ("comment", "more-info"),
    ]
    ask = actions[-1]
    assert isinstance(ask, UpsertComment)
    assert "Diagnostics ID" in ask.body and "steps to reproduce" in ask.body
    assert ctx.settings.profile.troubleshooting_url in ask.body
    assert "the bundle uploaded" not in ask.body
    stored = ctx.checklists.latest_checklist(REF)  # type: ignore[union-attr]
    assert stored is not None and stored.verdict == "needs-more-info"


def test_complete_issue_only_gets_the_checklist(sqlite_engine: Engine) -> None:
    ctx = ctx_for(sqlite_engine, issue(GOOD, labels=("status/0-triage",)))
    actions = quality.handle(event(), ctx)
    assert kinds(actions) == [("comment", "checklist")]
    body = actions[0].body  # type: ignore[attr-defined]
    assert "Complete" in body and ID in body


def test_feature_requests_are_not_asked_for_diagnostics(sqlite_engine: Engine) -> None:
    fr = issue("It would be great to pin the dashboard to a tab.", title="Feature request: pin tab")
    assert kinds(quality.handle(event(), ctx_for(sqlite_engine, fr))) == [("comment", "checklist")]


def _asked(at: datetime) -> IssueEvent:
    return IssueEvent(EventKind.LABELED, "maintainer", at, Status.MORE_INFO_NEEDED.value)


def test_reporter_comment_moves_back_to_triage(sqlite_engine: Engine) -> None:
    subject = issue(
        EMPTY,
        labels=(Status.MORE_INFO_NEEDED.value,),
        events=(_asked(T0 + timedelta(hours=1)),),
        comments=(Comment(1, "rep", f"sorry, here: {ID}", T0 + timedelta(days=2)),),
    )
    ctx = ctx_for(sqlite_engine, subject, now=T0 + timedelta(days=2))
    actions = quality.handle(event(Change.COMMENTED, at=T0 + timedelta(days=2)), ctx)
    assert kinds(actions) == [("comment", "checklist"), ("status", "status/0-triage")]
    line = ctx.checklists.latest_checklist(REF).data["lines"][0]  # type: ignore[union-attr]
    assert line["name"] == "diagnostics" and line["status"] == "ok"


def test_reporter_edit_moves_back_to_triage(sqlite_engine: Engine) -> None:
    subject = issue(
        GOOD, labels=(Status.MORE_INFO_NEEDED.value,), events=(_asked(T0 + timedelta(hours=1)),)
    )
    ctx = ctx_for(sqlite_engine, subject)
    edit = event(Change.EDITED, actor="rep", at=T0 + timedelta(days=1))
    assert ("status", "status/0-triage") in kinds(quality.handle(edit, ctx))
    stranger = event(Change.EDITED, actor="someone", at=T0 + timedelta(days=1))
    assert ("status", "status/0-triage") not in kinds(quality.handle(stranger, ctx))


def _waiting(
    *,
    labels: tuple[str, ...] = (),
    events: tuple[IssueEvent, ...] = (),
    comments: tuple[Comment, ...] = (),
) -> Issue:
    ask = Comment(
        5,
        "maintainer",
        "Please upload diagnostics.",
        T0 + timedelta(hours=2),
        author_association=Association.MEMBER,
    )
    return issue(
        EMPTY,
        labels=(Status.MORE_INFO_NEEDED.value, *labels),
        events=(_asked(T0 + timedelta(hours=1)), *events),
        comments=(ask, *comments),
    )


@pytest.mark.parametrize(
    ("subject", "days", "closes"),
    [
        (_waiting(), 15, True),
        (_waiting(), 13, False),
        (_waiting(labels=("lifecycle/frozen",)), 30, False),
        (
            _waiting(events=(IssueEvent(EventKind.LABELED, "m", T0, Status.ACKNOWLEDGED.value),)),
            30,
            False,
        ),
        (
            _waiting(comments=(Comment(9, "someone", "+1 same here", T0 + timedelta(days=3)),)),
            15,
            True,
        ),
    ],
)
def test_close_after_silence(
    sqlite_engine: Engine, subject: Issue, days: int, closes: bool
) -> None:
    ctx = ctx_for(sqlite_engine, subject, now=T0 + timedelta(days=days))
    actions = quality.handle(event(Change.SYNCED), ctx)
    closing = [a for a in actions if isinstance(a, Close)]
    assert bool(closing) is closes
    if closes:
        assert closing[0].close_reason is CloseReason.NOT_PLANNED
        assert ("comment", "closed-no-answer") in kinds(actions)


def test_asked_once_then_left_to_a_person(sqlite_engine: Engine) -> None:
    # asked, reporter answered (back in triage), still incomplete: no second automatic ask
    subject = issue(
        EMPTY,
        labels=(Status.TRIAGE.value,),
        events=(_asked(T0 + timedelta(hours=1)),),
        comments=(Comment(1, "rep", "it just does not work", T0 + timedelta(days=1)),),
    )
    actions = quality.handle(event(Change.COMMENTED), ctx_for(sqlite_engine, subject))
    assert kinds(actions) == [("comment", "checklist")]


def test_internal_and_closed_issues_get_no_actions(sqlite_engine: Engine) -> None:
    internal = issue(EMPTY, ref=IssueRef(RepoRef("docker", "pinata"), 3))
    ctx = ctx_for(sqlite_engine, internal)
    assert quality.handle(IssueChanged(internal.ref, Change.OPENED, "rep", T0), ctx) == []


def test_bundle_found_on_s3_and_cached(sqlite_engine: Engine, s3_bucket: S3Bucket) -> None:
    s3_bucket.client().put_object(Bucket=s3_bucket.name, Key=f"incoming/4/{ID}.zip", Body=b"PK..")  # type: ignore[attr-defined]
    settings = DiagnosticsSettings(
        bucket=s3_bucket.name, endpoint_url=s3_bucket.endpoint, retries=0
    )
    bucket = S3DiagnosticsBucket(settings, access_key=ACCESS_KEY, secret_key=SECRET_KEY)
    ctx = ctx_for(sqlite_engine, issue(GOOD), bucket=bucket)
    lookup = quality.BundleLookup(ctx)
    result = quality.check_issue(ctx, REF, lookup=lookup)
    line = result.checklist.line("logs-uploaded")
    assert line is not None and line.status == "ok" and f"incoming/4/{ID}.zip" in line.evidence
    again = quality.BundleLookup(ctx)
    quality.check_issue(ctx, REF, lookup=again)
    assert (lookup.asked, again.asked) == (1, 0)  # the second run used the stored answer


def test_unreachable_bucket_is_could_not_verify_and_retried(sqlite_engine: Engine) -> None:
    settings = DiagnosticsSettings(endpoint_url=closed_port_url(), retries=0, connect_timeout=1)
    bucket = S3DiagnosticsBucket(settings, access_key=ACCESS_KEY, secret_key=SECRET_KEY)
    second = issue(GOOD.replace(ID, f"{G[:-1]}0/20250602085500"), ref=IssueRef(WIN, 12))
    ctx = ctx_for(sqlite_engine, issue(GOOD), second, bucket=bucket)
    results = quality.check_all(ctx, submit=False)
    for r in results:
        line = r.checklist.line("logs-uploaded")
        assert line is not None and line.status == "could-not-verify"
        assert "unreachable" in line.evidence
        assert r.checklist.complete
    # the error was remembered but is asked again on the next run
    lookup = quality.BundleLookup(ctx)
    quality.check_issue(ctx, REF, lookup=lookup)
    assert lookup.asked == 1


def test_check_all_plans_in_shadow_mode_without_duplicates(sqlite_engine: Engine) -> None:
    ctx = ctx_for(sqlite_engine, issue(EMPTY), issue(GOOD, ref=IssueRef(WIN, 12)))
    quality.check_all(ctx)
    quality.check_all(ctx)
    planned = ctx.actions.list(ActionStatus.PLANNED)  # type: ignore[union-attr]
    keys = [r.action.key() for r in planned]
    assert len(keys) == len(set(keys)) == 5  # 2 checklists; triage, more-info, ask for #11


def test_live_mode_edits_the_sticky_comment_in_place(sqlite_engine: Engine) -> None:
    settings = from_mapping(
        {
            "github": {"shadow": False},
            "profile": {"public_repos": [{"name": "docker/for-win", "shadow": False}]},
        }
    )
    tracker = FakeTracker()
    subject = issue(GOOD, labels=(Status.TRIAGE.value,))
    tracker.put(subject)
    ctx = ctx_for(sqlite_engine, subject, settings=settings, tracker=tracker)
    quality.check_all(ctx)
    quality.record_reproduction(ctx, REF, by="alice", version="4.41.2", platform="Windows 11")
    quality.check_all(ctx)
    comments = tracker.list_comments(REF)
    assert len(comments) == 1
    assert "alice" in comments[0].body and "triagedesk:checklist" in comments[0].body


def test_record_reproduction_needs_everything(sqlite_engine: Engine) -> None:
    from triagedesk.domain.errors import NotFoundError, UserError

    ctx = ctx_for(sqlite_engine, issue(GOOD))
    with pytest.raises(UserError):
        quality.record_reproduction(ctx, REF, by="", version="1", platform="p")
    with pytest.raises(NotFoundError):
        quality.record_reproduction(ctx, IssueRef(WIN, 999), by="a", version="1", platform="p")


def test_sweep_closes_the_silent_and_reports(sqlite_engine: Engine) -> None:
    ctx = ctx_for(
        sqlite_engine, _waiting(), issue(GOOD, ref=IssueRef(WIN, 12)), now=T0 + timedelta(days=20)
    )
    summary = quality.sweep(ctx)
    assert summary == (
        "checked 2 open issues: 0 asked for more information, 0 back to triage, "
        "1 closed for no answer"
    )
    planned = ctx.actions.list(ActionStatus.PLANNED)  # type: ignore[union-attr]
    assert any(isinstance(r.action, Close) and r.action.issue == REF for r in planned)


def test_issues_filed_by_the_team_are_not_asked(sqlite_engine: Engine) -> None:
    from dataclasses import replace

    mine = replace(issue(EMPTY), author_association=Association.MEMBER)
    assert kinds(quality.handle(event(), ctx_for(sqlite_engine, mine))) == [
        ("comment", "checklist")
    ]


def test_checklist_comment_quotes_reporter_text_safely(sqlite_engine: Engine) -> None:
    body = "- Diagnostics ID: ask @octocat <b>now</b> | `x`"
    actions = quality.handle(event(), ctx_for(sqlite_engine, issue(body)))
    text = actions[0].body  # type: ignore[attr-defined]
    assert "@octocat" not in text and "<b>" not in text
    assert "@\u200boctocat" in text


def test_found_bundles_are_scanned_once_for_known_failures(
    sqlite_engine: Engine, s3_bucket: S3Bucket
) -> None:
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr(
            "logs/com.docker.backend.log", "vpnkit: listen tcp :80: bind: address already in use\n"
        )
    s3_bucket.client().put_object(  # type: ignore[attr-defined]
        Bucket=s3_bucket.name, Key=f"incoming/2/{ID}.zip", Body=buf.getvalue()
    )
    settings = DiagnosticsSettings(
        bucket=s3_bucket.name, endpoint_url=s3_bucket.endpoint, retries=0
    )
    bucket = S3DiagnosticsBucket(settings, access_key=ACCESS_KEY, secret_key=SECRET_KEY)
    ctx = ctx_for(sqlite_engine, issue(GOOD), bucket=bucket)
    first = quality.BundleLookup(ctx, scan=True)
    line = quality.check_issue(ctx, REF, lookup=first).checklist.line("logs-uploaded")
    assert line is not None and "area/networking" in line.evidence
    again = quality.BundleLookup(ctx, scan=True)
    quality.check_issue(ctx, REF, lookup=again)
    assert (first.scanned, again.scanned, again.asked) == (1, 0, 0)


def test_handler_is_silent_without_the_checklist_store(sqlite_engine: Engine) -> None:
    ctx = ctx_for(sqlite_engine, issue(EMPTY))
    ctx.checklists = None
    assert quality.handle(event(), ctx) == []
