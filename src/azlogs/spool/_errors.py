"""Errors of the spool (defined in :mod:`azlogs._exceptions`, the one error tree)::

SpoolError                  the spool cannot do what was asked (closed, locked, unknown batch)
├── SpoolFullError          max_bytes reached: "block" timed out, or full_policy="error"
└── SpoolStorageError       the disk refused an operation (ENOSPC, EIO ...); ``errno`` says which
"""

from __future__ import annotations

import errno as errno_codes
import os

from azlogs._exceptions import SpoolError, SpoolFullError, SpoolStorageError

__all__ = ["SpoolError", "SpoolFullError", "SpoolStorageError", "storage_error"]


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
