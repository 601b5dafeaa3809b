"""``make-series`` (make-series-operator.md) and the basic ``series_*`` functions.

make-series groups by the ``by`` expressions, bins the axis column from ``start`` in steps of
``step`` (the high bound ``end`` is not included) and gives, per group, one dynamic array per
aggregate with the aggregate of each bin, ``default`` (0 unless given) where a bin has no rows,
and the array of the bins' axis values. Without ``from``, a series starts at its first bin that
has data (bins aligned on 0 / 1970-01-01); without ``to``, it ends at its last. An empty input
gives no rows, or with ``kind=nonempty`` one row of defaults (when there is no ``by``).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from azlogs.kql import _ast as A
from azlogs.kql._aggregates import AGGREGATES, auto_name, hashable
from azlogs.kql._budget import current
from azlogs.kql._compile import Env, compile_expr, err
from azlogs.kql._fn_series import numbers, register_table, series_periods_detect, series_periods_validate
from azlogs.kql._plan import Plan, Row
from azlogs.kql._values import UTC, to_dynamic

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def make_series(plan: Plan, op: A.MakeSeries, scope: Env) -> Plan:
    """Plan ``make-series``."""
    from azlogs.kql._tabular import derive_name
    from azlogs.kql._tabular_ops import _AggCollector, _contains_aggregate, _unique

    consts = scope.with_columns({})
    axis = compile_expr(op.axis, scope)
    if axis.type not in ("datetime", "timespan", "long", "int", "real", "decimal", "dynamic"):
        raise err(op.axis, f"make-series: the axis must be a datetime, timespan or number, not {axis.type}")
    step = compile_expr(op.step, consts)
    start = compile_expr(op.start, consts) if op.start is not None else None
    stop = compile_expr(op.stop, consts) if op.stop is not None else None
    by_cols: dict[str, str] = {}
    by_fns: list[Any] = []
    counter = [0]
    for a in op.by:
        c = compile_expr(a.expr, scope)
        name = a.name or derive_name(a.expr, by_cols, counter)
        by_cols[name] = c.type
        by_fns.append(c.fn)
    collector = _AggCollector(scope)
    agg_env = Env({}, scope.lets, scope.ctx, {"compile": collector.compile}, scope.depth, scope.extra)
    outputs: list[tuple[str, Any, Any]] = []
    out_cols: dict[str, str] = dict(by_cols)
    for a, default in op.aggregates:
        expr = a.expr
        if not _contains_aggregate(expr):
            expr = A.Call("take_any", (expr,), pos=a.pos)  # a constant per bin (the page's other=-1)
        c = compile_expr(expr, agg_env)
        call = expr if isinstance(expr, A.Call) and expr.name in AGGREGATES else None
        if a.name is not None:
            name = a.name
        elif call is not None:
            args = [x.name if isinstance(x, A.Column) else None for x in call.args]
            name = _unique(auto_name(call.name, args), out_cols)
        else:
            name = derive_name(None, out_cols, counter)
        if name in out_cols:
            raise err(a, f"make-series produces the column '{name}' twice")
        dflt = compile_expr(default, consts).fn({}) if default is not None else 0
        out_cols[name] = "dynamic"
        outputs.append((name, c.fn, dflt))
    axis_name = op.axis.name if isinstance(op.axis, A.Column) else "Column1"
    out_cols[axis_name] = "dynamic"
    aggs = collector.aggs
    nonempty = any(k == "kind" and str(v).lower() == "nonempty" for k, v in _options(op))

    def produce() -> Iterator[Row]:
        s = step.fn({})
        lo = start.fn({}) if start is not None else None
        hi = stop.fn({}) if stop is not None else None
        if (
            not s
            or (isinstance(s, (int, float)) and s <= 0)
            or (isinstance(s, timedelta) and s <= timedelta(0))
        ):
            raise err(op.step, "make-series needs a positive step")
        origin = (
            lo if lo is not None else (_EPOCH if isinstance(s, timedelta) and axis.type == "datetime" else 0)
        )
        if isinstance(s, timedelta) and axis.type == "timespan" and lo is None:
            origin = timedelta(0)
        groups: dict[Any, tuple[list[Any], dict[int, list[Any]]]] = {}
        news = [agg.new for _, agg, _ in aggs]
        adds = [agg.add for _, agg, _ in aggs]
        for r in plan.rows():
            v = axis.fn(r)
            if v is None or (lo is not None and v < lo) or (hi is not None and v >= hi):
                continue
            try:
                idx = math.floor((v - origin) / s)
            except TypeError:
                continue
            kv = [f(r) for f in by_fns]
            key = tuple(hashable(x) for x in kv)
            g = groups.get(key)
            if g is None:
                g = (kv, {})
                groups[key] = g
            states = g[1].get(idx)
            if states is None:
                current().hold()
                states = [n() for n in news]
                g[1][idx] = states
            for i, add in enumerate(adds):
                states[i] = add(states[i], r)
        if not groups and nonempty and not by_fns and lo is not None and hi is not None:
            groups[()] = ([], {})
        fixed_n = _bins(lo, hi, s) if lo is not None and hi is not None else None
        for kv, bins in groups.values():
            first = 0 if lo is not None else min(bins, default=0)
            last = (
                (fixed_n - 1)
                if fixed_n is not None
                else (_bins(origin, hi, s) - 1 if hi is not None else max(bins, default=-1))
            )
            out: Row = dict(zip(by_cols, kv, strict=True))
            arrays: list[list[Any]] = [[] for _ in outputs]
            for i in range(first, last + 1):
                current().tick()
                states = bins.get(i)
                if states is None:
                    for arr, (_, _, dflt) in zip(arrays, outputs, strict=True):
                        arr.append(dflt)
                    continue
                slots = {slot: agg.result(st) for (slot, agg, _), st in zip(aggs, states, strict=True)}
                for arr, (_, fn, _) in zip(arrays, outputs, strict=True):
                    arr.append(to_dynamic(fn(slots)))
            for (name, _, _), arr in zip(outputs, arrays, strict=True):
                out[name] = arr
            out[axis_name] = [to_dynamic(origin + s * i) for i in range(first, last + 1)]
            yield out

    return plan.materialize(produce, out_cols)


def _options(op: A.MakeSeries) -> list[tuple[str, Any]]:
    return list(op.options)


def _bins(lo: Any, hi: Any, step: Any) -> int:
    """How many bins of ``step`` from ``lo`` stay below ``hi``."""
    n: int = math.ceil((hi - lo) / step)
    return max(n, 0)


# ----------------------------------------------------------------------------- series_* functions


def _missing(v: Any, placeholder: Any) -> bool:
    if placeholder is None:
        return v is None
    if isinstance(placeholder, float) and math.isnan(placeholder):
        return v is None or (isinstance(v, float) and math.isnan(v))
    return v == placeholder and not isinstance(v, bool)


def series_fill_const(series: Any, constant: Any = 0, placeholder: Any = None) -> Any:
    """Missing values (null, or ``placeholder``) replaced by ``constant``."""
    if not isinstance(series, list):
        return None
    return [constant if _missing(v, placeholder) else v for v in series]


def series_fill_forward(series: Any, placeholder: Any = None) -> Any:
    """Each missing value replaced by the nearest value before it (leading ones stay)."""
    if not isinstance(series, list):
        return None
    out, last = [], None
    for v in series:
        if _missing(v, placeholder):
            out.append(last if last is not None else v)
        else:
            last = v
            out.append(v)
    return out


def series_fill_backward(series: Any, placeholder: Any = None) -> Any:
    """Each missing value replaced by the nearest value after it (trailing ones stay)."""
    if not isinstance(series, list):
        return None
    back = series_fill_forward(list(reversed(series)), placeholder)
    return list(reversed(back))


def series_fill_linear(
    series: Any, placeholder: Any = None, fill_edges: Any = True, constant: Any = None
) -> Any:
    """Missing values interpolated linearly; edges take the nearest value when ``fill_edges``, else
    ``constant`` when given. A series of whole numbers stays whole (the interpolation truncated); a
    series with no value at all becomes zeros, or ``constant`` (series-fill-linear-function.md)."""
    if not isinstance(series, list):
        return None
    vals = list(series)
    known = [i for i, v in enumerate(vals) if not _missing(v, placeholder)]
    if not known:
        return [constant if constant is not None else 0.0 for _ in vals]
    whole = all(isinstance(vals[i], int) and not isinstance(vals[i], bool) for i in known)
    out: list[Any] = list(vals)
    for a, b in itertools.pairwise(known):
        va, vb = float(vals[a]), float(vals[b])
        for i in range(a + 1, b):
            v = va + (vb - va) * (i - a) / (b - a)
            out[i] = int(v) if whole else v
    for i in range(len(vals)):
        if i < known[0] or i > known[-1]:
            if fill_edges is True:
                out[i] = vals[known[0]] if i < known[0] else vals[known[-1]]
            elif constant is not None:
                out[i] = constant
    return out


_STATS = ("min", "min_idx", "max", "max_idx", "avg", "stdev", "variance")


def series_stats_dynamic(series: Any, ignore_nonfinite: Any = False) -> Any:
    """min, min_idx, max, max_idx, avg, stdev, variance (the sample's), sum and len of a series, as a
    bag (series-stats-dynamic-function.md). Unless ``ignore_nonfinite``, a series with a non-finite
    element (null, NaN, infinity, a non-number) has null statistics; with it, those are skipped."""
    xs = numbers(series)
    if xs is None:
        return None
    finite = [(i, float(x)) for i, x in enumerate(xs) if x is not None and math.isfinite(x)]
    out: dict[str, Any] = dict.fromkeys(_STATS)
    out["sum"] = None
    out["len"] = len(xs)
    if not finite or (len(finite) != len(xs) and ignore_nonfinite is not True):
        return out
    n = len(finite)
    mn = min(finite, key=lambda p: p[1])
    mx = max(finite, key=lambda p: p[1])
    total = math.fsum(v for _, v in finite)
    avg = total / n
    var = math.fsum((v - avg) ** 2 for _, v in finite) / (n - 1) if n > 1 else 0.0
    out.update(
        min=mn[1], min_idx=mn[0], max=mx[1], max_idx=mx[0], avg=avg, stdev=math.sqrt(var), variance=var
    )
    out["sum"] = total
    return out


def series_stats(series: Any, ignore_nonfinite: Any = False) -> list[Any] | None:
    """series_stats_dynamic's first seven statistics as several results (series-stats-function.md)."""
    bag = series_stats_dynamic(series, ignore_nonfinite)
    return None if bag is None else [bag[k] for k in _STATS]


_FIT = ("rsquare", "slope", "variance", "rvariance", "interception", "line_fit")


def series_fit_line(series: Any) -> Any:
    """Least squares line over x = 1..n (series-fit-line-function.md): RSquare, Slope, Variance (of
    the series, n-1), RVariance (of the residuals, n-1), Interception, LineFit. Null elements are
    left out of the fit."""
    ys = numbers(series)
    if ys is None:
        return None
    pts = [(i + 1, float(v)) for i, v in enumerate(ys) if v is not None]
    n = len(pts)
    if n < 2:
        return [None, None, None, None, None, [None] * len(ys)]
    mx = math.fsum(x for x, _ in pts) / n
    my = math.fsum(y for _, y in pts) / n
    sxx = math.fsum((x - mx) ** 2 for x, _ in pts)
    slope = math.fsum((x - mx) * (y - my) for x, y in pts) / sxx
    icpt = my - slope * mx
    sst = math.fsum((y - my) ** 2 for _, y in pts)
    sse = math.fsum((y - (icpt + slope * x)) ** 2 for x, y in pts)
    rsquare = 1 - sse / sst if sst else 1.0
    return [
        rsquare,
        slope,
        sst / (n - 1),
        sse / (n - 1),
        icpt,
        [icpt + slope * (i + 1) for i in range(len(ys))],
    ]


def series_fit_line_dynamic(series: Any) -> Any:
    """series_fit_line's results as a bag: rsquare, slope, variance, rvariance, interception, line_fit."""
    parts = series_fit_line(series)
    return None if parts is None else dict(zip(_FIT, parts, strict=True))


# Functions with several results, for `(a, b, ...) = f(...)` and the names of unnamed ones
# (series_stats(x) gives series_stats_x_min, ...: Kusto.Language's MakePrefixedTuple), with their
# implementations and arities. Their pages: they "return multiple columns and so cannot be used as an
# argument for another function", so they are special forms, not registry functions.
PARTS: dict[str, tuple[tuple[str, str], ...]] = {
    "series_fit_line": (
        ("rsquare", "real"),
        ("slope", "real"),
        ("variance", "real"),
        ("rvariance", "real"),
        ("interception", "real"),
        ("line_fit", "dynamic"),
    ),
    "series_stats": (
        ("min", "real"),
        ("min_idx", "long"),
        ("max", "real"),
        ("max_idx", "long"),
        ("avg", "real"),
        ("stdev", "real"),
        ("variance", "real"),
    ),
    "series_periods_detect": (("periods", "dynamic"), ("scores", "dynamic")),
    "series_periods_validate": (("periods", "dynamic"), ("scores", "dynamic")),
}
_PART_IMPLS: dict[str, tuple[Any, int, int, str]] = {
    "series_fit_line": (series_fit_line, 1, 1, "a series"),
    "series_stats": (series_stats, 1, 2, "a series and ignore_nonfinite"),
    "series_periods_detect": (series_periods_detect, 4, 4, "series, min_period, max_period, num_periods"),
    "series_periods_validate": (series_periods_validate, 2, 17, "a series and 1 to 16 periods"),
}


def parts_form(node: A.Call, env: Env) -> Any:
    """A function of ``PARTS`` as a special form: its value is the list of its several results."""
    from azlogs.kql._compile import CExpr

    impl, lo, hi, what = _PART_IMPLS[node.name]
    if not lo <= len(node.args) <= hi:
        raise err(node, f"{node.name}() takes {what}, got {len(node.args)} arguments")
    args = [compile_expr(a, env) for a in node.args]
    fns = [a.fn for a in args]
    return CExpr(lambda r: impl(*[f(r) for f in fns]), "dynamic", row_free=all(a.row_free for a in args))


register_table(
    lambda types: "dynamic",
    ("series_fill_const", series_fill_const, 1, 3),
    ("series_fill_forward", series_fill_forward, 1, 2),
    ("series_fill_backward", series_fill_backward, 1, 2),
    ("series_fill_linear", series_fill_linear, 1, 4),
    ("series_stats_dynamic", series_stats_dynamic, 1, 2),
    ("series_fit_line_dynamic", series_fit_line_dynamic, 1, 1),
)
