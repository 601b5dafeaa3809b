"""Errors of the spool, under :class:`azlogs.AzlogsError`::

SpoolError                  the spool cannot do what was asked (closed, locked, unknown batch)
├── SpoolFullError          max_bytes reached: "block" timed out, or full_policy="error"
└── SpoolStorageError       the disk refused an operation (ENOSPC, EIO ...); ``errno`` says which
"""

from __future__ import annotations

import errno as errno_codes
import os

from azlogs._exceptions import AzlogsError


class SpoolError(AzlogsError):
    """The spool cannot do what was asked."""


class SpoolFullError(SpoolError):
    """The spool holds ``max_bytes`` of records not yet delivered; nothing was appended."""

    retryable = True

    def __init__(self, message: str, *, used: int, max_bytes: int, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.used = used
        self.max_bytes = max_bytes


class SpoolStorageError(SpoolError):
    """A file operation failed; the failed append was rolled back, nothing spooled before is lost."""

    def __init__(self, message: str, *, errno: int | None, path: str, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.errno = errno
        self.path = path
        # A full disk empties again when the sender catches up; an I/O error may not.
        self.retryable = errno == errno_codes.ENOSPC

    @property
    def disk_full(self) -> bool:
        """True when the volume holding the spool has no space left (ENOSPC)."""
        return self.errno == errno_codes.ENOSPC


def storage_error(exc: OSError, action: str, path: str, spool_dir: str) -> SpoolStorageError:
    """Translate an OSError from the storage seam into a SpoolStorageError that says what to do."""
    code = exc.errno
    name = errno_codes.errorcode.get(code, "?") if code is not None else "?"
    reason = exc.strerror or (os.strerror(code) if code is not None else str(exc))
    message = f"spool {spool_dir}: {action} {os.path.basename(path)} failed: {reason} ({name})"
    if code == errno_codes.ENOSPC:
        hint = (
            f"free space on the volume holding {spool_dir}, or move the spool to a larger volume; "
            "records spooled before are intact and appends resume when space returns"
        )
    elif code == errno_codes.EIO:
        hint = (
            "the disk reported an I/O error: check the device (dmesg, SMART); the spool stops "
            "writing to that segment and continues in a new one"
        )
    elif code in (errno_codes.EACCES, errno_codes.EPERM, errno_codes.EROFS):
        hint = f"the agent's user must be able to write {spool_dir} (a writable, local volume)"
    else:
        hint = None
    return SpoolStorageError(message, errno=code, path=path, hint=hint)
