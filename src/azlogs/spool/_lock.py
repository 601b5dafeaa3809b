"""One process per spool directory: an OS lock on ``spool.lock``, released when the process dies.

The lock file is the one file not written through the storage seam: an OS lock needs a real file
descriptor, and the file holds nothing but the holder's pid (for the error message).
"""

from __future__ import annotations

import os
import sys

from azlogs.spool._errors import SpoolError, storage_error

LOCK_NAME = "spool.lock"


class DirLock:
    """A held lock on a spool directory."""

    def __init__(self, fd: int | None) -> None:
        self._fd = fd

    def release(self) -> None:
        """Release the lock (closing the file releases the OS lock)."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def acquire(directory: str) -> DirLock:
    """Lock ``directory`` for this process, or raise SpoolError naming the process that holds it."""
    path = os.path.join(directory, LOCK_NAME)
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o600)
    except OSError as exc:
        raise storage_error(exc, "opening", path, directory) from exc
    try:
        _lock_fd(fd)
    except OSError as exc:
        holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "unknown"
        os.close(fd)
        raise SpoolError(
            f"spool {directory} is in use by another process (pid {holder})",
            hint="run one agent per spool directory, or give this one its own spool path",
        ) from exc
    pid = str(os.getpid()).encode()
    os.ftruncate(fd, 0)
    os.pwrite(fd, pid, 0)
    return DirLock(fd)


def _lock_fd(fd: int) -> None:
    if sys.platform == "win32":  # pragma: no cover - not the CI platform
        import msvcrt

        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
    else:
        import fcntl

        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
