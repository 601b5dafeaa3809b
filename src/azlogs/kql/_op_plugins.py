"""More ``evaluate`` plugins: ``rows_near``, ``rolling_percentile``, ``schema_merge``, ``dcount_intersect``,
``ipv6_lookup``, and the user-activity plugins ``sliding_window_counts``, ``active_users_count``,
``activity_counts_metrics``, ``activity_metrics`` and ``new_activity_metrics``.

From the pages (MicrosoftDocs/dataexplorer-docs, data-explorer/kusto/query/<name>-plugin.md, with the
hyphens of the name):

* ``rows_near(Condition, NumRows [, RowsAfter])``: the input rows (in order) within NumRows before or
  RowsAfter (NumRows) after a row where Condition is true.
* ``rolling_percentile(Value, Percentile, Index, BinSize, BinsPerWindow [, dim ...])``: per bin of
  ``bin(Index, BinSize)`` (and dimensions), the nearest-rank percentile of the values of the window of
  BinsPerWindow bins ending at it; the column ``rolling_<W>_percentile_<Value>_<P>``. Our reading: a
  row for every bin from a group's first to its last, left out where its window has no value.
* ``schema_merge([PreserveOrder])`` over getschema rows: the columns in the order they appear, a
  column new to a schema placed after the column before it there; with PreserveOrder (the default) a
  column whose ordinal differs from its first schema's is the page's
  ``ERROR(columns are out of order)`` row with ordinal -1. Types that differ widen int -> long -> real
  where they are numbers, else dynamic [our reading: the page does not say how].
* ``dcount_intersect(hll1, hll2 ...)``: the input with ``s0``, ``s1`` ...: the distinct count of S1,
  S1 ∩ S2, ... (exact: our hll values hold the hashes, see _sketches).
* ``ipv6_lookup(LookupTable, SourceKey, LookupKey [, return_unmatched])``: as ipv4_lookup, the most
  specific range winning; the lookup table's columns come first, as the page prints them.
* ``sliding_window_counts(Id, Timeline, Start, End, LookbackWindow, Bin [, dim ...])``: per bin from
  Start to End, ``Count`` and ``dcount`` of the rows whose bin is in the lookback window ending at it
  (``LookbackWindow`` rounded down to whole bins); bins without rows are left out.
* ``active_users_count(Id, Timeline, Start, End, LookbackWindow, Period, ActivePeriodsCount, Bin
  [, dim ...])``: per bin, the distinct ids with an appearance in it that was active: the id appeared
  in at least ActivePeriodsCount distinct periods in the lookback window (t - LookbackWindow, t]
  (the page's July 2018 example pins the open start); bins without active ids are left out.
* ``activity_counts_metrics(Id, Timeline, Start, End, Step [, dim ...])``: per window ``count``,
  ``dcount``, ``new_dcount`` (ids not seen in an earlier window) and ``aggregated_dcount`` (ids seen
  up to it); the window column is ``Timestamp``, as the page's schema names it.
* ``activity_metrics(Id, Timeline, Start, End, Window [, dim ...])``: per window ``dcount_values``,
  ``dcount_newvalues`` (not seen before), ``retention_rate`` (the share of the previous window's ids
  seen again) and ``churn_rate`` (1 - retention); NaN for the first window.
* ``new_activity_metrics(Id, Timeline, Start, End, Window [, Cohort] [, dim ...] [, Lookback])``: per
  cohort (the ids first seen in a window; the Lookback table's ids count as seen before) and each
  window from it on, ``dcount_new_values`` (the cohort's size in its own window, else the ids not seen
  up to the cohort's window), ``dcount_retained_values``, ``dcount_churn_values`` (real, as the page's
  schema has it), ``retention_rate`` and ``churn_rate`` (of the cohort; NaN for an empty one); the
  page's table of R 1..11 is a test.
* ``funnel_sequence_completion(Id, Timeline, Start, End, BinSize, State, Sequence, MaxSequenceStepWindows)``:
  per bin, per period of MaxSequenceStepWindows and per state of Sequence, the distinct ids that went
  from the first state through the states up to it, each step at or after the one before and all
  within the period of a first step (our reading of "transitioned from first sequence state").

Bins and windows are ``Start + k * Step`` (``week``, ``month``, ``year`` for startofweek/month/year).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

from azlogs.kql import _ast as A
from azlogs.kql._agg2 import percent_fragment
from azlogs.kql._aggregates import hashable, nearest_rank, percentile_type
from azlogs.kql._budget import current
from azlogs.kql._compile import Env, compile_expr, err
from azlogs.kql._op_evaluate import _named
from azlogs.kql._op_evaluate import _value as _const
from azlogs.kql._plan import Plan, Row
from azlogs.kql._registry import lookup
from azlogs.kql._sketches import read_hll
from azlogs.kql._values import convert, to_real

__all__ = ["PLUGINS"]


def _column(op: A.Evaluate, node: Any, plan: Plan, what: str) -> str:
    name = node.name if isinstance(node, A.Column) else None
    if name is None and isinstance(node, A.Literal) and isinstance(node.value, str):
        name = node.value
    if name is None or name not in plan.columns:
        raise err(op, f"{op.plugin}(): the {what} is a column of the input")
    return name


def _columns(op: A.Evaluate, nodes: list[Any], plan: Plan) -> list[str]:
    return [_column(op, n, plan, "dimension") for n in nodes]


def _arity(op: A.Evaluate, args: list[Any], low: int, high: int = -1) -> None:
    if len(args) < low or (high != -1 and len(args) > high):
        raise err(
            op, f"{op.plugin}() takes {low}{'' if high == low else ' or more'} arguments, got {len(args)}"
        )


# ----------------------------------------------------------------------------- rows_near


def _rows_near(plan: Plan, op: A.Evaluate, scope: Env) -> Plan:
    positional, _ = _named(op)
    _arity(op, positional, 2, 3)
    cond = compile_expr(positional[0], scope.with_columns(plan.columns)).fn
    before = _const(positional[1], scope)
    after = _const(positional[2], scope) if len(positional) > 2 else before
    if not all(isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in (before, after)):
        raise err(op, "rows_near(): NumRows and RowsAfter are whole numbers of rows, 0 or more")

    def produce() -> Iterator[Row]:
        rows = current().collect(plan.rows())
        keep = [False] * len(rows)
        for i, r in enumerate(rows):
            if cond(r) is True:
                for j in range(max(0, i - before), min(len(rows), i + after + 1)):
                    keep[j] = True
        return (r for r, k in zip(rows, keep, strict=True) if k)

    return Plan(dict(plan.columns), produce)


# ----------------------------------------------------------------------------- periods


Step = Any  # a timespan, a number, or "week"/"month"/"year"


def _step(op: A.Evaluate, value: Any, what: str) -> Step:
    if isinstance(value, str) and value.lower() in ("week", "month", "year"):
        return value.lower()
    if isinstance(value, bool) or value is None:
        raise err(op, f"{op.plugin}(): {what} is a timespan, a number, or 'week', 'month' or 'year'")
    if isinstance(value, timedelta) and value > timedelta(0):
        return value
    if isinstance(value, (int, float)) and value > 0:
        return value
    raise err(op, f"{op.plugin}(): {what} must be more than 0")


def _calendar(step: str) -> Callable[[Any], Any]:
    spec = lookup(f"startof{step}")
    assert spec is not None and spec.impl is not None
    impl = spec.impl
    return lambda t: impl(t)


def _period_of(start: Any, step: Step) -> Callable[[Any], Any]:
    """The start of the period (Start + k * step, or the calendar's) holding a value."""
    if isinstance(step, str):
        return _calendar(step)

    def of(t: Any) -> Any:
        if t is None:
            return None
        try:
            k = math.floor((t - start) / step)
        except TypeError:
            return None
        return start + k * step

    return of


def _next_period(t: Any, step: Step) -> Any:
    if not isinstance(step, str):
        return t + step
    if step == "week":
        return t + timedelta(days=7)
    if step == "month":
        return t.replace(year=t.year + t.month // 12, month=t.month % 12 + 1)
    return t.replace(year=t.year + 1)


def _periods(start: Any, end: Any, step: Step) -> list[Any]:
    of = _period_of(start, step)
    out: list[Any] = []
    t = of(start) if isinstance(step, str) else start
    while t <= end:
        out.append(t)
        current().hold()
        t = _next_period(t, step)
    return out


def _frame(plan: Plan, op: A.Evaluate, scope: Env, first: int) -> tuple[list[Any], list[str]]:
    """The constant arguments before ``first`` (after Id and Timeline) and the dimension columns."""
    positional, _ = _named(op)
    return [_const(a, scope) for a in positional[2:first]], _columns(op, positional[first:], plan)


def _id_time(op: A.Evaluate, plan: Plan) -> tuple[str, str]:
    positional, _ = _named(op)
    return _column(op, positional[0], plan, "id column"), _column(op, positional[1], plan, "timeline column")


# ----------------------------------------------------------------------------- rolling_percentile


def _rolling_percentile(plan: Plan, op: A.Evaluate, scope: Env) -> Plan:
    positional, _ = _named(op)
    _arity(op, positional, 5)
    value = _column(op, positional[0], plan, "value column")
    index = _column(op, positional[2], plan, "index column")
    dims = _columns(op, positional[5:], plan)
    pct = to_real(_const(positional[1], scope))
    size = _step(op, _const(positional[3], scope), "BinSize")
    width = _const(positional[4], scope)
    if pct is None or not 0 <= pct <= 100:
        raise err(op, "rolling_percentile(): the percentile is a number from 0 to 100")
    if not isinstance(width, int) or isinstance(width, bool) or width < 1 or isinstance(size, str):
        raise err(op, "rolling_percentile(): BinSize is a timespan or number, BinsPerWindow a count of bins")
    from azlogs.kql._fn_misc import bin_value

    typ = percentile_type(plan.columns[value])
    out_name = f"rolling_{width}_percentile_{value}_{percent_fragment(pct)}"
    cols = {index: plan.columns[index], **{d: plan.columns[d] for d in dims}, out_name: typ}

    def produce() -> Iterator[Row]:
        groups: dict[Any, tuple[list[Any], dict[Any, list[Any]]]] = {}
        for r in plan.rows():
            b, v = bin_value(r.get(index), size), r.get(value)
            if b is None or v is None or isinstance(v, (str, bool, dict, list)):
                continue
            kv = [r.get(d) for d in dims]
            g = groups.setdefault(tuple(hashable(x) for x in kv), (kv, {}))
            g[1].setdefault(b, []).append(v)
            current().hold()
        for kv, bins in groups.values():
            b, last = min(bins), max(bins)
            while b <= last:
                window: list[Any] = []
                for k in range(width):
                    window.extend(bins.get(b - k * size, ()))
                if window:
                    window.sort()
                    yield {index: b, **dict(zip(dims, kv, strict=True)), out_name: nearest_rank(window, pct)}
                b = b + size

    return Plan(cols, produce)


# ----------------------------------------------------------------------------- schema_merge

_OUT_OF_ORDER = "ERROR(columns are out of order)"
_WIDER = ("int", "long", "real")


def _merge_type(a: str, b: str) -> str:
    if a == b:
        return a
    if a in _WIDER and b in _WIDER:
        return _WIDER[max(_WIDER.index(a), _WIDER.index(b))]
    return "dynamic"


def _schema_merge(plan: Plan, op: A.Evaluate, scope: Env) -> Plan:
    from azlogs.kql._tabular_ops import _DOTNET

    positional, named = _named(op)
    preserve_node = named.get("preserveorder", positional[0] if positional else None)
    preserve = True if preserve_node is None else _const(preserve_node, scope) is not False
    for c in ("ColumnName", "ColumnOrdinal", "ColumnType"):
        if c not in plan.columns:
            raise err(op, f"schema_merge(): the input is getschema output; it has no column {c}")
    cols = {"ColumnName": "string", "ColumnOrdinal": "int", "DataType": "string", "ColumnType": "string"}

    def produce() -> Iterator[Row]:
        order: list[str] = []
        types: dict[str, str] = {}
        first_ordinal: dict[str, Any] = {}
        broken: set[str] = set()
        schema_prev: str | None = None
        last_ordinal: Any = None
        for r in current().collect(plan.rows()):
            name, ordinal, typ = r.get("ColumnName"), r.get("ColumnOrdinal"), r.get("ColumnType")
            if not isinstance(name, str):
                continue
            if last_ordinal is not None and isinstance(ordinal, int) and ordinal <= last_ordinal:
                schema_prev = None  # the ordinals start again: the next schema's rows
            last_ordinal = ordinal
            if name not in types:
                # A new column goes after the column before it in its schema.
                order.insert(order.index(schema_prev) + 1 if schema_prev is not None else 0, name)
                types[name] = str(typ)
                first_ordinal[name] = ordinal
            else:
                types[name] = _merge_type(types[name], str(typ))
                if preserve and ordinal != first_ordinal[name]:
                    broken.add(name)
            schema_prev = name
        n = 0
        for name in order:
            if name in broken:
                yield {
                    "ColumnName": name,
                    "ColumnOrdinal": -1,
                    "DataType": f"ERROR(unknown CSL type:{_OUT_OF_ORDER})",
                    "ColumnType": _OUT_OF_ORDER,
                }
                continue
            yield {
                "ColumnName": name,
                "ColumnOrdinal": n,
                "DataType": _DOTNET.get(types[name], "System.Object"),
                "ColumnType": types[name],
            }
            n += 1

    return Plan(cols, produce)


# ----------------------------------------------------------------------------- dcount_intersect


def _dcount_intersect(plan: Plan, op: A.Evaluate, scope: Env) -> Plan:
    positional, _ = _named(op)
    _arity(op, positional, 2)
    row_scope = scope.with_columns(plan.columns)
    fns = [compile_expr(a, row_scope).fn for a in positional]
    names = [f"s{i}" for i in range(len(fns))]
    cols = {**plan.columns, **dict.fromkeys(names, "long")}

    def produce() -> Iterator[Row]:
        for r in plan.rows():
            out = dict(r)
            common: set[str] | None = None
            for name, f in zip(names, fns, strict=True):
                sketch = read_hll(f(r))
                if sketch is None:
                    common = None
                    out.update(dict.fromkeys(names[names.index(name) :]))
                    break
                common = set(sketch[1]) if common is None else common & sketch[1]
                out[name] = len(common)
            yield out

    return Plan(cols, produce)


# ----------------------------------------------------------------------------- ipv6_lookup


def _ipv6_lookup(plan: Plan, op: A.Evaluate, scope: Env) -> Plan:
    from azlogs.kql._fn_ip import ipv6_is_in_range
    from azlogs.kql._tabular import compile_pipeline

    positional, named = _named(op)
    if len(positional) < 3 or not all(isinstance(a, A.Column) for a in positional[1:3]):
        raise err(
            op,
            "ipv6_lookup(LookupTable, SourceIPv6Key, IPv6LookupKey [, return_unmatched]) takes column names",
        )
    table = compile_pipeline(positional[0], scope.with_columns({}))
    src, key = positional[1].name, positional[2].name
    for name, c, side in ((src, plan.columns, "input"), (key, table.columns, "lookup table")):
        if name not in c:
            raise err(op, f"ipv6_lookup: the {side} has no column '{name}'")
    flag = named.get("return_unmatched", positional[3] if len(positional) > 3 else None)
    unmatched = flag is not None and _const(flag, scope) is True
    added = {c: t for c, t in table.columns.items() if c not in plan.columns}
    cols = {**added, **plan.columns}
    nulls = dict.fromkeys(added)

    def prefix(text: Any) -> int:
        s = str(text) if text is not None else ""
        tail = s.rsplit("/", 1)[1] if "/" in s else ""
        return int(tail) if tail.isdigit() else 128

    def produce() -> Iterator[Row]:
        ranges = sorted(current().collect(table.rows()), key=lambda r: -prefix(r.get(key)))
        for r in plan.rows():
            ip = r.get(src)
            hit = next((lr for lr in ranges if ipv6_is_in_range(ip, lr.get(key)) is True), None)
            if hit is None:
                if unmatched:
                    yield {**nulls, **r}
                continue
            yield {**{c: hit.get(c) for c in added}, **r}

    return Plan(cols, produce)


# ----------------------------------------------------------------------------- user activity


def _groups_by_period(
    plan: Plan, id_col: str, time_col: str, dims: list[str], of: Callable[[Any], Any]
) -> dict[Any, tuple[list[Any], dict[Any, list[Any]]]]:
    """Per dimensions: period -> the ids of its rows (one per row)."""
    groups: dict[Any, tuple[list[Any], dict[Any, list[Any]]]] = {}
    for r in plan.rows():
        p = of(r.get(time_col))
        if p is None:
            continue
        kv = [r.get(d) for d in dims]
        g = groups.setdefault(tuple(hashable(x) for x in kv), (kv, {}))
        g[1].setdefault(p, []).append(hashable(r.get(id_col)))
        current().hold()
    return groups


def _sliding_window_counts(plan: Plan, op: A.Evaluate, scope: Env) -> Plan:
    positional, _ = _named(op)
    _arity(op, positional, 6)
    id_col, time_col = _id_time(op, plan)
    (start, end, lookback, step_v), dims = _frame(plan, op, scope, 6)
    step = _step(op, step_v, "Bin")
    if not isinstance(lookback, timedelta | int | float) or isinstance(lookback, bool):
        raise err(op, "sliding_window_counts(): LookbackWindow is a timespan or a number")
    if not isinstance(step, str):
        lookback = (lookback // step) * step  # rounded down to whole bins
    cols = {
        time_col: plan.columns[time_col],
        **{d: plan.columns[d] for d in dims},
        "Count": "long",
        "dcount": "long",
    }

    def produce() -> Iterator[Row]:
        groups = _groups_by_period(plan, id_col, time_col, dims, _period_of(start, step))
        bins = _periods(start, end, step)
        for kv, periods in groups.values():
            for b in bins:
                ids = [i for p, items in periods.items() if b - lookback < p <= b for i in items]
                if ids:
                    yield {
                        time_col: b,
                        **dict(zip(dims, kv, strict=True)),
                        "Count": len(ids),
                        "dcount": len({i for i in ids if i is not None}),
                    }

    return Plan(cols, produce)


def _active_users_count(plan: Plan, op: A.Evaluate, scope: Env) -> Plan:
    positional, _ = _named(op)
    _arity(op, positional, 8)
    id_col, time_col = _id_time(op, plan)
    (start, end, lookback, period, active, step_v), dims = _frame(plan, op, scope, 8)
    step = _step(op, step_v, "Bin")
    period = _step(op, period, "Period")
    if isinstance(period, str) or not isinstance(lookback, timedelta | int | float):
        raise err(op, "active_users_count(): LookbackWindow and Period are timespans")
    threshold = to_real(active)
    if threshold is None:
        raise err(op, "active_users_count(): ActivePeriodsCount is a number")
    bin_of = _period_of(start, step)
    cols = {time_col: plan.columns[time_col], **{d: plan.columns[d] for d in dims}, "dcount": "long"}

    def produce() -> Iterator[Row]:
        seen: dict[Any, tuple[list[Any], dict[Any, list[Any]]]] = {}
        for r in plan.rows():
            t, who = r.get(time_col), r.get(id_col)
            if t is None or who is None:
                continue
            kv = [r.get(d) for d in dims]
            g = seen.setdefault(tuple(hashable(x) for x in kv), (kv, {}))
            g[1].setdefault(hashable(who), []).append(t)
            current().hold()
        for kv, users in seen.values():
            active_in: dict[Any, set[Any]] = {}
            for who, times in users.items():
                for t in times:
                    if t < start or t > end:
                        continue
                    days = {math.floor((x - start) / period) for x in times if t - lookback < x <= t}
                    if len(days) >= threshold:
                        active_in.setdefault(bin_of(t), set()).add(who)
            for b in sorted(active_in):
                if b <= end:
                    yield {time_col: b, **dict(zip(dims, kv, strict=True)), "dcount": len(active_in[b])}

    return Plan(cols, produce)


def _activity_windows(
    plan: Plan, op: A.Evaluate, scope: Env
) -> tuple[str, list[str], Callable[[], Iterator[tuple[list[Any], Any, int, set[Any]]]]]:
    """The arguments (Id, Timeline, Start, End, Step [, dim ...]) of the activity plugins: the
    timeline column, the dimensions, and per group in order its windows from Start to End, each with
    its row count and distinct ids."""
    positional, _ = _named(op)
    _arity(op, positional, 5)
    id_col, time_col = _id_time(op, plan)
    (start, end, step_v), dims = _frame(plan, op, scope, 5)
    step = _step(op, step_v, "the window")

    def windows() -> Iterator[tuple[list[Any], Any, int, set[Any]]]:
        groups = _groups_by_period(plan, id_col, time_col, dims, _period_of(start, step))
        first = _period_of(start, step)(start)
        for kv, periods in groups.values():
            for p in sorted(periods):
                if first <= p <= end:
                    yield kv, p, len(periods[p]), {i for i in periods[p] if i is not None}

    return time_col, dims, windows


def _activity_counts_metrics(plan: Plan, op: A.Evaluate, scope: Env) -> Plan:
    time_col, dims, windows = _activity_windows(plan, op, scope)
    cols = {
        "Timestamp": plan.columns[time_col],
        **{d: plan.columns[d] for d in dims},
        **dict.fromkeys(("count", "dcount", "new_dcount", "aggregated_dcount"), "long"),
    }

    def produce() -> Iterator[Row]:
        seen: dict[Any, set[Any]] = {}
        for kv, p, count, ids in windows():
            so_far = seen.setdefault(tuple(hashable(x) for x in kv), set())
            new = ids - so_far
            so_far |= ids
            yield {
                "Timestamp": p,
                **dict(zip(dims, kv, strict=True)),
                "count": count,
                "dcount": len(ids),
                "new_dcount": len(new),
                "aggregated_dcount": len(so_far),
            }

    return Plan(cols, produce)


def _activity_metrics(plan: Plan, op: A.Evaluate, scope: Env) -> Plan:
    time_col, dims, windows = _activity_windows(plan, op, scope)
    cols = {
        time_col: plan.columns[time_col],
        **{d: plan.columns[d] for d in dims},
        "dcount_values": "long",
        "dcount_newvalues": "long",
        "retention_rate": "real",
        "churn_rate": "real",
    }

    def produce() -> Iterator[Row]:
        seen: dict[Any, tuple[set[Any], set[Any]]] = {}  # per group: every id so far, the last window's
        for kv, p, _, ids in windows():
            so_far, previous = seen.setdefault(tuple(hashable(x) for x in kv), (set(), set()))
            retention = len(ids & previous) / len(previous) if previous else math.nan
            yield {
                time_col: p,
                **dict(zip(dims, kv, strict=True)),
                "dcount_values": len(ids),
                "dcount_newvalues": len(ids - so_far),
                "retention_rate": retention,
                "churn_rate": 1.0 - retention,
            }
            seen[tuple(hashable(x) for x in kv)] = (so_far | ids, ids)

    return Plan(cols, produce)


def _new_activity_metrics(plan: Plan, op: A.Evaluate, scope: Env) -> Plan:
    from azlogs.kql._tabular import compile_pipeline

    positional, _ = _named(op)
    _arity(op, positional, 5)
    id_col, time_col = _id_time(op, plan)
    start, end, step_v = (_const(a, scope) for a in positional[2:5])
    step = _step(op, step_v, "the window")
    rest = list(positional[5:])
    lookback: Plan | None = None
    if rest and isinstance(rest[-1], A.Column) and rest[-1].name not in plan.columns:
        binding = scope.lets.get(rest[-1].name)
        if binding is not None and binding.kind == "tabular":
            lookback = compile_pipeline(rest.pop(), scope.with_columns({}))
    cohort: Any = None
    if rest and not (isinstance(rest[0], A.Column) and rest[0].name in plan.columns):
        cohort = _const(rest.pop(0), scope)
    dims = _columns(op, rest, plan)
    if lookback is not None and id_col not in lookback.columns:
        raise err(op, f"new_activity_metrics(): the lookback table has no column '{id_col}'")
    typ = plan.columns[time_col]
    cols = {
        f"from_{time_col}": typ,
        f"to_{time_col}": typ,
        "dcount_new_values": "long",
        "dcount_retained_values": "long",
        "dcount_churn_values": "real",
        "retention_rate": "real",
        "churn_rate": "real",
        **{d: plan.columns[d] for d in dims},
    }

    def produce() -> Iterator[Row]:
        of = _period_of(start, step)
        periods = _periods(start, end, step)
        earlier = (
            {hashable(r.get(id_col)) for r in current().collect(lookback.rows())}
            if lookback is not None
            else set()
        )
        groups = _groups_by_period(plan, id_col, time_col, dims, of)
        for kv, by_period in groups.values():
            users = {p: {i for i in by_period.get(p, ()) if i is not None} for p in periods}
            seen = set(earlier)  # every id of the periods before the cohort's
            for f_at, f in enumerate(periods):
                new_users = users[f] - seen
                seen |= users[f]
                if cohort is not None and f != of(cohort):
                    continue
                for t in periods[f_at:]:
                    retained = len(new_users & users[t])
                    churned = len(new_users) - retained
                    yield {
                        f"from_{time_col}": f,
                        f"to_{time_col}": t,
                        "dcount_new_values": len(new_users) if t == f else len(users[t] - seen),
                        "dcount_retained_values": retained,
                        "dcount_churn_values": float(churned),
                        "retention_rate": retained / len(new_users) if new_users else math.nan,
                        "churn_rate": churned / len(new_users) if new_users else math.nan,
                        **dict(zip(dims, kv, strict=True)),
                    }

    return Plan(cols, produce)


def _funnel_sequence_completion(plan: Plan, op: A.Evaluate, scope: Env) -> Plan:
    positional, _ = _named(op)
    _arity(op, positional, 8, 8)
    id_col, time_col = _id_time(op, plan)
    start, end, size = (_const(a, scope) for a in positional[2:5])
    state_col = _column(op, positional[5], plan, "state column")
    sequence, spans = _const(positional[6], scope), _const(positional[7], scope)
    if not isinstance(sequence, list) or not sequence or not isinstance(spans, list) or not spans:
        raise err(
            op, "funnel_sequence_completion(): Sequence and MaxSequenceStepWindows are non-empty arrays"
        )
    step = _step(op, size, "BinSize")
    typ = plan.columns[time_col]
    periods = [convert(x, "timespan") if typ in ("datetime", "timespan") else x for x in spans]
    if any(p is None for p in periods):
        raise err(op, "funnel_sequence_completion(): MaxSequenceStepWindows holds spans such as 1h")
    states = [str(x) if not isinstance(x, str) else x for x in sequence]
    span_type = "timespan" if typ in ("datetime", "timespan") else typ
    cols = {time_col: typ, state_col: plan.columns[state_col], "Period": span_type, "dcount": "long"}

    def reached(events: list[tuple[Any, int]], span: Any) -> int:
        """How many steps of the sequence one id completes within ``span`` of a first step."""
        best = 0
        for i, (t0, s0) in enumerate(events):
            if s0 != 0:
                continue
            got, at = 1, t0
            for t, s in events[i + 1 :]:
                if t - t0 > span or got == len(states):
                    break
                if s == got and t >= at:
                    got, at = got + 1, t
            best = max(best, got)
        return best

    def produce() -> Iterator[Row]:
        of = _period_of(start, step)
        by_bin: dict[Any, dict[Any, list[tuple[Any, int]]]] = {}
        for r in plan.rows():
            t, who, state = r.get(time_col), r.get(id_col), r.get(state_col)
            if t is None or who is None or state not in states or t < start or t > end:
                continue
            by_bin.setdefault(of(t), {}).setdefault(hashable(who), []).append((t, states.index(state)))
            current().hold()
        for b in sorted(by_bin):
            ids = by_bin[b]
            for events in ids.values():
                events.sort(key=lambda e: e[0])
            for span in periods:
                steps = [reached(events, span) for events in ids.values()]
                for k, state in enumerate(sequence):
                    count = sum(1 for n in steps if n > k)
                    yield {time_col: b, state_col: state, "Period": span, "dcount": count}

    return Plan(cols, produce)


PLUGINS: dict[str, Callable[[Plan, A.Evaluate, Env], Plan]] = {
    "rows_near": _rows_near,
    "rolling_percentile": _rolling_percentile,
    "schema_merge": _schema_merge,
    "dcount_intersect": _dcount_intersect,
    "ipv6_lookup": _ipv6_lookup,
    "sliding_window_counts": _sliding_window_counts,
    "active_users_count": _active_users_count,
    "activity_counts_metrics": _activity_counts_metrics,
    "activity_metrics": _activity_metrics,
    "new_activity_metrics": _new_activity_metrics,
    "funnel_sequence_completion": _funnel_sequence_completion,
}
