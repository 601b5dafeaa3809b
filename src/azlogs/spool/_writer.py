"""The file side of the spool: appends with rollback, segment roll-over and deletion, ack files, reads.

Every method except :meth:`Writer.read` runs with the spool's ``_io_lock`` held; in-memory changes
that readers see go through the spool, under its state lock.

Failure rules. A failed write or fsync during an append truncates every segment the append touched
back to its last committed frame, so a half-written frame never stays behind a good one. After a
failed fsync the segment is sealed and appends continue in a new segment: once fsync has failed,
the kernel may have dropped the dirty pages, and writing more to that file cannot be trusted
(PostgreSQL's "fsyncgate"). Segments are deleted as "unlink the segment, fsync the directory,
unlink its ack file": a crash in between leaves an ack file without a segment, which the next open
removes; it can never leave a segment without its acks (which would deliver it again).
"""

from __future__ import annotations

import contextlib
import logging
import os
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

from azlogs.spool._errors import storage_error
from azlogs.spool._format import HEADER_BYTES, check_frame, encode_acks, encode_frame
from azlogs.spool._queue import Ref, Segment, ack_name, segment_name
from azlogs.spool._storage import Storage, StorageFile

if TYPE_CHECKING:
    from azlogs.spool._spool import Spool

log = logging.getLogger("azlogs.spool")

# A lease reads the whole span from its first to its last frame in one call when the records of
# other streams in between add at most this much; otherwise record by record.
_SPAN_SLACK = 64 * 1024


def human(nbytes: int) -> str:
    """Bytes for people: 512 B, 3.0 KiB, 8.0 MiB, 1.5 GiB."""
    size = float(nbytes)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{nbytes} B" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    raise AssertionError("unreachable")  # pragma: no cover


