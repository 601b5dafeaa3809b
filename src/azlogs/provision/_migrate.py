"""``azlogs migrate``: a classic (Data Collector API) table to the Logs Ingestion API, keeping its columns.

Learn's custom-logs-migrate path, done in one command: read the classic table through the tables API,
``POST .../tables/{t}/migrate`` (one way; the table keeps its columns and rows), then a Direct DCR whose
stream ``Custom-{table}`` declares the **legacy payload** (the property names and JSON types senders
already post) and whose transformKql puts each property into the suffixed column the Data Collector API
made for it (``Count`` -> ``Count_d``), and the role assignment. Old KQL over the suffixed columns then
reads old and new records alike.

The stream is derived by reversing the API's rules (:func:`azlogs.schema.datacollector.split_column`).
Two refusals, named with the fix: a property the API stored under two types (``Name_s`` and
``Name_d``: one stream column cannot have two types; ``--field-type Name=dynamic`` routes each value by
its JSON type, as the API did), and a column that no rule maps (``--skip-column``). Pure planning
(:func:`legacy_mapping`) is separate from the ARM calls (:func:`plan_migration`, :func:`migrate_table`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from azlogs._exceptions import KqlError, PermanentServiceError, SchemaError, UsageError
from azlogs.kql import compile_transformation
from azlogs.provision._arm import ArmClient
from azlogs.provision._merge import Spec, existing_flow
from azlogs.provision._provision import WORKSPACE_API_VERSION, ProvisionRequest, ProvisionResult, provision
from azlogs.provision._target import ArmTarget, dcr_resource_id
from azlogs.schema import datacollector as dc
from azlogs.schema.infer import kql_identifier
from azlogs.schema.migration_map import LogTypeRoute
from azlogs.schema.model import Column, DataCollectionRule, StreamDeclaration, TableSchema
from azlogs.schema.names import CUSTOM_STREAM_PREFIX, STANDARD_COLUMNS, TIME_GENERATED
from azlogs.schema.template import DCR_API_VERSION, TABLE_API_VERSION, default_dcr_name
from azlogs.schema.types import ColumnType, Vocabulary, type_name

__all__ = [
    "LegacyMapping",
    "MigrationPlan",
    "MigrationResult",
    "legacy_mapping",
    "migrate_table",
    "plan_migration",
]

T = ColumnType
CLASSIC: Final = "Classic"
DCR_BASED: Final = "DataCollectionRuleBased"
# Columns a classic table has that no legacy property made (Log Analytics fills them itself). [U] for
# the agent-era ones (SourceSystem, Computer, MG, ManagementGroupName, RawData): seen in classic schemas.
_SYSTEM: Final = frozenset(
    n.lower()
    for n in (
        TIME_GENERATED,
        *STANDARD_COLUMNS,
        "SourceSystem",
        "Computer",
        "MG",
        "ManagementGroupName",
        "RawData",
    )
)
# The stream type a classic column's property is declared with (streams have no guid).
_STREAM_TYPE: Final = {
    T.STRING: T.STRING,
    T.REAL: T.REAL,
    T.BOOL: T.BOOL,
    T.DATETIME: T.DATETIME,
    T.GUID: T.STRING,
}
_CONVERT: Final = {
    T.STRING: "tostring",
    T.REAL: "todouble",
    T.BOOL: "tobool",
    T.DATETIME: "todatetime",
    T.GUID: "toguid",
}
_NULL: Final = {
    T.STRING: '""',
    T.REAL: "real(null)",
    T.BOOL: "bool(null)",
    T.DATETIME: "datetime(null)",
    T.GUID: "guid(null)",
}
# gettype() of a dynamic value that the Data Collector API stored in a column of this type.
_JSON_TYPES: Final = {T.STRING: ("string",), T.REAL: ("long", "real", "int"), T.BOOL: ("bool",)}
FIELD_TYPES: Final = ("string", "real", "boolean", "datetime", "dynamic")


@dataclass(frozen=True)
class LegacyMapping:
    """The stream that accepts the legacy payload and the transformation onto the classic columns.

    Attributes:
        stream: ``Custom-{table}``'s declaration: one column per legacy property.
        transform_kql: the data flow's transformation.
        fields: property -> the classic columns it fills.
        unmapped: classic columns that get no new values, with the reason.
    """

    stream: StreamDeclaration
    transform_kql: str
    fields: dict[str, list[str]]
    unmapped: dict[str, str] = field(default_factory=dict)


def _stream_word(t: ColumnType) -> str:
    return type_name(t, Vocabulary.STREAM)


def _fits(ref: str, col: Column) -> str:
    """KQL: the dynamic value ``ref`` is one the Data Collector API put in ``col``'s type."""
    conv = f"{_CONVERT[col.type]}({ref})"
    cond = " or ".join(f'gettype({ref}) == "{k}"' for k in _JSON_TYPES.get(col.type, ("string",)))
    return f"({cond}) and isnotnull({conv})" if col.type in (T.DATETIME, T.GUID) else cond


