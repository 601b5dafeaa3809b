"""Every damage shape of a spool directory is counted and reported, and unparseable bytes are kept."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from azlogs.spool import Spool, SpoolStats
from azlogs.spool._format import HEADER_BYTES

Drain = Callable[..., list[tuple[str, bytes]]]
KiB = 1024
KEY = "k"
SIZE = 40
FRAME = HEADER_BYTES + len(KEY) + SIZE


def _open(path: Path) -> Spool:
    return Spool.open(path, max_bytes=1 << 20, segment_bytes=4 * KiB)


def _recs(n: int) -> list[bytes]:
    return [f"r-{i:04d}".encode().ljust(SIZE, b".") for i in range(n)]


def _fill(spool_dir: Path, n: int = 200) -> list[Path]:
    """n records over several segments; returns the segment files, oldest first."""
    with _open(spool_dir) as spool:
        spool.append(KEY, _recs(n))
    segs = sorted(spool_dir.glob("seg-*.log"))
    assert len(segs) >= 3
    return segs


def _reopen(spool_dir: Path, drain: Drain) -> tuple[SpoolStats, list[bytes]]:
    with _open(spool_dir) as spool:
        stats = spool.stats()
        got = [r for _, r in drain(spool)]
    return stats, got


def _records_in(seg: Path) -> int:
    return seg.stat().st_size // FRAME


class TestSealedSegmentDamage:
    def test_a_sealed_segment_cut_to_zero_bytes_is_reported(self, spool_dir: Path, drain: Drain) -> None:
        """A sealed segment truncated to 0 bytes is a problem (an unknown number of records lost),
        named with its path; every other segment is delivered."""
        segs = _fill(spool_dir)
        lost = _records_in(segs[0])
        segs[0].write_bytes(b"")
        stats, got = _reopen(spool_dir, drain)
        assert got == _recs(200)[lost:]
        (problem,) = [p for p in stats.problems if p.kind == "empty"]
        assert problem.path == str(segs[0])
        assert problem.is_loss and not problem.records_known
        assert "an unknown number of record(s) lost" in str(problem)
        assert str(segs[0]) in str(problem)
        assert stats.lost_unknown == 1

    def test_a_sealed_segment_truncated_mid_record_keeps_a_copy(self, spool_dir: Path, drain: Drain) -> None:
        """A sealed segment cut mid-record: the records before the cut are delivered, the loss is
        reported as unknown, and the file as found is kept in damaged/."""
        segs = _fill(spool_dir)
        n0 = _records_in(segs[0])
        cut = 5 * FRAME + 7
        with open(segs[0], "r+b") as f:
            f.truncate(cut)
        found = segs[0].read_bytes()
        stats, got = _reopen(spool_dir, drain)
        assert got == _recs(200)[:5] + _recs(200)[n0:]
        (problem,) = [p for p in stats.problems if p.kind == "truncated"]
        assert (problem.offset, problem.length, problem.records_known) == (5 * FRAME, 7, False)
        assert problem.preserved == str(spool_dir / "damaged" / segs[0].name)
        assert (spool_dir / "damaged" / segs[0].name).read_bytes() == found
        assert stats.damaged_files == 1

    def test_zeroed_bytes_inside_are_counted_and_kept(self, spool_dir: Path, drain: Drain) -> None:
        """Zeroed bytes over two records: two records lost (counted), the damaged bytes kept."""
        segs = _fill(spool_dir)
        with open(segs[1], "r+b") as f:
            f.seek(3 * FRAME)
            f.write(bytes(2 * FRAME))
        damaged = segs[1].read_bytes()
        n0 = _records_in(segs[0])
        stats, got = _reopen(spool_dir, drain)
        assert len(got) == 198
        assert _recs(200)[n0 + 3] not in got and _recs(200)[n0 + 4] not in got
        assert (stats.corrupt_records, stats.corrupt_bytes) == (2, 2 * FRAME)
        (problem,) = stats.problems
        assert problem.kind == "corrupt" and problem.path == str(segs[1])
        assert (spool_dir / "damaged" / segs[1].name).read_bytes() == damaged

    def test_a_damaged_first_header_costs_one_record(self, spool_dir: Path, drain: Drain) -> None:
        """The first frame's header zeroed: that one record is lost and reported at offset 0."""
        segs = _fill(spool_dir)
        with open(segs[0], "r+b") as f:
            f.write(bytes(HEADER_BYTES))
        stats, got = _reopen(spool_dir, drain)
        assert got == _recs(200)[1:]
        (problem,) = stats.problems
        assert (problem.kind, problem.offset, problem.records) == ("corrupt", 0, 1)

    def test_a_sealed_segment_of_garbage_is_kept_whole(self, spool_dir: Path, drain: Drain) -> None:
        """A sealed segment whose every byte is garbage is reported and kept whole in damaged/."""
        segs = _fill(spool_dir)
        junk = os.urandom(segs[0].stat().st_size)
        segs[0].write_bytes(junk)
        n0 = len(junk) // FRAME
        stats, got = _reopen(spool_dir, drain)
        assert got == _recs(200)[n0:]
        (problem,) = stats.problems
        assert (problem.kind, problem.offset, problem.length) == ("truncated", 0, len(junk))
        assert (spool_dir / "damaged" / segs[0].name).read_bytes() == junk

    def test_the_newest_segment_s_torn_tail_is_an_interrupted_append(
        self, spool_dir: Path, drain: Drain
    ) -> None:
        """A torn tail of the newest segment is a torn append (not counted as loss); its bytes are kept."""
        segs = _fill(spool_dir)
        size = segs[-1].stat().st_size
        with open(segs[-1], "ab") as f:
            f.write(b"\xf5zS\x01" + b"\x00" * 9)
        stats, got = _reopen(spool_dir, drain)
        assert got == _recs(200)
        (problem,) = stats.problems
        assert problem.kind == "torn" and not problem.is_loss
        kept = spool_dir / "damaged" / f"{segs[-1].name}.torn-at-{size}"
        assert problem.preserved == str(kept)
        assert kept.read_bytes() == b"\xf5zS\x01" + b"\x00" * 9


