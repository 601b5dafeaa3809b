"""The tabular operators of issue 14: make-series, lookup, mv-apply, evaluate (bag_unpack, pivot,
narrow), invoke, search, top-nested, parse-kv, sample, partition, ``as``, externaldata, union
wildcards, materialize() and view lets.

Semantics follow the Kusto documentation pages of each operator (MicrosoftDocs/dataexplorer-docs,
data-explorer/kusto/query/<operator>.md); the documented examples are tests in
tests/unit/kql/test_docs_operators.py. Where a page is silent, the reading is in docs/differences.md.
"""

from __future__ import annotations

import fnmatch
import itertools
import math
import random
import re
import weakref
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta
from typing import Any

from azlogs._exceptions import KqlError
from azlogs.kql import _ast as A
from azlogs.kql._aggregates import hashable
from azlogs.kql._budget import current
from azlogs.kql._compile import CExpr, Env, LetBinding, compile_expr, err
from azlogs.kql._plan import Plan, Row
from azlogs.kql._values import convert, null_of, to_dynamic, to_str

# ----------------------------------------------------------------------------- plan references


class PlanRef:
    """A tabular value already compiled to a plan (the input of ``invoke``, a name bound by ``as``)."""

    def __init__(self, plan: Plan, pos: A.Pos = A.NOPOS) -> None:
        self.plan = plan
        self.pos = pos


def _cell_plan(columns: dict[str, str]) -> tuple[Plan, list[list[Row]]]:
    """A plan whose rows are whatever the caller puts in the cell: a subquery compiled once and
    run over many small inputs (mv-apply's subtables, partition's partitions)."""
    cell: list[list[Row]] = [[]]
    return Plan(dict(columns), lambda: iter(cell[0])), cell


def _apply_ops(plan: Plan, ops: tuple[Any, ...], env: Env) -> Plan:
    from azlogs.kql._tabular import apply_operator

    for op in ops:
        plan = apply_operator(plan, op, env)
    return plan


def _per_run(env: Env, compute: Any) -> Any:
    """``compute()`` once per run of the query (materialize, toscalar)."""
    ctx = env.ctx
    cell: list[Any] = [None, -1]

    def get() -> Any:
        if cell[1] != ctx.run_id:
            cell[0] = compute()
            cell[1] = ctx.run_id
        return cell[0]

    return get


# ----------------------------------------------------------------------------- sources


def is_tabular_node(node: Any, env: Env) -> bool:
    """The tabular expressions this module adds (for ``let`` and ``in``)."""
    if isinstance(node, (A.ExternalData, A.Search, A.Evaluate, A.Find, PlanRef)):
        return True
    if isinstance(node, A.Call):
        if node.name == "materialize":
            return True
        binding = env.lets.get(node.name)
        return binding is not None and binding.kind == "lambda" and _body_is_tabular(binding.node)
    return False


def _body_is_tabular(lam: A.Lambda) -> bool:
    body = lam.body
    if isinstance(body, (A.Pipeline, A.Datatable, A.Print, A.Union_, A.Range, A.ExternalData, A.Search)):
        return True
    if isinstance(body, A.Column):
        return any(p.name == body.name and p.type == "table" for p in lam.params) or body.name[:1].isupper()
    return isinstance(body, A.Call) and body.name == "materialize"


def source_plan(node: Any, env: Env) -> Plan | None:
    """A plan for the sources of this module, or None."""
    if isinstance(node, PlanRef):
        return node.plan
    if isinstance(node, A.ExternalData):
        return _externaldata(node, env)
    if isinstance(node, A.Search):
        return _search_source(node, env)
    if isinstance(node, A.Find):
        return _find(node, env)
    if isinstance(node, A.Call) and node.name == "materialize":
        return _materialize(node, env)
    if isinstance(node, A.Evaluate):
        raise err(node, f"evaluate {node.plugin}() needs an input table here ('T | evaluate ...')")
    return None


