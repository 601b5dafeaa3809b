"""``DCRLogErrors`` rows: Azure's own record of what a DCR refused or dropped, as the emulator writes it.

Azure writes them into the workspace of a DCR's diagnostic setting with the ``LogErrors`` category
(Microsoft Learn, "Monitor and troubleshoot DCR data collection": delivery and transformation errors,
Logs Ingestion API calls answered with an error, malformed payloads, limits). The emulator turns the
diagnostics it records for a request (:mod:`azlogs.emulator.store.diagnostics`) into these rows: one per
folded entry that lost data (a value converted to its column's type loses nothing and is not a row).
The columns are the table reference's; the messages are the emulator's own sentences (Azure's texts
are not published; docs/differences.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Final

from azlogs.emulator.control.api import DcrRecord
from azlogs.emulator.store import diagnostics as kinds
from azlogs.emulator.store.columns import encoder
from azlogs.emulator.store.registry import WorkspaceRef
from azlogs.emulator.store.workspace_store import TableWrite
from azlogs.schema import coerce
from azlogs.schema.builtin_tables import builtin_tables
from azlogs.schema.types import ColumnType

TABLE: Final = "DCRLogErrors"
# Entry kinds that mean data was refused or lost.
LOSS_KINDS: Final = frozenset(
    {
        coerce.DROPPED_UNDECLARED,
        coerce.COERCION_FAILED,
        coerce.TRUNCATED,
        kinds.OBJECT_BODY,
        kinds.NOT_AN_OBJECT,
        kinds.DROPPED_NOT_IN_TABLE,
        kinds.TYPE_MISMATCH,
        kinds.TABLE_MISSING,
        kinds.WORKSPACE_MISSING,
        kinds.TRANSFORM_ERROR,
        kinds.REFUSED,
    }
)
COLUMNS: Final = (
    "TimeGenerated",
    "ClientRequestId",
    "CorrelationId",
    "InputStreamId",
    "Message",
    "OperationName",
    "SourceSystem",
    "_SubscriptionId",
    "_ResourceId",
)
_TIME = encoder(ColumnType.DATETIME)


def message(entry: kinds.Diagnostic) -> str:
    """The row's Message: the reason, with the column, table and records it concerns."""
    where = []
    if entry.column_name:
        where.append(f"column '{entry.column_name}'")
    if entry.table_name:
        where.append(f"table '{entry.table_name}'")
    if entry.record_index is not None:
        first = f", first at index {entry.record_index}"
        where.append(f"{entry.count} record{'s' if entry.count != 1 else ''}{first}")
    tail = f" ({'; '.join(where)})" if where else ""
    return f"[{entry.kind}] {entry.reason}{tail}"


def writes(
    dcr: DcrRecord | None, entries: Sequence[kinds.Diagnostic], received: datetime
) -> list[TableWrite]:
    """The DCRLogErrors writes for a request's diagnostics ``entries`` (none without a diagnostic setting)."""
    if dcr is None or not dcr.log_errors_workspaces:
        return []
    lost = [e for e in entries if e.kind in LOSS_KINDS]
    if not lost:
        return []
    schema = builtin_tables()[TABLE.lower()]
    stamp = _TIME(received) if _TIME is not None else received
    subscription = dcr.resource_id.split("/")[2] if dcr.resource_id.count("/") > 2 else ""
    rows = [
        (
            stamp,
            e.client_request_id or None,
            e.request_id,
            e.stream,
            message(e),
            "Transformation" if e.kind == kinds.TRANSFORM_ERROR else "Ingestion",
            "Azure",
            subscription,
            dcr.resource_id,
        )
        for e in lost
    ]
    ticks = stamp if isinstance(stamp, int) else 0
    return [
        TableWrite(WorkspaceRef(ws.customer_id, ws.resource_id), schema, COLUMNS, rows, ticks)
        for ws in dcr.log_errors_workspaces
    ]
