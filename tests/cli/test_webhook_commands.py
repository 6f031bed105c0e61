"""worker --once, actions [--planned|--applied] [--json], actions apply, deliveries, serve, redeliver."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import Engine

from support.cli import run_argv as run
from support.webhooks import SECRET, free_port, headers, opened_issue
from triagedesk.adapters.store.action_log import SqlActionLog
from triagedesk.adapters.store.db import migrate, open_engine
from triagedesk.adapters.store.deliveries import SqlDeliveryQueue
from triagedesk.domain.actions import AddLabels
from triagedesk.domain.model import IssueRef, RepoRef
from triagedesk.ports.actions import ActionStatus
from triagedesk.ports.deliveries import DeliveryStatus, NewDelivery

TRIAGEDESK = str(Path(sys.executable).with_name("triagedesk"))
REF = IssueRef(RepoRef("docker", "for-mac"), 3)
T0 = datetime(2026, 3, 1, tzinfo=UTC)


@pytest.fixture
def db(sqlite_url: str) -> tuple[str, Engine]:
    engine = open_engine(sqlite_url)
    migrate(engine)
    return sqlite_url, engine


def test_worker_once_then_actions_listing(
    db: tuple[str, Engine], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, engine = db
    for var in ("TRIAGEDESK_GITHUB_TOKEN", "TRIAGEDESK_GITHUB_APP_ID"):
        monkeypatch.delenv(var, raising=False)
    SqlDeliveryQueue(engine).enqueue(
        NewDelivery("c-1", "issues", "opened", "docker/for-mac", opened_issue(11), T0)
    )
    code, out, _ = run(capsys, "worker", "--once", "--db", url, "--json")
    assert code == 0
    assert json.loads(out)["done"] == 1
    assert SqlDeliveryQueue(engine).get("c-1").status is DeliveryStatus.DONE  # type: ignore[union-attr]
    code, out, _ = run(capsys, "actions", "--planned", "--json", "--db", url)
    rows = json.loads(out)
    triage = [r for r in rows if r["kind"] == "set_status"]
    # the triage rule (other features' handlers may plan more for the same issue)
    assert [r["issue"] for r in triage if r["action"]["status"] == "status/0-triage"] == [
        "docker/for-mac#11"
    ]
    code, out, _ = run(capsys, "actions", "--applied", "--json", "--db", url)
    assert json.loads(out) == []
    code, out, _ = run(capsys, "actions", "--db", url)
    assert "set_status" in out and "docker/for-mac#11" in out
    code, out, _ = run(capsys, "deliveries", "--db", url, "--json")
    assert json.loads(out)["counts"]["done"] == 1


def test_actions_apply_needs_credentials_and_a_planned_id(
    db: tuple[str, Engine], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, engine = db
    for var in ("TRIAGEDESK_GITHUB_TOKEN", "TRIAGEDESK_GITHUB_APP_ID"):
        monkeypatch.delenv(var, raising=False)
    [rec] = SqlActionLog(engine).record(
        [AddLabels(REF, "guess", labels=("area/gui",))],
        status=ActionStatus.PLANNED,
        source="t",
        at=T0,
    )
    code, _, err = run(capsys, "actions", "apply", str(rec.id), "--db", url)
    assert code == 2 and "TRIAGEDESK_GITHUB_TOKEN" in err
    code, _, err = run(capsys, "actions", "--planned", "--applied", "--db", url)
    assert code == 2 and "exclude" in err


def test_redeliver_without_credentials_is_a_clear_error(
    db: tuple[str, Engine], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for var in ("TRIAGEDESK_GITHUB_TOKEN", "TRIAGEDESK_GITHUB_APP_ID"):
        monkeypatch.delenv(var, raising=False)
    code, _, err = run(capsys, "redeliver", "--db", db[0])
    assert code == 2 and "credentials" in err


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRIAGEDESK_")}
    env.update(extra)
    return env


@pytest.mark.slow
def test_serve_without_secret_fails_at_startup(tmp_path: Path) -> None:
    proc = subprocess.run(
        [TRIAGEDESK, "serve", "--db", f"sqlite:///{tmp_path}/x.db"],
        capture_output=True,
        text=True,
        env=_env(),
        timeout=60,
    )
    assert proc.returncode == 2
    assert "TRIAGEDESK_WEBHOOK_SECRET" in proc.stderr


@pytest.mark.slow
def test_serve_answers_and_processes_in_process(tmp_path: Path) -> None:
    port = free_port()
    db = f"sqlite:///{tmp_path}/serve.db"
    proc = subprocess.Popen(
        [TRIAGEDESK, "serve", "--db", db, "--port", str(port)],
        env=_env(TRIAGEDESK_WEBHOOK_SECRET=SECRET),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
            assert time.monotonic() < deadline, "serve did not come up"
            time.sleep(0.2)
        body = opened_issue(21)
        r = httpx.post(
            base + "/webhooks/github", content=body, headers=headers("issues", "s-1", body)
        )
        assert r.status_code == 202
        while httpx.get(base + "/healthz").json()["deliveries"]["done"] < 1:
            assert time.monotonic() < deadline, "the in-process worker did not process it"
            time.sleep(0.1)
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_actions_reject(db: tuple[str, Engine], capsys: pytest.CaptureFixture[str]) -> None:
    url, engine = db
    [rec] = SqlActionLog(engine).record(
        [AddLabels(REF, "guess", labels=("area/gui",))],
        status=ActionStatus.PLANNED,
        source="t",
        at=T0,
    )
    code, out, _ = run(
        capsys, "actions", "reject", str(rec.id), "--why", "wrong area", "--db", url, "--json"
    )
    assert code == 0
    [row] = json.loads(out)
    assert (row["status"], row["detail"]) == ("rejected", "wrong area")
    code, out, _ = run(capsys, "actions", "--planned", "--json", "--db", url)
    assert json.loads(out) == []
    code, _, err = run(capsys, "actions", "reject", str(rec.id), "--db", url)
    assert code == 2 and "not planned" in err
    code, _, err = run(capsys, "actions", "reject", "999", "--db", url)
    assert code == 2 and "no action" in err


def test_actions_apply_against_the_github_test_server(
    db: tuple[str, Engine],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    from support.github_server import TOKEN, GithubServer

    url, engine = db
    with GithubServer() as server:
        server.add_issue("docker/for-mac", created=1_770_000_000.0)
        server.add_issue("docker/for-mac", created=1_770_000_000.0)
        server.add_issue("docker/for-mac", labels=("kind/bug",), created=1_770_000_000.0)
        config = tmp_path / "triagedesk.toml"
        config.write_text(f'[github]\napi_url = "{server.url}"\nshadow = true\n')
        monkeypatch.setenv("TRIAGEDESK_GITHUB_TOKEN", TOKEN)
        monkeypatch.delenv("TRIAGEDESK_GITHUB_APP_ID", raising=False)
        [rec] = SqlActionLog(engine).record(
            [AddLabels(REF, "guess", labels=("area/gui", "kind/bug"))],
            status=ActionStatus.PLANNED,
            source="t",
            at=T0,
        )
        code, out, err = run(
            capsys, "actions", "apply", str(rec.id), "--db", url, "--config", str(config), "--json"
        )
        assert code == 0, err
        [row] = json.loads(out)
        assert (row["status"], row["detail"]) == ("applied", "added area/gui")
        labels = [lab["name"] for lab in server.repo("docker/for-mac").issues[3]["labels"]]
        assert labels == ["kind/bug", "area/gui"]
