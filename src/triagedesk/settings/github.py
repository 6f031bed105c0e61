"""GitHub connection settings (tokens and secrets come only from the environment)."""

from __future__ import annotations

from pydantic import Field

from triagedesk.settings.base import Section


class GithubSettings(Section):
    api_url: str = Field(
        default="https://api.github.com",
        description="REST base URL (GitHub Enterprise: https://HOST/api/v3)",
    )
    graphql_url: str = Field(
        default="", description="GraphQL URL; empty means derived from api_url"
    )
    shadow: bool = Field(
        default=True, description="global shadow mode: plan every write, send none"
    )
