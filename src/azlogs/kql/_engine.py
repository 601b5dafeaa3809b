"""The public faces of the engine: DCR transformations and Log Analytics queries."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import repeat
from typing import Any, Final, Protocol, runtime_checkable

from azlogs._exceptions import KqlError, KqlLimitError
from azlogs.facts import QUERY_MAX_RECORDS, QUERY_MAX_RESULT_BYTES
from azlogs.kql import _ast as A
from azlogs.kql._batch import Batch
from azlogs.kql._budget import Budget
from azlogs.kql._compile import Ctx, Env, bind_let
from azlogs.kql._dialect import check
from azlogs.kql._options import request_options
from azlogs.kql._parser import parse
from azlogs.kql._plan import _FIRST_BATCH, BATCH_ROWS, Plan
from azlogs.kql._tabular import TIME_COLUMN, compile_pipeline
from azlogs.kql._values import ensure_utc, normalize_type, null_of

Clock = Callable[[], datetime]
_FEW: Final = 8  # fewer records than this run row by row (a batch costs about as much as 5 rows)


@runtime_checkable
class TableProvider(Protocol):
    """Where a query reads tables from (the workspace store, or :class:`MemoryProvider`).

    ``scan`` receives ``time_range`` = (start, end), both inclusive, either None for open: a hint
    on ``TimeGenerated`` that a store may use with an index. The engine filters again, so a
    provider may ignore it. ``columns`` is a hint too (None means all).
    """

    def table_names(self) -> Iterable[str]: ...

    def table_columns(self, name: str) -> list[tuple[str, str]] | None: ...

    def scan(
        self,
        name: str,
        *,
        time_range: tuple[datetime | None, datetime | None] | None,
        columns: Sequence[str] | None,
    ) -> Iterable[Mapping[str, Any]]: ...


@dataclass
class ResultTable:
    """One table of a query answer: columns as (name, KQL type), rows as lists in column order."""

    name: str
    columns: list[tuple[str, str]]
    rows: list[list[Any]]


@dataclass
class PartialFailure:
    """What made an answer partial (Kusto's "partial query failure"): a code and Kusto's text.

    ``limit`` says which limit cut the rows (``"records"`` or ``"bytes"``) and ``value`` its figure
    for this run; ``set_by_query`` is True when the query's own ``set truncationmaxrecords`` /
    ``truncationmaxsize`` gave that figure (the service words that answer differently).
    """

    code: str  # "E_QUERY_RESULT_SET_TOO_LARGE"
    message: str
    limit: str = "records"
    value: int = 0
    set_by_query: bool = False


@dataclass
class QueryResult:
    """A query answer; ``tables[0]`` is "PrimaryResult".

    ``partial`` is set when the rows were cut at a result limit: the rows are the first ones, never
    all of them, and the caller must say so (the query API answers a ``PartialError``).
    """

    tables: list[ResultTable]
    partial: PartialFailure | None = None


@dataclass
class TransformResult:
    """Output rows (dicts with every output column) and (input index, reason) for dropped records."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)


def _reason(exc: Exception) -> str:
    if isinstance(exc, KqlError):
        return exc.message
    return f"{type(exc).__name__}: {exc}"


class Transformation:
    """A compiled DCR transformation (``transformKql``)."""

    def __init__(self, text: str, query: A.Query, plan: Plan, ctx: Ctx, warnings: list[str]) -> None:
        self.text = text
        self.query = query
        self.warnings = warnings
        self._plan = plan
        self._ctx = ctx
        self.output_columns: dict[str, str] = dict(plan.columns)

    def apply(self, records: Sequence[Mapping[str, Any]], *, budget: Budget | None = None) -> TransformResult:
        """Run on a batch; a record whose evaluation fails is dropped and reported, never the batch.

        ``budget`` limits the whole batch (by default: no deadline, the default memory limits). Past
        a limit the record at hand and every record after it are reported, none silently lost.
        """
        result = TransformResult()
        position = [0]  # the record being evaluated
        with (budget or Budget()).active() as active:
            try:
                self._apply(records, result, position, active)
            except KqlLimitError as exc:
                result.errors.extend((i, _reason(exc)) for i in range(position[0], len(records)))
        return result

    def _apply(
        self,
        records: Sequence[Mapping[str, Any]],
        result: TransformResult,
        position: list[int],
        budget: Budget,
    ) -> None:
        ctx = self._ctx
        ctx.new_run()
        cols = list(self.output_columns.items())
        strings = [c for c, t in cols if t == "string"]
        names = [c for c, _ in cols]

        def normalize(r: Mapping[str, Any]) -> dict[str, Any]:
            out = {c: r.get(c) for c in names}
            for c in strings:
                if out[c] is None:
                    out[c] = ""
            return out

        def output(batch: Batch) -> list[dict[str, Any]]:
            # normalize() column at a time: the output columns, a null string as "".
            values = [batch.column(c) for c in names]
            for i, c in enumerate(names):
                if c in strings and None in values[i]:
                    values[i] = [v if v is not None else "" for v in values[i]]
            if not names:
                return [{} for _ in range(batch.n)]
            return list(map(dict, map(zip, repeat(names), zip(*values, strict=True))))

        plan = self._plan
        step = plan.fused()

        def by_record(chunk: Sequence[Mapping[str, Any]], start: int, tick: bool) -> None:
            # Record by record: the failing records are dropped and reported, the others kept.
            for i, rec in enumerate(chunk, start):
                position[0] = i
                if tick:
                    budget.tick()
                try:
                    out = step(rec)  # type: ignore[arg-type]
                except KqlLimitError:
                    raise
                except Exception as exc:
                    result.errors.append((i, _reason(exc)))
                    continue
                if out is not None:
                    result.rows.append(normalize(out))

        if plan.per_record_source and len(records) < _FEW:
            by_record(records, 0, True)  # a record or a few (transform test, preflight): cheaper so
            return
        if plan.per_record_source:
            run = plan.batch_runner() or (
                lambda rows: Batch.of_rows([o for r in rows if (o := step(r)) is not None], plan.columns)
            )
            start, size = 0, _FIRST_BATCH
            while start < len(records):
                chunk = list(records[start : start + size])
                position[0] = start
                budget.tick(len(chunk))
                try:
                    batch = run(chunk)  # type: ignore[arg-type]
                except Exception:
                    by_record(chunk, start, False)
                else:
                    result.rows.extend(output(batch))
                start += size
                size = min(size * 2, BATCH_ROWS)
            return
        for i, rec in enumerate(records):
            position[0] = i
            ctx.source_rows = [rec]
            try:
                rows = [normalize(r) for r in plan.rows()]
            except KqlLimitError:
                raise
            except Exception as exc:
                result.errors.append((i, _reason(exc)))
                continue
            result.rows.extend(rows)


def _input_schema(input_columns: Mapping[str, str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, typ in input_columns.items():
        try:
            out[name] = normalize_type(typ)
        except ValueError:
            raise KqlError(f"input column '{name}' has an unknown type '{typ}'") from None
    return out


def compile_transformation(
    text: str, input_columns: Mapping[str, str], *, strict: bool = True, clock: Clock | None = None
) -> Transformation:
    """Parse, check (transformation dialect) and compile a DCR ``transformKql``."""
    query = parse(text)
    warnings = check(query, "transformation", strict=strict)
    ctx = Ctx(clock)
    env = Env({}, {}, ctx, extra={"source_columns": _input_schema(input_columns)})
    for let in query.lets:
        bind_let(let, env)
    assert query.body is not None
    plan = compile_pipeline(query.body, env)
    if TIME_COLUMN in plan.columns and plan.columns[TIME_COLUMN] not in ("datetime", "dynamic"):
        warnings.append(f"the output column {TIME_COLUMN} is {plan.columns[TIME_COLUMN]}, not datetime")
    return Transformation(text, query, plan, ctx, warnings)


def run_query(
    text: str,
    provider: TableProvider,
    *,
    timespan: tuple[datetime | None, datetime | None] | None = None,
    clock: Clock | None = None,
    budget: Budget | None = None,
    max_records: int = QUERY_MAX_RECORDS,
    max_bytes: int = QUERY_MAX_RESULT_BYTES,
    principal: Mapping[str, Any] | None = None,
) -> QueryResult:
    """Run a Log Analytics query over the provider's tables.

    The answer holds at most ``max_records`` rows and about ``max_bytes`` of values (Kusto's result
    truncation limits, which the query's ``set truncationmaxrecords/truncationmaxsize`` may lower);
    past either, the rows are the first ones and ``partial`` says which limit cut them. ``budget`` bounds the run (time, memory); past it, :class:`~azlogs.KqlLimitError`.
    ``principal``: the caller's access token claims, what ``current_principal()`` and its kin read
    (none: the run has no caller).
    """
    with (budget or Budget()).active():
        return _run_query(text, provider, timespan, clock, max_records, max_bytes, principal)


def _run_query(
    text: str,
    provider: TableProvider,
    timespan: tuple[datetime | None, datetime | None] | None,
    clock: Clock | None,
    max_records: int,
    max_bytes: int,
    principal: Mapping[str, Any] | None = None,
) -> QueryResult:
    query = parse(text)
    check(query, "query")
    options = request_options(query.sets, max_records, max_bytes)
    max_records, max_bytes, take = options.max_records, options.max_bytes, options.take
    if options.now is not None:
        fixed = options.now
        clock = lambda: fixed  # noqa: E731 - set query_now: the instant now() reads
    ctx = Ctx(clock, provider)
    ctx.principal = principal
    ctx.bin_auto = (options.bin_auto_size, options.bin_auto_at)
    if timespan is not None:
        lo, hi = timespan
        ctx.timespan = (ensure_utc(lo) if lo else None, ensure_utc(hi) if hi else None)
    env = Env({}, {}, ctx)
    for let in query.lets:
        bind_let(let, env)
    if query.body is None:
        return QueryResult([ResultTable("PrimaryResult", [], [])])
    plan = compile_pipeline(query.body, env)
    ctx.new_run()
    names = list(plan.columns)
    strings = {c for c, t in plan.columns.items() if t == "string"}
    partial: PartialFailure | None = None
    size = 0
    try:
        rows: list[list[Any]] = []
        for r in plan.rows():
            if take is not None and len(rows) >= take:
                break
            if len(rows) >= max_records:
                partial = PartialFailure(
                    "E_QUERY_RESULT_SET_TOO_LARGE",
                    f"Query result set has exceeded the internal record count limit {max_records} "
                    "(E_QUERY_RESULT_SET_TOO_LARGE).",
                    "records",
                    max_records,
                    options.records_set,
                )
                break
            row = []
            for c in names:
                v = r.get(c)
                row.append("" if v is None and c in strings else v)
            size += sum(map(approx_size, row))
            if size > max_bytes:
                partial = PartialFailure(
                    "E_QUERY_RESULT_SET_TOO_LARGE",
                    f"Query result set has exceeded the internal data size limit {max_bytes} "
                    "(E_QUERY_RESULT_SET_TOO_LARGE).",
                    "bytes",
                    max_bytes,
                    options.bytes_set,
                )
                break
            rows.append(row)
    except KqlError:
        raise
    except Exception as exc:
        raise KqlError(f"the query failed while running: {_reason(exc)}") from exc
    return QueryResult([ResultTable("PrimaryResult", list(plan.columns.items()), rows)], partial)


def approx_size(value: Any) -> int:
    """About how many bytes a value takes in a result (Kusto's data size limit counts these)."""
    if value is None or isinstance(value, (bool, int, float)):
        return 8
    if isinstance(value, str):
        return len(value)
    if isinstance(value, list):
        return 2 + sum(map(approx_size, value))
    if isinstance(value, dict):
        return 2 + sum(len(k) + approx_size(v) for k, v in value.items())
    return 32  # datetime, timespan, guid, decimal


class MemoryProvider:
    """An in-memory :class:`TableProvider` for tests and benchmarks."""

    def __init__(
        self,
        tables: Mapping[str, tuple[Sequence[tuple[str, str]], Sequence[Mapping[str, Any]]]] | None = None,
        *,
        honor_time_range: bool = True,
    ) -> None:
        self._tables: dict[str, tuple[list[tuple[str, str]], list[Mapping[str, Any]]]] = {}
        self.honor_time_range = honor_time_range
        self.scans: list[tuple[str, Any]] = []  # (table, time_range) of every scan, for tests
        for name, (cols, rows) in (tables or {}).items():
            self.add_table(name, cols, rows)

    def add_table(
        self, name: str, columns: Sequence[tuple[str, str]], rows: Sequence[Mapping[str, Any]]
    ) -> None:
        """Add or replace a table."""
        self._tables[name] = ([(c, normalize_type(t)) for c, t in columns], list(rows))

    def table_names(self) -> Iterable[str]:
        return list(self._tables)

    def table_columns(self, name: str) -> list[tuple[str, str]] | None:
        t = self._tables.get(name)
        return None if t is None else list(t[0])

    def scan(
        self,
        name: str,
        *,
        time_range: tuple[datetime | None, datetime | None] | None = None,
        columns: Sequence[str] | None = None,
    ) -> Iterable[Mapping[str, Any]]:
        self.scans.append((name, time_range))
        rows = self._tables[name][1]
        if time_range is None or not self.honor_time_range:
            return rows
        lo, hi = time_range
        return [
            r
            for r in rows
            if (v := r.get(TIME_COLUMN)) is not None and (lo is None or v >= lo) and (hi is None or v <= hi)
        ]


_ = null_of
