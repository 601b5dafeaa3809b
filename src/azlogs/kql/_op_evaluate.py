"""``evaluate`` plugins (bag_unpack, pivot, narrow) and ``top-nested``.

bag_unpack and pivot have output columns that depend on the data (their pages say so): the input
is read when the query is compiled, once, and the rows kept for the run. Sources:
bag-unpack-plugin.md, pivot-plugin.md, narrow-plugin.md, top-nested-operator.md
(MicrosoftDocs/dataexplorer-docs, data-explorer/kusto/query/).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from azlogs.kql import _ast as A
from azlogs.kql._aggregates import AGGREGATES, auto_name, hashable
from azlogs.kql._budget import current
from azlogs.kql._compile import Env, compile_expr, err
from azlogs.kql._plan import Plan, Row
from azlogs.kql._values import convert, to_str, type_of_value

# Plugins that reach outside the query (their pages), refused with the reason.
REMOTE_PLUGINS = {
    "http_request": "sends an HTTP request",
    "http_request_post": "sends an HTTP request",
    "infer_storage_schema": "reads files in Azure Storage",
    "infer_storage_schema_with_suggestions": "reads files in Azure Storage",
    "sql_request": "queries a SQL database",
    "cosmosdb_sql_request": "queries a Cosmos DB database",
    "mysql_request": "queries a MySQL database",
    "postgresql_request": "queries a PostgreSQL database",
    "azure_digital_twins_query_request": "queries Azure Digital Twins",
    "ai_embeddings": "calls an Azure OpenAI endpoint",
    "ai_chat_completion": "calls an Azure OpenAI endpoint",
    "ai_chat_completion_prompt": "calls an Azure OpenAI endpoint",
}

Plugin = Callable[[Plan, A.Evaluate, Env], Plan]


def refuse_remote(op: A.Evaluate) -> None:
    """Refuse a plugin of REMOTE_PLUGINS, saying what it would reach; nothing for the others."""
    if op.plugin in REMOTE_PLUGINS:
        raise err(op, f"evaluate {op.plugin}() {REMOTE_PLUGINS[op.plugin]}; azlogs makes no such requests")


def _plugins() -> dict[str, Plugin]:
    """Every plugin by name: this module's, and those of the modules loaded only when one runs."""
    from azlogs.kql._op_geo_lookup import geo_lookup
    from azlogs.kql._op_plugins import PLUGINS

    return {
        "bag_unpack": _bag_unpack,
        "pivot": _pivot,
        "narrow": lambda plan, op, scope: _narrow(plan),
        "ipv4_lookup": _ipv4_lookup,
        "geo_polygon_lookup": geo_lookup,
        "geo_line_lookup": geo_lookup,
        **dict(sorted(PLUGINS.items())),  # listed by name in the refusal's hint, as before
    }


def evaluate(plan: Plan, op: A.Evaluate, scope: Env) -> Plan:
    """Apply ``evaluate plugin(...)``."""
    plugins = _plugins()
    run = plugins.get(op.plugin)
    if run is not None:
        return run(plan, op, scope)
    refuse_remote(op)
    raise err(
        op, f"the plugin '{op.plugin}' is not supported by azlogs", f"evaluate supports {', '.join(plugins)}"
    )


def _named(op: A.Evaluate) -> tuple[list[Any], dict[str, Any]]:
    positional = [a for a in op.args if not isinstance(a, A.Assign)]
    named = {a.name.lower(): a.expr for a in op.args if isinstance(a, A.Assign) and a.name}
    return positional, named


def _value(node: Any, scope: Env) -> Any:
    return compile_expr(node, scope.with_columns({})).fn({})


def _bag_unpack(plan: Plan, op: A.Evaluate, scope: Env) -> Plan:
    """One column per property of the bags (sorted by name), after the other columns; a prefix,
    ``columnsConflict`` (error, replace_source, keep_source) and ``ignoredProperties``."""
    positional, named = _named(op)
    if not positional or not isinstance(positional[0], A.Column):
        raise err(op, "bag_unpack() needs the dynamic column to unpack")
    column = positional[0].name
    if column not in plan.columns:
        raise err(positional[0], f"bag_unpack: unknown column '{column}'")
    prefix = to_str(_value(positional[1], scope)) if len(positional) > 1 else ""
    conflict = str(_value(named["columnsconflict"], scope) if "columnsconflict" in named else "error").lower()
    if len(positional) > 2:
        conflict = str(_value(positional[2], scope)).lower()
    ignored_v = _value(named["ignoredproperties"], scope) if "ignoredproperties" in named else None
    ignored = set(ignored_v) if isinstance(ignored_v, list) else set()
    rows = current().collect(plan.rows())
    keys: dict[str, set[str]] = {}
    for r in rows:
        bag = r.get(column)
        if isinstance(bag, dict):
            for k, v in bag.items():
                if k not in ignored:
                    keys.setdefault(prefix + k, set()).add(type_of_value(v) if v is not None else "")
    base = {c: t for c, t in plan.columns.items() if c != column}
    cols = dict(base)
    sources: dict[str, str] = {}
    for name in sorted(keys):
        kinds = keys[name] - {""}
        typ = kinds.pop() if len(kinds) == 1 else "dynamic"
        typ = {"long": "long", "real": "real", "bool": "bool", "string": "string"}.get(typ, "dynamic")
        if name in base:
            if conflict == "error":
                raise err(op, f"bag_unpack: the property '{name}' is also a column (set columnsConflict)")
            if conflict == "keep_source":
                continue
            cols[name] = typ
        else:
            cols[name] = typ
        sources[name] = name[len(prefix) :]
    if op.schema:  # the declared output schema: its columns, in its order ('*' for the others)
        declared: dict[str, str] = {}
        for n, t in op.schema:
            if n == "*":
                declared.update({c: ct for c, ct in base.items() if c not in dict(op.schema)})
            else:
                declared[n] = t
                sources.setdefault(n, n[len(prefix) :] if n.startswith(prefix) else n)
        cols = declared
    out_rows: list[Row] = []
    for r in rows:
        value = r.get(column)
        props: dict[str, Any] = value if isinstance(value, dict) else {}
        out = {c: r.get(c) for c in base}
        for name, key in sources.items():
            if name in cols:
                out[name] = convert(props.get(key), cols[name]) if op.schema else props.get(key)
        out_rows.append({c: out.get(c) for c in cols})
    return Plan(cols, lambda: iter(out_rows))