class TestForeignFiles:
    def test_a_renamed_segment_is_reported_with_its_records(self, spool_dir: Path, drain: Drain) -> None:
        """A segment renamed to a name the spool does not use is left alone and reported with the
        number of records it holds, and how to deliver them."""
        segs = _fill(spool_dir)
        n0 = _records_in(segs[0])
        renamed = spool_dir / (segs[0].name + ".bak")
        segs[0].rename(renamed)
        stats, got = _reopen(spool_dir, drain)
        assert got == _recs(200)[n0:]
        (problem,) = stats.problems
        assert (problem.kind, problem.records, problem.path) == ("foreign", n0, str(renamed))
        assert "rename it seg-<20 digits>.log" in str(problem)
        assert renamed.exists()
        assert stats.foreign_files == 1

    def test_foreign_files_dirs_and_symlinks_are_reported_and_left(
        self, spool_dir: Path, drain: Drain
    ) -> None:
        """A text file, a directory, a short segment-like name and a symlink are each reported."""
        _fill(spool_dir)
        (spool_dir / "notes.txt").write_text("mine")
        (spool_dir / "subdir").mkdir()
        (spool_dir / "seg-1.log").write_bytes(b"x")
        (spool_dir / "link.log").symlink_to("/etc/hostname")
        stats, got = _reopen(spool_dir, drain)
        assert got == _recs(200)
        assert sorted(p.file for p in stats.problems) == ["link.log", "notes.txt", "seg-1.log", "subdir"]
        assert {p.kind for p in stats.problems} == {"foreign"}
        assert (spool_dir / "notes.txt").read_text() == "mine"


class TestAckDamage:
    @pytest.mark.parametrize("damage", ["garbled", "zeroed", "emptied", "removed"])
    def test_a_damaged_ack_file_means_duplicates_never_loss(
        self, spool_dir: Path, drain: Drain, damage: str
    ) -> None:
        """Acked records of a segment whose ack file is damaged or gone come again; nothing is lost,
        and a damaged ack file is reported."""
        segs = _fill(spool_dir)
        with _open(spool_dir) as spool:
            batch = spool.lease(max_records=10)
            assert batch is not None
            spool.ack(batch)
        ack = segs[0].with_suffix(".ack")
        assert ack.exists()
        if damage == "garbled":
            ack.write_bytes(os.urandom(ack.stat().st_size))
        elif damage == "zeroed":
            ack.write_bytes(bytes(ack.stat().st_size))
        elif damage == "emptied":
            ack.write_bytes(b"")
        else:
            ack.unlink()
        stats, got = _reopen(spool_dir, drain)
        assert got == _recs(200)
        if damage in ("garbled", "zeroed"):
            assert [p.kind for p in stats.problems] == ["ack-torn"]
            assert not any(p.is_loss for p in stats.problems)
