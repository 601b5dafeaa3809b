"""Batching: records into request bodies of at most 1 MiB, exactly sized, in order. Pure.

The body of one request is ``[r1,r2,...]`` with no whitespace, so its size is known exactly from the
encoded records: ``1 + sum(len(r) + 1)``. A record that cannot fit alone (``len(r) + 2 > limit``)
is reported as failed with its index and size and never holds up the records after it. Memory is
bounded by one open batch: the iterable is read one record at a time.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import orjson

from azlogs._exceptions import RecordEncodeError
from azlogs.facts import MAX_BODY_BYTES
from azlogs.ingest._encoding import (
    DUMPS_OPTION,
    JsonLine,
    encode_record,
    join_body,
    json_default,
    reason_of,
)
from azlogs.ingest._result import RECORD_INVALID, RECORD_TOO_LARGE, FailedRecord

_dumps = orjson.dumps


@dataclass(slots=True)
class Batch:
    """Encoded records of one request, with their indexes in the caller's iterable.

    Attributes:
        indexes: record positions in the iterable, increasing.
        parts: the compact JSON of each record, same order.
        size: exact byte length of the body ``[r1,r2,...]``.
    """

    indexes: list[int]
    parts: list[bytes]
    size: int

    def __len__(self) -> int:
        return len(self.parts)

    def body(self) -> bytes:
        """The uncompressed JSON array body."""
        return join_body(self.parts)

    def halves(self) -> tuple[Batch, Batch]:
        """Split in two by record count, order kept (used after a 413)."""
        mid = len(self.parts) // 2
        return _make(self.indexes[:mid], self.parts[:mid]), _make(self.indexes[mid:], self.parts[mid:])


def _make(indexes: list[int], parts: list[bytes]) -> Batch:
    return Batch(indexes, parts, 1 + sum(len(p) + 1 for p in parts))


def too_large_reason(size: int, limit: int) -> str:
    """The FailedRecord reason for a record that can never fit in one request."""
    return (
        f"record is {size:,} bytes as JSON; with the array brackets it cannot fit in one request "
        f"of at most {limit:,} bytes (the Logs Ingestion API limit); split or shorten it "
        "(field values over 64 KB are truncated by the service anyway)"
    )


class Batcher:
    """Push-style batcher: feed records one by one, collect full batches and failures.

    ``add`` returns at most one item: a full Batch (the new record then opens the next batch), a
    FailedRecord for the new record, or None. ``flush`` returns the open batch at the end.
    """

    def __init__(self, max_body: int = MAX_BODY_BYTES) -> None:
        if max_body < 3:
            raise ValueError("max_body must leave room for '[', one record and ']'")
        self.max_body = max_body
        self.read = 0
        self._indexes: list[int] = []
        self._parts: list[bytes] = []
        self._size = 1  # "[" and "]" are 2 bytes; each record adds len + 1 (a comma, or "]")

    def add(self, record: Any) -> Batch | FailedRecord | None:
        """Encode one record and place it."""
        index = self.read
        self.read = index + 1
        if type(record) is JsonLine:
            part: bytes = record  # already parsed by its producer (an NDJSON reader)
        elif type(record) is dict:
            # the common case: serialise inline, without encode_record's type dispatch
            try:
                part = _dumps(record, default=json_default, option=DUMPS_OPTION)
            except TypeError as exc:
                return FailedRecord(index, reason_of(exc), None, RECORD_INVALID)
        else:
            try:
                part = encode_record(record)
            except RecordEncodeError as exc:
                return FailedRecord(index, exc.reason, None, RECORD_INVALID)
        n = len(part) + 1
        if self._size + n > self.max_body:
            if n + 1 > self.max_body:
                return FailedRecord(index, too_large_reason(n - 1, self.max_body), None, RECORD_TOO_LARGE)
            full = Batch(self._indexes, self._parts, self._size)
            self._indexes = [index]
            self._parts = [part]
            self._size = 1 + n
            return full
        self._indexes.append(index)
        self._parts.append(part)
        self._size += n
        return None

    def flush(self) -> Batch | None:
        """The open batch, if it holds any record; the batcher is empty afterwards."""
        if not self._parts:
            return None
        full = Batch(self._indexes, self._parts, self._size)
        self._indexes, self._parts, self._size = [], [], 1
        return full


def iter_batches(records: Iterable[Any], batcher: Batcher | None = None) -> Iterator[Batch | FailedRecord]:
    """Batches and failed records, in record order, streaming over any iterable."""
    b = batcher if batcher is not None else Batcher()
    add = b.add
    for record in records:
        item = add(record)
        if item is not None:
            yield item
    last = b.flush()
    if last is not None:
        yield last


async def aiter_batches(
    records: AsyncIterable[Any] | Iterable[Any], batcher: Batcher | None = None
) -> AsyncIterator[Batch | FailedRecord]:
    """The same as ``iter_batches`` over an async iterable (or a plain one)."""
    b = batcher if batcher is not None else Batcher()
    if not isinstance(records, AsyncIterable):
        for sync_item in iter_batches(records, b):
            yield sync_item
        return
    add = b.add
    async for record in records:
        item = add(record)
        if item is not None:
            yield item
    last = b.flush()
    if last is not None:
        yield last