def _route_exprs(prop: str, cols: Sequence[Column], dynamic: bool) -> list[str]:
    """``column = expression`` for each of ``cols``; for a dynamic property each value goes to the first
    column (in the table's order) whose type fits it, as the API tried the existing columns in turn."""
    ref = kql_identifier(prop)
    out = []
    earlier: list[str] = []
    for col in cols:
        conv = f"{_CONVERT[col.type]}({ref})"
        if dynamic:  # (not() is not in the transformation dialect: an earlier fit is an outer iff)
            own = _fits(ref, col)
            conv = f"iff({own}, {conv}, {_NULL[col.type]})"
            if earlier:
                conv = f"iff({' or '.join(f'({e})' for e in earlier)}, {_NULL[col.type]}, {conv})"
            earlier.append(own)
        out.append(f"{kql_identifier(col.name)} = {conv}")
    return out


def legacy_mapping(
    table: TableSchema,
    *,
    time_generated_field: str | None = None,
    field_types: Mapping[str, str] | None = None,
    skip_columns: Sequence[str] = (),
) -> LegacyMapping:
    """The stream declaration and transformKql that land the legacy payload in ``table``'s columns. Pure.

    Args:
        table: the classic table's schema (its suffixed columns).
        time_generated_field: the property TimeGenerated comes from (the senders' ``time-generated-field``);
            None: TimeGenerated is the ingestion time, as the API did without the header.
        field_types: property -> stream type (``string``, ``real``, ``boolean``, ``datetime``, ``dynamic``),
            to resolve a property the API stored under two types.
        skip_columns: classic columns to leave without new values.

    Raises:
        SchemaError: a property stored under two types, or a column no rule maps (each named, with the fix).
    """
    overrides = {k.lower(): (k, v.lower()) for k, v in (field_types or {}).items()}
    skipped = {c.lower() for c in skip_columns}
    by_prop: dict[str, list[Column]] = {}
    names: dict[str, str] = {}
    unmapped: dict[str, str] = {}
    problems: list[str] = []
    for col in table.columns:
        if col.name.lower() in skipped:
            unmapped[col.name] = "skipped (--skip-column)"
            continue
        if col.name.lower() in _SYSTEM:
            continue
        split = dc.split_column(col.name)
        if split is None or split[1] is not col.type:
            problems.append(
                f"column {col.name} ({type_name(col.type, Vocabulary.TABLE)}) has no Data Collector API suffix "
                "of its type (_s string, _d real, _b boolean, _t datetime, _g guid), so no legacy property maps "
                f"to it: pass --skip-column {col.name} (records sent after the migration leave it empty)"
            )
            continue
        prop = split[0]
        names.setdefault(prop.lower(), prop)
        by_prop.setdefault(prop.lower(), []).append(col)
    for key, given in overrides.items():
        if key not in by_prop:
            problems.append(f"--field-type {given[0]}: the table has no column of a property {given[0]}")
        elif given[1] not in FIELD_TYPES:
            problems.append(
                f"--field-type {given[0]}={given[1]}: the type must be one of {', '.join(FIELD_TYPES)}"
            )
    stream_cols: list[Column] = []
    exprs: list[str] = []
    fields: dict[str, list[str]] = {}
    for key, cols in by_prop.items():
        prop = names[key]
        wanted = overrides.get(key, (prop, ""))[1]
        kinds = {_STREAM_TYPE[c.type] for c in cols}
        dynamic = wanted == "dynamic"
        if len(cols) > 1 and not wanted:
            listed = ", ".join(f"{c.name} ({type_name(c.type, Vocabulary.TABLE)})" for c in cols)
            problems.append(
                f"property {prop} was stored under {len(cols)} types ({listed}): a column name cannot be reused "
                f"with another type, and a stream column has one type. Pass --field-type {prop}=dynamic to "
                "route each value by its JSON type as the Data Collector API did, or "
                f"--field-type {prop}={_stream_word(_STREAM_TYPE[cols[0].type])} to keep one column"
            )
            continue
        if dynamic:
            stream_type = T.DYNAMIC
            targets = cols
        elif wanted:
            stream_type = {"boolean": T.BOOL}.get(wanted) or ColumnType(wanted)
            targets = [c for c in cols if _STREAM_TYPE[c.type] is stream_type]
            for c in cols:
                if c not in targets:
                    unmapped[c.name] = (
                        f"--field-type {prop}={wanted} keeps {', '.join(t.name for t in targets)}"
                    )
            if not targets:
                problems.append(f"--field-type {prop}={wanted}: no column of {prop} has that type")
                continue
        else:
            stream_type = next(iter(kinds))
            targets = cols
        stream_cols.append(Column(prop, stream_type))
        fields[prop] = [c.name for c in targets]
        exprs += _route_exprs(prop, targets, dynamic)
    if problems:
        raise SchemaError(
            f"table {table.name} cannot be migrated as it is:\n  - " + "\n  - ".join(problems),
            hint="nothing was changed; run again with the options named above (--dry-run shows the result)",
        )
    time_expr = "now()"
    if time_generated_field:
        key = time_generated_field.lower()
        found = next((c for c in stream_cols if c.name.lower() == key), None)
        if found is None:
            found = Column(time_generated_field, T.DATETIME)
            stream_cols.append(found)
        ref = kql_identifier(found.name)
        value = ref if found.type is T.DATETIME else f"todatetime({ref})"
        time_expr = f"iff(isnull({value}), now(), {value})"
    targets_all = [c for cols in fields.values() for c in cols]
    transform = f"source | extend {', '.join([f'{TIME_GENERATED} = {time_expr}', *exprs])}"
    transform += f" | project {', '.join([TIME_GENERATED, *map(kql_identifier, targets_all)])}"
    stream = StreamDeclaration(CUSTOM_STREAM_PREFIX + table.name, tuple(stream_cols))
    try:  # the engine the emulator runs, in the transformation dialect: what ARM would refuse, now
        compile_transformation(transform, {c.name: _stream_word(c.type) for c in stream.columns})
    except KqlError as exc:
        raise SchemaError(
            f"the transformation azlogs made for table {table.name} does not compile: {exc.message}",
            hint="report this with the table's columns; --skip-column leaves a troublesome column out",
        ) from exc
    return LegacyMapping(stream, transform, fields, unmapped)


