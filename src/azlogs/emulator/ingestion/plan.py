"""What to do with records of one stream of one DCR, worked out once and cached.

A :class:`StreamPlan` holds the stream's :class:`~azlogs.schema.coerce.StreamCoercer` and, per data
flow that reads the stream, its transformation hook and its targets: the output table in each
destination workspace, with a :class:`ColumnMap` that turns a row (a dict) into the tuple the store
inserts. Plans are rebuilt when the DCR object changes or the control plane reports a change.

Transformation hook: a data flow whose ``transformKql`` is empty or ``source`` passes coerced records
on unchanged (no hook, the fast path). Any other text goes through ``transform_factory(text,
input_columns)``, by default ``azlogs.kql.compile_transformation``; its ``apply(records)`` returns
``rows`` and per-record ``errors``. Without a KQL engine the request is refused with a clear 400: a
transformation is never faked.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final, Protocol

from azlogs._exceptions import AzlogsError
from azlogs.emulator.control.api import ControlPlane, DcrRecord
from azlogs.emulator.ingestion.errors import (
    TRANSFORMATION_FAILED,
    TRANSFORMATION_UNAVAILABLE,
    Refusal,
)
from azlogs.emulator.store.columns import encoder
from azlogs.emulator.store.registry import WorkspaceRef
from azlogs.schema.coerce import StreamCoercer
from azlogs.schema.model import DataFlow, StreamDeclaration, TableSchema
from azlogs.schema.names import TIME_GENERATED
from azlogs.schema.types import ColumnType, output_conversion, output_type

if TYPE_CHECKING:
    from azlogs.kql import Budget

_T: Final = ColumnType


class TransformOutput(Protocol):
    """What a transformation's ``apply`` returns."""

    rows: list[dict[str, Any]]
    errors: list[tuple[int, str]]


class Transform(Protocol):
    """A compiled transformation: ``apply`` maps coerced records to output rows and per-record errors."""

    output_columns: dict[str, str]  # name -> KQL type name

    def apply(
        self, records: Sequence[Mapping[str, Any]], *, budget: Budget | None = None
    ) -> TransformOutput: ...


TransformFactory = Callable[[str, Mapping[str, str]], Transform]


class TransformUnavailable(Exception):
    """No KQL engine to run a transformation with."""


def kql_transform_factory(text: str, input_columns: Mapping[str, str]) -> Transform:
    """Compile ``text`` with the KQL engine (``azlogs.kql``), if there is one."""
    try:
        from azlogs.kql import compile_transformation
    except ImportError as exc:
        raise TransformUnavailable(str(exc)) from exc
    transform: Transform = compile_transformation(text, input_columns)
    return transform


def unavailable_message(index: int, text: str) -> str:
    """The refusal for a transformation the emulator cannot run (no KQL engine)."""
    return (
        "transformations other than `source` arrive with the KQL engine (issue 5); "
        f"this DCR's data flow {index} uses: {text}"
    )


# --- column maps ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ColumnMap:
    """Turns rows (dicts keyed by source column) into tuples of a table's columns, encoded for SQLite.

    Attributes:
        columns: the table columns written, in tuple order.
        dropped: source columns the table lacks (their values go nowhere).
        mismatched: (column, reason) for source columns whose type the table column cannot take.
    """

    columns: tuple[str, ...]
    dropped: tuple[str, ...]
    mismatched: tuple[tuple[str, str], ...]
    build: Callable[[Sequence[Mapping[str, Any]]], list[tuple[Any, ...]]]

    @classmethod
    def compile(cls, source: Mapping[str, ColumnType], table: TableSchema) -> ColumnMap:
        """The map from rows with ``source`` columns into ``table``."""
        written: list[str] = []
        converters: dict[int, Callable[[Any], Any]] = {}
        dropped: list[str] = []
        mismatched: list[tuple[str, str]] = []
        for name, src_type in source.items():
            col = table.column(name)
            if col is None:
                dropped.append(name)
                continue
            conversion = output_conversion(src_type, col.type)
            if not conversion.accepted:
                mismatched.append(
                    (
                        name,
                        f"the table column is {col.type.kql_name}, the data is {src_type.kql_name}; "
                        "values of this column are dropped",
                    )
                )
                continue
            fn = _compose(conversion.convert, encoder(col.type))
            if fn is not None:
                converters[len(written)] = fn
            written.append(name)
        return cls(tuple(written), tuple(dropped), tuple(mismatched), _row_builder(written, converters))


def _row_builder(
    columns: list[str], converters: dict[int, Callable[[Any], Any]]
) -> Callable[[Sequence[Mapping[str, Any]]], list[tuple[Any, ...]]]:
    """A function turning rows into value tuples: one list comprehension, generated for these columns.

    Generated (as namedtuple and dataclasses generate their methods) because this runs for every
    record and a generic loop over columns costs half as much again; names enter only through repr().
    """
    namespace: dict[str, Any] = {}
    items = []
    for i, name in enumerate(columns):
        if i in converters:
            namespace[f"_c{i}"] = converters[i]
            items.append(f"_c{i}(r[{name!r}])")
        else:
            items.append(f"r[{name!r}]")
    source = f"def build(rows):\n    return [({', '.join(items)}{',' if items else ''}) for r in rows]\n"
    exec(source, namespace)  # noqa: S102 - the text is built above from repr() of column names only
    built: Callable[[Sequence[Mapping[str, Any]]], list[tuple[Any, ...]]] = namespace["build"]
    return built


