"""Checkpoint files, routes, dead letters, redaction and the metrics format."""

from __future__ import annotations

import io
import json
import logging
import os
from pathlib import Path

import orjson
import pytest

from azlogs.agent._checkpoints import CheckpointStore, atomic_write
from azlogs.agent._logging import redact, setup_logging
from azlogs.agent._routes import DeadLetters, Route, RouteTable
from azlogs.agent._stats import Stats, prometheus

JWT = "eyJhbGciOiJSUzI1NiJ9.eyJvaWQiOiIxMjM0In0.c2lnbmF0dXJlLXNpZ25hdHVyZQ"


class TestCheckpointStore:
    def test_round_trip(self, tmp_path: Path) -> None:
        """What is saved is loaded; an input without a file has no entries."""
        store = CheckpointStore(tmp_path / "cp")
        entries = [{"fid": "a", "dev": 1, "ino": 2, "offset": 10, "fp_len": 3, "fp": "x", "path": "/p"}]
        assert store.save("in put/1", entries)
        assert store.load("in put/1") == entries
        assert store.load("other") == []
        assert store.path("in put/1").name == "in_put_1.json"

    def test_corrupt_file_is_set_aside(self, tmp_path: Path) -> None:
        """A checkpoint that is not JSON is moved aside (kept for inspection) and not used."""
        store = CheckpointStore(tmp_path / "cp")
        store.path("a").write_bytes(b"{not json")
        assert store.load("a") == []
        assert store.path("a").with_name("a.json.corrupt").exists()

    def test_atomic_write_leaves_no_temporary_file(self, tmp_path: Path) -> None:
        """atomic_write replaces the file and leaves nothing else behind."""
        target = tmp_path / "f.json"
        target.write_bytes(b"old")
        atomic_write(target, b"new")
        assert target.read_bytes() == b"new"
        assert os.listdir(tmp_path) == ["f.json"]

    def test_unwritable_directory_is_counted(self, tmp_path: Path) -> None:
        """A checkpoint the disk refuses is reported (False) and counted, not raised."""
        store = CheckpointStore(tmp_path / "cp")
        store.directory.rmdir()
        store.directory.write_bytes(b"")  # a file where the directory was: every write fails
        assert store.save("a", []) is False
        assert store.write_errors == 1


class TestRoutes:
    def test_key_depends_on_every_part_of_the_destination(self) -> None:
        """Two routes differing in any field get different keys; the same route the same key."""
        base = ("https://e", "dcr-1", "Custom-A", "auto", None)
        key = Route.make(*base).key
        assert Route.make(*base).key == key
        for i, other in enumerate(("https://f", "dcr-2", "Custom-B", "vm", "cid")):
            changed = list(base)
            changed[i] = other
            assert Route.make(*changed).key != key  # type: ignore[arg-type]

    def test_table_is_durable_and_prunable(self, tmp_path: Path) -> None:
        """Routes survive a reopen; prune forgets the ones not kept."""
        path = tmp_path / "routes.json"
        a = Route.make("https://e", "dcr-1", "Custom-A", "auto", None)
        b = Route.make("https://e", "dcr-1", "Custom-B", "auto", None)
        table = RouteTable(path)
        table.ensure(a)
        table.ensure(b)
        assert RouteTable(path).get(a.key) == a
        table.prune({a.key})
        reopened = RouteTable(path)
        assert reopened.get(b.key) is None
        assert reopened.all() == [a]


class TestDeadLetters:
    def test_entries_are_ndjson_with_time(self, tmp_path: Path) -> None:
        """Each entry is one JSON line with a time stamp, appended to the day's file."""
        dl = DeadLetters(tmp_path / "dl")
        path = dl.write("stream-X", [{"reason": "r1"}, {"reason": "r2"}])
        path2 = dl.write("stream-X", [{"reason": "r3"}])
        assert path == path2
        lines = [orjson.loads(x) for x in path.read_bytes().splitlines()]
        assert [x["reason"] for x in lines] == ["r1", "r2", "r3"]
        assert all(x["time"].endswith("Z") for x in lines)
        assert dl.written == 3


class TestRedaction:
    @pytest.mark.parametrize(
        "text",
        [
            f"Authorization: Bearer {JWT}",
            f"token={JWT}",
            "client_secret=s3cr3t-value&scope=x",
            '{"access_token": "abc.def.ghi"}',
            "X-IDENTITY-HEADER: 0123456789abcdef",
            "Authorization: SharedKey 00000000-1111-2222-3333-444444444444:c2lnbmF0dXJl+/c2ln=",
        ],
    )
    def test_secrets_never_survive(self, text: str) -> None:
        """Bearer tokens, JWTs, SharedKey signatures and secret-looking values are replaced."""
        out = redact(text)
        for secret in (JWT, "s3cr3t-value", "abc.def.ghi", "0123456789abcdef", "c2lnbmF0dXJl"):
            assert secret not in out
        assert "<redacted>" in out

    def test_environment_secret_values(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """The literal value of a secret environment variable is replaced wherever it appears."""
        monkeypatch.setenv("IDENTITY_HEADER", "hdr-value-123456")
        assert "hdr-value-123456" not in redact("calling with hdr-value-123456 set")

    def test_log_lines_are_json_and_redacted(self) -> None:
        """Through the agent's handler every record is one JSON object, the token removed, exceptions too."""
        stream = io.StringIO()
        handler = setup_logging("json", "info", stream)
        try:
            logger = logging.getLogger("azlogs.test")
            logger.info("sending with Bearer %s", JWT, extra={"stream": "Custom-A"})
            try:
                raise RuntimeError(f"failed: access_token={JWT}")
            except RuntimeError:
                logger.exception("boom")
        finally:
            logging.getLogger().removeHandler(handler)
        lines = [json.loads(x) for x in stream.getvalue().splitlines()]
        assert lines[0]["message"] == "sending with Bearer <redacted>"
        assert lines[0]["stream"] == "Custom-A"
        assert lines[0]["level"] == "info"
        assert JWT not in stream.getvalue()
        assert "RuntimeError" in lines[1]["exception"]


class TestPrometheus:
    def test_exposition_format(self, tmp_path: Path) -> None:
        """Every sample line is `name{labels} value` with HELP and TYPE lines before it."""
        stats = Stats("cfg", str(tmp_path))
        from azlogs.agent._stats import InputStats, StreamStats

        stats.inputs["app"] = InputStats("app", "file", "r-1", lines_read=5, records_in=5)
        stats.streams["r-1"] = StreamStats("r-1", 'Custom-"A"', "https://e", "dcr", "vm", records_sent=4)
        text = prometheus(stats.snapshot())
        assert 'azlogs_agent_input_records_in_total{input="app"} 5' in text
        assert 'azlogs_agent_stream_records_sent_total{stream="Custom-\\"A\\"",key="r-1"} 4' in text
        for line in text.splitlines():
            if line.startswith("#"):
                assert line.split()[1] in ("HELP", "TYPE")
            else:
                name_labels, value = line.rsplit(" ", 1)
                float(value)
                assert name_labels.startswith("azlogs_agent_")


class TestTempFiles:
    def test_leftovers_of_an_interrupted_save_are_removed(self, tmp_path: Path) -> None:
        """Temporary files a crash left behind are deleted when the store opens; real files stay."""
        directory = tmp_path / "cp"
        directory.mkdir()
        (directory / ".app.json.123.tmp").write_bytes(b"{half")
        (directory / "app.json").write_bytes(b"{}")
        CheckpointStore(directory)
        assert os.listdir(directory) == ["app.json"]