# Per query context, the plan of each materialize() call: every reference to the let reads it.
_MATERIALIZED: weakref.WeakKeyDictionary[Any, dict[int, Plan]] = weakref.WeakKeyDictionary()


def _materialize(node: A.Call, env: Env) -> Plan:
    from azlogs.kql._tabular import compile_pipeline

    if len(node.args) != 1:
        raise err(node, f"materialize() takes 1 argument (a tabular expression), got {len(node.args)}")
    done = _MATERIALIZED.setdefault(env.ctx, {})
    if id(node) in done:
        return done[id(node)]
    inner = compile_pipeline(node.args[0], env)
    rows = _per_run(env, lambda: current().collect(inner.rows()))
    plan = Plan(dict(inner.columns), lambda: iter(rows()))
    done[id(node)] = plan
    return plan


def toscalar(node: A.Call, env: Env) -> CExpr:
    """``toscalar(T | ...)``: the first column of the first row (null when there is none)."""
    from azlogs.kql._compile import _is_tabular
    from azlogs.kql._tabular import compile_pipeline

    if len(node.args) != 1:
        raise err(node, f"toscalar() takes 1 argument, got {len(node.args)}")
    arg = node.args[0]
    if not (_is_tabular(arg, env) or is_tabular_node(arg, env)):
        return compile_expr(arg, env)
    plan = compile_pipeline(arg, env.with_columns({}))
    if not plan.columns:
        raise err(node, "toscalar() needs a tabular expression with at least one column")
    first, typ = next(iter(plan.columns.items()))
    null = null_of(typ)

    def compute() -> Any:
        for r in plan.rows():
            return r.get(first, null)
        return null

    get = _per_run(env, compute)
    return CExpr(lambda r: get(), typ, row_free=True)


def tabular_values(node: Any, env: Env) -> CExpr | None:
    """A tabular item of ``in``/``has_any`` (``x in (T | project y)``): its first column's values,
    as one dynamic array computed once per run; None when ``node`` is a scalar."""
    from azlogs.kql._compile import _is_tabular
    from azlogs.kql._tabular import compile_pipeline

    if not (_is_tabular(node, env) or is_tabular_node(node, env)):
        return None
    plan = compile_pipeline(node, env.with_columns({}))
    if not plan.columns:
        raise err(node, "a tabular expression in 'in (...)' needs at least one column")
    first = next(iter(plan.columns))
    get = _per_run(env, lambda: [r.get(first) for r in plan.rows()])
    return CExpr(lambda r: get(), "dynamic", row_free=True)


def union_tables(tables: tuple[Any, ...], env: Env) -> list[Any]:
    """``union *`` and ``union Device*``: the wildcard items replaced by the tables (and ``view``
    lets) whose names match, in the provider's order."""
    out: list[Any] = []
    for t in tables:
        if not (isinstance(t, A.Column) and "*" in t.name):
            out.append(t)
            continue
        provider = env.ctx.provider
        names = list(provider.table_names()) if provider is not None else []
        names += [
            n
            for n, b in env.lets.items()
            if b.kind == "lambda" and getattr(b.node, "view", False) and n not in names
        ]
        out.extend(A.Column(n, pos=t.pos) for n in names if fnmatch.fnmatchcase(n, t.name))
    return out


# The names ``as`` gave to plans: union's withsource= column shows them.
_AS_NAMES: weakref.WeakKeyDictionary[Plan, str] = weakref.WeakKeyDictionary()


