"""Preflight: what the Logs Ingestion API would do to records, said before they are sent.

The service answers 204 and then drops undeclared columns, nulls values it cannot read as the
declared type, cuts long strings, replaces out-of-range ``TimeGenerated`` values, drops a body that
is one object instead of an array, and runs the data flow's transformation, which may filter records
or produce columns the table does not have (what users of the service report most: "204 but no data",
"some columns are empty"; see docs/differences.md). This module
replays those steps on the records with the same code the emulator uses (:class:`StreamCoercer`, and
the KQL engine for ``transformKql``) and reports every change, grouped per column and per record.

Pure: no HTTP, no files. The KQL engine is passed in (or imported on first use); when it is not
available the report says that the transformation step was not run.

What counts as a *loss* (``PreflightReport.lossy``): a dropped column value, a value nulled or cut,
a ``TimeGenerated`` replaced, a record refused or failing in the transformation, a body the service
ignores, and an output column the table lacks or types differently. Conversions that keep the value
(``coerced``), records filtered by the transformation's ``where`` (``filtered``) and columns some
records leave empty (``absent``) are reported but are not losses, unless ``strict``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from typing import Any, Final, Literal, Protocol

import orjson

from azlogs._exceptions import KqlError, SchemaError
from azlogs.facts import MAX_RECORD_BYTES
from azlogs.schema.coerce import (
    COERCED,
    COERCION_FAILED,
    DEFAULT_FIELD_LIMIT,
    DROPPED_UNDECLARED,
    TIME_CLAMPED,
    TIME_FILLED,
    TRUNCATED,
    StreamCoercer,
    json_kind,
    settle_time_generated,
)
from azlogs.schema.model import DataCollectionRule, DataFlow, StreamDeclaration, TableSchema
from azlogs.schema.names import TIME_GENERATED
from azlogs.schema.types import (
    ColumnType,
    Conversion,
    Vocabulary,
    is_stream_to_table_compatible,
    output_conversion,
    output_type,
    type_name,
)

__all__ = [
    "LOSS_KINDS",
    "MAX_RECORD_BYTES",
    "ColumnFinding",
    "CompiledTransform",
    "FindingKind",
    "Preflight",
    "PreflightReport",
    "RecordFinding",
    "RecordKind",
    "TransformCompiler",
    "TransformStep",
    "body_problem",
    "preflight",
]

# dropped: key not declared in the stream | coerced: converted, value kept | truncated: cut to the field
# limit | nulled: unreadable as the declared type | time_replaced / time_filled: TimeGenerated set to the
# received time (unreadable or out of range / absent) | absent: declared column a record lacks |
# not_in_table / type_mismatch: output column the table lacks / types differently | out_of_range / rounded:
# an output value the table column's type cannot hold (nulled) / holds only approximately | unfilled:
# table column the data flow never produces.
FindingKind = Literal[
    "dropped", "coerced", "truncated", "nulled", "time_replaced", "time_filled", "absent",
    "not_in_table", "type_mismatch", "out_of_range", "rounded", "unfilled",
]  # fmt: skip
# object_body: one JSON object as the body (204, nothing written) | not_an_object: an element that is
# not an object | undeclared_only: no declared key, an empty row | empty: no keys | too_large: one
# record beyond the request limit (413) | transform_failed: the transformation raised | filtered:
# removed by the transformation's where.
RecordKind = Literal[
    "object_body", "not_an_object", "undeclared_only", "empty", "too_large", "transform_failed",
    "filtered",
]  # fmt: skip

LOSS_KINDS: Final[frozenset[str]] = frozenset({
    "dropped", "truncated", "nulled", "time_replaced", "not_in_table", "type_mismatch",
    "out_of_range", "rounded", "object_body", "not_an_object", "undeclared_only", "too_large",
    "transform_failed",
})  # fmt: skip
_STRICT_KINDS: Final[frozenset[str]] = LOSS_KINDS | {"coerced", "filtered"}

_SAMPLE_CHARS: Final = 120

_EVENT_KIND: Final[Mapping[str, FindingKind]] = {
    DROPPED_UNDECLARED: "dropped",
    COERCED: "coerced",
    TRUNCATED: "truncated",
    COERCION_FAILED: "nulled",
    TIME_CLAMPED: "time_replaced",
}


class CompiledTransform(Protocol):
    """What preflight needs of a compiled transformation (``azlogs.kql.Transformation``)."""

    @property
    def output_columns(self) -> Mapping[str, str]: ...

    def apply(self, records: Sequence[Mapping[str, Any]]) -> Any:
        """Run on records; the answer has ``rows`` (dicts) and ``errors`` ((index, reason) pairs)."""
        ...


class TransformCompiler(Protocol):
    """``azlogs.kql.compile_transformation``'s signature."""

    def __call__(
        self,
        text: str,
        input_columns: Mapping[str, str],
        *,
        strict: bool = ...,
        clock: Callable[[], datetime] | None = ...,
    ) -> CompiledTransform: ...


