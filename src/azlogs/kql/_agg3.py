"""Aggregates of the Kusto documentation's statistics and bit pages: ``covariance``, ``covariancep``,
``covarianceif``, ``covariancepif``, ``variancepif``, ``stdevpif``, ``binary_all_and``, ``binary_all_or``,
``binary_all_xor``.

From the pages (MicrosoftDocs/dataexplorer-docs, data-explorer/kusto/query/<name>-aggregation-function.md):
``covariance`` is the sample covariance of two expressions (the page's 20.5), ``covariancep`` the
population one (16.4); the ``if`` forms count only the rows whose predicate is true; rows where
either value is null or not a number are skipped [U]. The ``binary_all_*`` aggregates combine longs
bit by bit (the page's ``CAFEF00D``). Result types are Kusto.Language's (``Aggregates.cs``): real for
the statistics, the argument's type for the bit aggregates. Unnamed columns are named as the pages
print them: ``covariance_x_y`` (both arguments), ``variancepif_x``, ``binary_all_and_x``.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

from azlogs.kql._aggregates import AGGREGATES, Aggregate, Row, _stdev
from azlogs.kql._registry import REGISTRY, FunctionSpec

Fn = Callable[[Row], Any]


def _number(v: Any) -> float | None:
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else None


def _covariance(args: list[Fn], sample: bool, pred: Fn | None = None) -> Aggregate:
    fx, fy = args[0], args[1]

    def add(s: list[float], r: Row) -> list[float]:
        if pred is not None and pred(r) is not True:
            return s
        x, y = _number(fx(r)), _number(fy(r))
        if x is None or y is None:
            return s
        s[0] += 1
        s[1] += x
        s[2] += y
        s[3] += x * y
        return s

    def result(s: list[float]) -> float | None:
        n = s[0]
        if n == 0:
            return None
        if sample and n < 2:
            return 0.0
        return (s[3] - s[1] * s[2] / n) / (n - 1 if sample else n)

    return Aggregate("real", lambda: [0.0, 0.0, 0.0, 0.0], add, result)


def _only_if(agg: Aggregate, pred: Fn) -> Aggregate:
    inner = agg.add
    agg.add = lambda s, r: inner(s, r) if pred(r) is True else s
    return agg


def _bits(op: Callable[[int, int], int], types: list[str], f: Fn) -> Aggregate:
    def add(s: int | None, r: Row) -> int | None:
        v = f(r)
        if not isinstance(v, int) or isinstance(v, bool):
            return s
        return v if s is None else op(s, v)

    return Aggregate(
        types[0] if types and types[0] in ("int", "long") else "long", lambda: None, add, lambda s: s
    )


NEW: dict[str, tuple[int, int, Callable[..., Aggregate]]] = {
    "covariance": (2, 2, lambda a, t: _covariance(a, sample=True)),
    "covariancep": (2, 2, lambda a, t: _covariance(a, sample=False)),
    "covarianceif": (3, 3, lambda a, t: _covariance(a, sample=True, pred=a[2])),
    "covariancepif": (3, 3, lambda a, t: _covariance(a, sample=False, pred=a[2])),
    "variancepif": (2, 2, lambda a, t: _only_if(_stdev(a[:1], t, sample=False, var=True), a[1])),
    "stdevpif": (2, 2, lambda a, t: _only_if(_stdev(a[:1], t, sample=False), a[1])),
    "binary_all_and": (1, 1, lambda a, t: _bits(operator.and_, t, a[0])),
    "binary_all_or": (1, 1, lambda a, t: _bits(operator.or_, t, a[0])),
    "binary_all_xor": (1, 1, lambda a, t: _bits(operator.xor, t, a[0])),
}
TWO_ARGUMENT_NAMES = frozenset({"covariance", "covariancep", "covarianceif", "covariancepif"})

AGGREGATES.update(NEW)
for _name, (_lo, _hi, _factory) in NEW.items():
    REGISTRY.setdefault(_name, FunctionSpec(_name, _lo, _hi, "dynamic", "aggregate"))