def union(left: Plan | None, op: A.Union_, env: Env) -> Plan:
    """``union``: the legs' rows one after the other (union-operator.md). ``kind=inner`` keeps the
    columns every leg has; a column name that legs give different types becomes one column per
    type, ``name_type``; ``isfuzzy=true`` leaves out legs that do not resolve; ``withsource=``
    names each row's leg (its table, view or ``as`` name)."""
    from azlogs.kql._tabular import compile_pipeline

    opts = {k.lower(): v for k, v in op.options}
    fuzzy = opts.get("isfuzzy") in (True, "true", "True")
    legs: list[tuple[str, Plan]] = []
    if left is not None:
        legs.append((_AS_NAMES.get(left, ""), left))
    for t in union_tables(op.tables, env):
        try:
            p = compile_pipeline(t, env)
        except KqlError:
            if fuzzy:
                continue
            raise
        legs.append((_AS_NAMES.get(p) or (t.name if isinstance(t, A.Column) else ""), p))
    if not legs:
        raise err(op, "union: no table to read (every leg is missing)")
    kind = str(opts.get("kind", "outer")).lower()
    source_col = opts.get("withsource") or opts.get("with_source")
    types: dict[str, list[str]] = {}
    for _, p in legs:
        for c, t in p.columns.items():
            seen = types.setdefault(c, [])
            if t not in seen:
                seen.append(t)
    taken = set(types)
    typed: dict[tuple[str, str], str] = {}  # (name, type) of a conflicting column -> its new name
    renames: list[dict[str, str]] = []
    cols: dict[str, str] = {}
    if source_col:
        cols[str(source_col)] = "string"
    for _, p in legs:
        ren: dict[str, str] = {}
        for c, t in p.columns.items():
            new = c
            if len(types[c]) > 1:
                new = typed.get((c, t), "")
                if not new:
                    new = f"{c}_{t}"
                    while new in taken:
                        new += "1"
                    taken.add(new)
                    typed[(c, t)] = new
            ren[c] = new
            cols.setdefault(new, t)
        renames.append(ren)
    if kind == "inner":
        common = [n for n in cols if n == source_col or all(n in ren.values() for ren in renames)]
        cols = {n: cols[n] for n in common}
    names = list(cols)
    nulls = {n: null_of(t) for n, t in cols.items()}

    def produce() -> Iterator[Row]:
        for (label, p), ren in zip(legs, renames, strict=True):
            pairs = [(old, new) for old, new in ren.items() if new in cols]
            for r in p.rows():
                out = dict(nulls)
                for old, new in pairs:
                    out[new] = r.get(old)
                if source_col:
                    out[str(source_col)] = label
                yield {n: out[n] for n in names}

    return Plan(cols, produce)


def view_plan(node: A.Column, binding: LetBinding, env: Env) -> Plan:
    """A parameterless function (a ``view``) named without parentheses."""
    from azlogs.kql._tabular import _tabular_udf

    return _tabular_udf(A.Call(node.name, (), pos=node.pos), binding, env)


# ----------------------------------------------------------------------------- externaldata

_FORMATS = {"csv": ",", "tsv": "\t", "tsve": "\t", "scsv": ";", "psv": "|", "sohsv": "\x01"}


def _externaldata(node: A.ExternalData, env: Env) -> Plan:
    """Rows from files the host allows (the provider's ``read_external``); never the network."""
    props = {k.lower(): v for k, v in node.properties}
    fmt = str(props.get("format", "csv")).lower()
    if fmt not in (*_FORMATS, "txt", "raw", "json", "multijson"):
        raise err(
            node, f"externaldata format '{fmt}' is not supported (csv, tsv, scsv, psv, txt, json, multijson)"
        )
    skip_first = props.get("ignorefirstrecord") in (True, "true", "True")
    cols = dict(node.columns)
    provider = env.ctx.provider
    reader = getattr(provider, "read_external", None)
    if reader is None:
        raise err(
            node,
            "externaldata: this engine reads no external data here",
            "the emulator reads externaldata from its configured directory (externaldata_dir); "
            "see docs/differences.md",
        )
    uris = node.uris

    def produce() -> Iterator[Row]:
        for uri in uris:
            try:
                text = reader(uri)
            except KeyError as exc:
                raise err(node, f"externaldata: {exc.args[0] if exc.args else uri}") from None
            yield from _parse_external(text, fmt, cols, skip_first)

    return Plan(cols, produce)


