"""Readers name every bad line by file and line, keep the good ones in order, and detect the format."""

from __future__ import annotations

import gc
import io
import json
import sys
import tracemalloc
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

import orjson
import pytest

from azlogs._exceptions import InputError, UsageError
from azlogs.facts import MAX_RECORD_BYTES
from azlogs.ingest.readers import KEEP_BYTES, DeadLetter, RecordReader, detect_format


def _read(path: Path, fmt: str = "auto") -> tuple[list[object], RecordReader]:
    reader = RecordReader([str(path)], fmt)  # type: ignore[arg-type]
    return list(reader), reader


class TestDetect:
    @pytest.mark.parametrize(
        ("head", "name", "fmt"),
        [
            (b'[{"a":1}]', "x.json", "json"),
            (b'  [\n{"a":1}', "data", "json"),
            (b'{"a":1}\n{"a":2}', "x.json", "ndjson"),
            (b'{"a":1}', "x.jsonl", "ndjson"),
            (b"a,b\n1,2", "x.txt", "csv"),
            (b"\xef\xbb\xbf[", "", "json"),
        ],
    )
    def test_format(self, head: bytes, name: str, fmt: str) -> None:
        """The format follows the extension for .ndjson/.jsonl/.csv, else the first byte."""
        assert detect_format(head, name) == fmt


class TestNdjson:
    def test_bad_lines_are_named_and_good_ones_kept(self, tmp_path: Path) -> None:
        """Bad JSON, non-objects and non-UTF-8 lines are reported by line; the rest come through in order."""
        f = tmp_path / "in.ndjson"
        f.write_bytes(b'{"n":1}\n{"n":2\n\n[1,2]\n{"n":"\xff"}\n{"n":3}\n')
        records, reader = _read(f)
        assert [orjson.loads(bytes(r))["n"] for r in records] == [1, 3]  # type: ignore[call-overload]
        assert [(b.line, b.reason.split(":")[0]) for b in reader.bad] == [
            (2, "not valid JSON"),
            (4, "a record must be a JSON object, not list"),
            (5, "not UTF-8 (byte 6)"),
        ]
        assert [(loc.source, loc.line) for loc in reader.locations] == [(str(f), 1), (str(f), 6)]


class TestJsonArray:
    def test_array_and_non_object_elements(self, tmp_path: Path) -> None:
        """A JSON array yields its objects as read; a non-object element is reported with its position."""
        f = tmp_path / "in.json"
        f.write_text('[{"a":1}, 5,\n {"a":2}]')
        records, reader = _read(f)
        assert records == [b'{"a":1}', b'{"a":2}']
        assert [(b.line, b.offset, b.raw) for b in reader.bad] == [(1, 10, b"5")]
        assert "element 2" in reader.bad[0].reason
        assert [loc.line for loc in reader.locations] == [1, 2]

    def test_broken_array_keeps_the_records_before_and_the_rest_whole(self, tmp_path: Path) -> None:
        """A JSON array cut short yields the records before the break; the rest is one entry, kept whole."""
        f = tmp_path / "in.json"
        f.write_text('[{"a":1},\n{"a":\n')
        records, reader = _read(f)
        assert records == [b'{"a":1}']
        assert [(b.line, b.offset, b.raw) for b in reader.bad] == [(2, 10, b'{"a":\n')]
        assert "byte 16 (line 3)" in reader.bad[0].reason


