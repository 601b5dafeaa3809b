"""Distinct-count and percentile sketches: the aggregates ``hll``, ``hll_if``, ``hll_merge``, ``tdigest``,
``tdigest_merge`` (``merge_tdigest``) and the scalar functions ``hll_merge``, ``dcount_hll``,
``tdigest_merge`` (``merge_tdigest``), ``percentile_tdigest``, ``percentiles_array_tdigest``,
``rank_tdigest``, ``percentrank_tdigest``.

From the pages (MicrosoftDocs/dataexplorer-docs, data-explorer/kusto/query/): hll-aggregation-function.md,
hll-if-aggregation-function.md, hll-merge-aggregation-function.md, hll-merge-function.md,
dcount-hll-function.md, tdigest-aggregation-function.md, tdigest-merge-aggregation-function.md,
merge-tdigest-function.md, percentile-tdigest-function.md, percentile-array-tdigest-function.md,
rank-tdigest-function.md, percentrank-tdigest-function.md and using-hll-tdigest.md. Result types and
names are Kusto.Language's (src/Kusto.Language/Aggregates.cs, Functions.cs).

Kusto does not document its encodings ("the precise binary representation of these results might
change over time"), so the sketches here are our own, shaped like the pages' printouts but not equal
to them: an hll is ``[[1024, p], [hash, ...], []]`` (``p`` the log2 of the accuracy's entry count,
12/14/16/17/18 for accuracy 0..4; the hashes, as text, of the distinct values), a t-digest
``[[type], [value, ...], [weight, ...]]`` (the distinct values with their summed weights). Both are
exact: ``dcount_hll`` is the distinct count (Kusto's is an estimate, exact only for small sets), the
t-digest percentiles are nearest-rank percentiles of the weighted values, as ``percentilew`` computes
them. Values that are not a sketch make the scalar functions null.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from azlogs.kql import _ast as A
from azlogs.kql._agg2 import _constant_percents, weighted_nearest_rank
from azlogs.kql._aggregates import AGGREGATES, Aggregate, Row, hashable
from azlogs.kql._budget import current
from azlogs.kql._compile import CExpr, Env, compile_expr, err
from azlogs.kql._registry import REGISTRY, FunctionSpec, register
from azlogs.kql._values import convert, dumps, to_dynamic, type_of_value

__all__ = ["FORMS", "SCALAR_FORMS", "is_aggregate_call"]

Fn = Callable[[Row], Any]

# Accuracy level -> log2 of the number of 1-byte counters (estimation-accuracy.md's table).
HLL_PRECISION = {0: 12, 1: 14, 2: 16, 3: 17, 4: 18}
_HLL_TAG = 1024

# Names that are an aggregate with one argument and a scalar function with several.
SCALAR_FORMS = frozenset({"hll_merge", "tdigest_merge", "merge_tdigest"})


def is_aggregate_call(name: str, nargs: int) -> bool:
    """Whether a call of this name and arity is a summarize aggregate (``hll_merge(h)`` is,
    ``hll_merge(h1, h2)`` is the scalar merge)."""
    return name in AGGREGATES and not (name in SCALAR_FORMS and nargs != 1)


# ----------------------------------------------------------------------------- hll


def _hash(value: Any) -> str:
    digest = hashlib.blake2b(f"{type_of_value(value)}\0{dumps(to_dynamic(value))}".encode(), digest_size=8)
    return str(int.from_bytes(digest.digest(), "big", signed=True))


def _precision(fn: Fn | None) -> int:
    level = 1 if fn is None else fn({})
    if not isinstance(level, int) or isinstance(level, bool) or level not in HLL_PRECISION:
        raise ValueError("the accuracy is a constant from 0 to 4")
    return HLL_PRECISION[level]


def read_hll(value: Any) -> tuple[int, set[str]] | None:
    """The precision and hashes of an hll value, or None when it is not one."""
    if not (isinstance(value, list) and len(value) == 3 and isinstance(value[1], list)):
        return None
    head = value[0]
    if not (
        isinstance(head, list)
        and len(head) == 2
        and head[0] == _HLL_TAG
        and head[1] in HLL_PRECISION.values()
    ):
        return None
    if not all(isinstance(h, str) for h in value[1]):
        return None
    return int(head[1]), set(value[1])


def _hll_value(precision: int, hashes: list[str]) -> list[Any]:
    return [[_HLL_TAG, precision], list(hashes), []]


class _HllState:
    __slots__ = ("hashes", "precision", "seen")

    def __init__(self, precision: int) -> None:
        self.precision = precision
        self.hashes: dict[str, None] = {}
        self.seen = False

    def take(self, h: str) -> None:
        if h not in self.hashes:
            self.hashes[h] = None
            current().hold()

    def result(self) -> Any:
        return _hll_value(self.precision, list(self.hashes)) if self.seen else None


def _hll(args: list[Fn], types: list[str], pred: Fn | None = None, accuracy: Fn | None = None) -> Aggregate:
    f = args[0]
    precision = _precision(accuracy)

    def add(s: _HllState, r: Row) -> _HllState:
        s.seen = True
        if pred is not None and pred(r) is not True:
            return s
        v = f(r)
        if v is not None and v != "":
            s.take(_hash(v))
        return s

    return Aggregate("dynamic", lambda: _HllState(precision), add, lambda s: s.result())


def _hll_merge_agg(args: list[Fn], types: list[str]) -> Aggregate:
    f = args[0]

    def add(s: _HllState, r: Row) -> _HllState:
        sketch = read_hll(f(r))
        if sketch is None:
            return s
        s.precision = sketch[0] if not s.seen else min(s.precision, sketch[0])
        s.seen = True
        for h in sorted(sketch[1]):
            s.take(h)
        return s

    return Aggregate("dynamic", lambda: _HllState(HLL_PRECISION[1]), add, lambda s: s.result())


@register("hll_merge", 2, 64, "dynamic", "query")
def hll_merge(*sketches: Any) -> Any:
    """The union of two or more hll values (null when one is not an hll)."""
    read = [read_hll(s) for s in sketches]
    if any(x is None for x in read):
        return None
    hashes: dict[str, None] = {}
    for x in read:
        assert x is not None
        hashes.update(dict.fromkeys(sorted(x[1])))
    return _hll_value(min(x[0] for x in read if x is not None), list(hashes))


@register("dcount_hll", 1, 1, "long", "query")
def dcount_hll(sketch: Any) -> int | None:
    """The number of distinct values an hll value holds."""
    read = read_hll(sketch)
    return None if read is None else len(read[1])


# ----------------------------------------------------------------------------- t-digest


_DIGEST_TYPES = ("long", "int", "real", "decimal", "datetime", "timespan")


def read_tdigest(value: Any) -> tuple[str, list[tuple[Any, int]]] | None:
    """The value type and the (value, weight) pairs, sorted by value, of a t-digest, or None."""
    if not (isinstance(value, list) and len(value) == 3 and all(isinstance(x, list) for x in value)):
        return None
    head, values, weights = value
    if len(head) != 1 or head[0] not in _DIGEST_TYPES or len(values) != len(weights):
        return None
    typ = head[0]
    pairs: list[tuple[Any, int]] = []
    for v, w in zip(values, weights, strict=True):
        native = convert(v, typ)
        if native is None or not isinstance(w, int) or isinstance(w, bool) or w <= 0:
            return None
        pairs.append((native, w))
    pairs.sort(key=lambda vw: vw[0])
    return typ, pairs


class _DigestState:
    __slots__ = ("seen", "type", "weights")

    def __init__(self, typ: str) -> None:
        self.type = typ
        self.weights: dict[Any, list[Any]] = {}
        self.seen = False

    def take(self, v: Any, w: int) -> None:
        key = hashable(v)
        slot = self.weights.get(key)
        if slot is None:
            self.weights[key] = [v, w]
            current().hold()
        else:
            slot[1] += w

    def result(self) -> Any:
        if not self.seen:
            return None
        items = list(self.weights.values())
        return [[self.type], [to_dynamic(v) for v, _ in items], [w for _, w in items]]


def _digest_type(value_type: str) -> str:
    return {"int": "long", "decimal": "real", "dynamic": "real"}.get(value_type, value_type)


def _tdigest(args: list[Fn], types: list[str]) -> Aggregate:
    f = args[0]
    weight = args[1] if len(args) > 1 else None
    typ = _digest_type(types[0])
    if typ not in _DIGEST_TYPES:
        raise ValueError(f"the values are numbers, datetimes or timespans, not {types[0]}")

    def add(s: _DigestState, r: Row) -> _DigestState:
        s.seen = True
        v = convert(f(r), typ)
        if v is None:
            return s
        w = 1 if weight is None else weight(r)
        if isinstance(w, int) and not isinstance(w, bool) and w > 0:
            s.take(v, w)
        return s

    return Aggregate("dynamic", lambda: _DigestState(typ), add, lambda s: s.result())


def _tdigest_merge_agg(args: list[Fn], types: list[str]) -> Aggregate:
    f = args[0]

    def add(s: _DigestState, r: Row) -> _DigestState:
        read = read_tdigest(f(r))
        if read is None or (s.seen and s.weights and read[0] != s.type):
            return s
        if not s.seen or not s.weights:
            s.type = read[0]
        s.seen = True
        for v, w in read[1]:
            s.take(v, w)
        return s

    return Aggregate("dynamic", lambda: _DigestState("long"), add, lambda s: s.result())


def _merge_digests(*digests: Any) -> Any:
    """The union of two or more t-digests of one type (null when one is not a t-digest)."""
    read = [read_tdigest(d) for d in digests]
    if any(x is None for x in read) or len({x[0] for x in read if x is not None}) != 1:
        return None
    state = _DigestState(read[0][0] if read[0] is not None else "long")
    state.seen = True
    for x in read:
        for v, w in x[1] if x is not None else ():
            state.take(v, w)
    return state.result()


register("tdigest_merge", 2, 64, "dynamic", "query")(_merge_digests)
register("merge_tdigest", 2, 64, "dynamic", "query")(_merge_digests)


def _rank(digest: Any, value: Any) -> tuple[float, int] | None:
    read = read_tdigest(digest)
    if read is None or value is None:
        return None
    typ, pairs = read
    v = convert(value, typ)
    if v is None:
        return None
    return float(sum(w for x, w in pairs if x <= v)), sum(w for _, w in pairs)


@register("rank_tdigest", 2, 2, "real", "query")
def rank_tdigest(digest: Any, value: Any) -> float | None:
    """How many of the digest's values are at most ``value`` (rank-tdigest-function.md's 685)."""
    got = _rank(digest, value)
    return None if got is None else got[0]


@register("percentrank_tdigest", 2, 2, "real", "query")
def percentrank_tdigest(digest: Any, value: Any) -> float | None:
    """The rank of ``value`` as a percentage of the digest's values."""
    got = _rank(digest, value)
    return None if got is None or got[1] == 0 else 100.0 * got[0] / got[1]