def _parse_external(text: str, fmt: str, cols: dict[str, str], skip_first: bool) -> Iterator[Row]:
    import csv
    import json

    names = list(cols)
    lines = text.splitlines()
    if skip_first and fmt not in ("json", "multijson"):
        lines = lines[1:]
    if fmt in ("txt", "raw"):
        body = lines if fmt == "txt" else ["\n".join(lines)]
        for ln in body:
            yield {names[0]: convert(ln, cols[names[0]]), **{n: null_of(cols[n]) for n in names[1:]}}
        return
    if fmt in ("json", "multijson"):
        decoder = json.JSONDecoder()
        i, n = 0, len(text)
        while i < n:
            while i < n and text[i] in " \t\r\n,[]":
                i += 1
            if i >= n:
                break
            obj, i = decoder.raw_decode(text, i)
            items = obj if isinstance(obj, list) else [obj]
            for o in items:
                if isinstance(o, dict):
                    yield {c: _typed(o.get(c), t) for c, t in cols.items()}
        return
    for rec in csv.reader(lines, delimiter=_FORMATS[fmt]):
        if not rec:
            continue
        yield {c: _typed(rec[i] if i < len(rec) else None, t) for i, (c, t) in enumerate(cols.items())}


def _typed(v: Any, t: str) -> Any:
    if v is None or (v == "" and t != "string"):
        return null_of(t)
    return convert(v, t)


# ----------------------------------------------------------------------------- operators


def apply(plan: Plan, op: Any, env: Env) -> Plan | None:
    """Apply one operator of this module, or None when ``op`` is none of them."""
    scope = env.with_columns(plan.columns)
    if isinstance(op, A.MakeSeries):
        from azlogs.kql._op_series import make_series

        return make_series(plan, op, scope)
    if isinstance(op, A.Lookup):
        return _lookup(plan, op, env)
    if isinstance(op, A.MvApply):
        return _mv_apply(plan, op, env)
    if isinstance(op, A.Evaluate):
        from azlogs.kql._op_evaluate import evaluate

        return evaluate(plan, op, scope)
    if isinstance(op, A.Invoke):
        return _invoke(plan, op, env)
    if isinstance(op, A.Search):
        return _search(plan, op, scope, None)
    if isinstance(op, A.TopNested):
        from azlogs.kql._op_evaluate import top_nested

        return top_nested(plan, op, scope)
    if isinstance(op, A.ParseKv):
        return _parse_kv(plan, op, scope)
    if isinstance(op, A.Sample):
        return _sample(plan, op, scope)
    if isinstance(op, A.Partition):
        return _partition(plan, op, env)
    if isinstance(op, A.As):
        env.lets[op.name] = LetBinding("tabular", node=PlanRef(plan, op.pos), env=env)
        _AS_NAMES[plan] = op.name
        return plan
    if isinstance(op, A.ExternalData):
        raise err(op, "externaldata starts a query; it cannot follow '|'")
    return None


# -- lookup


