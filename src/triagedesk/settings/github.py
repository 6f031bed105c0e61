"""GitHub connection settings (tokens and secrets come only from the environment)."""

from __future__ import annotations

from pydantic import Field, field_validator

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
    # --- client, rate limits and sync (H4a) ---
    app_installation_id: int | None = Field(
        default=None,
        description="GitHub App installation id; empty means the App's only installation",
    )
    request_budget: int = Field(
        default=4000,
        ge=0,
        description="requests one run may spend (304s are free); 0 means no per-run cap",
    )
    rate_limit_reserve: int = Field(
        default=50,
        ge=0,
        description="stop (or wait) when GitHub says fewer than this many requests remain",
    )
    wait_for_reset: bool = Field(
        default=True,
        description="at the primary limit wait for the reset (if within max_wait_seconds)",
    )
    max_wait_seconds: float = Field(
        default=900,
        ge=0,
        description="longest wait for a rate-limit reset or Retry-After before stopping cleanly",
    )
    max_retries: int = Field(
        default=3, ge=0, le=10, description="retries of a 5xx, timeout or secondary limit"
    )
    backoff_seconds: float = Field(
        default=1.0, ge=0, description="first retry delay; doubles each retry, with jitter"
    )
    backoff_max_seconds: float = Field(default=60, ge=0, description="cap on one retry delay")
    timeout_seconds: float = Field(default=30, gt=0, description="read timeout of one request")
    connect_timeout_seconds: float = Field(
        default=10, gt=0, description="connect timeout of one request"
    )
    content_per_minute: int = Field(
        default=80,
        ge=1,
        description="content-creating writes (comments, issues, labels) per minute",
    )
    content_per_hour: int = Field(default=500, ge=1, description="content-creating writes per hour")
    page_size: int = Field(
        default=100, ge=1, le=100, description="issues per GraphQL page and items per REST page"
    )
    user_agent: str = Field(default="triagedesk", description="User-Agent sent with every request")
    # --- webhooks, worker and redelivery (H4b) ---
    worker_lease_seconds: float = Field(
        default=60,
        gt=0,
        description="a claimed delivery returns to the queue this long after its worker died",
    )
    worker_max_attempts: int = Field(
        default=5, ge=1, description="a delivery failing this many times is parked with its error"
    )
    hook_ids: dict[str, int] = Field(
        default_factory=dict,
        description="repository (owner/name) -> id of its webhook, for redelivery; "
        "empty: the GitHub App's hook",
    )
    redeliver_window_hours: float = Field(
        default=72,
        gt=0,
        le=72,
        description="look this far back for failed deliveries (GitHub keeps about 3 days)",
    )
    redeliver_max: int = Field(
        default=3, ge=0, description="redeliveries asked per failed delivery before giving up"
    )
    redeliver_every_minutes: float = Field(
        default=30, ge=0, description="`serve` runs the redelivery job this often; 0 turns it off"
    )

    @field_validator("api_url", "graphql_url")
    @classmethod
    def _no_trailing_slash(cls, v: str) -> str:
        return v.rstrip("/")

    def graphql_endpoint(self) -> str:
        """The GraphQL URL: github.com's, or GHES's ``https://HOST/api/graphql``."""
        if self.graphql_url:
            return self.graphql_url
        base = self.api_url
        if base.endswith("/api/v3"):
            return base[: -len("/v3")] + "/graphql"
        return base + "/graphql"