def _type_argument(node: A.Call, arg: Any, env: Env) -> str:
    t = compile_expr(arg, env)
    if t.type != "type" or not isinstance(t.value, str):
        raise err(node, f"the last argument of {node.name}() is a type, such as typeof(long)")
    return t.value


def _percentile_tdigest(node: A.Call, env: Env) -> CExpr:
    """``percentile_tdigest(digest, p [, typeof(T)])``: dynamic, or T when a type is given."""
    if not 2 <= len(node.args) <= 3:
        raise err(node, f"percentile_tdigest() takes 2 or 3 arguments, got {len(node.args)}")
    digest = compile_expr(node.args[0], env).fn
    percent = compile_expr(node.args[1], env).fn
    typ = _type_argument(node, node.args[2], env) if len(node.args) == 3 else "dynamic"

    def fn(r: Row) -> Any:
        read = read_tdigest(digest(r))
        p = percent(r)
        if read is None or not read[1] or not isinstance(p, (int, float)) or isinstance(p, bool):
            return None
        if not 0 <= p <= 100:
            return None
        value = weighted_nearest_rank(read[1], float(p))
        return to_dynamic(value) if typ == "dynamic" else convert(value, typ)

    return CExpr(fn, typ)


def _percentiles_array_tdigest(node: A.Call, env: Env) -> CExpr:
    """``percentiles_array_tdigest(digest, p1 [, p2 ...])`` or ``(digest, dynamic([p ...]) [, typeof(T)])``:
    a dynamic array, its values converted to T when a type is given."""
    if len(node.args) < 2:
        raise err(node, f"percentiles_array_tdigest() takes at least 2 arguments, got {len(node.args)}")
    rest = list(node.args[1:])
    typ = "dynamic"
    if len(rest) > 1 and isinstance(rest[-1], A.Call) and rest[-1].name == "typeof":
        typ = _type_argument(node, rest.pop(), env)
    digest = compile_expr(node.args[0], env).fn
    try:
        percents = _constant_percents([compile_expr(a, env.with_columns({})).fn for a in rest])
    except ValueError as e:
        raise err(node, f"percentiles_array_tdigest(): {e}") from None

    def fn(r: Row) -> Any:
        read = read_tdigest(digest(r))
        if read is None or not read[1]:
            return None
        values = [weighted_nearest_rank(read[1], p) for p in percents]
        return [to_dynamic(v if typ == "dynamic" else convert(v, typ)) for v in values]

    return CExpr(fn, "dynamic")


