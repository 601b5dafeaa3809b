"""Tail files matched by globs: new files, rotation by rename and by copytruncate, delete and recreate.

A file is known by its ``(device, inode)`` plus a fingerprint (a hash of its first 256 bytes, or of
all of them while it is shorter). The fingerprint tells a reused inode from the file that had it,
a truncated-and-rewritten file from one that only grew, and a rotated *copy* (copytruncate) from a
new file: a new inode whose first bytes hash like a file that was just truncated continues that
file's content at the position already read, so the lines written just before the truncation are
read from the copy and nothing is read twice.

Each generation of a file's content has a ``fid`` (random, persisted in the checkpoint): a line's
identity is ``fid`` plus its byte offset, the same each time the line is read again after a crash.

The tailer only reads; positions become durable through :meth:`FileTailer.commit` (called after the
lines are in the spool) and :meth:`FileTailer.snapshot` (what the checkpoint stores). Between
``poll`` and ``commit`` no other ``poll`` happens, so a commit always refers to the last poll.

A partial last line waits for its newline. When a file has been rotated away or deleted and nothing
was written to it for ``rotate_wait`` seconds, its unterminated last line is emitted and the file is
closed. A line longer than ``max_line_bytes`` is not a record: it is returned once, in
``Chunk.too_long``, as its offset, its first :data:`LONG_LINE_PREFIX` bytes and its full length
(the reader skips to its newline, holding only the prefix), so it can be dead-lettered as too large.
"""

from __future__ import annotations

import contextlib
import fnmatch
import glob
import hashlib
import logging
import os
import secrets
import stat
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger("azlogs.agent.tail")

FP_BYTES = 256
# A rotated copy is recognised only when the original had at least this much content: shorter
# prefixes are too likely to be shared by unrelated files (an empty file matches everything).
COPY_MIN_BYTES = 128
_HEAD_LINE_MAX = 65536
# Bytes of an over-long line kept for its dead-letter entry (the rest is skipped, not held).
LONG_LINE_PREFIX = 4096

Key = tuple[int, int]


def fingerprint(head: bytes) -> str:
    """Hash of a file's first bytes (hex)."""
    return hashlib.blake2b(head, digest_size=12).hexdigest()


def new_fid() -> str:
    """A fresh identity for a generation of a file's content."""
    return secrets.token_hex(6)


@dataclass
class Chunk:
    """Complete lines read from one file, and the position after them (what the checkpoint stores).

    ``lines`` holds ``(offset, bytes)`` pairs, the newline (and a ``\\r`` before it) removed.
    ``too_long`` holds ``(offset, prefix, length)`` for each line over ``max_line_bytes``.
    """

    fid: str
    path: str
    lines: list[tuple[int, bytes]]
    end: int
    final: bool = False
    too_long: list[tuple[int, bytes, int]] = field(default_factory=list)
    _file: TrackedFile | None = field(default=None, repr=False)


@dataclass(eq=False)
class TrackedFile:
    """A file (one generation of its content) the tailer follows."""

    fid: str
    dev: int
    ino: int
    path: str
    pos: int
    committed: int
    fp_len: int = 0
    fp: str = ""
    fd: int | None = None
    size_seen: int = -1
    gone_since: float | None = None
    last_data: float = 0.0
    done: bool = False
    retired_at: float | None = None
    long_at: int | None = None
    """Offset of the over-long line being skipped (its newline not read yet), or None."""
    long_head: bytes = b""

    @property
    def key(self) -> Key:
        return (self.dev, self.ino)

    def entry(self) -> dict[str, Any]:
        """The checkpoint entry: identity, fingerprint and the committed position."""
        out: dict[str, Any] = {
            "fid": self.fid,
            "dev": self.dev,
            "ino": self.ino,
            "path": self.path,
            "offset": self.committed,
            "fp_len": self.fp_len,
            "fp": self.fp,
        }
        if self.retired_at is not None:
            out["retired"] = True
        return out