class TestCsv:
    def test_rows_fields_and_encoding(self, tmp_path: Path) -> None:
        """CSV rows become dicts of strings; short rows and non-UTF-8 rows are reported by line."""
        f = tmp_path / "in.csv"
        f.write_bytes(b'Computer,Message\nvm1,"hello, world"\nvm2\nvm3,caf\xe9\nvm4,"multi\nline"\nvm5,ok\n')
        records, reader = _read(f)
        assert records == [
            {"Computer": "vm1", "Message": "hello, world"},
            {"Computer": "vm4", "Message": "multi\nline"},
            {"Computer": "vm5", "Message": "ok"},
        ]
        assert [(b.line, b.reason.split(":")[0]) for b in reader.bad] == [
            (3, "1 fields where the header has 2"),
            (4, "not UTF-8"),
        ]
        assert [loc.line for loc in reader.locations] == [2, 5, 7]

    @pytest.mark.parametrize("stop_early", [False, True], ids=["read-to-the-end", "abandoned"])
    def test_nothing_is_left_open(self, tmp_path: Path, stop_early: bool) -> None:
        """Read to the end or abandoned after one record, a CSV file leaves no unclosed file behind."""
        f = tmp_path / "in.csv"
        f.write_text("A,B\n1,2\n3,4\n")
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always", ResourceWarning)
            records = iter(RecordReader([str(f)]))
            if stop_early:
                next(records)
            else:
                list(records)
            del records
            gc.collect()
        assert [str(w.message) for w in seen if issubclass(w.category, ResourceWarning)] == []


class TestErrors:
    def test_missing_file(self, tmp_path: Path) -> None:
        """A missing file is an InputError naming it."""
        with pytest.raises(InputError, match=r"missing\.json"):
            list(RecordReader([str(tmp_path / "missing.json")]))

    def test_unknown_format(self) -> None:
        """An unknown --format is a usage error."""
        with pytest.raises(UsageError):
            RecordReader(["-"], "xml")  # type: ignore[arg-type]

    def test_dead_letter_file(self, tmp_path: Path) -> None:
        """The dead-letter file holds one JSON line per entry, non-UTF-8 raw bytes as base64."""
        f = tmp_path / "in.ndjson"
        f.write_bytes(b'{"n":\n{"n":"\xff"}\n')
        dead = DeadLetter(tmp_path / "dead.ndjson")
        reader = RecordReader([str(f)], on_bad=dead.write)
        assert list(reader) == []
        dead.write({"index": 7, "reason": "refused by the service", "status": 400})
        dead.close()
        lines = [orjson.loads(x) for x in (tmp_path / "dead.ndjson").read_bytes().splitlines()]
        assert lines[0]["line"] == 1 and lines[0]["raw"] == '{"n":'
        assert "raw_base64" in lines[1]
        assert lines[2]["status"] == 400
        assert dead.count == 3


class _Endless(io.RawIOBase):
    """A stream of ``size`` bytes of ``fill`` then ``tail``, made as it is read (never held whole)."""

    def __init__(self, head: bytes, size: int, tail: bytes, fill: bytes = b"x") -> None:
        self._parts = [head]
        self._left = size
        self._fill = fill * 65536
        self._tail = tail

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        if self._parts:
            data = self._parts.pop(0)
        elif self._left > 0:
            data = self._fill[: min(self._left, len(view), len(self._fill))]
            self._left -= len(data)
        else:
            data, self._tail = self._tail, b""
        view[: len(data)] = data
        return len(data)


def _peak_while(fn: Callable[[], object]) -> tuple[object, int]:
    tracemalloc.start()
    try:
        out = fn()
        return out, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _stream_reader(stream: IO[bytes], fmt: str) -> tuple[list[object], RecordReader]:
    """A RecordReader over one stream, as ``-`` reads stdin."""
    reader = RecordReader(["-"], fmt)  # type: ignore[arg-type]
    real = sys.stdin
    sys.stdin = io.TextIOWrapper(stream)  # type: ignore[arg-type]
    try:
        return list(reader), reader
    finally:
        sys.stdin = real