@dataclass(frozen=True)
class ColumnFinding:
    """What happens to one column, over all records: kind, how many records, the first of them."""

    column: str
    kind: FindingKind
    count: int
    reason: str
    first: str
    sample: str = ""

    @property
    def is_loss(self) -> bool:
        """Whether values are lost (not only converted or absent)."""
        return self.kind in LOSS_KINDS

    def to_json(self) -> dict[str, Any]:
        """The finding as a JSON object."""
        return {**asdict(self), "loss": self.is_loss}


@dataclass(frozen=True)
class RecordFinding:
    """What happens to one record (or to a whole body), and where it came from."""

    where: str
    kind: RecordKind
    reason: str

    @property
    def is_loss(self) -> bool:
        """Whether the record's data would not land."""
        return self.kind in LOSS_KINDS

    def to_json(self) -> dict[str, Any]:
        """The finding as a JSON object."""
        return {**asdict(self), "loss": self.is_loss}


@dataclass
class TransformStep:
    """The transformation of one data flow: whether it ran, and what it produces.

    ``status``: ``passthrough`` (no transformation), ``ran``, ``not_run`` (no KQL engine here) or
    ``failed`` (the text does not compile: ARM would refuse the DCR).
    """

    flow: int
    status: Literal["passthrough", "ran", "not_run", "failed"]
    detail: str
    output_table: str | None
    output_columns: dict[str, str] = field(default_factory=dict)
    rows_in: int = 0
    rows_out: int = 0

    def to_json(self) -> dict[str, Any]:
        """The step as a JSON object."""
        return asdict(self)


