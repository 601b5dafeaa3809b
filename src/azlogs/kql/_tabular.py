"""Tabular expressions -> plans: sources (source, tables, let names, datatable, print, range,
union) and the row operators; blocking operators live in ``_tabular_ops``."""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from azlogs._exceptions import KqlError
from azlogs.kql import _ast as A
from azlogs.kql import _op_series  # noqa: F401 - registers the series_* functions
from azlogs.kql._batch import Batch
from azlogs.kql._compile import CExpr, Env, LetBinding, bind_let, compile_expr, err, udf_arguments
from azlogs.kql._fn_window import calls_any, uses_window, windowed
from azlogs.kql._parse_op import columns_of, compile_parse
from azlogs.kql._plan import Plan, Row
from azlogs.kql._registry import FIRST_ARGUMENT_NAMED, lookup
from azlogs.kql._values import convert, null_of
from azlogs.kql._vector import VFn, vector
from azlogs.schema.names import INGESTION_TIME_COLUMN

TIME_COLUMN = "TimeGenerated"
# make-graph and the operators that read its graph (azlogs.kql._graph).
_GRAPH_OPS = (A.MakeGraph, A.GraphMatch, A.GraphToTable, A.GraphMarkComponents)


def derive_name(
    expr: Any, used: dict[str, str] | set[str], counter: list[int], prefix: str = "Column"
) -> str:
    """KQL's name for an unnamed expression column: the column it reads, else Column1, Column2 ..."""
    node = expr
    while True:
        if isinstance(node, A.Column):
            return node.name
        if isinstance(node, A.Member):
            inner = node
            path = [node.name]
            while isinstance(inner.target, A.Member):
                inner = inner.target
                path.append(inner.name)
            if isinstance(inner.target, A.Column):
                return "_".join([inner.target.name, *reversed(path)])
            break
        if isinstance(node, A.Call) and node.name in FIRST_ARGUMENT_NAMED and node.args:
            node = node.args[0]
            continue
        spec = lookup(node.name) if isinstance(node, A.Call) else None
        if spec is not None and spec.extra.get("result_name") and spec.extra["result_name"] not in used:
            return str(spec.extra["result_name"])  # a fixed name (hll_merge's hll_merged_result)
        if spec is not None and node.args and isinstance(node.args[0], A.Column):
            # Functions Kusto.Language names after themselves and their first argument (dcount_hll_h).
            named = spec.extra.get("result_name_prefix")
            if named:
                return f"{named}_{node.args[0].name}"
        break
    while True:
        counter[0] += 1
        name = f"{prefix}{counter[0]}" if prefix != "print_" else f"print_{counter[0] - 1}"
        if name not in used:
            return name


# ----------------------------------------------------------------------------- sources


def _source_plan(node: Any, env: Env) -> Plan:
    if isinstance(node, A.Column):
        return _named_table(node, env)
    if isinstance(node, A.Datatable):
        return _datatable(node)
    if isinstance(node, A.Print):
        return _print(node, env)
    if isinstance(node, A.Range):
        return _range(node, env)
    if isinstance(node, A.Union_):
        from azlogs.kql._tabular_ops import union_plan

        return union_plan(None, node, env)
    if isinstance(node, A.Pipeline):
        return compile_pipeline(node, env)
    if isinstance(node, A.Call):
        binding = env.lets.get(node.name)
        if binding is not None and binding.kind == "lambda":
            return _tabular_udf(node, binding, env)
    from azlogs.kql._tabular_more import source_plan

    more = source_plan(node, env)
    if more is not None:
        return more
    raise err(node, "expected a tabular expression (source, a table, datatable, print, union ...)")


_READS_INGESTION_TIME = frozenset({"ingestion_time"})


