"""Records from files and streams: JSON array, NDJSON and CSV, with every bad line named and kept.

A reader yields records and hands each line it cannot read (bad JSON, a CSV row with the wrong
number of fields, bytes that are not UTF-8) to a callback with the file, the line number and the
reason, so the caller can write it to a dead-letter file: nothing is dropped silently.

NDJSON lines and JSON array elements are validated and passed on as the bytes that were read, so
the client does not serialise them again and a dead-letter entry holds exactly what the user gave.
Memory is bounded by the size limit of one record, not by the input: a line (or array element)
longer than ``MAX_RECORD_BYTES`` is not held; a prefix of it is dead-lettered as ``RecordTooLarge``
and reading goes on after it. A JSON array is read element by element: a break in its structure
sets aside everything from the break to the end, whole, naming the byte offset and line.

The bad lines are :class:`azlogs.ingest.deadletter.BadLine`, the agent's too, and go to a
:class:`~azlogs.ingest.deadletter.DeadLetter` file in the one dead-letter format (both re-exported here).
"""

from __future__ import annotations

import bisect
import csv
import io
import os
import threading
from array import array
from collections.abc import Callable, Iterator
from typing import IO, Any, Literal

import orjson

from azlogs._exceptions import InputError, UsageError
from azlogs.facts import MAX_RECORD_BYTES
from azlogs.ingest._encoding import JsonLine, not_an_object
from azlogs.ingest._json_stream import NOT_PARSED, json_pieces
from azlogs.ingest._result import RECORD_TOO_LARGE
from azlogs.ingest.deadletter import BadLine, DeadLetter, Located

__all__ = [
    "FORMATS",
    "KEEP_BYTES",
    "BadLine",
    "DeadLetter",
    "Format",
    "Located",
    "OnBad",
    "RecordReader",
    "detect_format",
    "json_line_reason",
    "not_an_object",
    "too_large",
]

Format = Literal["auto", "json", "ndjson", "csv"]
FORMATS = ("auto", "json", "ndjson", "csv")

# A line is read up to one record and its line ending; anything longer cannot be sent as one record.
_LINE_LIMIT = MAX_RECORD_BYTES + 2
# How much of a record too large to send is kept in its dead-letter entry, to recognise it by.
KEEP_BYTES = 4096
_SKIP_CHUNK = 1 << 20


OnBad = Callable[[BadLine], None]


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


def too_large(size: int, kept: int) -> str:
    """The reason on the dead-letter entry of a record too large for one request."""
    return (
        f"{RECORD_TOO_LARGE}: a record of {size:,} bytes is larger than the {MAX_RECORD_BYTES:,} bytes "
        f"one request can carry (the Logs Ingestion API's limit); only its first {kept:,} bytes are kept here"
    )


def _skip_line(readline: Callable[[int], bytes], size: int) -> int:
    """Read past the rest of an oversized line without holding it; returns the line's full size."""
    while chunk := readline(_SKIP_CHUNK):
        if chunk.endswith(b"\n"):
            return size + len(chunk.rstrip(b"\r\n"))
        size += len(chunk)
    return size


def _ndjson(stream: IO[bytes], source: str, on_bad: OnBad, where: _Locations) -> Iterator[bytes]:
    # The hot path of `azlogs send`: one parse per line and nothing else. The line is sent with its
    # newline (JSON whitespace between array items) to avoid copying it again.
    loads = orjson.loads
    json_line = JsonLine
    mark = where.start(source)
    number = 0
    readline = stream.readline
    limit = _LINE_LIMIT
    while raw := readline(limit):
        number += 1
        if len(raw) == limit and raw[-1] != 0x0A:  # longer than any record: not held, skipped
            size = _skip_line(readline, len(raw))
            keep = raw[:KEEP_BYTES]
            on_bad(
                BadLine(source, too_large(size, len(keep)), keep, number, code=RECORD_TOO_LARGE, size=size)
            )
            continue
        try:
            loads(raw)
        except orjson.JSONDecodeError as exc:
            if not raw.strip():
                continue
            on_bad(BadLine(source, json_line_reason(raw, exc), raw.rstrip(b"\r\n"), number))
            continue
        if raw[0] != 0x7B:  # parsed: an object unless it is indented or another JSON type
            line = raw.strip()
            if line[:1] != b"{":
                on_bad(BadLine(source, not_an_object(loads(line)), line, number))
                continue
            raw = line
        mark(number)
        yield json_line(raw)


