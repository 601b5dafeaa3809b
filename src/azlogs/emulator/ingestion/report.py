"""Collects what one ingestion request changed, dropped or refused, as diagnostics entries.

Events with the same kind, column and output table are folded into one entry that keeps the first
record's index, reason and value preview and counts the records: an undeclared column present in
every record of a 3,000-record request is one line in the feed, not 3,000.
"""

from __future__ import annotations

from typing import Any

from azlogs.emulator.store.diagnostics import Diagnostic
from azlogs.schema.coerce import CoercionEvent


class RequestReport:
    """The diagnostics of one request."""

    __slots__ = ("_entries", "client_request_id", "dcr", "request_id", "status", "stream", "time")

    def __init__(self, time: str, request_id: str, client_request_id: str, dcr: str, stream: str) -> None:
        self.time = time
        self.request_id = request_id
        self.client_request_id = client_request_id
        self.dcr = dcr
        self.stream = stream
        self.status = 204
        # (kind, column, table) -> [record_index, reason, sample, count]
        self._entries: dict[tuple[str, str, str], list[Any]] = {}

    def add(
        self,
        kind: str,
        reason: str,
        *,
        column: str = "",
        table: str = "",
        index: int | None = None,
        sample: str = "",
        count: int = 1,
    ) -> None:
        """Record ``count`` records (from ``index`` on) to which ``kind`` happened."""
        key = (kind, column, table)
        entry = self._entries.get(key)
        if entry is None:
            self._entries[key] = [index, reason, sample, count]
        else:
            entry[3] += count

    def add_events(self, index: int, events: list[CoercionEvent], table: str = "") -> None:
        """Record the coercer's events for the record at ``index``."""
        entries = self._entries
        for ev in events:
            key = (ev.kind, ev.column, table)
            entry = entries.get(key)
            if entry is None:
                entries[key] = [index, ev.reason, ev.original, 1]
            else:
                entry[3] += 1

    def __bool__(self) -> bool:
        return bool(self._entries)

    def entries(self) -> list[Diagnostic]:
        """The folded entries, in the order first seen."""
        return [
            Diagnostic(
                time=self.time,
                request_id=self.request_id,
                client_request_id=self.client_request_id,
                status=self.status,
                dcr=self.dcr,
                stream=self.stream,
                kind=kind,
                reason=reason,
                column_name=column,
                table_name=table,
                record_index=index,
                count=count,
                sample=sample,
            )
            for (kind, column, table), (index, reason, sample, count) in self._entries.items()
        ]
