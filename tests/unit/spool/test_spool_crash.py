"""Crash simulation: stop the "machine" at a random storage operation and recover from a copy.

The storage seam counts every operation that changes the disk. At a random one the test copies the
spool directory, which is what the disk would hold if the process died there. With ``power_loss``
the copy also loses what was never made durable: each file keeps a random part of the bytes written
since its last fsync, a file created since the last directory fsync may vanish, and a file removed
since then may come back.
"""

from __future__ import annotations

import errno
import os
import random
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from azlogs.spool import OsStorage, Spool, StorageFile
from azlogs.spool._storage import OpenMode

KiB = 1024


class Crash(BaseException):
    """The simulated machine stopped here (not an OSError: nothing in the spool may handle it)."""


@dataclass
class CrashStorage(OsStorage):
    """Real files; copies the directory at operation ``crash_at`` and then refuses every operation."""

    root: Path
    snapshot: Path
    crash_at: int
    power_loss: bool
    rng: random.Random
    ops: int = 0
    crashed: bool = False
    synced: dict[str, int] = field(default_factory=dict)
    new_entries: set[str] = field(default_factory=set)
    removed: dict[str, bytes] = field(default_factory=dict)

    def tick(self, partial: tuple[StorageFile, bytes, int] | None = None) -> None:
        if self.crashed:
            raise OSError(errno.EIO, "machine is down")
        self.ops += 1
        if self.ops == self.crash_at:
            if partial is not None:
                handle, data, offset = partial
                cut = self.rng.randint(0, len(data))
                if cut:
                    super_pwrite(handle, data[:cut], offset)
            self.take_snapshot()
            self.crashed = True
            raise Crash

    def take_snapshot(self) -> None:
        shutil.copytree(self.root, self.snapshot)
        if not self.power_loss:
            return
        for name in os.listdir(self.snapshot):
            original = str(self.root / name)
            copy = self.snapshot / name
            if original in self.new_entries and self.rng.random() < 0.5:
                copy.unlink()
                continue
            size = copy.stat().st_size
            durable = min(self.synced.get(original, 0), size)
            with copy.open("r+b") as f:
                f.truncate(self.rng.randint(durable, size))
        for original, data in self.removed.items():
            if self.rng.random() < 0.5:
                (self.snapshot / os.path.basename(original)).write_bytes(data)

    def open(self, path: str, mode: OpenMode) -> StorageFile:
        if mode != "r":
            self.tick()
            if not os.path.exists(path):
                self.new_entries.add(path)
        return _CrashFile(self, super().open(path, mode), path)

    def unlink(self, path: str) -> None:
        self.tick()
        with open(path, "rb") as f:
            self.removed[path] = f.read()
        self.synced.pop(path, None)
        super().unlink(path)

    def sync_dir(self, path: str) -> None:
        self.tick()
        super().sync_dir(path)
        self.new_entries.clear()
        self.removed.clear()


def super_pwrite(handle: StorageFile, data: bytes, offset: int) -> None:
    handle.pwrite(data, offset)


class _CrashFile:
    def __init__(self, storage: CrashStorage, inner: StorageFile, path: str) -> None:
        self._s = storage
        self._inner = inner
        self._path = path

    def pwrite(self, data: bytes, offset: int) -> None:
        self._s.tick(partial=(self._inner, data, offset))
        self._inner.pwrite(data, offset)

    def pread(self, size: int, offset: int) -> bytes:
        return self._inner.pread(size, offset)

    def sync(self) -> None:
        self._s.tick()
        self._inner.sync()
        self._s.synced[self._path] = self._inner.size()

    def truncate(self, size: int) -> None:
        self._s.tick()
        self._inner.truncate(size)
        self._s.synced[self._path] = min(self._s.synced.get(self._path, 0), size)

    def size(self) -> int:
        return self._inner.size()

    def close(self) -> None:
        self._inner.close()


