"""The file tailer: lines, partial lines, rotation (rename, copytruncate, delete), checkpoints."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from azlogs.agent._checkpoints import CheckpointStore
from azlogs.agent._tail import COPY_MIN_BYTES, Chunk, FileTailer


class Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def make(patterns: list[str], clock: Clock, state: Any = (), **kw: Any) -> FileTailer:
    kw.setdefault("glob_interval", 0.0)
    kw.setdefault("rotate_wait", 5.0)
    return FileTailer(patterns, state=state, clock=clock, **kw)


def drain(tailer: FileTailer, clock: Clock | None = None, rounds: int = 50) -> list[tuple[str, int, bytes]]:
    """Poll (and commit) until nothing new comes; returns (fid, offset, line)."""
    out: list[tuple[str, int, bytes]] = []
    idle = 0
    for _ in range(rounds):
        chunks = tailer.poll()
        if not chunks:
            idle += 1
            if idle >= 2:
                break
            if clock is not None:
                clock.advance(0.1)
            continue
        idle = 0
        out.extend((c.fid, off, line) for c in chunks for off, line in c.lines)
        tailer.commit(chunks)
    return out


def texts(lines: list[tuple[str, int, bytes]]) -> list[bytes]:
    return [line for _, _, line in lines]


def append(path: Path, text: str) -> None:
    with open(path, "ab") as f:
        f.write(text.encode())


def numbered(prefix: str, start: int, count: int) -> str:
    # long enough lines that every file passes the copy-detection minimum
    return "".join(f"{prefix}-{i:06d} {'x' * 60}\n" for i in range(start, start + count))


def expected(prefix: str, start: int, count: int) -> list[bytes]:
    return [f"{prefix}-{i:06d} {'x' * 60}".encode() for i in range(start, start + count)]


class TestLines:
    def test_complete_lines_with_offsets(self, tmp_path: Path) -> None:
        """Each complete line comes once, newline and CR removed, with its byte offset."""
        log = tmp_path / "a.log"
        log.write_bytes(b"one\r\ntwo\nthree\n")
        clock = Clock()
        t = make([str(log)], clock)
        got = drain(t)
        assert [(off, line) for _, off, line in got] == [(0, b"one"), (5, b"two"), (9, b"three")]
        assert len({fid for fid, _, _ in got}) == 1

    def test_partial_line_waits_for_newline(self, tmp_path: Path) -> None:
        """An unterminated last line is not emitted until its newline arrives."""
        log = tmp_path / "a.log"
        log.write_bytes(b"first\nsec")
        clock = Clock()
        t = make([str(log)], clock)
        assert texts(drain(t)) == [b"first"]
        clock.advance(60)
        assert drain(t) == []
        append(log, "ond\n")
        assert texts(drain(t)) == [b"second"]

    def test_long_line_is_reported_not_cut(self, tmp_path: Path) -> None:
        """A line over max_line_bytes is not cut into lines: it is skipped and counted once."""
        log = tmp_path / "a.log"
        body = b"a" * 10000
        log.write_bytes(body + b"\nshort\n")
        t = make([str(log)], Clock(), max_line_bytes=4096, read_bytes=4096)
        got = texts(drain(t))
        assert got == [b"short"]
        assert t.long_lines == 1

    def test_new_files_matching_the_glob_are_picked_up(self, tmp_path: Path) -> None:
        """A file created after the first scan is read from its beginning."""
        clock = Clock()
        t = make([str(tmp_path / "*.log")], clock)
        (tmp_path / "a.log").write_text("a1\n")
        assert texts(drain(t)) == [b"a1"]
        (tmp_path / "b.log").write_text("b1\nb2\n")
        (tmp_path / "b.txt").write_text("not matched\n")
        assert texts(drain(t)) == [b"b1", b"b2"]

    def test_exclude(self, tmp_path: Path) -> None:
        """Files matching an exclude glob are never read."""
        (tmp_path / "app.log").write_text("keep\n")
        (tmp_path / "app.log.1.gz").write_bytes(b"\x1f\x8b binary\n")
        t = FileTailer([str(tmp_path / "app.log*")], ["*.gz"], clock=Clock(), glob_interval=0)
        assert texts(drain(t)) == [b"keep"]

    def test_start_at_end_skips_existing_content_only(self, tmp_path: Path) -> None:
        """start_at=end skips what existing files hold at the first scan, not later lines or files."""
        (tmp_path / "a.log").write_text("old\n")
        clock = Clock()
        t = make([str(tmp_path / "*.log")], clock, start_at="end")
        assert drain(t) == []
        append(tmp_path / "a.log", "new\n")
        (tmp_path / "b.log").write_text("b\n")
        assert sorted(texts(drain(t))) == [b"b", b"new"]

    def test_start_at_end_applies_only_at_the_first_start_of_a_state_dir(self, tmp_path: Path) -> None:
        """After a restart, a file without a checkpoint is read from its beginning, even with start_at=end."""
        logs = tmp_path / "logs"
        logs.mkdir()
        (logs / "a.log").write_text("before the agent\n")
        store = CheckpointStore(tmp_path / "checkpoints")
        clock = Clock()

        def start() -> FileTailer:  # the wiring of FileInput
            state = store.load("app")
            first = store.mark_started("app")
            return make([str(logs / "*.log")], clock, state=state, start_at="end", first_start=first)

        t = start()
        assert drain(t) == []
        append(logs / "a.log", "while running\n")
        assert texts(drain(t)) == [b"while running"]
        store.save("app", t.snapshot())
        t.close()
        (logs / "b.log").write_text("rotated in while stopped\n")
        append(logs / "a.log", "after the stop\n")
        t2 = start()
        assert sorted(texts(drain(t2))) == [b"after the stop", b"rotated in while stopped"]
        t2.close()
        (store.path("app")).write_bytes(b"{not json")  # an unreadable checkpoint on the next start
        t3 = start()
        assert sorted(texts(drain(t3))) == sorted(
            [b"before the agent", b"while running", b"after the stop", b"rotated in while stopped"]
        )
        t3.close()


class TestRotation:
    def test_rename_rotation_reads_the_rest_of_the_old_file(self, tmp_path: Path) -> None:
        """After mv app.log app.log.1, lines still written to the old file and the new file all come once."""
        log = tmp_path / "app.log"
        log.write_text(numbered("a", 0, 10))
        clock = Clock()
        t = make([str(log)], clock)
        got = drain(t)
        with open(log, "ab") as old_writer:
            os.rename(log, tmp_path / "app.log.1")
            old_writer.write(numbered("a", 10, 5).encode())  # the writer has not reopened yet
        log.write_text(numbered("b", 0, 7))
        got += drain(t, clock)
        assert texts(got) == expected("a", 0, 15) + expected("b", 0, 7)
        assert t.rotations == 1

    def test_rotated_file_is_closed_after_rotate_wait(self, tmp_path: Path) -> None:
        """A rotated-away file is followed for rotate_wait seconds, then closed and forgotten."""
        log = tmp_path / "app.log"
        log.write_text("x\n")
        clock = Clock()
        t = make([str(log)], clock, rotate_wait=5)
        drain(t)
        os.rename(log, tmp_path / "app.log.1")
        drain(t)
        assert len(t.files) == 1
        clock.advance(6)
        drain(t)
        assert t.files == []

    def test_unterminated_last_line_of_rotated_file_is_emitted(self, tmp_path: Path) -> None:
        """A rotated file's last line without a newline is emitted once the file stays idle."""
        log = tmp_path / "app.log"
        log.write_text("full\npartial")
        clock = Clock()
        t = make([str(log)], clock, rotate_wait=5)
        assert texts(drain(t)) == [b"full"]
        os.rename(log, tmp_path / "app.log.1")
        assert drain(t) == []
        clock.advance(6)
        assert texts(drain(t)) == [b"partial"]

    def test_rename_within_the_glob_keeps_position(self, tmp_path: Path) -> None:
        """With app.log* matched, a rotated file keeps its identity and is not read again."""
        log = tmp_path / "app.log"
        log.write_text(numbered("a", 0, 5))
        clock = Clock()
        t = make([str(tmp_path / "app.log*")], clock)
        got = drain(t)
        os.rename(log, tmp_path / "app.log.1")
        append(tmp_path / "app.log.1", numbered("a", 5, 2))
        log.write_text(numbered("b", 0, 3))
        got += drain(t, clock)
        assert sorted(texts(got)) == sorted(expected("a", 0, 7) + expected("b", 0, 3))

    @pytest.mark.parametrize("glob_rotated", [False, True])
    def test_copytruncate(self, tmp_path: Path, glob_rotated: bool) -> None:
        """copytruncate: lines after the truncation come from the start, none twice."""
        log = tmp_path / "app.log"
        log.write_text(numbered("a", 0, 20))
        clock = Clock()
        pattern = str(tmp_path / "app.log*") if glob_rotated else str(log)
        t = make([pattern], clock)
        got = drain(t)
        shutil.copyfile(log, tmp_path / "app.log.1")
        with open(log, "r+b") as f:
            f.truncate(0)
        append(log, numbered("b", 0, 3))
        got += drain(t, clock)
        assert texts(got) == expected("a", 0, 20) + expected("b", 0, 3)
        assert t.truncations == 1

    def test_copytruncate_reads_lines_written_before_the_copy_from_the_copy(self, tmp_path: Path) -> None:
        """Lines the tailer had not read yet when the file was copied and truncated come from the copy."""
        log = tmp_path / "app.log"
        log.write_text(numbered("a", 0, 20))
        clock = Clock()
        t = make([str(tmp_path / "app.log*")], clock)
        got = drain(t)
        append(log, numbered("a", 20, 10))  # not read yet
        shutil.copyfile(log, tmp_path / "app.log.1")
        with open(log, "r+b") as f:
            f.truncate(0)
        append(log, numbered("b", 0, 4))
        got += drain(t, clock)
        assert sorted(texts(got)) == sorted(expected("a", 0, 30) + expected("b", 0, 4))
        # the copy continues the original's identity: ids of the old lines do not change
        ids = {(fid, off) for fid, off, _ in got}
        assert len(ids) == len(got)

    def test_truncated_and_regrown_past_position_is_detected(self, tmp_path: Path) -> None:
        """A file truncated and rewritten beyond the old position between polls is read from 0."""
        log = tmp_path / "app.log"
        log.write_text(numbered("a", 0, 3))
        clock = Clock()
        t = make([str(log)], clock)
        got = drain(t)
        with open(log, "r+b") as f:
            f.truncate(0)
            f.write(numbered("b", 0, 10).encode())
        got += drain(t, clock)
        assert texts(got) == expected("a", 0, 3) + expected("b", 0, 10)

    def test_delete_and_recreate(self, tmp_path: Path) -> None:
        """A deleted file's remaining lines and the recreated file's lines all come once."""
        log = tmp_path / "app.log"
        log.write_text(numbered("a", 0, 5))
        clock = Clock()
        t = make([str(log)], clock)
        got = drain(t)
        with open(log, "ab") as writer:
            log.unlink()
            writer.write(numbered("a", 5, 2).encode())
        log.write_text(numbered("b", 0, 4))
        got += drain(t, clock)
        assert texts(got) == expected("a", 0, 7) + expected("b", 0, 4)
        fids = {fid for fid, _, line in got if line.startswith(b"b-")}
        assert fids.isdisjoint({fid for fid, _, line in got if line.startswith(b"a-")})

    def test_a_plain_copy_of_a_live_file_is_read_after_the_wait(self, tmp_path: Path) -> None:
        """A copy of a file that is not truncated is held back (maybe a copytruncate), then read."""
        log = tmp_path / "app.log"
        log.write_text(numbered("a", 0, 5))
        clock = Clock()
        t = make([str(tmp_path / "app.log*")], clock, rotate_wait=2)
        drain(t)
        shutil.copyfile(log, tmp_path / "app.log.bak")
        assert drain(t) == []
        clock.advance(3)
        assert texts(drain(t)) == expected("a", 0, 5)


