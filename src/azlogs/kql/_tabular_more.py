"""The tabular operators of issue 14 and where they are dispatched: lookup, mv-apply, invoke,
sample, partition, ``as``, externaldata, toscalar()/materialize() and tabular in-lists, view lets;
make-series is in ``_op_series``, evaluate and top-nested in ``_op_evaluate``, union/search/find in
``_op_search``, parse-kv in ``_op_parse_kv``, scan and project-by-names in ``_op_scan``.

Semantics follow the Kusto documentation pages of each operator (MicrosoftDocs/dataexplorer-docs,
data-explorer/kusto/query/<operator>.md); the documented examples are tests in
tests/unit/kql/test_docs_operators.py. Where a page is silent, the reading is in docs/differences.md.
"""

from __future__ import annotations

import random
import threading
import weakref
from collections.abc import Iterator
from typing import Any

from azlogs.kql import _ast as A
from azlogs.kql._aggregates import hashable
from azlogs.kql._budget import current
from azlogs.kql._compile import CExpr, Env, LetBinding, compile_expr, err
from azlogs.kql._plan import Plan, Row
from azlogs.kql._values import convert, null_of

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
    plan = Plan(dict(columns), lambda: iter(cell[0]))
    with _LOCK:
        _VOLATILE.add(plan)
    return plan, cell


def _reads_volatile(node: Any, env: Env) -> bool:
    """Whether a tabular expression reads a name bound to a partition's rows (``as Partition``)."""
    from azlogs.kql._tabular import _collect_names

    names: set[str] = set()
    _collect_names(node, names)
    for n in names:
        b = env.lets.get(n)
        if b is not None and isinstance(b.node, PlanRef):
            with _LOCK:
                if b.node.plan in _VOLATILE:
                    return True
    return False


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
        if node.name in ("materialize", "table"):
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
    if isinstance(node, (A.Search, A.Find)):
        from azlogs.kql import _op_search

        return (
            _op_search.search_source(node, env) if isinstance(node, A.Search) else _op_search.find(node, env)
        )
    if isinstance(node, A.Call) and node.name == "materialize":
        return _materialize(node, env)
    if isinstance(node, A.Call) and node.name == "table":
        return _table(node, env)
    if isinstance(node, A.Evaluate):
        from azlogs.kql._op_evaluate import refuse_remote

        refuse_remote(node)
        raise err(node, f"evaluate {node.plugin}() needs an input table here ('T | evaluate ...')")
    if isinstance(node, A.Call) and node.name == "graph":
        from azlogs.kql._graph import persistent_graph

        persistent_graph(node)
    scope_call = node.target if isinstance(node, A.Member) else node
    if isinstance(scope_call, A.Call) and scope_call.name in _CROSS_RESOURCE:
        raise err(
            node,
            f"{scope_call.name}() (a cross-resource query) is not supported by azlogs",
            "query the table directly; the emulator holds one workspace per query"
            if scope_call.name in ("workspace", "app", "resource")
            else f"{scope_call.name}() reads another service (Azure Resource Graph, Data Explorer), not Log Analytics",
        )
    return None


# Functions that name another workspace or service: workspace("..").T, arg("").Resources ...
_CROSS_RESOURCE = frozenset({"workspace", "app", "resource", "arg", "adx", "cluster", "database"})


# Per query context, the plan of each materialize() call: every reference to the let reads it.
# Queries run on several threads at once in the emulator: the weak registries are locked.
_MATERIALIZED: weakref.WeakKeyDictionary[Any, dict[int, Plan]] = weakref.WeakKeyDictionary()
_MATERIALIZED_LOCK = threading.Lock()
_LOCK = threading.Lock()
# The plans of a partition's or an mv-apply subtable's rows (they change within a run).
_VOLATILE: weakref.WeakSet[Plan] = weakref.WeakSet()
# The names `| as Name` gave to plans (union's withsource= column shows them).
AS_NAMES: weakref.WeakKeyDictionary[Plan, str] = weakref.WeakKeyDictionary()


def as_name(plan: Plan) -> str:
    """The name ``as`` gave ``plan``, or ""."""
    with _LOCK:
        return AS_NAMES.get(plan, "")


def _materialize(node: A.Call, env: Env) -> Plan:
    from azlogs.kql._tabular import compile_pipeline

    if len(node.args) != 1:
        raise err(node, f"materialize() takes 1 argument (a tabular expression), got {len(node.args)}")
    with _MATERIALIZED_LOCK:
        done = _MATERIALIZED.setdefault(env.ctx, {})
    if id(node) in done:
        return done[id(node)]
    inner = compile_pipeline(node.args[0], env)
    rows = _per_run(env, lambda: current().collect(inner.rows()))
    plan = Plan(dict(inner.columns), lambda: iter(rows()))
    done[id(node)] = plan
    return plan


def _table(node: A.Call, env: Env) -> Plan:
    """``table("Name")``: the table (or tabular let) of that name; the name may be a function's
    parameter (``let f = (t:string) { table(t) | ... }``)."""
    from azlogs.kql._tabular import compile_pipeline

    if len(node.args) not in (1, 2):
        raise err(node, f"table() takes the table's name, got {len(node.args)} arguments")
    name = compile_expr(node.args[0], env.with_columns({}))
    try:
        value = name.fn({})
    except Exception:
        value = None
    if not isinstance(value, str) or not value:
        raise err(node, "table() needs a constant table name")
    return compile_pipeline(A.Column(value, pos=node.pos), env)


