"""Recovery when a spool opens: scan every segment and ack file, keep what is valid and unacked.

Every frame's checksum is verified, and no damage is ever silent: each shape below is a
:class:`SpoolProblem` (logged, counted in :class:`SpoolStats`, shown in the agent's status) naming
the file, the offset and what it cost.

==================  =============================================================================
shape               what recovery does
==================  =============================================================================
corrupt region      bytes that are no valid frame between valid ones (flipped, zeroed, a damaged
                    header): skipped; records lost estimated from the gap in frame numbers
torn tail           invalid bytes at the end of the *newest* segment: an append a crash
                    interrupted (or, rarely, a lost end); the bytes are kept, then cut
truncated           the same at the end of an older (sealed) segment: records after it are lost,
                    how many is unknown; truncated away
empty               a sealed segment of 0 bytes (cut to zero): its records are lost, how many is
                    unknown (its ack file, if any, shows how many it held at least)
ack-corrupt/torn    a damaged ack file: its records are delivered again (duplicates, never loss)
foreign             a file the spool does not use (a renamed segment, a copy, anything else): left
                    where it is, not delivered; for one in segment format the records it holds are
                    counted, and renaming it ``seg-<20 digits>.log`` delivers them
==================  =============================================================================

Bytes that cannot be parsed are never only deleted: before a damaged segment is truncated, the
segment (and its ack file) is copied to ``damaged/`` in the spool directory, which the spool never
deletes and does not count against ``max_bytes``. A missing ack file cannot be told from one never
written; its segment's acked records are delivered again (duplicates).
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from typing import Literal

from azlogs.spool._errors import SpoolStorageError, storage_error
from azlogs.spool._format import MAGIC, Region, scan_acks, scan_segment
from azlogs.spool._lock import LOCK_NAME
from azlogs.spool._queue import Segment, StreamQueue, ack_name, parse_name, segment_name
from azlogs.spool._storage import Storage

log = logging.getLogger("azlogs.spool")

DAMAGED_DIR = "damaged"
# A foreign file in segment format up to this size is scanned to count the records it holds.
_FOREIGN_SCAN_MAX = 256 * 1024 * 1024

ProblemKind = Literal["corrupt", "torn", "truncated", "empty", "ack-corrupt", "ack-torn", "foreign"]
_LOSS_KINDS = ("corrupt", "truncated", "empty")


@dataclass(frozen=True)
class SpoolProblem:
    """Damage found in a spool file: what, where, and how many records it cost.

    ``records`` is the number of records lost (``corrupt``: estimated from the gap in frame
    sequence numbers), or held by a foreign file; ``records_known`` is False where the count cannot
    be known (``truncated``, ``empty``: ``records`` is then 0). ``path`` is
    the file's full path and ``preserved`` the copy kept in ``damaged/``, if one was made.
    """

    kind: ProblemKind
    file: str
    offset: int
    length: int
    records: int
    records_known: bool = True
    path: str = ""
    preserved: str | None = None

    @property
    def is_loss(self) -> bool:
        """Whether records were lost (not only delivered again, or left aside in a foreign file)."""
        return self.kind in _LOSS_KINDS

    def __str__(self) -> str:
        count = f"{self.records}" if self.records_known else "an unknown number of"
        what = {
            "corrupt": f"corrupt data skipped ({count} record(s) lost)",
            "torn": (
                "torn tail truncated: an append a crash interrupted (its lines are read again), "
                "or the end of the newest segment was lost"
            ),
            "truncated": f"a sealed segment ends mid-record: the rest is lost ({count} record(s))",
            "empty": f"a sealed segment is empty (cut to 0 bytes): {count} record(s) lost",
            "ack-corrupt": "corrupt ack entry skipped (its records will be delivered again)",
            "ack-torn": "torn tail of an interrupted ack truncated",
            "foreign": (
                f"not a spool file name: left alone, not delivered ({self.records} record(s) in "
                "segment format; rename it seg-<20 digits>.log to deliver them)"
                if self.records
                else "a file the spool does not use: left alone"
            ),
        }[self.kind]
        kept = f"; a copy is kept in {self.preserved}" if self.preserved else ""
        return f"{self.path or self.file} offset {self.offset}: {self.length} bytes: {what}{kept}"


@dataclass
class Recovered:
    """Everything the spool learns from the files on disk."""

    segments: dict[int, Segment] = field(default_factory=dict)
    queues: dict[str, StreamQueue] = field(default_factory=dict)
    problems: list[SpoolProblem] = field(default_factory=list)
    orphan_acks: list[str] = field(default_factory=list)
    next_seq: int = 1
    records: int = 0
    payload_bytes: int = 0
    corrupt_records: int = 0
    corrupt_bytes: int = 0
    torn_tails: int = 0
    torn_bytes: int = 0
    lost_unknown: int = 0
    """Segments that lost an unknown number of records (truncated, or cut to 0 bytes)."""
    damaged_files: int = 0
    """Copies of damaged files kept in ``damaged/``."""
    foreign_files: int = 0

    def report(
        self,
        kind: ProblemKind,
        file: str,
        region: Region,
        *,
        directory: str = "",
        known: bool = True,
        preserved: str | None = None,
    ) -> None:
        """Record and log one problem."""
        path = os.path.join(directory, file) if directory else file
        problem = SpoolProblem(
            kind, file, region.offset, region.length, region.records, known, path, preserved
        )
        self.problems.append(problem)
        if kind in _LOSS_KINDS:
            self.corrupt_records += region.records
            self.corrupt_bytes += region.length
            if not known:
                self.lost_unknown += 1
        elif kind == "torn":
            self.torn_tails += 1
            self.torn_bytes += region.length
        elif kind == "foreign":
            self.foreign_files += 1
        level = logging.INFO if kind == "ack-torn" else logging.WARNING
        log.log(level, "spool recovery: %s", problem)


def _load(storage: Storage, path: str, directory: str) -> bytes:
    try:
        handle = storage.open(path, "r")
        try:
            return handle.pread(handle.size(), 0)
        finally:
            handle.close()
    except OSError as exc:
        raise storage_error(exc, "reading", path, directory) from exc


def _truncate(storage: Storage, path: str, size: int, directory: str, sync: bool) -> None:
    try:
        handle = storage.open(path, "w")
        try:
            handle.truncate(size)
            if sync:
                handle.sync()
        finally:
            handle.close()
    except OSError as exc:
        raise storage_error(exc, "truncating the damaged tail of", path, directory) from exc


def _preserve(
    storage: Storage, directory: str, names: list[str], state: Recovered, *, data: bytes | None = None
) -> str | None:
    """Copy damaged files (or, given ``data``, those bytes under the first name) into ``damaged/``
    before anything is cut; the first copy's path, or None if it could not be made."""
    target_dir = os.path.join(directory, DAMAGED_DIR)
    first: str | None = None
    try:
        storage.makedirs(target_dir)
        for name in names:
            if data is None:
                data = _load(storage, os.path.join(directory, name), directory)
            for n in range(1000):
                dest = os.path.join(target_dir, name if n == 0 else f"{name}.{n}")
                try:
                    handle = storage.open(dest, "x")
                except FileExistsError:
                    continue
                try:
                    handle.pwrite(data, 0)
                    handle.sync()
                finally:
                    handle.close()
                break
            else:
                raise FileExistsError(f"{target_dir} holds 1000 copies of {name}")
            first = first or dest
            data = None
            state.damaged_files += 1
        storage.sync_dir(target_dir)
    except (OSError, SpoolStorageError) as exc:  # a failed copy must not stop the spool opening
        log.error("spool recovery: could not keep a copy of damaged %s in %s: %s", names, target_dir, exc)
        return None
    return first


