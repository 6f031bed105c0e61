"""Label model and duplicate index."""

from __future__ import annotations

from pydantic import Field

from triagedesk.settings.base import Section


class IntelligenceSettings(Section):
    target_precision: float = Field(
        default=0.95,
        ge=0.5,
        le=1.0,
        description="per-label threshold is chosen to reach this precision",
    )
    duplicates_top_k: int = Field(
        default=10, ge=1, le=100, description="duplicate candidates shown"
    )
