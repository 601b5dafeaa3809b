"""Read positions, durably: one small JSON file per input, replaced atomically.

A checkpoint is written only after the lines up to its positions are durable in the spool, so a
crash can make the agent read lines again (duplicates, counted by the id column) but never skip any.
The write is the classic atomic replace: write a temporary file, fsync it, rename it over the old
one, fsync the directory; a crash at any point leaves either the old or the new checkpoint.

The temporary file has a random name and is created with ``O_EXCL`` (``tempfile.mkstemp``), so a
symlink or file planted in the state directory is never opened, followed or truncated. The state
directory and its subdirectories are the agent's alone: :func:`private_dir` creates them 0700 and
refuses one that another user owns or that group or others may write.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import stat
import tempfile
from pathlib import Path
from typing import Any

import orjson

from azlogs._exceptions import ConfigError

log = logging.getLogger("azlogs.agent")

VERSION = 1
_SAFE = re.compile(r"[^A-Za-z0-9_.-]")


def atomic_write(path: Path, data: bytes, *, durable: bool = True) -> None:
    """Replace ``path`` with ``data`` so that a crash leaves the old or the new content, never a mix.

    The temporary file is created next to ``path`` under a random name with ``O_EXCL`` (never
    through a planted symlink), mode 0600 whatever the umask. ``durable=False`` skips the fsyncs
    (for files that are only informative, like status.json).
    """
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        try:
            os.fchmod(fd, 0o600)
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            if durable:
                os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    if durable:
        sync_dir(path.parent)


def private_dir(path: Path, what: str) -> None:
    """Create ``path`` mode 0700 (whatever the umask), or check that an existing one is private.

    Refuses (ConfigError) a directory owned by another user, one that group or others may write,
    and a symlink owned by another user: any of them lets a local user plant files where the agent
    (often root) writes, or read and change what it spools. Permissions are never silently fixed.
    """
    try:
        path.mkdir(parents=True, mode=0o700)
    except FileExistsError:
        pass
    else:
        os.chmod(path, 0o700)
        return
    me = os.geteuid() if hasattr(os, "geteuid") else None
    link = os.lstat(path)
    st = os.stat(path)
    if not stat.S_ISDIR(st.st_mode):
        raise ConfigError(f"the agent's {what} {path} is not a directory", hint="point state_dir elsewhere")
    if me is None:  # pragma: no cover - Windows: ACLs, not mode bits
        return
    for kind, info, allowed in (("symlink", link, (me, 0)), ("directory", st, (me,))):
        if info.st_uid not in allowed:
            raise ConfigError(
                f"the agent's {what} {path}: the {kind} is owned by uid {info.st_uid}, not by the "
                f"agent's user (uid {me}); another user could read or replace what the agent keeps there",
                hint=f"chown the directory to the agent's user, or use another state_dir ({path})",
            )
    if st.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise ConfigError(
            f"the agent's {what} {path} is writable by group or others (mode "
            f"{stat.S_IMODE(st.st_mode):04o}); a local user could plant files or symlinks there",
            hint=f"chmod 700 {path}",
        )
    if st.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        log.warning(
            "the agent's %s %s is readable by group or others (mode %04o); spooled records and "
            "dead letters are customer logs: chmod 700 it",
            what,
            path,
            stat.S_IMODE(st.st_mode),
        )


def remove_stale_temp(directory: Path) -> int:
    """Delete temporary files an interrupted :func:`atomic_write` left in ``directory``; returns how many."""
    removed = 0
    try:
        names = os.listdir(directory)
    except OSError:
        return 0
    for name in names:
        if name.startswith(".") and name.endswith(".tmp"):
            try:
                os.unlink(directory / name)
                removed += 1
            except OSError:
                pass
    return removed


def sync_dir(directory: Path) -> None:
    """fsync a directory so that a rename in it survives a power loss."""
    try:
        fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:  # some filesystems refuse fsync on a directory; the rename is still atomic
        pass
    finally:
        os.close(fd)


class CheckpointStore:
    """Checkpoints of every input, in ``directory`` (one ``<input>.json`` each)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        private_dir(directory, "checkpoint directory")
        remove_stale_temp(directory)  # a crash in the middle of a save
        self.write_errors = 0

    def path(self, name: str) -> Path:
        """The file holding ``name``'s checkpoint."""
        return self.directory / f"{_SAFE.sub('_', name)}.json"

    def mark_started(self, name: str) -> bool:
        """Record that input ``name`` has started here once; True if this is its first start.

        The mark is written before the first poll, so a crash right after it errs towards reading a
        file again (duplicates), never towards skipping it (``start_at = "end"`` on a restart).
        """
        mark = self.directory / f"{_SAFE.sub('_', name)}.started"
        if mark.exists():
            return False
        try:
            atomic_write(mark, b"1\n")
        except OSError as exc:
            self.write_errors += 1
            log.error("the start mark of input %s could not be written: %s", name, exc)
        return True

    def load(self, name: str) -> list[dict[str, Any]]:
        """The entries saved for input ``name`` (empty if none, or if the file is unreadable)."""
        path = self.path(name)
        try:
            data = orjson.loads(path.read_bytes())
        except FileNotFoundError:
            return []
        except (OSError, orjson.JSONDecodeError) as exc:
            aside = path.with_name(path.name + ".corrupt")
            log.error(
                "checkpoint %s cannot be read (%s); moved to %s, input %s starts without it",
                path,
                exc,
                aside,
                name,
            )
            with contextlib.suppress(OSError):
                os.replace(path, aside)
            return []
        files = data.get("files") if isinstance(data, dict) else None
        if not isinstance(files, list):
            return []
        return [e for e in files if isinstance(e, dict) and "fid" in e and "offset" in e]

    def save(self, name: str, entries: list[dict[str, Any]]) -> bool:
        """Durably replace input ``name``'s checkpoint; False (logged, counted) if the disk refused."""
        body = orjson.dumps({"version": VERSION, "input": name, "files": entries})
        try:
            atomic_write(self.path(name), body)
        except OSError as exc:
            self.write_errors += 1
            log.error(
                "checkpoint of input %s could not be written: %s; lines since the last checkpoint "
                "will be read again after a restart (duplicates, not loss)",
                name,
                exc,
            )
            return False
        return True
