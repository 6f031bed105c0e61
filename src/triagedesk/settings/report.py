"""The end-of-rotation report, its delivery (SMTP, Slack), archive and schedule.

Credentials never live here: ``TRIAGEDESK_SMTP_USERNAME`` / ``TRIAGEDESK_SMTP_PASSWORD``,
``TRIAGEDESK_SLACK_WEBHOOK_URL`` and ``TRIAGEDESK_SLACK_TOKEN`` come from the environment.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from triagedesk.settings.base import Section

Channel = Literal["email", "slack"]


def _channels() -> list[Channel]:
    return ["email", "slack"]


class ReportSettings(Section):
    recipients: list[str] = Field(
        default_factory=lambda: ["pinata@docker.com"], description="email recipients of the report"
    )
    slack_channel: str = Field(
        default="@pinata-team", description="Slack channel or group to post to"
    )
    channels: list[Channel] = Field(
        default_factory=_channels,
        description="where `report --send` and the schedule deliver the report",
    )
    smtp_host: str = Field(default="localhost", description="SMTP server host")
    smtp_port: int = Field(default=587, ge=1, le=65535, description="SMTP server port")
    smtp_tls: Literal["starttls", "tls", "none"] = Field(
        default="starttls",
        description="starttls (upgrade a plain connection), tls (implicit, port 465) or none",
    )
    smtp_from: str = Field(
        default="triagedesk@docker.com", description="From: address of the report email"
    )
    smtp_timeout_seconds: float = Field(
        default=30, gt=0, description="SMTP connect and command timeout"
    )
    subject: str = Field(
        default="[{product}] L1 rotation report {period}",
        description="email subject; {product} and {period} are filled in",
    )
    slack_api_url: str = Field(
        default="https://slack.com/api",
        description="Slack Web API base URL (bot-token mode; tests point it at a local server)",
    )
    report_url: str = Field(
        default="",
        description="public base URL where archived HTML reports are served; "
        "Slack links to {report_url}/{period}.html instead of uploading the file",
    )
    archive: bool = Field(default=True, description="keep every generated report in the database")
    trailing_weeks: int = Field(
        default=8, ge=2, le=52, description="weeks before the period that trends compare against"
    )
    chart_weeks: int = Field(
        default=26, ge=4, le=156, description="weeks shown in the opened/closed and backlog charts"
    )
    top_n: int = Field(default=5, ge=1, le=50, description="issues listed per major occurrence")
    spike_alpha: float = Field(
        default=0.01,
        gt=0,
        lt=0.5,
        description="a week is a spike when P(X >= count | trailing mean) is below this",
    )
    spike_min_count: int = Field(
        default=5, ge=1, description="smallest weekly count that can be a spike"
    )
    cluster_index_max: int = Field(
        default=400,
        ge=0,
        description="cluster the period's new issues with the duplicate index up to this many "
        "(one search each); above it, by shared title words",
    )
    resolution_target_overrides: dict[str, float] = Field(
        default_factory=dict,
        description="label -> N days for 'open longer than N days' (the smallest match wins; "
        "others use sla.resolution_target_days)",
    )
    delay_minutes: int = Field(
        default=30,
        ge=0,
        le=1440,
        description="the schedule builds the report this many minutes after the hand-over",
    )
    sla_tick_minutes: int = Field(
        default=60, ge=1, le=1440, description="how often the schedule evaluates SLA clocks"
    )
    sync_minutes: int = Field(
        default=60,
        ge=1,
        le=1440,
        description="how often the schedule runs the reconciliation sync (when available)",
    )

    @field_validator("report_url", "slack_api_url")
    @classmethod
    def _no_trailing_slash(cls, v: str) -> str:
        return v.rstrip("/")
