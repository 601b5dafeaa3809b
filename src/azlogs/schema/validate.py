"""The service's rules for tables and data collection rules, answered in ARM's error shape.

:func:`validate_table` and :func:`validate_dcr` read ARM JSON, check what ARM checks at PUT time, and
either return the model or raise :class:`ArmValidationError` listing every problem found (not only
the first), each with a code Azure uses and a target path.

``transformKql`` other than ``source`` is checked by the KQL engine, not here: pass ``flow_checks``
to add its details (e.g. ``InvalidTransformQuery``) to the same error.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Final, TypeAlias

from azlogs.schema.datasources import data_source_problems
from azlogs.schema.errors import (
    DCR_INVALID_MESSAGE,
    INVALID_DATA_FLOW,
    INVALID_DESTINATION,
    INVALID_OUTPUT_TABLE,
    INVALID_PAYLOAD,
    INVALID_STREAM,
    INVALID_STREAM_DECLARATION,
    INVALID_TABLE,
    INVALID_TRANSFORM_OUTPUT,
    INVALID_TRANSFORM_QUERY,
    TABLE_INVALID_MESSAGE,
    ArmErrorDetail,
    ArmValidationError,
    to_arm_error,
)
from azlogs.schema.model import (
    Column,
    DataCollectionRule,
    DataFlow,
    StreamDeclaration,
    TableSchema,
    _parse_dcr,
    _parse_table,
)
from azlogs.schema.names import (
    CUSTOM_STREAM_PREFIX,
    MICROSOFT_STREAM_PREFIX,
    TIME_GENERATED,
    column_name_problem,
    output_stream_problem,
    stream_name_problem,
    table_for_output_stream,
    table_name_problem,
)
from azlogs.schema.types import ColumnType, Vocabulary, is_stream_to_table_compatible, type_name

__all__ = [
    "MAX_DATA_FLOWS",
    "MAX_LOG_ANALYTICS_DESTINATIONS",
    "MAX_STREAMS",
    "MAX_TABLE_COLUMNS",
    "MAX_TRANSFORM_KQL_CHARS",
    "TABLE_PLANS",
    "ArmErrorDetail",
    "ArmValidationError",
    "FlowCheck",
    "FlowContext",
    "TableLookup",
    "to_arm_error",
    "validate_dcr",
    "validate_table",
]

# Microsoft Learn, "Azure Monitor service limits" (data collection rules; Log Analytics tables).
MAX_TABLE_COLUMNS: Final = 500
MAX_DATA_FLOWS: Final = 10
MAX_STREAMS: Final = 10
MAX_LOG_ANALYTICS_DESTINATIONS: Final = 10
MAX_TRANSFORM_KQL_CHARS: Final = 15_360
TABLE_PLANS: Final = ("Analytics", "Basic", "Auxiliary")
# Tables API swagger: retentionInDays 4..730, totalRetentionInDays 4..4383; -1 means "workspace default".
_RETENTION_RANGE: Final = (4, 730)
_TOTAL_RETENTION_RANGE: Final = (4, 4383)

_WORKSPACE_ID_RE: Final = re.compile(
    r"/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft\.OperationalInsights/workspaces/[^/]+\Z",
    re.IGNORECASE,
)

TableLookup: TypeAlias = Mapping[str, TableSchema | None] | Callable[[str], TableSchema | None]
"""How validate_dcr finds an output table by name: a mapping or a function; None = no such table."""


@dataclass(frozen=True)
class FlowContext:
    """What a ``flow_checks`` hook sees for one data flow that passed the structural checks."""

    index: int
    flow: DataFlow
    dcr: DataCollectionRule
    input_streams: tuple[StreamDeclaration, ...]
    output_table: TableSchema | None

    @property
    def target(self) -> str:
        """The ARM target path of this flow, e.g. ``Properties.DataFlows[0]``."""
        return f"Properties.DataFlows[{self.index}]"


FlowCheck = Callable[[FlowContext], Iterable[ArmErrorDetail]]
"""A caller's extra check per data flow, e.g. the KQL engine's transformKql validation."""


# --- tables -----------------------------------------------------------------------------------------


def validate_table(body: object, *, name: str | None = None, custom: bool = True) -> TableSchema:
    """Check a table PUT body as Log Analytics does and return its schema.

    Args:
        body: the ARM JSON (``{"properties": {"schema": {...}, "plan": ...}}``).
        name: the table name from the request URL (checked against ``schema.name``).
        custom: the table must be a custom ``_CL`` table (the only kind azlogs creates).

    Raises:
        ArmValidationError: code ``InvalidPayload`` with one detail per problem.
    """
    errs: list[ArmErrorDetail] = []
    table = _parse_table(body, name, errs)
    if table is not None:
        errs.extend(_table_rule_problems(table, custom=custom))
    if errs or table is None:
        raise ArmValidationError(
            errs,
            code=INVALID_PAYLOAD,
            message=TABLE_INVALID_MESSAGE,
            hint="see each detail; column names start with a letter and use letters, digits, underscores",
        )
    return table


def _table_rule_problems(table: TableSchema, *, custom: bool) -> list[ArmErrorDetail]:
    errs: list[ArmErrorDetail] = []
    problem = table_name_problem(table.name, custom=custom)
    if problem:
        errs.append(
            ArmErrorDetail(INVALID_TABLE, f"table name '{table.name}': {problem}", "properties.schema.name")
        )
    seen: dict[str, str] = {}
    for i, col in enumerate(table.columns):
        target = f"properties.schema.columns[{i}]"
        problem = column_name_problem(col.name)
        if problem:
            errs.append(ArmErrorDetail(INVALID_TABLE, f"column '{col.name}': {problem}", target))
        folded = col.name.lower()
        if folded in seen:
            errs.append(
                ArmErrorDetail(
                    INVALID_TABLE,
                    f"column '{col.name}' duplicates column '{seen[folded]}' "
                    "(names compare case-insensitively)",
                    target,
                )
            )
        else:
            seen[folded] = col.name
    tg = table.column(TIME_GENERATED)
    if tg is None:
        errs.append(
            ArmErrorDetail(
                INVALID_TABLE,
                f"every table needs a '{TIME_GENERATED}' column of type 'dateTime'",
                "properties.schema.columns",
            )
        )
    elif tg.type is not ColumnType.DATETIME:
        errs.append(
            ArmErrorDetail(
                INVALID_TABLE,
                f"'{TIME_GENERATED}' must be of type 'dateTime', "
                f"not '{type_name(tg.type, Vocabulary.TABLE)}'",
                "properties.schema.columns",
            )
        )
    if len(table.columns) > MAX_TABLE_COLUMNS:
        errs.append(
            ArmErrorDetail(
                INVALID_TABLE,
                f"a table can have at most {MAX_TABLE_COLUMNS} columns; this one has {len(table.columns)}",
                "properties.schema.columns",
            )
        )
    if table.plan is not None and table.plan.lower() not in {p.lower() for p in TABLE_PLANS}:
        errs.append(
            ArmErrorDetail(
                INVALID_TABLE,
                f"plan '{table.plan}' is not one of {', '.join(TABLE_PLANS)}",
                "properties.plan",
            )
        )
    for value, (low, high), key in (
        (table.retention_in_days, _RETENTION_RANGE, "retentionInDays"),
        (table.total_retention_in_days, _TOTAL_RETENTION_RANGE, "totalRetentionInDays"),
    ):
        if value is not None and value != -1 and not low <= value <= high:
            errs.append(
                ArmErrorDetail(
                    INVALID_TABLE, f"'{key}' must be between {low} and {high}", f"properties.{key}"
                )
            )
    return errs


# --- data collection rules ----------------------------------------------------------------------------


def validate_dcr(
    body: object,
    *,
    tables: TableLookup | None,
    workspaces: Collection[str] | Callable[[str], bool] | None = None,
    flow_checks: Iterable[FlowCheck] = (),
    require_time_generated: bool = True,
) -> DataCollectionRule:
    """Check a DCR PUT body as ARM does and return the rule.

    Args:
        body: the ARM JSON (``{"location", "kind", "properties": {...}}``).
        tables: finds an output table by name (``MyTable_CL``, ``Syslog``); None skips every check
            that needs the workspace's tables.
        workspaces: workspace resource ids that exist (compared case-insensitively), or a predicate;
            None skips the check.
        flow_checks: called for each data flow that passed the structural checks; their details are
            added to the same error (e.g. the KQL engine's ``InvalidTransformQuery``).
        require_time_generated: a pass-through flow's stream must declare ``TimeGenerated`` (a
            transformation must produce it; a pass-through flow has nothing else to produce it).

    Raises:
        ArmValidationError: ``InvalidPayload`` / "Data collection rule is invalid" with one detail
            per problem (``InvalidStream``, ``InvalidOutputTable``, ``InvalidDataFlow`` ...).
    """
    errs: list[ArmErrorDetail] = []
    dcr = _parse_dcr(body, errs)
    if dcr is not None:
        _check_declarations(dcr, errs)
        declared = {d.name for d in dcr.stream_declarations}
        errs.extend(data_source_problems(dcr.extra_properties.get("dataSources"), declared))
        ws_by_dest = _check_destinations(dcr, workspaces, errs)
        _check_flows(dcr, tables, ws_by_dest, tuple(flow_checks), require_time_generated, errs)
    if errs or dcr is None:
        raise ArmValidationError(errs, code=INVALID_PAYLOAD, message=DCR_INVALID_MESSAGE)
    return dcr


def _check_declarations(dcr: DataCollectionRule, errs: list[ArmErrorDetail]) -> None:
    for decl in dcr.stream_declarations:
        target = f"Properties.StreamDeclarations.{decl.name}"
        problem = stream_name_problem(decl.name, declared=True)
        if problem:
            errs.append(ArmErrorDetail(INVALID_STREAM, f"stream '{decl.name}': {problem}", target))
        if not decl.columns:
            errs.append(
                ArmErrorDetail(
                    INVALID_STREAM_DECLARATION, f"stream '{decl.name}' declares no columns", target
                )
            )
        seen: set[str] = set()
        for i, col in enumerate(decl.columns):
            if col.name in seen:
                errs.append(
                    ArmErrorDetail(
                        INVALID_STREAM_DECLARATION,
                        f"stream '{decl.name}' declares column '{col.name}' twice",
                        f"{target}.Columns[{i}]",
                    )
                )
            seen.add(col.name)
    referenced = {s for f in dcr.data_flows for s in f.streams}
    streams = referenced | {d.name for d in dcr.stream_declarations}
    if len(streams) > MAX_STREAMS:
        errs.append(
            ArmErrorDetail(
                INVALID_STREAM,
                f"a data collection rule can use at most {MAX_STREAMS} streams; this one uses {len(streams)}",
                "Properties.StreamDeclarations",
            )
        )


def _check_destinations(
    dcr: DataCollectionRule,
    workspaces: Collection[str] | Callable[[str], bool] | None,
    errs: list[ArmErrorDetail],
) -> dict[str, str]:
    """Check the destinations; return Log Analytics destination name -> workspace id (folded)."""
    ws_by_dest: dict[str, str] = {}
    if len(dcr.destinations) > MAX_LOG_ANALYTICS_DESTINATIONS:
        errs.append(
            ArmErrorDetail(
                INVALID_DESTINATION,
                f"a data collection rule can have at most {MAX_LOG_ANALYTICS_DESTINATIONS} Log Analytics "
                "destinations",
                "Properties.Destinations.LogAnalytics",
            )
        )
    known: Callable[[str], bool] | None
    if workspaces is None or callable(workspaces):
        known = workspaces
    else:
        folded = {w.lower() for w in workspaces}

        def known(ws: str) -> bool:
            return ws.lower() in folded

    for i, dest in enumerate(dcr.destinations):
        target = f"Properties.Destinations.LogAnalytics[{i}]"
        if dest.name in ws_by_dest:
            errs.append(
                ArmErrorDetail(INVALID_DESTINATION, f"destination name '{dest.name}' is used twice", target)
            )
        ws_by_dest[dest.name] = dest.workspace_resource_id.lower()
        if _WORKSPACE_ID_RE.match(dest.workspace_resource_id) is None:
            errs.append(
                ArmErrorDetail(
                    INVALID_DESTINATION,
                    f"destination '{dest.name}': '{dest.workspace_resource_id}' is not a Log Analytics "
                    "workspace resource id (/subscriptions/.../resourceGroups/.../providers/"
                    "Microsoft.OperationalInsights/workspaces/...)",
                    f"{target}.WorkspaceResourceId",
                )
            )
        elif known is not None and not known(dest.workspace_resource_id):
            errs.append(
                ArmErrorDetail(
                    INVALID_DESTINATION,
                    f"destination '{dest.name}': workspace '{dest.workspace_resource_id}' was not found",
                    f"{target}.WorkspaceResourceId",
                )
            )
    return ws_by_dest


def _other_destination_names(dcr: DataCollectionRule) -> set[str]:
    names: set[str] = set()
    for value in dcr.other_destinations.values():
        items = value if isinstance(value, list) else [value]
        for item in items:
            if isinstance(item, Mapping) and isinstance(item.get("name"), str):
                names.add(item["name"])
    return names


def _lookup(tables: TableLookup, name: str) -> TableSchema | None:
    if isinstance(tables, Mapping):
        return tables.get(name)
    return tables(name)


def _check_flows(
    dcr: DataCollectionRule,
    tables: TableLookup | None,
    ws_by_dest: Mapping[str, str],
    flow_checks: tuple[FlowCheck, ...],
    require_time_generated: bool,
    errs: list[ArmErrorDetail],
) -> None:
    if not dcr.data_flows:
        errs.append(
            ArmErrorDetail(INVALID_DATA_FLOW, "at least one data flow is required", "Properties.DataFlows")
        )
    if len(dcr.data_flows) > MAX_DATA_FLOWS:
        errs.append(
            ArmErrorDetail(
                INVALID_DATA_FLOW,
                f"a data collection rule can have at most {MAX_DATA_FLOWS} data flows; "
                f"this one has {len(dcr.data_flows)}",
                "Properties.DataFlows",
            )
        )
    other_dests = _other_destination_names(dcr)
    workspaces_of_stream: dict[str, set[str]] = {}
    for i, flow in enumerate(dcr.data_flows):
        target = f"Properties.DataFlows[{i}]"
        before = len(errs)
        inputs = _check_flow_streams(dcr, flow, tables, target, errs)
        la_dests = _check_flow_destinations(flow, ws_by_dest, other_dests, target, errs)
        for s in flow.streams:
            workspaces_of_stream.setdefault(s, set()).update(ws_by_dest[d] for d in la_dests)
        if flow.transform_kql is not None and len(flow.transform_kql) > MAX_TRANSFORM_KQL_CHARS:
            errs.append(
                ArmErrorDetail(
                    INVALID_TRANSFORM_QUERY,
                    f"transformKql is {len(flow.transform_kql)} characters; "
                    f"the limit is {MAX_TRANSFORM_KQL_CHARS}",
                    f"{target}.TransformKql",
                )
            )
        if not flow.is_passthrough and len(flow.streams) > 1:
            errs.append(
                ArmErrorDetail(
                    INVALID_DATA_FLOW,
                    "a data flow with a transformation must read exactly one stream",
                    f"{target}.Streams",
                )
            )
        table = _check_flow_output(flow, la_dests, tables, target, errs)
        if table is not None and flow.is_passthrough:
            for decl in inputs:
                _check_passthrough(decl, table, require_time_generated, target, errs)
        if len(errs) == before:
            ctx = FlowContext(index=i, flow=flow, dcr=dcr, input_streams=tuple(inputs), output_table=table)
            for check in flow_checks:
                errs.extend(check(ctx))
    for stream, wss in workspaces_of_stream.items():
        if len(wss) > 1:
            errs.append(
                ArmErrorDetail(
                    INVALID_DATA_FLOW,
                    f"stream '{stream}' is sent to {len(wss)} workspaces; one stream can go to only one "
                    "workspace per data collection rule",
                    "Properties.DataFlows",
                )
            )


def _check_flow_streams(
    dcr: DataCollectionRule,
    flow: DataFlow,
    tables: TableLookup | None,
    target: str,
    errs: list[ArmErrorDetail],
) -> list[StreamDeclaration]:
    """The flow's input streams: declared ones, and Microsoft streams with their standard table's columns."""
    if not flow.streams:
        errs.append(
            ArmErrorDetail(INVALID_DATA_FLOW, "a data flow needs at least one stream", f"{target}.Streams")
        )
    inputs: list[StreamDeclaration] = []
    for j, stream in enumerate(flow.streams):
        where = f"{target}.Streams[{j}]"
        problem = stream_name_problem(stream, declared=False)
        if problem:
            errs.append(ArmErrorDetail(INVALID_STREAM, f"'Streams' stream '{stream}' {problem}", where))
            continue
        decl = dcr.stream(stream)
        if decl is not None:
            inputs.append(decl)
        elif stream.startswith(MICROSOFT_STREAM_PREFIX):
            # A Microsoft stream needs no declaration: its columns are its standard table's.
            table_name = table_for_output_stream(stream)
            table = _lookup(tables, table_name) if tables is not None and table_name else None
            if table is not None:
                inputs.append(StreamDeclaration(name=stream, columns=table.columns))
        elif stream.startswith(CUSTOM_STREAM_PREFIX):
            errs.append(
                ArmErrorDetail(
                    INVALID_STREAM,
                    f"'Streams' stream '{stream}' is not declared in 'streamDeclarations'",
                    where,
                )
            )
    return inputs


def _check_flow_destinations(
    flow: DataFlow,
    ws_by_dest: Mapping[str, str],
    other_dests: set[str],
    target: str,
    errs: list[ArmErrorDetail],
) -> list[str]:
    if not flow.destinations:
        errs.append(
            ArmErrorDetail(
                INVALID_DATA_FLOW, "a data flow needs at least one destination", f"{target}.Destinations"
            )
        )
    la: list[str] = []
    for j, name in enumerate(flow.destinations):
        if name in ws_by_dest:
            la.append(name)
        elif name not in other_dests:
            # Azure answers InvalidDataFlow at the flow itself (issue 10's measured answer).
            errs.append(
                ArmErrorDetail(
                    INVALID_DATA_FLOW,
                    f"Destinations[{j}]: destination '{name}' is not defined in 'destinations'",
                    target,
                )
            )
    return la


def _check_flow_output(
    flow: DataFlow,
    la_dests: list[str],
    tables: TableLookup | None,
    target: str,
    errs: list[ArmErrorDetail],
) -> TableSchema | None:
    """Check the tables the flow writes; return the table when the flow writes exactly one."""
    if not la_dests:
        return None
    where = f"{target}.OutputStream"
    if flow.output_stream is not None:
        problem = output_stream_problem(flow.output_stream)
        if problem:
            errs.append(
                ArmErrorDetail(
                    INVALID_OUTPUT_TABLE, f"output stream '{flow.output_stream}': {problem}", where
                )
            )
            return None
        outs = [flow.output_stream]
    else:
        # Without outputStream each input stream goes to its own table: Microsoft-Perf to Perf,
        # Custom-X_CL to X_CL (the recorded agent DCR sends Microsoft-Perf and Microsoft-Syslog so).
        outs = list(flow.streams)
        lacking = [s for s in outs if table_for_output_stream(s) is None]
        if lacking or not outs:
            named = f" for stream '{lacking[0]}'" if lacking else ""
            errs.append(
                ArmErrorDetail(
                    INVALID_OUTPUT_TABLE,
                    f"'outputStream' is required{named}: 'Custom-<Table>_CL' for a custom table, "
                    "'Microsoft-<Table>' for a standard table",
                    where,
                )
            )
            return None
    if tables is None:
        return None
    found: TableSchema | None = None
    for out in outs:
        table_name = table_for_output_stream(out)
        table = _lookup(tables, table_name) if table_name else None
        if table is None:
            for dest in la_dests:
                errs.append(
                    ArmErrorDetail(
                        INVALID_OUTPUT_TABLE,
                        f"Table for output stream '{out}' is not available for destination '{dest}'.",
                        where,
                    )
                )
        found = table
    return found if len(outs) == 1 else None


def _check_passthrough(
    decl: StreamDeclaration,
    table: TableSchema,
    require_time_generated: bool,
    target: str,
    errs: list[ArmErrorDetail],
) -> None:
    table_cols = {c.name: c for c in table.columns}
    for col in decl.columns:
        tcol = table_cols.get(col.name)
        if tcol is None:
            errs.append(
                ArmErrorDetail(
                    INVALID_TRANSFORM_OUTPUT,
                    f"stream '{decl.name}' column '{col.name}' does not exist in table '{table.name}'; "
                    "add the column to the table, or a transformKql that drops or renames it",
                    target,
                )
            )
        elif not is_stream_to_table_compatible(col.type, tcol.type):
            errs.append(
                ArmErrorDetail(
                    INVALID_TRANSFORM_OUTPUT,
                    f"stream '{decl.name}' column '{col.name}' produced '{_stream_word(col)}' output, "
                    f"table '{table.name}' expects '{type_name(tcol.type, Vocabulary.TABLE)}'",
                    target,
                )
            )
    if require_time_generated and decl.column(TIME_GENERATED) is None:
        errs.append(
            ArmErrorDetail(
                INVALID_TRANSFORM_OUTPUT,
                f"stream '{decl.name}' has no '{TIME_GENERATED}' column and the data flow has no "
                "transformation to produce it; declare it, or use a transformKql such as "
                f"'source | extend {TIME_GENERATED} = now()'",
                target,
            )
        )


def _stream_word(col: Column) -> str:
    return type_name(col.type, Vocabulary.STREAM)
