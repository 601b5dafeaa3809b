"""LogsIngestionHandler: Python logging into a DCR stream, through the same LogsClient.

``emit`` only turns the record into a row and puts it on a bounded queue; a background thread sends
rows in batches. When the queue is full a row is dropped (the new one by default, or the oldest),
counted in ``dropped``, announced once on stderr, and reported into the stream itself as a WARNING
row from logger ``azlogs.handler`` as soon as there is room: never silently. ``flush`` waits until
every row queued before it was sent; ``close`` flushes, stops the thread and closes a client the
handler created.

Records logged by the upload machinery itself (httpx, azure-identity, in the sending threads) are
not shipped: shipping them would feed the handler its own output.
"""

from __future__ import annotations

import collections
import datetime as dt
import logging
import sys
import threading
import time
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any, Literal

from azure.core.credentials import TokenProvider

from azlogs._exceptions import UsageError
from azlogs.ingest._client import LogsClient, in_client_thread
from azlogs.ingest._result import UploadResult

_STANDARD = frozenset(vars(logging.LogRecord("n", 0, "p", 0, "m", None, None))) | {
    "message",
    "asctime",
    "taskName",
}
_PLAIN = (str, int, float, bool, type(None), dict, list, tuple, dt.datetime, dt.date, uuid.UUID, Decimal)
_UTC = dt.timezone.utc


class _Marker:
    """A control item on the queue: flush up to here (and set ``done``), or stop."""

    def __init__(self, stop: bool = False) -> None:
        self.stop = stop
        self.done = threading.Event()


def record_to_row(record: logging.LogRecord, formatter: logging.Formatter) -> dict[str, Any]:
    """The row for one log record: TimeGenerated, Level, Logger, Message, Exception, and extras."""
    row: dict[str, Any] = {
        "TimeGenerated": dt.datetime.fromtimestamp(record.created, _UTC),
        "Level": record.levelname,
        "Logger": record.name,
        "Message": record.getMessage(),
    }
    if record.exc_info:
        row["Exception"] = formatter.formatException(record.exc_info)
    elif record.exc_text:
        row["Exception"] = record.exc_text
    if record.stack_info:
        row["Stack"] = formatter.formatStack(record.stack_info)
    for key, value in vars(record).items():
        if key in _STANDARD or key.startswith("_") or key in row:
            continue
        row[key] = value if isinstance(value, _PLAIN) else str(value)
    return row


