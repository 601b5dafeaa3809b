"""Records from files and streams: JSON array, NDJSON and CSV, with every bad line named and kept.

A reader yields records and hands each line it cannot read (bad JSON, a CSV row with the wrong
number of fields, bytes that are not UTF-8) to a callback with the file, the line number and the
reason, so the caller can write it to a dead-letter file: nothing is dropped silently.

NDJSON lines are validated and passed on as the bytes that were read, so the client does not
serialise them again. A JSON array file is parsed whole (its records are needed as objects anyway).
"""

from __future__ import annotations

import base64
import bisect
import csv
import io
import os
import threading
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Literal

import orjson

from azlogs._exceptions import InputError, UsageError
from azlogs.ingest._encoding import JsonLine

Format = Literal["auto", "json", "ndjson", "csv"]
FORMATS = ("auto", "json", "ndjson", "csv")


@dataclass(frozen=True)
class BadLine:
    """A line or record that could not be read."""

    source: str
    line: int
    reason: str
    raw: bytes

    def to_json(self) -> bytes:
        try:
            text: dict[str, Any] = {"raw": self.raw.decode("utf-8")}
        except UnicodeDecodeError:
            text = {"raw_base64": base64.b64encode(self.raw).decode()}
        return orjson.dumps({"source": self.source, "line": self.line, "reason": self.reason, **text})


OnBad = Callable[[BadLine], None]


@dataclass(frozen=True)
class Located:
    """Where a yielded record came from, for reporting failures by file and line."""

    source: str
    line: int


class _Locations:
    """The file and line of every record yielded, kept compactly (an int per record)."""

    def __init__(self) -> None:
        self._lines = array("q")
        self._sources: list[tuple[int, str]] = []  # (index of the first record, source)

    def start(self, source: str) -> Callable[[int], None]:
        self._sources.append((len(self._lines), source))
        return self._lines.append

    def __len__(self) -> int:
        return len(self._lines)

    def __getitem__(self, index: int) -> Located:
        if index < 0:
            index += len(self._lines)
        line = self._lines[index]
        pos = bisect.bisect_right(self._sources, (index, "\U0010ffff")) - 1
        return Located(self._sources[pos][1], line)

    def __iter__(self) -> Iterator[Located]:
        for i in range(len(self._lines)):
            yield self[i]


def detect_format(head: bytes, name: str = "") -> Literal["json", "ndjson", "csv"]:
    """Guess the format from the file name, else from the first bytes."""
    lower = name.lower()
    if lower.endswith((".ndjson", ".jsonl")):
        return "ndjson"
    if lower.endswith(".csv"):
        return "csv"
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith(b"["):
        return "json"
    if stripped.startswith(b"{"):
        return "ndjson"
    if lower.endswith(".json"):
        return "json"
    return "csv"


def _reason(exc: Exception) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:300]


def _ndjson(stream: IO[bytes], source: str, on_bad: OnBad, where: _Locations) -> Iterator[bytes]:
    # The hot path of `azlogs send`: one parse per line and nothing else. The line is sent with its
    # newline (JSON whitespace between array items) to avoid copying it again.
    loads = orjson.loads
    json_line = JsonLine
    mark = where.start(source)
    number = 0
    for raw in stream:
        number += 1
        try:
            loads(raw)
        except orjson.JSONDecodeError as exc:
            if not raw.strip():
                continue
            try:
                raw.decode("utf-8")
                reason = f"not valid JSON: {_reason(exc)}"
            except UnicodeDecodeError as uexc:
                reason = f"not UTF-8 (byte {uexc.start}): the Logs Ingestion API takes UTF-8 JSON only"
            on_bad(BadLine(source, number, reason, raw.rstrip(b"\r\n")))
            continue
        if raw[0] != 0x7B:  # parsed: an object unless it is indented or another JSON type
            line = raw.strip()
            if line[:1] != b"{":
                kind = type(loads(line)).__name__
                on_bad(BadLine(source, number, f"a record must be a JSON object, not {kind}", line))
                continue
            raw = line
        mark(number)
        yield json_line(raw)


