"""Lines into records: the four parsers, static fields, TimeGenerated and the unique id column."""

from __future__ import annotations

from dataclasses import replace

import orjson

from azlogs.agent import InputConfig
from azlogs.agent._parsers import RecordBuilder

BASE = InputConfig(
    name="t", type="file", endpoint="https://e.example", dcr="dcr-x", stream="Custom-T", paths=("/x",)
)
NOW = 1_700_000_000.25


def build(cfg: InputConfig, lines: list[tuple[int, bytes]], **kw: object) -> tuple[list[dict], list]:  # type: ignore[type-arg]
    b = RecordBuilder(cfg, clock=lambda: NOW)
    records, bad = b.build(lines, fid=str(kw.pop("fid", "f1")), source="/var/log/a.log", **kw)  # type: ignore[arg-type]
    return [orjson.loads(r) for r in records], bad


class TestJson:
    def test_passthrough_keeps_bytes(self) -> None:
        """With nothing to add, a JSON line is spooled as the bytes that were read (stripped)."""
        cfg = replace(BASE, time_generated="keep")
        b = RecordBuilder(cfg)
        records, bad = b.build([(0, b' {"a": 1} '), (10, b"")], fid="f", source="s")
        assert records == [b'{"a": 1}']
        assert bad == []

    def test_fields_id_and_time(self) -> None:
        """Static fields fill gaps only; the id is fid-offset; TimeGenerated is added when missing."""
        cfg = replace(BASE, fields=(("Computer", "web-01"), ("Env", "prod")), id_column="AzlogsId")
        recs, _ = build(
            cfg, [(0, b'{"Env": "dev", "M": 1}'), (22, b'{"TimeGenerated": "2020-01-01T00:00:00Z"}')]
        )
        assert recs[0] == {
            "Env": "dev",
            "M": 1,
            "Computer": "web-01",
            "TimeGenerated": "2023-11-14T22:13:20.250000Z",
            "AzlogsId": "f1-0",
        }
        assert recs[1]["TimeGenerated"] == "2020-01-01T00:00:00Z"
        assert recs[1]["AzlogsId"] == "f1-22"

    def test_bad_lines_are_reported_not_raised(self) -> None:
        """Invalid JSON, a non-object and bad UTF-8 become BadLines with reasons; good lines pass."""
        recs, bad = build(BASE, [(0, b"{oops"), (6, b"[1,2]"), (12, b'{"ok": true}'), (25, b'{"s": "\xff"}')])
        assert [r["ok"] for r in recs] == [True]
        assert [b.offset for b in bad] == [0, 6, 25]
        assert "not valid JSON" in bad[0].reason
        assert "a record must be a JSON object, not list" in bad[1].reason  # as azlogs send says it
        assert "not UTF-8" in bad[2].reason
        assert bad[0].to_dict()["source"] == "/var/log/a.log"

    def test_path_field(self) -> None:
        """path_field adds the file the line came from."""
        recs, _ = build(replace(BASE, path_field="FilePath"), [(0, b"{}")])
        assert recs[0]["FilePath"] == "/var/log/a.log"


class TestCsv:
    def test_header_line_names_the_columns(self) -> None:
        """The line at offset 0 is the header; later rows become objects."""
        cfg = replace(BASE, parser="csv", time_generated="keep")
        recs, bad = build(cfg, [(0, b"Level,Message"), (14, b'Info,"a, b"'), (26, b"Warn")])
        assert recs == [{"Level": "Info", "Message": "a, b"}]
        assert "1 fields where the header has 2" in bad[0].reason

    def test_resumed_file_reads_its_header(self) -> None:
        """A file resumed past its header gets the header from the file's first line."""
        cfg = replace(BASE, parser="csv", time_generated="keep")
        recs, _ = build(cfg, [(100, b"x,y")], header=lambda: b"\xef\xbb\xbfA,B")
        assert recs == [{"A": "x", "B": "y"}]

    def test_configured_columns(self) -> None:
        """csv_columns means there is no header line; every line is a row."""
        cfg = replace(BASE, parser="csv", csv_columns=("A", "B"), csv_delimiter=";", time_generated="keep")
        recs, _ = build(cfg, [(0, b"1;2")])
        assert recs == [{"A": "1", "B": "2"}]


class TestTextAndRegex:
    def test_text_into_rawdata(self) -> None:
        """Plain text goes into RawData with TimeGenerated; invalid UTF-8 is replaced, not refused."""
        recs, _ = build(replace(BASE, parser="text"), [(0, b"hello \xff world")])
        assert recs == [{"RawData": "hello \ufffd world", "TimeGenerated": "2023-11-14T22:13:20.250000Z"}]

    def test_regex_named_groups(self) -> None:
        """Named groups become columns; unmatched optional groups are left out; a miss is a BadLine."""
        cfg = replace(
            BASE,
            parser="regex",
            pattern=r"^(?P<Host>\S+) (?P<Status>\d+)(?: (?P<Extra>\w+))?$",
            time_generated="keep",
        )
        recs, bad = build(cfg, [(0, b"10.0.0.1 200"), (13, b"garbage")])
        assert recs == [{"Host": "10.0.0.1", "Status": "200"}]
        assert "does not match" in bad[0].reason

    def test_same_line_same_id(self) -> None:
        """The id is a function of file identity and offset only: re-reading gives the same ids."""
        cfg = replace(BASE, parser="text", id_column="Id")
        first, _ = build(cfg, [(7, b"x")], fid="abc")
        again, _ = build(cfg, [(7, b"x")], fid="abc")
        other, _ = build(cfg, [(7, b"x")], fid="def")
        assert first[0]["Id"] == again[0]["Id"] == "abc-7"
        assert other[0]["Id"] != first[0]["Id"]


class TestMemory:
    def test_records_take_their_size(self) -> None:
        """Built records hold their own size, not orjson's 4 KiB starting buffer each."""
        import tracemalloc

        lines = [(i * 40, b'{"Seq": %d, "Message": "m"}' % i) for i in range(5000)]
        tracemalloc.start()
        try:
            records, _ = RecordBuilder(replace(BASE, id_column="AzlogsId")).build(lines, fid="f", source="s")
            held = tracemalloc.get_traced_memory()[0]
        finally:
            tracemalloc.stop()
        assert len(records) == 5000
        assert held < 5000 * 1024, f"{held / 5000:,.0f} bytes a record"
