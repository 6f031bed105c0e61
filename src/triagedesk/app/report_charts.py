"""Charts of the HTML report, drawn as inline SVG: no script, no font or image to fetch.

Every chart is an ``<svg>`` with ``role="img"``, a ``<title>``, and a
``data-chart`` name the browser test looks for.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

W, H = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 48, 16, 20, 48
PALETTE = ("#1d76db", "#e99695", "#0e8a16", "#fbca04", "#5319e7", "#b60205", "#006b75", "#d93f0b")


def _nice_max(v: float) -> float:
    """The top of the y axis: four equal whole-number steps of a round size covering ``v``."""
    if v <= 0:
        return 4.0
    quarter = v / 4
    exp = 10 ** math.floor(math.log10(quarter))
    for m in (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        step = m * exp
        if step >= quarter and step >= 1 and float(step).is_integer():
            return float(step * 4)
    return float(math.ceil(quarter) * 4)


def _frame(name: str, title: str, body: list[str], ymax: float, xlabels: Sequence[str]) -> str:
    pw, ph = W - LEFT - RIGHT, H - TOP - BOTTOM
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" data-chart="{name}" role="img" '
        f'width="{W}" height="{H}" viewBox="0 0 {W} {H}" font-family="sans-serif" font-size="11">',
        f"<title>{escape(title)}</title>",
        f'<rect x="0" y="0" width="{W}" height="{H}" fill="#ffffff"/>',
    ]
    for i in range(5):
        v = ymax * i / 4
        y = TOP + ph - ph * i / 4
        parts.append(
            f'<line x1="{LEFT}" x2="{LEFT + pw}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e5e5e5"/>'
        )
        shown = f"{v:.0f}"
        parts.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{shown}</text>')
    n = len(xlabels)
    step = max(1, math.ceil(n / 10))
    for i, label in enumerate(xlabels):
        if i % step and i != n - 1:
            continue
        x = LEFT + pw * (i + 0.5) / max(n, 1)
        parts.append(
            f'<text x="{x:.1f}" y="{TOP + ph + 16}" text-anchor="middle">{escape(label)}</text>'
        )
    parts.extend(body)
    parts.append("</svg>")
    return "".join(parts)


def _legend(names: Sequence[str], colours: Sequence[str]) -> list[str]:
    out: list[str] = []
    x = LEFT
    for name, colour in zip(names, colours, strict=False):
        out.append(
            f'<rect x="{x}" y="{H - 18}" width="10" height="10" fill="{colour}"/>'
            f'<text x="{x + 14}" y="{H - 9}">{escape(name)}</text>'
        )
        x += 24 + 7 * len(name)
    return out


def bars(
    name: str,
    title: str,
    xlabels: Sequence[str],
    series: Sequence[tuple[str, Sequence[int]]],
) -> str:
    """Grouped bars: one group per x label, one bar per series."""
    pw, ph = W - LEFT - RIGHT, H - TOP - BOTTOM
    ymax = _nice_max(max((v for _, vs in series for v in vs), default=0))
    n, k = max(len(xlabels), 1), max(len(series), 1)
    group = pw / n
    bw = max(1.0, group * 0.8 / k)
    body: list[str] = []
    for s, (label, values) in enumerate(series):
        colour = PALETTE[s % len(PALETTE)]
        for i, v in enumerate(values):
            h = ph * v / ymax
            x = LEFT + group * i + group * 0.1 + bw * s
            body.append(
                f'<rect class="bar" x="{x:.1f}" y="{TOP + ph - h:.1f}" width="{bw:.1f}" '
                f'height="{h:.1f}" fill="{colour}"><title>{escape(label)} {escape(xlabels[i])}: '
                f"{v}</title></rect>"
            )
    if len(series) > 1:
        body.extend(_legend([s for s, _ in series], PALETTE))
    return _frame(name, title, body, ymax, xlabels)


def lines(
    name: str,
    title: str,
    xlabels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float]]],
) -> str:
    """One polyline per series, with a dot per point."""
    pw, ph = W - LEFT - RIGHT, H - TOP - BOTTOM
    ymax = _nice_max(max((v for _, vs in series for v in vs), default=0))
    n = max(len(xlabels), 1)
    body: list[str] = []
    for s, (label, values) in enumerate(series):
        colour = PALETTE[s % len(PALETTE)]
        pts = [(LEFT + pw * (i + 0.5) / n, TOP + ph - ph * v / ymax) for i, v in enumerate(values)]
        if not pts:
            continue
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in pts)
        body.append(
            f'<polyline class="line" points="{path}" fill="none" stroke="{colour}" '
            f'stroke-width="2"><title>{escape(label)}</title></polyline>'
        )
        for (x, y), v, xl in zip(pts, values, xlabels, strict=False):
            body.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="{colour}">'
                f"<title>{escape(label)} {escape(xl)}: {v:g}</title></circle>"
            )
    if len(series) > 1:
        body.extend(_legend([s for s, _ in series], PALETTE))
    return _frame(name, title, body, ymax, xlabels)


def report_charts(data: dict[str, object]) -> dict[str, str]:
    """The four charts of the HTML report, from the report's JSON data."""
    weekly = data["weekly"]
    assert isinstance(weekly, dict)
    weeks = [w.split("-", 1)[-1] for w in weekly["weeks"]]
    hist = data["time_to_resolution_histogram"]
    assert isinstance(hist, dict)
    trends = data["trends"]
    assert isinstance(trends, dict)
    windows = [w.split("-", 1)[-1] if "W" in w else w for w in trends["windows"]]
    areas = trends["areas"][:6]
    return {
        "opened_closed": bars(
            "opened-closed",
            "Issues opened and closed per week",
            weeks,
            [("opened", weekly["opened"]), ("closed", weekly["closed"])],
        ),
        "backlog": lines(
            "backlog", "Open issues at the end of each week", weeks, [("open", weekly["backlog"])]
        ),
        "resolution": bars(
            "resolution",
            "Time to resolution of the issues closed in the period",
            hist["buckets"],
            [("closed", hist["counts"])],
        ),
        "areas": lines(
            "areas",
            "New issues per area label and week",
            windows,
            [(a["area"], a["weekly"]) for a in areas],
        ),
    }
