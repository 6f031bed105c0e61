"""Read the records of a big JSON file one at a time, with the standard library only.

Two layouts: a JSON array (``[{…}, {…}]``, what ``gh`` and the REST API print) and
a sequence of objects (JSON lines / NDJSON, or a single object). Records are
decoded one by one from a sliding buffer, so a 300 MB export never sits in memory
as one document. Each record comes with its index and the line it starts on.

Invalid UTF-8 bytes are replaced with U+FFFD and reported (byte offset and line);
a corrupt or truncated array stops at the broken record with its position (every
record before it has been delivered); a broken line in JSON lines is reported
and skipped.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO

#: bytes read per step
CHUNK = 1 << 20
#: invalid UTF-8 sequences reported one by one per file (the rest are counted in one problem)
MAX_REPORTED = 20
#: a single record may not exceed this many characters (a 10 MB body fits many times)
MAX_RECORD = 256 << 20

_WS = " \t\r\n"
_decoder = json.JSONDecoder(strict=False)


def _decode(buf: str, pos: int) -> tuple[Any, int]:
    try:
        return _decoder.raw_decode(buf, pos)
    except RecursionError:  # hostile nesting: a corrupt record, not a crash
        raise json.JSONDecodeError("JSON nested too deeply", buf, pos) from None


@dataclass(frozen=True, slots=True)
class Record:
    index: int
    line: int
    value: Any


@dataclass(frozen=True, slots=True)
class Problem:
    """Something wrong in the file. ``fatal``: nothing after it could be read."""

    where: str
    message: str
    fatal: bool = False


class _Source:
    """Decoded text from a binary file, chunk by chunk, reporting bad UTF-8."""

    def __init__(self, fh: BinaryIO, on_bytes: Callable[[int], None] | None) -> None:
        self._fh = fh
        self._pending = b""
        self._offset = 0  # bytes consumed from the file so far
        self._lines = 0  # newlines in the bytes consumed so far
        self._on_bytes = on_bytes
        self.eof = False
        self.problems: list[Problem] = []
        self.bad_sequences = 0
        self._first = True

    def read(self, size: int) -> str:
        if self.eof:
            return ""
        raw = self._fh.read(size)
        if self._on_bytes is not None:
            self._on_bytes(len(raw))
        final = not raw
        data = self._pending + raw
        if self._first and data.startswith(codecs.BOM_UTF8):
            data = data[len(codecs.BOM_UTF8) :]
            self._offset += len(codecs.BOM_UTF8)
        self._first = False
        try:
            text, used = codecs.utf_8_decode(data, "strict", final)
        except UnicodeDecodeError:
            self._report_bad_bytes(data, final)
            text, used = codecs.utf_8_decode(data, "replace", final)
        self._lines += data.count(b"\n", 0, used)
        self._offset += used
        self._pending = data[used:]
        if final:
            self.eof = True
        return text

    def _report_bad_bytes(self, data: bytes, final: bool) -> None:
        """One problem per invalid sequence (byte offset and line), the first few per file."""
        start = 0
        while start < len(data) and self.bad_sequences <= MAX_REPORTED:
            try:
                codecs.utf_8_decode(data[start:], "strict", final)
                return
            except UnicodeDecodeError as exc:
                bad = start + exc.start
                self.bad_sequences += 1
                if self.bad_sequences <= MAX_REPORTED:
                    line = self._lines + data.count(b"\n", 0, bad) + 1
                    self.problems.append(
                        Problem(
                            f"byte {self._offset + bad} (line {line})",
                            "invalid UTF-8 bytes, replaced with U+FFFD (the file is not UTF-8?)",
                        )
                    )
                elif self.bad_sequences == MAX_REPORTED + 1:
                    self.problems.append(
                        Problem(
                            f"byte {self._offset + bad}",
                            f"more invalid UTF-8 after {MAX_REPORTED} reports: "
                            "also replaced with U+FFFD, not reported one by one",
                        )
                    )
                start = start + exc.end


def _where(index: int | None, line: int, col: int | None = None) -> str:
    parts = [] if index is None else [f"item {index}"]
    parts.append(f"line {line}" if col is None else f"line {line} column {col}")
    return parts[0] if len(parts) == 1 else f"{parts[0]} ({parts[1]})"


def iter_records(
    fh: BinaryIO, *, on_bytes: Callable[[int], None] | None = None
) -> Iterator[Record | Problem]:
    """Every record of ``fh`` (array or JSON lines), and the problems met on the way."""
    src = _Source(fh, on_bytes)
    buf = ""
    pos = 0
    line = 1  # line number at ``pos``
    index = 0
    mode = ""  # "array" or "lines"
    need_comma = False

    def more(at_least: int) -> bool:
        nonlocal buf
        text = src.read(max(CHUNK, at_least))
        buf += text
        return bool(text) or not src.eof

    def flush_problems() -> Iterator[Problem]:
        while src.problems:
            yield src.problems.pop(0)

    while True:
        # skip white space, reading on as needed
        while True:
            while pos < len(buf) and buf[pos] in _WS:
                if buf[pos] == "\n":
                    line += 1
                pos += 1
            if pos < len(buf) or src.eof:
                break
            if pos > CHUNK:
                buf, pos = buf[pos:], 0
            more(CHUNK)
        yield from flush_problems()
        if pos >= len(buf):
            if mode == "array":
                yield Problem(
                    _where(index, line), "the file ends before the closing ']' (truncated?)", True
                )
            elif mode == "":
                yield Problem(
                    "line 1", "the file is empty: expected a JSON array or JSON lines", True
                )
            return
        if not mode:
            if buf[pos] == "[":
                mode = "array"
                pos += 1
                continue
            if buf[pos] == "{":
                mode = "lines"
            else:
                yield Problem(
                    _where(None, line),
                    f"expected a JSON array ('[') or JSON lines ('{{'), found {buf[pos : pos + 20]!r}",
                    True,
                )
                return
        if mode == "array":
            if buf[pos] == "]":
                rest = buf[pos + 1 :].strip(_WS) or src.read(CHUNK).strip(_WS)
                if rest:
                    yield Problem(_where(None, line), "unexpected text after the closing ']'")
                yield from flush_problems()
                return
            if need_comma:
                if buf[pos] != ",":
                    yield Problem(
                        _where(index, line),
                        f"expected ',' or ']' between records, found {buf[pos]!r}",
                        True,
                    )
                    return
                pos += 1
                need_comma = False
                continue
        # decode one value starting at pos, reading on while it is incomplete
        while True:
            try:
                value, end = _decode(buf, pos)
                break
            except json.JSONDecodeError as exc:
                incomplete = exc.pos >= len(buf) - 1 or exc.msg.startswith("Unterminated string")
                if incomplete and not src.eof and len(buf) - pos < MAX_RECORD:
                    if pos > CHUNK:
                        buf, pos = buf[pos:], 0
                    more(len(buf) - pos)
                    continue
                err_line = line + buf.count("\n", pos, exc.pos)
                col = exc.pos - (buf.rfind("\n", 0, exc.pos) + 1) + 1
                what = _where(index, err_line, col)
                yield from flush_problems()
                if mode == "lines":
                    yield Problem(what, f"not valid JSON: {exc.msg}")
                    nl = buf.find("\n", pos)
                    while nl < 0 and not src.eof:
                        more(CHUNK)
                        nl = buf.find("\n", pos)
                    line += buf.count("\n", pos, nl if nl >= 0 else len(buf))
                    pos = nl if nl >= 0 else len(buf)
                    index += 1
                    value = None
                    end = -1
                    break
                if len(buf) - pos >= MAX_RECORD:
                    msg = f"a record larger than {MAX_RECORD >> 20} MB, or corrupt JSON"
                elif src.eof and incomplete:
                    msg = f"the file ends inside this record (truncated?): {exc.msg}"
                else:
                    msg = f"corrupt JSON: {exc.msg}"
                yield Problem(what, msg + "; nothing after it was read", True)
                return
        if end < 0:
            continue
        yield from flush_problems()
        yield Record(index, line, value)
        line += buf.count("\n", pos, end)
        pos = end
        index += 1
        need_comma = mode == "array"
        if pos > CHUNK:
            buf, pos = buf[pos:], 0
