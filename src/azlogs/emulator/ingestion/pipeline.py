"""Records of one request through a :class:`~.plan.StreamPlan`: coerce, transform, map to tables.

Runs on a worker thread (CPU-bound; the event loop stays free). Everything Azure would do silently
is done here too, and written into the request's :class:`~.report.RequestReport`:

* a body that is not a JSON array (an object, a scalar): nothing written (204 as Azure answers);
* an element that is not a JSON object: skipped [U] (the other records are written);
* the coercer's events: undeclared columns dropped, values converted or nulled, long values
  truncated, ``TimeGenerated`` filled or clamped;
* a transformation's per-record errors: the record is dropped;
* columns the output table lacks, or holds with another type: dropped;
* an output table or workspace that does not exist: the records go nowhere.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Final

import orjson

from azlogs.emulator.ingestion.plan import StreamPlan, Target
from azlogs.emulator.ingestion.report import RequestReport
from azlogs.emulator.store import diagnostics as kinds
from azlogs.emulator.store.columns import to_ticks
from azlogs.emulator.store.workspace_store import TableWrite
from azlogs.schema.coerce import TIME_FILLED, settle_time_generated
from azlogs.schema.names import TIME_GENERATED

_PREVIEW: Final = 120


def preview(value: Any) -> str:
    """A short JSON preview of a value for a diagnostics entry."""
    try:
        text = value if isinstance(value, str) else orjson.dumps(value).decode()
    except TypeError:
        text = repr(value)
    return text if len(text) <= _PREVIEW else text[: _PREVIEW - 1] + "…"


def _json_kind(value: Any) -> str:
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    if isinstance(value, str):
        return "string"
    if isinstance(value, bool):
        return "boolean"
    if value is None:
        return "null"
    return "number"


def run(plan: StreamPlan, body: Any, received: datetime, report: RequestReport) -> list[TableWrite]:
    """The table writes for one request's parsed body; what was lost goes into ``report``."""
    if not isinstance(body, list):
        report.add(
            kinds.OBJECT_BODY,
            f"the body is a JSON {_json_kind(body)}, not an array of records: Azure answers 204 and "
            "writes nothing; send [ {...}, ... ]",
            sample=preview(body),
        )
        return []
    coerce = plan.coercer.coerce
    rows: list[dict[str, Any]] = []
    origin: list[int] | None = None  # input index of each row, when some elements were skipped
    for i, rec in enumerate(body):
        if type(rec) is not dict:
            if origin is None:
                origin = list(range(len(rows)))
            report.add(
                kinds.NOT_AN_OBJECT,
                f"element is a JSON {_json_kind(rec)}, not an object; skipped",
                index=i,
                sample=preview(rec),
            )
            continue
        coerced = coerce(rec, received)
        if coerced.events:
            report.add_events(i, coerced.events)
        rows.append(coerced.row)
        if origin is not None:
            origin.append(i)
    if not rows:
        return []
    received_ticks = to_ticks(received)
    writes: list[TableWrite] = []
    if not plan.flows:
        report.add(
            kinds.TABLE_MISSING,
            f"no data flow of the DCR reads stream '{plan.stream.name}'; the records go nowhere",
            count=len(rows),
        )
    for flow in plan.flows:
        out_rows: Sequence[Mapping[str, Any]] = rows
        if flow.transform is not None:
            result = flow.transform.apply(rows)
            for index, reason in result.errors:
                report.add(
                    kinds.TRANSFORM_ERROR,
                    f"data flow {flow.index}: {reason}; record dropped",
                    index=origin[index] if origin is not None else index,
                )
            out_rows = _settle(result.rows, received, report, flow.transform.output_columns)
        if not out_rows:
            continue
        # Table-level entries name input records for a pass-through flow, output rows after a transformation.
        positions = origin if flow.transform is None else None
        for target in flow.targets:
            write = _target_write(target, out_rows, received_ticks, report, positions)
            if write is not None:
                writes.append(write)
    return writes


def _settle(
    rows: list[dict[str, Any]], received: datetime, report: RequestReport, columns: Mapping[str, str]
) -> list[dict[str, Any]]:
    """Apply the service's TimeGenerated rule to a transformation's output rows."""
    if TIME_GENERATED not in columns:
        return rows
    for i, row in enumerate(rows):
        value, event = settle_time_generated(row.get(TIME_GENERATED), received)
        row[TIME_GENERATED] = value
        if event is not None:
            report.add_events(i, [event])
    return rows


def _target_write(
    target: Target,
    rows: Sequence[Mapping[str, Any]],
    received_ticks: int,
    report: RequestReport,
    positions: list[int] | None,
) -> TableWrite | None:
    if target.problem is not None or target.column_map is None or target.workspace is None:
        kind, reason = target.problem or (kinds.TABLE_MISSING, "no table")
        report.add(kind, f"{reason}; the records go nowhere", table=target.table_name, count=len(rows))
        return None
    assert target.schema is not None
    cmap = target.column_map
    table = target.table_name
    for column in cmap.dropped:
        _report_column(
            report,
            rows,
            column,
            table,
            kinds.DROPPED_NOT_IN_TABLE,
            f"table {table} has no column '{column}'; its values are dropped",
            positions,
        )
    for column, reason in cmap.mismatched:
        _report_column(report, rows, column, table, kinds.TYPE_MISMATCH, reason, positions)
    constants: dict[str, int | str] = {}
    tg = target.schema.column(TIME_GENERATED)
    if tg is not None and TIME_GENERATED not in cmap.columns:
        constants[TIME_GENERATED] = received_ticks
        report.add(
            TIME_FILLED,
            "the data has no TimeGenerated for the table; set to the received time",
            column=TIME_GENERATED,
            table=table,
            index=0,
            count=len(rows),
        )
    return TableWrite(
        target.workspace, target.schema, cmap.columns, cmap.build(rows), received_ticks, constants
    )


def _report_column(
    report: RequestReport,
    rows: Sequence[Mapping[str, Any]],
    column: str,
    table: str,
    kind: str,
    reason: str,
    positions: list[int] | None,
) -> None:
    first: int | None = None
    sample = ""
    count = 0
    for i, row in enumerate(rows):
        value = row.get(column)
        if value is None or value == "":
            continue
        if first is None:
            first, sample = (i if positions is None else positions[i]), preview(value)
        count += 1
    if count:
        report.add(kind, reason, column=column, table=table, index=first, sample=sample, count=count)
