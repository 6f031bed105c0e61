"""The HTML report in headless Chromium: four SVG charts render with real sizes, nothing is fetched.

The screenshot is kept as a test artefact in artifacts/report-2026-W47.png.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from support.report_history import synthetic_issues
from triagedesk.adapters.store.issues import SqlIssueStore
from triagedesk.adapters.store.reports import SqlReportSource
from triagedesk.app.report import build_report
from triagedesk.app.report_render import render_html
from triagedesk.domain.periods import Rotation, rotation_week
from triagedesk.settings import Settings

ARTIFACTS = Path(__file__).parents[2] / "artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.mark.browser
def test_html_report_renders_charts_offline(sqlite_engine: Engine, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    w47 = rotation_week(2026, 47, Rotation("Europe/London"))
    SqlIssueStore(sqlite_engine).upsert_issues(
        synthetic_issues(800, end=w47.end, days=200, seed=4, burst=20)
    )
    report = build_report(
        SqlReportSource(sqlite_engine), Settings(), w47, now=datetime(2026, 11, 23, 10, tzinfo=UTC)
    )
    page_file = tmp_path / "report.html"
    page_file.write_text(render_html(report), encoding="utf-8")
    ARTIFACTS.mkdir(exist_ok=True)
    requests: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1100, "height": 900})
            page.on("request", lambda r: requests.append(r.url))
            page.goto(page_file.as_uri())
            charts = page.eval_on_selector_all(
                "svg.chart",
                """els => els.map(e => ({
                    name: e.dataset.chart,
                    w: e.getBoundingClientRect().width,
                    h: e.getBoundingClientRect().height,
                    marks: e.querySelectorAll('rect.bar, polyline.line').length,
                }))""",
            )
            on_rotation = page.text_content("#on-rotation")
            rows = page.eval_on_selector_all("#stats tr", "els => els.length")
            page.screenshot(path=str(ARTIFACTS / "report-2026-W47.png"), full_page=True)
        finally:
            browser.close()
    assert [c["name"] for c in charts] == ["opened-closed", "backlog", "resolution", "areas"]
    for c in charts:
        assert c["w"] > 300 and c["h"] > 100, c
        assert c["marks"] > 0, c
    assert on_rotation == "@dan"
    assert rows == 4  # header, two repositories, all
    # the only request is the file itself: no fonts, scripts or images from anywhere
    assert requests == [page_file.as_uri()]