class LogsIngestionHandler(logging.Handler):
    """A logging handler that sends records to a DCR stream.

    Args:
        stream: the DCR stream (its declaration should have TimeGenerated, Level, Logger, Message,
            Exception and the extra fields you log; undeclared fields are dropped by the DCR).
        client: a LogsClient to send through; if None, one is created from ``endpoint``,
            ``rule_id`` and ``credential`` (None: managed identity) and closed with the handler.
        level: the handler's level.
        capacity: rows the queue holds; beyond it rows are dropped by ``overflow``.
        overflow: ``"drop_newest"`` (keep what is queued) or ``"drop_oldest"`` (keep the latest).
        batch_size: rows per upload at most.
        flush_interval: seconds a row may wait for more rows before its batch is sent.
        flush_timeout: seconds ``flush``/``close`` wait for the sending thread.
        on_result: called in the sending thread with each UploadResult (to watch failures).
    """

    def __init__(
        self,
        stream: str,
        client: LogsClient | None = None,
        *,
        endpoint: str | None = None,
        rule_id: str | None = None,
        credential: TokenProvider | None = None,
        level: int = logging.NOTSET,
        capacity: int = 10_000,
        overflow: Literal["drop_newest", "drop_oldest"] = "drop_newest",
        batch_size: int = 1_000,
        flush_interval: float = 2.0,
        flush_timeout: float = 30.0,
        on_result: Callable[[UploadResult], None] | None = None,
    ) -> None:
        super().__init__(level)
        if overflow not in ("drop_newest", "drop_oldest"):
            raise UsageError(f"overflow must be 'drop_newest' or 'drop_oldest', got {overflow!r}")
        if capacity < 1 or batch_size < 1:
            raise UsageError("capacity and batch_size must be at least 1")
        self._owns_client = client is None
        if client is None:
            if not endpoint or not rule_id:
                raise UsageError("give a LogsClient, or endpoint and rule_id")
            client = LogsClient(endpoint, rule_id, credential, max_concurrency=2)
        self.client = client
        self.stream = stream
        self.capacity = capacity
        self.overflow = overflow
        self.batch_size = batch_size
        self.flush_interval = flush_interval
        self.flush_timeout = flush_timeout
        self.on_result = on_result
        self.sent = 0
        self.failed = 0
        self.dropped = 0
        self._reported_drops = 0
        self._warned = False
        self._warned_failed = False
        # rows and control markers, in order; markers do not count against capacity, so flush and
        # close never wait on a full queue
        self._items: collections.deque[dict[str, Any] | _Marker] = collections.deque()
        self._rows = 0
        self._cond = threading.Condition()
        self._closed = False
        self._rowfmt = logging.Formatter()
        self._thread = threading.Thread(target=self._run, name="azlogs-log-handler", daemon=True)
        self._thread.start()

    # -- producer side -----------------------------------------------------------------------

    def emit(self, record: logging.LogRecord) -> None:
        """Queue the record's row; never blocks on the network, never raises into the caller."""
        if self._closed or in_client_thread() or threading.current_thread() is self._thread:
            return
        try:
            row = record_to_row(record, self.formatter or self._rowfmt)
        except Exception:
            self.handleError(record)
            return
        with self._cond:
            if self._rows >= self.capacity:
                self.dropped += 1
                self._warn_drop()
                if self.overflow == "drop_newest":
                    return
                self._remove_oldest_row()
            self._rows += 1
            self._items.append(row)
            self._cond.notify()

    def _remove_oldest_row(self) -> None:
        for i, item in enumerate(self._items):  # markers are rare; the first row is near the front
            if not isinstance(item, _Marker):
                del self._items[i]
                self._rows -= 1
                return

    def _warn_drop(self) -> None:
        if not self._warned:
            self._warned = True
            sys.stderr.write(
                f"azlogs: log records are being dropped ({self.overflow}): the queue of {self.capacity} rows "
                f"for stream {self.stream} is full; the count goes to the stream and handler.dropped\n"
            )

    def _put_marker(self, marker: _Marker) -> None:
        with self._cond:
            self._items.append(marker)
            self._cond.notify()

    # -- consumer side -----------------------------------------------------------------------

    def _next(self, timeout: float | None) -> dict[str, Any] | _Marker | None:
        with self._cond:
            if not self._items:
                self._cond.wait(timeout)
            if not self._items:
                return None
            item = self._items.popleft()
            if not isinstance(item, _Marker):
                self._rows -= 1
            return item

    def _run(self) -> None:
        rows: list[dict[str, Any]] = []
        first_at = 0.0
        while True:
            timeout = max(0.0, first_at + self.flush_interval - time.monotonic()) if rows else None
            item = self._next(timeout)
            if isinstance(item, dict):
                if not rows:
                    first_at = time.monotonic()
                rows.append(item)
                if len(rows) < self.batch_size:
                    continue
            elif item is None and not rows:
                continue
            self._send(rows)
            rows = []
            if isinstance(item, _Marker):
                item.done.set()
                if item.stop:
                    return

    def _send(self, rows: list[dict[str, Any]]) -> None:
        with self._cond:
            new_drops = self.dropped - self._reported_drops
            self._reported_drops = self.dropped
        if new_drops:
            rows.append(
                {
                    "TimeGenerated": dt.datetime.now(_UTC),
                    "Level": "WARNING",
                    "Logger": "azlogs.handler",
                    "Message": f"{new_drops} log records dropped ({self.overflow}): the handler's queue of "
                    f"{self.capacity} rows was full; {self.dropped} dropped in total",
                }
            )
        if not rows:
            return
        try:
            result = self.client.upload(self.stream, rows)
        except Exception as exc:  # the sending thread must outlive any failure, or flush would hang
            self.failed += len(rows)
            sys.stderr.write(f"azlogs: {len(rows)} log records not sent to {self.stream}: {exc}\n")
            return
        self.sent += result.records_sent
        self.failed += result.failed_count
        if result.failed and not self._warned_failed:
            self._warned_failed = True
            sys.stderr.write(f"azlogs: log records failed for {self.stream}: {result.failed[0].reason}\n")
        if self.on_result is not None:
            try:
                self.on_result(result)
            except Exception as exc:
                sys.stderr.write(f"azlogs: the handler's on_result callback failed: {exc!r}\n")

    # -- lifecycle ---------------------------------------------------------------------------

    def flush(self) -> None:
        """Send every row queued so far; wait at most ``flush_timeout`` seconds."""
        if self._closed or not self._thread.is_alive():
            return
        marker = _Marker()
        self._put_marker(marker)
        marker.done.wait(self.flush_timeout)

    def close(self) -> None:
        """Flush, stop the sending thread, close the client if the handler created it."""
        if self._closed:
            super().close()
            return
        if self._thread.is_alive():
            marker = _Marker(stop=True)
            self._put_marker(marker)
            marker.done.wait(self.flush_timeout)
            self._thread.join(self.flush_timeout)
        self._closed = True
        if self.dropped:
            sys.stderr.write(
                f"azlogs: {self.dropped} log records were dropped by the handler for {self.stream}\n"
            )
        if self._owns_client:
            self.client.close()
        super().close()
