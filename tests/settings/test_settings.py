from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from triagedesk import settings as settings_mod
from triagedesk.domain.errors import ConfigError
from triagedesk.domain.workflow import Status

ROOT = Path(__file__).parents[2]


def test_default_profile_is_docker_desktop() -> None:
    s = settings_mod.Settings()
    assert [r.name for r in s.profile.public_repos] == ["docker/for-mac", "docker/for-win"]
    assert s.profile.internal_repo == "docker/pinata"
    assert [lab.name for lab in s.profile.status_labels] == [st.value for st in Status]
    assert s.profile.status_labels[0].description == "The issue needs triaging"
    assert all(a.owner.startswith("@") for a in s.profile.areas)


def test_init_output_round_trips(tmp_path: Path) -> None:
    path = tmp_path / "t.toml"
    path.write_text(settings_mod.default_toml(), encoding="utf-8")
    assert settings_mod.load(path) == settings_mod.Settings()


def test_missing_file_means_builtin_profile_only_when_not_named() -> None:
    assert settings_mod.load(None) == settings_mod.Settings()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "[profile]\ninternal_repo = 5\n",
            r"profile\.internal_repo: Input should be a valid string",
        ),
        ("[profile]\nbogus = 1\n", r"profile\.bogus: unknown key"),
        (
            "[[profile.public_repos]]\nname = 'no-slash'\n",
            r"profile\.public_repos\[0\]\.name: Value error, want owner/name",
        ),
        ("[rotation]\nstart_day = 'someday'\n", r"rotation\.start_day: .*weekday"),
        ("[profile\n", r"not valid TOML"),
        ("[profile.status_aliases]\n'needs-triage' = 'status/9-nope'\n", r"not a status label"),
    ],
)
def test_broken_config_names_file_key_and_problem(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "broken.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message) as info:
        settings_mod.load(path)
    assert str(path) in str(info.value)


def test_non_utf8_config(tmp_path: Path) -> None:
    path = tmp_path / "latin1.toml"
    path.write_bytes(b"[profile]\nname = '\xe9'\n")
    with pytest.raises(ConfigError, match="not UTF-8"):
        settings_mod.load(path)


def test_named_missing_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such configuration file"):
        settings_mod.load(tmp_path / "absent.toml")


def test_secrets_come_from_environment_and_never_print(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRIAGEDESK_GITHUB_TOKEN", "ghp_sentinel_value_123")
    secrets = settings_mod.Secrets()
    assert secrets.github_token is not None
    assert secrets.github_token.get_secret_value() == "ghp_sentinel_value_123"
    assert "ghp_sentinel_value_123" not in repr(secrets)
    assert "ghp_sentinel_value_123" not in str(secrets.model_dump())


def test_settings_doc_is_current() -> None:
    doc = (ROOT / "docs" / "settings.md").read_text(encoding="utf-8")
    assert doc == settings_mod.settings_doc(), "run: triagedesk config docs > docs/settings.md"


def test_every_setting_is_documented() -> None:
    def walk(model: type, prefix: str) -> list[str]:
        missing = []
        for name, field in model.model_fields.items():  # type: ignore[attr-defined]
            if not field.description:
                missing.append(f"{prefix}{name}")
            ann = field.annotation
            inner = [ann, *getattr(ann, "__args__", ())]
            for t in inner:
                if isinstance(t, type) and issubclass(t, settings_mod.Section):
                    missing += walk(t, f"{prefix}{name}.")
        return missing

    assert walk(settings_mod.Settings, "") == []


def test_default_toml_is_valid_toml() -> None:
    data = tomllib.loads(settings_mod.default_toml())
    assert data["profile"]["internal_repo"] == "docker/pinata"
