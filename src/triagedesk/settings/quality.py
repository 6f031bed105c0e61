"""The L1 quality checklist and the diagnostics bucket."""

from __future__ import annotations

from pydantic import Field

from triagedesk.settings.base import Section


class DiagnosticsSettings(Section):
    bucket: str = Field(
        default="docker-desktop-diagnostics", description="S3 bucket of uploaded bundles"
    )
    key_template: str = Field(
        default="incoming/{shard}/{uuid}/{timestamp}.zip",
        description="object key of a bundle; {uuid}, {timestamp} and {shard} are filled in",
    )
    region: str = Field(default="us-east-1", description="S3 region")
    endpoint_url: str = Field(
        default="", description="S3 endpoint (empty: AWS); set for S3-compatible servers"
    )


class QualitySettings(Section):
    more_info_close_days: int = Field(
        default=14, description="close an issue waiting on the reporter after this many silent days"
    )
