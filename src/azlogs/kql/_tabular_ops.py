"""Blocking and multi-row operators: take, sort, top, summarize, count, distinct, union, join,
mv-expand, getschema."""

from __future__ import annotations

import functools
import heapq
import itertools
import uuid
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, Final

from azlogs._exceptions import KqlTimeoutError
from azlogs.kql import _ast as A
from azlogs.kql._aggregates import AGGREGATES, Aggregate, auto_name, empty_input_default, hashable
from azlogs.kql._batch import Batch
from azlogs.kql._budget import current
from azlogs.kql._compile import CExpr, Env, compile_expr, err
from azlogs.kql._plan import Plan, Row
from azlogs.kql._registry import FIRST_ARGUMENT_NAMED
from azlogs.kql._sketches import is_aggregate_call
from azlogs.kql._values import convert, dumps, null_of
from azlogs.kql._vector import VFn, vector


def apply_blocking(plan: Plan, op: Any, env: Env) -> Plan:
    """Apply one non-row operator."""
    scope = env.with_columns(plan.columns)
    if isinstance(op, A.Take):
        n = _const_int(op.count, scope, "take")
        return plan.materialize(lambda: itertools.islice(plan.rows(), n))
    if isinstance(op, A.Sort):
        keyfn = _sort_keys(op.keys, scope)
        return plan.materialize(lambda: keyfn(current().collect(plan.rows())))
    if isinstance(op, A.Top):
        n = _const_int(op.count, scope, "top")
        keyfn = _sort_keys((op.key,), scope)
        return plan.materialize(lambda: keyfn(current().collect(plan.rows()))[:n])
    if isinstance(op, A.Summarize):
        return _summarize(plan, op, scope)
    if isinstance(op, A.Count):
        return plan.materialize(lambda: iter([{"Count": sum(1 for _ in plan.rows())}]), {"Count": "long"})
    if isinstance(op, A.Distinct):
        return _distinct(plan, op, scope)
    if isinstance(op, A.Union_):
        return union_plan(plan, op, env)
    if isinstance(op, A.Join):
        return _join(plan, op, env)
    if isinstance(op, A.MvExpand):
        return _mv_expand(plan, op, scope)
    if isinstance(op, A.GetSchema):
        return _getschema(plan)
    from azlogs.kql._tabular_more import apply

    more = apply(plan, op, env)
    if more is not None:
        return more
    raise err(op, f"the operator {type(op).__name__} is not supported here")


def _const_int(node: Any, scope: Env, what: str) -> int:
    c = compile_expr(node, scope.with_columns({}))
    try:
        value = c.fn({})
    except Exception:
        value = None
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise err(node, f"{what} needs a non-negative whole number")
    return value


# ----------------------------------------------------------------------------- sort


# Key types _sort_value() answers as they are.
_PLAIN: Final = frozenset({int, float, str, datetime, timedelta, Decimal, uuid.UUID})


def _key_values(rows: list[Row], names: list[str], fn: Callable[[Row], Any], vec: VFn) -> list[Any]:
    """A sort key's value for each row, column at a time (row by row where that raises)."""
    try:
        return vec(Batch.of_rows(rows, names))
    except KqlTimeoutError:
        raise
    except Exception:
        return [fn(r) for r in rows]


def _sort_value(v: Any) -> Any:
    if isinstance(v, (dict, list)):
        return dumps(v)
    if isinstance(v, bool):
        return int(v)
    return v


def _sort_keys(keys: tuple[A.SortKey, ...], scope: Env) -> Callable[[list[Row]], list[Row]]:
    compiled = [
        (
            c.fn,
            vector(c),
            k.descending,
            k.nulls_first if k.nulls_first is not None else not k.descending,
        )
        for k in keys
        for c in (compile_expr(k.expr, scope),)
    ]
    names = list(scope.columns)

    def sort(rows: list[Row]) -> list[Row]:
        # Stable sorts from the last key to the first; nulls placed per key.
        # Positions are sorted, not (key, row) pairs: ints are no work for the garbage collector,
        # which a few million pairs kept busy for longer than the sort itself.
        for fn, vec, desc, nulls_first in reversed(compiled):
            keys = _key_values(rows, names, fn, vec)
            present = [i for i, k in enumerate(keys) if k is not None]
            nulls = [i for i, k in enumerate(keys) if k is None]
            try:
                if _PLAIN.issuperset(map(type, (keys[i] for i in present))):
                    present.sort(key=keys.__getitem__, reverse=desc)  # _sort_value() keeps these as they are
                else:
                    present.sort(key=lambda i: _sort_value(keys[i]), reverse=desc)
            except TypeError:
                present.sort(key=lambda i: str(_sort_value(keys[i])), reverse=desc)
            ordered = nulls + present if nulls_first else present + nulls
            rows = [rows[i] for i in ordered]
        return rows

    return sort


