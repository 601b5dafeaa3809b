"""The diagnostics feed: what the ingestion endpoint changed, dropped or refused, per request.

Azure answers 204 and drops data silently (docs/differences.md, the fidelity policy); the emulator
does the same and writes down here what it did, so a user can see it (``GET /_emulator/diagnostics``,
``azlogs emulator diagnostics``). Entries live in the store's ``_diagnostics`` SQLite table, written in
the same transaction as the rows they describe, capped to the newest :data:`DEFAULT_CAP` entries.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Final

DEFAULT_CAP: Final = 10_000

# Kinds beyond the coercer's (dropped_undeclared, coerced, coercion_failed, truncated, time_clamped,
# time_filled):
OBJECT_BODY: Final = "object_body"  # a JSON object (or scalar) instead of an array: 204, nothing written
NOT_AN_OBJECT: Final = "not_an_object"  # an array element that is not a JSON object: skipped
DROPPED_NOT_IN_TABLE: Final = "dropped_not_in_table"  # the output table lacks the column
TYPE_MISMATCH: Final = "type_mismatch"  # the output table column has another type
TABLE_MISSING: Final = "table_missing"  # the data flow's output table does not exist (any more)
WORKSPACE_MISSING: Final = "workspace_missing"  # the destination workspace does not exist
TRANSFORM_ERROR: Final = "transform_error"  # the transformation failed for a record
CONTENT_TYPE: Final = "content_type"  # Content-Type other than application/json (accepted)
REFUSED: Final = "refused"  # the request was answered with an error status

SCHEMA_SQL: Final = """
CREATE TABLE IF NOT EXISTS _diagnostics (
    id INTEGER PRIMARY KEY,
    time TEXT NOT NULL,
    request_id TEXT NOT NULL,
    client_request_id TEXT NOT NULL,
    status INTEGER NOT NULL,
    dcr TEXT NOT NULL,
    stream TEXT NOT NULL,
    kind TEXT NOT NULL,
    column_name TEXT NOT NULL,
    table_name TEXT NOT NULL,
    record_index INTEGER,
    count INTEGER NOT NULL,
    reason TEXT NOT NULL,
    sample TEXT NOT NULL
)
"""

FIELDS: Final = (
    "time",
    "request_id",
    "client_request_id",
    "status",
    "dcr",
    "stream",
    "kind",
    "column_name",
    "table_name",
    "record_index",
    "count",
    "reason",
    "sample",
)
INSERT_SQL: Final = f"INSERT INTO _diagnostics ({', '.join(FIELDS)}) VALUES ({', '.join('?' * len(FIELDS))})"  # noqa: S608 - fixed names


@dataclass(frozen=True)
class Diagnostic:
    """One thing the endpoint did to a request's data that the sender was not told.

    Events of one request with the same kind, column and table are one entry: ``record_index``,
    ``reason`` and ``sample`` come from the first record concerned, ``count`` says how many were.

    Attributes:
        time: when the request arrived, ISO 8601 UTC.
        request_id: the ``x-ms-request-id`` the emulator answered with.
        client_request_id: the ``x-ms-client-request-id`` the client sent ("" if none).
        status: the HTTP status the request was answered with.
        dcr: the DCR immutable id from the URL.
        stream: the stream name from the URL.
        kind: what happened (see the module constants and the coercer's event kinds).
        column_name: the column concerned ("" when none).
        table_name: the output table concerned ("" when none).
        record_index: index of the (first) record concerned in the request's array, None for the request.
        count: number of records concerned.
        reason: a sentence for a human.
        sample: a short preview of the value as received ("" when none).
        id: position in the feed (assigned by the store; increasing).
    """

    time: str
    request_id: str
    client_request_id: str
    status: int
    dcr: str
    stream: str
    kind: str
    reason: str
    column_name: str = ""
    table_name: str = ""
    record_index: int | None = None
    count: int = 1
    sample: str = ""
    id: int = 0

    def as_row(self) -> tuple[Any, ...]:
        """The values in :data:`FIELDS` order."""
        return tuple(getattr(self, f) for f in FIELDS)

    def to_json(self) -> dict[str, Any]:
        """The entry as the diagnostics endpoint renders it."""
        out = asdict(self)
        out["column"] = out.pop("column_name")
        out["table"] = out.pop("table_name")
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Diagnostic:
        """Read an entry rendered by :meth:`to_json`."""
        fields = dict(data)
        fields["column_name"] = fields.pop("column", "")
        fields["table_name"] = fields.pop("table", "")
        return cls(**fields)
