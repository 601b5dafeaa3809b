"""Recovery on open: restart re-delivers exactly the unacked records; damage is skipped and counted."""

from __future__ import annotations

import logging
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from azlogs.spool import Spool
from azlogs.spool._format import HEADER_BYTES

Drain = Callable[..., list[tuple[str, bytes]]]

KiB = 1024
Patch = Callable[[Path, int, bytes], None]


def _open(path: Path, **kw: object) -> Spool:
    kw.setdefault("max_bytes", 1 << 20)
    kw.setdefault("segment_bytes", 4 * KiB)
    return Spool.open(path, **kw)  # type: ignore[arg-type]


def _recs(prefix: str, n: int, size: int = 40) -> list[bytes]:
    return [f"{prefix}-{i:04d}".encode().ljust(size, b".") for i in range(n)]


def _frame_offsets(n: int, key: str, size: int = 40) -> list[int]:
    step = HEADER_BYTES + len(key) + size
    return [i * step for i in range(n)]


class TestRestart:
    def test_restart_redelivers_exactly_the_unacked_records(self, spool_dir: Path, drain: Drain) -> None:
        """Acked records never come back; nacked and still-leased ones do, in order per key."""
        with _open(spool_dir) as spool:
            spool.append("a", _recs("a", 40))
            spool.append("b", _recs("b", 10))
            acked = spool.lease(stream_key="a", max_records=10)
            nacked = spool.lease(stream_key="a", max_records=5)
            leased = spool.lease(stream_key="a", max_records=5)
            acked_b = spool.lease(stream_key="b", max_records=3)
            assert acked and nacked and leased and acked_b
            spool.ack(acked)
            spool.ack(acked_b)
            spool.nack(nacked)
        with _open(spool_dir) as spool:
            stats = spool.stats()
            assert stats.records_recovered == 30 + 7
            got = drain(spool)
        assert [r for k, r in got if k == "a"] == _recs("a", 40)[10:]
        assert [r for k, r in got if k == "b"] == _recs("b", 10)[3:]

    def test_everything_acked_leaves_nothing_behind(
        self, spool_dir: Path, drain: Drain, segments: Callable[[Path], list[Path]]
    ) -> None:
        """After every record is acked and the spool reopened, no segment or ack file remains."""
        with _open(spool_dir) as spool:
            spool.append("a", _recs("a", 300))
            drain(spool, max_records=7)
        with _open(spool_dir) as spool:
            assert drain(spool) == []
        assert sorted(p.name for p in spool_dir.iterdir()) == ["spool.lock"]

    def test_appends_after_a_restart_follow_the_recovered_records(
        self, spool_dir: Path, drain: Drain
    ) -> None:
        """A reopened spool appends to a new segment; recovered records are delivered first."""
        with _open(spool_dir) as spool:
            spool.append("a", _recs("old", 5))
        with _open(spool_dir) as spool:
            spool.append("a", _recs("new", 5))
            assert [r for _, r in drain(spool)] == _recs("old", 5) + _recs("new", 5)

    def test_leftovers_of_a_crash_are_cleaned(self, spool_dir: Path, drain: Drain) -> None:
        """An empty segment and an ack file without its segment are removed on open."""
        with _open(spool_dir) as spool:
            spool.append("a", [b"x"])
        (spool_dir / "seg-00000000000000000009.log").write_bytes(b"")
        (spool_dir / "seg-00000000000000000004.ack").write_bytes(b"junk")
        (spool_dir / "notes.txt").write_text("not ours")
        with _open(spool_dir) as spool:
            assert drain(spool) == [("a", b"x")]
            spool.append("a", [b"y"])
        names = sorted(p.name for p in spool_dir.iterdir())
        assert "seg-00000000000000000009.log" not in names
        assert "seg-00000000000000000004.ack" not in names
        assert "seg-00000000000000000010.log" in names
        assert "notes.txt" in names