def _named_table(
    node: A.Column,
    env: Env,
    time_range: Any = None,
    needed: frozenset[str] | None = None,
    ingestion_time: bool = False,
) -> Plan:
    name = node.name
    binding = env.lets.get(name)
    if binding is not None:
        if binding.kind == "lambda" and not binding.node.params:
            from azlogs.kql._tabular_more import view_plan

            return view_plan(node, binding, env)
        if binding.kind != "tabular":
            raise err(node, f"'{name}' is a {binding.kind} value, not a table")
        assert binding.env is not None
        return _source_plan(binding.node, binding.env)
    source_cols = env.extra.get("source_columns")
    if name == "source" and source_cols is not None:
        ctx = env.ctx
        return Plan(dict(source_cols), lambda: ctx.source_rows, per_record_source=True)
    provider = env.ctx.provider
    cols = provider.table_columns(name) if provider is not None else None
    if cols is None:
        if name == "source":
            raise err(node, "'source' is only defined in a DCR transformation")
        known = list(provider.table_names()) if provider is not None else []
        from azlogs.kql._compile import _did_you_mean

        raise err(node, f"unknown table '{name}'", _did_you_mean(name, known))
    columns = dict(cols)
    ctx = env.ctx
    bounds_fn = time_range
    # Read only the columns the query can see before it narrows them (a hint: providers may ignore it).
    wanted = None if needed is None else [c for c in columns if c in needed or c == TIME_COLUMN]
    if ingestion_time:  # the store's hidden column, read only when ingestion_time() is called
        wanted = [*(columns if wanted is None else wanted), INGESTION_TIME_COLUMN]

    def produce() -> Iterable[Row]:
        span = ctx.timespan
        lo, hi = span if span is not None else (None, None)
        if bounds_fn is not None:
            blo, bhi = bounds_fn()
            lo = blo if lo is None or (blo is not None and blo > lo) else lo
            hi = bhi if hi is None or (bhi is not None and bhi < hi) else hi
        hint = (lo, hi) if lo is not None or hi is not None else None
        rows: Iterable[Row] = provider.scan(name, time_range=hint, columns=wanted)
        if span is None or TIME_COLUMN not in columns:
            return rows
        slo, shi = span
        return (r for r in rows if _in_span(r.get(TIME_COLUMN), slo, shi))

    return Plan(columns, produce)


def _in_span(v: Any, lo: datetime | None, hi: datetime | None) -> bool:
    if v is None:
        return False
    return (lo is None or v >= lo) and (hi is None or v <= hi)


def _datatable(node: A.Datatable) -> Plan:
    cols = dict(node.columns)
    names = [n for n, _ in node.columns]
    types = [t for _, t in node.columns]
    rows: list[Row] = []
    values = [v.value for v in node.values]
    for i in range(0, len(values), len(names) or 1):
        chunk = values[i : i + len(names)]
        rows.append(
            {
                n: (convert(v, t) if v is not None else null_of(t))
                for n, t, v in zip(names, types, chunk, strict=False)
            }
        )
    return Plan(cols, lambda: iter([dict(r) for r in rows]))


def _print(node: A.Print, env: Env) -> Plan:
    inner = env.with_columns({})
    cols: dict[str, str] = {}
    fns: list[tuple[str, CExpr]] = []
    counter = [0]
    for a in map(with_result_names, node.assigns):
        c = compile_expr(a.expr, inner)
        if a.names:
            for n, f in tuple_parts(a, c):
                cols[n] = part_type(a, n)
                fns.append((n, CExpr(f, "dynamic")))
            continue
        name = a.name or derive_name(None, cols, counter, "print_")
        cols[name] = c.type
        fns.append((name, c))

    def produce() -> Iterable[Row]:
        return iter([{n: c.fn({}) for n, c in fns}])

    return Plan(cols, produce)


def _range(node: A.Range, env: Env) -> Plan:
    inner = env.with_columns({})
    start, stop, step = (compile_expr(x, inner) for x in (node.start, node.stop, node.step))
    name = node.name

    def produce() -> Iterable[Row]:
        a, b, s = start.fn({}), stop.fn({}), step.fn({})
        if a is None or b is None or not s:
            return
        # No cap on the count: the rows stream, and the run's budget (ticked for each row by
        # every consumer) stops a range that would run too long. Cutting it short gave wrong answers.
        v = a
        while (v <= b) if s > (timedelta(0) if isinstance(s, timedelta) else 0) else (v >= b):
            yield {name: v}
            v = v + s

    return Plan({name: start.type}, produce)


