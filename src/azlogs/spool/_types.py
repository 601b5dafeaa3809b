"""Values the spool hands out: leased batches, counters, and the names of its policies."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from azlogs.spool._recovery import SpoolProblem

FsyncPolicy = Literal["batch", "always", "never"]
"""When appended records are fsynced; see :mod:`azlogs.spool._spool` for the trade-offs."""
FullPolicy = Literal["block", "error"]
"""What an append does when the spool holds ``max_bytes``."""


@dataclass(frozen=True, eq=False)
class Batch:
    """Records of one stream key handed to a sender; settle it with ``ack`` or ``nack``."""

    stream_key: str
    records: tuple[bytes, ...]
    lease_id: int
    _owner: object = field(repr=False)

    @property
    def nbytes(self) -> int:
        """Payload bytes in the batch."""
        return sum(len(r) for r in self.records)


@dataclass(frozen=True)
class SpoolStats:
    """Counters for the agent's status. ``*_appended``/``*_acked`` count since open; bytes are payload."""

    path: str
    records_appended: int
    bytes_appended: int
    records_acked: int
    bytes_acked: int
    records_recovered: int
    """Unacked records found on disk at open."""
    records_pending: int
    """Records not acked yet (ready and leased)."""
    bytes_pending: int
    records_leased: int
    segments: int
    disk_bytes: int
    """Bytes of segment files, counted against ``max_bytes`` (ack files, a few bytes a record, are not)."""
    max_bytes: int
    corrupt_records: int
    corrupt_bytes: int
    torn_tails: int
    torn_bytes: int
    lost_unknown: int
    """Segments that lost an unknown number of records (cut mid-record or to 0 bytes)."""
    damaged_files: int
    """Copies of damaged files kept in the spool's ``damaged/`` folder at this open."""
    foreign_files: int
    """Files in the spool directory the spool does not use (left alone, reported)."""
    append_errors: int
    ack_write_errors: int
    full_waits: int
    """Appends that had to wait for space."""
    pending_by_stream: dict[str, int]
    problems: tuple[SpoolProblem, ...]
    """The last 100 damages found, oldest first."""