def _lookup(left: Plan, op: A.Lookup, env: Env) -> Plan:
    """``lookup``: a join that keeps every left row (leftouter) or the matched ones (inner), and
    does not repeat the right side's key columns (lookup-operator.md)."""
    from azlogs.kql._tabular import compile_pipeline
    from azlogs.kql._tabular_ops import _join_keys

    right = compile_pipeline(op.right, env)
    lk, rk = _join_keys(A.Join(op.kind, op.right, op.keys, pos=op.pos), left, right)
    cols = dict(left.columns)
    rename: dict[str, str] = {}
    for c, t in right.columns.items():
        if c in rk:
            continue
        new, n = c, 1
        while new in cols:
            new, n = f"{c}{n}", n + 1
        rename[c] = new
        cols[new] = t
    rnull = {rename[c]: null_of(t) for c, t in right.columns.items() if c in rename}
    inner = op.kind == "inner"

    def key_of(r: Row, keys: list[str]) -> Any:
        vals = tuple(hashable(r.get(k)) for k in keys)
        return None if any(v is None for v in vals) else vals

    def produce() -> Iterator[Row]:
        index: dict[Any, list[Row]] = {}
        for r in right.rows():
            k = key_of(r, rk)
            if k is not None:
                current().hold()
                index.setdefault(k, []).append(r)
        for lrow in left.rows():
            k = key_of(lrow, lk)
            hits = index.get(k, []) if k is not None else []
            base = {c: lrow.get(c) for c in left.columns}
            if not hits:
                if not inner:
                    yield {**base, **rnull}
                continue
            for h in hits:
                yield {**base, **{new: h.get(old) for old, new in rename.items()}}

    return Plan(cols, produce)


# -- mv-apply


def _mv_apply(plan: Plan, op: A.MvApply, env: Env) -> Plan:
    """``mv-apply``: each input row expanded to a subtable, the subquery run on it, the results
    unioned with the row's other columns added (mv-apply-operator.md)."""
    from azlogs.kql._tabular_ops import _const_int

    scope = env.with_columns(plan.columns)
    items: list[tuple[str, Any, str | None]] = []
    sub_cols = dict(plan.columns)
    replaced: set[str] = set()
    for assign, to_type in op.items:
        if assign.name is None and not isinstance(assign.expr, A.Column):
            raise err(assign, "mv-apply needs a column, or name = expression")
        name = assign.name or assign.expr.name  # type: ignore[union-attr]
        c = compile_expr(assign.expr, scope)
        if name in plan.columns:
            replaced.add(name)
        sub_cols.pop(name, None) if name not in plan.columns else None
        sub_cols[name] = to_type or "dynamic"
        items.append((name, c.fn, to_type))
    if op.index_name:
        sub_cols[op.index_name] = "long"
    limit = _const_int(op.limit, scope, "mv-apply limit") if op.limit is not None else None
    source, cell = _cell_plan(sub_cols)
    sub = _apply_ops(source, op.ops, env)
    outer = [c for c in plan.columns if c not in replaced and c not in sub.columns]
    cols = {**{c: plan.columns[c] for c in outer}, **sub.columns}
    index_name = op.index_name
    as_array = op.kind == "array"

    def produce() -> Iterator[Row]:
        for r in plan.rows():
            arrays = [_expandable(fn(r), as_array) for _, fn, _ in items]
            n = max((len(a) for a in arrays), default=0)
            if limit is not None:
                n = min(n, limit)
            subtable = []
            for i in range(n):
                row = dict(r)
                for (name, _, to_type), arr in zip(items, arrays, strict=True):
                    v = arr[i] if i < len(arr) else None
                    row[name] = convert(v, to_type) if to_type else v
                if index_name:
                    row[index_name] = i
                subtable.append(row)
            cell[0] = subtable
            for s in list(sub.rows()):
                yield {**{c: r.get(c) for c in outer}, **{c: s.get(c) for c in sub.columns}}

    return Plan(cols, produce)


def _expandable(v: Any, as_array: bool) -> list[Any]:
    if isinstance(v, dict):
        return [[k, x] for k, x in v.items()] if as_array else [{k: x} for k, x in v.items()]
    if isinstance(v, list):
        return v
    return [] if v is None else [v]


# -- invoke


