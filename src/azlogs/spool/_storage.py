"""The storage seam: every file operation of the spool goes through these two small interfaces.

A test (or the agent's disk-full test) injects its own :class:`Storage` to make any operation fail
with ``ENOSPC`` or ``EIO`` at a chosen moment (see :class:`azlogs.spool._faults.FaultyStorage`). Operations
raise ``OSError`` as the OS does; the spool turns them into :class:`SpoolStorageError`.
"""

from __future__ import annotations

import os
import sys
from typing import Literal, Protocol

OpenMode = Literal["r", "w", "x"]
"""``r`` read only; ``w`` read/write, created if missing; ``x`` read/write, must not exist yet."""

_FLAGS = {
    "r": os.O_RDONLY,
    "w": os.O_RDWR | os.O_CREAT,
    "x": os.O_RDWR | os.O_CREAT | os.O_EXCL,
}
# O_NOFOLLOW: a symlink planted in the spool directory is never opened (the open fails with ELOOP).
_EXTRA_FLAGS = getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0) | getattr(os, "O_NOFOLLOW", 0)
# Spooled records are customer logs: readable by the agent's user only.
_FILE_MODE = 0o600
_DIR_MODE = 0o700


class StorageFile(Protocol):
    """An open file: positional reads and writes, flush to stable storage, truncate."""

    def pwrite(self, data: bytes, offset: int) -> None:
        """Write all of ``data`` at ``offset`` or raise; a failure may leave part of it written."""

    def pread(self, size: int, offset: int) -> bytes:
        """Read up to ``size`` bytes at ``offset`` (fewer only at the end of the file)."""

    def sync(self) -> None:
        """Flush the file's data to stable storage (fsync)."""

    def truncate(self, size: int) -> None:
        """Cut the file to ``size`` bytes."""

    def size(self) -> int:
        """Current length of the file in bytes."""

    def close(self) -> None:
        """Release the file handle."""


class Storage(Protocol):
    """Opens files and changes directories; the only way the spool touches the disk."""

    def open(self, path: str, mode: OpenMode) -> StorageFile:
        """Open ``path`` in ``mode``."""

    def listdir(self, path: str) -> list[str]:
        """Names of the entries of a directory."""

    def unlink(self, path: str) -> None:
        """Remove a file."""

    def sync_dir(self, path: str) -> None:
        """Make creations and removals of entries of directory ``path`` durable."""

    def makedirs(self, path: str) -> None:
        """Create ``path`` and its parents if missing."""


class OsFile:
    """A :class:`StorageFile` over an OS file descriptor."""

    def __init__(self, fd: int, path: str) -> None:
        self.fd = fd
        self.path = path

    def pwrite(self, data: bytes, offset: int) -> None:
        """Write all of ``data`` at ``offset``, looping over short writes."""
        view = memoryview(data)
        while view:
            written = os.pwrite(self.fd, view, offset)
            view = view[written:]
            offset += written

    def pread(self, size: int, offset: int) -> bytes:
        """Read up to ``size`` bytes at ``offset``."""
        chunks: list[bytes] = []
        while size > 0:
            chunk = os.pread(self.fd, size, offset)
            if not chunk:
                break
            chunks.append(chunk)
            size -= len(chunk)
            offset += len(chunk)
        return b"".join(chunks)

    def sync(self) -> None:
        """fsync; on macOS F_FULLFSYNC, because plain fsync there does not reach the platter."""
        if sys.platform == "darwin":  # pragma: no cover - not the CI platform
            import fcntl

            fcntl.fcntl(self.fd, fcntl.F_FULLFSYNC)
        else:
            os.fsync(self.fd)

    def truncate(self, size: int) -> None:
        """Cut the file to ``size`` bytes."""
        os.ftruncate(self.fd, size)

    def size(self) -> int:
        """Current length in bytes."""
        return os.fstat(self.fd).st_size

    def close(self) -> None:
        """Close the descriptor."""
        os.close(self.fd)


class OsStorage:
    """The real :class:`Storage`: plain POSIX calls, files mode 0600, directories 0700."""

    def open(self, path: str, mode: OpenMode) -> StorageFile:
        """Open ``path``; see :data:`OpenMode`."""
        return OsFile(os.open(path, _FLAGS[mode] | _EXTRA_FLAGS, _FILE_MODE), path)

    def listdir(self, path: str) -> list[str]:
        """Entries of a directory."""
        return os.listdir(path)

    def unlink(self, path: str) -> None:
        """Remove a file."""
        os.unlink(path)

    def sync_dir(self, path: str) -> None:
        """fsync the directory itself, so that created and removed entries survive a power loss."""
        if os.name == "nt":  # pragma: no cover - Windows cannot open a directory; NTFS journals it
            return
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    def makedirs(self, path: str) -> None:
        """Create ``path`` (mode 0700) and its parents if missing."""
        os.makedirs(path, mode=_DIR_MODE, exist_ok=True)
