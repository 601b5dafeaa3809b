"""Records from files into a DCR stream, every one accounted for: the work of ``azlogs send``.

The files are read with :class:`~azlogs.ingest.readers.RecordReader`; every line that cannot be read
and every record the upload reports failed goes to one dead-letter file (the format of
:mod:`azlogs.ingest.deadletter`) with its file and line. The caller renders the report.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from azlogs.ingest._batching import iter_batches
from azlogs.ingest._result import FailedRecord, UploadError, UploadResult
from azlogs.ingest.deadletter import DeadLetter
from azlogs.ingest.readers import Format, RecordReader

__all__ = ["DryRun", "SentFiles", "dry_run_files", "send_files"]

OnError = Callable[[UploadError], None]
Upload = Callable[[Iterable[Any], OnError], UploadResult]


class _Uploader(Protocol):
    def upload(self, stream: str, logs: Iterable[Any], *, on_error: OnError | None = ...) -> UploadResult: ...


@dataclass(frozen=True)
class SentFiles:
    """What :func:`send_files` did: the upload's result, the lines that could not be read, the dead letters."""

    result: UploadResult
    bad_lines: int
    dead_letter: DeadLetter

    @property
    def failed(self) -> int:
        """Records that did not land, read or not."""
        return self.result.failed_count + self.bad_lines

    @property
    def records_read(self) -> int:
        """Every record or line met in the files."""
        return self.result.records_read + self.bad_lines


@dataclass(frozen=True)
class DryRun:
    """What :func:`dry_run_files` found: records, the requests they make, and what would fail."""

    records: int
    requests: int
    request_bytes: int
    failed: int
    bad_lines: int
    dead_letter: DeadLetter


def send_files(
    client: _Uploader,
    stream: str,
    paths: Sequence[str],
    dead_letter: DeadLetter,
    *,
    fmt: Format = "auto",
    upload: Upload | None = None,
) -> SentFiles:
    """Send the records of ``paths`` (``-``: stdin) to ``stream``; every failure is dead-lettered.

    Args:
        client: a :class:`~azlogs.ingest.LogsClient` (or anything with its ``upload``).
        dead_letter: where unreadable lines and refused records go, with file and line.
        fmt: ``auto`` (by name, then content), ``json``, ``ndjson`` or ``csv``.
        upload: how to run the upload (default ``client.upload(stream, records, on_error=...)``);
            a CLI passes one that shows progress.

    Raises:
        InputError: a file cannot be opened.
        AuthError, PermanentServiceError: the upload stopped (no token, wrong DCR, missing role).
    """
    reader = RecordReader(list(paths), fmt, on_bad=dead_letter.write)
    failures: list[UploadError] = []

    def default(records: Iterable[Any], on_error: OnError) -> UploadResult:
        return client.upload(stream, records, on_error=on_error)

    result = (upload or default)(reader, failures.append)
    dead_letter.write_upload(reader.locations, failures, result)
    return SentFiles(result, len(reader.bad), dead_letter)


def dry_run_files(paths: Sequence[str], dead_letter: DeadLetter, *, fmt: Format = "auto") -> DryRun:
    """Read and batch the records of ``paths`` as :func:`send_files` would, sending nothing.

    What would fail before any request (unreadable lines, records too large or not objects) is
    dead-lettered as it would be.
    """
    reader = RecordReader(list(paths), fmt, on_bad=dead_letter.write)
    requests = size = records = 0
    failed: list[FailedRecord] = []
    for item in iter_batches(reader):
        if isinstance(item, FailedRecord):
            failed.append(item)
            continue
        requests += 1
        records += len(item)
        size += len(item.body())
    dead_letter.write_refused(reader.locations, failed)
    return DryRun(records, requests, size, len(failed) + len(reader.bad), len(reader.bad), dead_letter)