DcrState = Literal["absent", "same", "differs"]


@dataclass(frozen=True)
class MigrationPlan:
    """What ``azlogs migrate`` will do, read from ARM; nothing is written to make it.

    Attributes:
        table: the table's schema (its columns stay as they are).
        table_id: the table's ARM id.
        classic: the table is still classic (the migrate action will be called).
        workspace_id: the workspace's customer id (what legacy senders sign with).
        mapping: the stream and transformation.
        time_generated_field: the property TimeGenerated comes from, or None.
        dcr_id: the DCR's ARM id.
        dcr_state: the DCR is ``absent``, the ``same`` as planned, or ``differs``.
    """

    table: TableSchema
    table_id: str
    classic: bool
    workspace_id: str
    mapping: LegacyMapping
    time_generated_field: str | None
    dcr_id: str
    dcr_state: DcrState

    @property
    def log_type(self) -> str:
        """The Log-Type legacy senders post: the table name without ``_CL``."""
        return self.table.name[: -len(dc.CLASSIC_SUFFIX)]

    @property
    def steps(self) -> list[str]:
        """The plan in words, one step a line."""
        out = [
            f"migrate table {self.table.name} (Classic -> DataCollectionRuleBased)"
            if self.classic
            else f"table {self.table.name} is already migrated (DataCollectionRuleBased)"
        ]
        dcr = self.dcr_id.rsplit("/", 1)[-1]
        out.append(
            {
                "absent": f"create DCR {dcr} (Direct) with stream {self.mapping.stream.name}",
                "same": f"DCR {dcr} already has stream {self.mapping.stream.name} and the transformation",
                "differs": f"DCR {dcr} exists with another stream or transformation: refused (create mode)",
            }[self.dcr_state]
        )
        return out

    def to_json(self) -> dict[str, Any]:
        """The plan as a JSON object."""
        return {
            "table": self.table.name,
            "table_id": self.table_id,
            "log_type": self.log_type,
            "classic": self.classic,
            "workspace_id": self.workspace_id,
            "dcr_id": self.dcr_id,
            "dcr_state": self.dcr_state,
            "stream": self.mapping.stream.name,
            "stream_declaration": self.mapping.stream.to_arm(),
            "transform_kql": self.mapping.transform_kql,
            "fields": self.mapping.fields,
            "unmapped": self.mapping.unmapped,
            "time_generated_field": self.time_generated_field,
            "steps": self.steps,
        }


