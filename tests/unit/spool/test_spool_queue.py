"""Appending, leasing, acking and nacking; segments; fsync policies; counters; the directory lock."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from azlogs import UsageError
from azlogs._exceptions import SpoolError
from azlogs.spool import Spool
from azlogs.spool._faults import FaultyStorage
from azlogs.spool._format import HEADER_BYTES

Drain = Callable[..., list[tuple[str, bytes]]]

KiB = 1024


def _open(path: Path, **kw: object) -> Spool:
    kw.setdefault("max_bytes", 1 << 20)
    kw.setdefault("segment_bytes", 4 * KiB)
    return Spool.open(path, **kw)  # type: ignore[arg-type]


def _recs(prefix: str, n: int, size: int = 0) -> list[bytes]:
    return [f"{prefix}-{i}".encode().ljust(size, b".") for i in range(n)]


class TestAppendAndLease:
    def test_records_come_back_in_append_order_per_key(self, spool_dir: Path, drain: Drain) -> None:
        """Each stream key's records are handed out in the order they were appended."""
        with _open(spool_dir) as spool:
            spool.append("a", _recs("a", 30))
            spool.append("b", _recs("b", 30))
            spool.append("a", _recs("a2", 30))
            got = drain(spool, max_records=7)
        assert [r for k, r in got if k == "a"] == _recs("a", 30) + _recs("a2", 30)
        assert [r for k, r in got if k == "b"] == _recs("b", 30)

    def test_lease_by_stream_key(self, spool_dir: Path) -> None:
        """lease(stream_key=...) hands out only that key's records; a batch holds one key."""
        with _open(spool_dir) as spool:
            spool.append("a", _recs("a", 3))
            spool.append("b", _recs("b", 3))
            batch = spool.lease(stream_key="b")
            assert batch is not None
            assert (batch.stream_key, list(batch.records)) == ("b", _recs("b", 3))
            assert spool.lease(stream_key="b") is None
            assert spool.lease(stream_key="missing") is None

    def test_unkeyed_lease_takes_the_oldest_record_first(self, spool_dir: Path) -> None:
        """Without a key, the key whose oldest ready record is oldest goes first."""
        with _open(spool_dir) as spool:
            spool.append("late", _recs("x", 1))
            spool.append("early", _recs("y", 1))
            first = spool.lease()
            second = spool.lease()
            assert first is not None and second is not None
            assert (first.stream_key, second.stream_key) == ("late", "early")

    def test_limits_of_a_lease(self, spool_dir: Path) -> None:
        """A lease stays within max_records and max_bytes (payload bytes)."""
        with _open(spool_dir) as spool:
            spool.append("a", _recs("r", 50, size=100))
            batch = spool.lease(max_records=10, max_bytes=10_000)
            assert batch is not None and len(batch.records) == 10
            batch = spool.lease(max_records=100, max_bytes=350)
            assert batch is not None and len(batch.records) == 3
            assert batch.nbytes == 300

    def test_a_record_larger_than_max_bytes_is_still_handed_out_alone(self, spool_dir: Path) -> None:
        """One big record never blocks its queue: it comes alone."""
        with _open(spool_dir) as spool:
            spool.append("a", [b"B" * 5000, b"small"])
            batch = spool.lease(max_bytes=100)
            assert batch is not None and batch.records == (b"B" * 5000,)
            batch = spool.lease(max_bytes=100)
            assert batch is not None and batch.records == (b"small",)

    def test_nacked_records_come_again_before_newer_ones(self, spool_dir: Path) -> None:
        """A nacked batch is leased again ahead of records never leased."""
        with _open(spool_dir) as spool:
            spool.append("a", _recs("r", 6))
            first = spool.lease(max_records=2)
            second = spool.lease(max_records=2)
            assert first is not None and second is not None
            spool.nack(second)
            spool.nack(first)
            again = spool.lease(max_records=6)
            assert again is not None
            assert list(again.records) == _recs("r", 6)

    def test_concurrent_leases_are_disjoint(self, spool_dir: Path) -> None:
        """Several leases may be out at once; none shares a record."""
        with _open(spool_dir) as spool:
            spool.append("a", _recs("r", 9))
            batches = [spool.lease(max_records=3) for _ in range(3)]
            assert all(b is not None for b in batches)
            seen = [r for b in batches if b is not None for r in b.records]
            assert sorted(seen) == sorted(_recs("r", 9))
            assert spool.stats().records_leased == 9
            assert spool.lease() is None

    def test_lease_waits_for_records(self, spool_dir: Path) -> None:
        """lease(wait=...) returns records appended while it waits."""
        with _open(spool_dir) as spool:
            got: list[object] = []
            thread = threading.Thread(target=lambda: got.append(spool.lease(wait=30)))
            thread.start()
            spool.append("a", [b"hello"])
            thread.join(30)
            assert not thread.is_alive()
            batch = got[0]
            assert batch is not None and batch.records == (b"hello",)  # type: ignore[attr-defined]

    def test_settling_twice_or_elsewhere_is_refused(self, spool_dir: Path, tmp_path: Path) -> None:
        """A batch is settled once, by the spool that leased it."""
        with _open(spool_dir) as spool, _open(tmp_path / "other") as other:
            spool.append("a", [b"x"])
            batch = spool.lease()
            assert batch is not None
            with pytest.raises(SpoolError, match="not leased from this spool"):
                other.ack(batch)
            spool.ack(batch)
            with pytest.raises(SpoolError, match="already acked or nacked"):
                spool.nack(batch)

    def test_bad_appends(self, spool_dir: Path) -> None:
        """Bad keys, records that are not bytes and batches that can never fit are usage errors."""
        with _open(spool_dir, max_bytes=8 * KiB) as spool:
            spool.append("a", [])
            with pytest.raises(UsageError):
                spool.append("", [b"x"])
            with pytest.raises(UsageError, match="short route name"):
                spool.append("k" * 2000, [b"x"])
            with pytest.raises(UsageError, match="bytes, not str"):
                spool.append("a", ["text"])  # type: ignore[list-item]
            with pytest.raises(UsageError, match="can never fit"):
                spool.append("a", [b"x" * 9000])
            assert spool.stats().records_appended == 0

    def test_bad_options(self, spool_dir: Path) -> None:
        """Unknown policies and impossible sizes are refused before anything is created."""
        for kw in (
            {"fsync": "sometimes"},
            {"full_policy": "drop"},
            {"segment_bytes": 100},
            {"max_bytes": 4 * KiB, "segment_bytes": 8 * KiB},
        ):
            with pytest.raises(UsageError):
                _open(spool_dir, **kw)
        assert not spool_dir.exists()


