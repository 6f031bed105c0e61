"""`triagedesk labels sync` against the GitHub test server, and docs/labels.md."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from support.cli import run_argv as _run
from support.github_server import TOKEN, GithubServer, github_server
from triagedesk.app.labels import labels_doc
from triagedesk.settings import Settings
from triagedesk.settings.profile import ProfileSettings

__all__ = ["github_server"]  # the fixture, for these tests

ROOT = Path(__file__).resolve().parents[2]


def _config(
    tmp_path: Path, server: GithubServer, *, shadow: bool, repo_shadow: bool = False
) -> Path:
    path = tmp_path / "triagedesk.toml"
    path.write_text(
        f'[github]\napi_url = "{server.url}"\nshadow = {str(shadow).lower()}\n'
        "max_retries = 0\n\n"
        '[[profile.public_repos]]\nname = "docker/for-mac"\n'
        f"shadow = {str(repo_shadow).lower()}\n\n"
        '[[profile.public_repos]]\nname = "docker/for-win"\nshadow = false\n',
        encoding="utf-8",
    )
    return path


@pytest.fixture
def token(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("TRIAGEDESK_GITHUB_TOKEN", TOKEN)
    return TOKEN


def test_labels_sync_creates_then_costs_no_write(
    github_server: GithubServer, tmp_path: Path, capsys: pytest.CaptureFixture[str], token: str
) -> None:
    github_server.repo("docker/for-mac")
    github_server.repo("docker/for-win")
    github_server.state._label(
        github_server.repo("docker/for-win"), "status/0-triage", "000000", "old"
    )
    cfg = _config(tmp_path, github_server, shadow=False)
    db = f"sqlite:///{tmp_path}/t.db"
    code, out, _ = _run(capsys, "labels", "sync", "--config", str(cfg), "--db", db, "--json")
    assert code == 0, out
    data = json.loads(out)
    wanted = len(ProfileSettings().status_labels) + len(ProfileSettings().areas)
    actions = [(x["repo"], x["name"], x["action"]) for x in data["labels"]]
    assert len(actions) == 2 * wanted
    assert ("docker/for-win", "status/0-triage", "updated") in actions
    assert sum(1 for a in actions if a[2] == "created") == 2 * wanted - 1
    win = github_server.repo("docker/for-win").labels["status/0-triage"]
    assert (win["color"], win["description"]) == ("ededed", "The issue needs triaging")

    github_server.clear_log()
    code, out, _ = _run(capsys, "labels", "sync", "--config", str(cfg), "--db", db, "--json")
    assert code == 0
    assert {x["action"] for x in json.loads(out)["labels"]} == {"unchanged"}
    assert {r.method for r in github_server.requests()} == {"GET"}  # reads only
    assert len(github_server.requests()) == 2  # one label list per repository


@pytest.mark.parametrize(
    ("shadow", "repo_shadow", "flag"),
    [(True, False, ()), (False, True, ()), (False, False, ("--dry-run",))],
)
def test_shadow_mode_plans_and_writes_nothing(
    github_server: GithubServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    token: str,
    shadow: bool,
    repo_shadow: bool,
    flag: tuple[str, ...],
) -> None:
    github_server.repo("docker/for-mac")
    cfg = _config(tmp_path, github_server, shadow=shadow, repo_shadow=repo_shadow)
    code, out, _ = _run(
        capsys,
        "labels",
        "sync",
        "--repo",
        "docker/for-mac",
        *flag,
        "--config",
        str(cfg),
        "--db",
        f"sqlite:///{tmp_path}/t.db",
    )
    assert code == 0
    assert "shadow mode" in out and "planned, nothing written" in out
    assert {r.method for r in github_server.requests()} == {"GET"}
    assert github_server.repo("docker/for-mac").labels == {}


def test_writing_without_credentials_is_a_clear_error(
    github_server: GithubServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("TRIAGEDESK_GITHUB_TOKEN", raising=False)
    monkeypatch.delenv("TRIAGEDESK_GITHUB_APP_ID", raising=False)
    cfg = _config(tmp_path, github_server, shadow=False)
    code, _, err = _run(
        capsys, "labels", "sync", "--config", str(cfg), "--db", f"sqlite:///{tmp_path}/t.db"
    )
    assert code == 2 and "TRIAGEDESK_GITHUB_TOKEN" in err
    assert github_server.requests() == []


def test_docs_option_writes_the_label_page(
    github_server: GithubServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("TRIAGEDESK_GITHUB_TOKEN", raising=False)
    monkeypatch.delenv("TRIAGEDESK_GITHUB_APP_ID", raising=False)
    cfg = _config(tmp_path, github_server, shadow=True)
    target = tmp_path / "labels.md"
    code, out, _ = _run(
        capsys,
        "labels",
        "sync",
        "--docs",
        str(target),
        "--config",
        str(cfg),
        "--db",
        f"sqlite:///{tmp_path}/t.db",
    )
    assert code == 0 and "ensure" in out  # planned without reading: no credentials
    assert target.read_text() == labels_doc(Settings().profile)


def test_committed_docs_labels_md_matches_the_default_profile() -> None:
    committed = (ROOT / "docs" / "labels.md").read_text(encoding="utf-8")
    assert committed == labels_doc(Settings().profile), (
        "docs/labels.md is stale: run `triagedesk labels sync --dry-run --docs docs/labels.md`"
    )


def test_label_page_lists_every_status_label_with_the_seed_description() -> None:
    doc = labels_doc(Settings().profile)
    for spec in Settings().profile.status_labels:
        assert (
            f"| `{spec.name}` | `#{spec.color}` | {spec.description.replace('|', chr(92) + '|')} |"
            in doc
        )
