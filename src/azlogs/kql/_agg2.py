"""More summarize aggregates: ``buildschema``, ``make_bag``/``make_bag_if``, ``make_list_with_nulls``, ``take_anyif``, ``stdevif``,
``varianceif``, ``percentiles`` (one column per percentile), ``percentiles_array`` and their weighted forms
``percentilew``, ``percentilesw``, ``percentilesw_array``.

Semantics from the Kusto documentation pages (MicrosoftDocs/dataexplorer-docs,
data-explorer/kusto/query/<name>-aggregation-function.md): ``make_bag`` merges the property bags of
the group, the first value of a key winning, and ignores values that are not bags; MaxSize (default
and maximum 1048576) caps the keys. ``make_list_with_nulls`` keeps nulls. Column names follow
Kusto.Language's aggregate symbols (microsoft/Kusto-Query-Language, src/Kusto.Language/Aggregates.cs):
``bag_X``, ``list_X``, ``stdevif_X``, ``varianceif_X``, ``percentile_X_P`` per percentile and
``percentiles_X`` for the array form, ``schema_X``; a percentile column has the value's type, ``int`` widened to
``long`` and ``decimal`` to ``real``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from azlogs.facts import KQL_MAKE_LIST_MAX_SIZE
from azlogs.kql._aggregates import (
    AGGREGATES,
    Aggregate,
    Row,
    _stdev,
    _take_any,
    nearest_rank,
    percentile_type,
    percentile_values,
)
from azlogs.kql._budget import current
from azlogs.kql._registry import REGISTRY, FunctionSpec
from azlogs.kql._values import to_dynamic, to_real

Fn = Callable[[Row], Any]


def _limit(fn: Fn | None) -> int:
    if fn is None:
        return KQL_MAKE_LIST_MAX_SIZE
    asked = fn({})
    if isinstance(asked, int) and not isinstance(asked, bool) and asked > 0:
        return min(asked, KQL_MAKE_LIST_MAX_SIZE)
    return KQL_MAKE_LIST_MAX_SIZE


def _make_bag(args: list[Any], types: list[str], pred: Fn | None = None, size: Fn | None = None) -> Aggregate:
    f = args[0]
    limit = _limit(size)

    def add(s: dict[str, Any], r: Row) -> dict[str, Any]:
        if pred is not None and pred(r) is not True:
            return s
        v = f(r)
        if not isinstance(v, dict):
            return s
        for k, x in v.items():
            if len(s) >= limit:
                break
            if k not in s:
                s[k] = x
                current().hold()
        return s

    return Aggregate("dynamic", dict, add, lambda s: s)


def _make_list_with_nulls(args: list[Any], types: list[str]) -> Aggregate:
    f = args[0]

    def add(s: list[Any], r: Row) -> list[Any]:
        if len(s) < KQL_MAKE_LIST_MAX_SIZE:
            s.append(to_dynamic(f(r)))
            current().hold()
        return s

    return Aggregate("dynamic", list, add, lambda s: s)


def _only_if(agg: Aggregate, pred: Fn) -> Aggregate:
    inner = agg.add
    agg.add = lambda s, r: inner(s, r) if pred(r) is True else s
    return agg


def _constant_percents(args: list[Any]) -> list[float]:
    out: list[float] = []
    for fn in args:
        v = fn({})
        items = v if isinstance(v, list) else [v]
        for item in items:
            p = to_real(item)
            if p is None or not 0 <= p <= 100:
                raise ValueError("a percentile must be a constant number from 0 to 100")
            out.append(p)
    return out


def _percentiles(args: list[Any], types: list[str]) -> Aggregate:
    percents = _constant_percents(args[1:])
    typ = percentile_type(types[0])

    def result(s: list[Any]) -> tuple[Any, ...]:
        if not s:
            return tuple(None for _ in percents)
        s.sort()
        return tuple(nearest_rank(s, p) for p in percents)

    cols = [(percent_fragment(p), typ) for p in percents]
    return Aggregate(typ, list, percentile_values(args[0]), result, columns=cols)


def _percentiles_array(args: list[Any], types: list[str]) -> Aggregate:
    percents = _constant_percents(args[1:])

    def result(s: list[Any]) -> Any:
        if not s:
            return [None for _ in percents]
        s.sort()
        return [to_dynamic(nearest_rank(s, p)) for p in percents]

    return Aggregate("dynamic", list, percentile_values(args[0]), result)


def _weighted(args: list[Any], types: list[str], as_array: bool) -> Aggregate:
    """percentilew/percentilesw(_array): each value counts ``weight`` times (percentilesw page)."""
    f, w = args[0], args[1]
    percents = _constant_percents(args[2:])
    typ = percentile_type(types[0])

    def add(s: list[tuple[Any, int]], r: Row) -> list[tuple[Any, int]]:
        v, n = f(r), w(r)
        if (
            v is None
            or isinstance(v, (str, bool, dict, list))
            or not isinstance(n, int)
            or isinstance(n, bool)
        ):
            return s
        if n > 0:
            s.append((v, n))
            current().hold()
        return s

    def result(s: list[tuple[Any, int]]) -> Any:
        s.sort(key=lambda vn: vn[0])
        values = [weighted_nearest_rank(s, p) if s else None for p in percents]
        return [to_dynamic(v) for v in values] if as_array else tuple(values)

    if as_array:
        return Aggregate("dynamic", list, add, result)
    return Aggregate(typ, list, add, result, columns=[(percent_fragment(p), typ) for p in percents])


def weighted_nearest_rank(pairs: list[tuple[Any, int]], p: float) -> Any:
    """The nearest-rank percentile of (value, weight) pairs sorted by value, each value counted
    weight times (percentilew, and the percentiles of a t-digest)."""
    total = sum(n for _, n in pairs)
    rank = max(math.ceil(p / 100.0 * total), 1)
    seen = 0
    for v, n in pairs:
        seen += n
        if seen >= rank:
            return v
    return pairs[-1][0]


def percent_fragment(p: float) -> str:
    """The percentile as a column-name fragment: ``50``, ``99_5``."""
    text = str(int(p)) if float(p).is_integer() else repr(float(p))
    return text.replace(".", "_").replace("-", "_")


_INDEXER = "`indexer`"


def _schema_of(v: Any) -> list[Any]:
    """The alternatives (type names, at most one container) that admit one dynamic value."""
    if v is None:
        return []
    if isinstance(v, bool):
        return ["bool"]
    if isinstance(v, int):
        return ["long"]
    if isinstance(v, float):
        return ["double"]
    if isinstance(v, str):
        return ["string"]
    if isinstance(v, dict):
        return [{k: _schema_of(x) for k, x in v.items()}]
    if isinstance(v, list):
        items: list[Any] = []
        for x in v:
            items = _merge_schema(items, _schema_of(x))
        return [{_INDEXER: items}] if items else [{}]
    return ["string"]


def _merge_schema(a: list[Any], b: list[Any]) -> list[Any]:
    """Alternatives admitting both: type names in first-seen order, containers merged key by key."""
    out = list(a)
    for alt in b:
        if isinstance(alt, dict):
            at = next((i for i, x in enumerate(out) if isinstance(x, dict)), None)
            if at is None:
                out.append(alt)
            else:
                merged = dict(out[at])
                for k, sub in alt.items():
                    merged[k] = _merge_schema(merged.get(k, []), sub)
                out[at] = merged
        elif alt not in out:
            out.append(alt)
    return out


def _render_schema(alts: list[Any]) -> Any:
    rendered = [
        {k: _render_schema(x) for k, x in alt.items()} if isinstance(alt, dict) else alt for alt in alts
    ]
    if not rendered:
        return None
    return rendered[0] if len(rendered) == 1 else rendered


def _buildschema(args: list[Any], types: list[str]) -> Aggregate:
    f = args[0]
    return Aggregate(
        "dynamic", list, lambda s, r: _merge_schema(s, _schema_of(f(r))), lambda s: _render_schema(s)
    )


NEW: dict[str, tuple[int, int, Callable[..., Aggregate]]] = {
    "buildschema": (1, 1, _buildschema),
    "make_bag": (1, 2, lambda a, t: _make_bag(a, t, None, a[1] if len(a) > 1 else None)),
    "make_bag_if": (2, 3, lambda a, t: _make_bag(a, t, a[1], a[2] if len(a) > 2 else None)),
    "make_list_with_nulls": (1, 1, _make_list_with_nulls),
    "take_anyif": (2, 2, lambda a, t: _only_if(_take_any(a[:1], t), a[1])),
    "anyif": (2, 2, lambda a, t: _only_if(_take_any(a[:1], t), a[1])),
    "stdevif": (2, 2, lambda a, t: _only_if(_stdev(a[:1], t), a[1])),
    "varianceif": (2, 2, lambda a, t: _only_if(_stdev(a[:1], t, var=True), a[1])),
    "percentiles": (2, 64, _percentiles),
    "percentiles_array": (2, 64, _percentiles_array),
    "percentilew": (3, 3, lambda a, t: _weighted(a, t, as_array=False)),
    "percentilesw": (3, 64, lambda a, t: _weighted(a, t, as_array=False)),
    "percentilesw_array": (3, 64, lambda a, t: _weighted(a, t, as_array=True)),
}

AGGREGATES.update(NEW)
for _name, (_lo, _hi, _factory) in NEW.items():
    REGISTRY.setdefault(_name, FunctionSpec(_name, _lo, _hi, "dynamic", "aggregate"))
