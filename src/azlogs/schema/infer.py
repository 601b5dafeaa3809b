"""Infer a custom table, its stream declaration and the transformation from sample records.

What :func:`infer_schema` decides, so a reader can predict it:

* **Types**, per column, over every sample (nulls and CSV empty cells say nothing):
  JSON booleans -> boolean; integers -> int, long beyond 32 bits, real beyond 64 bits; reals -> real;
  objects and arrays -> dynamic; strings -> datetime when every one is a Kusto datetime, guid when
  every one is a GUID, else string. CSV cells are text, so they are read the way the ingestion reads
  text: ``true``/``false`` -> boolean, integer literals -> int/long, numbers -> real, then datetime,
  GUID, string. Text that a number would not give back unchanged stays string (``007``, integers
  beyond 64 bits). Widening across records: int -> long -> real; dynamic with anything -> dynamic
  (it holds any JSON); any other mix -> string; never seen with a value -> string.
* **Names**: the stream keeps each record's original key; the table gets a valid column name and the
  transformation renames (``project-rename``), so values are never lost. The rename rule, applied to
  an invalid name: every character outside ``[A-Za-z0-9_]`` becomes ``_``, runs of ``_`` collapse,
  leading/trailing ``_`` are dropped, a name not starting with a letter gets the prefix ``c``, a name
  shorter than 2 gets the suffix ``_col``, and the result is cut to 45 characters. A reserved name
  (``Type``, ``id``, ``TenantId`` ...) gets the HTTP Data Collector API's type suffix: ``_s`` string
  or dynamic, ``_d`` int/long/real, ``_b`` boolean, ``_t`` datetime, ``_g`` guid (``Type`` ->
  ``Type_s``). A collision (case-insensitive, with a valid name or an earlier rename) gets ``_2``,
  ``_3`` ... Valid names are never changed.
* **TimeGenerated**: kept when the samples carry it as a datetime. Otherwise the transformation sets
  it from a datetime column (``time_column=``, else the first of timestamp/time/eventtime/datetime/
  date/ts/... by name, else the only datetime column), with ``now()`` when that value is null; with
  no such column, from ``now()`` (the ingestion time).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal

from azlogs._exceptions import SchemaError
from azlogs.schema.coerce import bool_text_value, is_guid_text, is_int_text, is_real_text
from azlogs.schema.datetimes import parse_datetime
from azlogs.schema.model import (
    Column,
    DataCollectionRule,
    DataFlow,
    LogAnalyticsDestination,
    StreamDeclaration,
    TableSchema,
)
from azlogs.schema.names import (
    COLUMN_NAME_MAX,
    COLUMN_NAME_MIN,
    CUSTOM_STREAM_PREFIX,
    TIME_GENERATED,
    column_name_problem,
    is_reserved_column_name,
    output_stream_for_table,
    table_name_problem,
)
from azlogs.schema.types import INT_MAX, INT_MIN, LONG_MAX, LONG_MIN, ColumnType, table_to_stream
from azlogs.schema.validate import MAX_TABLE_COLUMNS

__all__ = [
    "InferredSchema",
    "Rename",
    "csv_row_to_record",
    "infer_schema",
    "kql_identifier",
    "sanitize_column_name",
]

T = ColumnType
_INT32: Final = (INT_MIN, INT_MAX)
_INT64: Final = (LONG_MIN, LONG_MAX)
_REAL_MAX_INT: Final = 2**1023  # float(n) overflows beyond about 2**1024
_NUMERIC: Final = (T.INT, T.LONG, T.REAL)
_TYPE_SUFFIX: Final = {
    T.STRING: "_s",
    T.DYNAMIC: "_s",
    T.INT: "_d",
    T.LONG: "_d",
    T.REAL: "_d",
    T.BOOL: "_b",
    T.DATETIME: "_t",
    T.GUID: "_g",
}
# Normalised (lowercase, letters and digits only) names that usually hold the event time, in order.
_TIME_NAMES: Final = (
    "timestamp",
    "time",
    "eventtime",
    "eventtimestamp",
    "datetime",
    "date",
    "ts",
    "logtime",
    "timecreated",
    "createdat",
    "created",
    "occurredat",
)
_IDENT: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
# Words a bare KQL identifier must not be; such column names are written ['name'].
_KQL_WORDS: Final = frozenset(
    {
        "and", "or", "not", "by", "on", "with", "where", "project", "extend", "summarize", "let",
        "true", "false", "in", "has", "contains", "between", "source", "print", "parse", "datatable",
        "asc", "desc", "to", "step", "of", "kind", "limit", "take", "sort", "order", "top", "join",
        "union", "range", "count", "distinct", "as", "dynamic", "datetime", "timespan", "bool",
        "boolean", "int", "long", "real", "double", "string", "guid", "decimal", "null", "typeof",
        "time", "date",
    }
)  # fmt: skip


@dataclass(frozen=True)
class Rename:
    """A key of the records that the table holds under another column name."""

    original: str
    column: str
    reason: str


@dataclass(frozen=True)
class InferredSchema:
    """What the samples imply: table, stream declaration, transformation, and what was decided.

    Attributes:
        table: the custom table (``TimeGenerated`` first, then the columns as first seen).
        stream: the stream declaration; its columns carry the records' original keys.
        transform_kql: ``source``, or the renames and the ``TimeGenerated`` assignment.
        renames: every key that the table holds under another name, with the reason.
        time_generated: one sentence: how ``TimeGenerated`` is filled.
        time_column: the record key ``TimeGenerated`` comes from, or None.
        notes: widening decisions and other facts a user should read.
        records_seen: how many sample records were read.
    """

    table: TableSchema
    stream: StreamDeclaration
    transform_kql: str
    renames: tuple[Rename, ...]
    time_generated: str
    time_column: str | None
    notes: tuple[str, ...]
    records_seen: int

    @property
    def output_stream(self) -> str:
        """The data flow's output stream (``Custom-<table>``)."""
        return output_stream_for_table(self.table.name)

    def data_flow(self, destination: str) -> DataFlow:
        """The data flow from the stream into the table through ``destination``."""
        return DataFlow(
            streams=(self.stream.name,),
            destinations=(destination,),
            transform_kql=self.transform_kql,
            output_stream=self.output_stream,
        )

    def dcr(
        self,
        *,
        location: str,
        workspace_resource_id: str,
        destination: str = "workspace",
        kind: str | None = "Direct",
        data_collection_endpoint_id: str | None = None,
    ) -> DataCollectionRule:
        """A data collection rule that ingests the sampled records into the table."""
        return DataCollectionRule(
            location=location,
            kind=kind,
            data_collection_endpoint_id=data_collection_endpoint_id,
            stream_declarations=(self.stream,),
            destinations=(LogAnalyticsDestination(destination, workspace_resource_id),),
            data_flows=(self.data_flow(destination),),
        )