def _tabular_udf(node: A.Call, binding: LetBinding, env: Env) -> Plan:
    lam: A.Lambda = binding.node
    assert binding.env is not None
    if env.depth > 20:
        raise err(node, f"{node.name}() calls itself too deeply")
    inner = Env(dict(env.columns), dict(binding.env.lets), env.ctx, depth=env.depth + 1, extra=env.extra)
    for p, given in zip(lam.params, udf_arguments(node, lam), strict=True):
        a = given if given is not None else p.default
        if p.type == "table":  # (T:(col:type)) or (T:(*)): the argument is a tabular expression
            inner.lets[p.name] = LetBinding("tabular", node=a, env=env)
            continue
        value = compile_expr(a, env.with_columns({}))
        inner.lets[p.name] = LetBinding("scalar", scalar=value)
    for let in lam.lets:
        bind_let(let, inner)
    return _source_plan(lam.body, inner)


# ----------------------------------------------------------------------------- pipeline


def compile_pipeline(node: Any, env: Env) -> Plan:
    """Compile a tabular expression into a plan."""
    if not isinstance(node, A.Pipeline):
        return _source_plan(node, env)
    ops = list(node.ops)
    src = node.source
    if isinstance(src, A.Column) and src.name not in env.lets and src.name != "source":
        plan = _named_table(
            src, env, _time_bounds(ops, env), needed_columns(ops), calls_any(ops, _READS_INGESTION_TIME)
        )
    else:
        plan = _source_plan(src, env)
    for i, op in enumerate(ops):
        nxt = ops[i + 1] if i + 1 < len(ops) else None
        if isinstance(op, A.Join) and op.kind == "innerunique" and isinstance(nxt, A.Where):
            # Kusto pushes a filter on the left side's columns below an innerunique join, before its
            # deduplication of the left keys (join-innerunique.md: "never gives the first result").
            names: set[str] = set()
            if _collect_names(nxt.predicate, names) and names and names <= set(plan.columns):
                plan = apply_operator(plan, nxt, env)
        plan = apply_operator(plan, op, env)
    return plan


# Operators after which only the columns they name survive, and those that pass rows through without
# hiding which columns they read.
_NARROWING = (A.Project, A.Summarize, A.Count, A.Distinct)
_PASS_THROUGH = (A.Where, A.Extend, A.Take, A.Sort, A.Top, A.Serialize, A.Parse)
# Functions that read columns not named as identifiers.
_READS_ALL = frozenset({"columnifexists", "column_ifexists", "pack_all", "bag_pack_all"})


def needed_columns(ops: list[Any]) -> frozenset[str] | None:
    """The table columns a pipeline reads before its first narrowing operator, or None for all of them.

    Conservative: any operator or function whose column use is not spelled out (``*``, renames,
    joins, ``columnifexists``...) before the narrowing makes the answer "all columns".
    """
    names: set[str] = set()
    for op in ops:
        if not isinstance(op, (*_NARROWING, *_PASS_THROUGH)):
            return None
        if not _collect_names(op, names):
            return None
        if isinstance(op, _NARROWING):
            return frozenset(names)
    return None


def _collect_names(node: Any, names: set[str]) -> bool:
    """Add the Column names under ``node``; False when something reads columns implicitly."""
    if isinstance(node, A.Star):
        return False
    if isinstance(node, A.Call) and node.name.lower() in _READS_ALL:
        return False
    if isinstance(node, A.Column):
        names.add(node.name)
        return True
    if isinstance(node, (tuple, list)):
        return all(_collect_names(item, names) for item in node)
    fields = getattr(node, "__dataclass_fields__", None)
    if fields is None:
        return True
    return all(_collect_names(getattr(node, f), names) for f in fields if f != "pos")


