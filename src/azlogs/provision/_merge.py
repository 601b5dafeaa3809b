"""What provisioning writes, given what exists: the create and merge rules. Pure.

``create`` writes the table and the DCR when they do not exist, leaves them alone when they already
say exactly what is asked, and refuses when they differ (naming every difference): it never changes
something that is there. ``merge`` adds new columns to the table and the stream declaration, never
drops one, and refuses a type change with the reason. A column may keep its type when that type
already holds the new values: a string or dynamic column holds anything, real holds int and long,
long holds int. Every other change of type is refused: Log Analytics cannot change a column's type,
and the stream would null the values it cannot read.

The transformation after a merge: ``--transform`` when given; for a schema inferred from samples,
the same inference over the merged stream (so renames and the TimeGenerated rule cover the new
columns), provided the DCR's current transformation is what that inference gives for the current
stream (otherwise it was written by hand and is not ours to replace); for a schema file, its
transformation when its stream covers every existing stream column.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Final, Literal

from azlogs._exceptions import SchemaError
from azlogs.schema.infer import InferredSchema, infer_schema
from azlogs.schema.model import (
    Column,
    DataCollectionRule,
    DataFlow,
    LogAnalyticsDestination,
    StreamDeclaration,
    TableSchema,
)
from azlogs.schema.names import TIME_GENERATED, output_stream_for_table
from azlogs.schema.types import ColumnType, Vocabulary, type_name, widens

__all__ = [
    "Mode",
    "PipelinePlan",
    "Spec",
    "holds",
    "plan_dcr",
    "plan_pipeline",
    "same_table",
]

Mode = Literal["create", "merge"]
T = ColumnType
# One value per stream type that infer_schema reads back as that type (merge re-inference).
_SYNTHETIC: Final[Mapping[ColumnType, Any]] = {
    T.STRING: "text",
    T.INT: 1,
    T.LONG: 2**40,
    T.REAL: 1.5,
    T.BOOL: True,
    T.DATETIME: "2024-01-01T00:00:00Z",
    T.DYNAMIC: {"k": 1},
}
DESTINATION: Final = "workspace"


@dataclass(frozen=True)
class Spec:
    """What is asked for: table, stream and transformation; ``inferred`` when they came from samples."""

    table: TableSchema
    stream: StreamDeclaration
    transform_kql: str
    inferred: InferredSchema | None = None
    transform_given: bool = False

    @classmethod
    def from_inferred(cls, inferred: InferredSchema, transform: str | None = None) -> Spec:
        """The spec for a schema inferred from samples; ``transform`` overrides the inferred one."""
        return cls(
            inferred.table,
            inferred.stream,
            transform if transform is not None else inferred.transform_kql,
            inferred,
            transform is not None,
        )


@dataclass
class PipelinePlan:
    """The table, stream and transformation to write, and what changes (``notes`` for a human)."""

    table: TableSchema
    stream: StreamDeclaration
    transform_kql: str
    table_added: list[str] = field(default_factory=list)
    stream_added: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def holds(existing: ColumnType, new: ColumnType) -> bool:
    """Whether a column of type ``existing`` keeps values that call for ``new`` without loss."""
    return existing is new or existing in (T.STRING, T.DYNAMIC) or widens(new, existing)


def _table_word(t: ColumnType) -> str:
    return type_name(t, Vocabulary.TABLE)


def same_table(existing: TableSchema, wanted: TableSchema) -> bool:
    """Whether the two tables declare the same columns with the same types (order aside)."""
    a = {c.name.lower(): (c.name, c.type) for c in existing.columns}
    b = {c.name.lower(): (c.name, c.type) for c in wanted.columns}
    return a == b


def _differences(
    existing: Sequence[Column], wanted: Sequence[Column], vocabulary: Vocabulary, fold: bool
) -> list[str]:
    def key(name: str) -> str:
        return name.lower() if fold else name

    have = {key(c.name): c for c in existing}
    want = {key(c.name): c for c in wanted}
    out = []
    only_new = [c.name for k, c in want.items() if k not in have]
    only_old = [c.name for k, c in have.items() if k not in want]
    if only_new:
        out.append(f"new columns {', '.join(only_new)}")
    if only_old:
        out.append(f"columns {', '.join(only_old)} exist but are not asked for")
    for k, c in want.items():
        old = have.get(k)
        if old is not None and old.type is not c.type:
            out.append(
                f"column {c.name} is {type_name(old.type, vocabulary)}, asked {type_name(c.type, vocabulary)}"
            )
    return out


def _conflicts(
    existing: Sequence[Column], wanted: Sequence[Column], vocabulary: Vocabulary, fold: bool, where: str
) -> tuple[list[str], list[str]]:
    """(refused type changes, kept-type notes) of ``wanted`` against ``existing``."""
    have = {(c.name.lower() if fold else c.name): c for c in existing}
    refused, notes = [], []
    for c in wanted:
        old = have.get(c.name.lower() if fold else c.name)
        if old is None or old.type is c.type:
            continue
        old_w, new_w = type_name(old.type, vocabulary), type_name(c.type, vocabulary)
        if holds(old.type, c.type):
            notes.append(
                f"{where} column {old.name} stays {old_w} (the samples suggest {new_w}; {old_w} holds them)"
            )
        else:
            refused.append(f"{where} column {old.name} is {old_w}; the new data needs {new_w}")
    return refused, notes


def _union(
    existing: Sequence[Column], extra: Sequence[Column], fold: bool
) -> tuple[tuple[Column, ...], list[str]]:
    seen = {(c.name.lower() if fold else c.name) for c in existing}
    added = [c for c in extra if (c.name.lower() if fold else c.name) not in seen]
    return (*existing, *added), [c.name for c in added]


def _reinfer(
    stream: StreamDeclaration, table: str, time_column: str | None, guid_keys: frozenset[str]
) -> InferredSchema:
    """Inference over one synthetic record per stream: the names and transformation for ``stream``."""
    guid = "00000000-0000-0000-0000-000000000000"
    sample = {c.name: guid if c.name in guid_keys else _SYNTHETIC[c.type] for c in stream.columns}
    types = stream.column_types
    usable = time_column if time_column is not None and types.get(time_column) is T.DATETIME else None
    return infer_schema([sample], table=table, stream_name=stream.name, time_column=usable)


def plan_pipeline(
    spec: Spec,
    mode: Mode,
    *,
    table: TableSchema | None,
    stream: StreamDeclaration | None,
    transform_kql: str | None,
) -> PipelinePlan:
    """The table, stream declaration and transformation to write, given what exists.

    Args:
        spec: what is asked for.
        mode: ``create`` or ``merge``.
        table: the existing table, or None.
        stream: the existing stream declaration of the DCR, or None.
        transform_kql: the existing data flow's transformation (None when there is no flow).

    Raises:
        SchemaError: in create mode, something exists and differs; in merge mode, a type change or
            a transformation that is not ours to rewrite.
    """
    if mode == "create":
        problems = []
        if table is not None and not same_table(table, spec.table):
            diff = _differences(table.columns, spec.table.columns, Vocabulary.TABLE, fold=True)
            problems.append(f"table {table.name} exists and differs: {'; '.join(diff)}")
        if stream is not None and stream.columns != spec.stream.columns:
            diff = _differences(stream.columns, spec.stream.columns, Vocabulary.STREAM, fold=False)
            problems.append(f"stream {stream.name} exists and differs: {'; '.join(diff)}")
        if transform_kql is not None and stream is not None and transform_kql != spec.transform_kql:
            problems.append(
                f"the data flow's transformation is {transform_kql!r}, asked {spec.transform_kql!r}"
            )
        if problems:
            raise SchemaError(
                "provisioning in create mode changes nothing that exists, and:\n  - "
                + "\n  - ".join(problems),
                hint="use --mode merge to add the new columns (nothing is ever dropped), or another --table",
            )
        return PipelinePlan(spec.table, spec.stream, spec.transform_kql)
    return _merge(spec, table, stream, transform_kql)


def _merge(
    spec: Spec, table: TableSchema | None, stream: StreamDeclaration | None, transform_kql: str | None
) -> PipelinePlan:
    refused: list[str] = []
    notes: list[str] = []
    if table is not None:
        r, n = _conflicts(table.columns, spec.table.columns, Vocabulary.TABLE, True, f"table {table.name}")
        refused += r
        notes += n
    if stream is not None:
        r, n = _conflicts(
            stream.columns, spec.stream.columns, Vocabulary.STREAM, False, f"stream {stream.name}"
        )
        refused += r
        notes += n
    if refused:
        raise SchemaError(
            "--mode merge adds columns but never changes a column's type:\n  - " + "\n  - ".join(refused),
            hint="Log Analytics cannot change the type of an existing column, and the stream would store the "
            "values it cannot read as null. Send the field under a new name, or provision another table",
        )
    if stream is None:
        merged_stream, stream_added = spec.stream, [c.name for c in spec.stream.columns]
    else:
        cols, stream_added = _union(stream.columns, spec.stream.columns, fold=False)
        merged_stream = replace(stream, columns=cols)
    transform, names = _merged_transform(spec, stream, merged_stream, transform_kql)
    wanted = list(spec.table.columns)
    if names is not None:
        wanted = _renamed_table_columns(spec, merged_stream, names)
    if table is None:
        merged_table, table_added = replace(spec.table, columns=tuple(wanted)), [c.name for c in wanted]
    else:
        cols, table_added = _union(table.columns, wanted, fold=True)
        merged_table = replace(table, columns=cols)
    return PipelinePlan(merged_table, merged_stream, transform, table_added, stream_added, notes)


def _merged_transform(
    spec: Spec, stream: StreamDeclaration | None, merged: StreamDeclaration, current: str | None
) -> tuple[str, dict[str, str] | None]:
    """The transformation for the merged stream, and (for samples) the record key -> column names."""
    if spec.transform_given or stream is None:
        return spec.transform_kql, None
    if spec.inferred is None:
        missing = [c.name for c in stream.columns if spec.stream.column(c.name) is None]
        if missing and current is not None:
            raise SchemaError(
                f"the schema file's stream lacks columns the DCR's stream {stream.name} declares "
                f"({', '.join(missing)}), so its transformation may not cover them",
                hint="pass --transform with the transformation for the merged stream",
            )
        return spec.transform_kql, None
    time_column = spec.inferred.time_column
    guid_keys = _guid_keys(spec)
    after = _reinfer(merged, spec.table.name, time_column, guid_keys)
    names = {c.name: c.name for c in merged.columns}
    names.update({r.original: r.column for r in after.renames})
    if current is None:
        return after.transform_kql, names
    before = _reinfer(stream, spec.table.name, time_column, guid_keys)
    if before.transform_kql != current:
        raise SchemaError(
            f"the DCR's transformation for stream {stream.name} is not the one azlogs infers for it "
            f"({current!r}), so a merge cannot rewrite it safely",
            hint="pass --transform with the transformation for the merged stream",
        )
    before_names = {c.name: c.name for c in stream.columns}
    before_names.update({r.original: r.column for r in before.renames})
    moved = [k for k in before_names if names.get(k) != before_names[k]]
    if moved:
        raise SchemaError(
            "the new columns would change where existing fields land: "
            + ", ".join(f"{k} -> {before_names[k]} becomes {names[k]}" for k in moved),
            hint="rename the new fields in the records, or pass --transform",
        )
    return after.transform_kql, names


def _guid_keys(spec: Spec) -> frozenset[str]:
    """Record keys whose values the samples show to be GUIDs (their renames carry ``_g``)."""
    assert spec.inferred is not None
    names = {c.name: c.name for c in spec.inferred.stream.columns}
    names.update({r.original: r.column for r in spec.inferred.renames})
    return frozenset(
        k for k, n in names.items() if (c := spec.inferred.table.column(n)) is not None and c.type is T.GUID
    )


def _renamed_table_columns(spec: Spec, merged: StreamDeclaration, names: Mapping[str, str]) -> list[Column]:
    """Table columns for the merged stream: the inferred (sample) types, under the merged names."""
    assert spec.inferred is not None
    sample_names = {c.name: c.name for c in spec.inferred.stream.columns}
    sample_names.update({r.original: r.column for r in spec.inferred.renames})
    out = [Column(TIME_GENERATED, T.DATETIME)]
    for c in merged.columns:
        col_name = names.get(c.name, c.name)
        if col_name == TIME_GENERATED:
            continue
        from_samples = spec.inferred.table.column(sample_names.get(c.name, ""))
        out.append(Column(col_name, from_samples.type if from_samples is not None else c.type))
    return out


def plan_dcr(
    existing: DataCollectionRule | None,
    plan: PipelinePlan,
    *,
    location: str,
    workspace_resource_id: str,
    dce_id: str | None,
) -> DataCollectionRule:
    """The DCR to PUT: the existing rule with this stream, destination and data flow set; others kept."""
    out_stream = output_stream_for_table(plan.table.name)
    if existing is None:
        return DataCollectionRule(
            location=location,
            kind="Direct",
            data_collection_endpoint_id=dce_id,
            stream_declarations=(plan.stream,),
            destinations=(LogAnalyticsDestination(DESTINATION, workspace_resource_id),),
            data_flows=(DataFlow((plan.stream.name,), (DESTINATION,), plan.transform_kql, out_stream),),
        )
    decls = [d for d in existing.stream_declarations if d.name != plan.stream.name]
    decls.append(plan.stream)
    dest = next(
        (
            d
            for d in existing.destinations
            if d.workspace_resource_id.lower() == workspace_resource_id.lower()
        ),
        None,
    )
    dests = list(existing.destinations)
    if dest is None:
        taken = {d.name for d in dests}
        name = DESTINATION if DESTINATION not in taken else f"{DESTINATION}{len(dests) + 1}"
        dest = LogAnalyticsDestination(name, workspace_resource_id)
        dests.append(dest)
    flow = DataFlow((plan.stream.name,), (dest.name,), plan.transform_kql, out_stream)
    flows = list(existing.data_flows)
    for i, f in enumerate(flows):
        if plan.stream.name in f.streams and f.effective_output_stream == out_stream:
            flows[i] = replace(f, transform_kql=plan.transform_kql) if f.streams == flow.streams else f
            break
    else:
        flows.append(flow)
    return replace(
        existing,
        stream_declarations=tuple(decls),
        destinations=tuple(dests),
        data_flows=tuple(flows),
        data_collection_endpoint_id=dce_id or existing.data_collection_endpoint_id,
    )


def existing_flow(dcr: DataCollectionRule | None, stream: str, table: str) -> DataFlow | None:
    """The data flow of ``dcr`` that sends ``stream`` to ``table``, or None."""
    if dcr is None:
        return None
    out = output_stream_for_table(table)
    return next((f for f in dcr.data_flows if stream in f.streams and f.effective_output_stream == out), None)
