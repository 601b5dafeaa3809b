"""Summarize aggregates. Each aggregate keeps a small state per group: ``new()``, ``add(state, row)``
(returns the new state) and ``result(state)``. Nulls are ignored, as in KQL.

Aggregates whose state grows with the rows (dcount, make_list/make_set, percentile) count each value
they keep against the run's budget of held rows, like sort and join do: a percentile over a range
of a billion rows is stopped by the budget, not by the machine running out of memory."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from azlogs.facts import KQL_MAKE_LIST_MAX_SIZE
from azlogs.kql._budget import current
from azlogs.kql._registry import REGISTRY, FunctionSpec, numeric_promote
from azlogs.kql._values import dumps, to_dynamic

Row = Mapping[str, Any]
Fn = Callable[[Row], Any]


def hashable(v: Any) -> Any:
    """A hashable stand-in for a value (dynamic arrays and bags hash by their JSON text)."""
    if isinstance(v, (dict, list)):
        return ("\0dynamic", dumps(v))
    if isinstance(v, bool):
        return ("\0bool", v)
    return v


@dataclass
class Aggregate:
    """A compiled aggregate: state functions and the KQL type of the result."""

    type: str
    new: Callable[[], Any]
    add: Callable[[Any, Row], Any]
    result: Callable[[Any], Any]
    # arg_max/arg_min return several columns: (name, type, index into the result tuple)
    columns: list[tuple[str, str]] | None = None


def _count(args: list[Any], types: list[str]) -> Aggregate:
    return Aggregate("long", lambda: 0, lambda s, r: s + 1, lambda s: s)


def _countif(args: list[Any], types: list[str]) -> Aggregate:
    p = args[0]
    return Aggregate("long", lambda: 0, lambda s, r: s + 1 if p(r) is True else s, lambda s: s)


def _dcount(args: list[Any], types: list[str]) -> Aggregate:
    f = args[0]

    def add(s: set[Any], r: Row) -> set[Any]:
        v = f(r)
        if v is not None and v != "":
            n = len(s)
            s.add(hashable(v))
            if len(s) > n:
                current().hold()
        return s

    return Aggregate("long", set, add, len)


def _dcountif(args: list[Any], types: list[str]) -> Aggregate:
    f, p = args[0], args[1]

    def add(s: set[Any], r: Row) -> set[Any]:
        if p(r) is True:
            v = f(r)
            if v is not None:
                n = len(s)
                s.add(hashable(v))
                if len(s) > n:
                    current().hold()
        return s

    return Aggregate("long", set, add, len)


def _sum_type(types: list[str]) -> str:
    t = types[0] if types else "long"
    if t in ("timespan",):
        return t
    return "real" if t == "dynamic" else numeric_promote([t, "long"] if t == "int" else [t])


def _sum(args: list[Any], types: list[str], pred: Fn | None = None) -> Aggregate:
    f = args[0]
    typ = _sum_type(types)

    def add(s: Any, r: Row) -> Any:
        if pred is not None and pred(r) is not True:
            return s
        v = f(r)
        if v is None or isinstance(v, (str, bool, dict, list)):
            return s
        return v if s is None else s + v

    def result(s: Any) -> Any:
        if typ == "real" and s is not None:
            return float(s)
        return s

    return Aggregate(typ, lambda: None, add, result)


def _avg(args: list[Any], types: list[str], pred: Fn | None = None) -> Aggregate:
    f = args[0]

    def add(s: list[Any], r: Row) -> list[Any]:
        if pred is not None and pred(r) is not True:
            return s
        v = f(r)
        if v is None or isinstance(v, (str, bool, dict, list)):
            return s
        s[0] += float(v)
        s[1] += 1
        return s

    return Aggregate("real", lambda: [0.0, 0], add, lambda s: s[0] / s[1] if s[1] else None)


def _extreme(args: list[Any], types: list[str], want_max: bool, pred: Fn | None = None) -> Aggregate:
    f = args[0]

    def add(s: Any, r: Row) -> Any:
        if pred is not None and pred(r) is not True:
            return s
        v = f(r)
        if v is None or (isinstance(v, str) and v == "" and types[0] != "string"):
            return s
        if s is None:
            return v
        try:
            return v if (v > s if want_max else v < s) else s
        except TypeError:
            return s

    typ = types[0] if types else "dynamic"
    return Aggregate(typ, lambda: None, add, lambda s: ("" if typ == "string" else None) if s is None else s)


def _make(args: list[Any], types: list[str], unique: bool, pred: Fn | None = None) -> Aggregate:
    f = args[0]
    limit_fn = args[1] if len(args) > 1 and pred is None else (args[2] if len(args) > 2 else None)
    # MaxSize: "The default and max value is 1048576" (make_list, make_set).
    limit = KQL_MAKE_LIST_MAX_SIZE
    if limit_fn is not None:
        asked = limit_fn({})
        if isinstance(asked, int) and not isinstance(asked, bool) and asked > 0:
            limit = min(asked, KQL_MAKE_LIST_MAX_SIZE)

    def add(s: tuple[list[Any], set[Any]], r: Row) -> tuple[list[Any], set[Any]]:
        if pred is not None and pred(r) is not True:
            return s
        v = f(r)
        if v is None or len(s[0]) >= limit:
            return s
        # An array value adds its elements, for make_list as for make_set (make-set's "set from array
        # column"; geo-point-in-polygon.md folds polygons with make_list(pack_array(coordinates))).
        items = v if isinstance(v, list) else [v]
        for item in items:
            if len(s[0]) >= limit:
                break
            if unique:
                h = hashable(item)
                if h in s[1]:
                    continue
                s[1].add(h)
            s[0].append(to_dynamic(item))
            current().hold()
        return s

    return Aggregate("dynamic", lambda: ([], set()), add, lambda s: s[0])


def _take_any(args: list[Any], types: list[str]) -> Aggregate:
    # One value: "it will attempt to return a non-null/non-empty value, if such value is present".
    f = args[0] if args else (lambda r: None)
    typ = types[0] if types else "dynamic"

    def add(s: Any, r: Row) -> Any:
        if s is not None and s != "":
            return s
        v = f(r)
        return s if v is None else v

    return Aggregate(typ, lambda: None, add, lambda s: ("" if typ == "string" else None) if s is None else s)


def percentile_values(f: Fn) -> Callable[[list[Any], Row], list[Any]]:
    """The ``add`` of the percentile aggregates: keeps the numeric values (each held by the budget)."""

    def add(s: list[Any], r: Row) -> list[Any]:
        v = f(r)
        if v is not None and not isinstance(v, (str, bool, dict, list)):
            s.append(v)
            current().hold()
        return s

    return add


def nearest_rank(values: list[Any], p: float) -> Any:
    """The nearest-rank percentile of sorted values: a value of the data set, as KQL returns."""
    rank = max(math.ceil(p / 100.0 * len(values)) - 1, 0)
    return values[min(rank, len(values) - 1)]


def _percentile(args: list[Any], types: list[str]) -> Aggregate:
    p = float(args[1]({}))

    def result(s: list[Any]) -> Any:
        if not s:
            return None
        s.sort()
        return nearest_rank(s, p)

    return Aggregate(percentile_type(types[0]), list, percentile_values(args[0]), result)


def percentile_type(value_type: str) -> str:
    """A percentile column's type: the value's, with int widened to long and decimal to real."""
    return {"int": "long", "decimal": "real", "dynamic": "real"}.get(value_type, value_type)


def _stdev(args: list[Any], types: list[str], sample: bool = True, var: bool = False) -> Aggregate:
    f = args[0]

    def add(s: list[float], r: Row) -> list[float]:
        v = f(r)
        if v is None or isinstance(v, (str, bool, dict, list)):
            return s
        x = float(v)
        s[0] += 1
        s[1] += x
        s[2] += x * x
        return s

    def result(s: list[float]) -> Any:
        n = s[0]
        if n == 0 or (sample and n < 2):
            return 0.0 if n else None
        mean = s[1] / n
        variance = max((s[2] - n * mean * mean) / (n - 1 if sample else n), 0.0)
        return variance if var else math.sqrt(variance)

    return Aggregate("real", lambda: [0.0, 0.0, 0.0], add, result)


def _arg(args: list[Any], types: list[str], want_max: bool) -> Aggregate:
    f = args[0]
    others = args[1:]

    def add(s: Any, r: Row) -> Any:
        v = f(r)
        if v is None:
            # A group whose values are all null still answers its first row (arg-max page, #3).
            return s if s is not None else (None, tuple(g(r) for g in others))
        if s is not None and s[0] is not None:
            try:
                better = v > s[0] if want_max else v < s[0]
            except TypeError:
                better = False
            if not better:
                return s
        return (v, tuple(g(r) for g in others))

    return Aggregate(types[0], lambda: None, add, lambda s: s)


AGGREGATES: dict[str, tuple[int, int, Callable[..., Aggregate]]] = {
    "count": (0, 1, _count),
    "countif": (1, 1, _countif),
    "dcount": (1, 2, _dcount),
    "count_distinct": (1, 1, _dcount),
    "dcountif": (2, 3, _dcountif),
    "sum": (1, 1, _sum),
    "sumif": (2, 2, lambda a, t: _sum(a[:1], t, a[1])),
    "avg": (1, 1, _avg),
    "avgif": (2, 2, lambda a, t: _avg(a[:1], t, a[1])),
    "min": (1, 1, lambda a, t: _extreme(a, t, False)),
    "max": (1, 1, lambda a, t: _extreme(a, t, True)),
    "minif": (2, 2, lambda a, t: _extreme(a[:1], t, False, a[1])),
    "maxif": (2, 2, lambda a, t: _extreme(a[:1], t, True, a[1])),
    "make_set": (1, 2, lambda a, t: _make(a, t, True)),
    "make_list": (1, 2, lambda a, t: _make(a, t, False)),
    "make_set_if": (2, 3, lambda a, t: _make([a[0], *a[2:]], t, True, a[1])),
    "make_list_if": (2, 3, lambda a, t: _make([a[0], *a[2:]], t, False, a[1])),
    "take_any": (1, 64, _take_any),
    "any": (1, 1, _take_any),
    "percentile": (2, 2, _percentile),
    "stdev": (1, 1, _stdev),
    "stdevp": (1, 1, lambda a, t: _stdev(a, t, sample=False)),
    "variance": (1, 1, lambda a, t: _stdev(a, t, var=True)),
    "variancep": (1, 1, lambda a, t: _stdev(a, t, sample=False, var=True)),
    "arg_max": (2, 64, lambda a, t: _arg(a, t, True)),
    "arg_min": (2, 64, lambda a, t: _arg(a, t, False)),
}

# The aggregates are also recorded in the function registry (profile "aggregate") so the
# registry is the one place that lists every name with its arity and dialect.
for _name, (_lo, _hi, _factory) in AGGREGATES.items():
    REGISTRY.setdefault(_name, FunctionSpec(_name, _lo, _hi, "dynamic", "aggregate"))


# What an aggregate gives over an empty input summarized without ``by`` (the one row such a summarize
# makes), where its result would be null: summarize-operator.md's "Default values of aggregations"
# (0 for the counts, sums, variances and standard deviations), and NaN for avg ("dividing by 0", the
# page's example). Make_list and the other make_* give [] already.
_EMPTY_INPUT_DEFAULTS: dict[str, int | float] = {
    **dict.fromkeys(
        (
            "count",
            "countif",
            "dcount",
            "dcountif",
            "count_distinct",
            "sum",
            "sumif",
            "variance",
            "varianceif",
            "stdev",
            "stdevif",
        ),
        0,
    ),
    "avg": math.nan,
    "avgif": math.nan,
}


def empty_input_default(name: str, typ: str) -> Any:
    """The value of aggregate ``name`` (of type ``typ``) over no rows, or None."""
    value = _EMPTY_INPUT_DEFAULTS.get(name)
    if value is None:
        return None
    if typ == "timespan":
        return timedelta(0)
    if typ in ("real", "decimal") or isinstance(value, float):
        return float(value)
    return int(value)


# Result-name prefixes that differ from the function name (Kusto.Language, Aggregates.cs).
_PREFIX = {
    "make_list": "list",
    "make_list_if": "list",
    "make_list_with_nulls": "list",
    "make_set": "set",
    "make_set_if": "set",
    "make_bag": "bag",
    "make_bag_if": "bag",
    "percentiles_array": "percentiles",
    "percentilesw_array": "percentiles",
    "buildschema": "schema",
    "tdigest_merge": "merge_tdigests",
    "merge_tdigest": "merge_tdigests",
}


def auto_name(fn_name: str, arg_names: list[str | None]) -> str:
    """KQL's column name for an unnamed aggregate: ``count_``, ``sum_X``, ``list_X`` ..."""
    first = arg_names[0] if arg_names else None
    if fn_name == "countif" or (fn_name == "count" and not first):
        # count(x) is count_x (the summarize page's `count(x)` column); countif's predicate names nothing.
        return f"{fn_name}_"
    if fn_name in ("take_any", "take_anyif"):
        return first or "any_arg0"
    if fn_name == "percentile" and first:
        return f"percentile_{first}_{(arg_names[1] or '').replace('.', '_')}".rstrip("_")
    if fn_name.startswith("covariance") and first and len(arg_names) > 1 and arg_names[1]:
        return f"{fn_name}_{first}_{arg_names[1]}"  # the covariance pages' covariance_x_y
    prefix = _PREFIX.get(fn_name, fn_name)
    return f"{prefix}_{first}" if first else f"{prefix}_"


from azlogs.kql import _agg2, _agg3  # noqa: E402, F401 - register the aggregates of _agg2, _agg3 (they import this module)