def _time_bounds(ops: list[Any], env: Env) -> Any:
    """Bounds on TimeGenerated implied by the leading where operators (a hint for the provider)."""
    preds: list[Any] = []
    for op in ops:
        if not isinstance(op, A.Where):
            break
        _collect_conjuncts(op.predicate, preds)
    bounds: list[tuple[str, CExpr]] = []
    scope = env.with_columns({})
    for p in preds:
        try:
            if isinstance(p, A.Binary) and p.op in ("<", "<=", ">", ">="):
                if isinstance(p.left, A.Column) and p.left.name == TIME_COLUMN:
                    bounds.append(("lo" if p.op[0] == ">" else "hi", compile_expr(p.right, scope)))
                elif isinstance(p.right, A.Column) and p.right.name == TIME_COLUMN:
                    bounds.append(("hi" if p.op[0] == ">" else "lo", compile_expr(p.left, scope)))
            elif (
                isinstance(p, A.Between)
                and not p.negated
                and isinstance(p.left, A.Column)
                and p.left.name == TIME_COLUMN
            ):
                lo = compile_expr(p.low, scope)
                hi = compile_expr(p.high, scope)
                bounds.append(("lo", lo))
                if hi.type == "timespan":
                    bounds.append(("hi", CExpr(_offset(lo.fn, hi.fn), "datetime")))
                else:
                    bounds.append(("hi", hi))
        except KqlError:  # a bound that needs a column is simply not pushed down
            continue
    bounds = [(k, c) for k, c in bounds if c.type == "datetime"]
    if not bounds:
        return None

    def compute() -> tuple[datetime | None, datetime | None]:
        lo: datetime | None = None
        hi: datetime | None = None
        for kind, c in bounds:
            v = c.fn({})
            if not isinstance(v, datetime):
                continue
            if kind == "lo":
                lo = v if lo is None or v > lo else lo
            else:
                hi = v if hi is None or v < hi else hi
        return lo, hi

    return compute


def _offset(lo: Any, span: Any) -> Any:
    def fn(r: Any) -> Any:
        a, b = lo(r), span(r)
        return None if a is None or b is None else a + b

    return fn


def _collect_conjuncts(node: Any, out: list[Any]) -> None:
    if isinstance(node, A.Binary) and node.op == "and":
        _collect_conjuncts(node.left, out)
        _collect_conjuncts(node.right, out)
    else:
        out.append(node)


def apply_operator(plan: Plan, op: Any, env: Env) -> Plan:
    """Add one tabular operator to a plan."""
    if isinstance(op, _GRAPH_OPS) or type(plan).__name__ == "GraphPlan":
        from azlogs.kql._graph import apply_graph

        return apply_graph(plan, op, env)
    scope = env.with_columns(plan.columns)
    if isinstance(op, (A.Extend, A.Project, A.Serialize)) and "window" not in env.extra and uses_window(op):
        return windowed(plan, scope, lambda p, s: apply_operator(p, op, s))
    if isinstance(op, A.Where):
        from azlogs.kql._op_search import star_predicate

        pred = star_predicate(op.predicate, scope) or compile_expr(op.predicate, scope)
        if pred.type not in ("bool", "dynamic"):
            raise err(op, f"the where predicate must be a bool, not {pred.type}")
        fp = pred.fn
        vp = vector(pred)

        def where_batch(b: Batch) -> Batch:
            return b.keep(vp(b))

        return plan.with_step(lambda r: r if fp(r) is True else None, dict(plan.columns), where_batch)
    if isinstance(op, A.Extend):
        return _extend(plan, op, scope)
    if isinstance(op, A.Project):
        return _project(plan, op, scope)
    if isinstance(op, A.ProjectAway):
        return _project_away(plan, op)
    if isinstance(op, A.ProjectRename):
        return _project_rename(plan, op)
    if isinstance(op, A.Parse):
        step = compile_parse(op, scope)
        cols = dict(plan.columns)
        for n, t in columns_of(op):
            cols[n] = t
        return plan.with_step(step, cols)
    if isinstance(op, (A.Render, A.Serialize)):
        if isinstance(op, A.Serialize) and op.assigns:
            return _extend(plan, A.Extend(op.assigns, pos=op.pos), scope)
        return plan
    if isinstance(op, A.Print):
        raise err(op, "'print' can only start a query")
    from azlogs.kql import _tabular_ops

    return _tabular_ops.apply_blocking(plan, op, env)


