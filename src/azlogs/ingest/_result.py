"""What an upload tells its caller: every failed record, and the counts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from azlogs._exceptions import AzlogsError

# Codes azlogs puts in FailedRecord.code when the service gave none (the service's own error code,
# e.g. "OperationFailed", is kept when there is one).
RECORD_INVALID = "RecordInvalid"
RECORD_TOO_LARGE = "RecordTooLarge"
NOT_SENT = "NotSent"
TRANSPORT_FAILED = "TransportError"
AUTH_FAILED = "AuthError"
DEADLINE_EXCEEDED = "DeadlineExceeded"


@dataclass(frozen=True, slots=True)
class FailedRecord:
    """One record that did not land.

    Attributes:
        index: position of the record in the iterable given to ``upload`` (0-based).
        reason: what happened and, where azlogs can tell, what to do.
        status: the HTTP status of the last answer for this record, if there was one.
        code: the service's error code, or an azlogs code (``RecordInvalid``, ``RecordTooLarge``,
            ``NotSent``, ``TransportError``, ``AuthError``, ``DeadlineExceeded``).
    """

    index: int
    reason: str
    status: int | None = None
    code: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {"index": self.index, "reason": self.reason, "status": self.status, "code": self.code}


@dataclass(frozen=True)
class UploadError:
    """Given to ``on_error`` once per failure: a failed request (all its records) or one bad record.

    Attributes:
        error: the diagnosed error (a ServiceError, TransportError, AuthError or InputError).
        failed: the records concerned, with their indexes.
        records: their JSON, in the same order, so the caller can keep or re-queue them
            (empty for a record that could not be serialised).
    """

    error: AzlogsError
    failed: list[FailedRecord]
    records: list[bytes] = field(default_factory=list)

    @property
    def status(self) -> int | None:
        """HTTP status of the answer, if any."""
        return self.failed[0].status if self.failed else None

    def __str__(self) -> str:
        return f"{len(self.failed)} record(s) failed: {self.error}"


@dataclass
class UploadResult:
    """What happened to every record of one ``upload`` call.

    Attributes:
        records_read: records taken from the iterable.
        records_sent: records in requests the service accepted (204).
        bytes_sent: uncompressed JSON body bytes of the accepted requests.
        bytes_sent_gzip: the same bodies as sent on the wire (gzip).
        requests: HTTP requests made, retries included.
        retries: requests repeated after a retryable answer, a transport failure or a 401.
        splits: requests split in halves after a 413 (or a gzip body over the limit).
        failed: every record that did not land, ordered by index.
        stopped: why the upload stopped before reading the whole iterable (``fail_fast``, the
            deadline, no token, or a configuration error: an unknown stream or DCR, a missing role,
            a refused token, which every later request would get too), or None; records from
            ``records_read`` on were never read, and can be sent again once the cause is fixed.
        duration: seconds the call took.
    """

    records_read: int = 0
    records_sent: int = 0
    bytes_sent: int = 0
    bytes_sent_gzip: int = 0
    requests: int = 0
    retries: int = 0
    splits: int = 0
    failed: list[FailedRecord] = field(default_factory=list)
    stopped: str | None = None
    duration: float = 0.0

    @property
    def ok(self) -> bool:
        """True when every record of the iterable landed."""
        return not self.failed and self.stopped is None

    @property
    def failed_count(self) -> int:
        """Number of records that did not land."""
        return len(self.failed)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (the shape of ``azlogs send --json``)."""
        return {
            "ok": self.ok,
            "records_read": self.records_read,
            "records_sent": self.records_sent,
            "records_failed": self.failed_count,
            "bytes_sent": self.bytes_sent,
            "bytes_sent_gzip": self.bytes_sent_gzip,
            "requests": self.requests,
            "retries": self.retries,
            "splits": self.splits,
            "stopped": self.stopped,
            "duration": round(self.duration, 6),
            "failed": [f.to_dict() for f in self.failed],
        }

    def __str__(self) -> str:
        text = (
            f"{self.records_sent} of {self.records_read} records sent in {self.requests} requests "
            f"({self.retries} retries), {self.failed_count} failed, {self.duration:.2f} s"
        )
        if self.stopped:
            text += f"; stopped: {self.stopped}"
        return text