@dataclass
class MigrationResult:
    """What ``azlogs migrate`` did, and where legacy payloads go now."""

    plan: MigrationPlan
    migrated: bool
    provisioned: ProvisionResult

    @property
    def already_migrated(self) -> bool:
        """The table was migrated and the DCR and role in place before: nothing changed."""
        return not self.migrated and not self.provisioned.changed

    def route(self) -> LogTypeRoute:
        """The mapping document's entry for this table's Log-Type."""
        p = self.provisioned
        return LogTypeRoute(p.table, p.endpoint, p.immutable_id, p.stream, self.plan.time_generated_field)

    def to_json(self) -> dict[str, Any]:
        """The result as a JSON object."""
        return {
            **self.plan.to_json(),
            "migrated": self.migrated,
            "already_migrated": self.already_migrated,
            "changed": self.migrated or self.provisioned.changed,
            "endpoint": self.provisioned.endpoint,
            "dcr_immutable_id": self.provisioned.immutable_id,
            "role_assignment_id": self.provisioned.role_assignment_id,
            "changes": [c.to_json() for c in self.provisioned.changes],
            "notes": list(self.provisioned.notes),
        }


def _subtype(doc: Mapping[str, Any]) -> str:
    return str(((doc.get("properties") or {}).get("schema") or {}).get("tableSubType") or "")


