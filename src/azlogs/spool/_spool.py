"""The durable on-disk queue between the agent's inputs and its senders.

Guarantee: at-least-once. A record is durable when :meth:`Spool.append` returns (with
``fsync="batch"`` or ``"always"``); it is handed out by :meth:`Spool.lease` until a lease of it is
acked, and after a crash or restart every record not durably acked is delivered again. The
duplicate window: a crash after the service answered 204 for a batch but before :meth:`Spool.ack`
made the ack durable delivers that batch a second time. Nothing is ever dropped silently: a full
spool blocks or raises, damaged records are counted and reported.

Checkpoints: ``append`` returns only once its records are durable, so an input writes its file
position checkpoint *after* ``append`` returns, never before; a crash then can repeat lines but
never skip them.

fsync policies:

``batch`` (default)
    One fsync per ``append`` call (per segment touched). Durable on return; costs one disk flush per
    call, so callers append lines in batches (hundreds of lines or ~100 ms worth), not one by one.
``always``
    One fsync per record. Same guarantee; a crash mid-call leaves a durable prefix of the batch
    (delivered, and appended again by the input: duplicates). Slowest; for tiny, precious streams.
``never``
    No fsync at all: the OS writes back when it likes. A killed *process* loses nothing (the data is
    in the page cache), but an OS crash or power loss loses what was written in the last ~30 s
    (Linux ``vm.dirty_expire_centisecs``), while the input's checkpoint may already be past it.

Locking: ``_io_lock`` serialises every change to files (appends with their fsync, rollbacks, segment
creation and deletion, ack-file writes); ``_cond`` (a Condition) guards the in-memory state and is held
only for short bookkeeping. The order is always ``_io_lock`` then ``_cond``; nobody waits (for space,
for records) while holding ``_io_lock``. Leases read payloads with no lock held: a record becomes
leasable only after its append committed, a segment holding an unacked record is never deleted, and
a rollback only truncates bytes after the last committed frame.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Sequence
from itertools import count

from azlogs._exceptions import UsageError
from azlogs.spool import _lock
from azlogs.spool._errors import SpoolError, SpoolFullError, SpoolStorageError, storage_error
from azlogs.spool._format import HEADER_BYTES, MAX_KEY_BYTES
from azlogs.spool._queue import Ref, Segment, StreamQueue, segment_name
from azlogs.spool._recovery import Recovered, SpoolProblem, recover
from azlogs.spool._storage import OsStorage, Storage
from azlogs.spool._types import Batch, FsyncPolicy, FullPolicy, SpoolStats
from azlogs.spool._writer import Writer, human

log = logging.getLogger("azlogs.spool")

MiB = 1024 * 1024
_MAX_PROBLEMS = 100
# While the disk is full, an append waiting under "block" retries this often even if no ack frees space:
# space can come back from outside the spool.
DISK_FULL_RETRY_SECONDS = 0.5


class Spool:
    """A directory of append-only segments; see the module docstring for guarantees and locking.

    Use :meth:`Spool.open`. A spool directory is used by one process at a time (an OS lock on
    ``spool.lock`` enforces it).
    """

    def __init__(
        self,
        path: str,
        *,
        max_bytes: int,
        segment_bytes: int,
        segment_age: float,
        fsync: FsyncPolicy,
        full_policy: FullPolicy,
        block_timeout: float | None,
        storage: Storage,
        recovered: Recovered,
        lock: _lock.DirLock,
    ) -> None:
        self.path = path
        self.max_bytes = max_bytes
        self.segment_bytes = segment_bytes
        self.segment_age = segment_age
        self.fsync: FsyncPolicy = fsync
        self.full_policy: FullPolicy = full_policy
        self.block_timeout = block_timeout
        self._storage = storage
        self._dirlock = lock
        self._io_lock = threading.Lock()
        self._cond = threading.Condition(threading.Lock())
        self._owner = object()
        self._lease_ids = count(1)
        self._closed = False
        self._segments: dict[int, Segment] = recovered.segments
        self._queues: dict[str, StreamQueue] = recovered.queues
        self._leases: dict[int, tuple[StreamQueue, list[Ref]]] = {}
        self._disk_bytes = sum(s.size for s in self._segments.values())
        self._reserved = 0
        self._problems: list[SpoolProblem] = recovered.problems[-_MAX_PROBLEMS:]
        self._n: dict[str, int] = dict.fromkeys(
            (
                "records_appended",
                "bytes_appended",
                "records_acked",
                "bytes_acked",
                "append_errors",
                "ack_write_errors",
                "full_waits",
            ),
            0,
        )
        self._n.update(
            records_recovered=recovered.records,
            records_pending=recovered.records,
            bytes_pending=recovered.payload_bytes,
            corrupt_records=recovered.corrupt_records,
            corrupt_bytes=recovered.corrupt_bytes,
            torn_tails=recovered.torn_tails,
            torn_bytes=recovered.torn_bytes,
            lost_unknown=recovered.lost_unknown,
            damaged_files=recovered.damaged_files,
            foreign_files=recovered.foreign_files,
        )
        self._writer = Writer(self, storage, recovered.next_seq)

    @classmethod
    def open(
        cls,
        path: str | os.PathLike[str],
        *,
        max_bytes: int,
        segment_bytes: int = 8 * MiB,
        segment_age: float = 300.0,
        fsync: FsyncPolicy = "batch",
        full_policy: FullPolicy = "block",
        block_timeout: float | None = 60.0,
        storage: Storage | None = None,
    ) -> Spool:
        """Open (creating if needed) the spool in directory ``path`` and recover what it holds.

        Args:
            path: the spool directory (created with mode 0700).
            max_bytes: most bytes of segments on disk; an append that would pass it waits or fails.
            segment_bytes: a segment rolls over when the next record would take it past this size.
            segment_age: seconds after which the next append rolls the segment over, so that
                acked records of a slow stream do not hold disk space for long.
            fsync: ``"batch"``, ``"always"`` or ``"never"``; see the module docstring.
            full_policy: ``"block"``: append waits up to ``block_timeout`` seconds (None: forever)
                for acks to free space, then raises SpoolFullError; ``"error"``: raises at once.
            block_timeout: see ``full_policy``; also bounds the wait for a full disk (ENOSPC).
            storage: the storage seam; the real disk by default.
        """
        if fsync not in ("batch", "always", "never"):
            raise UsageError(f"fsync must be 'batch', 'always' or 'never', not {fsync!r}")
        if full_policy not in ("block", "error"):
            raise UsageError(f"full_policy must be 'block' or 'error', not {full_policy!r}")
        if not 4096 <= segment_bytes <= 1 << 31:
            raise UsageError(f"segment_bytes must be between 4 KiB and 2 GiB, not {segment_bytes}")
        if max_bytes < segment_bytes:
            raise UsageError(
                f"max_bytes ({human(max_bytes)}) must be at least segment_bytes ({human(segment_bytes)})",
                hint="raise max_bytes or lower segment_bytes",
            )
        directory = os.fspath(path)
        store = storage if storage is not None else OsStorage()
        try:
            store.makedirs(directory)
        except OSError as exc:
            raise storage_error(exc, "creating", directory, directory) from exc
        lock = _lock.acquire(directory)
        try:
            recovered = recover(store, directory, sync=fsync != "never")
            spool = cls(
                directory,
                max_bytes=max_bytes,
                segment_bytes=segment_bytes,
                segment_age=segment_age,
                fsync=fsync,
                full_policy=full_policy,
                block_timeout=block_timeout,
                storage=store,
                recovered=recovered,
                lock=lock,
            )
            with spool._io_lock:
                spool._writer.remove_orphan_acks(recovered.orphan_acks)
                spool._writer.collect_garbage()
        except BaseException:
            lock.release()
            raise
        return spool

    def __enter__(self) -> Spool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- appending -------------------------------------------------------------------------------

    def append(self, stream_key: str, records: Sequence[bytes]) -> None:
        """Append records of one stream key; return once they are durable (per the fsync policy).

        All or nothing: on any error no record of the call is kept, and the records spooled
        before are untouched. Write the input's checkpoint after this returns.

        Raises:
            SpoolFullError: the spool holds ``max_bytes`` (after ``block_timeout`` under "block").
            SpoolStorageError: the disk failed; ``.disk_full`` when it is ENOSPC (under "block" the
                append first waits up to ``block_timeout`` for space to return).
            UsageError: a bad key, a record that is not bytes, or a batch larger than ``max_bytes``.
        """
        key = _key_bytes(stream_key)
        need = 0
        for record in records:
            if not isinstance(record, bytes):
                raise UsageError(f"spool records are bytes, not {type(record).__name__}")
            need += HEADER_BYTES + len(key) + len(record)
        if not records:
            return
        if need > self.max_bytes:
            raise UsageError(
                f"a batch of {len(records)} records ({human(need)} on disk) can never fit in the spool "
                f"{self.path} (max_bytes {human(self.max_bytes)})",
                hint="append smaller batches, or raise max_bytes",
            )
        deadline = None if self.block_timeout is None else time.monotonic() + self.block_timeout
        while True:
            self._reserve(need, deadline)
            try:
                with self._io_lock:
                    self._check_open()
                    self._writer.append(stream_key, key, records, need)
                return
            except SpoolStorageError as exc:
                self._unreserve(need)
                with self._cond:
                    self._n["append_errors"] += 1
                if not (exc.disk_full and self.full_policy == "block" and self._wait_disk(deadline)):
                    raise
            except BaseException:
                self._unreserve(need)
                raise

    def _reserve(self, need: int, deadline: float | None) -> None:
        counted = False
        while True:
            with self._cond:
                self._check_open()
                if self._disk_bytes + self._reserved + need <= self.max_bytes:
                    self._reserved += need
                    return
                active = self._writer.active
                reclaim = active is not None and active.live == 0 and active.size > 0
                if not reclaim:
                    remaining = None if deadline is None else deadline - time.monotonic()
                    if self.full_policy == "error" or (remaining is not None and remaining <= 0):
                        raise self._full_error(need)
                    if not counted:
                        self._n["full_waits"] += 1
                        counted = True
                    self._cond.wait(remaining)
                    continue
            # Everything in the open segment is acked, but only a sealed segment is deleted.
            with self._io_lock:
                self._writer.retire_active(only_if_acked=True)

    def _unreserve(self, need: int) -> None:
        with self._cond:
            self._reserved -= need
            self._cond.notify_all()

    def _wait_disk(self, deadline: float | None) -> bool:
        with self._io_lock:
            self._writer.retire_active(only_if_acked=True)
        with self._cond:
            remaining = None if deadline is None else deadline - time.monotonic()
            if remaining is not None and remaining <= 0:
                return False
            self._n["full_waits"] += 1
            self._cond.wait(
                DISK_FULL_RETRY_SECONDS if remaining is None else min(remaining, DISK_FULL_RETRY_SECONDS)
            )
            return not self._closed

    def _full_error(self, need: int) -> SpoolFullError:
        used = self._disk_bytes + self._reserved
        pending = self._n["records_pending"]
        waited = "" if self.full_policy == "error" else f" after waiting {self.block_timeout:g} s"
        return SpoolFullError(
            f"spool {self.path} is full: {human(used)} of max_bytes {human(self.max_bytes)} in use by "
            f"{pending:,} undelivered records in {len(self._segments)} segments; an append of "
            f"{human(need)} did not fit{waited}",
            used=used,
            max_bytes=self.max_bytes,
            hint="the sender is not keeping up or cannot reach the service: check the agent's status "
            "and the endpoint; raise max_bytes to ride out longer outages",
        )

    def _commit(
        self,
        stream_key: str,
        placed: list[Ref],
        ends: list[tuple[Segment, int, int]],
        need: int,
        payload_bytes: int,
    ) -> None:
        """Make appended records leasable (called by the writer under ``_io_lock``)."""
        with self._cond:
            for segment, end, records in ends:
                segment.size = end
                segment.records = records
            queue = self._queues.get(stream_key)
            if queue is None:
                queue = self._queues[stream_key] = StreamQueue(stream_key)
            for ref in placed:
                queue.add(*ref)
                self._segments[ref[0]].live += 1
            self._disk_bytes += need
            self._reserved -= need
            self._n["records_appended"] += len(placed)
            self._n["bytes_appended"] += payload_bytes
            self._n["records_pending"] += len(placed)
            self._n["bytes_pending"] += payload_bytes
            self._cond.notify_all()

    # -- leasing ---------------------------------------------------------------------------------

    def lease(
        self,
        max_records: int = 1000,
        max_bytes: int = 1024 * 1024,
        stream_key: str | None = None,
        *,
        wait: float = 0.0,
    ) -> Batch | None:
        """Hand out the oldest unacked records of one stream key, or None if there are none.

        Records come in append order per stream key; nacked ones come again before newer ones.
        Several leases may be out at once. Without ``stream_key`` the key whose oldest ready record
        is oldest is chosen. At least one record is returned even if it is larger than
        ``max_bytes`` (payload bytes). ``wait`` seconds are spent waiting for records to arrive.
        """
        if max_records < 1 or max_bytes < 1:
            raise UsageError("lease needs max_records >= 1 and max_bytes >= 1")
        deadline = time.monotonic() + wait
        while True:
            with self._cond:
                while True:
                    self._check_open()
                    queue = self._pick(stream_key)
                    if queue is not None:
                        refs = queue.take(max_records, max_bytes)
                        # Numbered at hand-out, so lease ids follow the order records leave the queue.
                        lease_id = next(self._lease_ids)
                        break
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        return None
                    self._cond.wait(remaining)
            try:
                records, bad = self._writer.read(queue.key_bytes, refs)
            except SpoolStorageError:
                with self._cond:
                    queue.give_back(refs)
                    self._cond.notify_all()
                raise
            if bad:
                self._consume_corrupt(queue, bad)
            if records:
                if bad:
                    dropped = set(bad)
                    refs = [r for r in refs if r not in dropped]
                with self._cond:
                    self._leases[lease_id] = (queue, refs)
                return Batch(queue.key, tuple(records), lease_id, self._owner)

    def _pick(self, stream_key: str | None) -> StreamQueue | None:
        if stream_key is not None:
            queue = self._queues.get(stream_key)
            return queue if queue is not None and queue.ready else None
        best: StreamQueue | None = None
        best_head: Ref | None = None
        for queue in self._queues.values():
            head = queue.head() if queue.ready else None
            if head is not None and (best_head is None or head < best_head):
                best, best_head = queue, head
        return best

    def _consume_corrupt(self, queue: StreamQueue, bad: list[Ref]) -> None:
        """Records that fail their checksum when read: report, count, and never hand them out again."""
        for seq, offset, size in bad:
            name = segment_name(seq)
            problem = SpoolProblem("corrupt", name, offset, size, 1, path=os.path.join(self.path, name))
            log.warning("spool %s: %s (found when leasing)", self.path, problem)
            with self._cond:
                self._problems = [*self._problems[-(_MAX_PROBLEMS - 1) :], problem]
                self._n["corrupt_records"] += 1
                self._n["corrupt_bytes"] += size
        self._settle(queue, bad, acked=False)

    # -- settling --------------------------------------------------------------------------------

    def ack(self, batch: Batch) -> None:
        """Mark a batch delivered, durably; segments whose every record is acked are deleted.

        A failure to write the ack file is logged and counted (``ack_write_errors``), not raised:
        the records are delivered, and the worst outcome is that they are delivered again after a
        restart. The write is retried with the next ack.
        """
        queue, refs = self._pop_lease(batch)
        self._settle(queue, refs, acked=True)

    def nack(self, batch: Batch) -> None:
        """Give a batch back: its records are leased again, before any newer record of the key."""
        queue, refs = self._pop_lease(batch)
        with self._cond:
            queue.give_back(refs)
            self._cond.notify_all()

    def _pop_lease(self, batch: Batch) -> tuple[StreamQueue, list[Ref]]:
        with self._cond:
            self._check_open()
            if batch._owner is not self._owner:
                raise SpoolError(
                    f"batch {batch.lease_id} was not leased from this spool ({self.path}) since it opened"
                )
            entry = self._leases.pop(batch.lease_id, None)
            if entry is None:
                raise SpoolError(f"batch {batch.lease_id} was already acked or nacked")
            return entry

    def _settle(self, queue: StreamQueue, refs: list[Ref], *, acked: bool) -> None:
        payload = sum(queue.payload_len(r) for r in refs)
        with self._io_lock:
            with self._cond:
                self._check_open()
                queue.settle(len(refs))
                touched: dict[int, Segment] = {}
                for seq, offset, _size in refs:
                    segment = self._segments[seq]
                    segment.live -= 1
                    segment.unwritten_acks.append(offset)
                    touched[seq] = segment
                self._n["records_pending"] -= len(refs)
                self._n["bytes_pending"] -= payload
                if acked:
                    self._n["records_acked"] += len(refs)
                    self._n["bytes_acked"] += payload
            for segment in touched.values():
                if not (segment.sealed and segment.live == 0):
                    self._writer.write_acks(segment)
            self._writer.retire_active(only_if_acked=True, only_if_old=True)
            self._writer.collect_garbage()

    def _count_ack_error(self) -> None:
        """Called by the writer when an ack frame could not be written."""
        with self._cond:
            self._n["ack_write_errors"] += 1

    # -- state -----------------------------------------------------------------------------------

    def stats(self) -> SpoolStats:
        """A consistent snapshot of the counters."""
        with self._cond:
            leased = sum(q.leased for q in self._queues.values())
            by_stream = {k: q.ready + q.leased for k, q in self._queues.items() if q.ready + q.leased}
            return SpoolStats(
                path=self.path,
                records_leased=leased,
                segments=len(self._segments),
                disk_bytes=self._disk_bytes,
                max_bytes=self.max_bytes,
                pending_by_stream=by_stream,
                problems=tuple(self._problems),
                **self._n,
            )

    def _forget(self, gone: list[Segment]) -> None:
        """Drop deleted segments from the table and wake appenders waiting for space."""
        with self._cond:
            for segment in gone:
                del self._segments[segment.seq]
                self._disk_bytes -= segment.size
            self._cond.notify_all()

    def _register(self, segment: Segment, previous: Segment | None) -> None:
        """Add a newly created segment and seal the one it replaces."""
        with self._cond:
            if previous is not None:
                previous.sealed = True
            self._segments[segment.seq] = segment

    def _seal(self, segment: Segment) -> None:
        """Seal a segment: no more appends; deleted once every record in it is acked."""
        with self._cond:
            segment.sealed = True

    def close(self) -> None:
        """Stop: wake waiters (they raise SpoolError), close files, release the directory lock.

        Records leased and not yet acked are delivered again by the next open.
        """
        with self._cond:
            if self._closed:
                return
            self._closed = True
            self._cond.notify_all()
        with self._io_lock:
            try:
                # A fully acked open segment is not left behind; failures here are only logged.
                self._writer.retire_active(only_if_acked=True)
            finally:
                self._writer.close()
                self._dirlock.release()

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called."""
        return self._closed

    def _check_open(self) -> None:
        if self._closed:
            raise SpoolError(f"spool {self.path} is closed")

    def __repr__(self) -> str:
        return f"<Spool {self.path!r} {human(self._disk_bytes)}/{human(self.max_bytes)}>"


def _key_bytes(stream_key: str) -> bytes:
    if not isinstance(stream_key, str) or not stream_key:
        raise UsageError(f"a stream key is a non-empty str, not {stream_key!r}")
    key = stream_key.encode("utf-8")
    if len(key) > MAX_KEY_BYTES:
        raise UsageError(
            f"stream key of {len(key)} bytes is longer than {MAX_KEY_BYTES}",
            hint="use a short route name as the key (it is stored with every record)",
        )
    return key