class FileTailer:
    """Follows the files matched by ``patterns`` (globs), minus ``exclude`` (fnmatch on the name or path).

    Args:
        patterns: absolute paths or globs.
        exclude: globs; a file whose base name or full path matches one is ignored.
        state: checkpoint entries from a previous run (see :meth:`snapshot`).
        start_at: ``"beginning"`` or ``"end"``: where to start in files that exist at the first scan
            and have no checkpoint. Files that appear later are always read from the beginning.
        first_start: True only on the input's very first start (no earlier run left a mark). On a
            restart, ``start_at = "end"`` no longer applies: a file without a checkpoint (rotated in
            while the agent was down, or whose checkpoint was unreadable) is read from its beginning.
        read_bytes: most bytes read from one file per poll.
        max_line_bytes: a line longer than this is returned in ``Chunk.too_long``, not as a line
            (counted in ``long_lines``).
        rotate_wait: seconds a rotated-away or deleted file is still read before it is closed.
        glob_interval: seconds between scans for new files (sooner when a rotation is suspected).
        poll_budget: most bytes one poll returns over all files.
        follow_symlinks: read a matched path that is a symlink (the file it points to, followed by
            name like ``tail -F``: a retargeted link is a rotation). False (the default): a symlink
            is skipped, logged once and counted in ``symlinks_skipped``, so a user who can write a
            log directory cannot make the agent (often root) ship a file it points to.
        clock: monotonic clock (tests pass their own).
    """

    def __init__(
        self,
        patterns: Iterable[str],
        exclude: Iterable[str] = (),
        *,
        state: Iterable[dict[str, Any]] = (),
        start_at: str = "beginning",
        first_start: bool = True,
        read_bytes: int = 1 << 20,
        max_line_bytes: int = 1 << 20,
        rotate_wait: float = 5.0,
        glob_interval: float = 2.0,
        poll_budget: int = 4 << 20,
        follow_symlinks: bool = False,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.patterns = tuple(patterns)
        self.exclude = tuple(exclude)
        self.start_at = start_at
        self.first_start = first_start
        # One read holds a whole line of the limit and its "\r\n", so "longer than the limit" is
        # decided from the bytes read.
        self.read_bytes = max(read_bytes, max_line_bytes + 2)
        self.max_line_bytes = max_line_bytes
        self.rotate_wait = rotate_wait
        self.glob_interval = glob_interval
        self.poll_budget = poll_budget
        self.follow_symlinks = follow_symlinks
        self._clock = clock
        self._files: dict[Key, TrackedFile] = {}
        self._dormant: list[TrackedFile] = [_from_entry(e) for e in state]
        self._deferred: dict[Key, float] = {}
        self._next_glob = 0.0
        self._first = True
        self._rr = 0
        self.long_lines = 0
        self.rotations = 0
        self.truncations = 0
        self.symlinks_skipped = 0
        self._warned_links: set[str] = set()

    # -- public ----------------------------------------------------------------------------------

    @property
    def files(self) -> list[TrackedFile]:
        """The files being followed."""
        return list(self._files.values())

    def poll(self) -> list[Chunk]:
        """Scan for changes and return the complete lines that are new since the last poll."""
        now = self._clock()
        # A clock that went backwards (a seam, or a wall clock passed in) rescans at once rather
        # than waiting for the old deadline.
        back = now < self._next_glob - self.glob_interval
        if back or now >= self._next_glob or self._paths_changed():
            self._discover(now)
            self._next_glob = now + self.glob_interval
        files = sorted(self._files.values(), key=lambda f: (f.gone_since is None, f.path))
        if files:
            self._rr = (self._rr + 1) % len(files)
            gone = [f for f in files if f.gone_since is not None]
            live = [f for f in files if f.gone_since is None]
            if live:
                k = self._rr % len(live)
                live = live[k:] + live[:k]
            files = gone + live
        chunks: list[Chunk] = []
        budget = self.poll_budget
        for f in files:
            if budget <= 0:
                break
            chunk = self._read(f, now)
            if chunk is not None:
                chunks.append(chunk)
                budget -= sum(len(line) + 1 for _, line in chunk.lines)
            elif f.done:
                self._forget(f)
        keep = max(self.rotate_wait, 3 * self.glob_interval)
        self._dormant = [f for f in self._dormant if f.retired_at is None or now - f.retired_at <= keep]
        return chunks

    def commit(self, chunks: Iterable[Chunk]) -> None:
        """The lines of ``chunks`` are durable downstream: their positions may be checkpointed."""
        for chunk in chunks:
            f = chunk._file
            if f is None:
                continue
            f.committed = chunk.end
            if chunk.final:
                self._forget(f)

    def snapshot(self) -> list[dict[str, Any]]:
        """Checkpoint entries: every followed file at its committed position, and recent truncated
        generations (so a rotated copy found after a restart still continues them)."""
        out = [f.entry() for f in self._files.values()]
        out.extend(f.entry() for f in self._dormant if f.retired_at is not None)
        return out

    def first_line(self, chunk: Chunk) -> bytes | None:
        """The first line of the file a chunk came from (a CSV header), or None if unreadable."""
        f = chunk._file
        if f is None or f.fd is None:
            return None
        try:
            head = os.pread(f.fd, _HEAD_LINE_MAX, 0)
        except OSError:
            return None
        end = head.find(b"\n")
        if end < 0:
            return None
        return head[:end].rstrip(b"\r")

    def close(self) -> None:
        """Close every file descriptor."""
        for f in self._files.values():
            _close(f)
        self._files.clear()

    # -- discovery -------------------------------------------------------------------------------

    def _glob(self) -> dict[Key, tuple[str, os.stat_result]]:
        found: dict[Key, tuple[str, os.stat_result]] = {}
        for pattern in self.patterns:
            names = glob.glob(pattern) if glob.has_magic(pattern) else [pattern]
            for path in sorted(names):
                if self._excluded(path):
                    continue
                try:
                    st = os.stat(path) if self.follow_symlinks else os.lstat(path)
                except OSError:
                    continue
                if stat.S_ISLNK(st.st_mode):
                    self._skip_link(path)
                    continue
                if not _is_regular(st):
                    continue
                found.setdefault((st.st_dev, st.st_ino), (path, st))
        return found

    def _skip_link(self, path: str) -> None:
        if path in self._warned_links:
            return
        self._warned_links.add(path)
        self.symlinks_skipped += 1
        log.warning(
            "%s is a symlink; not read (set follow_symlinks = true on the input to read what it points to)",
            path,
        )

    def _excluded(self, path: str) -> bool:
        name = os.path.basename(path)
        return any(fnmatch.fnmatch(name, x) or fnmatch.fnmatch(path, x) for x in self.exclude)

    def _paths_changed(self) -> bool:
        """A cheap check between scans: does a followed path now hold another file, or none?"""
        for f in self._files.values():
            if f.gone_since is not None:
                continue
            try:
                st = os.stat(f.path)
            except OSError:
                return True
            if (st.st_dev, st.st_ino) != f.key:
                return True
        return False

    def _discover(self, now: float) -> None:
        found = self._glob()
        # 1. files already followed: same inode, maybe a new name
        for key, f in self._files.items():
            if key in found:
                f.path = found[key][0]
                f.gone_since = None
            elif f.gone_since is None:
                f.gone_since = now
                self.rotations += 1
                log.info("file %s was rotated away or deleted; reading what is left", f.path)
        new = {k: v for k, v in found.items() if k not in self._files}
        heads: dict[Key, tuple[int, bytes]] = {}
        for key, (path, _st) in new.items():
            fd = _open(path, key, follow=self.follow_symlinks)
            if fd is None:
                continue
            try:
                heads[key] = (fd, os.pread(fd, FP_BYTES, 0))
            except OSError:
                os.close(fd)
        # 2. a checkpointed file at its inode with the same first bytes: resume where it was
        for key, (fd, head) in list(heads.items()):
            match = next((d for d in self._dormant if d.key == key and d.retired_at is None), None)
            if match is not None and _same_start(match, head):
                self._dormant.remove(match)
                self._adopt(match, fd, new[key][0], now)
                del heads[key]
        # 3. a copy of a file that was truncated (copytruncate): continue that content from the copy
        for key, (fd, head) in list(heads.items()):
            origin = self._copy_origin(head)
            if origin is None:
                continue
            if isinstance(origin, str):  # "defer"
                first = self._deferred.setdefault(key, now)
                if now - first < max(self.rotate_wait, self.glob_interval):
                    os.close(fd)
                    del heads[key]
                    self._next_glob = min(self._next_glob, now + 0.1)
                continue
            self._inherit(origin, fd, key, new[key][0], head, now)
            del heads[key]
        # 4. everything else is a new file
        for key, (fd, head) in heads.items():
            self._deferred.pop(key, None)
            size = os.fstat(fd).st_size
            start = size if (self._first and self.first_start and self.start_at == "end") else 0
            f = TrackedFile(new_fid(), key[0], key[1], new[key][0], start, start)
            f.fp_len, f.fp = len(head), fingerprint(head)
            self._adopt(f, fd, f.path, now)
            log.info("following %s from offset %d", f.path, start)
        if self._first:
            self._first = False
            self._find_moved(now)
            # checkpoint entries with no file left: finished (rotated out and deleted) or rewritten
            self._dormant = [d for d in self._dormant if d.retired_at is not None]

    def _adopt(self, f: TrackedFile, fd: int, path: str, now: float) -> None:
        f.fd, f.path, f.last_data, f.gone_since, f.retired_at = fd, path, now, None, None
        self._files[f.key] = f

    def _copy_origin(self, head: bytes) -> TrackedFile | str | None:
        """The generation a new file is a rotated copy of, ``"defer"`` if the original is still intact
        (a copy in progress, truncation to come), or None."""
        candidates = [*self._dormant, *(f for f in self._files.values() if not f.done)]
        for origin in candidates:
            if origin.fp_len < COPY_MIN_BYTES or len(head) < origin.fp_len:
                continue
            if fingerprint(head[: origin.fp_len]) != origin.fp:
                continue
            if origin.fd is None:
                return origin
            if self._intact(origin):
                return "defer"
            return origin
        return None

    def _intact(self, f: TrackedFile) -> bool:
        """Whether a followed file still holds the content its fingerprint and position describe."""
        assert f.fd is not None
        try:
            size = os.fstat(f.fd).st_size
            head = os.pread(f.fd, f.fp_len, 0)
        except OSError:
            return False
        return size >= f.pos and fingerprint(head) == f.fp

    def _inherit(self, origin: TrackedFile, fd: int, key: Key, path: str, head: bytes, now: float) -> None:
        self._deferred.pop(key, None)
        copy = TrackedFile(origin.fid, key[0], key[1], path, origin.pos, origin.committed)
        copy.fp_len, copy.fp = origin.fp_len, origin.fp
        if origin.fd is None:
            self._dormant.remove(origin)
        else:
            self._new_generation(origin, now, retire=False)
        self._adopt(copy, fd, path, now)
        copy.gone_since = None
        self.rotations += 1
        log.info("%s is a rotated copy (copytruncate); continuing it at offset %d", path, copy.pos)

    def _find_moved(self, now: float) -> None:
        """After a restart: checkpointed files renamed out of the globs' reach, found by inode in the
        globs' directories, are read to their end (the lines written before they were rotated)."""
        wanted = {d.key: d for d in self._dormant if d.retired_at is None}
        if not wanted:
            return
        dirs = {os.path.dirname(p) or "." for p in self.patterns}
        for directory in sorted(dirs):
            if glob.has_magic(directory):
                continue
            try:
                entries = list(os.scandir(directory))
            except OSError:
                continue
            for entry in entries:
                try:
                    st = entry.stat(follow_symlinks=False)
                except OSError:
                    continue
                d = wanted.get((st.st_dev, st.st_ino))
                if d is None or not _is_regular(st):
                    continue
                fd = _open(entry.path, d.key, follow=False)
                if fd is None:
                    continue
                if not _same_start(d, os.pread(fd, FP_BYTES, 0)):
                    os.close(fd)
                    continue
                del wanted[d.key]
                self._dormant.remove(d)
                self._adopt(d, fd, entry.path, now)
                d.gone_since = now
                log.info("%s was rotated while the agent was stopped; reading it from %d", d.path, d.pos)

    # -- reading ---------------------------------------------------------------------------------

    def _new_generation(self, f: TrackedFile, now: float, *, retire: bool = True) -> None:
        """The file was truncated or rewritten: its old content is done, read the new from 0."""
        if retire and f.fp_len >= COPY_MIN_BYTES:
            old = TrackedFile(f.fid, 0, 0, f.path, f.pos, f.committed, f.fp_len, f.fp, retired_at=now)
            self._dormant.append(old)
        self.truncations += 1
        log.info("%s was truncated or rewritten; reading it again from the start", f.path)
        f.fid, f.pos, f.committed, f.fp_len, f.fp, f.size_seen = new_fid(), 0, 0, 0, "", -1
        self._next_glob = min(self._next_glob, now)

    def _read(self, f: TrackedFile, now: float) -> Chunk | None:
        if f.fd is None or f.done:
            return None
        try:
            st = os.fstat(f.fd)
            if st.st_nlink == 0 and f.gone_since is None:
                f.gone_since = now
            size = st.st_size
            if size < f.pos:
                self._new_generation(f, now)
            elif size != f.size_seen or (f.fp_len < FP_BYTES and size > f.fp_len):
                head = os.pread(f.fd, FP_BYTES, 0)
                if f.fp_len and fingerprint(head[: f.fp_len]) != f.fp:
                    self._new_generation(f, now)
                    head = os.pread(f.fd, FP_BYTES, 0)
                if len(head) > f.fp_len:
                    f.fp_len, f.fp = len(head), fingerprint(head)
            f.size_seen = size
            # Skipping an over-long line goes on within one poll, up to the poll's byte budget.
            for _ in range(max(1, self.poll_budget // self.read_bytes)):
                if size <= f.pos:
                    break
                data = os.pread(f.fd, min(self.read_bytes, size - f.pos), f.pos)
                chunk = self._lines(f, data)
                if chunk is not None:
                    f.last_data = now
                    return chunk
                if f.long_at is None:
                    break
                f.last_data = now
            if f.gone_since is not None and now - max(f.gone_since, f.last_data) >= self.rotate_wait:
                return self._finish(f, size)
        except OSError as exc:
            log.warning("reading %s failed: %s", f.path, exc)
        return None

    def _lines(self, f: TrackedFile, data: bytes) -> Chunk | None:
        start = f.pos
        cut = self.max_line_bytes
        lines: list[tuple[int, bytes]] = []
        too_long: list[tuple[int, bytes, int]] = []
        n = len(data)
        i = 0
        if f.long_at is not None:  # inside an over-long line: skip to its newline
            nl = data.find(b"\n")
            if nl < 0:
                f.pos = start + n
                return None
            too_long.append((f.long_at, f.long_head, _strip_cr_len(data, start + nl - f.long_at, nl)))
            f.long_at, f.long_head = None, b""
            i = nl + 1
        while i < n:
            nl = data.find(b"\n", i)
            if nl < 0:
                if n - i - (data[n - 1] == 0x0D) > cut:  # no newline within the limit: too long
                    self.long_lines += 1
                    f.long_at, f.long_head = start + i, data[i : i + LONG_LINE_PREFIX]
                    i = n
                break  # else a partial line: wait for its newline
            end = nl - 1 if nl > i and data[nl - 1] == 0x0D else nl
            if end - i > cut:
                self.long_lines += 1
                too_long.append((start + i, data[i : i + LONG_LINE_PREFIX], end - i))
            else:
                lines.append((start + i, data[i:end]))
            i = nl + 1
        f.pos = start + i
        if not lines and not too_long:
            return None
        # While an over-long line is being skipped, the checkpoint stays at its start.
        committed = f.long_at if f.long_at is not None else f.pos
        return Chunk(f.fid, f.path, lines, committed, too_long=too_long, _file=f)

    def _finish(self, f: TrackedFile, size: int) -> Chunk | None:
        """A rotated-away file that stayed idle: emit its unterminated last line, then close it."""
        f.done = True
        assert f.fd is not None
        if f.long_at is not None:
            long_at, head = f.long_at, f.long_head
            f.long_at, f.long_head, f.pos = None, b"", size
            log.info("%s: its unterminated last line is %d bytes, over the limit", f.path, size - long_at)
            return Chunk(
                f.fid, f.path, [], size, final=True, too_long=[(long_at, head, size - long_at)], _file=f
            )
        if size > f.pos:
            rest = os.pread(f.fd, min(size - f.pos, self.max_line_bytes), f.pos)
            if rest:
                start = f.pos
                f.pos += len(rest)
                log.info("%s: emitting its unterminated last line (%d bytes)", f.path, len(rest))
                return Chunk(f.fid, f.path, [(start, rest.rstrip(b"\r"))], f.pos, final=True, _file=f)
        return None

    def _forget(self, f: TrackedFile) -> None:
        _close(f)
        f.done = True
        if self._files.get(f.key) is f:
            del self._files[f.key]


def _from_entry(e: dict[str, Any]) -> TrackedFile:
    f = TrackedFile(
        str(e["fid"]),
        int(e.get("dev", 0)),
        int(e.get("ino", 0)),
        str(e.get("path", "")),
        int(e["offset"]),
        int(e["offset"]),
        int(e.get("fp_len", 0)),
        str(e.get("fp", "")),
    )
    if e.get("retired"):
        f.retired_at = 0.0  # kept until the first scans are done, for a copy found after a restart
    return f


def _strip_cr_len(data: bytes, length: int, nl: int) -> int:
    """The length of a line ending at ``data[nl]`` (its newline), a ``\\r`` before it not counted."""
    return length - 1 if nl > 0 and data[nl - 1] == 0x0D else length


def _same_start(f: TrackedFile, head: bytes) -> bool:
    return len(head) >= f.fp_len and fingerprint(head[: f.fp_len]) == f.fp


def _is_regular(st: os.stat_result) -> bool:
    return stat.S_ISREG(st.st_mode)


def _open(path: str, key: Key, *, follow: bool) -> int | None:
    # O_NOFOLLOW: a path swapped for a symlink between the scan and the open is not followed.
    flags = os.O_RDONLY | getattr(os, "O_CLOEXEC", 0) | (0 if follow else getattr(os, "O_NOFOLLOW", 0))
    try:
        fd = os.open(path, flags)
    except OSError:
        return None
    st = os.fstat(fd)
    if (st.st_dev, st.st_ino) != key:  # replaced between the scan and the open: next scan
        os.close(fd)
        return None
    return fd


def _close(f: TrackedFile) -> None:
    if f.fd is not None:
        with contextlib.suppress(OSError):
            os.close(f.fd)
        f.fd = None
