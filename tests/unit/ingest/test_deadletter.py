"""One dead-letter format for `azlogs send` and the agent: written the same by both, read back by one function."""

from __future__ import annotations

import base64
from dataclasses import replace
from pathlib import Path

import httpx
import orjson
import pytest
from click.testing import CliRunner
from ingest_fakes import STREAM, Sink, error_json, make_client

from azlogs import InputError
from azlogs.agent import InputConfig
from azlogs.agent._parsers import RecordBuilder, too_long_line
from azlogs.agent._routes import DeadLetters
from azlogs.cli import main
from azlogs.facts import MAX_RECORD_BYTES
from azlogs.ingest import send_files
from azlogs.ingest.deadletter import BadLine, DeadLetter, read_dead_letters
from azlogs.ingest.readers import KEEP_BYTES, RecordReader

NOT_UTF8 = b'{"Message": "caf\xe9"}'
AGENT_INPUT = InputConfig(
    name="t", type="file", endpoint="https://e.example", dcr="dcr-x", stream="Custom-T", paths=("/x",)
)


def send_entries(path: Path, tmp_path: Path) -> list[dict[str, object]]:
    """What `azlogs send` writes for the unreadable lines of ``path``."""
    dead = DeadLetter(tmp_path / "send-dead.ndjson")
    list(RecordReader([str(path)], on_bad=dead.write))
    dead.close()
    return [e.doc for e in read_dead_letters(dead.path)]


def agent_entries(lines: list[tuple[int, bytes]], tmp_path: Path) -> list[dict[str, object]]:
    """What the agent writes for the unparsable ``lines`` of a file input."""
    _, bad = RecordBuilder(replace(AGENT_INPUT, time_generated="keep")).build(lines, fid="f", source="/x")
    path = DeadLetters(tmp_path / "dl").write("input-t", [{"input": "t", **b.to_dict()} for b in bad])
    return [e.doc for e in read_dead_letters(path)]


class TestOneFormat:
    def test_send_and_the_agent_share_one_bad_line(self) -> None:
        """`azlogs send`'s reader and the agent's parsers report bad lines with the same class."""
        import azlogs.agent._parsers
        import azlogs.ingest.readers

        assert azlogs.agent._parsers.BadLine is azlogs.ingest.readers.BadLine is BadLine

    def test_a_line_that_is_not_utf8_is_kept_the_same_way(self, tmp_path: Path) -> None:
        """Both write bytes that are not UTF-8 as raw_base64 (the agent wrote raw_latin1 before)."""
        data = tmp_path / "in.ndjson"
        data.write_bytes(b'{"ok": 1}\n' + NOT_UTF8 + b"\n")
        [sent] = send_entries(data, tmp_path)
        [agent] = agent_entries([(10, NOT_UTF8)], tmp_path)
        for entry in (sent, agent):
            assert base64.b64decode(str(entry["raw_base64"])) == NOT_UTF8
            assert "raw" not in entry and "raw_latin1" not in entry
        assert (sent["source"], sent["line"]) == (str(data), 2)
        assert (agent["source"], agent["offset"], agent["input"]) == ("/x", 10, "t")

    def test_a_line_too_large_says_its_size_the_same_way(self, tmp_path: Path) -> None:
        """A line over the limit: both keep its first bytes, its full size (line_bytes) and raw_truncated."""
        data = tmp_path / "big.ndjson"
        big = b'{"m": "' + b"x" * MAX_RECORD_BYTES + b'"}'
        data.write_bytes(b'{"ok": 1}\n' + big + b"\n")
        [sent] = send_entries(data, tmp_path)
        agent = too_long_line("/x", 7, big[:KEEP_BYTES], len(big), 1 << 20).to_dict()
        for entry in (sent, agent):
            assert entry["code"] == "RecordTooLarge"
            assert entry["line_bytes"] == len(big) and entry["raw_truncated"] is True
            assert entry["raw"] == big[:KEEP_BYTES].decode()