@dataclass
class PreflightReport:
    """Everything preflight found, for one stream of one DCR."""

    stream: str
    records: int
    columns: list[ColumnFinding]
    record_findings: list[RecordFinding]
    transforms: list[TransformStep]
    notes: list[str]
    strict: bool = False

    @property
    def losses(self) -> int:
        """How many findings lose data (coercions and filtered records count only when strict)."""
        kinds = _STRICT_KINDS if self.strict else LOSS_KINDS
        cols = sum(1 for c in self.columns if c.kind in kinds)
        recs = sum(1 for r in self.record_findings if r.kind in kinds)
        failed = sum(1 for t in self.transforms if t.status == "failed")
        return cols + recs + failed

    @property
    def lossy(self) -> bool:
        """Whether anything would be lost: the CLI's exit code 1."""
        return self.losses > 0

    @property
    def records_lost(self) -> int:
        """Records that would not land at all (refused, failing or ignored)."""
        return sum(1 for r in self.record_findings if r.is_loss)

    def summary(self) -> str:
        """One line for a human."""
        lost_cols = sorted({c.column for c in self.columns if c.is_loss})
        parts = [f"{self.records} records checked against stream {self.stream}"]
        if self.records_lost:
            parts.append(f"{self.records_lost} would not land")
        if lost_cols:
            parts.append(f"values lost in {len(lost_cols)} columns ({', '.join(lost_cols)})")
        filtered = sum(1 for r in self.record_findings if r.kind == "filtered")
        if filtered:
            parts.append(f"{filtered} filtered by the transformation")
        coerced = sorted({c.column for c in self.columns if c.kind == "coerced"})
        if coerced:
            parts.append(f"values converted in {', '.join(coerced)}")
        if any(t.status == "not_run" for t in self.transforms):
            parts.append("transformation NOT run")
        if any(t.status == "failed" for t in self.transforms):
            parts.append("transformation does not compile")
        if not self.lossy:
            parts.append("nothing would be lost")
        return "; ".join(parts)

    def to_json(self) -> dict[str, Any]:
        """The report as a JSON object."""
        return {
            "stream": self.stream,
            "records": self.records,
            "records_lost": self.records_lost,
            "losses": self.losses,
            "lossy": self.lossy,
            "strict": self.strict,
            "columns": [c.to_json() for c in self.columns],
            "records_findings": [r.to_json() for r in self.record_findings],
            "transforms": [t.to_json() for t in self.transforms],
            "notes": list(self.notes),
            "summary": self.summary(),
        }


def _preview(value: Any) -> str:
    try:
        text = value if isinstance(value, str) else orjson.dumps(value).decode()
    except TypeError:
        text = repr(value)
    return text if len(text) <= _SAMPLE_CHARS else text[: _SAMPLE_CHARS - 1] + "…"


def body_problem(value: Any, where: str) -> RecordFinding | None:
    """The finding for a whole request body that is not a JSON array, or None when it is one.

    A single object gets 204 and writes nothing (Azure/azure-sdk-for-python#32562); anything else
    that is not an array is refused.
    """
    if isinstance(value, list):
        return None
    if isinstance(value, Mapping):
        return RecordFinding(
            where,
            "object_body",
            "the body is one JSON object, not an array: the service answers 204 and writes nothing; "
            "wrap the record in [ ] (azlogs send does)",
        )
    return RecordFinding(
        where, "not_an_object", f"the body is a JSON {json_kind(value)}, not an array of objects"
    )


def _auto_compiler() -> TransformCompiler | str:
    try:
        from azlogs.kql import compile_transformation
    except ImportError as exc:  # a broken install: lark and re2 are core dependencies
        return f"the KQL engine cannot be loaded here ({exc}); reinstall azlogs (pip install --force-reinstall azlogs)"
    compiler: TransformCompiler = compile_transformation
    return compiler


class _Tally:
    """Per-(kind, column) counts, keeping the first record's reason and sample."""

    def __init__(self) -> None:
        self.entries: dict[tuple[str, str], list[Any]] = {}

    def add(self, kind: FindingKind, column: str, reason: str, where: str, sample: str = "") -> None:
        entry = self.entries.get((kind, column))
        if entry is None:
            self.entries[(kind, column)] = [reason, where, sample, 1]
        else:
            entry[3] += 1

    def findings(self) -> list[ColumnFinding]:
        return [
            ColumnFinding(column, kind, count, reason, where, sample)  # type: ignore[arg-type]
            for (kind, column), (reason, where, sample, count) in self.entries.items()
        ]


class _Flow:
    """One data flow reading the stream: its compiled transformation and output table."""

    def __init__(self, index: int, flow: DataFlow, table: TableSchema | None, step: TransformStep) -> None:
        self.index = index
        self.flow = flow
        self.table = table
        self.step = step
        self.transform: CompiledTransform | None = None
        # Output columns whose values ingestion converts into the table column's type.
        self.conversions: dict[str, tuple[Conversion, ColumnType, ColumnType]] = {}