def _invoke(plan: Plan, op: A.Invoke, env: Env) -> Plan:
    """``T | invoke f(a, b)`` is ``f(T, a, b)``: the input is the function's first argument."""
    from azlogs.kql._tabular import _tabular_udf

    binding = env.lets.get(op.function)
    if binding is None or binding.kind != "lambda":
        raise err(op, f"invoke: '{op.function}' is not a function defined by 'let' in this query")
    lam: A.Lambda = binding.node
    if not lam.params:
        raise err(op, f"invoke: {op.function}() takes no tabular parameter")
    call = A.Call(op.function, (PlanRef(plan, op.pos), *op.args), pos=op.pos)  # type: ignore[arg-type]
    return _tabular_udf(call, binding, env)


# -- search


def _search_source(node: A.Search, env: Env) -> Plan:
    from azlogs.kql._tabular import compile_pipeline

    provider = env.ctx.provider
    names = list(node.tables) if node.tables else list(provider.table_names()) if provider else []
    plans = [(n, compile_pipeline(A.Column(n, pos=node.pos), env)) for n in names]
    cols: dict[str, str] = {"$table": "string"}
    for _, p in plans:
        for c, t in p.columns.items():
            cols.setdefault(c, t)
    matched = [(n, _search(p, node, env.with_columns(p.columns), None)) for n, p in plans]

    def produce() -> Iterator[Row]:
        for n, p in matched:
            for r in p.rows():
                out = {c: (r.get(c) if c in p.columns else null_of(t)) for c, t in cols.items()}
                out["$table"] = n
                yield out

    return Plan(cols, produce)


def _search(plan: Plan, op: A.Search, scope: Env, _unused: Any) -> Plan:
    """``search``: a bare string matches a term in any column; ``*`` and ``Col:"x"`` as documented
    (search-operator.md), case-insensitive unless kind=case_sensitive."""
    pred = _search_pred(op.predicate, scope, op.case_sensitive)
    f = pred.fn
    return plan.with_step(lambda r: r if f(r) is True else None, dict(plan.columns))


def star_predicate(node: Any, scope: Env) -> CExpr | None:
    """``where * has "x"`` (any column), or None when the predicate has no ``*`` operand."""

    def has_star(n: Any) -> bool:
        if isinstance(n, A.Binary):
            return isinstance(n.left, A.Star) or (
                n.op in ("and", "or") and (has_star(n.left) or has_star(n.right))
            )
        return False

    return _search_pred(node, scope, False) if has_star(node) else None


def _search_pred(node: Any, scope: Env, cs: bool) -> CExpr:
    from azlogs.kql._operators import has, string_predicate

    cols = list(scope.columns)
    if isinstance(node, A.Star):
        return CExpr(lambda r: True, "bool")
    if isinstance(node, A.Literal) and node.type == "string":
        term = node.value
        if "*" in term:
            rx = re.compile(".*".join(re.escape(p) for p in term.split("*")), 0 if cs else re.IGNORECASE)
            return CExpr(lambda r: any(rx.search(to_str(r.get(c))) for c in cols), "bool")
        return CExpr(lambda r: any(has(to_str(r.get(c)), term, cs) for c in cols), "bool")
    if isinstance(node, A.Binary) and node.op in ("and", "or"):
        a, b = _search_pred(node.left, scope, cs).fn, _search_pred(node.right, scope, cs).fn
        if node.op == "and":
            return CExpr(lambda r: a(r) is True and b(r) is True, "bool")
        return CExpr(lambda r: a(r) is True or b(r) is True, "bool")
    if isinstance(node, A.Binary) and isinstance(node.left, A.Star):
        p = string_predicate(node.op)
        rhs = compile_expr(node.right, scope).fn
        return CExpr(lambda r: any(p(to_str(r.get(c)), rhs(r)) for c in cols), "bool")
    return compile_expr(node, scope)


# -- find