class TestDamage:
    def _spool_with(self, spool_dir: Path, n: int = 10) -> Path:
        with _open(spool_dir, segment_bytes=64 * KiB) as spool:
            spool.append("k", _recs("r", n))
        return spool_dir / "seg-00000000000000000001.log"

    def test_flipped_bytes_skip_one_record(
        self, spool_dir: Path, drain: Drain, patch_bytes: Patch, caplog: pytest.LogCaptureFixture
    ) -> None:
        """A record with flipped bytes is skipped, counted and reported by segment and offset."""
        seg = self._spool_with(spool_dir)
        offsets = _frame_offsets(10, "k")
        patch_bytes(seg, offsets[4] + HEADER_BYTES + 5, b"\xff\xfe")
        with caplog.at_level(logging.WARNING, logger="azlogs.spool"), _open(spool_dir) as spool:
            stats = spool.stats()
            got = [r for _, r in drain(spool)]
        assert got == _recs("r", 10)[:4] + _recs("r", 10)[5:]
        assert (stats.corrupt_records, stats.torn_tails) == (1, 0)
        problem = stats.problems[0]
        assert (problem.kind, problem.file, problem.offset) == ("corrupt", seg.name, offsets[4])
        assert f"{seg.name} offset {offsets[4]}" in caplog.text

    def test_zeroed_length_skips_one_record(self, spool_dir: Path, drain: Drain, patch_bytes: Patch) -> None:
        """A zeroed length field costs its own record only."""
        seg = self._spool_with(spool_dir)
        offsets = _frame_offsets(10, "k")
        patch_bytes(seg, offsets[2] + 12, bytes(4))
        with _open(spool_dir) as spool:
            assert spool.stats().corrupt_records == 1
            assert [r for _, r in drain(spool)] == _recs("r", 10)[:2] + _recs("r", 10)[3:]

    def test_garbage_over_records(self, spool_dir: Path, drain: Drain, patch_bytes: Patch) -> None:
        """Garbage written over three records is skipped as three lost records."""
        seg = self._spool_with(spool_dir)
        offsets = _frame_offsets(10, "k")
        patch_bytes(seg, offsets[3] + 7, b"\x00garbage\xf5" * 20)
        with _open(spool_dir) as spool:
            stats = spool.stats()
            got = [r for _, r in drain(spool)]
        lost = {r for r in _recs("r", 10) if r not in got}
        assert stats.corrupt_records == len(lost) >= 3
        assert got == [r for r in _recs("r", 10) if r not in lost]

    def test_truncated_tail_is_cut_and_counted(
        self, spool_dir: Path, drain: Drain, segments: Callable[[Path], list[Path]]
    ) -> None:
        """A tail torn by a crash is truncated on disk and counted; later appends recover cleanly."""
        seg = self._spool_with(spool_dir)
        offsets = _frame_offsets(10, "k")
        with seg.open("r+b") as f:
            f.truncate(offsets[9] + 11)
        with _open(spool_dir) as spool:
            stats = spool.stats()
            assert (stats.torn_tails, stats.torn_bytes, stats.corrupt_records) == (1, 11, 0)
            assert seg.stat().st_size == offsets[9]
            spool.append("k", [b"after"])
        with _open(spool_dir) as spool:
            assert spool.stats().torn_tails == 0
            assert [r for _, r in drain(spool)] == [*_recs("r", 10)[:9], b"after"]

    def test_damage_found_when_leasing(self, spool_dir: Path, drain: Drain, patch_bytes: Patch) -> None:
        """A record damaged after the spool opened is caught by its checksum when leased, and skipped."""
        seg = self._spool_with(spool_dir)
        offsets = _frame_offsets(10, "k")
        with _open(spool_dir) as spool:
            patch_bytes(seg, offsets[6] + HEADER_BYTES + 3, b"#")
            got = [r for _, r in drain(spool, max_records=4)]
            stats = spool.stats()
        assert got == _recs("r", 10)[:6] + _recs("r", 10)[7:]
        assert (stats.corrupt_records, stats.records_pending) == (1, 0)
        assert stats.problems[-1].offset == offsets[6]

    def test_a_damaged_ack_file_means_duplicates_not_loss(
        self, spool_dir: Path, drain: Drain, patch_bytes: Patch
    ) -> None:
        """A corrupt ack frame re-delivers its records; other acks hold; nothing unacked is lost."""
        with _open(spool_dir, segment_bytes=64 * KiB) as spool:
            spool.append("k", _recs("r", 10))
            for _ in range(3):
                batch = spool.lease(max_records=2)
                assert batch is not None
                spool.ack(batch)
        ack = spool_dir / "seg-00000000000000000001.ack"
        ack_frame = 12 + 2 * 4
        patch_bytes(ack, ack_frame + 9, b"\xee")
        with _open(spool_dir) as spool:
            assert [p.kind for p in spool.stats().problems] == ["ack-corrupt"]
            got = [r for _, r in drain(spool)]
        assert got == _recs("r", 10)[2:4] + _recs("r", 10)[6:]

    def test_a_torn_ack_tail_is_truncated(self, spool_dir: Path, drain: Drain) -> None:
        """A half-written ack frame is cut off; the acks before it still hold."""
        with _open(spool_dir, segment_bytes=64 * KiB) as spool:
            spool.append("k", _recs("r", 6))
            batch = spool.lease(max_records=2)
            assert batch is not None
            spool.ack(batch)
        ack = spool_dir / "seg-00000000000000000001.ack"
        good = ack.stat().st_size
        with ack.open("ab") as f:
            f.write(b"\xf5zA\x01\x00\x00")
        with _open(spool_dir) as spool:
            assert [p.kind for p in spool.stats().problems] == ["ack-torn"]
            assert ack.stat().st_size == good
            assert [r for _, r in drain(spool)] == _recs("r", 6)[2:]