def csv_row_to_record(row: Mapping[str, str | None]) -> dict[str, str]:
    """A CSV row as the record to send: empty cells are absent values, other cells stay text."""
    return {k: v for k, v in row.items() if v is not None and v != "" and k is not None}


def kql_identifier(name: str) -> str:
    """``name`` as a KQL column reference: bare when it can be, else ``['...']`` quoted."""
    if _IDENT.match(name) and name.lower() not in _KQL_WORDS:
        return name
    escaped = name.replace("\\", "\\\\").replace("'", "\\'")
    return f"['{escaped}']"


def sanitize_column_name(name: str, column_type: ColumnType = T.STRING) -> str:
    """A valid custom-table column name for ``name`` by the documented rule (no collision check)."""
    if column_name_problem(name) is None:
        return name
    if is_reserved_column_name(name):
        base = _shape(name)
        return base[: COLUMN_NAME_MAX - 2] + _TYPE_SUFFIX[column_type]
    base = _shape(name)
    if is_reserved_column_name(base):
        base = base[: COLUMN_NAME_MAX - 2] + _TYPE_SUFFIX[column_type]
    return base


def _shape(name: str) -> str:
    text = re.sub(r"[^A-Za-z0-9_]", "_", name)
    text = re.sub(r"_+", "_", text).strip("_")
    if not text or not text[0].isalpha():
        text = "c" + text
    if len(text) < COLUMN_NAME_MIN:
        text += "_col"
    return text[:COLUMN_NAME_MAX]


# --- type inference ----------------------------------------------------------------------------------


