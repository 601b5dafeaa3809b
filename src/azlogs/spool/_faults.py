"""A :class:`Storage` with a small disk and scheduled failures, for tests of the spool and the agent.

``FaultyStorage(free=N)`` behaves like the real disk until the files it writes would grow past ``N``
more bytes: then a write stores the part that fits and raises ``ENOSPC``, as a full filesystem does.
Truncating or removing files gives the space back; setting ``free = None`` makes the disk unlimited
again. ``fail(op, errno)`` makes the next call(s) of one operation raise, e.g. ``fail("sync",
errno.EIO)`` for a failed fsync.
"""

from __future__ import annotations

import errno as errno_codes
import os
import threading
from dataclasses import dataclass
from typing import Literal

from azlogs.spool._storage import OpenMode, OsStorage, StorageFile

Operation = Literal["open", "pwrite", "sync", "truncate", "unlink", "sync_dir"]


@dataclass
class _Fault:
    op: Operation
    errno: int
    times: int
    skip: int
    path_contains: str


class FaultyStorage(OsStorage):
    """Real files, with a limited amount of free space and failures on demand."""

    def __init__(self, *, free: int | None = None) -> None:
        self.free = free
        """Bytes the files may still grow by; None means unlimited."""
        self.calls: list[tuple[Operation, str]] = []
        """Every operation so far, with the file's base name."""
        self._faults: list[_Fault] = []
        self._lock = threading.Lock()

    def fail(
        self,
        op: Operation,
        errno: int = errno_codes.EIO,
        *,
        times: int = 1,
        after: int = 0,
        path_contains: str = "",
    ) -> None:
        """Make calls ``after+1 .. after+times`` of ``op`` (on paths containing the text) raise."""
        with self._lock:
            self._faults.append(_Fault(op, errno, times, after, path_contains))

    def clear(self) -> None:
        """Forget scheduled failures and make space unlimited."""
        with self._lock:
            self._faults.clear()
            self.free = None

    def check(self, op: Operation, path: str) -> None:
        """Record the call and raise if a failure is scheduled for it."""
        with self._lock:
            self.calls.append((op, os.path.basename(path)))
            for fault in self._faults:
                if fault.op != op or fault.path_contains not in path:
                    continue
                if fault.skip > 0:
                    fault.skip -= 1
                    continue
                fault.times -= 1
                if fault.times <= 0:
                    self._faults.remove(fault)
                raise OSError(fault.errno, os.strerror(fault.errno), path)

    def take_space(self, current_size: int, offset: int, length: int) -> int:
        """Claim space for a write; return how many of ``length`` bytes fit."""
        with self._lock:
            growth = max(0, offset + length - current_size)
            if self.free is None:
                return length
            if growth <= self.free:
                self.free -= growth
                return length
            fits = max(0, length - (growth - self.free))
            self.free -= max(0, offset + fits - current_size)
            return fits

    def give_space(self, nbytes: int) -> None:
        """Return space freed by a truncate or unlink."""
        with self._lock:
            if self.free is not None:
                self.free += nbytes

    def open(self, path: str, mode: OpenMode) -> StorageFile:
        """Open through the real storage, after the fault check."""
        self.check("open", path)
        return _FaultyFile(self, super().open(path, mode), path)

    def unlink(self, path: str) -> None:
        """Remove a file and give its space back."""
        self.check("unlink", path)
        size = os.stat(path).st_size
        super().unlink(path)
        self.give_space(size)

    def sync_dir(self, path: str) -> None:
        """fsync a directory, after the fault check."""
        self.check("sync_dir", path)
        super().sync_dir(path)


class _FaultyFile:
    def __init__(self, storage: FaultyStorage, inner: StorageFile, path: str) -> None:
        self._storage = storage
        self._inner = inner
        self._path = path

    def pwrite(self, data: bytes, offset: int) -> None:
        self._storage.check("pwrite", self._path)
        fits = self._storage.take_space(self._inner.size(), offset, len(data))
        if fits < len(data):
            if fits:
                self._inner.pwrite(data[:fits], offset)
            raise OSError(errno_codes.ENOSPC, os.strerror(errno_codes.ENOSPC), self._path)
        self._inner.pwrite(data, offset)

    def pread(self, size: int, offset: int) -> bytes:
        return self._inner.pread(size, offset)

    def sync(self) -> None:
        self._storage.check("sync", self._path)
        self._inner.sync()

    def truncate(self, size: int) -> None:
        self._storage.check("truncate", self._path)
        before = self._inner.size()
        self._inner.truncate(size)
        self._storage.give_space(max(0, before - size))

    def size(self) -> int:
        return self._inner.size()

    def close(self) -> None:
        self._inner.close()