def with_result_names(a: A.Assign) -> A.Assign:
    """An unnamed ``array_sort_asc(a, b)`` / ``array_sort_desc(a, b)`` of several arrays: one column
    per array, named ``a_sorted``, ``b_sorted`` (array-sort-asc-function.md, first example)."""
    e = a.expr
    if a.name is not None or a.names or not isinstance(e, A.Call):
        return a
    from azlogs.kql._op_series import PARTS

    if e.name in PARTS and e.args and isinstance(e.args[0], A.Column):
        # series_fit_line(y) unnamed: series_fit_line_y_rsquare, series_fit_line_y_slope, ...
        col = e.args[0].name
        return A.Assign(None, e, pos=a.pos, names=tuple(f"{e.name}_{col}_{p}" for p, _ in PARTS[e.name]))
    if e.name not in ("array_sort_asc", "array_sort_desc"):
        return a
    arrays = list(e.args)
    if arrays and isinstance(arrays[-1], A.Literal) and arrays[-1].type == "bool":
        arrays.pop()
    if len(arrays) < 2 or not all(isinstance(x, A.Column) for x in arrays):
        return a
    return A.Assign(
        None, e, pos=a.pos, names=tuple(f"{x.name}_sorted" for x in arrays if isinstance(x, A.Column))
    )


def part_type(a: A.Assign, name: str) -> str:
    """The type of one of several results (``series_fit_line``'s RSquare is real); dynamic else."""
    from azlogs.kql._op_series import PARTS

    e = a.expr
    parts = PARTS.get(e.name) if isinstance(e, A.Call) else None
    if parts is None or name not in a.names:
        return "dynamic"
    i = a.names.index(name)
    return parts[i][1] if i < len(parts) else "dynamic"


def tuple_parts(a: A.Assign, c: CExpr) -> list[tuple[str, Any]]:
    """``(x, y) = f(...)`` in extend/project: each name takes its element of f's several results
    (``array_sort_asc(a, b)`` gives one array per argument array)."""
    if c.type != "dynamic":
        raise err(a, f"({', '.join(a.names)}) = ... needs a function with several results, got {c.type}")
    f = c.fn

    def part(i: int) -> Any:
        def fn(r: Row) -> Any:
            v = f(r)
            return v[i] if isinstance(v, list) and i < len(v) else None

        return fn

    return [(n, part(i)) for i, n in enumerate(a.names)]


def _extend(plan: Plan, op: A.Extend, scope: Env) -> Plan:
    cols = dict(plan.columns)
    fns: list[tuple[str, Any]] = []
    vecs: list[tuple[str, VFn]] = []
    counter = [0]
    # pack_all() packs the operator's input row, not the columns this extend adds before it.
    extra = {**scope.extra, "operator_input": dict(plan.columns)}
    for a in map(with_result_names, op.assigns):
        step_scope = Env(dict(cols), scope.lets, scope.ctx, None, scope.depth, extra)
        c = compile_expr(a.expr, step_scope)
        if a.names:
            for n, f in tuple_parts(a, c):
                cols.pop(n, None)
                cols[n] = part_type(a, n)
                fns.append((n, f))
                vecs.append((n, _rows_vec(f)))
            continue
        name = a.name or derive_name(a.expr if not isinstance(a.expr, A.Column) else None, cols, counter)
        cols.pop(name, None)
        cols[name] = c.type
        fns.append((name, c.fn))
        vecs.append((name, vector(c)))

    def extend_batch(b: Batch) -> Batch:
        for n, v in vecs:
            b.set(n, v(b))
        return b

    if len(fns) == 1:
        ((n0, f0),) = fns

        def step1(r: Row) -> Row:
            out = dict(r)
            out[n0] = f0(out)
            return out

        return plan.with_step(step1, cols, extend_batch)

    def step(r: Row) -> Row:
        out = dict(r)
        for n, f in fns:
            out[n] = f(out)
        return out

    return plan.with_step(step, cols, extend_batch)