class TestTooLarge:
    def test_ndjson_line_over_the_record_limit_is_skipped_in_bounded_memory(self) -> None:
        """A 64 MB line with no newline is dead-lettered as RecordTooLarge (size, limit, a prefix); the next line is read."""
        size = 64 * 1024 * 1024
        stream = io.BufferedReader(_Endless(b'{"n":1}\n', size, b'\n{"n":2}\n'))
        (records, reader), peak = _peak_while(lambda: _stream_reader(stream, "ndjson"))  # type: ignore[misc]
        assert records == [b'{"n":1}\n', b'{"n":2}\n']
        [bad] = reader.bad
        assert (bad.line, bad.code, len(bad.raw)) == (2, "RecordTooLarge", KEEP_BYTES)
        assert f"{size:,} bytes" in bad.reason and f"{MAX_RECORD_BYTES:,}" in bad.reason
        assert [loc.line for loc in reader.locations] == [1, 3]
        assert peak < 8 * MAX_RECORD_BYTES  # bounded by one record, not by the 64 MB line

    def test_json_array_element_over_the_record_limit(self) -> None:
        """An array element larger than a record is dead-lettered with a prefix; the elements after it are read."""
        size = 8 * MAX_RECORD_BYTES
        stream = io.BufferedReader(_Endless(b'[{"n":1},{"big":"', size, b'"}, {"n":2}]'))
        (records, reader), peak = _peak_while(lambda: _stream_reader(stream, "json"))  # type: ignore[misc]
        assert records == [b'{"n":1}', b'{"n":2}']
        [bad] = reader.bad
        assert (bad.code, bad.offset, len(bad.raw)) == ("RecordTooLarge", 9, KEEP_BYTES)
        assert f"{size + 10:,} bytes" in bad.reason
        assert peak < 8 * MAX_RECORD_BYTES

    def test_input_ending_inside_an_oversized_element_keeps_its_prefix(self) -> None:
        """The input ends inside an element larger than a record: its prefix is kept as too large, the break named."""
        size = 3 * MAX_RECORD_BYTES
        stream = io.BufferedReader(_Endless(b'[{"n":1},\n{"big":"', size, b""))
        records, reader = _stream_reader(stream, "json")
        assert records == [b'{"n":1}']
        assert [(b.code, b.line, b.offset, len(b.raw)) for b in reader.bad] == [
            ("RecordTooLarge", 2, 10, KEEP_BYTES),
            (None, 2, size + 18, 0),
        ]
        assert reader.bad[0].raw.startswith(b'{"big":"xxx')
        assert f"{size + 8:,} bytes" in reader.bad[0].reason
        assert "ends inside this value" in reader.bad[1].reason

    def test_csv_row_over_the_record_limit(self, tmp_path: Path) -> None:
        """A CSV row larger than a record is dead-lettered as RecordTooLarge; the rows after it are sent."""
        f = tmp_path / "in.csv"
        big = "y" * (MAX_RECORD_BYTES + 10)
        f.write_text(f"a,b\n1,ok\n2,{big}\n3,ok\n")
        records, reader = _read(f)
        assert records == [{"a": "1", "b": "ok"}, {"a": "3", "b": "ok"}]
        [bad] = reader.bad
        assert (bad.line, bad.code, bad.raw) == (3, "RecordTooLarge", f"2,{big}".encode()[:KEEP_BYTES])
        assert f"{len(big) + 2:,} bytes" in bad.reason and f"{MAX_RECORD_BYTES:,}" in bad.reason
        assert [loc.line for loc in reader.locations] == [2, 4]


