"""The public faces of the engine: DCR transformations and Log Analytics queries."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

from azlogs._exceptions import KqlError
from azlogs.kql import _ast as A
from azlogs.kql._compile import Ctx, Env, bind_let
from azlogs.kql._dialect import check
from azlogs.kql._parser import parse
from azlogs.kql._plan import Plan
from azlogs.kql._tabular import TIME_COLUMN, compile_pipeline
from azlogs.kql._values import ensure_utc, normalize_type, null_of

Clock = Callable[[], datetime]


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
class QueryResult:
    """A query answer; ``tables[0]`` is "PrimaryResult"."""

    tables: list[ResultTable]


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

    def apply(self, records: Sequence[Mapping[str, Any]]) -> TransformResult:
        """Run on a batch; a record whose evaluation fails is dropped and reported, never the batch."""
        ctx = self._ctx
        ctx.new_run()
        result = TransformResult()
        cols = list(self.output_columns.items())
        strings = {c for c, t in cols if t == "string"}
        names = [c for c, _ in cols]

        def normalize(r: Mapping[str, Any]) -> dict[str, Any]:
            out = {}
            for c in names:
                v = r.get(c)
                if v is None:
                    v = "" if c in strings else None
                out[c] = v
            return out

        plan = self._plan
        if plan.per_record_source:
            step = plan.fused()
            for i, rec in enumerate(records):
                try:
                    out = step(rec)  # type: ignore[arg-type]
                except Exception as exc:
                    result.errors.append((i, _reason(exc)))
                    continue
                if out is not None:
                    result.rows.append(normalize(out))
            return result
        for i, rec in enumerate(records):
            ctx.source_rows = [rec]
            try:
                rows = [normalize(r) for r in plan.rows()]
            except Exception as exc:
                result.errors.append((i, _reason(exc)))
                continue
            result.rows.extend(rows)
        return result


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
) -> QueryResult:
    """Run a Log Analytics query over the provider's tables."""
    query = parse(text)
    check(query, "query")
    ctx = Ctx(clock, provider)
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
    try:
        rows = []
        for r in plan.rows():
            row = []
            for c in names:
                v = r.get(c)
                row.append("" if v is None and c in strings else v)
            rows.append(row)
    except KqlError:
        raise
    except Exception as exc:
        raise KqlError(f"the query failed while running: {_reason(exc)}") from exc
    return QueryResult([ResultTable("PrimaryResult", list(plan.columns.items()), rows)])


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
