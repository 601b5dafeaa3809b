"""The data directory is the user's alone: the directory and every directory in it 0700, every file 0600.

Modes are set explicitly (``fchmod``/``chmod`` after creation), so the result does not depend on the
umask. SQLite creates a database's ``-wal`` and ``-shm`` files with the database file's own mode,
so the store creates its file 0600 before SQLite opens it.
"""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path
from typing import Final

log = logging.getLogger("azlogs.emulator")

DIR_MODE: Final = 0o700
FILE_MODE: Final = 0o600


def private_dir(path: Path) -> Path:
    """Create ``path`` (and missing parents) and make it 0700; an existing one is tightened."""
    path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    if stat.S_IMODE(path.stat().st_mode) != DIR_MODE:
        os.chmod(path, DIR_MODE)
    return path


def private_file(path: Path) -> Path:
    """Create ``path`` empty if it is missing, and make it 0600 (its content is left as it is)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_NOFOLLOW, FILE_MODE)
    try:
        os.fchmod(fd, FILE_MODE)
    finally:
        os.close(fd)
    return path


def tighten(root: Path, names: list[str]) -> None:
    """Make what an older version wrote under ``root`` private: the named entries, recursively.

    Only the emulator's own names are touched (a data dir may be a directory the user shares with
    other things); symbolic links are neither followed nor changed.
    """
    changed = 0
    for name in names:
        top = root / name
        if not top.exists() or top.is_symlink():
            continue
        paths = [str(top)]
        if top.is_dir():
            for current, dirs, files in os.walk(top, followlinks=False):
                paths.extend(os.path.join(current, n) for n in [*dirs, *files])
        for path in paths:
            st = os.lstat(path)
            want = DIR_MODE if stat.S_ISDIR(st.st_mode) else FILE_MODE
            if (stat.S_ISDIR(st.st_mode) or stat.S_ISREG(st.st_mode)) and stat.S_IMODE(st.st_mode) != want:
                os.chmod(path, want)
                changed += 1
    if changed:
        log.warning(
            "made %d files and directories under %s private to their owner (0600/0700)", changed, root
        )