def recover(storage: Storage, directory: str, *, sync: bool) -> Recovered:
    """Scan the spool directory; report and keep damage; return segments and per-stream queues."""
    found: dict[int, set[str]] = {}
    foreign: list[str] = []
    for name in storage.listdir(directory):
        parsed = parse_name(name)
        if parsed is not None:
            found.setdefault(parsed[0], set()).add(parsed[1])
        elif name not in (LOCK_NAME, DAMAGED_DIR):
            foreign.append(name)
    state = Recovered(next_seq=max(found, default=0) + 1)
    newest = max((seq for seq, kinds in found.items() if "log" in kinds), default=None)
    for seq in sorted(found):
        kinds = found[seq]
        if "log" not in kinds:
            state.orphan_acks.append(ack_name(seq))
            continue
        _recover_segment(storage, directory, seq, "ack" in kinds, sync, state, newest=seq == newest)
    for name in sorted(foreign):
        _report_foreign(storage, directory, name, state)
    return state


def _report_foreign(storage: Storage, directory: str, name: str, state: Recovered) -> None:
    path = os.path.join(directory, name)
    size = records = 0
    try:
        handle = storage.open(path, "r")
        try:
            size = handle.size()
            if size <= _FOREIGN_SCAN_MAX and handle.pread(len(MAGIC), 0) == MAGIC:
                records = len(scan_segment(handle.pread(size, 0)).frames)
        finally:
            handle.close()
    except OSError:
        pass  # a directory, a symlink (never followed), an unreadable file: reported all the same
    state.report("foreign", name, Region(0, size, records), directory=directory)


