"""Typed settings: one TOML file, validated once; secrets only from the environment.

The defaults of every section are the built-in Docker Desktop profile, so
``triagedesk init`` writes exactly :func:`default_toml` and a missing file means
"the default profile". Only ``web`` and ``cli`` call :func:`load`; everything
else receives the validated object.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import tomli_w
from pydantic import Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from triagedesk.domain.errors import ConfigError
from triagedesk.settings.base import Section
from triagedesk.settings.github import GithubSettings
from triagedesk.settings.intelligence import IntelligenceSettings
from triagedesk.settings.profile import ProfileSettings, RotationSettings, SlaSettings
from triagedesk.settings.quality import DiagnosticsSettings, QualitySettings
from triagedesk.settings.report import ReportSettings

__all__ = ["Secrets", "Settings", "default_toml", "load", "settings_doc"]


class Settings(Section):
    profile: ProfileSettings = Field(
        default_factory=ProfileSettings, description="trackers, labels, areas, owners"
    )
    rotation: RotationSettings = Field(
        default_factory=RotationSettings, description="the L1 rotation"
    )
    sla: SlaSettings = Field(default_factory=SlaSettings, description="resolution targets")
    github: GithubSettings = Field(default_factory=GithubSettings, description="GitHub connection")
    diagnostics: DiagnosticsSettings = Field(
        default_factory=DiagnosticsSettings, description="diagnostics bundle bucket"
    )
    quality: QualitySettings = Field(
        default_factory=QualitySettings, description="the L1 checklist"
    )
    intelligence: IntelligenceSettings = Field(
        default_factory=IntelligenceSettings, description="labels and duplicates"
    )
    report: ReportSettings = Field(default_factory=ReportSettings, description="rotation report")


class Secrets(BaseSettings):
    """Secrets, read from ``TRIAGEDESK_*`` environment variables only. Never printed."""

    model_config = SettingsConfigDict(env_prefix="TRIAGEDESK_", extra="ignore")

    github_token: SecretStr | None = None
    github_app_id: str | None = None
    github_private_key: SecretStr | None = None
    github_private_key_file: Path | None = None
    webhook_secret: SecretStr | None = None
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    slack_webhook_url: SecretStr | None = None
    slack_token: SecretStr | None = None
    aws_access_key_id: SecretStr | None = None
    aws_secret_access_key: SecretStr | None = None
    session_secret: SecretStr | None = None


def _where(loc: tuple[Any, ...]) -> str:
    parts: list[str] = []
    for p in loc:
        if isinstance(p, int):
            parts[-1:] = [f"{parts[-1]}[{p}]" if parts else f"[{p}]"]
        else:
            parts.append(str(p))
    return ".".join(parts) or "(top level)"


def from_mapping(data: dict[str, Any], source: str = "<config>") -> Settings:
    """Validate a parsed TOML mapping; errors name the file, the key and what is wrong."""
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            key = _where(tuple(err["loc"]))
            msg = err["msg"]
            if err["type"] == "extra_forbidden":
                msg = "unknown key"
            problems.append(f"{source}: {key}: {msg}")
        raise ConfigError("; ".join(problems)) from None


def load(path: Path | None) -> Settings:
    """Read and validate ``path``; ``None`` or a missing default file gives the default profile."""
    if path is None:
        return Settings()
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such configuration file (run `triagedesk init`)") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    return from_mapping(data, str(path))


def default_toml() -> str:
    """The Docker Desktop profile as TOML: what ``triagedesk init`` writes.

    TOML has no null: settings whose default is None are left out and read back as None.
    """
    header = (
        "# triagedesk configuration: the built-in Docker Desktop profile.\n"
        "# Every key is documented in docs/settings.md. Secrets never go here:\n"
        "# they come from TRIAGEDESK_* environment variables.\n\n"
    )
    return header + tomli_w.dumps(Settings().model_dump(mode="json", exclude_none=True))


def _doc_rows(model: type[Section], prefix: str) -> list[str]:
    rows: list[str] = []
    for name, field in model.model_fields.items():
        key = f"{prefix}.{name}" if prefix else name
        ann = field.annotation
        if isinstance(ann, type) and issubclass(ann, Section):
            rows.append(f"| `{key}` | section | {field.description or ''} |")
            rows.extend(_doc_rows(ann, key))
            continue
        default = field.get_default(call_default_factory=True)
        if (isinstance(default, list) and default and isinstance(default[0], Section)) or (
            isinstance(default, dict) and len(default) > 3
        ):
            shown = f"{len(default)} entries (see `triagedesk init`)"
        else:
            shown = f"`{default!r}`" if default is not None else "required"
        rows.append(f"| `{key}` | {shown} | {field.description or ''} |")
        args = getattr(ann, "__args__", ())
        for arg in args:
            if isinstance(arg, type) and issubclass(arg, Section):
                rows.extend(_doc_rows(arg, f"{key}[]"))
    return rows


def settings_doc() -> str:
    """docs/settings.md, generated from the models (a test keeps the file equal to this)."""
    lines = [
        "# Settings",
        "",
        "One TOML file (`triagedesk init` writes the Docker Desktop profile as `triagedesk.toml`).",
        "Unknown keys are errors. This page is generated by `triagedesk config docs`;",
        "a test fails when it differs from the code.",
        "",
        "| key | default | meaning |",
        "| --- | --- | --- |",
        *_doc_rows(Settings, ""),
        "",
        "## Secrets (environment only, never logged)",
        "",
        "| variable | meaning |",
        "| --- | --- |",
    ]
    for name in Secrets.model_fields:
        lines.append(f"| `TRIAGEDESK_{name.upper()}` | {name.replace('_', ' ')} |")
    return "\n".join(lines) + "\n"
