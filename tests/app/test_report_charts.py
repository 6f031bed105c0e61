"""Chart helpers: round y axes, one mark per value, escaped labels."""

from __future__ import annotations

import re

import pytest

from triagedesk.app.report_charts import _nice_max, bars, lines


@pytest.mark.parametrize(
    ("v", "top"),
    [(0, 4), (3, 4), (5, 8), (12, 12), (48, 60), (99, 100), (210, 240), (1234, 1600)],
)
def test_axis_top_is_four_whole_steps(v: float, top: float) -> None:
    assert _nice_max(v) == top
    assert (top / 4).is_integer() and top >= v


def test_bars_and_lines() -> None:
    svg = bars("x", "T <&>", ["W1", "W2", "W3"], [("opened", [1, 0, 5]), ("closed", [2, 2, 2])])
    assert svg.count('class="bar"') == 6
    assert "<title>T &lt;&amp;&gt;</title>" in svg
    ticks = re.findall(r'text-anchor="end">([^<]*)<', svg)
    assert ticks == ["0", "2", "4", "6", "8"]
    svg = lines("y", "L", ["a", "b"], [("s1", [1, 2]), ("s2", [3, 4])])
    assert svg.count("<polyline") == 2 and svg.count("<circle") == 4