def _recover_segment(
    storage: Storage,
    directory: str,
    seq: int,
    has_ack: bool,
    sync: bool,
    state: Recovered,
    *,
    newest: bool,
) -> None:
    name = segment_name(seq)
    path = os.path.join(directory, name)
    data = _load(storage, path, directory)
    scan = scan_segment(data)
    acked: set[int] = set()
    ack_size = 0
    ascan = None
    aname = ack_name(seq)
    apath = os.path.join(directory, aname)
    if has_ack:
        ascan = scan_acks(_load(storage, apath, directory))
        acked = ascan.offsets
        ack_size = ascan.valid_end
    # A torn tail of the newest segment is an append a crash interrupted: it never returned, so its
    # lines were not checkpointed and are read again. Anywhere else, invalid bytes are damage.
    torn_is_damage = scan.torn is not None and not newest
    empty = not data and (not newest or bool(acked))
    preserved: str | None = None
    if scan.corrupt or torn_is_damage or empty:
        preserved = _preserve(storage, directory, [name] + ([aname] if has_ack else []), state)
    for region in scan.corrupt:
        state.report("corrupt", name, region, directory=directory, preserved=preserved)
    if empty:
        if acked:
            log.warning("spool recovery: %s is empty, yet its ack file names %d records", path, len(acked))
        state.report("empty", name, Region(0, 0, 0), directory=directory, known=False, preserved=preserved)
    if scan.torn is not None:
        if torn_is_damage:
            region = Region(scan.torn.offset, scan.torn.length, 0)
            state.report("truncated", name, region, directory=directory, known=False, preserved=preserved)
        else:
            torn_at = scan.torn.offset
            kept = _preserve(storage, directory, [f"{name}.torn-at-{torn_at}"], state, data=data[torn_at:])
            state.report("torn", name, scan.torn, directory=directory, preserved=kept)
            preserved = kept
        if preserved is not None:
            # the segment is sealed either way; cut only bytes that are kept or never were a record
            _truncate(storage, path, scan.valid_end, directory, sync)
    if ascan is not None:
        for region in ascan.corrupt:
            state.report("ack-corrupt", aname, region, directory=directory)
        if ascan.torn is not None:
            state.report("ack-torn", aname, ascan.torn, directory=directory)
            _truncate(storage, apath, ascan.valid_end, directory, sync)
    segment = Segment(
        seq=seq,
        size=scan.valid_end,
        records=scan.frames[-1].seq + 1 if scan.frames else 0,
        sealed=True,
        has_ack_file=has_ack,
        ack_size=ack_size,
    )
    for frame in scan.frames:
        if frame.offset in acked:
            continue
        queue = state.queues.get(frame.key)
        if queue is None:
            queue = state.queues[frame.key] = StreamQueue(frame.key)
        queue.add(seq, frame.offset, frame.size)
        segment.live += 1
        state.records += 1
        state.payload_bytes += frame.payload_len
    state.segments[seq] = segment
