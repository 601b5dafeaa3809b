"""Where a pipeline spec comes from: sample files (inferred), or a schema document.

Sample files are read with :class:`azlogs.ingest.readers.RecordReader` (JSON array, NDJSON, CSV),
so a line that cannot be read is reported with its file and line, never dropped silently. A schema
document is what ``azlogs schema infer --format json`` writes, an ARM table body, or the ARM
deployment template that ``azlogs schema infer --format arm`` writes.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import orjson

from azlogs._exceptions import InputError, SchemaError, UsageError
from azlogs.ingest.readers import BadLine, RecordReader, detect_format
from azlogs.provision._merge import Spec
from azlogs.schema.infer import InferredSchema, csv_row_to_record, infer_schema
from azlogs.schema.model import Column, DataCollectionRule, StreamDeclaration, TableSchema
from azlogs.schema.names import CUSTOM_STREAM_PREFIX, TIME_GENERATED
from azlogs.schema.types import Vocabulary, parse_type, table_to_stream

__all__ = [
    "Samples",
    "read_samples",
    "schema_document",
    "spec_from_columns",
    "spec_from_document",
    "spec_from_samples",
]

InputFormat = Literal["auto", "json", "ndjson", "csv"]


@dataclass
class Samples:
    """Records read from sample files, the format family, and the lines that could not be read."""

    records: list[dict[str, Any]]
    source_format: Literal["json", "csv"]
    bad: list[BadLine]


def _family(path: str, fmt: InputFormat) -> Literal["json", "csv"]:
    if fmt != "auto":
        return "csv" if fmt == "csv" else "json"
    if path == "-":
        return "json"
    try:
        with open(path, "rb") as fh:
            head = fh.read(4096)
    except OSError as exc:
        raise InputError(f"cannot open: {exc.strerror}", source=path) from exc
    return "csv" if detect_format(head, os.path.basename(path)) == "csv" else "json"


def read_samples(paths: Sequence[str], fmt: InputFormat = "auto") -> Samples:
    """Read sample records; CSV cells stay text (inference reads them as the ingestion would).

    Raises:
        UsageError: no files, or CSV mixed with JSON (their cells are read differently).
        InputError: a file cannot be opened.
    """
    if not paths:
        raise UsageError("no sample files given", hint="give one or more JSON, NDJSON or CSV files")
    families = {_family(p, fmt) for p in paths}
    if len(families) > 1:
        raise UsageError(
            "sample files mix CSV with JSON/NDJSON",
            hint="infer from one kind at a time: CSV cells are text, JSON values are typed",
        )
    family = families.pop()
    reader = RecordReader(list(paths), fmt)
    records: list[dict[str, Any]] = []
    for item in reader:
        value = orjson.loads(bytes(item)) if isinstance(item, bytes) else item
        if isinstance(value, dict):
            records.append(csv_row_to_record(value) if family == "csv" else value)
    return Samples(records, family, list(reader.bad))


def spec_from_samples(
    paths: Sequence[str],
    *,
    table: str,
    fmt: InputFormat = "auto",
    time_column: str | None = None,
    transform: str | None = None,
) -> tuple[Spec, InferredSchema, list[BadLine]]:
    """Infer a spec from sample files: the spec, the inference (renames, notes) and unreadable lines."""
    samples = read_samples(paths, fmt)
    inferred = infer_schema(
        samples.records, table=table, source_format=samples.source_format, time_column=time_column
    )
    return Spec.from_inferred(inferred, transform), inferred, samples.bad


def schema_document(inferred: InferredSchema) -> dict[str, Any]:
    """The ``--format json`` document of an inference; :func:`spec_from_document` reads it back."""
    return {
        "table": inferred.table.to_arm(),
        "stream": {"name": inferred.stream.name, **inferred.stream.to_arm()},
        "transformKql": inferred.transform_kql,
        "outputStream": inferred.output_stream,
        "timeGenerated": inferred.time_generated,
        "timeColumn": inferred.time_column,
        "renames": [
            {"original": r.original, "column": r.column, "reason": r.reason} for r in inferred.renames
        ],
        "notes": list(inferred.notes),
        "recordsSeen": inferred.records_seen,
    }


def _stream(raw: Any, name: str) -> StreamDeclaration:
    cols = raw.get("columns") if isinstance(raw, Mapping) else None
    if not isinstance(cols, list):
        raise SchemaError("the schema document's stream needs 'columns': [{name, type}]")
    out = []
    for c in cols:
        if not isinstance(c, Mapping) or not isinstance(c.get("name"), str):
            raise SchemaError(f"stream column {c!r} needs a name and a type")
        out.append(Column(c["name"], parse_type(c.get("type"), Vocabulary.STREAM)))
    return StreamDeclaration(name, tuple(out))


def _from_template(doc: Mapping[str, Any], table: str) -> Spec:
    resources = [r for r in doc.get("resources") or [] if isinstance(r, Mapping)]
    table_res = next((r for r in resources if str(r.get("type", "")).lower().endswith("/tables")), None)
    dcr_res = next(
        (r for r in resources if str(r.get("type", "")).lower().endswith("/datacollectionrules")), None
    )
    if table_res is None or dcr_res is None:
        raise SchemaError("the template has no table or no data collection rule resource")
    schema = TableSchema.from_arm({"properties": table_res.get("properties")}, name=table)
    # The template's destinations are expressions; they are not needed to read the stream and flow.
    props = {**dict(dcr_res.get("properties") or {}), "destinations": {}}
    body = {"location": "template", "properties": props}
    rule = DataCollectionRule.from_arm(body)
    if len(rule.stream_declarations) != 1 or len(rule.data_flows) != 1:
        raise SchemaError("the template's DCR must declare one stream with one data flow")
    flow = rule.data_flows[0]
    return Spec(schema, rule.stream_declarations[0], flow.transform_kql or "source", None, False)


def spec_from_document(doc: Any, *, table: str, transform: str | None = None) -> Spec:
    """A spec from a schema document (``schema infer --format json``, an ARM table body or our ARM template).

    An ARM table body has no stream: the stream declares the table's columns (guid as string) and the
    data flow passes records through, ``TimeGenerated`` set to the received time when a record lacks it.

    Raises:
        SchemaError: the document has none of these shapes, or names another table.
    """
    if not isinstance(doc, Mapping):
        raise SchemaError("a schema document must be a JSON object")
    if "resources" in doc:
        spec = _from_template(doc, table)
    elif "table" in doc and "stream" in doc:
        t = TableSchema.from_arm(doc["table"])
        raw = doc["stream"]
        name = raw.get("name") if isinstance(raw, Mapping) else None
        spec = Spec(
            t,
            _stream(raw, str(name or CUSTOM_STREAM_PREFIX + t.name)),
            str(doc.get("transformKql") or "source"),
        )
    elif isinstance(doc.get("properties"), Mapping):
        t = TableSchema.from_arm(doc, name=table)
        cols = tuple(Column(c.name, table_to_stream(c.type)) for c in t.columns)
        if not any(c.name == TIME_GENERATED for c in cols):
            raise SchemaError(f"table {t.name} has no TimeGenerated column")
        spec = Spec(t, StreamDeclaration(CUSTOM_STREAM_PREFIX + t.name, cols), "source")
    else:
        raise SchemaError(
            "the schema document is neither azlogs' schema JSON ({table, stream, transformKql}), an ARM "
            "table body ({properties: {schema}}) nor an ARM template with a table and a DCR"
        )
    if spec.table.name != table:
        raise UsageError(f"the schema document is for table {spec.table.name}, not --table {table}")
    if transform is not None:
        spec = Spec(spec.table, spec.stream, transform, None, True)
    return spec


def spec_from_columns(
    table: str, columns: Sequence[Mapping[str, str]], *, transform: str | None = None
) -> Spec:
    """A spec for a table given as ARM columns (``[{name, type}]``), fed by a stream of the same columns.

    What :func:`spec_from_document` makes of an ARM table body: the stream is ``Custom-<table>``,
    the data flow passes records through unless ``transform`` is given.

    Raises:
        SchemaError: a column type is not a table type, or there is no ``TimeGenerated``.
    """
    body = {"properties": {"schema": {"name": table, "columns": [dict(c) for c in columns]}}}
    return spec_from_document(body, table=table, transform=transform)