class Preflight:
    """Checks records one by one against a DCR stream; :meth:`report` says what would happen.

    Args:
        dcr: the data collection rule.
        stream: the stream the records are sent to.
        tables: the destination tables by name (``MyTable_CL``), when known; output columns are
            compared with them. A flow whose table is unknown is checked up to its output.
        received: the time the service would receive the records (now, by default).
        compiler: compiles ``transformKql``; default: the KQL engine, imported on first use. Pass
            None to skip the transformation step (the report says it was not run).
        field_limit: the string field limit in UTF-8 bytes (64 KB in Azure).
        strict: conversions and filtered records count as losses too.

    Raises:
        SchemaError: the stream is not declared in the DCR, or no data flow reads it.
    """

    def __init__(
        self,
        dcr: DataCollectionRule,
        stream: str,
        *,
        tables: Mapping[str, TableSchema] | None = None,
        received: datetime | None = None,
        compiler: TransformCompiler | Literal["auto"] | None = "auto",
        field_limit: int = DEFAULT_FIELD_LIMIT,
        strict: bool = False,
    ) -> None:
        decl = dcr.stream(stream)
        if decl is None:
            declared = ", ".join(s.name for s in dcr.stream_declarations) or "none"
            raise SchemaError(
                f"stream '{stream}' is not declared in the DCR (declared: {declared})",
                hint="send to a declared stream; the service drops a stream it does not know",
            )
        flows = [(i, f) for i, f in enumerate(dcr.data_flows) if stream in f.streams]
        if not flows:
            raise SchemaError(
                f"no data flow of the DCR reads stream '{stream}': everything sent to it is dropped",
                hint="add a dataFlows entry with this stream, a destination and an outputStream",
            )
        self.stream: StreamDeclaration = decl
        self.strict = strict
        self._received = (received or datetime.now(timezone.utc)).astimezone(timezone.utc)
        self._coercer = StreamCoercer(decl, field_limit=field_limit)
        self._tally = _Tally()
        self._records: list[RecordFinding] = []
        self._notes: list[str] = []
        self._count = 0
        self._flows = [self._flow(i, f, tables, compiler) for i, f in flows]

    # --- setup ------------------------------------------------------------------------------------

    def _flow(
        self,
        index: int,
        flow: DataFlow,
        tables: Mapping[str, TableSchema] | None,
        compiler: TransformCompiler | Literal["auto"] | None,
    ) -> _Flow:
        table_name = flow.output_table
        table = tables.get(table_name) if tables is not None and table_name is not None else None
        if table_name is not None and table is None:
            self._notes.append(
                f"data flow {index}: the schema of table {table_name} is not known here; "
                "output columns were not compared with it"
            )
        if flow.is_passthrough:
            step = TransformStep(
                index, "passthrough", "no transformation: records go to the table as coerced", table_name
            )
            step.output_columns = {c.name: c.type.kql_name for c in self.stream.columns}
            out = _Flow(index, flow, table, step)
            self._check_passthrough(out)
            return out
        text = flow.transform_kql or ""
        step = TransformStep(index, "not_run", "", table_name)
        out = _Flow(index, flow, table, step)
        if compiler == "auto":
            found = _auto_compiler()
            if isinstance(found, str):
                step.detail = f"transformation NOT run: {found}"
                return out
            compiler = found
        if compiler is None:
            step.detail = "transformation NOT run: no KQL engine was given"
            return out
        inputs = {c.name: c.type.kql_name for c in self.stream.columns}
        received = self._received
        try:
            out.transform = compiler(text, inputs, strict=True, clock=lambda: received)
        except KqlError as exc:
            step.status = "failed"
            step.detail = f"transformKql does not compile: {exc}"
            return out
        step.status = "ran"
        step.detail = "transformKql ran on every record"
        step.output_columns = dict(out.transform.output_columns)
        self._check_output_columns(out)
        return out

    def _check_passthrough(self, flow: _Flow) -> None:
        self._compare(
            flow,
            {
                c.name: (c.type, f"stream declares {type_name(c.type, Vocabulary.STREAM)}")
                for c in self.stream.columns
            },
        )

    def _check_output_columns(self, flow: _Flow) -> None:
        produced: dict[str, tuple[ColumnType | None, str]] = {}
        for name, kql in flow.step.output_columns.items():
            produced[name] = (output_type(kql), f"the transformation produces {kql}")
        self._compare(flow, produced, output_conversion)
        if flow.table is None:
            return
        for name, (col_type, _) in produced.items():
            tcol = flow.table.column(name)
            if tcol is None or col_type is None or name == TIME_GENERATED:
                continue  # TimeGenerated is settled on its own (filled or replaced), below
            conversion = output_conversion(col_type, tcol.type)
            if conversion.accepted and conversion.convert is not None:
                flow.conversions[name] = (conversion, col_type, tcol.type)

    def _compare(
        self,
        flow: _Flow,
        produced: Mapping[str, tuple[ColumnType | None, str]],
        accepts: Callable[[ColumnType, ColumnType], Conversion] | None = None,
    ) -> None:
        """Output columns (name -> type, what produces it) against the table.

        ``accepts`` is the rule for a transformation's output; without it, the pass-through rule
        (identical types but string into guid, as ARM requires of a data flow without transformation).
        """
        table = flow.table
        if table is None:
            return
        where = f"data flow {flow.index}"
        for name, (col_type, what) in produced.items():
            tcol = table.column(name)
            if tcol is None:
                reason = f"{what} but table {table.name} has no such column: its values are dropped"
                self._tally.add("not_in_table", name, reason, where)
            elif col_type is None or not (
                accepts(col_type, tcol.type).accepted
                if accepts is not None
                else is_stream_to_table_compatible(col_type, tcol.type)
            ):
                reason = f"{what}, table {table.name} has {type_name(tcol.type, Vocabulary.TABLE)}"
                self._tally.add("type_mismatch", name, reason, where)
        self._unfilled(flow, set(produced))

    def _unfilled(self, flow: _Flow, produced: set[str]) -> None:
        assert flow.table is not None
        for tcol in flow.table.columns:
            if tcol.name not in produced and tcol.name != TIME_GENERATED:
                self._tally.add(
                    "unfilled",
                    tcol.name,
                    f"table {flow.table.name} has this column but data flow {flow.index} never fills it",
                    f"data flow {flow.index}",
                )

    # --- records ----------------------------------------------------------------------------------

    def _record(self, where: str, kind: RecordKind, reason: str) -> None:
        self._records.append(RecordFinding(where, kind, reason))

    def body(self, value: Any, where: str) -> None:
        """Check a whole body (a file's top-level value) before its records are added."""
        problem = body_problem(value, where)
        if problem is not None:
            self._records.append(problem)

    def refuse(self, where: str, reason: str) -> None:
        """Record input the reader could not turn into a record (bad JSON, a bad CSV row)."""
        self._record(where, "not_an_object", reason)

    def add(self, record: Any, where: str | None = None) -> None:
        """Check one record as the service would receive it."""
        index = self._count
        self._count += 1
        where = where or f"record {index + 1}"
        if not isinstance(record, Mapping):
            self._record(where, "not_an_object", f"a JSON {json_kind(record)} is not a record object")
            return
        if not record:
            self._record(where, "empty", "the record has no keys: an empty row")
        try:
            size = len(orjson.dumps(record))
        except TypeError:
            size = 0
        if size > MAX_RECORD_BYTES:
            reason = f"the record is {size:,} bytes of JSON; a request takes at most 1 MiB: refused (413)"
            self._record(where, "too_large", reason)
            return
        coerced = self._coercer.coerce(record, self._received)
        declared = self._coercer.stream.column_types
        if record and not any(k in declared for k in record):
            reason = f"none of its keys is declared in stream {self.stream.name}: it lands as an empty row"
            self._record(where, "undeclared_only", reason)
        for ev in coerced.events:
            if ev.kind == TIME_FILLED:
                kind: FindingKind = "time_replaced" if ev.original else "time_filled"
            else:
                kind = _EVENT_KIND[ev.kind]
            self._tally.add(kind, ev.column, ev.reason, where, ev.original)
        for name in declared:
            if name not in record and name != TIME_GENERATED:
                self._tally.add(
                    "absent", name, "the record does not carry this declared column: it lands empty", where
                )
        for flow in self._flows:
            if flow.transform is not None:
                self._transform(flow, coerced.row, where)

    def _transform(self, flow: _Flow, row: dict[str, Any], where: str) -> None:
        assert flow.transform is not None
        step = flow.step
        step.rows_in += 1
        result = flow.transform.apply([row])
        errors: Sequence[tuple[int, str]] = getattr(result, "errors", ())
        rows: Sequence[Mapping[str, Any]] = getattr(result, "rows", ())
        for _, reason in errors:
            self._record(where, "transform_failed", f"the transformation fails on it: {reason}")
        if not rows and not errors:
            self._record(where, "filtered", f"data flow {flow.index}'s transformation filters it out")
        step.rows_out += len(rows)
        table = flow.table
        for out in rows:
            self._converted(flow, out, where)
            if table is None or table.column(TIME_GENERATED) is None:
                continue
            value = out.get(TIME_GENERATED)
            _, event = settle_time_generated(value, self._received)
            if event is None:
                continue
            if event.kind == TIME_CLAMPED:
                self._tally.add("time_replaced", TIME_GENERATED, event.reason, where, event.original)
            elif TIME_GENERATED not in step.output_columns:
                self._tally.add(
                    "time_filled",
                    TIME_GENERATED,
                    "the transformation does not produce TimeGenerated; it is set to the received time",
                    where,
                )
            else:
                self._tally.add(
                    "time_replaced",
                    TIME_GENERATED,
                    "the transformation's TimeGenerated is empty or not a datetime; set to the received time",
                    where,
                    _preview(value),
                )

    def _converted(self, flow: _Flow, row: Mapping[str, Any], where: str) -> None:
        """Output values that ingestion converts into the table column's type, and what that loses."""
        for name, (conversion, produced, column) in flow.conversions.items():
            value = row.get(name)
            landing = conversion.landing(value)
            if landing not in ("nulled", "rounded"):
                continue
            what = f"the transformation produces {produced.kql_name} {_preview(value)}"
            if landing == "nulled":
                reason = f"{what}, which the table's {column.kql_name} column cannot hold: it lands as null"
                self._tally.add("out_of_range", name, reason, where, _preview(value))
            else:
                held = conversion.convert(value) if conversion.convert is not None else value
                reason = f"{what}; the {column.kql_name} column holds {_preview(held)}"
                self._tally.add("rounded", name, reason, where, _preview(value))

    def add_all(self, records: Iterable[Any]) -> None:
        """Check every record of ``records``."""
        for record in records:
            self.add(record)

    def report(self) -> PreflightReport:
        """The findings so far."""
        notes = list(self._notes)
        if self._count == 0 and not self._records:
            notes.append("no records were checked")
        return PreflightReport(
            stream=self.stream.name,
            records=self._count,
            columns=self._tally.findings(),
            record_findings=list(self._records),
            transforms=[f.step for f in self._flows],
            notes=notes,
            strict=self.strict,
        )


def preflight(
    records: Iterable[Any],
    dcr: DataCollectionRule,
    stream: str,
    *,
    tables: Mapping[str, TableSchema] | None = None,
    received: datetime | None = None,
    compiler: TransformCompiler | Literal["auto"] | None = "auto",
    strict: bool = False,
) -> PreflightReport:
    """Check ``records`` against ``stream`` of ``dcr`` and its data flows (see :class:`Preflight`)."""
    check = Preflight(dcr, stream, tables=tables, received=received, compiler=compiler, strict=strict)
    check.add_all(records)
    return check.report()