_OPS = st.lists(
    st.one_of(
        st.tuples(st.just("append"), st.sampled_from(["a", "b"]), st.integers(1, 14)),
        st.tuples(st.just("ack"), st.sampled_from(["a", "b", None]), st.integers(1, 16)),
        st.tuples(st.just("nack"), st.sampled_from(["a", "b", None]), st.integers(1, 16)),
    ),
    min_size=1,
    max_size=30,
)


@dataclass
class Model:
    """What the workload knows had happened when the machine stopped."""

    order: dict[str, list[bytes]] = field(default_factory=lambda: {"a": [], "b": []})
    durable: set[bytes] = field(default_factory=set)
    acked: set[bytes] = field(default_factory=set)
    in_flight: set[bytes] = field(default_factory=set)
    acking: set[bytes] = field(default_factory=set)


def run_workload(
    root: Path, storage: CrashStorage, fsync: str, ops: list[tuple[str, str | None, int]], seed: int
) -> Model:
    """Append, ack and nack as ``ops`` say until the storage crashes; then copy the disk if it did not."""
    rng = random.Random(seed)
    model = Model()
    spool = Spool.open(root, max_bytes=1 << 20, segment_bytes=4 * KiB, fsync=fsync, storage=storage)  # type: ignore[arg-type]
    counter = 0
    try:
        for kind, key, n in ops:
            if kind == "append":
                assert key is not None
                records = []
                for _ in range(n):
                    counter += 1
                    records.append(b"%s%06d:" % (key.encode(), counter) + b"." * rng.randint(0, 400))
                model.in_flight = set(records)
                model.order[key].extend(records)
                spool.append(key, records)
                model.durable |= model.in_flight
                model.in_flight = set()
                continue
            batch = spool.lease(max_records=n, stream_key=key)
            if batch is None:
                continue
            if kind == "nack":
                spool.nack(batch)
                continue
            model.acking = set(batch.records)
            spool.ack(batch)
            model.acked |= model.acking
            model.acking = set()
        storage.take_snapshot()
        storage.crashed = True
    except Crash:
        pass
    finally:
        spool.close()
    return model


@pytest.mark.slow
class TestCrashAnywhere:
    @settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        ops=_OPS,
        crash_pick=st.integers(min_value=0),
        fsync=st.sampled_from(["batch", "always", "never"]),
        power_loss=st.booleans(),
        seed=st.integers(0, 2**32),
    )
    def test_recovery_after_a_crash_at_any_operation(
        self, ops: list[tuple[str, str | None, int]], crash_pick: int, fsync: str, power_loss: bool, seed: int
    ) -> None:
        """Durable unacked records come back exactly once; acked ones never; nothing else appears."""
        power_loss = power_loss and fsync != "never"  # "never" promises nothing across power loss
        with tempfile.TemporaryDirectory() as tmp:
            # A dry run counts the operations, so that the crash always lands inside the workload.
            dry = CrashStorage(Path(tmp) / "dry", Path(tmp) / "dry-copy", 0, False, random.Random(seed))
            run_workload(Path(tmp) / "dry", dry, fsync, ops, seed)
            root, snap = Path(tmp) / "spool", Path(tmp) / "after-crash"
            crash_at = 1 + crash_pick % max(1, dry.ops)
            storage = CrashStorage(root, snap, crash_at, power_loss, random.Random(seed + 1))
            model = run_workload(root, storage, fsync, ops, seed)
            with Spool.open(snap, max_bytes=1 << 20, segment_bytes=4 * KiB) as recovered:
                stats = recovered.stats()
                delivered: list[bytes] = []
                while (batch := recovered.lease()) is not None:
                    delivered.extend(batch.records)
                    recovered.ack(batch)

        got = set(delivered)
        assert len(delivered) == len(got), "a record was delivered twice"
        assert got <= model.durable | model.in_flight, "a record nobody appended appeared"
        assert not got & model.acked, "an acked record came back"
        missing = model.durable - model.acked - model.acking - got
        assert not missing, f"durable records lost: {sorted(missing)[:3]}"
        for key, appended in model.order.items():
            mine = [r for r in delivered if r.startswith(key.encode())]
            assert mine == [r for r in appended if r in got], "order per stream key broken"
        assert stats.corrupt_records == 0
