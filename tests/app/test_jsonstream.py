"""The streaming JSON record reader: arrays, JSON lines, and every way a file can be broken."""

from __future__ import annotations

import io
import json

import pytest

import triagedesk.app.jsonstream as js
from triagedesk.app.jsonstream import Problem, Record, iter_records


def _read(data: bytes) -> tuple[list[Record], list[Problem]]:
    items = list(iter_records(io.BytesIO(data)))
    return (
        [i for i in items if isinstance(i, Record)],
        [i for i in items if isinstance(i, Problem)],
    )


@pytest.fixture(params=[7, 1 << 20], ids=["tiny-chunks", "default-chunks"])
def chunk(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr(js, "CHUNK", request.param)
    return int(request.param)


ARRAY = b'[\n {"n": 1, "t": "a"},\n {"n": 2, "t": "b\\u00e9"},\n {"n": 3, "t": "c"}\n]\n'


@pytest.mark.parametrize(
    ("data", "values", "lines", "problems"),
    [
        (ARRAY, [1, 2, 3], [2, 3, 4], []),
        (b"[]", [], [], []),
        (b'{"n": 1}\n{"n": 2}\n\n{"n": 3}\n', [1, 2, 3], [1, 2, 4], []),
        (b'{\n  "n": 1\n}\n', [1], [1], []),  # one pretty-printed object
        (b'\xef\xbb\xbf[{"n": 1}]', [1], [1], []),  # UTF-8 BOM
        (b'[{"n": 1}, {"n": 2}] trailing', [1, 2], [1, 1], ["unexpected text after"]),
        (b'{"n": 1}\n{"n": oops}\n{"n": 3}\n', [1, 3], [1, 3], ["item 1 (line 2 column 7)"]),
        (b'[{"n": 1}, {"n": 2}, {"n": 3', [1, 2], [1, 1], ["item 2", "truncated"]),
        (
            b'[{"n": 1},\n {"n": 2,, "x": 1}, {"n": 3}]',
            [1],
            [1],
            ["item 1 (line 2", "corrupt JSON"],
        ),
        (b'[{"n": 1} {"n": 2}]', [1], [1], ["expected ',' or ']'"]),
        (b'[{"n": 1}', [1], [1], ["ends before the closing ']'"]),
        (b"", [], [], ["the file is empty"]),
        (b'[{"n": 1}, ' + b"[" * 100_000 + b"]" * 100_000 + b"]", [1], [1], ["nested too deeply"]),
        (
            b'{"n": 1}\n' + b"[" * 100_000 + b"\n" + b'{"n": 2}\n',
            [1, 2],
            [1, 3],
            ["nested too deeply"],
        ),
        (b'"just a string"', [], [], ["expected a JSON array"]),
    ],
)
def test_layouts_and_breakage(
    chunk: int, data: bytes, values: list[int], lines: list[int], problems: list[str]
) -> None:
    records, found = _read(data)
    assert [r.value["n"] for r in records] == values
    assert [r.line for r in records] == lines
    assert [r.index for r in records] == sorted(r.index for r in records)
    text = " | ".join(f"{p.where}: {p.message}" for p in found)
    for expected in problems:
        assert expected in text
    if not problems:
        assert found == []


def test_invalid_utf8_is_replaced_and_reported(chunk: int) -> None:
    data = b'[{"n": 1, "t": "ok"},\n {"n": 2, "t": "caf\xe9 au lait"}]'
    records, found = _read(data)
    assert [r.value["t"] for r in records] == ["ok", "caf\ufffd au lait"]
    assert len(found) == 1
    assert "invalid UTF-8" in found[0].message
    bad_at = data.index(b"\xe9")
    assert found[0].where == f"byte {bad_at} (line 2)"
    assert not found[0].fatal


def test_each_bad_sequence_is_reported_up_to_a_limit(chunk: int) -> None:
    data = b'[{"t": "a\xff b\xfe"},\n{"t": "' + b"\xc3" * 5000 + b'"}]'
    records, found = _read(data)
    assert len(records) == 2
    assert records[0].value["t"] == "a\ufffd b\ufffd"
    assert records[1].value["t"] == "\ufffd" * 5000
    assert [p.where for p in found[:3]] == [
        "byte 9 (line 1)",
        "byte 12 (line 1)",
        "byte 24 (line 2)",
    ]
    assert len(found) == js.MAX_REPORTED + 1
    assert "not reported one by one" in found[-1].message


def test_big_record_and_many_records(chunk: int) -> None:
    big = "line of diagnose output\n" * (10 * 1024 * 1024 // 24)
    payload = [{"n": i, "body": big if i == 3 else f"small {i}"} for i in range(6)]
    records, found = _read(json.dumps(payload).encode())
    assert found == []
    assert [r.value["n"] for r in records] == list(range(6))
    assert records[3].value["body"] == big


def test_progress_counts_every_byte() -> None:
    seen: list[int] = []
    list(iter_records(io.BytesIO(ARRAY), on_bytes=seen.append))
    assert sum(seen) == len(ARRAY)
