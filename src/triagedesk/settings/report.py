"""The end-of-rotation report and its delivery."""

from __future__ import annotations

from pydantic import Field

from triagedesk.settings.base import Section


class ReportSettings(Section):
    recipients: list[str] = Field(
        default_factory=lambda: ["pinata@docker.com"], description="email recipients of the report"
    )
    slack_channel: str = Field(
        default="@pinata-team", description="Slack channel or group to post to"
    )