class TestCheckpoints:
    def test_resume_from_snapshot(self, tmp_path: Path) -> None:
        """A new tailer given the snapshot reads only what came after the committed position."""
        log = tmp_path / "app.log"
        log.write_text(numbered("a", 0, 5))
        clock = Clock()
        t = make([str(log)], clock)
        first = drain(t)
        state = t.snapshot()
        t.close()
        append(log, numbered("a", 5, 3))
        t2 = make([str(log)], clock, state=state)
        second = drain(t2)
        assert texts(first + second) == expected("a", 0, 8)
        assert {fid for fid, _, _ in second} == {fid for fid, _, _ in first}

    def test_uncommitted_lines_are_read_again_with_the_same_ids(self, tmp_path: Path) -> None:
        """Lines polled but never committed (a crash before the spool append) come again, same ids."""
        log = tmp_path / "app.log"
        log.write_text(numbered("a", 0, 4))
        clock = Clock()
        t = make([str(log)], clock)
        state = t.snapshot()
        lost: list[Chunk] = t.poll()
        assert lost
        t.close()
        t2 = make([str(log)], clock, state=state)
        again = drain(t2)
        assert texts(again) == expected("a", 0, 4)

    def test_partial_line_across_restart(self, tmp_path: Path) -> None:
        """A line half written before a restart and finished after it is delivered once, whole."""
        log = tmp_path / "app.log"
        log.write_text("done\nhalf-")
        clock = Clock()
        t = make([str(log)], clock)
        assert texts(drain(t)) == [b"done"]
        state = t.snapshot()
        t.close()
        append(log, "written\n")
        t2 = make([str(log)], clock, state=state)
        assert texts(drain(t2)) == [b"half-written"]

    def test_several_rotations_while_stopped(self, tmp_path: Path) -> None:
        """Rotations by rename while the tailer is down: every line is read once after the restart."""
        log = tmp_path / "app.log"
        log.write_text(numbered("a", 0, 5))
        clock = Clock()
        pattern = str(tmp_path / "app.log*")
        t = make([pattern], clock)
        got = drain(t)
        state = t.snapshot()
        t.close()
        append(log, numbered("a", 5, 5))
        os.rename(log, tmp_path / "app.log.1")
        log.write_text(numbered("b", 0, 5))
        os.rename(tmp_path / "app.log.1", tmp_path / "app.log.2")
        os.rename(log, tmp_path / "app.log.1")
        log.write_text(numbered("c", 0, 5))
        t2 = make([pattern], clock, state=state)
        got += drain(t2, clock)
        assert sorted(texts(got)) == sorted(expected("a", 0, 10) + expected("b", 0, 5) + expected("c", 0, 5))

    def test_rotated_out_of_the_glob_while_stopped_is_found_by_inode(self, tmp_path: Path) -> None:
        """A checkpointed file renamed to a name the glob misses is found in its directory and finished."""
        log = tmp_path / "app.log"
        log.write_text(numbered("a", 0, 5))
        clock = Clock()
        t = make([str(log)], clock)
        got = drain(t)
        state = t.snapshot()
        t.close()
        append(log, numbered("a", 5, 5))
        os.rename(log, tmp_path / "app.log.1")
        log.write_text(numbered("b", 0, 2))
        t2 = make([str(log)], clock, state=state)
        got += drain(t2, clock)
        assert sorted(texts(got)) == sorted(expected("a", 0, 10) + expected("b", 0, 2))

    def test_copytruncate_while_stopped(self, tmp_path: Path) -> None:
        """copytruncate during downtime: the unread tail comes from the copy, the new content from 0."""
        log = tmp_path / "app.log"
        log.write_text(numbered("a", 0, 5))
        clock = Clock()
        pattern = str(tmp_path / "app.log*")
        t = make([pattern], clock)
        got = drain(t)
        state = t.snapshot()
        t.close()
        append(log, numbered("a", 5, 5))
        shutil.copyfile(log, tmp_path / "app.log.1")
        with open(log, "r+b") as f:
            f.truncate(0)
        append(log, numbered("b", 0, 3))
        t2 = make([pattern], clock, state=state)
        got += drain(t2, clock)
        assert sorted(texts(got)) == sorted(expected("a", 0, 10) + expected("b", 0, 3))

    def test_reused_inode_is_a_new_file(self, tmp_path: Path) -> None:
        """A checkpoint entry whose inode now holds other content is not resumed at its offset."""
        log = tmp_path / "app.log"
        log.write_text(numbered("new", 0, 3))
        st = os.stat(log)
        stale = {
            "fid": "0123456789ab",
            "dev": st.st_dev,
            "ino": st.st_ino,
            "path": str(log),
            "offset": 50,
            "fp_len": COPY_MIN_BYTES,
            "fp": "00" * 12,
        }
        t = make([str(log)], Clock(), state=[stale])
        got = drain(t)
        assert texts(got) == expected("new", 0, 3)
        assert got[0][0] != "0123456789ab"

    def test_snapshot_holds_committed_positions_only(self, tmp_path: Path) -> None:
        """The snapshot moves only when chunks are committed."""
        log = tmp_path / "app.log"
        log.write_text("a\nb\n")
        t = make([str(log)], Clock())
        chunks = t.poll()
        assert [e["offset"] for e in t.snapshot()] == [0]
        t.commit(chunks)
        assert [e["offset"] for e in t.snapshot()] == [4]