def _compose(
    first: Callable[[Any], Any] | None, second: Callable[[Any], Any] | None
) -> Callable[[Any], Any] | None:
    if first is None:
        return second
    if second is None:
        return first
    return lambda v: second(first(v))


# --- plans ---------------------------------------------------------------------------------------------


@dataclass
class Target:
    """Where one data flow writes in one destination: a table in a workspace, or why it cannot."""

    table_name: str
    workspace: WorkspaceRef | None = None
    schema: TableSchema | None = None
    column_map: ColumnMap | None = None
    problem: tuple[str, str] | None = None  # (diagnostic kind, reason) when nothing can be written


@dataclass
class FlowPlan:
    """One data flow reading the stream."""

    index: int
    flow: DataFlow
    transform: Transform | None
    targets: list[Target] = field(default_factory=list)


@dataclass
class StreamPlan:
    """Everything needed to ingest records of one stream of one DCR."""

    dcr: DcrRecord
    stream: StreamDeclaration
    coercer: StreamCoercer
    flows: list[FlowPlan]


def _source_columns(plan_flow: FlowPlan, stream: StreamDeclaration) -> dict[str, ColumnType]:
    if plan_flow.transform is None:
        return dict(stream.column_types)
    out = {name: output_type(kql) for name, kql in plan_flow.transform.output_columns.items()}
    if TIME_GENERATED in out:
        out[TIME_GENERATED] = _T.DATETIME  # settled to a datetime before writing
    return out


def compile_plan(
    dcr: DcrRecord,
    stream: StreamDeclaration,
    control: ControlPlane,
    *,
    field_limit: int,
    transform_factory: TransformFactory = kql_transform_factory,
) -> StreamPlan:
    """Work out the plan for ``stream`` of ``dcr``.

    Raises:
        Refusal: a data flow's transformation cannot run (no KQL engine, or it does not compile).
    """
    rule = dcr.rule
    flows: list[FlowPlan] = []
    for index, flow in enumerate(rule.data_flows):
        if stream.name not in flow.streams:
            continue
        transform: Transform | None = None
        if not flow.is_passthrough:
            text = flow.transform_kql or ""
            try:
                transform = transform_factory(text, {c.name: c.type.kql_name for c in stream.columns})
            except TransformUnavailable:
                raise Refusal(400, TRANSFORMATION_UNAVAILABLE, unavailable_message(index, text)) from None
            except Exception as exc:  # the engine's KqlError, or anything it raises on this text
                reason = exc.message if isinstance(exc, AzlogsError) else f"{type(exc).__name__}: {exc}"
                raise Refusal(
                    400,
                    TRANSFORMATION_FAILED,
                    f"data flow {index} of DCR '{dcr.immutable_id}': the transformKql cannot run: {reason}",
                ) from exc
        plan_flow = FlowPlan(index, flow, transform)
        source = _source_columns(plan_flow, stream)
        table_name = flow.output_table
        for dest_name in flow.destinations:
            plan_flow.targets.append(_target(rule_dest(dcr, dest_name), table_name, control, source))
        flows.append(plan_flow)
    return StreamPlan(dcr, stream, StreamCoercer(stream, field_limit=field_limit), flows)


def rule_dest(dcr: DcrRecord, name: str) -> str | None:
    """The workspace resource id of the rule's Log Analytics destination ``name``, or None."""
    dest = dcr.rule.destination(name)
    return None if dest is None else dest.workspace_resource_id


def _target(
    workspace_rid: str | None,
    table_name: str | None,
    control: ControlPlane,
    source: Mapping[str, ColumnType],
) -> Target:
    if table_name is None:
        return Target("", problem=("table_missing", "the data flow's output stream names no table"))
    if workspace_rid is None:
        return Target(
            table_name,
            problem=(
                "workspace_missing",
                "the data flow names a destination that is not a Log Analytics workspace",
            ),
        )
    ws = control.workspace_by_resource_id(workspace_rid)
    if ws is None:
        return Target(table_name, problem=("workspace_missing", f"workspace {workspace_rid} does not exist"))
    table = control.table(ws.resource_id, table_name)
    if table is None:
        return Target(
            table_name,
            WorkspaceRef(ws.customer_id, ws.resource_id),
            problem=("table_missing", f"table {table_name} does not exist in workspace {ws.name}"),
        )
    return Target(
        table_name,
        WorkspaceRef(ws.customer_id, ws.resource_id),
        table.schema,
        ColumnMap.compile(source, table.schema),
    )