def _json_kind(value: Any) -> ColumnType | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return T.BOOL
    if isinstance(value, int):
        if _INT32[0] <= value <= _INT32[1]:
            return T.INT
        if _INT64[0] <= value <= _INT64[1]:
            return T.LONG
        return T.REAL if abs(value) < _REAL_MAX_INT else T.STRING
    if isinstance(value, float):
        return T.REAL
    if isinstance(value, str):
        return _string_kind(value)
    if isinstance(value, (Mapping, list, tuple)):
        return T.DYNAMIC
    return T.STRING


def _string_kind(value: str) -> ColumnType:
    if parse_datetime(value) is not None:
        return T.DATETIME
    if is_guid_text(value):
        return T.GUID
    return T.STRING


def _csv_kind(value: Any) -> ColumnType | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        return _json_kind(value)
    if bool_text_value(value) is not None:
        return T.BOOL
    digits = value.strip().lstrip("+-")
    leading_zero = len(digits) > 1 and digits[0] == "0" and digits[1].isdigit()
    if is_int_text(value):
        if leading_zero:
            return T.STRING  # 007, 02134: a number would not give the text back
        n = int(value)
        if _INT32[0] <= n <= _INT32[1]:
            return T.INT
        return T.LONG if _INT64[0] <= n <= _INT64[1] else T.STRING
    if is_real_text(value) and not leading_zero:
        return T.REAL
    return _string_kind(value)


def _widen(kinds: set[ColumnType]) -> ColumnType:
    if not kinds:
        return T.STRING
    if T.DYNAMIC in kinds:
        return T.DYNAMIC
    if len(kinds) == 1:
        return next(iter(kinds))
    if kinds <= set(_NUMERIC):
        return T.REAL if T.REAL in kinds else T.LONG
    return T.STRING


def _describe(kinds: set[ColumnType]) -> str:
    return ", ".join(sorted(k.kql_name for k in kinds))


# --- the whole inference -------------------------------------------------------------------------------


def infer_schema(
    records: Iterable[Mapping[str, Any]],
    *,
    table: str,
    source_format: Literal["json", "csv"] = "json",
    stream_name: str | None = None,
    time_column: str | None = None,
) -> InferredSchema:
    """Infer the table, stream declaration and transformation that ingest ``records`` unchanged.

    Args:
        records: sample records: JSON objects, or CSV rows (``csv.DictReader`` dicts of text).
        table: the custom table name (``..._CL``).
        source_format: ``csv`` reads cell text as the ingestion would (numbers, booleans ...).
        stream_name: the stream declaration name; default ``Custom-<table>``.
        time_column: the record key to fill ``TimeGenerated`` from (must hold datetimes).

    Raises:
        SchemaError: no records, an invalid table name, too many columns, or a time column that is
            not a datetime column of the samples.
    """
    problem = table_name_problem(table)
    if problem:
        raise SchemaError(f"table '{table}': {problem}", hint="custom table names look like MyTable_CL")
    kind_of = _csv_kind if source_format == "csv" else _json_kind
    kinds: dict[str, set[ColumnType]] = {}
    seen = 0
    for record in records:
        seen += 1
        if not isinstance(record, Mapping):
            raise SchemaError(f"sample record {seen} is not a JSON object")
        for key, value in record.items():
            if not isinstance(key, str) or key == "":
                continue
            observed = kinds.setdefault(key, set())
            kind = kind_of(value)
            if kind is not None:
                observed.add(kind)
    if seen == 0:
        raise SchemaError(
            "no sample records to infer a schema from", hint="give a file with at least one record"
        )
    if not kinds:
        raise SchemaError(
            f"the {seen} sample records have no columns", hint="records are JSON objects with keys"
        )

    notes: list[str] = []
    types: dict[str, ColumnType] = {}
    for key, observed in kinds.items():
        types[key] = _widen(observed)
        if not observed:
            notes.append(f"column '{key}' holds no value in the samples; typed string")
        elif len(observed) > 1 and types[key] is T.STRING:
            notes.append(f"column '{key}' mixes {_describe(observed)} values; typed string")
        elif len(observed) > 1:
            notes.append(f"column '{key}' mixes {_describe(observed)} values; typed {types[key].kql_name}")

    keeps_time = types.get(TIME_GENERATED) is T.DATETIME
    if time_column == TIME_GENERATED:
        time_column = None
    elif keeps_time and time_column is not None:
        raise SchemaError(
            f"the records carry their own TimeGenerated; time column '{time_column}' would overwrite it",
            hint="leave out the time column, or rename TimeGenerated in the records",
        )
    names, renames = _assign_names(types, keeps_time)
    if len(names) + (0 if keeps_time else 1) > MAX_TABLE_COLUMNS:
        raise SchemaError(
            f"the samples have {len(names)} columns; a table holds at most {MAX_TABLE_COLUMNS} "
            "including TimeGenerated",
            hint="drop columns from the records, or pack them into one dynamic column",
        )

    source_time = _pick_time_column(types, time_column, keeps_time)
    table_columns = [Column(TIME_GENERATED, T.DATETIME)]
    table_columns += [Column(names[k], types[k]) for k in types if names[k] != TIME_GENERATED]
    stream_columns = tuple(Column(k, table_to_stream(t)) for k, t in types.items())
    steps: list[str] = []
    pairs = [f"{kql_identifier(names[r.original])} = {kql_identifier(r.original)}" for r in renames]
    if pairs:
        steps.append("project-rename " + ", ".join(pairs))
    if keeps_time:
        how = "from the records' own TimeGenerated values"
    elif source_time is not None:
        ref = kql_identifier(names[source_time])
        steps.append(f"extend {TIME_GENERATED} = iff(isnull({ref}), now(), {ref})")
        how = f"by the transformation, from column '{source_time}' (the ingestion time when it is empty)"
    else:
        steps.append(f"extend {TIME_GENERATED} = now()")
        how = "by the transformation, with the ingestion time (now()): the samples have no time column"
    transform = " | ".join(["source", *steps])

    return InferredSchema(
        table=TableSchema(name=table, columns=tuple(table_columns)),
        stream=StreamDeclaration(
            name=stream_name or CUSTOM_STREAM_PREFIX + table,
            columns=stream_columns,
        ),
        transform_kql=transform,
        renames=tuple(renames),
        time_generated=f"TimeGenerated is filled {how}",
        time_column=TIME_GENERATED if keeps_time else source_time,
        notes=tuple(notes),
        records_seen=seen,
    )


