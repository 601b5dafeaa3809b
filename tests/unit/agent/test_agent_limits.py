"""Lines over the limit and records nested deeper than an encoder writes: the true reason, no crash."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path

import httpx

from azlogs.agent._tail import LONG_LINE_PREFIX, FileTailer
from azlogs.facts import MAX_RECORD_BYTES
from tests.unit.agent.conftest import Running, Sink, wait_for, write_config
from tests.unit.agent.test_agent_pipeline import dead_letters, lines
from tests.unit.agent.test_agent_tail import Clock, drain, make

MiB = 1024 * 1024
BIG = 2 * MiB
FILE_INPUT = '[[inputs]]\nname = "app"\npaths = ["logs/*.log"]\n'
PASSTHROUGH = FILE_INPUT + 'time_generated = "keep"\n'


def big_json_line(size: int) -> bytes:
    """A valid JSON object line of exactly ``size`` bytes."""
    head = b'{"Seq": 99, "Message": "'
    return head + b"x" * (size - len(head) - 2) + b'"}'


def deep_json(depth: int) -> bytes:
    return b'{"Seq": 7, "Dyn": ' + b"[" * depth + b"]" * depth + b"}"


def _too_long_entries(state: Path) -> list[dict[str, object]]:
    return [d for d in dead_letters(state) if d.get("code") == "RecordTooLarge"]


class TestTailerLongLines:
    def test_a_long_line_is_one_entry_with_its_length(self, tmp_path: Path) -> None:
        """A line over max_line_bytes comes once, as its offset, a bounded prefix and its full length."""
        log = tmp_path / "a.log"
        body = b"a" * 10000
        log.write_bytes(b"first\n" + body + b"\r\nshort\n")
        t = make([str(log)], Clock(), max_line_bytes=4096, read_bytes=4096)
        got: list[tuple[int, bytes, int]] = []
        texts: list[bytes] = []
        for _ in range(20):
            chunks = t.poll()
            for c in chunks:
                got.extend(c.too_long)
                texts.extend(line for _, line in c.lines)
            t.commit(chunks)
        assert texts == [b"first", b"short"]
        assert got == [(6, body[:LONG_LINE_PREFIX], 10000)]
        assert t.long_lines == 1

    def test_the_checkpoint_stays_at_the_long_line_until_its_end_is_read(self, tmp_path: Path) -> None:
        """While an over-long line is being skipped, the committed position is its start."""
        log = tmp_path / "a.log"
        log.write_bytes(b"ok\n" + b"b" * 9000)
        t = make([str(log)], Clock(), max_line_bytes=4096, read_bytes=4096)
        drain(t)
        assert t.snapshot()[0]["offset"] == 3
        with open(log, "ab") as f:
            f.write(b"\nafter\n")
        got = [(c.too_long, [x for _, x in c.lines]) for c in t.poll()]
        assert got == [([(3, b"b" * LONG_LINE_PREFIX, 9000)], [b"after"])]

    def test_a_line_of_exactly_the_limit_is_a_line(self, tmp_path: Path) -> None:
        """A line of max_line_bytes bytes (CRLF or LF) is a normal line, even when reads are that size."""
        log = tmp_path / "a.log"
        log.write_bytes(b"c" * 4096 + b"\r\n" + b"d" * 4096 + b"\n")
        t = make([str(log)], Clock(), max_line_bytes=4096, read_bytes=4096)
        assert [line for _, _, line in drain(t)] == [b"c" * 4096, b"d" * 4096]
        assert t.long_lines == 0

    def test_a_long_unterminated_last_line_of_a_rotated_file(self, tmp_path: Path) -> None:
        """A rotated-away file ending in an over-long line without newline reports it on closing."""
        log = tmp_path / "a.log"
        log.write_bytes(b"ok\n" + b"e" * 9000)
        clock = Clock()
        t = FileTailer([str(log)], clock=clock, max_line_bytes=4096, read_bytes=4096, rotate_wait=1.0)
        drain(t)
        os.rename(log, tmp_path / "a.log.1")
        found: list[tuple[int, bytes, int]] = []
        for _ in range(10):
            clock.advance(1.0)
            for c in t.poll():
                found.extend(c.too_long)
                t.commit([c])
        assert found == [(3, b"e" * LONG_LINE_PREFIX, 9000)]


class TestAgentLongLines:
    def test_a_2mb_json_line_is_one_record_too_large_entry(
        self, tmp_path: Path, sink: Sink, run_agent: Callable[..., Running]
    ) -> None:
        """A valid 2 MB JSON line is dead-lettered once, as too large (size and limit named), not as
        pieces of invalid JSON; the lines around it land."""
        (tmp_path / "logs").mkdir()
        big = big_json_line(BIG)
        (tmp_path / "logs" / "a.log").write_bytes(lines(1).encode() + big + b"\n" + lines(1, 2).encode())
        agent = run_agent(write_config(tmp_path, FILE_INPUT))
        wait_for(lambda: len(sink.records) >= 2, what="the short lines")
        wait_for(lambda: agent.status()["totals"]["bad_lines"] == 1, what="the dead letter")
        agent.stop()
        assert sorted(sink.values("Seq")) == [0, 2]
        dead = dead_letters(tmp_path / "state")
        assert len(dead) == 1
        entry = dead[0]
        assert entry["code"] == "RecordTooLarge"
        assert entry["line_bytes"] == BIG
        assert entry["offset"] == len(lines(1))
        assert entry["raw"] == big[:LONG_LINE_PREFIX].decode()
        reason = str(entry["reason"])
        assert f"{BIG:,} bytes" in reason
        assert f"{MiB:,} bytes" in reason
        assert f"{MAX_RECORD_BYTES:,}" in reason
        assert "not valid JSON" not in reason

    def test_stdin_long_line_without_newline_does_not_hang(
        self, tmp_path: Path, sink: Sink, run_agent: Callable[..., Running]
    ) -> None:
        """On stdin, a 3 MB line with no newline is dead-lettered as too large; the input reaches EOF."""
        read_fd, write_fd = os.pipe()
        config = write_config(tmp_path, '[[inputs]]\nname = "pipe"\nparser = "text"\n')
        agent = run_agent(config, stdin_fd=read_fd)
        payload = b"alpha\n" + b"z" * (3 * MiB) + b"\nbeta\n" + b"q" * (MiB + 10)

        def feed() -> None:
            os.write(write_fd, payload)
            os.close(write_fd)

        writer = threading.Thread(target=feed)
        writer.start()
        agent.thread.join(30)
        writer.join(5)
        os.close(read_fd)
        assert agent.code == 0
        assert sink.values("RawData") == ["alpha", "beta"]
        dead = _too_long_entries(tmp_path / "state")
        assert [(d["offset"], d["line_bytes"]) for d in dead] == [(6, 3 * MiB), (3 * MiB + 12, MiB + 10)]


class TestDeepNesting:
    def test_a_record_nested_300_deep_with_fields_added_is_dead_lettered(
        self, tmp_path: Path, sink: Sink, run_agent: Callable[..., Running]
    ) -> None:
        """A line nested 300 deep, which cannot be re-encoded with an id column, is dead-lettered from
        the bytes as read; the input keeps going."""
        (tmp_path / "logs").mkdir()
        deep = deep_json(300)
        (tmp_path / "logs" / "a.log").write_bytes(lines(2).encode() + deep + b"\n" + lines(2, 2).encode())
        agent = run_agent(write_config(tmp_path, FILE_INPUT))
        wait_for(lambda: len(sink.records) >= 4, what="the other lines")
        wait_for(lambda: agent.status()["totals"]["bad_lines"] == 1, what="the dead letter")
        status = agent.status()
        agent.stop()
        assert sorted(sink.values("Seq")) == [0, 1, 2, 3]
        dead = dead_letters(tmp_path / "state")
        assert [d["raw"] for d in dead] == [deep.decode()]
        assert not str(status["inputs"]["app"].get("last_error") or "").startswith("stopped")

    def test_a_refused_record_nested_300_deep_is_dead_lettered_whole(
        self, tmp_path: Path, sink: Sink, run_agent: Callable[..., Running]
    ) -> None:
        """Sent as read (nothing added), refused by the service: its dead-letter entry holds the record
        as spooled, whatever its depth, and the sender keeps sending."""
        (tmp_path / "logs").mkdir()
        deep = deep_json(300)

        def decide(records: list[dict[str, object]]) -> httpx.Response | None:
            if any("Dyn" in r for r in records):
                return httpx.Response(400, json={"error": {"code": "InvalidPayload", "message": "too deep"}})
            return None

        sink.decide = decide
        (tmp_path / "logs" / "a.log").write_bytes(lines(2).encode() + deep + b"\n" + lines(2, 2).encode())
        config = write_config(tmp_path, PASSTHROUGH)
        config.write_text(config.read_text().replace('id_column = "AzlogsId"', ""))  # sent as read
        agent = run_agent(config)
        wait_for(lambda: agent.status()["totals"]["dead_lettered"] == 1, what="the dead letter")
        wait_for(lambda: len(sink.records) >= 4, what="the other lines")
        agent.stop()
        assert sorted(sink.values("Seq")) == [0, 1, 2, 3]
        path = next((tmp_path / "state" / "dead-letter").glob("stream-*.ndjson"))
        raw = path.read_bytes()
        assert deep in raw
        assert raw.count(b"\n") == 1