def _pivot(plan: Plan, op: A.Evaluate, scope: Env) -> Plan:
    """``pivot(col [, agg] [, by...])``: a column per distinct value of ``col`` (in the order first
    seen), the aggregate (default ``count()``) per group; groups are the ``by`` columns, else every
    column the pivot and the aggregate do not read. Missing cells are 0 for count/sum, else null."""
    from azlogs.kql._tabular_ops import _AggCollector

    positional, _ = _named(op)
    if not positional or not isinstance(positional[0], A.Column):
        raise err(op, "pivot() needs the column whose values become columns")
    pcol = positional[0].name
    agg_node = positional[1] if len(positional) > 1 else A.Call("count", ())
    if not (isinstance(agg_node, A.Call) and agg_node.name in AGGREGATES):
        raise err(op, "pivot(): the second argument is an aggregate such as sum(x)")
    read: set[str] = {a.name for a in agg_node.args if isinstance(a, A.Column)}
    if len(positional) > 2:
        by = [a.name for a in positional[2:] if isinstance(a, A.Column)]
    else:
        by = [c for c in plan.columns if c != pcol and c not in read]
    collector = _AggCollector(scope)
    agg_env = Env({}, scope.lets, scope.ctx, {"compile": collector.compile}, scope.depth, scope.extra)
    value = compile_expr(agg_node, agg_env)
    ((slot, agg, _),) = collector.aggs
    pfn = compile_expr(A.Column(pcol), scope).fn
    empty = 0 if agg_node.name in ("count", "sum", "countif", "dcount") else None
    groups: dict[Any, tuple[list[Any], dict[Any, Any]]] = {}
    pivots: dict[Any, str] = {}
    for r in plan.rows():
        kv = [r.get(c) for c in by]
        key = tuple(hashable(v) for v in kv)
        p = pfn(r)
        ph = hashable(p)
        pivots.setdefault(ph, to_str(p))
        g = groups.setdefault(key, (kv, {}))
        st = g[1].get(ph)
        if st is None:
            current().hold()
            st = agg.new()
        g[1][ph] = agg.add(st, r)
    cols = {c: plan.columns[c] for c in by}
    for name in pivots.values():
        cols[name] = value.type
    out_rows: list[Row] = []
    for kv, states in groups.values():
        out = dict(zip(by, kv, strict=True))
        for ph, name in pivots.items():
            out[name] = value.fn({slot: agg.result(states[ph])}) if ph in states else empty
        out_rows.append(out)
    return Plan(cols, lambda: iter(out_rows))