class TestReadBack:
    def test_every_writer_and_version_is_read(self, tmp_path: Path) -> None:
        """Entries of send, of the agent and of agents before the one format give back their bytes."""
        path = tmp_path / "mixed.ndjson"
        old_agent = {"time": "2024-01-01T00:00:00Z", "source": "/x", "offset": 3, "reason": "r"}
        lines = [
            orjson.dumps({**old_agent, "raw_latin1": NOT_UTF8.decode("latin-1")}),
            BadLine("a.ndjson", "not valid JSON", NOT_UTF8, line=4).to_json(),
            orjson.dumps({"source": "a.ndjson", "line": 9, "reason": "refused", "record": {"k": [1]}}),
            orjson.dumps({"stream": "Custom-T", "reason": "refused", "raw": "not json"}),
        ]
        path.write_bytes(b"\n".join(lines) + b"\n\n")
        entries = list(read_dead_letters(path))
        assert [e.content() for e in entries] == [NOT_UTF8, NOT_UTF8, b'{"k":[1]}', b"not json"]
        assert [e.failure.where for e in entries] == ["/x@3", "a.ndjson:4", "a.ndjson:9", "?"]
        assert [e.number for e in entries] == [1, 2, 3, 4]

    def test_a_file_that_is_not_a_dead_letter_file(self, tmp_path: Path) -> None:
        """A line that is not an entry is an InputError naming the file and the line."""
        path = tmp_path / "x.ndjson"
        path.write_text('{"reason": "ok"}\n[1, 2]\n')
        with pytest.raises(InputError, match="line 2"):
            list(read_dead_letters(path))


class TestSendShowsTheFailures:
    def _bad_file(self, tmp_path: Path, bad: int) -> Path:
        data = tmp_path / "app.ndjson"
        lines = [b'{"ok": %d}' % i for i in range(3)] + [b'{"broken": %d' % i for i in range(bad)]
        data.write_bytes(b"\n".join(lines) + b"\n")
        return data

    def test_first_failures_with_file_line_and_reason_then_how_many_more(self, tmp_path: Path) -> None:
        """The terminal shows the first five failures (file:line: reason), then "and N more in <file>"."""
        data = self._bad_file(tmp_path, 8)
        dead = tmp_path / "dead.ndjson"
        result = CliRunner().invoke(main, ["send", "--dry-run", "--dead-letter", str(dead), str(data)])
        assert result.exit_code == 1, result.output
        lines = result.output.splitlines()
        assert lines[0].startswith("dry run: 3 records") and lines[0].endswith("8 failed")
        assert [x.split(": ", 1)[0].strip() for x in lines[1:6]] == [f"{data}:{n}" for n in range(4, 9)]
        assert all("not valid JSON" in x for x in lines[1:6])
        assert lines[6] == f"  and 3 more in {dead}"
        assert len(dead.read_text().splitlines()) == 8

    def test_all_failures_shown_name_the_file_that_holds_them(self, tmp_path: Path) -> None:
        """With few failures every one is shown, and the dead-letter file is named for their records."""
        data = self._bad_file(tmp_path, 2)
        dead = tmp_path / "dead.ndjson"
        result = CliRunner().invoke(main, ["send", "--dry-run", "--dead-letter", str(dead), str(data)])
        assert result.exit_code == 1
        assert f"{data}:5: not valid JSON" in result.output
        assert result.output.splitlines()[-1] == f"  (every failure, with its record, is in {dead})"

    def test_json_output_carries_the_first_failures(self, tmp_path: Path) -> None:
        """--json has the same first failures as data: source, line, reason, code."""
        data = self._bad_file(tmp_path, 7)
        dead = tmp_path / "dead.ndjson"
        result = CliRunner().invoke(
            main, ["send", "--dry-run", "--json", "--dead-letter", str(dead), str(data)]
        )
        out = orjson.loads(result.output)
        assert out["dead_letter"] == str(dead)
        assert [(f["source"], f["line"]) for f in out["first_failures"]] == [
            (str(data), n) for n in range(4, 9)
        ]


class TestSendFiles:
    def test_bad_lines_and_refused_records_land_in_one_file_with_file_and_line(self, tmp_path: Path) -> None:
        """send_files: unreadable lines and the records the service refused, each with its file and line."""
        data = tmp_path / "app.ndjson"
        data.write_bytes(b'{"i": 0}\n{"broken"\n{"i": 1}\n')

        def refuse(sink: Sink, request: httpx.Request, records: list[object]) -> httpx.Response:
            return httpx.Response(400, content=error_json("InvalidPayload", "refused"))

        dead = DeadLetter(tmp_path / "dead.ndjson")
        with make_client(Sink(respond=refuse)) as client:
            sent = send_files(client, STREAM, [str(data)], dead)
        dead.close()
        assert (sent.bad_lines, sent.failed, sent.records_read) == (1, 3, 3)
        entries = list(read_dead_letters(dead.path))
        assert [e.failure.where for e in entries] == [f"{data}:2", f"{data}:1", f"{data}:3"]
        assert [e.content() for e in entries] == [b'{"broken"', b'{"i":0}', b'{"i":1}']
        assert [f.where for f in dead.failures] == [e.failure.where for e in entries]
