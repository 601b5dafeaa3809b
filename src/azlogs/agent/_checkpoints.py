"""Read positions, durably: one small JSON file per input, replaced atomically.

A checkpoint is written only after the lines up to its positions are durable in the spool, so a
crash can make the agent read lines again (duplicates, counted by the id column) but never skip any.
The write is the classic atomic replace: write a temporary file, fsync it, rename it over the old
one, fsync the directory; a crash at any point leaves either the old or the new checkpoint.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
from pathlib import Path
from typing import Any

import orjson

log = logging.getLogger("azlogs.agent")

VERSION = 1
_SAFE = re.compile(r"[^A-Za-z0-9_.-]")


def atomic_write(path: Path, data: bytes, *, durable: bool = True) -> None:
    """Replace ``path`` with ``data`` so that a crash leaves the old or the new content, never a mix.

    ``durable=False`` skips the fsyncs (for files that are only informative, like status.json).
    """
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_CLOEXEC", 0), 0o600)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        if durable:
            os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)
    if durable:
        sync_dir(path.parent)


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
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
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