# ----------------------------------------------------------------------------- summarize


class _AggCollector:
    """Finds aggregate calls inside summarize expressions and compiles each once."""

    def __init__(self, row_scope: Env) -> None:
        self.row_scope = row_scope
        self.aggs: list[tuple[str, Aggregate, A.Call]] = []

    def compile(self, node: A.Call, env: Env) -> CExpr:
        name = node.name
        lo, hi, factory = AGGREGATES[name]
        if len(node.args) < lo or (hi != -1 and len(node.args) > hi):
            raise err(node, f"{name}() takes {lo} to {hi} argument(s), got {len(node.args)}")
        args: list[Any] = []
        types: list[str] = []
        for a in node.args:
            if isinstance(a, A.Star):
                continue
            c = compile_expr(a, self.row_scope)
            args.append(c.fn)
            types.append(c.type)
        try:
            agg = factory(args, types)
        except ValueError as e:
            raise err(node, f"{name}(): {e}") from None
        slot = f"\0agg{len(self.aggs)}"
        self.aggs.append((slot, agg, node))
        return CExpr(lambda r: r.get(slot), agg.type)


def _summarize(plan: Plan, op: A.Summarize, scope: Env) -> Plan:
    by_cols: dict[str, str] = {}
    by_fns: list[Callable[[Row], Any]] = []
    by_vecs: list[VFn] = []
    counter = [0]
    from azlogs.kql._tabular import derive_name

    for a in op.by:
        c = compile_expr(a.expr, scope)
        name = a.name or derive_name(a.expr, by_cols, counter)
        by_cols[name] = c.type
        by_fns.append(c.fn)
        by_vecs.append(vector(c))
    collector = _AggCollector(scope)
    agg_env = Env({}, scope.lets, scope.ctx, {"compile": collector.compile}, scope.depth, scope.extra)
    outputs: list[tuple[str, str, Callable[[Row], Any] | None, int]] = []
    out_cols: dict[str, str] = dict(by_cols)
    for a in op.aggregates:
        before = len(collector.aggs)
        if not _contains_aggregate(a.expr):
            raise err(a, "each summarize expression must use an aggregate such as count() or sum()")
        c = compile_expr(a.expr, agg_env)
        call = a.expr if isinstance(a.expr, A.Call) and a.expr.name in AGGREGATES else None
        if call is not None and call.name in ("arg_max", "arg_min") and len(collector.aggs) == before + 1:
            _arg_columns(call, collector.aggs[-1], scope, out_cols, outputs, a.name, a.names)
            continue
        if (
            call is not None
            and call.name == "take_any"
            and (len(call.args) > 1 or any(isinstance(x, A.Star) for x in call.args))
        ):
            _take_any_columns(call, collector.aggs[-1], scope, by_cols, out_cols, outputs)
            continue
        arg_names = [_arg_name(x) for x in call.args] if call is not None else []
        if call is not None and collector.aggs[-1][1].columns is not None:
            # `p = percentiles(x, 50)` names its one column (the value is not left as a 1-tuple).
            names = a.names if a.name is None else (a.name,)
            _tuple_columns(call, collector.aggs[-1], arg_names, out_cols, outputs, names)
            continue
        if a.names:
            raise err(
                a,
                f"({', '.join(a.names)}) = ... needs an aggregate with several results, such as percentiles()",
            )
        if a.name is not None:
            name = a.name
        elif call is not None:
            name = _unique(auto_name(call.name, arg_names), out_cols)
        else:
            name = derive_name(None, out_cols, counter)
        if name in out_cols:
            raise err(a, f"summarize produces the column '{name}' twice")
        out_cols[name] = c.type
        outputs.append((name, c.type, c.fn, -1))
    aggs = collector.aggs
    by_names = list(by_cols)
    produce = _make_summarizer(plan, by_names, by_fns, by_vecs, aggs, outputs, not op.by)
    return plan.materialize(produce, out_cols)