class TestSegments:
    def test_roll_over_at_the_size_limit(
        self, spool_dir: Path, segments: Callable[[Path], list[Path]], drain: Drain
    ) -> None:
        """Segments roll over before the size limit; no record spans two segments."""
        with _open(spool_dir, segment_bytes=4 * KiB) as spool:
            for i in range(10):
                spool.append("a", _recs(f"b{i}", 10, size=200))
            files = segments(spool_dir)
            assert len(files) >= 5
            assert all(f.stat().st_size <= 4 * KiB for f in files)
            assert [r for _, r in drain(spool)] == [
                r for i in range(10) for r in _recs(f"b{i}", 10, size=200)
            ]

    def test_a_record_larger_than_a_segment_gets_its_own(
        self, spool_dir: Path, segments: Callable[[Path], list[Path]]
    ) -> None:
        """A record bigger than segment_bytes is written alone in a fresh segment."""
        with _open(spool_dir, segment_bytes=4 * KiB) as spool:
            spool.append("a", [b"s", b"L" * 6000, b"t"])
            sizes = [f.stat().st_size for f in segments(spool_dir)]
        assert sizes[1] == HEADER_BYTES + 1 + 6000
        assert len(sizes) == 3

    def test_roll_over_at_age(self, spool_dir: Path, segments: Callable[[Path], list[Path]]) -> None:
        """With segment_age 0 every append starts a new segment."""
        with _open(spool_dir, segment_age=0.0) as spool:
            for i in range(3):
                spool.append("a", [b"r%d" % i])
            assert len(segments(spool_dir)) == 3

    def test_a_segment_is_deleted_only_when_every_record_is_acked(
        self, spool_dir: Path, segments: Callable[[Path], list[Path]]
    ) -> None:
        """Partly acked segments stay; a fully acked sealed segment and its ack file go."""
        with _open(spool_dir, segment_bytes=4 * KiB) as spool:
            spool.append("a", _recs("r", 30, size=200))
            first, second = segments(spool_dir)[:2]
            per_segment = (4 * KiB) // (HEADER_BYTES + 1 + 200)
            part = spool.lease(max_records=5)
            rest = spool.lease(max_records=per_segment - 5)
            assert part is not None and rest is not None
            spool.ack(part)
            assert first.exists()
            assert first.with_suffix(".ack").exists()
            spool.ack(rest)
            assert not first.exists()
            assert not first.with_suffix(".ack").exists()
            assert second.exists()

    def test_the_open_segment_is_kept_until_it_is_old_or_space_is_needed(
        self, spool_dir: Path, segments: Callable[[Path], list[Path]], drain: Drain
    ) -> None:
        """Acking everything does not churn the open segment; closing deletes it when fully acked."""
        with _open(spool_dir) as spool:
            spool.append("a", [b"x"])
            drain(spool)
            assert len(segments(spool_dir)) == 1
        assert segments(spool_dir) == []