def _fresh(base: Path, payloads: list[bytes]) -> Path:
    directory = base / "spool"
    with _open(directory, segment_bytes=4 * KiB) as spool:
        for start in range(0, len(payloads), 7):
            spool.append("k", payloads[start : start + 7])
    return directory


_PAYLOADS = st.lists(st.binary(min_size=0, max_size=300), min_size=1, max_size=60)


class TestRecoveryProperties:
    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(payloads=_PAYLOADS, cut=st.floats(min_value=0, max_value=1), which=st.integers(min_value=0))
    def test_truncation_at_any_offset_keeps_exactly_the_whole_frames(
        self, payloads: list[bytes], cut: float, which: int
    ) -> None:
        """Cutting a segment anywhere loses only the frames past the cut; everything else is delivered."""
        with tempfile.TemporaryDirectory() as tmp:
            directory = _fresh(Path(tmp), payloads)
            files = sorted(p for p in directory.iterdir() if p.suffix == ".log")
            victim = files[which % len(files)]
            size = victim.stat().st_size
            keep = int(size * cut)
            with victim.open("r+b") as f:
                f.truncate(keep)
            per_file: list[list[bytes]] = []
            index = 0
            for path in files:
                pos, mine = 0, []
                total = path.stat().st_size if path != victim else size
                while pos < total:
                    length = HEADER_BYTES + 1 + len(payloads[index])
                    mine.append((pos + length, payloads[index]))
                    pos += length
                    index += 1
                kept = [p for end, p in mine if path != victim or end <= keep]
                per_file.append(kept)
            with _open(directory) as spool:
                stats = spool.stats()
                got = []
                while (batch := spool.lease()) is not None:
                    got.extend(batch.records)
                    spool.ack(batch)
            assert got == [p for kept in per_file for p in kept]
            assert stats.corrupt_records == 0
            assert stats.torn_tails <= 1

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        payloads=_PAYLOADS,
        hits=st.lists(st.tuples(st.integers(min_value=0), st.integers(1, 255)), min_size=1, max_size=5),
    )
    def test_flipped_bytes_anywhere_never_invent_or_duplicate_records(
        self, payloads: list[bytes], hits: list[tuple[int, int]]
    ) -> None:
        """Damaged spools deliver only real records, each at most once, untouched ones always."""
        tagged = [b"%04d:" % i + p for i, p in enumerate(payloads)]
        with tempfile.TemporaryDirectory() as tmp:
            directory = _fresh(Path(tmp), tagged)
            files = sorted(p for p in directory.iterdir() if p.suffix == ".log")
            spans: list[tuple[Path, int, int, bytes]] = []
            index = 0
            for path in files:
                pos, total = 0, path.stat().st_size
                while pos < total:
                    length = HEADER_BYTES + 1 + len(tagged[index])
                    spans.append((path, pos, pos + length, tagged[index]))
                    pos += length
                    index += 1
            damaged: set[bytes] = set()
            for where, xor in hits:
                path, start, end, record = spans[where % len(spans)]
                offset = start + (where // len(spans)) % (end - start)
                data = bytearray(path.read_bytes())
                data[offset] ^= xor
                path.write_bytes(bytes(data))
                damaged.add(record)
            with _open(directory) as spool:
                got = []
                while (batch := spool.lease()) is not None:
                    got.extend(batch.records)
                    spool.ack(batch)
                stats = spool.stats()
            assert len(got) == len(set(got))
            assert set(got) <= set(tagged)
            assert set(tagged) - damaged <= set(got)
            assert got == [t for t in tagged if t in set(got)]
            if damaged - set(got):
                assert stats.corrupt_records + stats.torn_tails >= 1
            shutil.rmtree(directory)