def _take_any_columns(
    call: A.Call,
    slot_agg: tuple[str, Aggregate, A.Call],
    scope: Env,
    by_cols: dict[str, str],
    out_cols: dict[str, str],
    outputs: list[Any],
) -> None:
    """take_any(a, b, ...) / take_any(*): the values of one row (the group's first), one column each;
    ``*`` stands for the input columns except the group-by ones (take-any page, Returns)."""
    slot, agg, _ = slot_agg
    names: list[str] = []
    fns: list[Any] = []
    types: list[str] = []
    for i, x in enumerate(call.args):
        if isinstance(x, A.Star):
            for n, t in scope.columns.items():
                if n not in by_cols and n not in names:
                    names.append(n)
                    fns.append(compile_expr(A.Column(n), scope).fn)
                    types.append(t)
            continue
        c = compile_expr(x, scope)
        names.append(x.name if isinstance(x, A.Column) else f"any_arg{i}")
        fns.append(c.fn)
        types.append(c.type)
    agg.new = lambda: None
    agg.add = lambda st, r: st if st is not None else tuple(f(r) for f in fns)
    agg.result = lambda st: st
    for i, (n, t) in enumerate(zip(names, types, strict=True)):
        if n in out_cols:
            continue
        out_cols[n] = t
        outputs.append((n, t, lambda r, s=slot, i=i: r.get(s)[i] if r.get(s) else None, -1))


def _unique(name: str, taken: dict[str, str]) -> str:
    """An automatic column name made unique as Kusto does: ``list_x``, then ``list_x1``, ``list_x2``."""
    if name not in taken:
        return name
    n = 1
    while f"{name}{n}" in taken:
        n += 1
    return f"{name}{n}"


def _tuple_columns(
    call: A.Call,
    slot_agg: tuple[str, Aggregate, A.Call],
    arg_names: list[str | None],
    out_cols: dict[str, str],
    outputs: list[Any],
    names: tuple[str, ...] = (),
) -> None:
    """An aggregate of several columns (``percentiles``): ``percentile_X_P`` per column, or the names
    of ``(p50, p95) = percentiles(x, 50, 95)``."""
    slot, agg, _ = slot_agg
    first = arg_names[0] if arg_names else None
    columns = agg.columns or []
    if names and len(names) != len(columns):
        raise err(call, f"{call.name}() gives {len(columns)} columns, but {len(names)} names are given")
    for i, (fragment, typ) in enumerate(columns):
        if names:
            name = names[i]
            if name in out_cols:
                raise err(call, f"summarize produces the column '{name}' twice")
        else:
            name = _unique(f"percentile_{first}_{fragment}" if first else f"percentile_{fragment}", out_cols)
        out_cols[name] = typ
        outputs.append((name, typ, lambda r, s=slot, i=i: r.get(s)[i] if r.get(s) else None, -1))


def _arg_name(node: Any) -> str | None:
    """An aggregate argument's part of the column name: its column, through functions named after
    their first argument (``buildschema(todynamic(tostring(x)))`` is ``schema_x``), or a literal."""
    while isinstance(node, A.Call) and node.name in FIRST_ARGUMENT_NAMED and node.args:
        node = node.args[0]
    if isinstance(node, A.Column):
        return node.name
    return str(node.value) if isinstance(node, A.Literal) else None


def _contains_aggregate(node: Any) -> bool:
    if isinstance(node, A.Call) and is_aggregate_call(node.name, len(node.args)):
        return True
    for value in getattr(node, "__dict__", {}).values():
        items = value if isinstance(value, tuple) else (value,)
        for v in items:
            if isinstance(
                v, (A.Call, A.Binary, A.Unary, A.Member, A.Index, A.InList, A.Between)
            ) and _contains_aggregate(v):
                return True
    return False