class Writer:
    """Owns the open segment and every file mutation of one spool."""

    def __init__(self, spool: Spool, storage: Storage, next_seq: int) -> None:
        self._spool = spool
        self._storage = storage
        self._dir = spool.path
        self._sync = spool.fsync != "never"
        self._next_seq = next_seq
        self.active: Segment | None = None
        self._handle: StorageFile | None = None

    def _path(self, name: str) -> str:
        return os.path.join(self._dir, name)

    # -- appending -------------------------------------------------------------------------------

    def append(self, stream_key: str, key: bytes, records: Sequence[bytes], need: int) -> None:
        """Write, fsync per policy, then commit ``records``; all or nothing."""
        spool = self._spool
        always = spool.fsync == "always"
        limit = spool.segment_bytes
        rolled = False
        action, current = "creating", segment_name(self._next_seq)
        touched: list[tuple[Segment, StorageFile]] = []
        try:
            segment, handle = self._writable()
            touched.append((segment, handle))
            pos, nrec = segment.size, segment.records
            chunk: list[bytes] = []
            chunk_at = pos
            ends: list[tuple[Segment, int, int]] = []
            placed: list[Ref] = []
            payload = 0
            for record in records:
                size = HEADER_BYTES + len(key) + len(record)
                if pos > 0 and pos + size > limit:
                    current = segment.name
                    action = "writing"
                    if chunk:
                        handle.pwrite(b"".join(chunk), chunk_at)
                        chunk = []
                    if self._sync and not always:
                        action = "syncing"
                        handle.sync()
                    ends.append((segment, pos, nrec))
                    action, current = "creating", segment_name(self._next_seq)
                    segment, handle = self._roll()
                    rolled = True
                    touched.append((segment, handle))
                    pos = nrec = chunk_at = 0
                chunk.append(encode_frame(nrec, key, record))
                placed.append((segment.seq, pos, size))
                pos += size
                nrec += 1
                payload += len(record)
                if always:
                    action, current = "writing", segment.name
                    handle.pwrite(chunk[0], chunk_at)
                    chunk = []
                    chunk_at = pos
                    action = "syncing"
                    handle.sync()
            action, current = "writing", segment.name
            if chunk:
                handle.pwrite(b"".join(chunk), chunk_at)
            if self._sync and not always:
                action = "syncing"
                handle.sync()
            ends.append((segment, pos, nrec))
        except OSError as exc:
            self._rollback(touched, failed_sync=action == "syncing")
            raise storage_error(exc, action, self._path(current), self._dir) from exc
        finally:
            # Segments sealed by a roll in this call; the last one is the open segment (or was
            # closed by retire_active after a failed fsync).
            for _sealed, old_handle in touched[:-1]:
                old_handle.close()
        spool._commit(stream_key, placed, ends, need, payload)
        if rolled:
            self.collect_garbage()

    def _writable(self) -> tuple[Segment, StorageFile]:
        segment = self.active
        too_old = segment is not None and time.monotonic() - segment.created >= self._spool.segment_age
        if segment is not None and segment.size > 0 and too_old:
            self.retire_active(only_if_acked=False)
        if self.active is None or self._handle is None:
            return self._roll()
        return self.active, self._handle

    def _roll(self) -> tuple[Segment, StorageFile]:
        """Create the next segment, make its directory entry durable, and make it the open one."""
        seq = self._next_seq
        path = self._path(segment_name(seq))
        handle = self._storage.open(path, "x")
        self._next_seq += 1
        try:
            if self._sync:
                self._storage.sync_dir(self._dir)
        except OSError:
            handle.close()
            try:
                self._storage.unlink(path)
            except OSError:
                log.warning("spool %s: could not remove %s after a failed create", self._dir, path)
            raise
        segment = Segment(seq, size=0, records=0, sealed=False, created=time.monotonic())
        self._spool._register(segment, previous=self.active)
        self.active, self._handle = segment, handle
        return segment, handle

    def _rollback(self, touched: list[tuple[Segment, StorageFile]], *, failed_sync: bool) -> None:
        """Cut every touched segment back to its last committed frame."""
        for segment, handle in touched:
            try:
                handle.truncate(segment.size)
                if self._sync:
                    handle.sync()
            except OSError as exc:
                log.warning(
                    "spool %s: could not roll back %s to offset %d (%s); it is sealed, and its "
                    "partial frames are truncated or skipped when the spool next opens",
                    self._dir,
                    segment.name,
                    segment.size,
                    exc,
                )
                failed_sync = True
        if failed_sync and self.active is not None:
            self.retire_active(only_if_acked=False)

    def retire_active(self, *, only_if_acked: bool, only_if_old: bool = False) -> None:
        """Seal the open segment (and delete it at once if every record in it is acked)."""
        segment = self.active
        if segment is None:
            return
        if only_if_acked and (segment.live > 0 or segment.size == 0):
            return
        if only_if_old and time.monotonic() - segment.created < self._spool.segment_age:
            return
        self._spool._seal(segment)
        self.active = None
        if self._handle is not None:
            self._handle.close()
            self._handle = None
        self.collect_garbage()

    # -- deleting --------------------------------------------------------------------------------

    def collect_garbage(self) -> None:
        """Delete every sealed segment whose records are all acked."""
        dead = [s for s in self._spool._segments.values() if s.sealed and s.live == 0]
        if not dead:
            return
        removed: list[Segment] = []
        for segment in dead:
            try:
                self._storage.unlink(self._path(segment.name))
            except FileNotFoundError:
                pass
            except OSError as exc:
                log.warning("spool %s: could not delete %s (%s); will retry", self._dir, segment.name, exc)
                continue
            removed.append(segment)
        if removed and self._sync:
            try:
                self._storage.sync_dir(self._dir)
            except OSError as exc:
                log.warning(
                    "spool %s: fsync of the directory failed (%s); after a crash a deleted segment "
                    "may come back and its records be delivered again",
                    self._dir,
                    exc,
                )
        for segment in removed:
            if segment.has_ack_file:
                self._unlink_quietly(ack_name(segment.seq))
        self._spool._forget(removed)

    def remove_orphan_acks(self, names: list[str]) -> None:
        """Remove ack files whose segment is gone (a crash between the two unlinks)."""
        for name in names:
            self._unlink_quietly(name)

    def _unlink_quietly(self, name: str) -> None:
        try:
            self._storage.unlink(self._path(name))
        except FileNotFoundError:
            pass
        except OSError as exc:
            log.warning("spool %s: could not delete %s (%s); the next open removes it", self._dir, name, exc)

    # -- acks ------------------------------------------------------------------------------------

    def write_acks(self, segment: Segment) -> None:
        """Append the segment's unwritten acks to its ack file and fsync it; count a failure."""
        offsets = list(segment.unwritten_acks)
        if not offsets:
            return
        data = encode_acks(offsets)
        path = self._path(ack_name(segment.seq))
        created = not segment.has_ack_file
        try:
            handle = self._storage.open(path, "w")
            segment.has_ack_file = True
            try:
                handle.pwrite(data, segment.ack_size)
                if self._sync:
                    handle.sync()
            except OSError:
                # If this fails too, the next ack frame is written over it at the same offset.
                with contextlib.suppress(OSError):
                    handle.truncate(segment.ack_size)
                raise
            finally:
                handle.close()
        except OSError as exc:
            self._spool._count_ack_error()
            log.warning(
                "spool %s: %s; %d acks stay in memory and are retried with the next ack (after a "
                "crash those records would be delivered again)",
                self._dir,
                storage_error(exc, "writing", path, self._dir).message,
                len(offsets),
            )
            return
        segment.ack_size += len(data)
        del segment.unwritten_acks[: len(offsets)]
        if created and self._sync:
            try:
                self._storage.sync_dir(self._dir)
            except OSError as exc:
                self._spool._count_ack_error()
                log.warning(
                    "spool %s: fsync of the directory failed after creating %s (%s)", self._dir, path, exc
                )

    # -- reading ---------------------------------------------------------------------------------

    def read(self, key: bytes, refs: list[Ref]) -> tuple[list[bytes], list[Ref]]:
        """Payloads of ``refs`` in order, and the refs whose frame fails its checksum."""
        records: list[bytes] = []
        bad: list[Ref] = []
        start = 0
        while start < len(refs):
            seq = refs[start][0]
            stop = start
            while stop < len(refs) and refs[stop][0] == seq:
                stop += 1
            group = refs[start:stop]
            start = stop
            for ref, frame in zip(group, self._read_group(seq, group), strict=True):
                if check_frame(frame, key):
                    records.append(bytes(frame[HEADER_BYTES + len(key) :]))
                else:
                    bad.append(ref)
        return records, bad

    def _read_group(self, seq: int, group: list[Ref]) -> list[memoryview]:
        path = self._path(segment_name(seq))
        try:
            handle = self._storage.open(path, "r")
            try:
                first = min(r[1] for r in group)
                end = max(r[1] + r[2] for r in group)
                if end - first <= sum(r[2] for r in group) + _SPAN_SLACK:
                    view = memoryview(handle.pread(end - first, first))
                    return [view[off - first : off - first + size] for _, off, size in group]
                return [memoryview(handle.pread(size, off)) for _, off, size in group]
            finally:
                handle.close()
        except OSError as exc:
            raise storage_error(exc, "reading", path, self._dir) from exc

    def close(self) -> None:
        """Close the open segment's file."""
        if self._handle is not None:
            self._handle.close()
            self._handle = None
