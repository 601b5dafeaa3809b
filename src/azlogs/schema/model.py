"""Tables, stream declarations and data collection rules, read from and written as ARM JSON.

The dataclasses are immutable values. ``from_arm`` reads the JSON shape ARM uses
(``Microsoft.OperationalInsights/workspaces/tables`` and ``Microsoft.Insights/dataCollectionRules``)
and refuses a body that does not have that shape, with :class:`ArmValidationError` listing every
problem; the service's rules (names, limits, cross references) are checked by
:mod:`azlogs.schema.validate`. ``to_arm`` writes the body a PUT takes: read-only properties
(``immutableId``, ``endpoints``, ``provisioningState``) are the caller's to add.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from azlogs._exceptions import SchemaError
from azlogs.schema.errors import (
    DCR_INVALID_MESSAGE,
    INVALID_DATA_FLOW,
    INVALID_DESTINATION,
    INVALID_PAYLOAD,
    INVALID_STREAM_DECLARATION,
    INVALID_TABLE,
    TABLE_INVALID_MESSAGE,
    ArmErrorDetail,
    ArmValidationError,
)
from azlogs.schema.names import TIME_GENERATED, table_for_output_stream
from azlogs.schema.types import (
    ColumnType,
    Vocabulary,
    parse_type,
    type_name,
)

__all__ = [
    "Column",
    "DataCollectionRule",
    "DataFlow",
    "LogAnalyticsDestination",
    "StreamDeclaration",
    "TableSchema",
    "has_time_generated",
]

# Properties ARM computes; never part of what we write back in a PUT body.
_DCR_READ_ONLY: Final = frozenset({"immutableId", "endpoints", "provisioningState", "metadata"})
_DCR_MODELLED: Final = frozenset(
    {"description", "dataCollectionEndpointId", "streamDeclarations", "destinations", "dataFlows"}
)


@dataclass(frozen=True)
class Column:
    """A column of a table or a stream declaration; ``type`` belongs to that vocabulary."""

    name: str
    type: ColumnType
    description: str | None = None
    display_name: str | None = None
    data_type_hint: str | None = None

    def to_arm(self, vocabulary: Vocabulary) -> dict[str, Any]:
        """The column as ARM JSON, its type spelled for ``vocabulary`` (TABLE or STREAM)."""
        body: dict[str, Any] = {"name": self.name, "type": type_name(self.type, vocabulary)}
        if self.description is not None:
            body["description"] = self.description
        if self.display_name is not None:
            body["displayName"] = self.display_name
        if self.data_type_hint is not None:
            body["dataTypeHint"] = self.data_type_hint
        return body


class _HasColumns:
    """Lookups shared by tables and stream declarations (both hold ``columns``)."""

    columns: tuple[Column, ...]

    def column(self, name: str) -> Column | None:
        """The column called ``name`` (exact, case-sensitive), or None."""
        for c in self.columns:
            if c.name == name:
                return c
        return None

    @property
    def column_types(self) -> dict[str, ColumnType]:
        """Column name -> type, in declaration order."""
        return {c.name: c.type for c in self.columns}


@dataclass(frozen=True)
class TableSchema(_HasColumns):
    """A Log Analytics table: name, declared columns (``TimeGenerated`` among them) and plan."""

    name: str
    columns: tuple[Column, ...]
    plan: str | None = None
    retention_in_days: int | None = None
    total_retention_in_days: int | None = None
    description: str | None = None

    def to_arm(self) -> dict[str, Any]:
        """The PUT body of ``.../workspaces/{ws}/tables/{name}``."""
        schema: dict[str, Any] = {
            "name": self.name,
            "columns": [c.to_arm(Vocabulary.TABLE) for c in self.columns],
        }
        if self.description is not None:
            schema["description"] = self.description
        props: dict[str, Any] = {"schema": schema}
        if self.plan is not None:
            props["plan"] = self.plan
        if self.retention_in_days is not None:
            props["retentionInDays"] = self.retention_in_days
        if self.total_retention_in_days is not None:
            props["totalRetentionInDays"] = self.total_retention_in_days
        return {"properties": props}

    @classmethod
    def from_arm(cls, body: object, *, name: str | None = None) -> TableSchema:
        """Read a table's ARM JSON (PUT body or GET answer).

        Args:
            body: the JSON object.
            name: the table name from the URL; used when the body's ``schema.name`` is absent.

        Raises:
            ArmValidationError: the body does not have the table shape (every problem listed).
        """
        errs: list[ArmErrorDetail] = []
        table = _parse_table(body, name, errs)
        if errs or table is None:
            raise ArmValidationError(errs, code=INVALID_PAYLOAD, message=TABLE_INVALID_MESSAGE)
        return table


@dataclass(frozen=True)
class StreamDeclaration(_HasColumns):
    """A DCR stream declaration: the columns the ingestion endpoint keeps from each record."""

    name: str
    columns: tuple[Column, ...]

    def to_arm(self) -> dict[str, Any]:
        """The value under ``streamDeclarations[name]``."""
        return {"columns": [c.to_arm(Vocabulary.STREAM) for c in self.columns]}


@dataclass(frozen=True)
class LogAnalyticsDestination:
    """An entry of ``destinations.logAnalytics``."""

    name: str
    workspace_resource_id: str
    workspace_id: str | None = None  # read-only in ARM; kept when read, written only when set

    def to_arm(self) -> dict[str, Any]:
        """The destination as ARM JSON."""
        body = {"workspaceResourceId": self.workspace_resource_id, "name": self.name}
        if self.workspace_id is not None:
            body["workspaceId"] = self.workspace_id
        return body


@dataclass(frozen=True)
class DataFlow:
    """An entry of ``dataFlows``: input streams, destination names, transformation, output stream."""

    streams: tuple[str, ...]
    destinations: tuple[str, ...]
    transform_kql: str | None = None
    output_stream: str | None = None
    built_in_transform: str | None = None

    @property
    def is_passthrough(self) -> bool:
        """True when records pass unchanged: no transformation, an empty one or ``source``."""
        t = self.transform_kql
        return t is None or t.strip() in ("", "source")

    @property
    def effective_output_stream(self) -> str | None:
        """``outputStream``, or the input stream itself when that names a table (older DCRs).

        A data flow without ``outputStream`` sends a ``Custom-X_CL`` stream to table ``X_CL``.
        """
        if self.output_stream is not None:
            return self.output_stream
        if len(self.streams) == 1 and table_for_output_stream(self.streams[0]) is not None:
            return self.streams[0]
        return None

    @property
    def output_table(self) -> str | None:
        """The table this flow writes to, or None when the output stream names none."""
        out = self.effective_output_stream
        return None if out is None else table_for_output_stream(out)

    def to_arm(self) -> dict[str, Any]:
        """The data flow as ARM JSON."""
        body: dict[str, Any] = {"streams": list(self.streams), "destinations": list(self.destinations)}
        if self.transform_kql is not None:
            body["transformKql"] = self.transform_kql
        if self.output_stream is not None:
            body["outputStream"] = self.output_stream
        if self.built_in_transform is not None:
            body["builtInTransform"] = self.built_in_transform
        return body


@dataclass(frozen=True)
class DataCollectionRule:
    """A data collection rule as written in a PUT body (read-only properties excluded).

    ``other_destinations`` keeps destination kinds other than ``logAnalytics`` as their raw JSON,
    and ``extra_properties`` the properties this model does not interpret (``dataSources`` ...),
    so a rule read and written back loses nothing.
    """

    location: str
    stream_declarations: tuple[StreamDeclaration, ...] = ()
    destinations: tuple[LogAnalyticsDestination, ...] = ()
    data_flows: tuple[DataFlow, ...] = ()
    kind: str | None = None
    data_collection_endpoint_id: str | None = None
    description: str | None = None
    tags: Mapping[str, str] | None = None
    other_destinations: Mapping[str, Any] = field(default_factory=dict)
    extra_properties: Mapping[str, Any] = field(default_factory=dict)

    def stream(self, name: str) -> StreamDeclaration | None:
        """The declared stream called ``name``, or None."""
        for s in self.stream_declarations:
            if s.name == name:
                return s
        return None

    def destination(self, name: str) -> LogAnalyticsDestination | None:
        """The Log Analytics destination called ``name``, or None."""
        for d in self.destinations:
            if d.name == name:
                return d
        return None

    def flows_for_stream(self, stream: str) -> list[DataFlow]:
        """The data flows that read ``stream``, in order."""
        return [f for f in self.data_flows if stream in f.streams]

    @property
    def is_direct(self) -> bool:
        """Whether this is a ``kind: Direct`` rule (its own logs-ingestion endpoint)."""
        return (self.kind or "").lower() == "direct"

    def to_arm(self) -> dict[str, Any]:
        """The PUT body of ``.../dataCollectionRules/{name}``."""
        props: dict[str, Any] = dict(self.extra_properties)
        if self.description is not None:
            props["description"] = self.description
        if self.data_collection_endpoint_id is not None:
            props["dataCollectionEndpointId"] = self.data_collection_endpoint_id
        props["streamDeclarations"] = {s.name: s.to_arm() for s in self.stream_declarations}
        dests: dict[str, Any] = dict(self.other_destinations)
        if self.destinations:
            dests["logAnalytics"] = [d.to_arm() for d in self.destinations]
        props["destinations"] = dests
        props["dataFlows"] = [f.to_arm() for f in self.data_flows]
        body: dict[str, Any] = {"location": self.location}
        if self.kind is not None:
            body["kind"] = self.kind
        if self.tags is not None:
            body["tags"] = dict(self.tags)
        body["properties"] = props
        return body

    @classmethod
    def from_arm(cls, body: object) -> DataCollectionRule:
        """Read a DCR's ARM JSON (PUT body or GET answer); read-only properties are ignored.

        Raises:
            ArmValidationError: the body does not have the DCR shape (every problem listed).
        """
        errs: list[ArmErrorDetail] = []
        dcr = _parse_dcr(body, errs)
        if errs or dcr is None:
            raise ArmValidationError(errs, code=INVALID_PAYLOAD, message=DCR_INVALID_MESSAGE)
        return dcr


# --- parsing (shape only; rules live in validate.py) -------------------------------------------------


def _opt_str(
    obj: Mapping[str, Any], key: str, target: str, code: str, errs: list[ArmErrorDetail]
) -> str | None:
    value = obj.get(key)
    if value is None or isinstance(value, str):
        return value
    errs.append(ArmErrorDetail(code, f"'{key}' must be a string", target))
    return None


def _opt_int(obj: Mapping[str, Any], key: str, target: str, errs: list[ArmErrorDetail]) -> int | None:
    value = obj.get(key)
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    errs.append(ArmErrorDetail(INVALID_TABLE, f"'{key}' must be an integer", target))
    return None


def _parse_columns(
    raw: object,
    vocabulary: Vocabulary,
    target: str,
    code: str,
    errs: list[ArmErrorDetail],
) -> tuple[Column, ...]:
    if not isinstance(raw, list):
        errs.append(ArmErrorDetail(code, "'columns' must be an array of {name, type}", target))
        return ()
    columns: list[Column] = []
    for i, item in enumerate(raw):
        where = f"{target}[{i}]"
        if not isinstance(item, Mapping):
            errs.append(ArmErrorDetail(code, "a column must be an object {name, type}", where))
            continue
        name = item.get("name")
        if not isinstance(name, str) or not name:
            errs.append(ArmErrorDetail(code, "a column needs a non-empty 'name'", where))
            continue
        try:
            col_type = parse_type(item.get("type"), vocabulary)
        except SchemaError as exc:
            errs.append(ArmErrorDetail(code, f"column '{name}': {exc}", f"{where}.type"))
            continue
        columns.append(
            Column(
                name=name,
                type=col_type,
                description=_opt_str(item, "description", where, code, errs),
                display_name=_opt_str(item, "displayName", where, code, errs),
                data_type_hint=_opt_str(item, "dataTypeHint", where, code, errs),
            )
        )
    return tuple(columns)


def _parse_table(body: object, url_name: str | None, errs: list[ArmErrorDetail]) -> TableSchema | None:
    if not isinstance(body, Mapping):
        errs.append(ArmErrorDetail(INVALID_TABLE, "the request body must be a JSON object", None))
        return None
    props = body.get("properties")
    if not isinstance(props, Mapping):
        errs.append(ArmErrorDetail(INVALID_TABLE, "'properties' must be an object", "properties"))
        return None
    schema = props.get("schema")
    if not isinstance(schema, Mapping):
        errs.append(
            ArmErrorDetail(INVALID_TABLE, "'properties.schema' must be an object", "properties.schema")
        )
        return None
    name = _opt_str(schema, "name", "properties.schema.name", INVALID_TABLE, errs)
    if name is None:
        name = url_name
    elif url_name is not None and name != url_name:
        errs.append(
            ArmErrorDetail(
                INVALID_TABLE,
                f"schema name '{name}' differs from the table name '{url_name}' in the request URL",
                "properties.schema.name",
            )
        )
    if name is None:
        errs.append(ArmErrorDetail(INVALID_TABLE, "the table needs a name", "properties.schema.name"))
        return None
    columns = _parse_columns(
        schema.get("columns"), Vocabulary.TABLE, "properties.schema.columns", INVALID_TABLE, errs
    )
    return TableSchema(
        name=name,
        columns=columns,
        plan=_opt_str(props, "plan", "properties.plan", INVALID_TABLE, errs),
        retention_in_days=_opt_int(props, "retentionInDays", "properties.retentionInDays", errs),
        total_retention_in_days=_opt_int(
            props, "totalRetentionInDays", "properties.totalRetentionInDays", errs
        ),
        description=_opt_str(schema, "description", "properties.schema.description", INVALID_TABLE, errs),
    )


def _str_list(raw: object, target: str, code: str, errs: list[ArmErrorDetail]) -> tuple[str, ...]:
    if not isinstance(raw, list) or not all(isinstance(x, str) for x in raw):
        errs.append(ArmErrorDetail(code, "must be an array of strings", target))
        return ()
    return tuple(raw)


def _parse_dcr(body: object, errs: list[ArmErrorDetail]) -> DataCollectionRule | None:
    if not isinstance(body, Mapping):
        errs.append(ArmErrorDetail(INVALID_PAYLOAD, "the request body must be a JSON object", None))
        return None
    location = body.get("location")
    if not isinstance(location, str) or not location:
        errs.append(ArmErrorDetail(INVALID_PAYLOAD, "'location' is required", "location"))
        location = ""
    kind = _opt_str(body, "kind", "kind", INVALID_PAYLOAD, errs)
    tags = body.get("tags")
    if tags is not None and not (
        isinstance(tags, Mapping) and all(isinstance(v, str) for v in tags.values())
    ):
        errs.append(ArmErrorDetail(INVALID_PAYLOAD, "'tags' must be an object of strings", "tags"))
        tags = None
    props = body.get("properties")
    if not isinstance(props, Mapping):
        errs.append(ArmErrorDetail(INVALID_PAYLOAD, "'properties' must be an object", "Properties"))
        return None

    decls: list[StreamDeclaration] = []
    raw_decls = props.get("streamDeclarations", {})
    if raw_decls is None:
        raw_decls = {}
    if not isinstance(raw_decls, Mapping):
        errs.append(
            ArmErrorDetail(INVALID_STREAM_DECLARATION, "must be an object", "Properties.StreamDeclarations")
        )
        raw_decls = {}
    for sname, sbody in raw_decls.items():
        where = f"Properties.StreamDeclarations.{sname}"
        if not isinstance(sbody, Mapping):
            errs.append(ArmErrorDetail(INVALID_STREAM_DECLARATION, "must be an object {columns}", where))
            continue
        cols = _parse_columns(
            sbody.get("columns"), Vocabulary.STREAM, f"{where}.Columns", INVALID_STREAM_DECLARATION, errs
        )
        decls.append(StreamDeclaration(name=str(sname), columns=cols))

    la: list[LogAnalyticsDestination] = []
    other: dict[str, Any] = {}
    raw_dests = props.get("destinations", {})
    if raw_dests is None:
        raw_dests = {}
    if not isinstance(raw_dests, Mapping):
        errs.append(ArmErrorDetail(INVALID_DESTINATION, "must be an object", "Properties.Destinations"))
        raw_dests = {}
    for dkind, dlist in raw_dests.items():
        if dkind != "logAnalytics":
            other[str(dkind)] = dlist
            continue
        if not isinstance(dlist, list):
            errs.append(
                ArmErrorDetail(
                    INVALID_DESTINATION, "must be an array", "Properties.Destinations.LogAnalytics"
                )
            )
            continue
        for i, d in enumerate(dlist):
            where = f"Properties.Destinations.LogAnalytics[{i}]"
            if not isinstance(d, Mapping):
                errs.append(ArmErrorDetail(INVALID_DESTINATION, "must be an object", where))
                continue
            dname = d.get("name")
            ws = d.get("workspaceResourceId")
            if not isinstance(dname, str) or not dname:
                errs.append(ArmErrorDetail(INVALID_DESTINATION, "a destination needs a 'name'", where))
                continue
            if not isinstance(ws, str) or not ws:
                errs.append(
                    ArmErrorDetail(
                        INVALID_DESTINATION,
                        f"destination '{dname}' needs a 'workspaceResourceId'",
                        f"{where}.WorkspaceResourceId",
                    )
                )
                continue
            la.append(
                LogAnalyticsDestination(
                    name=dname,
                    workspace_resource_id=ws,
                    workspace_id=_opt_str(d, "workspaceId", where, INVALID_DESTINATION, errs),
                )
            )

    flows: list[DataFlow] = []
    raw_flows = props.get("dataFlows", [])
    if raw_flows is None:
        raw_flows = []
    if not isinstance(raw_flows, list):
        errs.append(ArmErrorDetail(INVALID_DATA_FLOW, "must be an array", "Properties.DataFlows"))
        raw_flows = []
    for i, f in enumerate(raw_flows):
        where = f"Properties.DataFlows[{i}]"
        if not isinstance(f, Mapping):
            errs.append(ArmErrorDetail(INVALID_DATA_FLOW, "must be an object", where))
            continue
        flows.append(
            DataFlow(
                streams=_str_list(f.get("streams"), f"{where}.Streams", INVALID_DATA_FLOW, errs),
                destinations=_str_list(
                    f.get("destinations"), f"{where}.Destinations", INVALID_DATA_FLOW, errs
                ),
                transform_kql=_opt_str(f, "transformKql", f"{where}.TransformKql", INVALID_DATA_FLOW, errs),
                output_stream=_opt_str(f, "outputStream", f"{where}.OutputStream", INVALID_DATA_FLOW, errs),
                built_in_transform=_opt_str(
                    f, "builtInTransform", f"{where}.BuiltInTransform", INVALID_DATA_FLOW, errs
                ),
            )
        )

    extra = {k: v for k, v in props.items() if k not in _DCR_MODELLED and k not in _DCR_READ_ONLY}
    return DataCollectionRule(
        location=location,
        kind=kind,
        tags=dict(tags) if tags is not None else None,
        description=_opt_str(props, "description", "Properties.Description", INVALID_PAYLOAD, errs),
        data_collection_endpoint_id=_opt_str(
            props, "dataCollectionEndpointId", "Properties.DataCollectionEndpointId", INVALID_PAYLOAD, errs
        ),
        stream_declarations=tuple(decls),
        destinations=tuple(la),
        data_flows=tuple(flows),
        other_destinations=other,
        extra_properties=extra,
    )


def has_time_generated(columns: tuple[Column, ...]) -> bool:
    """Whether ``columns`` holds a ``TimeGenerated`` datetime column."""
    return any(c.name == TIME_GENERATED and c.type is ColumnType.DATETIME for c in columns)