def json_line_reason(raw: bytes, exc: Exception) -> str:
    """Why ``raw`` is not a record: not UTF-8 (naming the byte), or not JSON (orjson's first line).

    ``azlogs send`` and the agent's JSON parser say it with these words.
    """
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as uexc:
        return f"not UTF-8 (byte {uexc.start}): the Logs Ingestion API takes UTF-8 JSON only"
    return f"not valid JSON: {_reason(exc)}"


def _json_array(stream: IO[bytes], source: str, on_bad: OnBad, where: _Locations) -> Iterator[bytes]:
    # Element by element (bounded memory); each element is parsed alone, so one bad element fails alone.
    mark = where.start(source)
    loads = orjson.loads
    number = 0
    for piece in json_pieces(stream, MAX_RECORD_BYTES, KEEP_BYTES):
        if piece.kind == "broken":
            reason = (
                f"not valid JSON: {piece.reason}; everything from here to the end of the input is kept here"
            )
            on_bad(BadLine(source, reason, piece.data, piece.line, piece.offset))
            return
        number += 1
        if piece.kind == "too_large":
            reason = too_large(piece.size, len(piece.data))
            on_bad(
                BadLine(source, reason, piece.data, piece.line, piece.offset, RECORD_TOO_LARGE, piece.size)
            )
            continue
        raw = piece.data
        try:
            value = loads(raw) if piece.value is NOT_PARSED else piece.value
        except orjson.JSONDecodeError as exc:
            at = _byte_offset(raw, exc.pos)
            reason = f"{json_line_reason(raw, exc)} (element {number}, byte {piece.offset + at})"
            on_bad(BadLine(source, reason, raw, piece.line, piece.offset))
            continue
        if type(value) is not dict:
            kind = type(value).__name__
            reason = f"array element {number} is {kind}, not an object"
            on_bad(BadLine(source, reason, raw, piece.line, piece.offset))
            continue
        mark(piece.line)
        yield JsonLine(raw)


def _byte_offset(raw: bytes, char_pos: int) -> int:
    """orjson reports a position in characters; the dead-letter entry names bytes."""
    try:
        return len(raw.decode("utf-8")[:char_pos].encode("utf-8"))
    except UnicodeDecodeError:
        return char_pos


class _RowTooLarge(Exception):
    def __init__(self, size: int) -> None:
        super().__init__(size)
        self.size = size


class _CsvLines:
    """The physical lines csv.reader asks for, kept until its row is complete: a row's exact text."""

    def __init__(self, text: io.TextIOWrapper) -> None:
        self._readline = text.readline
        self.taken: list[str] = []
        self.chars = 0
        self.number = 0  # physical lines read so far

    def __iter__(self) -> _CsvLines:
        return self

    def __next__(self) -> str:
        line = self._readline(_LINE_LIMIT)
        if not line:
            raise StopIteration
        self.number += 1
        self.taken.append(line)
        self.chars += len(line)
        if len(line) == _LINE_LIMIT and not line.endswith(("\n", "\r")):
            size = self._bytes()
            while chunk := self._readline(_SKIP_CHUNK):
                if chunk.endswith(("\n", "\r")):
                    size += len(chunk.rstrip("\r\n").encode("utf-8", "surrogateescape"))
                    break
                size += len(chunk.encode("utf-8", "surrogateescape"))
            raise _RowTooLarge(size)
        if self.chars > MAX_RECORD_BYTES:  # characters are at least one byte each
            raise _RowTooLarge(self._bytes())
        return line

    def _bytes(self) -> int:
        return len("".join(self.taken).rstrip("\r\n").encode("utf-8", "surrogateescape"))

    def row(self) -> tuple[int, bytes]:
        """The first line number and the exact bytes of the row just read; starts the next row."""
        text = "".join(self.taken)
        first = self.number - len(self.taken) + 1
        self.taken = []
        self.chars = 0
        if text.endswith("\n"):
            text = text[:-1]
        if text.endswith("\r"):
            text = text[:-1]
        return first, text.encode("utf-8", "surrogateescape")