def _json_array(data: bytes, source: str, on_bad: OnBad, where: _Locations) -> Iterator[Any]:
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        line = data[: exc.pos].count(b"\n") + 1 if hasattr(exc, "pos") else 1
        on_bad(
            BadLine(
                source, line, f"not valid JSON: {_reason(exc)}; the whole file was set aside", data[:4096]
            )
        )
        return
    if isinstance(value, dict):
        value = [value]
    if not isinstance(value, list):
        on_bad(
            BadLine(
                source,
                1,
                f"a JSON file must hold an array of objects, not {type(value).__name__}",
                data[:4096],
            )
        )
        return
    mark = where.start(source)
    for index, item in enumerate(value):
        if type(item) is not dict:
            on_bad(
                BadLine(
                    source,
                    index + 1,
                    f"array element {index} is {type(item).__name__}, not an object",
                    orjson.dumps(item),
                )
            )
            continue
        mark(index + 1)
        yield item


def _csv(stream: IO[bytes], source: str, on_bad: OnBad, where: _Locations) -> Iterator[dict[str, str]]:
    text = io.TextIOWrapper(stream, encoding="utf-8", errors="surrogateescape", newline="")
    reader = csv.reader(text)
    try:
        header = next(reader)
    except StopIteration:
        return
    if header and header[0].startswith("\ufeff"):
        header[0] = header[0][1:]
    width = len(header)
    mark = where.start(source)
    start = reader.line_num
    for row in reader:
        line = start + 1
        start = reader.line_num
        if not row:
            continue
        raw = ",".join(row).encode("utf-8", "surrogateescape")
        if any("\udc80" <= ch <= "\udcff" for cell in row for ch in cell):
            on_bad(BadLine(source, line, "not UTF-8: the Logs Ingestion API takes UTF-8 only", raw))
            continue
        if len(row) != width:
            on_bad(BadLine(source, line, f"{len(row)} fields where the header has {width}", raw))
            continue
        mark(line)
        yield dict(zip(header, row, strict=True))


class RecordReader:
    """Reads records from files (or ``-`` for stdin) in order, remembering where each came from.

    ``locations[i]`` is the file and line of the i-th record yielded, so a failure reported by the
    client for record i can be written back to its line.
    """

    def __init__(self, paths: list[str], fmt: Format = "auto", on_bad: OnBad | None = None) -> None:
        if fmt not in FORMATS:
            raise UsageError(f"unknown format {fmt!r}; one of {', '.join(FORMATS)}")
        self.paths = paths or ["-"]
        self.fmt = fmt
        self.bad: list[BadLine] = []
        self._on_bad = on_bad
        self.locations = _Locations()
        self._lock = threading.Lock()

    def _bad(self, item: BadLine) -> None:
        with self._lock:
            self.bad.append(item)
        if self._on_bad is not None:
            self._on_bad(item)

    def __iter__(self) -> Iterator[Any]:
        for path in self.paths:
            yield from self._one(path)

    def _one(self, path: str) -> Iterator[Any]:
        import sys

        if path == "-":
            stream: IO[bytes] = sys.stdin.buffer
            source = "<stdin>"
        else:
            try:
                stream = open(path, "rb")  # noqa: SIM115 - closed in finally below
            except OSError as exc:
                raise InputError(f"cannot open: {exc.strerror}", source=path) from exc
            source = path
        try:
            buffered = stream if isinstance(stream, io.BufferedReader) else io.BufferedReader(stream)  # type: ignore[type-var]
            head = buffered.peek(4096)[:4096]
            fmt = (
                self.fmt
                if self.fmt != "auto"
                else detect_format(head, "" if path == "-" else os.path.basename(path))
            )
            if fmt == "ndjson":
                yield from _ndjson(buffered, source, self._bad, self.locations)
            elif fmt == "json":
                yield from _json_array(buffered.read(), source, self._bad, self.locations)
            else:
                yield from _csv(buffered, source, self._bad, self.locations)
        finally:
            if path != "-":
                stream.close()


class DeadLetter:
    """An NDJSON file of everything that was not sent: bad input lines and records the service refused."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.count = 0
        self._fh: IO[bytes] | None = None
        self._lock = threading.Lock()

    def write(self, entry: dict[str, Any] | BadLine) -> None:
        data = entry.to_json() if isinstance(entry, BadLine) else orjson.dumps(entry)
        with self._lock:
            if self._fh is None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._fh = open(self.path, "ab")  # noqa: SIM115 - closed in close()
            self._fh.write(data + b"\n")
            self.count += 1

    def close(self) -> None:
        with self._lock:
            if self._fh is not None:
                self._fh.flush()
                os.fsync(self._fh.fileno())
                self._fh.close()
                self._fh = None