def _arg_columns(
    call: A.Call,
    slot_agg: tuple[str, Aggregate, A.Call],
    scope: Env,
    out_cols: dict[str, str],
    outputs: list[Any],
    alias: str | None,
    tuple_names: tuple[str, ...] = (),
) -> None:
    # `(First, Other) = arg_min(t, x)` names the result columns in order.
    slot, agg, _ = slot_agg
    first = call.args[0]
    first_name = (
        alias
        or (tuple_names[0] if tuple_names else None)
        or (first.name if isinstance(first, A.Column) else f"{call.name}_")
    )
    extra = list(call.args[1:])
    star = any(isinstance(x, A.Star) for x in extra)
    out_cols[first_name] = agg.type
    outputs.append((first_name, agg.type, lambda r, s=slot: (r.get(s) or (None, ()))[0], -1))
    if star:
        # arg_max(x, *): every input column, the row that has the extreme value.
        names = [c for c in scope.columns if c != (first.name if isinstance(first, A.Column) else None)]
        fns = [compile_expr(A.Column(n), scope).fn for n in names]
        agg2_fn = agg.add
        inner_first = compile_expr(first, scope).fn

        def add(s: Any, r: Any) -> Any:
            v = inner_first(r)
            if v is None:
                # A group whose values are all null still answers its first row (arg-max page, #3).
                return s if s is not None else (None, tuple(f(r) for f in fns))
            if s is not None and s[0] is not None:
                try:
                    better = v > s[0] if call.name == "arg_max" else v < s[0]
                except TypeError:
                    better = False
                if not better:
                    return s
            return (v, tuple(f(r) for f in fns))

        agg.add = add
        _ = agg2_fn
        types = [scope.columns[n] for n in names]
    else:
        names = []
        types = []
        counter = [0]
        from azlogs.kql._tabular import derive_name

        for j, x in enumerate(extra):
            given = tuple_names[j + 1] if j + 1 < len(tuple_names) else None
            names.append(given or derive_name(x, out_cols, counter))
            types.append(compile_expr(x, scope).type)
    for i, (n, t) in enumerate(zip(names, types, strict=False)):
        if n in out_cols:
            continue
        out_cols[n] = t
        outputs.append(
            (n, t, lambda r, s=slot, i=i: (r.get(s) or (None, ()))[1][i] if r.get(s) else None, -1)
        )


def _make_summarizer(
    plan: Plan,
    by_names: list[str],
    by_fns: list[Any],
    by_vecs: list[VFn],
    aggs: list[tuple[str, Aggregate, A.Call]],
    outputs: list[Any],
    no_groups: bool,
) -> Callable[[], Iterable[Row]]:
    only_count = len(aggs) == 1 and aggs[0][2].name == "count" and not aggs[0][2].args

    def finish(key_values: list[Any], states: list[Any], empty: bool = False) -> Row:
        row: Row = dict(zip(by_names, key_values, strict=False))
        for (slot, agg, call), s in zip(aggs, states, strict=False):
            row[slot] = agg.result(s)
            if empty and row[slot] is None:
                row[slot] = empty_input_default(call.name, agg.type)
        out: Row = {n: row[n] for n in by_names}
        for name, _t, fn, _ in outputs:
            out[name] = fn(row) if fn is not None else None
        return out

    def keys_of(batch: Batch) -> list[tuple[Any, ...]] | None:
        # The group keys of a batch, column at a time; None when that raised (the batch then goes
        # row by row, so the run fails as the row-by-row run does, at the same row).
        try:
            return list(zip(*(v(batch) for v in by_vecs), strict=True))
        except KqlTimeoutError:
            raise
        except Exception:
            return None

    def produce() -> Iterable[Row]:
        if only_count and len(by_fns) == 1:
            # The hot path of `summarize count() by bin(TimeGenerated, 1h)`.
            kf = by_fns[0]
            kvec = by_vecs[0]
            counts: dict[Any, int] = {}
            reps: dict[Any, Any] = {}
            get = counts.get
            hold = current().hold
            for batch in plan.batches():
                try:
                    keys = kvec(batch)
                except KqlTimeoutError:
                    raise
                except Exception:
                    keys = [kf(r) for r in batch.rows()]
                for k in keys:
                    try:
                        c = get(k)
                    except TypeError:
                        h = hashable(k)
                        reps.setdefault(h, k)
                        k = h
                        c = get(k)
                    if c is None:
                        hold()
                        c = 0
                    counts[k] = c + 1
            return [finish([reps.get(k, k)], [n]) for k, n in counts.items()]
        groups: dict[Any, tuple[list[Any], list[Any]]] = {}
        news = [a.new for _, a, _ in aggs]
        adds = [a.add for _, a, _ in aggs]
        hold = current().hold
        for batch in plan.batches():
            batch_keys = keys_of(batch) if by_fns else None
            for j, r in enumerate(batch.rows()):
                kv = list(batch_keys[j]) if batch_keys is not None else [f(r) for f in by_fns]
                key = tuple(map(hashable, kv))
                g = groups.get(key)
                if g is None:
                    hold()
                    g = (kv, [n() for n in news])
                    groups[key] = g
                states = g[1]
                for i, add in enumerate(adds):
                    states[i] = add(states[i], r)
        if not groups and no_groups:
            return [finish([], [n() for n in news], empty=True)]
        return [finish(kv, states) for kv, states in groups.values()]

    return produce