def _find(node: A.Find, env: Env) -> Plan:
    """``find``: the rows of several tables where the predicate holds (find-operator.md). Tables that
    lack a column the predicate names are left out. With ``project``, the listed columns (typed as
    given, else as the first table has them) and ``pack_all()`` as a bag column ``column1``; with
    ``project-smart`` (the default), the predicate's columns, the columns every table has, and the
    rest of each row in a bag column ``pack_``. ``source_`` (or ``withsource=``) names the table."""
    from azlogs.kql._tabular import _collect_names, compile_pipeline

    provider = env.ctx.provider
    names = list(node.tables) if node.tables else list(provider.table_names()) if provider else []
    wanted: set[str] = set()
    _collect_names(node.predicate, wanted)
    wanted -= set(env.lets)
    legs: list[tuple[str, Plan]] = []
    for n in names:
        p = compile_pipeline(A.Column(n, pos=node.pos), env)
        if wanted <= set(p.columns):
            legs.append(
                (n, _search(p, A.Search(node.predicate, pos=node.pos), env.with_columns(p.columns), None))
            )
    src = node.source_column
    cols: dict[str, str] = {src: "string"}
    pack: str | None
    if node.project is not None:
        pack = None
        for c, t in node.project:
            if c == "*pack_all":
                pack = "column1"
                continue
            cols[c] = t or next((p.columns[c] for _, p in legs if c in p.columns), "string")
        if pack:
            cols[pack] = "dynamic"
    else:
        common = [c for c in (legs[0][1].columns if legs else {}) if all(c in p.columns for _, p in legs)]
        for c in [*sorted(wanted), *common]:
            if c not in cols:
                cols[c] = next((p.columns[c] for _, p in legs if c in p.columns), "string")
        pack = "pack_"
        cols[pack] = "dynamic"
    shown = [c for c in cols if c not in (src, pack)]

    def produce() -> Iterator[Row]:
        for n, p in legs:
            for r in p.rows():
                out: Row = {src: n}
                for c in shown:
                    v = r.get(c) if c in p.columns else None
                    out[c] = convert(v, cols[c]) if v is not None and p.columns.get(c) != cols[c] else v
                if pack is not None:
                    skip = set(shown) if pack == "pack_" else set()
                    out[pack] = {
                        c: to_dynamic(r.get(c)) for c in p.columns if c not in skip and r.get(c) is not None
                    }
                yield out

    return Plan(cols, produce)


# -- parse-kv


def _parse_kv(plan: Plan, op: A.ParseKv, scope: Env) -> Plan:
    """``parse-kv``: the listed keys out of key/value text, typed (parse-kv-operator.md)."""
    props = {k.lower(): v for k, v in op.properties}
    src = compile_expr(op.source, scope).fn
    cols = dict(plan.columns)
    for n, t in op.columns:
        cols.pop(n, None)
        cols[n] = t
    wanted = dict(op.columns)
    regex = props.get("regex")
    if regex is not None:
        rx = re.compile(str(regex))

        def pairs(text: str) -> list[tuple[str, str]]:
            return [(m.group(1), m.group(2)) for m in rx.finditer(text) if m.lastindex and m.lastindex >= 2]

    else:
        pair_d = str(props.get("pair_delimiter", " "))
        kv_d = str(props.get("kv_delimiter", "="))
        quotes = str(props.get("quote", ""))
        escape = str(props.get("escape", ""))
        greedy = props.get("greedy") in (True, "true")

        def pairs(text: str) -> list[tuple[str, str]]:
            return _kv_pairs(text, pair_d, kv_d, quotes, escape, greedy)

    def step(r: Row) -> Row:
        out = dict(r)
        found: dict[str, str] = {}
        for k, v in pairs(to_str(src(r))):
            k = k.strip()
            if k in wanted and k not in found:
                found[k] = v
        for n, t in wanted.items():
            out[n] = convert(found[n], t) if n in found else null_of(t)
        return out

    return plan.with_step(step, cols)