def _csv_rows(lines: _CsvLines, source: str, on_bad: OnBad) -> Iterator[tuple[int, bytes, list[str]]]:
    """(line, exact bytes, fields) per row; rows that cannot be read are dead-lettered here."""
    reader = csv.reader(lines)
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except _RowTooLarge as exc:
            line, raw = lines.row()
            keep = raw[:KEEP_BYTES]
            on_bad(
                BadLine(
                    source, too_large(exc.size, len(keep)), keep, line, code=RECORD_TOO_LARGE, size=exc.size
                )
            )
            continue
        except csv.Error as exc:
            line, raw = lines.row()
            on_bad(BadLine(source, f"not valid CSV: {_reason(exc)}", raw, line))
            continue
        line, raw = lines.row()
        yield line, raw, row


def _duplicate_column(header: list[str], line: int) -> str | None:
    seen: dict[str, int] = {}
    for column, name in enumerate(header, start=1):
        if name in seen:
            return (
                f"the CSV header (line {line}) has column {name!r} twice (columns {seen[name]} and "
                f"{column}): each row would lose one of its values; rename one and send the file again"
            )
        seen[name] = column
    return None


def _csv(stream: IO[bytes], source: str, on_bad: OnBad, where: _Locations) -> Iterator[dict[str, str]]:
    # csv's own field limit (131,072 characters by default) is below one record's; the record limit
    # is the one that holds (checked on each row's lines above), so csv's is raised to it, never lowered.
    if csv.field_size_limit() < _LINE_LIMIT:
        csv.field_size_limit(_LINE_LIMIT)
    text = io.TextIOWrapper(stream, encoding="utf-8", errors="surrogateescape", newline="")
    try:
        yield from _csv_records(_CsvLines(text), source, on_bad, where)
    finally:
        # The wrapper is let go of, not closed: the byte stream is the caller's (stdin stays open).
        text.detach()


def _csv_records(lines: _CsvLines, source: str, on_bad: OnBad, where: _Locations) -> Iterator[dict[str, str]]:
    rows = _csv_rows(lines, source, on_bad)
    header: list[str] | None = None
    problem = None
    mark = where.start(source)
    for line, raw, row in rows:
        if header is None:
            header = row
            if header and header[0].startswith("\ufeff"):
                header[0] = header[0][1:]
            problem = _duplicate_column(header, line)
            if problem is not None:
                on_bad(BadLine(source, problem, raw, line))
            continue
        if not row:
            continue
        if problem is not None:
            on_bad(BadLine(source, f"not sent: {problem}", raw, line))
            continue
        if any("\udc80" <= ch <= "\udcff" for cell in row for ch in cell):
            on_bad(BadLine(source, "not UTF-8: the Logs Ingestion API takes UTF-8 only", raw, line))
            continue
        if len(row) != len(header):
            on_bad(BadLine(source, f"{len(row)} fields where the header has {len(header)}", raw, line))
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
        buffered = stream if isinstance(stream, io.BufferedReader) else io.BufferedReader(stream)  # type: ignore[type-var]
        try:
            head = buffered.peek(4096)[:4096]
            fmt = (
                self.fmt
                if self.fmt != "auto"
                else detect_format(head, "" if path == "-" else os.path.basename(path))
            )
            if fmt == "ndjson":
                yield from _ndjson(buffered, source, self._bad, self.locations)
            elif fmt == "json":
                yield from _json_array(buffered, source, self._bad, self.locations)
            else:
                yield from _csv(buffered, source, self._bad, self.locations)
        finally:
            if path != "-":
                stream.close()
            elif buffered is not stream:
                buffered.detach()  # the wrapper goes, sys.stdin stays open