# ----------------------------------------------------------------------------- distinct, union


def _distinct(plan: Plan, op: A.Distinct, scope: Env) -> Plan:
    if not op.columns:
        names = list(plan.columns)
        fns = [compile_expr(A.Column(n), scope).fn for n in names]
        cols = dict(plan.columns)
    else:
        from azlogs.kql._tabular import derive_name

        cols = {}
        fns = []
        names = []
        counter = [0]
        for a in op.columns:
            c = compile_expr(a.expr, scope)
            n = a.name or derive_name(a.expr, cols, counter)
            cols[n] = c.type
            fns.append(c.fn)
            names.append(n)

    def produce() -> Iterable[Row]:
        seen: set[Any] = set()
        for r in plan.rows():
            vals = [f(r) for f in fns]
            key = tuple(map(hashable, vals))
            if key in seen:
                continue
            current().hold()
            seen.add(key)
            yield dict(zip(names, vals, strict=False))

    return plan.materialize(produce, cols)


def union_plan(left: Plan | None, op: A.Union_, env: Env) -> Plan:
    """``union`` of the input (when an operator) and the listed tables (in ``_tabular_more``)."""
    from azlogs.kql._op_search import union

    return union(left, op, env)


# ----------------------------------------------------------------------------- join


_JOIN_KINDS = {
    "inner",
    "innerunique",
    "leftouter",
    "leftanti",
    "leftantisemi",
    "leftsemi",
    "rightouter",
    "rightanti",
    "rightantisemi",
    "rightsemi",
    "fullouter",
    "anti",
    "semi",
}


def _join_keys(op: A.Join, left: Plan, right: Plan) -> tuple[list[str], list[str]]:
    lk: list[str] = []
    rk: list[str] = []
    for k in op.keys:
        if isinstance(k, A.Column):
            lk.append(k.name)
            rk.append(k.name)
        elif (
            isinstance(k, A.Binary)
            and k.op == "=="
            and isinstance(k.left, A.Member)
            and isinstance(k.right, A.Member)
        ):
            sides = {}
            for m in (k.left, k.right):
                if not isinstance(m.target, A.Column) or m.target.name not in ("$left", "$right"):
                    raise err(k, "join keys look like: Key, or $left.A == $right.B")
                sides[m.target.name] = m.name
            lk.append(sides["$left"])
            rk.append(sides["$right"])
        else:
            raise err(k, "join keys look like: Key, or $left.A == $right.B")
    for n in lk:
        if n not in left.columns:
            raise err(op, f"join: the left side has no column '{n}'")
    for n in rk:
        if n not in right.columns:
            raise err(op, f"join: the right side has no column '{n}'")
    return lk, rk


