"""The size limit: "block" waits for acks to free space, "error" refuses at once; never a silent drop."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from azlogs._exceptions import SpoolError, SpoolFullError
from azlogs.spool import Spool

Drain = Callable[..., list[tuple[str, bytes]]]

KiB = 1024


def _recs(prefix: str, n: int, size: int = 200) -> list[bytes]:
    return [f"{prefix}-{i}".encode().ljust(size, b".") for i in range(n)]


def _fill(spool: Spool, prefix: str = "old") -> int:
    """Append 10-record batches until the next one would not fit; return the records appended."""
    appended = 0
    while spool.stats().disk_bytes + 10 * (18 + 1 + 200) <= spool.max_bytes:
        spool.append("k", _recs(f"{prefix}{appended}", 10))
        appended += 10
    return appended


class TestErrorPolicy:
    def test_full_raises_at_once_and_says_what_to_do(self, spool_dir: Path) -> None:
        """With "error", an append that does not fit raises SpoolFullError naming sizes and the fix."""
        with Spool.open(spool_dir, max_bytes=16 * KiB, segment_bytes=4 * KiB, full_policy="error") as spool:
            appended = _fill(spool)
            with pytest.raises(SpoolFullError) as info:
                spool.append("k", _recs("new", 10))
            err = info.value
            assert str(spool_dir) in str(err)
            assert "max_bytes 16.0 KiB" in str(err)
            assert f"{appended:,} undelivered records" in str(err)
            assert "raise max_bytes" in str(err)
            assert err.max_bytes == 16 * KiB and err.used <= 16 * KiB and err.retryable
            assert spool.stats().records_appended == appended


class TestBlockPolicy:
    def test_append_waits_until_acks_free_space(self, spool_dir: Path, drain: Drain) -> None:
        """With "block", a full spool holds the append until acked segments are deleted."""
        with Spool.open(spool_dir, max_bytes=16 * KiB, segment_bytes=4 * KiB, block_timeout=60) as spool:
            appended = _fill(spool)
            done = threading.Event()
            thread = threading.Thread(target=lambda: (spool.append("k", _recs("new", 10)), done.set()))
            thread.start()
            assert not done.wait(0.3)
            got: list[bytes] = []
            while len(got) < appended:
                batch = spool.lease(max_records=10)
                assert batch is not None
                got.extend(batch.records)
                spool.ack(batch)
            thread.join(30)
            assert done.is_set()
            assert spool.stats().full_waits == 1
            assert [r for _, r in drain(spool)] == _recs("new", 10)

    def test_timeout_raises_spool_full(self, spool_dir: Path) -> None:
        """When nothing is acked within block_timeout, SpoolFullError says how long it waited."""
        with Spool.open(spool_dir, max_bytes=16 * KiB, segment_bytes=4 * KiB, block_timeout=0.1) as spool:
            _fill(spool)
            with pytest.raises(SpoolFullError, match=r"after waiting 0\.1 s"):
                spool.append("k", _recs("new", 10))

    def test_a_fully_acked_open_segment_is_reclaimed(self, spool_dir: Path, drain: Drain) -> None:
        """With max_bytes equal to one segment, acking it all lets the next append in (no deadlock)."""
        with Spool.open(spool_dir, max_bytes=4 * KiB, segment_bytes=4 * KiB, block_timeout=5) as spool:
            for round_ in range(5):
                spool.append("k", _recs(f"r{round_}", 10))
                assert [r for _, r in drain(spool)] == _recs(f"r{round_}", 10)
                assert spool.stats().disk_bytes > 4 * KiB // 2
            assert spool.stats().full_waits == 0

    def test_close_wakes_a_blocked_append(self, spool_dir: Path) -> None:
        """Closing the spool ends a blocked append with SpoolError instead of leaving it hanging."""
        spool = Spool.open(spool_dir, max_bytes=16 * KiB, segment_bytes=4 * KiB, block_timeout=None)
        _fill(spool)
        errors: list[BaseException] = []

        def blocked() -> None:
            try:
                spool.append("k", _recs("new", 10))
            except SpoolError as exc:
                errors.append(exc)

        thread = threading.Thread(target=blocked)
        thread.start()
        thread.join(0.2)
        assert thread.is_alive()
        spool.close()
        thread.join(30)
        assert not thread.is_alive()
        assert len(errors) == 1 and "closed" in str(errors[0])