class TestCsvExact:
    def test_field_over_csv_field_limit_is_read(self, tmp_path: Path) -> None:
        """A field over csv's 131,072-character limit (within one record) is read whole, rows around it too."""
        f = tmp_path / "in.csv"
        big = "z" * 200_000
        f.write_text(f"a,b\n1,ok\n2,{big}\n3,ok\n")
        records, reader = _read(f)
        assert records == [{"a": "1", "b": "ok"}, {"a": "2", "b": big}, {"a": "3", "b": "ok"}]
        assert reader.bad == []

    def test_extra_field_row_keeps_its_exact_text(self, tmp_path: Path) -> None:
        """A row with more fields than the header is dead-lettered as read (quotes, every line of it)."""
        f = tmp_path / "in.csv"
        f.write_bytes(b'x,y\r\n"a,b",1,extra\r\nok,1\r\n"multi\nline ""q""",2,extra\nok,2')
        records, reader = _read(f)
        assert records == [{"x": "ok", "y": "1"}, {"x": "ok", "y": "2"}]
        assert [(b.line, b.raw) for b in reader.bad] == [
            (2, b'"a,b",1,extra'),
            (4, b'"multi\nline ""q""",2,extra'),
        ]

    def test_duplicate_header_column_is_reported(self, tmp_path: Path) -> None:
        """A header naming a column twice is reported with file, line and columns; no row is sent short of a value."""
        f = tmp_path / "in.csv"
        f.write_text("Computer,Message,Computer\nvm1,hi,vm2\n")
        records, reader = _read(f)
        assert records == []
        assert [(b.source, b.line, b.raw) for b in reader.bad] == [
            (str(f), 1, b"Computer,Message,Computer"),
            (str(f), 2, b"vm1,hi,vm2"),
        ]
        assert "'Computer' twice (columns 1 and 3)" in reader.bad[0].reason
        assert "line 1" in reader.bad[1].reason


class TestJsonArrayBreaks:
    def _array(self, n: int) -> bytes:
        return b"[\n" + b",\n".join(orjson.dumps({"n": i, "m": "x" * 50}) for i in range(n))

    def test_cut_short_keeps_every_record_and_names_the_offset(self) -> None:
        """2,000 records then the end of input without ']': all 2,000 come through, the break is named."""
        data = self._array(2000) + b"\n"
        records, reader = _stream_reader(io.BufferedReader(io.BytesIO(data)), "json")  # type: ignore[arg-type]
        assert len(records) == 2000
        [bad] = reader.bad
        assert f"byte {len(data)} (line 2002)" in bad.reason
        assert bad.raw == b""

    def test_syntax_error_at_the_end_keeps_the_rest_whole(self) -> None:
        """A syntax error near the end: the records before it come through and the rest is kept byte for byte."""
        tail = b',\n{"n": 2000} {"n": 2001}\n]\n'
        data = self._array(2000) + tail
        records, reader = _stream_reader(io.BufferedReader(io.BytesIO(data)), "json")  # type: ignore[arg-type]
        assert [orjson.loads(bytes(r))["n"] for r in records] == list(range(2001))  # type: ignore[call-overload]
        [bad] = reader.bad
        assert bad.raw == b'{"n": 2001}\n]\n'
        assert bad.offset == len(data) - len(bad.raw)
        assert bad.line == 2002
        assert f"byte {bad.offset} (line 2002)" in bad.reason

    def test_element_error_fails_alone(self) -> None:
        """An element that does not parse is dead-lettered with its byte offset; the elements after it come through."""
        data = b'[{"n":1},\n {"n":,}, {"n":3}]'
        records, reader = _stream_reader(io.BufferedReader(io.BytesIO(data)), "json")  # type: ignore[arg-type]
        assert records == [b'{"n":1}', b'{"n":3}']
        [bad] = reader.bad
        assert (bad.line, bad.offset, bad.raw) == (2, 11, b'{"n":,}')
        assert "byte 16" in bad.reason


class TestDeadLetterRecord:
    def test_record_nested_deeper_than_orjson_writes(self, tmp_path: Path) -> None:
        """A refused record nested 300 deep is written as its bytes; the entry reads back to the same value."""
        record = b'{"Dyn": ' + b"[" * 300 + b"]" * 300 + b"}"
        dead = DeadLetter(tmp_path / "dead.ndjson")
        dead.write({"index": 3, "reason": "refused", "status": 400}, record + b"\n")
        dead.close()
        [entry] = [json.loads(x) for x in (tmp_path / "dead.ndjson").read_bytes().splitlines()]
        assert entry["index"] == 3
        assert json.dumps(entry["record"], separators=(",", ":")).encode() == record.replace(b" ", b"")