def _rows_vec(f: Any) -> VFn:
    return lambda b: list(map(f, b.rows()))


def _project(plan: Plan, op: A.Project, scope: Env) -> Plan:
    cols: dict[str, str] = {}
    fns: list[tuple[str, Any]] = []
    project_vecs: list[VFn | None] = []
    counter = [0]
    for a in map(with_result_names, op.assigns):
        if a.name is None and isinstance(a.expr, A.Column) and "*" in a.expr.name:
            continue
        c = compile_expr(a.expr, scope)
        if a.names:
            for n, f in tuple_parts(a, c):
                if n in cols:
                    raise err(a, f"project produces the column '{n}' twice")
                cols[n] = part_type(a, n)
                fns.append((n, f))
                project_vecs.append(None)
            continue
        name = a.name or derive_name(a.expr, cols, counter)
        if name in cols:
            raise err(a, f"project produces the column '{name}' twice")
        cols[name] = c.type
        fns.append((name, c.fn))
        project_vecs.append(vector(c))
    fns_t = tuple(fns)
    names = [n for n, _ in fns]
    vecs = [_rows_vec(f) if v is None else v for v, (_, f) in zip(project_vecs, fns, strict=True)]

    def step(r: Row) -> Row:
        return {n: f(r) for n, f in fns_t}

    def project_batch(b: Batch) -> Batch:
        return Batch(b.n, {n: v(b) for n, v in zip(names, vecs, strict=True)})

    return plan.with_step(step, cols, project_batch)


def _match(patterns: tuple[str, ...], columns: dict[str, str], op: Any) -> list[str]:
    out: list[str] = []
    for p in patterns:
        if "*" in p:
            hits = [c for c in columns if fnmatch.fnmatchcase(c, p)]
        else:
            if p not in columns:
                raise err(op, f"{op.kind}: unknown column '{p}'")
            hits = [p]
        out.extend(h for h in hits if h not in out)
    return out


def _project_away(plan: Plan, op: A.ProjectAway) -> Plan:
    if op.orders and any(op.orders):
        names = []
        for p, order in zip(op.patterns, op.orders, strict=True):
            hits = [h for h in _match((p,), plan.columns, op) if h not in names]
            if order is not None:  # asc/desc: the columns a pattern matches, sorted by name
                hits.sort(reverse=order == "desc")
            names.extend(hits)
    else:
        names = _match(op.patterns, plan.columns, op)
    if op.kind == "project-away":
        return plan.with_columns({c: t for c, t in plan.columns.items() if c not in names})
    if op.kind == "project-keep":
        return plan.with_columns({c: t for c, t in plan.columns.items() if c in names})
    ordered = {c: plan.columns[c] for c in names}
    ordered.update({c: t for c, t in plan.columns.items() if c not in ordered})
    return plan.with_columns(ordered)


def _project_rename(plan: Plan, op: A.ProjectRename) -> Plan:
    cols: dict[str, str] = {}
    renames = dict((old, new) for new, old in op.pairs)
    for old in renames:
        if old not in plan.columns:
            raise err(op, f"project-rename: unknown column '{old}'")
    for c, t in plan.columns.items():
        cols[renames.get(c, c)] = t
    pairs = tuple(renames.items())

    def step(r: Row) -> Row:
        out = dict(r)
        vals = [(new, out.pop(old, None)) for old, new in pairs]
        for new, v in vals:
            out[new] = v
        return out

    def rename_batch(b: Batch) -> Batch:
        held = b.held()
        vals = [(new, held.pop(old, None)) for old, new in pairs]
        for new, v in vals:
            if v is None:
                held.pop(new, None)
            else:
                held[new] = v
        return Batch(b.n, held)

    return plan.with_step(step, cols, rename_batch)