class TestClockJumps:
    def test_a_clock_jumping_back_does_not_stop_discovery(self, tmp_path: Path) -> None:
        """After the clock jumps back an hour, a new file is still found at the next poll."""
        clock = Clock()
        t = make([str(tmp_path / "*.log")], clock, glob_interval=2.0)
        (tmp_path / "a.log").write_bytes(b"a1\n")
        assert texts(drain(t)) == [b"a1"]
        clock.now -= 3600
        (tmp_path / "b.log").write_bytes(b"b1\n")
        assert texts(drain(t)) == [b"b1"]

    def test_a_clock_jumping_forward_loses_no_line_of_a_rotated_file(self, tmp_path: Path) -> None:
        """A jump of a day right after a rotation: the rotated file's lines are all read first."""
        clock = Clock()
        log = tmp_path / "a.log"
        log.write_bytes(b"one\n")
        t = make([str(log)], clock, rotate_wait=5.0)
        assert texts(drain(t)) == [b"one"]
        append(log, "two\nthree")
        os.rename(log, tmp_path / "a.log.1")
        clock.advance(86400)
        got = texts(drain(t, clock))
        clock.advance(10)  # rotate_wait after the last write: the unterminated last line comes too
        assert got + texts(drain(t, clock)) == [b"two", b"three"]
