"""Disk full and I/O errors at the storage seam: clear errors, rollback, nothing spooled is lost."""

from __future__ import annotations

import errno
import logging
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from azlogs._exceptions import SpoolStorageError
from azlogs.spool import Spool
from azlogs.spool._faults import FaultyStorage
from azlogs.spool._format import HEADER_BYTES

Drain = Callable[..., list[tuple[str, bytes]]]

KiB = 1024


def _open(path: Path, storage: FaultyStorage, **kw: object) -> Spool:
    kw.setdefault("max_bytes", 1 << 20)
    kw.setdefault("segment_bytes", 4 * KiB)
    kw.setdefault("full_policy", "error")
    return Spool.open(path, storage=storage, **kw)  # type: ignore[arg-type]


def _recs(prefix: str, n: int, size: int = 100) -> list[bytes]:
    return [f"{prefix}-{i}".encode().ljust(size, b".") for i in range(n)]


FRAME = HEADER_BYTES + 1 + 100


def _reopened(path: Path, drain: Drain) -> tuple[list[bytes], int, int]:
    """Records, corrupt count and torn count after a clean reopen on the real disk."""
    with Spool.open(path, max_bytes=1 << 20, segment_bytes=4 * KiB) as spool:
        stats = spool.stats()
        return [r for _, r in drain(spool)], stats.corrupt_records, stats.torn_tails


class TestDiskFull:
    def test_enospc_mid_frame_rolls_back_and_recovers(
        self, spool_dir: Path, drain: Drain, segments: Callable[[Path], list[Path]]
    ) -> None:
        """A write that runs out of space mid-frame is cut back; the error says ENOSPC and what to do."""
        storage = FaultyStorage()
        with _open(spool_dir, storage) as spool:
            spool.append("k", _recs("ok", 5))
            size_before = segments(spool_dir)[0].stat().st_size
            storage.free = FRAME * 2 + 40
            with pytest.raises(SpoolStorageError) as info:
                spool.append("k", _recs("lost", 5))
            err = info.value
            assert err.disk_full and err.errno == errno.ENOSPC and err.retryable
            assert "ENOSPC" in str(err) and str(spool_dir) in str(err)
            assert "appends resume when space returns" in str(err)
            assert segments(spool_dir)[0].stat().st_size == size_before
            assert spool.stats().append_errors == 1
            storage.free = None
            spool.append("k", _recs("later", 2))
        assert _reopened(spool_dir, drain) == (_recs("ok", 5) + _recs("later", 2), 0, 0)

    def test_enospc_on_fsync_seals_the_segment(
        self, spool_dir: Path, drain: Drain, segments: Callable[[Path], list[Path]]
    ) -> None:
        """A failed fsync rolls the batch back and the next append goes to a new segment."""
        storage = FaultyStorage()
        with _open(spool_dir, storage) as spool:
            spool.append("k", _recs("ok", 3))
            storage.fail("sync", errno.ENOSPC, path_contains=".log")
            with pytest.raises(SpoolStorageError, match="syncing") as info:
                spool.append("k", _recs("lost", 3))
            assert info.value.disk_full
            assert segments(spool_dir)[0].stat().st_size == 3 * FRAME
            spool.append("k", _recs("later", 3))
            assert len(segments(spool_dir)) == 2
            assert [r for _, r in drain(spool)] == _recs("ok", 3) + _recs("later", 3)

    def test_enospc_when_creating_a_segment(self, spool_dir: Path, drain: Drain) -> None:
        """A segment that cannot be created fails the append cleanly, then works again."""
        storage = FaultyStorage()
        with _open(spool_dir, storage) as spool:
            spool.append("k", _recs("ok", 30))
            storage.fail("open", errno.ENOSPC, path_contains=".log")
            with pytest.raises(SpoolStorageError, match="creating seg-") as info:
                spool.append("k", _recs("lost", 30))
            assert info.value.disk_full
            spool.append("k", _recs("later", 2))
        assert _reopened(spool_dir, drain) == (_recs("ok", 30) + _recs("later", 2), 0, 0)

    def test_a_batch_spanning_segments_is_rolled_back_everywhere(
        self, spool_dir: Path, drain: Drain, segments: Callable[[Path], list[Path]]
    ) -> None:
        """When the disk fills in the second segment of a batch, the first is cut back too."""
        storage = FaultyStorage()
        with _open(spool_dir, storage) as spool:
            spool.append("k", _recs("ok", 20))
            first_size = segments(spool_dir)[0].stat().st_size
            storage.free = (4 * KiB - first_size) + 3 * FRAME
            with pytest.raises(SpoolStorageError):
                spool.append("k", _recs("lost", 60))
            assert segments(spool_dir)[0].stat().st_size == first_size
            assert all(p.stat().st_size == 0 for p in segments(spool_dir)[1:])
            storage.free = None
            assert [r for _, r in drain(spool)] == _recs("ok", 20)
        assert _reopened(spool_dir, drain) == ([], 0, 0)

    def test_block_policy_waits_for_space_freed_by_acks(self, spool_dir: Path, drain: Drain) -> None:
        """Under "block", an append on a full disk waits, and completes once acks delete segments."""
        storage = FaultyStorage()
        with _open(spool_dir, storage, full_policy="block", block_timeout=60) as spool:
            spool.append("k", _recs("old", 80))
            storage.free = 0
            done = threading.Event()
            errors: list[BaseException] = []

            def blocked_append() -> None:
                try:
                    spool.append("k", _recs("new", 10))
                except BaseException as exc:  # pragma: no cover - reported below
                    errors.append(exc)
                done.set()

            thread = threading.Thread(target=blocked_append)
            thread.start()
            assert not done.wait(0.3)
            got: list[bytes] = []
            while len(got) < 80:
                batch = spool.lease(max_records=10)
                assert batch is not None
                got.extend(batch.records)
                spool.ack(batch)
            assert got == _recs("old", 80)
            thread.join(30)
            assert not thread.is_alive() and not errors
            assert spool.stats().full_waits >= 1
            assert [r for _, r in drain(spool)] == _recs("new", 10)

    def test_block_policy_gives_up_after_the_timeout(self, spool_dir: Path) -> None:
        """If no space returns within block_timeout, the ENOSPC error is raised."""
        storage = FaultyStorage(free=0)
        with (
            _open(spool_dir, storage, full_policy="block", block_timeout=0.2) as spool,
            pytest.raises(SpoolStorageError) as info,
        ):
            spool.append("k", [b"x"])
        assert info.value.disk_full