def _join(left: Plan, op: A.Join, env: Env) -> Plan:
    from azlogs.kql._tabular import compile_pipeline

    kind = {
        "anti": "leftanti",
        "semi": "leftsemi",
        "leftantisemi": "leftanti",
        "rightantisemi": "rightanti",
    }.get(op.kind, op.kind)
    if kind not in _JOIN_KINDS:
        raise err(
            op,
            f"join kind={op.kind} is not supported",
            "use inner, innerunique, leftouter, leftanti, leftsemi, rightouter, rightanti, rightsemi, fullouter",
        )
    right = compile_pipeline(op.right, env)
    lk, rk = _join_keys(op, left, right)
    if kind in ("leftanti", "leftsemi"):
        cols = dict(left.columns)
    elif kind in ("rightanti", "rightsemi"):
        cols = dict(right.columns)
    else:
        cols = dict(left.columns)
    rename: dict[str, str] = {}
    if kind not in ("leftanti", "leftsemi", "rightanti", "rightsemi"):
        for c, t in right.columns.items():
            new = c
            n = 1
            while new in cols:
                new = f"{c}{n}"
                n += 1
            rename[c] = new
            cols[new] = t
    lcols, rcols = list(left.columns), list(right.columns)

    def key_of(r: Row, keys: list[str]) -> Any:
        vals = tuple(hashable(r.get(k)) for k in keys)
        return None if any(v is None for v in vals) else vals

    def produce() -> Iterable[Row]:
        rrows = current().collect(right.rows())
        index: dict[Any, list[Row]] = {}
        for r in rrows:
            k = key_of(r, rk)
            if k is not None:
                index.setdefault(k, []).append(r)
        matched_right: set[int] = set()
        seen_left: set[Any] = set()
        for lrow in left.rows():
            k = key_of(lrow, lk)
            if kind == "innerunique":
                if k in seen_left:
                    continue
                seen_left.add(k)
            hits = index.get(k, []) if k is not None else []
            if kind == "leftanti":
                if not hits:
                    yield {c: lrow.get(c) for c in lcols}
                continue
            if kind == "leftsemi":
                if hits:
                    yield {c: lrow.get(c) for c in lcols}
                continue
            if kind in ("rightanti", "rightsemi", "rightouter", "fullouter"):
                for h in hits:
                    matched_right.add(id(h))
                if kind in ("rightanti", "rightsemi"):
                    continue
            base = {c: lrow.get(c) for c in lcols}
            if hits:
                for h in hits:
                    out = dict(base)
                    for c in rcols:
                        out[rename[c]] = h.get(c)
                    yield out
            elif kind in ("leftouter", "fullouter"):
                out = dict(base)
                for c in rcols:
                    out[rename[c]] = null_of(right.columns[c])
                yield out
        if kind in ("rightanti", "rightsemi"):
            want = kind == "rightsemi"
            for r in rrows:
                if (id(r) in matched_right) == want:
                    yield {c: r.get(c) for c in rcols}
        elif kind in ("rightouter", "fullouter"):
            for r in rrows:
                if id(r) not in matched_right:
                    out = {c: null_of(left.columns[c]) for c in lcols}
                    for c in rcols:
                        out[rename[c]] = r.get(c)
                    yield out

    return Plan(cols, produce)


# ----------------------------------------------------------------------------- mv-expand


def _mv_expand(plan: Plan, op: A.MvExpand, scope: Env) -> Plan:
    cols = dict(plan.columns)
    items: list[tuple[str, Any, str | None]] = []
    for assign, to_type in op.items:
        c = compile_expr(assign.expr, scope)
        if assign.name is None and not isinstance(assign.expr, A.Column):
            raise err(assign, "mv-expand needs a column, or name = expression")
        name = assign.name or assign.expr.name  # type: ignore[union-attr]
        cols[name] = to_type or "dynamic"
        items.append((name, c.fn, to_type))
    index_name = op.index_name
    if index_name:
        cols[index_name] = "long"
    as_array = op.kind == "array"
    limit = None
    if op.limit is not None:
        limit = _const_int(op.limit, scope, "mv-expand limit")

    def produce() -> Iterable[Row]:
        for r in plan.rows():
            arrays = []
            for _, fn, _ in items:
                v = fn(r)
                if isinstance(v, dict):
                    # kind=array (bagexpansion=array): each property as a [key, value] array
                    v = [[k, x] for k, x in v.items()] if as_array else [{k: x} for k, x in v.items()]
                elif not isinstance(v, list):
                    v = [v]
                arrays.append(v)
            n = max((len(a) for a in arrays), default=0)
            if limit is not None:
                n = min(n, limit)
            for i in range(n):
                out = dict(r)
                for (name, _, to_type), arr in zip(items, arrays, strict=False):
                    v = arr[i] if i < len(arr) else None
                    out[name] = convert(v, to_type) if to_type else v
                if index_name:
                    out[index_name] = i
                yield out

    return plan.materialize(produce, cols)


_DOTNET = {
    "string": "System.String",
    "long": "System.Int64",
    "int": "System.Int32",
    "real": "System.Double",
    "bool": "System.SByte",
    "datetime": "System.DateTime",
    "timespan": "System.TimeSpan",
    "guid": "System.Guid",
    "dynamic": "System.Object",
    "decimal": "System.Data.SqlTypes.SqlDecimal",
}


def _getschema(plan: Plan) -> Plan:
    rows = [
        {"ColumnName": n, "ColumnOrdinal": i, "DataType": _DOTNET.get(t, "System.Object"), "ColumnType": t}
        for i, (n, t) in enumerate(plan.columns.items())
    ]
    cols = {"ColumnName": "string", "ColumnOrdinal": "int", "DataType": "string", "ColumnType": "string"}
    return Plan(cols, lambda: iter([dict(r) for r in rows]))


_ = (functools, heapq)
