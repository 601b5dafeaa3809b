"""In-memory bookkeeping of the spool: segments, and the records of each stream key not yet handed out.

A record is referred to by a :data:`Ref` ``(segment number, byte offset, frame size)``; payloads stay
on disk until a lease reads them. Per stream key, never-leased records are kept as compact runs of
offsets per segment (8 bytes a record), so a backlog of millions of records costs tens of MB, not GB.
Nothing here is thread-safe by itself: the spool holds its state lock around every call.
"""

from __future__ import annotations

import heapq
from array import array
from collections import deque
from dataclasses import dataclass, field

from azlogs.spool._format import HEADER_BYTES

Ref = tuple[int, int, int]
"""(segment number, offset of the frame in the segment, frame size in bytes)."""


def segment_name(seq: int) -> str:
    """File name of segment ``seq``; the ack file swaps ``.log`` for ``.ack``."""
    return f"seg-{seq:020d}.log"


def ack_name(seq: int) -> str:
    """File name of the ack file of segment ``seq``."""
    return f"seg-{seq:020d}.ack"


def parse_name(name: str) -> tuple[int, str] | None:
    """``(number, "log" | "ack")`` for a spool file name, None for anything else."""
    if len(name) != 28 or not name.startswith("seg-") or name[24] != ".":
        return None
    digits, ext = name[4:24], name[25:]
    if not digits.isdigit() or ext not in ("log", "ack"):
        return None
    return int(digits), ext


@dataclass(eq=False, slots=True)
class Segment:
    """One segment file and what is known about its records."""

    seq: int
    size: int
    """Bytes committed: the end of the last frame that an append completed."""
    records: int
    """Frames committed; the next frame's sequence number."""
    live: int = 0
    """Records not yet acked."""
    sealed: bool = True
    """No more appends go to a sealed segment; it is deleted once ``live`` reaches 0."""
    created: float = 0.0
    has_ack_file: bool = False
    ack_size: int = 0
    """Bytes of valid ack frames in the ack file; the next ack frame is written there."""
    unwritten_acks: list[int] = field(default_factory=list)
    """Offsets acked in memory whose ack frame is not yet in the ack file (a failed write)."""

    @property
    def name(self) -> str:
        """The segment's file name."""
        return segment_name(self.seq)


class _Run:
    """Never-leased records of one key in one segment, in order."""

    __slots__ = ("offsets", "pos", "seg", "sizes")

    def __init__(self, seg: int) -> None:
        self.seg = seg
        self.offsets = array("I")
        self.sizes = array("I")
        self.pos = 0


class StreamQueue:
    """Records of one stream key that are ready to lease: nacked ones first, then never-leased ones."""

    def __init__(self, key: str) -> None:
        self.key = key
        self.key_bytes = key.encode("utf-8")
        self._runs: deque[_Run] = deque()
        self._returned: list[Ref] = []
        self.ready = 0
        self.leased = 0

    def payload_len(self, ref: Ref) -> int:
        """Payload bytes of a record of this key."""
        return ref[2] - HEADER_BYTES - len(self.key_bytes)

    def add(self, seg: int, offset: int, size: int) -> None:
        """Queue a newly appended (or recovered) record, after every record queued before."""
        if not self._runs or self._runs[-1].seg != seg:
            self._runs.append(_Run(seg))
        run = self._runs[-1]
        run.offsets.append(offset)
        run.sizes.append(size)
        self.ready += 1

    def head(self) -> Ref | None:
        """The oldest ready record, or None."""
        if self._returned:
            return self._returned[0]
        if self._runs:
            run = self._runs[0]
            return (run.seg, run.offsets[run.pos], run.sizes[run.pos])
        return None

    def take(self, max_records: int, max_bytes: int) -> list[Ref]:
        """Hand out ready records in order: at most ``max_records``, payloads within ``max_bytes``.

        The first record is always taken, even when larger than ``max_bytes``, so that one big
        record never blocks its queue (the sender decides what to do with it).
        """
        refs: list[Ref] = []
        total = 0
        while len(refs) < max_records:
            ref = self.head()
            if ref is None:
                break
            size = self.payload_len(ref)
            if refs and total + size > max_bytes:
                break
            total += size
            refs.append(ref)
            if self._returned:
                heapq.heappop(self._returned)
            else:
                run = self._runs[0]
                run.pos += 1
                if run.pos == len(run.offsets):
                    self._runs.popleft()
        self.ready -= len(refs)
        self.leased += len(refs)
        return refs

    def give_back(self, refs: list[Ref]) -> None:
        """Make leased records ready again, ahead of every record never leased."""
        for ref in refs:
            heapq.heappush(self._returned, ref)
        self.ready += len(refs)
        self.leased -= len(refs)

    def settle(self, count: int) -> None:
        """Forget ``count`` leased records: they were acked."""
        self.leased -= count
