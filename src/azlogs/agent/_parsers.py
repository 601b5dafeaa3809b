"""Lines into records: JSON lines, CSV with a header, plain text, or a regex with named groups.

Every record then gets the input's static fields (only where the line has no such field), the file
path column if configured, ``TimeGenerated`` (the time it was read) where it has none, and the unique
id column: ``<fid>-<offset>``, the identity of the file's content plus the line's byte offset, so a
line read twice (after a crash) carries the same id twice and duplicates can be counted downstream.

A line that cannot be parsed is returned as a :class:`~azlogs.ingest.deadletter.BadLine` (the one
format of ``azlogs send`` and the agent) with the reason, for the dead-letter directory; it never
stops the lines after it.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import time
from collections.abc import Callable
from typing import Any

import orjson

from azlogs.agent._config import InputConfig
from azlogs.facts import MAX_RECORD_BYTES
from azlogs.ingest import RECORD_TOO_LARGE
from azlogs.ingest.deadletter import BadLine
from azlogs.ingest.readers import json_line_reason, not_an_object

_loads = orjson.loads
_dumps = orjson.dumps


def compact(data: bytes) -> bytes:
    """``data`` in a bytes object of its own size.

    orjson keeps each result in the buffer it started with (4 KiB at least), so 100,000 small records
    held at once (one 30 MB post to a listener) would take 400 MB; copied, they take their size, and
    the copy costs less than the page faults it saves (measured: 2.2 against 12 microseconds a record).
    """
    return bytes(memoryview(data))


def too_long_line(source: str, offset: int, prefix: bytes, length: int, limit: int) -> BadLine:
    """The dead-letter entry of a line over the input's line limit: its first bytes and its length."""
    reason = (
        f"RecordTooLarge: the line is {length:,} bytes, over the input's limit of {limit:,} bytes "
        f"(max_line_bytes; the Logs Ingestion API takes at most {MAX_RECORD_BYTES:,} bytes a record); "
        f"its first {len(prefix):,} bytes are kept here"
    )
    return BadLine(source, reason, prefix, offset=offset, code=RECORD_TOO_LARGE, size=length)