def _assign_names(types: Mapping[str, ColumnType], keeps_time: bool) -> tuple[dict[str, str], list[Rename]]:
    """Table column name for every record key; valid names first, so they never change."""
    names: dict[str, str] = {}
    taken: set[str] = set() if keeps_time else {TIME_GENERATED.lower()}
    for key in types:
        if column_name_problem(key) is None and key.lower() not in taken:
            names[key] = key
            taken.add(key.lower())
    renames: list[Rename] = []
    for key, col_type in types.items():
        if key in names:
            continue
        problem = column_name_problem(key)
        if problem is None:
            reason = "the name is taken by another column (names compare case-insensitively)"
        elif key == TIME_GENERATED:
            reason = f"the samples' TimeGenerated is not a datetime ({col_type.kql_name})"
        else:
            reason = problem
        base = sanitize_column_name(key, col_type) if problem is not None else key
        if key == TIME_GENERATED:
            base = TIME_GENERATED + _TYPE_SUFFIX[col_type]
        candidate, n = base, 1
        while candidate.lower() in taken:
            n += 1
            tail = f"_{n}"
            candidate = base[: COLUMN_NAME_MAX - len(tail)] + tail
        names[key] = candidate
        taken.add(candidate.lower())
        renames.append(Rename(key, candidate, reason))
    return names, renames


def _normalise(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def _pick_time_column(types: Mapping[str, ColumnType], wanted: str | None, keeps_time: bool) -> str | None:
    if wanted is not None:
        if wanted not in types:
            raise SchemaError(f"time column '{wanted}' is not a key of the sample records")
        if types[wanted] is not T.DATETIME:
            raise SchemaError(
                f"time column '{wanted}' holds {types[wanted].kql_name} values, not datetimes",
                hint="choose a column whose values are ISO 8601 or RFC 822 datetimes",
            )
        return wanted
    if keeps_time:
        return None
    datetimes = [k for k, t in types.items() if t is T.DATETIME and k != TIME_GENERATED]
    by_name = {_normalise(k): k for k in reversed(datetimes)}
    for preferred in _TIME_NAMES:
        if preferred in by_name:
            return by_name[preferred]
    return datetimes[0] if len(datetimes) == 1 else None
