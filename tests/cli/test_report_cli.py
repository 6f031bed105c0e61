"""triagedesk report / reports / schedule through the real entry point."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from support.cli import run
from support.report_history import synthetic_issues
from support.slack_server import slack_server
from support.smtp_server import smtp_server
from triagedesk.adapters.store.db import migrate, open_engine
from triagedesk.adapters.store.issues import SqlIssueStore
from triagedesk.domain.periods import Rotation, rotation_week

W47 = rotation_week(2026, 47, Rotation("Europe/London"))


@pytest.fixture
def db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path}/r.db"
    engine = open_engine(url)
    migrate(engine)
    SqlIssueStore(engine).upsert_issues(synthetic_issues(250, end=W47.end, days=60, seed=2))
    engine.dispose()
    return url


def test_report_formats(db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out_json = tmp_path / "w47.json"
    code, _, err = run(
        ["report", "--week", "2026-W47", "--format", "json", "--out", str(out_json), "--db", db],
        capsys,
    )
    assert code == 0, err
    data = json.loads(out_json.read_text())
    assert data["period"]["label"] == "2026-W47" and data["all"]["opened_all_time"] == 250
    code, out, _ = run(
        ["report", "--week", "2026-W47", "--repo", "docker/for-mac", "--db", db], capsys
    )
    assert code == 0 and out.startswith("# Docker Desktop L1 rotation report — 2026-W47")
    assert "docker/for-win |" not in out
    code, out, _ = run(
        ["report", "--from", "2026-11-01", "--to", "2026-11-22", "--format", "html", "--db", db],
        capsys,
    )
    assert code == 0 and out.count("<svg") == 4 and "2026-11-01..2026-11-22" in out
    code, out, _ = run(["reports", "list", "--json", "--db", db], capsys)
    periods = sorted((r["period"], r["repos"]) for r in json.loads(out))
    assert periods == [
        ("2026-11-01..2026-11-22", "docker/for-mac,docker/for-win"),
        ("2026-W47", "docker/for-mac"),
        ("2026-W47", "docker/for-mac,docker/for-win"),
    ]
    code, out, _ = run(["reports", "show", "2026-W47", "--format", "json", "--db", db], capsys)
    assert code == 0 and json.loads(out)["period"]["label"] == "2026-W47"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--week", "2026-W99"], "has no week 99"),
        (["--week", "next"], "not an ISO week"),
        (["--from", "2026-11-01"], "go together"),
        (["--from", "yesterday", "--to", "2026-11-02"], "not a date"),
        (["--from", "2026-11-05", "--to", "2026-11-02"], "before --from"),
        (["--week", "2026-W47", "--from", "2026-11-01", "--to", "2026-11-02"], "not both"),
        (["--format", "pdf"], "--format"),
        (["--repo", "not a repo"], "owner/name"),
    ],
)
def test_bad_input(
    db: str, args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(["report", *args, "--db", db], capsys)
    assert code == 2 and message in err


def test_send_twice_needs_force(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with smtp_server() as (inbox, port, _), slack_server() as slack:
        config = tmp_path / "t.toml"
        config.write_text(
            f'[report]\nsmtp_host = "127.0.0.1"\nsmtp_port = {port}\nsmtp_tls = "none"\n'
            'recipients = ["l1@example.com"]\n',
            encoding="utf-8",
        )
        monkeypatch.setenv("TRIAGEDESK_SLACK_WEBHOOK_URL", f"{slack.base}/webhook")
        base = [
            "report",
            "--week",
            "2026-W47",
            "--send",
            "--out",
            str(tmp_path / "r.md"),
            "--db",
            db,
            "--config",
            str(config),
        ]
        code, _, err = run(base, capsys)
        assert code == 0, err
        assert "sent by email, slack" in err
        code, _, err = run(base, capsys)
        assert code == 2 and "already sent" in err and "--force" in err
        code, _, err = run([*base, "--force"], capsys)
        assert code == 0, err
        assert len(inbox.messages) == 2 and len(slack.requests) == 2
        assert inbox.messages[0][0] == ["l1@example.com"]
        code, out, _ = run(["reports", "list", "--json", "--db", db], capsys)
        (row,) = json.loads(out)
        assert set(row["sent"]) == {"email", "slack"}


def test_schedule_once(db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "t.toml"
    config.write_text("[report]\nchannels = []\n", encoding="utf-8")
    code, out, err = run(
        ["schedule", "--once", "--json", "--db", db, "--config", str(config)], capsys
    )
    assert code == 0, err
    jobs = {d["job"] for d in json.loads(out)}
    # the current rotation week is long past the synthetic history's end: its report is due
    assert {"report", "sla", "quality-sweep"} <= jobs
    sweep = next(d for d in json.loads(out) if d["job"] == "quality-sweep")
    assert sweep["ok"] and str(sweep["detail"]).startswith("checked ")
    code, out, _ = run(
        ["schedule", "--once", "--json", "--db", db, "--config", str(config)], capsys
    )
    assert [d for d in json.loads(out) if d["job"] in ("report", "sla", "quality-sweep")] == []


@pytest.mark.slow
def test_locked_archive_loses_nothing(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Another writer holds the database: the report is still written, then a clear error."""
    import sqlite3

    holder = sqlite3.connect(db.removeprefix("sqlite:///"), timeout=0)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        out = tmp_path / "w47.md"
        code, _, err = run(["report", "--week", "2026-W47", "--out", str(out), "--db", db], capsys)
    finally:
        holder.rollback()
        holder.close()
    assert code == 2 and "locked" in err
    assert out.read_text().startswith("# Docker Desktop L1 rotation report — 2026-W47")


def test_send_without_slack_secret_keeps_the_report(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TRIAGEDESK_SLACK_WEBHOOK_URL", raising=False)
    monkeypatch.delenv("TRIAGEDESK_SLACK_TOKEN", raising=False)
    with smtp_server() as (inbox, port, _):
        config = tmp_path / "t.toml"
        config.write_text(
            f'[report]\nsmtp_host = "127.0.0.1"\nsmtp_port = {port}\nsmtp_tls = "none"\n',
            encoding="utf-8",
        )
        args = ["report", "--week", "2026-W47", "--send", "--db", db, "--config", str(config)]
        code, out, err = run(args, capsys)
        assert code == 1
        assert "archived" in err and "slack" in err and "TRIAGEDESK_SLACK_WEBHOOK_URL" in err
        assert out.startswith("# Docker Desktop L1 rotation report")
        assert len(inbox.messages) == 1
    code, out, _ = run(["reports", "list", "--json", "--db", db], capsys)
    (row,) = json.loads(out)
    assert list(row["sent"]) == ["email"]