class TestIoErrors:
    def test_eio_on_write(self, spool_dir: Path, drain: Drain) -> None:
        """An I/O error on write is reported with errno EIO and a hint; the spool keeps working."""
        storage = FaultyStorage()
        with _open(spool_dir, storage) as spool:
            spool.append("k", _recs("ok", 2))
            storage.fail("pwrite", errno.EIO)
            with pytest.raises(SpoolStorageError, match="EIO") as info:
                spool.append("k", _recs("lost", 2))
            assert info.value.errno == errno.EIO and not info.value.retryable
            assert "dmesg" in str(info.value)
            spool.append("k", _recs("later", 2))
        assert _reopened(spool_dir, drain) == (_recs("ok", 2) + _recs("later", 2), 0, 0)

    def test_failed_rollback_seals_the_segment(
        self, spool_dir: Path, drain: Drain, caplog: pytest.LogCaptureFixture
    ) -> None:
        """If even the rollback truncate fails, the segment with the half frame gets no more appends."""
        storage = FaultyStorage()
        with _open(spool_dir, storage) as spool:
            spool.append("k", _recs("ok", 2))
            storage.free = FRAME // 2
            storage.fail("truncate", errno.EIO)
            with caplog.at_level(logging.WARNING, logger="azlogs.spool"), pytest.raises(SpoolStorageError):
                spool.append("k", _recs("lost", 1))
            assert "could not roll back" in caplog.text
            storage.free = None
            spool.append("k", _recs("later", 1))
            assert spool.stats().segments == 2
            assert [r for _, r in drain(spool)] == _recs("ok", 2) + _recs("later", 1)
        with Spool.open(spool_dir, max_bytes=1 << 20, segment_bytes=4 * KiB) as spool:
            assert spool.stats().records_recovered == 0

    def test_failed_rollback_with_pending_records(self, spool_dir: Path, drain: Drain) -> None:
        """Records committed before a failed rollback are all delivered after reopen; the tail is torn."""
        storage = FaultyStorage()
        with _open(spool_dir, storage) as spool:
            spool.append("k", _recs("ok", 2))
            storage.free = FRAME // 2
            storage.fail("truncate", errno.EIO)
            with pytest.raises(SpoolStorageError):
                spool.append("k", _recs("lost", 1))
        assert _reopened(spool_dir, drain) == (_recs("ok", 2), 0, 1)

    def test_a_failed_ack_write_is_counted_and_retried(
        self, spool_dir: Path, drain: Drain, caplog: pytest.LogCaptureFixture
    ) -> None:
        """ack() does not raise when the ack file cannot be written; the next ack writes both."""
        storage = FaultyStorage()
        with _open(spool_dir, storage, segment_bytes=64 * KiB) as spool:
            spool.append("k", _recs("r", 6))
            first = spool.lease(max_records=2)
            second = spool.lease(max_records=2)
            assert first is not None and second is not None
            storage.fail("pwrite", errno.ENOSPC, path_contains=".ack")
            with caplog.at_level(logging.WARNING, logger="azlogs.spool"):
                spool.ack(first)
            assert spool.stats().ack_write_errors == 1
            assert "retried with the next ack" in caplog.text
            spool.ack(second)
        assert _reopened(spool_dir, drain) == (_recs("r", 6)[4:], 0, 0)

    def test_a_failed_segment_delete_is_retried(
        self, spool_dir: Path, drain: Drain, segments: Callable[[Path], list[Path]]
    ) -> None:
        """A segment that could not be deleted stays counted and is deleted at the next chance."""
        storage = FaultyStorage()
        with _open(spool_dir, storage) as spool:
            spool.append("k", _recs("r", 80))
            storage.fail("unlink", errno.EIO, path_contains=".log")
            drain(spool, max_records=30)
            assert spool.stats().segments == 1
            spool.append("k", _recs("s", 80))
            drain(spool, max_records=80)
        assert segments(spool_dir) == []

    def test_a_read_error_keeps_the_records(self, spool_dir: Path, drain: Drain) -> None:
        """A lease that cannot read its segment raises, and the records stay leasable."""
        storage = FaultyStorage()
        with _open(spool_dir, storage) as spool:
            spool.append("k", _recs("r", 3))
            storage.fail("open", errno.EIO)
            with pytest.raises(SpoolStorageError, match="reading"):
                spool.lease()
            assert spool.stats().records_leased == 0
            assert [r for _, r in drain(spool)] == _recs("r", 3)

    def test_fault_schedule(self, tmp_path: Path) -> None:
        """FaultyStorage fails exactly the scheduled calls and gives space back on truncate/unlink."""
        storage = FaultyStorage(free=10)
        path = str(tmp_path / "f")
        handle = storage.open(path, "x")
        with pytest.raises(OSError, match="No space") as info:
            handle.pwrite(b"0123456789abc", 0)
        assert info.value.errno == errno.ENOSPC
        assert handle.size() == 10 and storage.free == 0
        handle.truncate(4)
        assert storage.free == 6
        storage.fail("sync", errno.EIO, after=1, times=1)
        handle.sync()
        with pytest.raises(OSError, match="Input/output"):
            handle.sync()
        handle.sync()
        handle.close()
        storage.unlink(path)
        assert storage.free == 10
        assert [op for op, _ in storage.calls] == [
            "open",
            "pwrite",
            "truncate",
            "sync",
            "sync",
            "sync",
            "unlink",
        ]