def _ipv4_lookup(plan: Plan, op: A.Evaluate, scope: Env) -> Plan:
    """``ipv4_lookup(LookupTable, SourceKey, LookupKey [, ExtraKey...] [, return_unmatched])``: each
    row with the lookup row whose IPv4 range (IP-prefix notation) holds its address and whose extra
    keys are equal; the most specific range wins, then the first. Without ``return_unmatched=true``,
    rows with no match are left out (ipv4-lookup-plugin.md)."""
    from azlogs.kql._fn_ip import ipv4_is_in_range
    from azlogs.kql._tabular import compile_pipeline

    positional, named = _named(op)
    flag = named.get("return_unmatched")
    if len(positional) > 3 and isinstance(positional[-1], A.Literal) and positional[-1].type == "bool":
        flag = positional.pop()  # the syntax's last, positional return_unmatched
    if len(positional) < 3 or not all(isinstance(a, A.Column) for a in positional[1:]):
        raise err(
            op, "ipv4_lookup(LookupTable, SourceIPv4Key, IPv4LookupKey [, ExtraKey ...]) takes column names"
        )
    table = compile_pipeline(positional[0], scope.with_columns({}))
    src, key = positional[1].name, positional[2].name
    extra = [a.name for a in positional[3:] if isinstance(a, A.Column)]
    for name, cols, side in ((src, plan.columns, "input"), (key, table.columns, "lookup table")):
        if name not in cols:
            raise err(op, f"ipv4_lookup: the {side} has no column '{name}'")
    unmatched = flag is not None and _value(flag, scope) is True
    added = {c: t for c, t in table.columns.items() if c not in extra and c not in plan.columns}
    cols = {**plan.columns, **added}
    nulls = {c: None for c in added}

    def prefix(text: Any) -> int:
        s = to_str(text)
        return int(s.rsplit("/", 1)[1]) if "/" in s and s.rsplit("/", 1)[1].isdigit() else 32

    def produce() -> Iterator[Row]:
        ranges = sorted(current().collect(table.rows()), key=lambda r: -prefix(r.get(key)))
        for r in plan.rows():
            ip = r.get(src)
            hit = next(
                (
                    lr
                    for lr in ranges
                    if ipv4_is_in_range(ip, lr.get(key)) is True and all(lr.get(k) == r.get(k) for k in extra)
                ),
                None,
            )
            if hit is None:
                if unmatched:
                    yield {**r, **nulls}
                continue
            yield {**r, **{c: hit.get(c) for c in added}}

    return Plan(cols, produce)


def _narrow(plan: Plan) -> Plan:
    """Row (0-based), Column (name), Value (text) for every cell."""
    names = list(plan.columns)

    def produce() -> Iterator[Row]:
        for i, r in enumerate(plan.rows()):
            for c in names:
                yield {"Row": i, "Column": c, "Value": to_str(r.get(c))}

    return Plan({"Row": "long", "Column": "string", "Value": "string"}, produce)


# ----------------------------------------------------------------------------- top-nested


def top_nested(plan: Plan, op: A.TopNested, scope: Env) -> Plan:
    """``top-nested``: per level, the top N values of an expression by an aggregate, within each
    group of the levels before it; ``with others`` adds a row aggregating the rest. Each level adds
    its value column and an ``aggregated_<name>`` column unless the aggregate is named."""
    from azlogs.kql._tabular import derive_name
    from azlogs.kql._tabular_ops import _AggCollector, _const_int

    levels = []
    cols: dict[str, str] = {}
    counter = [0]
    for lv in op.levels:
        of = compile_expr(lv.of.expr, scope)
        of_name = lv.of.name or derive_name(lv.of.expr, cols, counter)
        if not isinstance(lv.by.expr, A.Call) or lv.by.expr.name not in AGGREGATES:
            raise err(op, "top-nested: 'by' takes an aggregate such as sum(x) or count()")
        collector = _AggCollector(scope)
        agg_env = Env({}, scope.lets, scope.ctx, {"compile": collector.compile}, scope.depth, scope.extra)
        value = compile_expr(lv.by.expr, agg_env)
        agg_name = lv.by.name or f"aggregated_{of_name}"
        n = _const_int(lv.count, scope, "top-nested") if lv.count is not None else None
        others = compile_expr(lv.others, scope.with_columns({})).fn({}) if lv.others is not None else None
        cols[of_name] = of.type
        cols[agg_name] = value.type
        levels.append(
            (
                of.fn,
                of_name,
                collector.aggs[0],
                value,
                agg_name,
                n,
                lv.others is not None,
                others,
                lv.descending,
            )
        )
    _ = auto_name

    def level(rows: list[Row], depth: int, prefix: Row) -> Iterator[Row]:
        if depth == len(levels):
            yield dict(prefix)
            return
        of_fn, of_name, (slot, agg, _), value, agg_name, n, has_others, others, desc = levels[depth]
        groups: dict[Any, tuple[Any, list[Row], Any]] = {}
        for r in rows:
            v = of_fn(r)
            h = hashable(v)
            g = groups.get(h)
            if g is None:
                g = (v, [], agg.new())
                groups[h] = g
            g[1].append(r)
            groups[h] = (g[0], g[1], agg.add(g[2], r))
        ranked = [(v, members, value.fn({slot: agg.result(st)})) for v, members, st in groups.values()]
        present = [x for x in ranked if x[2] is not None]
        present.sort(key=lambda x: x[2], reverse=desc)
        ranked = present + [x for x in ranked if x[2] is None]
        top = ranked if n is None else ranked[:n]
        for v, members, agg_value in top:
            yield from level(members, depth + 1, {**prefix, of_name: v, agg_name: agg_value})
        rest = ranked[len(top) :]
        if has_others and rest:
            st = agg.new()
            for _, members, _ in rest:
                for r in members:
                    st = agg.add(st, r)
            row = {**prefix, of_name: others, agg_name: value.fn({slot: agg.result(st)})}
            for j in range(depth + 1, len(levels)):
                row[levels[j][1]] = None
                row[levels[j][4]] = None
            yield row

    def produce() -> Iterator[Row]:
        yield from level(current().collect(plan.rows()), 0, {})

    return plan.materialize(produce, cols)