def utc_now_text(now: float) -> str:
    """ISO 8601 UTC with microseconds and ``Z`` (what KQL and every table plan read)."""
    return dt.datetime.fromtimestamp(now, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class RecordBuilder:
    """Builds the spool records (compact JSON objects) of one input from its lines.

    Args:
        cfg: the input's configuration (parser, fields, id column ...).
        clock: wall clock for ``TimeGenerated`` (epoch seconds).
    """

    def __init__(self, cfg: InputConfig, clock: Callable[[], float] = time.time) -> None:
        self.cfg = cfg
        self._clock = clock
        self._regex = re.compile(cfg.pattern) if cfg.parser == "regex" and cfg.pattern else None
        self._headers: dict[str, list[str]] = {}
        self._passthrough = (
            cfg.parser == "json"
            and not cfg.fields
            and cfg.id_column is None
            and cfg.path_field is None
            and cfg.time_generated == "keep"
        )

    def build(
        self,
        lines: list[tuple[int, bytes]],
        *,
        fid: str,
        source: str,
        header: Callable[[], bytes | None] | None = None,
    ) -> tuple[list[bytes], list[BadLine]]:
        """Records and bad lines for ``lines`` (``(offset, bytes)`` pairs) of one file or stream.

        Args:
            fid: the identity of the file's content (for the id column and the CSV header cache).
            source: the file path (or ``<stdin>``) for the path column and error reports.
            header: returns the file's first line, for a CSV file whose reading resumes past it.
        """
        cfg = self.cfg
        out: list[bytes] = []
        bad: list[BadLine] = []
        now_text = utc_now_text(self._clock())
        static = cfg.fields
        idcol = cfg.id_column
        pathcol = cfg.path_field
        add_time = cfg.time_generated == "add"
        parse = self._parser(fid, header)
        for offset, line in lines:
            if self._passthrough:
                stripped = line.strip()
                if not stripped:
                    continue
                try:
                    value = _loads(stripped)
                except orjson.JSONDecodeError as exc:
                    bad.append(BadLine(source, json_line_reason(stripped, exc), line, offset=offset))
                    continue
                if type(value) is not dict:
                    bad.append(BadLine(source, not_an_object(value), line, offset=offset))
                    continue
                out.append(stripped)
                continue
            try:
                record = parse(offset, line)
            except _Bad as exc:
                bad.append(BadLine(source, str(exc), line, offset=offset))
                continue
            if record is None:
                continue
            for key, value in static:
                if key not in record:
                    record[key] = value
            if pathcol is not None:
                record[pathcol] = source
            if add_time and "TimeGenerated" not in record:
                record["TimeGenerated"] = now_text
            if idcol is not None:
                record[idcol] = f"{fid}-{offset}"
            try:
                out.append(compact(_dumps(record)))
            except orjson.JSONEncodeError as exc:  # nested deeper than orjson writes (255 levels)
                bad.append(BadLine(source, f"the record cannot be re-encoded: {exc}", line, offset=offset))
        return out, bad

    def _parser(
        self, fid: str, header: Callable[[], bytes | None] | None
    ) -> Callable[[int, bytes], dict[str, Any] | None]:
        kind = self.cfg.parser
        if kind == "json":
            return _parse_json
        if kind == "text":
            return _parse_text
        if kind == "regex":
            assert self._regex is not None
            return _regex_parser(self._regex)
        return self._csv_parser(fid, header)

    def _csv_parser(
        self, fid: str, header: Callable[[], bytes | None] | None
    ) -> Callable[[int, bytes], dict[str, Any] | None]:
        delimiter = self.cfg.csv_delimiter
        fixed = list(self.cfg.csv_columns) if self.cfg.csv_columns else None
        headers = self._headers

        def parse(offset: int, line: bytes) -> dict[str, Any] | None:
            if not line.strip():
                return None
            row = _csv_row(line, delimiter)
            columns = fixed
            if columns is None:
                if offset == 0:
                    if row and row[0].startswith("\ufeff"):
                        row[0] = row[0][1:]
                    headers[fid] = row
                    return None
                columns = headers.get(fid)
                if columns is None and header is not None:
                    first = header()
                    if first is not None:
                        columns = _csv_row(first, delimiter)
                        if columns and columns[0].startswith("\ufeff"):
                            columns[0] = columns[0][1:]
                        headers[fid] = columns
                if columns is None:
                    raise _Bad("the file's CSV header line could not be read")
            if len(row) != len(columns):
                raise _Bad(f"{len(row)} fields where the header has {len(columns)}")
            return dict(zip(columns, row, strict=True))

        return parse

    def forget(self, fid: str) -> None:
        """Drop the cached CSV header of a file that is finished."""
        self._headers.pop(fid, None)


class _Bad(Exception):
    """A line that cannot be parsed; the message is the reason."""


def _parse_json(offset: int, line: bytes) -> dict[str, Any] | None:
    stripped = line.strip()
    if not stripped:
        return None
    try:
        value = _loads(stripped)
    except orjson.JSONDecodeError as exc:
        raise _Bad(json_line_reason(stripped, exc)) from None
    if type(value) is not dict:
        raise _Bad(not_an_object(value))
    return value


def _parse_text(offset: int, line: bytes) -> dict[str, Any] | None:
    return {"RawData": line.decode("utf-8", errors="replace")}


def _regex_parser(pattern: re.Pattern[str]) -> Callable[[int, bytes], dict[str, Any] | None]:
    def parse(offset: int, line: bytes) -> dict[str, Any] | None:
        text = line.decode("utf-8", errors="replace")
        m = pattern.search(text)
        if m is None:
            raise _Bad(f"the line does not match the pattern {pattern.pattern!r}")
        return {k: v for k, v in m.groupdict().items() if v is not None}

    return parse


def _csv_row(line: bytes, delimiter: str) -> list[str]:
    text = line.decode("utf-8", errors="replace")
    try:
        return next(csv.reader([text], delimiter=delimiter))
    except (csv.Error, StopIteration) as exc:
        raise _Bad(f"not a CSV row: {exc}") from None