def plan_migration(
    arm: ArmClient,
    target: ArmTarget,
    table: str,
    *,
    time_generated_field: str | None = None,
    field_types: Mapping[str, str] | None = None,
    skip_columns: Sequence[str] = (),
    dcr_name: str | None = None,
) -> MigrationPlan:
    """Read the table and the DCR and plan the migration; writes nothing (``--dry-run`` shows this).

    Raises:
        UsageError: no such workspace or table, or a table that is not a custom ``_CL`` table.
        SchemaError: the table's columns cannot be mapped as they are (see :func:`legacy_mapping`).
    """
    if not table.endswith(dc.CLASSIC_SUFFIX):
        raise UsageError(
            f"{table} is not a custom log table: only NAME_CL tables made by the Data Collector API migrate",
            hint="give the table's full name, e.g. MyApp_CL",
        )
    ws = arm.get(target.workspace_resource_id, WORKSPACE_API_VERSION)
    if ws is None:
        raise UsageError(
            f"the workspace {target.workspace_resource_id} does not exist (or is not visible to this identity)",
            hint="pass --workspace with the resource id of an existing Log Analytics workspace",
        )
    table_id = f"{ws.get('id') or target.workspace_resource_id}/tables/{table}"
    doc = arm.get(table_id, TABLE_API_VERSION)
    if doc is None:
        raise UsageError(
            f"table {table} does not exist in workspace {target.workspace_resource_id}",
            hint="check the name (Log-Type + _CL); `azlogs query` on the workspace lists its tables",
        )
    subtype = _subtype(doc)
    if subtype not in (CLASSIC, DCR_BASED):
        raise UsageError(
            f"table {table} is not a classic custom table (tableSubType {subtype or 'missing'!r})",
            hint="only tables the Data Collector API made (Custom table (classic)) are migrated",
        )
    schema = TableSchema.from_arm(doc, name=table)
    mapping = legacy_mapping(
        schema, time_generated_field=time_generated_field, field_types=field_types, skip_columns=skip_columns
    )
    dcr_id = dcr_resource_id(target, dcr_name or default_dcr_name(table))
    dcr_doc = arm.get(dcr_id, DCR_API_VERSION)
    state: DcrState = "absent"
    if dcr_doc is not None:
        rule = DataCollectionRule.from_arm(dcr_doc)
        flow = existing_flow(rule, mapping.stream.name, table)
        same = (
            rule.stream(mapping.stream.name) == mapping.stream
            and flow is not None
            and flow.transform_kql == mapping.transform_kql
        )
        state = "same" if same else "differs"
    workspace_id = str((ws.get("properties") or {}).get("customerId") or "")
    return MigrationPlan(
        schema, table_id, subtype == CLASSIC, workspace_id, mapping, time_generated_field, dcr_id, state
    )


def migrate_table(
    arm: ArmClient,
    target: ArmTarget,
    plan: MigrationPlan,
    *,
    principal_id: str | None = None,
    principal_type: str = "ServicePrincipal",
    timeout: float = 300.0,
    interval: float = 2.0,
    sleep: Callable[[float], None] = time.sleep,
) -> MigrationResult:
    """Carry out ``plan``: migrate the table (when classic), then the DCR and the role; idempotent.

    Raises:
        SchemaError: the DCR exists with another stream or transformation (it is not replaced).
        ArmRequestError: ARM refused a call (403: the identity lacks ``tables/migrate/action`` or DCR write).
    """
    if plan.dcr_state == "differs":
        raise SchemaError(
            f"DCR {plan.dcr_id} exists with another {plan.mapping.stream.name} stream or transformation",
            hint="give --dcr-name for a new DCR, or delete that one (azlogs never rewrites a DCR it did not plan)",
        )
    if plan.classic:
        arm.request("POST", f"{plan.table_id}/migrate", TABLE_API_VERSION, ok=(200, 202, 204))
        deadline = time.monotonic() + timeout
        while _subtype(arm.get(plan.table_id, TABLE_API_VERSION) or {}) != DCR_BASED:
            if time.monotonic() >= deadline:
                raise PermanentServiceError(
                    f"table {plan.table.name} was not DataCollectionRuleBased within {timeout:.0f} s",
                    status=0,
                    hint="ARM may still be working on it: run the same command again in a few minutes",
                )
            sleep(interval)
    spec = Spec(plan.table, plan.mapping.stream, plan.mapping.transform_kql, transform_given=True)
    request = ProvisionRequest(
        spec,
        mode="create",
        dcr_name=plan.dcr_id.rsplit("/", 1)[-1],
        principal_id=principal_id,
        principal_type=principal_type,
    )
    result = provision(arm, target, request, timeout=timeout, interval=interval, sleep=sleep)
    return MigrationResult(plan, plan.classic, result)
