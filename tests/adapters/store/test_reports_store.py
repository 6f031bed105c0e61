"""The report archive and job-run claims on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from sqlalchemy.engine import Engine

from triagedesk.adapters.store.reports import SqlJobRuns, SqlReportArchive

T0 = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)


def _save(archive: SqlReportArchive, md: str, at: datetime) -> int:
    return archive.save(
        period="2026-W47",
        period_start=T0 - timedelta(days=7),
        period_end=T0,
        repos="docker/for-mac,docker/for-win",
        markdown=md,
        html="<html></html>",
        json="{}",
        at=at,
    ).id


def test_archive_replaces_contents_and_keeps_sends(engine: Engine) -> None:
    archive = SqlReportArchive(engine)
    first = _save(archive, "v1", T0)
    archive.mark_sent(first, "email", at=T0 + timedelta(minutes=1), detail="<id@x>")
    second = _save(archive, "v2", T0 + timedelta(hours=1))
    assert second == first
    got = archive.find("2026-W47", "docker/for-mac,docker/for-win")
    assert got is not None
    assert (
        got.markdown == "v2" and got.created_at == T0 and got.updated_at == T0 + timedelta(hours=1)
    )
    assert got.sent == {"email": T0 + timedelta(minutes=1)}
    archive.mark_sent(first, "email", at=T0 + timedelta(minutes=5))
    archive.mark_sent(first, "slack", at=T0 + timedelta(minutes=6))
    (listed,) = archive.list()
    assert listed.sent == {"email": T0 + timedelta(minutes=5), "slack": T0 + timedelta(minutes=6)}
    assert archive.find("2026-W46", "docker/for-mac,docker/for-win") is None


def test_claim_once(engine: Engine) -> None:
    runs = SqlJobRuns(engine)
    assert runs.claim("report", "2026-W47", at=T0)
    assert not runs.claim("report", "2026-W47", at=T0 + timedelta(seconds=1))
    assert runs.claim("report", "2026-W48", at=T0)
    assert runs.claim("sla", "2026-W47", at=T0)
    runs.finish("report", "2026-W47", at=T0 + timedelta(seconds=2), ok=False, detail="smtp down")
    rows = {(r["job"], r["period"]): r for r in runs.runs()}
    assert rows[("report", "2026-W47")]["status"] == "failed"
    assert rows[("report", "2026-W48")]["status"] == "running"


def test_claim_races(engine: Engine) -> None:
    runs = SqlJobRuns(engine)
    wins: list[bool] = []
    lock = threading.Lock()

    def go() -> None:
        ok = runs.claim("report", "2026-W50", at=T0)
        with lock:
            wins.append(ok)

    threads = [threading.Thread(target=go) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(wins) == [False] * 5 + [True]
