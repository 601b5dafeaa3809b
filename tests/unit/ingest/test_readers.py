"""Readers name every bad line by file and line, keep the good ones in order, and detect the format."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from azlogs._exceptions import InputError, UsageError
from azlogs.ingest.readers import DeadLetter, RecordReader, detect_format


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
        """A JSON array yields its objects; a non-object element is reported with its position."""
        f = tmp_path / "in.json"
        f.write_text('[{"a":1}, 5, {"a":2}]')
        records, reader = _read(f)
        assert records == [{"a": 1}, {"a": 2}]
        assert len(reader.bad) == 1
        assert reader.bad[0].line == 2

    def test_broken_file_is_set_aside_whole(self, tmp_path: Path) -> None:
        """A JSON file that does not parse is one bad entry naming the line of the error."""
        f = tmp_path / "in.json"
        f.write_text('[{"a":1},\n{"a":\n')
        records, reader = _read(f)
        assert records == []
        assert reader.bad[0].line >= 2
        assert "set aside" in reader.bad[0].reason


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
