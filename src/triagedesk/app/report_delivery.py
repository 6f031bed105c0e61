"""Archive the report and deliver it by email and to chat, once per period and channel.

A report is archived before anything is sent. Each channel that went out is
recorded on the archived report; sending again on a channel that already has
it needs ``force``. A failing channel raises ExternalServiceError after the
other channels were tried: the report stays archived, and :func:`retry_pending`
(run by the schedule) sends it later.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from triagedesk.app.report import Report
from triagedesk.app.report_render import chat_summary, render_html, render_json, render_markdown
from triagedesk.app.report_render import subject as email_subject
from triagedesk.domain.errors import ConfigError, ExternalServiceError, UserError
from triagedesk.ports.notify import ChatMessage, ChatPoster, Email, Mailer
from triagedesk.ports.reports import ArchivedReport, ReportArchive
from triagedesk.settings import Settings

CHANNELS = ("email", "slack")


def repos_key(repos: Sequence[str]) -> str:
    return ",".join(sorted(repos))


def archive_report(archive: ReportArchive, report: Report, *, at: datetime) -> ArchivedReport:
    """Store every format of ``report`` (the same period and repositories again replaces it)."""
    return archive.save(
        period=report.period.label,
        period_start=report.period.start,
        period_end=report.period.end,
        repos=repos_key(report.repos),
        markdown=render_markdown(report),
        html=render_html(report),
        json=render_json(report),
        at=at,
    )


@dataclass
class Delivery:
    report_id: int
    period: str
    sent: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        return {
            "report_id": self.report_id,
            "period": self.period,
            "sent": self.sent,
            "failed": self.failed,
        }


def report_link(settings: Settings, period: str) -> str:
    base = settings.report.report_url
    return f"{base}/{period}.html" if base else ""


def deliver(
    archived: ArchivedReport,
    archive: ReportArchive,
    settings: Settings,
    *,
    channels: Sequence[str],
    mailer: Mailer | None,
    poster: ChatPoster | None,
    at: datetime,
    force: bool = False,
) -> Delivery:
    """Send ``archived`` on ``channels``; refuses a channel it already went out on unless forced."""
    unknown = [c for c in channels if c not in CHANNELS]
    if unknown:
        raise ConfigError(f"unknown delivery channel(s): {', '.join(unknown)}")
    already = [c for c in channels if c in archived.sent]
    if already and not force:
        when = ", ".join(
            f"{c} at {archived.sent[c].isoformat(timespec='minutes')}" for c in already
        )
        raise UserError(
            f"the report for {archived.period} was already sent ({when}); "
            "use --force to send it again"
        )
    data = json.loads(archived.json)
    result = Delivery(report_id=archived.id, period=archived.period)
    for channel in channels:
        try:
            if channel == "email":
                if mailer is None:
                    raise ConfigError("email delivery is not configured")
                if not settings.report.recipients:
                    raise ConfigError("report.recipients is empty: nobody to email")
                detail = mailer.send(
                    Email(
                        subject=email_subject_for(data, settings),
                        recipients=list(settings.report.recipients),
                        text=archived.markdown,
                        html=archived.html,
                    )
                )
            else:
                if poster is None:
                    raise ConfigError(
                        "Slack delivery needs TRIAGEDESK_SLACK_WEBHOOK_URL or TRIAGEDESK_SLACK_TOKEN"
                    )
                link = report_link(settings, archived.period)
                detail = poster.post(
                    ChatMessage(
                        text=chat_summary(data, link),
                        link=link,
                        attachment_name=f"triagedesk-report-{archived.period}.html",
                        attachment=archived.html.encode("utf-8"),
                    )
                )
        except (ExternalServiceError, ConfigError) as exc:
            result.failed[channel] = str(exc)
            continue
        archive.mark_sent(archived.id, channel, at=at, detail=detail)
        result.sent.append(channel)
    if result.failed:
        problems = "; ".join(f"{c}: {m}" for c, m in result.failed.items())
        raise ExternalServiceError(
            f"report {archived.period} is archived (id {archived.id}) but was not sent on "
            f"{', '.join(result.failed)} ({problems}); `triagedesk schedule` retries it"
        )
    return result


def email_subject_for(data: dict[str, object], settings: Settings) -> str:
    period = data["period"]
    label = period["label"] if isinstance(period, dict) else str(period)
    return settings.report.subject.replace("{product}", str(data["product"])).replace(
        "{period}", str(label)
    )


def retry_pending(
    archive: ReportArchive,
    settings: Settings,
    periods: Sequence[str],
    *,
    mailer: Mailer | None,
    poster: ChatPoster | None,
    at: datetime,
) -> list[Delivery]:
    """Send the archived reports of ``periods`` on the configured channels they still lack
    (a channel with nothing to send through is not retried)."""
    out: list[Delivery] = []
    wanted = set(periods)
    usable = [
        c
        for c in settings.report.channels
        if (c == "email" and mailer is not None) or (c == "slack" and poster is not None)
    ]
    for archived in archive.list(limit=200):
        if archived.period not in wanted:
            continue
        missing = [c for c in usable if c not in archived.sent]
        if not missing:
            continue
        try:
            out.append(
                deliver(
                    archived,
                    archive,
                    settings,
                    channels=missing,
                    mailer=mailer,
                    poster=poster,
                    at=at,
                )
            )
        except ExternalServiceError as exc:
            failed = Delivery(report_id=archived.id, period=archived.period)
            failed.failed = {c: str(exc) for c in missing}
            out.append(failed)
    return out


__all__ = [
    "CHANNELS",
    "Delivery",
    "archive_report",
    "deliver",
    "email_subject",
    "repos_key",
    "retry_pending",
]