class TestFsync:
    @pytest.mark.parametrize(
        ("policy", "expected"),
        [("batch", 3), ("always", 12), ("never", 0)],
    )
    def test_fsync_count_per_policy(self, spool_dir: Path, policy: str, expected: int) -> None:
        """batch: one fsync per append; always: one per record; never: none."""
        storage = FaultyStorage()
        with _open(spool_dir, fsync=policy, storage=storage) as spool:
            storage.calls.clear()
            for _ in range(3):
                spool.append("a", [b"x"] * 4)
            syncs = [name for op, name in storage.calls if op == "sync"]
        assert len(syncs) == expected
        assert all(name.endswith(".log") for name in syncs)

    def test_directory_fsync_after_create_and_delete(self, spool_dir: Path, drain: Drain) -> None:
        """Creating a segment and deleting one are followed by an fsync of the directory."""
        storage = FaultyStorage()
        with _open(spool_dir, segment_bytes=4 * KiB, storage=storage) as spool:
            storage.calls.clear()
            spool.append("a", _recs("r", 40, size=200))
            created = [op for op, _ in storage.calls]
            assert created[created.index("open") + 1] == "sync_dir"
            storage.calls.clear()
            drain(spool, max_records=5)
            ops = [(op, name[-3:]) for op, name in storage.calls if op in ("unlink", "sync_dir")]
            after = ops.index(("unlink", "log"))
            while ops[after] == ("unlink", "log"):
                after += 1
            assert ops[after][0] == "sync_dir"
            assert ops.index(("unlink", "ack")) > after

    def test_acks_are_fsynced(self, spool_dir: Path) -> None:
        """An ack is written to the segment's ack file and fsynced before ack() returns."""
        storage = FaultyStorage()
        with _open(spool_dir, storage=storage) as spool:
            spool.append("a", [b"x", b"y"])
            batch = spool.lease(max_records=1)
            assert batch is not None
            storage.calls.clear()
            spool.ack(batch)
            assert [op for op, name in storage.calls if name.endswith(".ack")][-2:] == ["pwrite", "sync"]


class TestStatsAndLifecycle:
    def test_counters(self, spool_dir: Path) -> None:
        """Counters follow appends, leases and acks, per stream too."""
        with _open(spool_dir) as spool:
            spool.append("a", [b"12345"] * 4)
            spool.append("b", [b"xy"])
            batch = spool.lease(stream_key="a", max_records=3)
            assert batch is not None
            stats = spool.stats()
            assert (stats.records_appended, stats.bytes_appended) == (5, 22)
            assert (stats.records_pending, stats.records_leased) == (5, 3)
            spool.ack(batch)
            stats = spool.stats()
            assert (stats.records_acked, stats.bytes_acked, stats.bytes_pending) == (3, 15, 7)
            assert stats.pending_by_stream == {"a": 1, "b": 1}
            assert stats.segments == 1
            assert stats.disk_bytes == 5 * HEADER_BYTES + 4 * 6 + 3

    def test_one_process_per_directory(self, spool_dir: Path) -> None:
        """A second open of a spool in use fails and names the holder."""
        with _open(spool_dir), pytest.raises(SpoolError, match="in use by another process"):
            _open(spool_dir)
        _open(spool_dir).close()

    def test_a_closed_spool_refuses_work(self, spool_dir: Path) -> None:
        """After close, append, lease and ack raise SpoolError."""
        spool = _open(spool_dir)
        spool.append("a", [b"x"])
        batch = spool.lease()
        assert batch is not None
        spool.close()
        spool.close()
        assert spool.closed
        with pytest.raises(SpoolError, match="closed"):
            spool.append("a", [b"y"])
        with pytest.raises(SpoolError, match="closed"):
            spool.lease()
        with pytest.raises(SpoolError, match="closed"):
            spool.ack(batch)
