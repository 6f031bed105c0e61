"""`triagedesk sync` end to end against the GitHub test server; secrets never shown."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from support.cli import run_argv as _run
from support.github_server import TOKEN, GithubServer, github_server

__all__ = ["github_server"]  # the fixture, for these tests

T0 = 1_650_000_000.0


def _config(tmp_path: Path, server: GithubServer, extra: str = "") -> Path:
    path = tmp_path / "triagedesk.toml"
    path.write_text(
        f'[github]\napi_url = "{server.url}"\nmax_retries = 0\nmax_wait_seconds = 5\n{extra}\n'
        '[[profile.public_repos]]\nname = "docker/for-mac"\n\n'
        '[[profile.public_repos]]\nname = "docker/for-win"\n',
        encoding="utf-8",
    )
    return path


def _seed(server: GithubServer) -> None:
    for i in range(130):
        server.add_issue("docker/for-mac", title=f"mac {i}", comments=1, created=T0 + i)
    for i in range(20):
        server.add_issue("docker/for-win", title=f"win {i}", created=T0 + i)
    server.add_issue("docker/for-win", title="a PR", pull=True, created=T0 + 100)


def test_sync_then_idle_sync(
    github_server: GithubServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TRIAGEDESK_GITHUB_TOKEN", TOKEN)
    _seed(github_server)
    args = ["--config", str(_config(tmp_path, github_server)), "--db", f"sqlite:///{tmp_path}/t.db"]
    code, out, _ = _run(capsys, "sync", *args, "--json")
    assert code == 0, out
    data = json.loads(out)
    assert [(r["repo"], r["mode"], r["issues"]) for r in data["repos"]] == [
        ("docker/for-mac", "full", 130),
        ("docker/for-win", "full", 20),
    ]
    assert data["requests"]["counted"] == 2 + 3  # a probe each, 2 + 1 GraphQL pages
    code, out, _ = _run(capsys, "sync", *args)
    assert code == 0
    assert "unchanged" in out and "2 answered 304" in out


def test_rate_limited_sync_says_how_to_resume(
    github_server: GithubServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TRIAGEDESK_GITHUB_TOKEN", TOKEN)
    _seed(github_server)
    github_server.set_rate("graphql", remaining=1, reset_in=3000)
    args = ["--config", str(_config(tmp_path, github_server)), "--db", f"sqlite:///{tmp_path}/t.db"]
    code, out, err = _run(capsys, "sync", *args)
    assert code == 1
    assert "rate limit" in err and "to resume" in err
    github_server.set_rate("graphql", remaining=5000)
    code, out, _ = _run(capsys, "sync", *args, "--json")
    assert code == 0
    assert [r["mode"] for r in json.loads(out)["repos"]] == ["resumed", "full"]


def test_the_token_is_never_shown_or_logged(
    github_server: GithubServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    caplog.set_level(logging.DEBUG)
    _seed(github_server)
    args = ["--config", str(_config(tmp_path, github_server)), "--db", f"sqlite:///{tmp_path}/t.db"]
    monkeypatch.setenv("TRIAGEDESK_GITHUB_TOKEN", TOKEN)
    seen = []
    seen.append(_run(capsys, "sync", *args))
    seen.append(_run(capsys, "labels", "sync", "--dry-run", *args))
    seen.append(_run(capsys, "config", "check", *args[:2]))
    wrong = "ghp_wrong_but_still_secret_42"
    monkeypatch.setenv("TRIAGEDESK_GITHUB_TOKEN", wrong)
    seen.append(_run(capsys, "sync", *args))
    assert seen[0][0] == 0 and seen[-1][0] == 1 and "401" in seen[-1][2]
    text = "\n".join(out + err for _, out, err in seen) + caplog.text
    assert "HTTP Request: POST" in caplog.text  # the logs were captured (httpx logs each request)
    assert TOKEN not in text and wrong not in text


def test_the_app_private_key_and_installation_token_are_never_shown(
    github_server: GithubServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    caplog.set_level(logging.DEBUG)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    github_server.add_app("99", public, 5)
    _seed(github_server)
    monkeypatch.delenv("TRIAGEDESK_GITHUB_TOKEN", raising=False)
    monkeypatch.setenv("TRIAGEDESK_GITHUB_APP_ID", "99")
    monkeypatch.setenv("TRIAGEDESK_GITHUB_PRIVATE_KEY", private)
    args = ["--config", str(_config(tmp_path, github_server)), "--db", f"sqlite:///{tmp_path}/t.db"]
    code, out, err = _run(capsys, "sync", *args, "--json")
    assert code == 0, err
    assert len(github_server.installation_tokens) == 1
    issued = next(iter(github_server.installation_tokens))
    body_line = private.splitlines()[1]
    text = out + err + caplog.text
    assert body_line not in text and issued not in text


def test_schedule_reconciliation_hook(
    github_server: GithubServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from datetime import UTC, datetime

    from triagedesk.cli.common import runtime
    from triagedesk.cli.github import make_sync_hook

    _seed(github_server)
    cfg = _config(tmp_path, github_server)
    monkeypatch.delenv("TRIAGEDESK_GITHUB_TOKEN", raising=False)
    monkeypatch.delenv("TRIAGEDESK_GITHUB_APP_ID", raising=False)
    assert make_sync_hook(runtime(f"sqlite:///{tmp_path}/t.db", cfg)) is None
    monkeypatch.setenv("TRIAGEDESK_GITHUB_TOKEN", TOKEN)
    rt = runtime(f"sqlite:///{tmp_path}/t.db", cfg)
    hook = make_sync_hook(rt)
    assert hook is not None
    first = hook(datetime.now(UTC))
    assert "docker/for-mac: full, 130 issues" in first
    assert hook(datetime.now(UTC)).endswith("(2 requests)")  # two 304s
    rt.close()


def test_sync_named_repository_and_the_internal_one(
    github_server: GithubServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TRIAGEDESK_GITHUB_TOKEN", TOKEN)
    _seed(github_server)
    github_server.add_issue("docker/pinata", title="engine crash on resume", created=T0)
    args = ["--config", str(_config(tmp_path, github_server)), "--db", f"sqlite:///{tmp_path}/t.db"]
    code, out, _ = _run(capsys, "sync", "--repo", "docker/for-win", "--internal", *args, "--json")
    assert code == 0
    assert [(r["repo"], r["issues"]) for r in json.loads(out)["repos"]] == [
        ("docker/for-win", 20),
        ("docker/pinata", 1),
    ]
    code, _, err = _run(capsys, "sync", "--repo", "not a repo", *args)
    assert code == 2 and "owner/name" in err


def test_sync_state_shows_an_interrupted_run(
    github_server: GithubServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TRIAGEDESK_GITHUB_TOKEN", TOKEN)
    args = ["--config", str(_config(tmp_path, github_server)), "--db", f"sqlite:///{tmp_path}/t.db"]
    code, out, _ = _run(capsys, "sync", "--state", *args)
    assert code == 0 and "no repository has been synced yet" in out
    _seed(github_server)
    github_server.set_rate("graphql", remaining=1, reset_in=3000)
    assert _run(capsys, "sync", *args)[0] == 1
    code, out, _ = _run(capsys, "sync", "--state", *args, "--json")
    rows = {r["repo"]: r for r in json.loads(out)}
    assert rows["docker/for-mac"]["in_progress"] and rows["docker/for-mac"]["run_issues"] == 100
    # showing the state sends nothing
    before = len(github_server.requests())
    _run(capsys, "sync", "--state", *args)
    assert len(github_server.requests()) == before


def test_a_spent_request_budget_stops_and_the_next_run_continues(
    github_server: GithubServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TRIAGEDESK_GITHUB_TOKEN", TOKEN)
    _seed(github_server)
    cfg = _config(tmp_path, github_server, "request_budget = 2")
    args = ["--config", str(cfg), "--db", f"sqlite:///{tmp_path}/t.db"]
    code, _, err = _run(capsys, "sync", *args)
    assert code == 1 and "request budget" in err and "again to continue" in err
    modes = []
    for _ in range(4):
        code, out, _ = _run(capsys, "sync", *args, "--json")
        modes.append([r["mode"] for r in json.loads(out)["repos"]] if out.strip() else [])
        if code == 0:
            break
    assert code == 0
    assert modes[0][0] == "resumed"


def test_incremental_sync_heals_a_missed_opened_delivery(
    github_server: GithubServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An issue whose webhook never arrived is heard as opened by the next sync."""
    monkeypatch.setenv("TRIAGEDESK_GITHUB_TOKEN", TOKEN)
    _seed(github_server)
    args = ["--config", str(_config(tmp_path, github_server)), "--db", f"sqlite:///{tmp_path}/t.db"]
    assert _run(capsys, "sync", *args)[0] == 0  # full backfill: nobody is told about 150 old issues
    code, out, _ = _run(
        capsys, "actions", "--planned", "--json", "--db", f"sqlite:///{tmp_path}/t.db"
    )
    assert code == 0 and json.loads(out) == []

    new = github_server.add_issue(
        "docker/for-win", title="missed while the hook was down", created=T0 + 50_000
    )
    code, out, _ = _run(capsys, "sync", *args, "--json")
    assert code == 0, out
    data = json.loads(out)
    assert data["handlers"]["issues"] >= 1
    code, out, _ = _run(
        capsys, "actions", "--planned", "--json", "--db", f"sqlite:///{tmp_path}/t.db"
    )
    planned = json.loads(out)
    new_ref = f"docker/for-win#{new['number']}"
    # heard as opened: triage on open and the checklist, like a webhook would have done
    sources = {p["source"] for p in planned if p["action"]["issue"] == new_ref}
    assert sources == {"triage-on-open:replay.opened", "quality-checklist:replay.opened"}
    # the old issues were not re-heard as opened
    assert all(
        p["source"].endswith("replay.synced") for p in planned if p["action"]["issue"] != new_ref
    )

    # the same sync again: nothing new is planned
    assert _run(capsys, "sync", *args)[0] == 0
    code, out, _ = _run(
        capsys, "actions", "--planned", "--json", "--db", f"sqlite:///{tmp_path}/t.db"
    )
    assert len(json.loads(out)) == len(planned)