FORMS = {
    "percentile_tdigest": _percentile_tdigest,
    "percentiles_array_tdigest": _percentiles_array_tdigest,
}
REGISTRY["percentile_tdigest"] = FunctionSpec(
    "percentile_tdigest", 2, 3, "dynamic", "query", None, (), None, True
)
REGISTRY["percentiles_array_tdigest"] = FunctionSpec(
    "percentiles_array_tdigest", 2, 64, "dynamic", "query", None, (), None, True
)

# Columns an unnamed call makes in project/extend (Kusto.Language's result names): the name, or the
# prefix, and the first argument's column; the scalar merges have a fixed name.
for _name, _prefix in (
    ("dcount_hll", "dcount_hll"),
    ("percentile_tdigest", "percentile_tdigest"),
    ("percentiles_array_tdigest", "percentile_tdigest"),
):
    REGISTRY[_name] = replace(REGISTRY[_name], extra={"result_name_prefix": _prefix})
for _name, _fixed in (
    ("hll_merge", "hll_merged_result"),
    ("tdigest_merge", "tdigests_merge_result"),
    ("merge_tdigest", "tdigests_merge_result"),
):
    REGISTRY[_name] = replace(REGISTRY[_name], extra={"result_name": _fixed})


NEW: dict[str, tuple[int, int, Callable[..., Aggregate]]] = {
    "hll": (1, 2, lambda a, t: _hll(a[:1], t, None, a[1] if len(a) > 1 else None)),
    "hll_if": (2, 3, lambda a, t: _hll(a[:1], t, a[1], a[2] if len(a) > 2 else None)),
    "hll_merge": (1, 1, _hll_merge_agg),
    "tdigest": (1, 2, _tdigest),
    "tdigest_merge": (1, 1, _tdigest_merge_agg),
    "merge_tdigest": (1, 1, _tdigest_merge_agg),
}
AGGREGATES.update(NEW)
for _name, (_lo, _hi, _factory) in NEW.items():
    REGISTRY.setdefault(_name, FunctionSpec(_name, _lo, _hi, "dynamic", "aggregate"))
