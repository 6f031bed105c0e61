"""Archive, send by email and Slack (local servers), refuse a second send, retry, schedule once."""

from __future__ import annotations

import email
from datetime import UTC, datetime, timedelta
from email import policy

import pytest
from pydantic import SecretStr
from sqlalchemy.engine import Engine

from support.report_history import synthetic_issues
from support.slack_server import slack_server
from support.smtp_server import smtp_server
from triagedesk.adapters.notify.slack import SlackPoster
from triagedesk.adapters.notify.smtp import SmtpMailer
from triagedesk.adapters.store.issues import SqlIssueStore
from triagedesk.adapters.store.reports import SqlJobRuns, SqlReportArchive, SqlReportSource
from triagedesk.app.report import build_report
from triagedesk.app.report_delivery import archive_report, deliver, retry_pending
from triagedesk.app.report_schedule import PeriodicJob, ScheduleDeps, report_due, run_due, slot
from triagedesk.domain.errors import ExternalServiceError, UserError
from triagedesk.domain.periods import Rotation, rotation_week
from triagedesk.settings import Settings

W47 = rotation_week(2026, 47, Rotation("Europe/London"))
NOW = datetime(2026, 11, 23, 10, tzinfo=UTC)
SETTINGS = Settings()


@pytest.fixture
def filled(sqlite_engine: Engine) -> Engine:
    SqlIssueStore(sqlite_engine).upsert_issues(synthetic_issues(300, end=W47.end, days=90, seed=11))
    return sqlite_engine


def test_send_then_refuse_then_force(filled: Engine) -> None:
    archive = SqlReportArchive(filled)
    report = build_report(SqlReportSource(filled), SETTINGS, W47, now=NOW)
    archived = archive_report(archive, report, at=NOW)
    with smtp_server() as (inbox, port, _), slack_server() as slack:
        mailer = SmtpMailer(host="127.0.0.1", port=port, sender="triagedesk@docker.com", tls="none")
        poster = SlackPoster(channel="#pinata", webhook_url=SecretStr(f"{slack.base}/webhook"))
        kw = {"channels": ["email", "slack"], "mailer": mailer, "poster": poster}
        sent = deliver(archived, archive, SETTINGS, at=NOW, **kw)  # type: ignore[arg-type]
        assert sent.sent == ["email", "slack"]
        again = archive.get(archived.id)
        assert again is not None and set(again.sent) == {"email", "slack"}
        with pytest.raises(UserError, match=r"already sent .*--force"):
            deliver(again, archive, SETTINGS, at=NOW, **kw)  # type: ignore[arg-type]
        assert len(inbox.messages) == 1 and len(slack.requests) == 1
        deliver(again, archive, SETTINGS, at=NOW + timedelta(hours=1), force=True, **kw)  # type: ignore[arg-type]
        assert len(inbox.messages) == 2 and len(slack.requests) == 2
    rcpts, raw = inbox.messages[0]
    assert rcpts == ["pinata@docker.com"]
    msg = email.message_from_bytes(raw, policy=policy.default)
    assert msg["Subject"] == "[Docker Desktop] L1 rotation report 2026-W47"
    summary = slack.requests[0].json()["text"]
    a = report.data["all"]
    assert "2026-W47" in summary and f"Opened {a['opened']} · closed {a['closed']}" in summary
    assert "on rotation: @dan" in summary


def test_failed_channel_is_kept_and_retried(filled: Engine) -> None:
    archive = SqlReportArchive(filled)
    archived = archive_report(
        archive, build_report(SqlReportSource(filled), SETTINGS, W47, now=NOW), at=NOW
    )
    with smtp_server() as (inbox, port, _), slack_server() as slack:
        mailer = SmtpMailer(host="127.0.0.1", port=port, sender="t@docker.com", tls="none")
        poster = SlackPoster(channel="#x", webhook_url=SecretStr(f"{slack.base}/webhook"))
        slack.fail_status = 500
        with pytest.raises(ExternalServiceError, match=r"archived .* not sent on slack"):
            deliver(
                archived,
                archive,
                SETTINGS,
                channels=["email", "slack"],
                mailer=mailer,
                poster=poster,
                at=NOW,
            )
        kept = archive.get(archived.id)
        assert kept is not None and set(kept.sent) == {"email"}
        slack.fail_status = None
        (retried,) = retry_pending(
            archive, SETTINGS, ["2026-W47"], mailer=mailer, poster=poster, at=NOW
        )
        assert retried.sent == ["slack"]
        assert len(inbox.messages) == 1  # email was not sent twice
        assert (
            retry_pending(archive, SETTINGS, ["2026-W47"], mailer=mailer, poster=poster, at=NOW)
            == []
        )


def test_schedule_runs_each_job_once_per_period(filled: Engine) -> None:
    with smtp_server() as (inbox, port, _), slack_server() as slack:

        def deps() -> ScheduleDeps:  # a fresh set per "process"
            return ScheduleDeps(
                settings=SETTINGS,
                source=SqlReportSource(filled),
                archive=SqlReportArchive(filled),
                runs=SqlJobRuns(filled),
                mailer=SmtpMailer(host="127.0.0.1", port=port, sender="t@docker.com", tls="none"),
                poster=SlackPoster(channel="#x", webhook_url=SecretStr(f"{slack.base}/webhook")),
                periodic=[PeriodicJob("sync", SETTINGS.report.sync_minutes, lambda now: "synced")],
            )

        # before the hand-over + delay nothing is due for W47
        early = W47.end + timedelta(minutes=10)
        assert report_due(early, SETTINGS) is None
        first = run_due(deps(), early)
        assert {d["job"] for d in first} == {"sla", "sync"}
        due = W47.end + timedelta(minutes=31)
        ran = run_due(deps(), due)
        assert [(d["job"], d["period"], d["ok"]) for d in ran if d["job"] == "report"] == [
            ("report", "2026-W47", True)
        ]
        # the same minute again, a second process, and later the same week: nothing runs twice
        assert [d for d in run_due(deps(), due) if d["job"] != "retry"] == []
        assert [
            d for d in run_due(deps(), due + timedelta(minutes=5)) if d["job"] == "report"
        ] == []
        assert len(inbox.messages) == 1 and len(slack.requests) == 1
        # the next SLA slot runs its tick once
        later = run_due(deps(), due + timedelta(hours=1))
        assert [d["job"] for d in later] == ["sla", "sync"]
    runs = SqlJobRuns(filled).runs()
    assert sorted((r["job"], r["status"]) for r in runs if r["job"] == "report") == [
        ("report", "done")
    ]


@pytest.mark.parametrize(
    ("now", "minutes", "expected"),
    [
        (datetime(2026, 11, 23, 9, 59, tzinfo=UTC), 60, datetime(2026, 11, 23, 9, tzinfo=UTC)),
        (datetime(2026, 11, 23, 10, 0, tzinfo=UTC), 60, datetime(2026, 11, 23, 10, tzinfo=UTC)),
        (
            datetime(2026, 11, 23, 10, 44, tzinfo=UTC),
            15,
            datetime(2026, 11, 23, 10, 30, tzinfo=UTC),
        ),
    ],
)
def test_slot(now: datetime, minutes: int, expected: datetime) -> None:
    assert slot(now, minutes) == expected
