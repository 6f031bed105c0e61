"""The report as Markdown, self-contained HTML (inline SVG charts) and JSON, and the chat summary."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from triagedesk.app.report import Report
from triagedesk.app.report_charts import report_charts
from triagedesk.domain.workflow import Status

TEMPLATES = Path(__file__).with_name("templates") / "report"
FORMATS = ("md", "html", "json")
#: rows shown per list in Markdown and HTML (the JSON has them all)
LIST_LIMIT = 25
OCCURRENCES = (
    ("reactions", "Most reactions"),
    ("comments", "Most comments in the period"),
    ("duplicates", "Most new duplicates"),
)


def _hours(v: float | None) -> str:
    if v is None:
        return "—"
    if v < 48:
        return f"{v:.1f} h"
    return f"{v / 24:.1f} d"


def _pvalue(p: float) -> str:
    return "< 0.000001" if p < 1e-6 else f"{p:.2g}"


def _md(text: str) -> str:
    """A title safe inside a Markdown table cell."""
    return text.replace("|", "\\|").replace("\n", " ").strip()


@cache
def _env(autoescape: bool) -> Environment:
    """One environment per escaping mode for the process: it keeps its compiled templates
    (and recompiles one whose file changed)."""
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        # Markdown is plain text (titles are made table-safe by the md filter); HTML escapes
        # everything (the templates end in .j2, so select_autoescape would not switch it on)
        autoescape=autoescape,  # noqa: S701
        undefined=StrictUndefined,
        trim_blocks=False,
        keep_trailing_newline=True,
    )
    env.filters["hours"] = _hours
    env.filters["md"] = _md
    env.filters["pvalue"] = _pvalue
    return env


def _context(report: Report) -> dict[str, Any]:
    d = report.data
    rows = [*d["repos"].items(), ("all", d["all"])]
    seen = set(d["all"]["status_counts"]) | set(d["all"]["time_in_status_hours"])
    statuses = [s.value for s in Status if s.value in seen]
    if "none" in seen:
        statuses.append("none")
    return {
        "d": d,
        "rows": rows,
        "statuses": statuses,
        "limit": LIST_LIMIT,
        "occurrences": OCCURRENCES,
    }


def render_markdown(report: Report) -> str:
    return _env(False).get_template("report.md.j2").render(**_context(report))


def render_html(report: Report) -> str:
    charts = {k: Markup(v) for k, v in report_charts(report.data).items()}  # noqa: S704 - our own SVG, values escaped
    return _env(True).get_template("report.html.j2").render(charts=charts, **_context(report))


def render_json(report: Report) -> str:
    # compact: json's C encoder only runs without indent, and a 100k-issue history lists
    # tens of thousands of issues (pipe through `jq .` to read it)
    return json.dumps(report.data, ensure_ascii=False, separators=(",", ":")) + "\n"


def render(report: Report, fmt: str) -> str:
    if fmt == "md":
        return render_markdown(report)
    if fmt == "html":
        return render_html(report)
    if fmt == "json":
        return render_json(report)
    raise ValueError(f"unknown report format {fmt!r}")


def subject(report: Report, template: str) -> str:
    return template.replace("{product}", str(report.data["product"])).replace(
        "{period}", report.period.label
    )


def chat_summary(data: dict[str, Any], link: str = "") -> str:
    """The Slack message: the key numbers in a few lines (Slack mrkdwn)."""
    a = data["all"]
    ttr = a["time_to_resolution_hours"]
    lines = [
        f"*{data['product']} L1 rotation report {data['period']['label']}*"
        + (f" (on rotation: {data['on_rotation']})" if data["on_rotation"] else ""),
        f"Opened {a['opened']} · closed {a['closed']} this period; "
        f"all time {a['opened_all_time']} opened / {a['closed_all_time']} closed; "
        f"{a['open_at_end']} open at the end.",
        f"Time to resolution: mean {_hours(ttr['mean'])}, median {_hours(ttr['median'])}, "
        f"p90 {_hours(ttr['p90'])} (n = {ttr['n']}).",
        f"Open longer than the target: {len(a['over_target'])}. "
        f"SLA: {len(a['sla']['breaches'])} breach(es), {len(a['sla']['warnings'])} warning(s).",
    ]
    spikes = data["trends"]["spikes"]
    if spikes:
        lines.append(
            "Spikes: "
            + ", ".join(
                f"{s['area']} {s['this_week']} (usually {s['baseline']:.1f})"
                + (f", after {s['release']}" if s["release"] else "")
                for s in spikes
            )
        )
    h = data["handoff"]
    lines.append(
        f"Hand-off: {len(h['more_info_needed'])} waiting on the reporter, "
        f"{len(h['untriaged'])} untriaged."
    )
    if link:
        lines.append(f"Full report: {link}")
    return "\n".join(lines)
