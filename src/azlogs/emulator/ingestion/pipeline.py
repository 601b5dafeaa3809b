"""Records of one request through a :class:`~.plan.StreamPlan`: coerce, transform, map to tables.

Runs on the ingestion worker thread (CPU-bound; the event loop stays free), in slices, with the
request's transformations under a deadline (see :mod:`azlogs.emulator.evaluation`). Everything Azure would do silently
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

from azlogs.emulator.evaluation import Deadline
from azlogs.emulator.ingestion.plan import FlowPlan, StreamPlan, Target
from azlogs.emulator.ingestion.report import RequestReport
from azlogs.emulator.store import diagnostics as kinds
from azlogs.emulator.store.columns import to_ticks
from azlogs.emulator.store.workspace_store import TableWrite
from azlogs.schema.coerce import TIME_FILLED, json_kind, settle_time_generated
from azlogs.schema.names import TIME_GENERATED

_PREVIEW: Final = 120
# Records coerced, transformed and encoded together: small enough that a slice's dicts are a few MB.
SLICE: Final = 4096


def preview(value: Any) -> str:
    """A short JSON preview of a value for a diagnostics entry."""
    try:
        text = value if isinstance(value, str) else orjson.dumps(value).decode()
    except TypeError:
        text = repr(value)
    return text if len(text) <= _PREVIEW else text[: _PREVIEW - 1] + "…"


def run(
    plan: StreamPlan,
    body: Any,
    received: datetime,
    report: RequestReport,
    *,
    deadline: Deadline | None = None,
) -> list[TableWrite]:
    """The table writes for one request's parsed body; what was lost goes into ``report``.

    Records go through in slices of :data:`SLICE`: a slice is coerced, transformed and encoded for
    the store, then its dicts are released, so the peak memory is the parsed body, the encoded rows
    and one slice (a 2 MiB body of ``{}`` records once took ~250 MB). Each element of ``body`` is
    replaced by None once its slice is done.

    ``deadline`` bounds the time of the request's transformations: a slice reached after it is not
    transformed, and a slice it interrupts keeps what was done; either way the records left are
    dropped and recorded as transformation errors, as Azure drops records whose transformation fails.
    """
    if not isinstance(body, list):
        report.add(
            kinds.OBJECT_BODY,
            f"the body is a JSON {json_kind(body)}, not an array of records: Azure answers 204 and "
            "writes nothing; send [ {...}, ... ]",
            sample=preview(body),
        )
        return []
    received_ticks = to_ticks(received)
    merged: dict[tuple[int, int], TableWrite] = {}
    emitted = [0] * len(plan.flows)  # output rows of each transformed flow so far
    records = 0
    for start in range(0, len(body), SLICE):
        chunk = body[start : start + SLICE]
        body[start : start + SLICE] = [None] * len(chunk)
        rows, origin = _coerce(plan, chunk, start, received, report)
        del chunk
        records += len(rows)
        for f, flow in enumerate(plan.flows):
            out_rows: Sequence[Mapping[str, Any]] = rows
            positions: list[int] | None = origin
            if flow.transform is not None:
                out_rows = _transform(flow, rows, origin, received, report, deadline, emitted[f])
                emitted[f] += len(out_rows)
                positions = None  # table-level entries name output rows after a transformation
            if not out_rows:
                continue
            for t, target in enumerate(flow.targets):
                write = _target_write(target, out_rows, received_ticks, report, positions)
                if write is not None:
                    _merge(merged, (f, t), write)
    if records and not plan.flows:
        report.add(
            kinds.TABLE_MISSING,
            f"no data flow of the DCR reads stream '{plan.stream.name}'; the records go nowhere",
            count=records,
        )
    return list(merged.values())


def _coerce(
    plan: StreamPlan, chunk: list[Any], start: int, received: datetime, report: RequestReport
) -> tuple[list[dict[str, Any]], list[int]]:
    """The coerced rows of one slice and the input index of each."""
    coerce = plan.coercer.coerce
    rows: list[dict[str, Any]] = []
    origin: list[int] = []
    for n, rec in enumerate(chunk):
        i = start + n
        if type(rec) is not dict:
            report.add(
                kinds.NOT_AN_OBJECT,
                f"element is a JSON {json_kind(rec)}, not an object; skipped",
                index=i,
                sample=preview(rec),
            )
            continue
        coerced = coerce(rec, received)
        if coerced.events:
            report.add_events(i, coerced.events)
        rows.append(coerced.row)
        origin.append(i)
    return rows, origin


def _transform(
    flow: FlowPlan,
    rows: list[dict[str, Any]],
    origin: list[int],
    received: datetime,
    report: RequestReport,
    deadline: Deadline | None,
    offset: int,
) -> list[dict[str, Any]]:
    """One slice through a flow's transformation, under what is left of the request's deadline."""
    assert flow.transform is not None
    if not rows:
        return []
    if deadline is not None and deadline.expired():
        report.add(
            kinds.TRANSFORM_ERROR,
            f"data flow {flow.index}: the transformations of this request went past their time limit "
            f"of {deadline.seconds:g} s; record dropped",
            index=origin[0],
            count=len(rows),
        )
        return []
    if deadline is None:
        result = flow.transform.apply(rows)
    else:
        result = flow.transform.apply(rows, budget=deadline.budget())
    for index, reason in result.errors:
        report.add(
            kinds.TRANSFORM_ERROR, f"data flow {flow.index}: {reason}; record dropped", index=origin[index]
        )
    return _settle(result.rows, received, report, flow.transform.output_columns, offset)


def _merge(merged: dict[tuple[int, int], TableWrite], key: tuple[int, int], write: TableWrite) -> None:
    """Add a slice's write to the request's write for the same flow and target."""
    found = merged.get(key)
    if found is None:
        merged[key] = TableWrite(
            write.workspace,
            write.schema,
            write.columns,
            list(write.rows),
            write.time_received,
            write.constants,
        )
    else:
        rows = found.rows
        assert isinstance(rows, list)
        rows.extend(write.rows)


def _settle(
    rows: list[dict[str, Any]],
    received: datetime,
    report: RequestReport,
    columns: Mapping[str, str],
    offset: int = 0,
) -> list[dict[str, Any]]:
    """Apply the service's TimeGenerated rule to a transformation's output rows (numbered from ``offset``)."""
    if TIME_GENERATED not in columns:
        return rows
    for i, row in enumerate(rows, offset):
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
