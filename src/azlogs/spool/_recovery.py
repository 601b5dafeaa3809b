"""Recovery when a spool opens: scan every segment and ack file, keep what is valid and unacked.

Every frame's checksum is verified. A corrupt region is skipped and reported with the segment's name
and offset; a torn tail (a crash in the middle of an append) is truncated away; ack files are
scanned the same way, and a damaged ack frame only means its records are delivered again.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from typing import Literal

from azlogs.spool._errors import storage_error
from azlogs.spool._format import Region, scan_acks, scan_segment
from azlogs.spool._queue import Segment, StreamQueue, ack_name, parse_name, segment_name
from azlogs.spool._storage import Storage

log = logging.getLogger("azlogs.spool")

ProblemKind = Literal["corrupt", "torn", "ack-corrupt", "ack-torn"]


@dataclass(frozen=True)
class SpoolProblem:
    """Damage found in a spool file: what, where, and how many records it cost.

    ``corrupt``: bytes that are not a valid record, skipped (``records`` is estimated from the gap in
    frame sequence numbers). ``torn``: the unfinished last append of a crash, truncated away.
    ``ack-corrupt`` / ``ack-torn``: a damaged ack file; its records are delivered again (duplicates,
    never loss).
    """

    kind: ProblemKind
    file: str
    offset: int
    length: int
    records: int

    def __str__(self) -> str:
        what = {
            "corrupt": f"corrupt data skipped ({self.records} record(s) lost)",
            "torn": "torn tail of an interrupted append truncated",
            "ack-corrupt": "corrupt ack entry skipped (its records will be delivered again)",
            "ack-torn": "torn tail of an interrupted ack truncated",
        }[self.kind]
        return f"{self.file} offset {self.offset}: {self.length} bytes: {what}"


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

    def report(self, kind: ProblemKind, file: str, region: Region) -> None:
        """Record and log one problem."""
        problem = SpoolProblem(kind, file, region.offset, region.length, region.records)
        self.problems.append(problem)
        if kind == "corrupt":
            self.corrupt_records += region.records
            self.corrupt_bytes += region.length
        elif kind == "torn":
            self.torn_tails += 1
            self.torn_bytes += region.length
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


def recover(storage: Storage, directory: str, *, sync: bool) -> Recovered:
    """Scan the spool directory; truncate torn tails; return segments and per-stream queues."""
    found: dict[int, set[str]] = {}
    for name in storage.listdir(directory):
        parsed = parse_name(name)
        if parsed is not None:
            found.setdefault(parsed[0], set()).add(parsed[1])
    state = Recovered(next_seq=max(found, default=0) + 1)
    for seq in sorted(found):
        kinds = found[seq]
        if "log" not in kinds:
            state.orphan_acks.append(ack_name(seq))
            continue
        _recover_segment(storage, directory, seq, "ack" in kinds, sync, state)
    return state


def _recover_segment(
    storage: Storage, directory: str, seq: int, has_ack: bool, sync: bool, state: Recovered
) -> None:
    name = segment_name(seq)
    path = os.path.join(directory, name)
    data = _load(storage, path, directory)
    scan = scan_segment(data)
    for region in scan.corrupt:
        state.report("corrupt", name, region)
    if scan.torn is not None:
        state.report("torn", name, scan.torn)
        _truncate(storage, path, scan.valid_end, directory, sync)
    acked: set[int] = set()
    ack_size = 0
    if has_ack:
        aname = ack_name(seq)
        apath = os.path.join(directory, aname)
        ackdata = _load(storage, apath, directory)
        ascan = scan_acks(ackdata)
        for region in ascan.corrupt:
            state.report("ack-corrupt", aname, region)
        if ascan.torn is not None:
            state.report("ack-torn", aname, ascan.torn)
            _truncate(storage, apath, ascan.valid_end, directory, sync)
        acked = ascan.offsets
        ack_size = ascan.valid_end
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