def toscalar(node: A.Call, env: Env) -> CExpr:
    """``toscalar(T | ...)``: the first column of the first row (null when there is none)."""
    from azlogs.kql._compile import _is_tabular
    from azlogs.kql._tabular import compile_pipeline

    if len(node.args) != 1:
        raise err(node, f"toscalar() takes 1 argument, got {len(node.args)}")
    arg = node.args[0]
    if not (_is_tabular(arg, env) or is_tabular_node(arg, env)):
        # A scalar: computed once per run (toscalar(new_guid()) is one value for every row).
        from azlogs.kql._tabular import _collect_names

        scalar = compile_expr(arg, env)
        names: set[str] = set()
        if scalar.const or not _collect_names(arg, names) or names:
            return scalar  # reads a column or a name (a legacy partition's key): per row
        once = _per_run(env, lambda: scalar.fn({}))
        return CExpr(lambda r: once(), scalar.type, row_free=True)
    plan = compile_pipeline(arg, env.with_columns({}))
    if not plan.columns:
        raise err(node, "toscalar() needs a tabular expression with at least one column")
    first, typ = next(iter(plan.columns.items()))
    null = null_of(typ)

    def compute() -> Any:
        for r in plan.rows():
            return r.get(first, null)
        return null

    if _reads_volatile(arg, env):  # over a partition (`as Partition | ... toscalar(Partition | ...)`)
        return CExpr(lambda r: compute(), typ)
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
        from azlogs.kql._op_search import search

        return search(plan, op, scope)
    if isinstance(op, A.TopNested):
        from azlogs.kql._op_evaluate import top_nested

        return top_nested(plan, op, scope)
    if isinstance(op, A.ParseKv):
        from azlogs.kql._op_parse_kv import parse_kv

        return parse_kv(plan, op, scope)
    if isinstance(op, A.Sample):
        return _sample(plan, op, scope)
    if isinstance(op, A.Partition):
        return _partition(plan, op, env)
    if isinstance(op, (A.Scan, A.ProjectByNames)):
        from azlogs.kql import _op_scan

        return (
            _op_scan.scan(plan, op, env)
            if isinstance(op, A.Scan)
            else _op_scan.project_by_names(plan, op, env)
        )
    if isinstance(op, A.As):
        if op.materialized:
            inner = plan
            rows = _per_run(env, lambda: current().collect(inner.rows()))
            plan = Plan(dict(inner.columns), lambda: iter(rows()))
        env.lets[op.name] = LetBinding("tabular", node=PlanRef(plan, op.pos), env=env)
        with _LOCK:
            AS_NAMES[plan] = op.name
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


# Functions that exist only in Defender XDR advanced hunting (hunting queries invoke them).
_DEFENDER_FUNCTIONS = frozenset({"FileProfile", "DeviceFromIP", "AssignedIPAddresses", "SeenBy"})


def _invoke(plan: Plan, op: A.Invoke, env: Env) -> Plan:
    """``T | invoke f(a, b)`` is ``f(T, a, b)``: the input is the function's first argument."""
    from azlogs.kql._tabular import _tabular_udf

    binding = env.lets.get(op.function)
    if binding is None or binding.kind != "lambda":
        hint = (
            f"{op.function}() is a Microsoft Defender XDR advanced-hunting function; Log Analytics "
            "(and this emulator) do not have it"
            if op.function in _DEFENDER_FUNCTIONS
            else "define it first: let f = (T:(*), ...) { T | ... };"
        )
        raise err(op, f"invoke: '{op.function}' is not a function defined by 'let' in this query", hint)
    lam: A.Lambda = binding.node
    if not lam.params:
        raise err(op, f"invoke: {op.function}() takes no tabular parameter")
    call = A.Call(op.function, (PlanRef(plan, op.pos), *op.args), pos=op.pos)  # type: ignore[arg-type]
    return _tabular_udf(call, binding, env)


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
    if op.source is not None:
        return _partition_legacy(plan, op, op.source, env)
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


def _partition_legacy(plan: Plan, op: A.Partition, source: Any, env: Env) -> Plan:
    """``partition by Col { subquery with its own source }``: the subquery once per value of Col,
    which it reads as a scalar (``Col`` or ``toscalar(Col)``); the results unioned."""
    from azlogs.kql._tabular import compile_pipeline

    key = op.column
    value: list[Any] = [None]
    lets = dict(env.lets)
    lets[key] = LetBinding("scalar", scalar=CExpr(lambda r: value[0], plan.columns[key]))
    sub = compile_pipeline(source, Env({}, lets, env.ctx, depth=env.depth, extra=env.extra))

    def produce() -> Iterator[Row]:
        keys: dict[Any, Any] = {}
        for r in plan.rows():
            v = r.get(key)
            keys.setdefault(hashable(v), v)
        for v in keys.values():
            value[0] = v
            yield from list(sub.rows())

    return Plan(dict(sub.columns), produce)