def _kv_pairs(
    text: str, pair_d: str, kv_d: str, quotes: str, escape: str, greedy: bool
) -> list[tuple[str, str]]:
    """Key/value pairs of ``text``: ``quote`` is one quote character or an opening and a closing
    one (``()``); ``escape`` marks a quote inside a quoted value."""
    opening, closing = (quotes[0], quotes[1]) if len(quotes) == 2 else (quotes, quotes)
    out: list[tuple[str, str]] = []
    i, n = 0, len(text)
    while i < n:
        if opening and text[i : i + 1] == opening:  # a quoted key
            end, key = _quoted(text, i, closing, escape)
            j = text.find(kv_d, end)
            if j < 0:
                break
        else:
            j = text.find(kv_d, i)
            if j < 0:
                break
            key = text[i:j].strip()
            if pair_d in key:
                key = key.rsplit(pair_d, 1)[-1].strip()  # a word before the key without a value
        i = j + len(kv_d)
        while i < n and text[i] == " " and pair_d != " ":
            i += 1
        if opening and i < n and text[i] == opening:
            end, value = _quoted(text, i, closing, escape)
            i = end
            nxt = text.find(pair_d, i)
            i = n if nxt < 0 else nxt + len(pair_d)
        else:
            if greedy:
                # the value runs to the pair delimiter that precedes the next key
                nxt_kv = text.find(kv_d, i)
                end = text.rfind(pair_d, i, nxt_kv) if nxt_kv >= 0 else -1
                end = n if end < 0 else end
            else:
                end = text.find(pair_d, i)
                end = n if end < 0 else end
            value = text[i:end]
            i = end + len(pair_d)
        out.append((key, value.strip()))
    return out


def _quoted(text: str, i: int, closing: str, escape: str) -> tuple[int, str]:
    """The text between the quote at ``i`` and its closing quote, and the index after it."""
    out: list[str] = []
    j = i + 1
    while j < len(text):
        c = text[j]
        if escape and c == escape and j + 1 < len(text):
            out.append(text[j + 1])
            j += 2
            continue
        if c == closing:
            return j + 1, "".join(out)
        out.append(c)
        j += 1
    return j, "".join(out)


# -- sample, partition


def _sample(plan: Plan, op: A.Sample, scope: Env) -> Plan:
    """``sample n`` (n rows, chosen at random) and ``sample-distinct n of col``."""
    from azlogs.kql._tabular_ops import _const_int

    n = _const_int(op.count, scope, "sample")
    if not op.distinct:
        return plan.materialize(lambda: _random_n(current().collect(plan.rows()), n))
    if op.of is None:
        raise err(op, "sample-distinct needs 'of Column'")
    c = compile_expr(op.of, scope)
    name = op.of.name if isinstance(op.of, A.Column) else "Column1"

    def produce() -> Iterator[Row]:
        seen: set[Any] = set()
        for r in plan.rows():
            v = c.fn(r)
            h = hashable(v)
            if h in seen:
                continue
            seen.add(h)
            yield {name: v}
            if len(seen) >= n:
                return

    return plan.materialize(produce, {name: c.type})


def _random_n(rows: list[Row], n: int) -> list[Row]:
    if len(rows) <= n:
        return rows
    picked = sorted(random.sample(range(len(rows)), n))
    return [rows[i] for i in picked]


def _partition(plan: Plan, op: A.Partition, env: Env) -> Plan:
    """``partition by Col (subquery)``: the subquery on each partition's rows, the results unioned."""
    if op.column not in plan.columns:
        raise err(op, f"partition: unknown column '{op.column}'")
    source, cell = _cell_plan(plan.columns)
    sub = _apply_ops(source, op.ops, env)
    key = op.column

    def produce() -> Iterator[Row]:
        groups: dict[Any, list[Row]] = {}
        for r in plan.rows():
            current().hold()
            groups.setdefault(hashable(r.get(key)), []).append(r)
        for rows in groups.values():
            cell[0] = rows
            yield from list(sub.rows())

    return Plan(dict(sub.columns), produce)


_ = (itertools, math, datetime, timedelta, Iterable)
