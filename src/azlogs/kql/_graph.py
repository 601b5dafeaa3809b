"""Graph semantics: make-graph, graph-match, graph-shortest-paths, graph-to-table, graph-mark-components.

``make-graph`` turns a table of edges (and tables of nodes) into a graph, a tabular value of its
own kind (:class:`GraphPlan`) that only a graph operator can read. ``graph-match`` and
``graph-shortest-paths`` find the pattern's matches by a depth-first walk from each node and
answer a row per match; ``graph-to-table`` answers the nodes or edges as rows; and
``graph-mark-components`` adds a component id to each node.

Inside graph-match's ``where`` and ``project`` a pattern variable names a node (``n.prop``), an
edge or a variable length edge (a path: its properties are arrays, one value per edge), and the
graph functions ``all()``, ``any()``, ``map()``, ``inner_nodes()``, ``node_degree_in()``,
``node_degree_out()``, ``node_id()`` and ``labels()`` read the graph. Those expressions are lowered onto columns
of a synthetic row (one column per graph read) and compiled by the ordinary compiler.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from typing import Any, Final

from azlogs._exceptions import KqlError
from azlogs.kql import _ast as A
from azlogs.kql._aggregates import hashable
from azlogs.kql._budget import current
from azlogs.kql._compile import CExpr, Env, LetBinding, compile_expr, err
from azlogs.kql._fn_hash import _xxhash
from azlogs.kql._plan import Plan, Row

GRAPH_OPERATORS: Final = (A.MakeGraph, A.GraphMatch, A.GraphToTable, A.GraphMarkComponents)
# Graph functions that read the graph (all lowered here, none in the function registry).
_ELEMENT_FUNCTIONS: Final = frozenset({"all", "any", "map"})
_NODE_FUNCTIONS: Final = frozenset({"node_degree_in", "node_degree_out", "node_id"})
_CYCLES: Final = ("unique_edges", "none", "all")
_GRAPH_ONLY: Final = (
    "a graph (make-graph's result) must be followed by a graph operator: graph-match, "
    "graph-shortest-paths, graph-to-table or graph-mark-components"
)


class Graph:
    """Nodes (a key and a bag of properties each, in the order they were first seen) and edges
    (source node, target node, properties), with each node's outgoing and incoming edges."""

    def __init__(self, directed: bool = True) -> None:
        self.directed = directed
        self.keys: list[Any] = []
        self.props: list[dict[str, Any]] = []
        self.index: dict[Any, int] = {}
        self.edges: list[tuple[int, int, dict[str, Any]]] = []
        self.out: list[list[int]] = []
        self.inc: list[list[int]] = []

    def node(self, key: Any, props: dict[str, Any]) -> int:
        """The node of ``key`` (made with ``props`` when new; a second row's properties fill gaps)."""
        h = hashable(key)
        i = self.index.get(h)
        if i is None:
            i = self.index[h] = len(self.keys)
            self.keys.append(key)
            self.props.append(dict(props))
            self.out.append([])
            self.inc.append([])
            return i
        known = self.props[i]
        for k, v in props.items():
            if known.get(k) is None:
                known[k] = v
        return i

    def edge(self, source: int, target: int, props: dict[str, Any]) -> None:
        self.out[source].append(len(self.edges))
        self.inc[target].append(len(self.edges))
        self.edges.append((source, target, props))

    def degree_in(self, i: int) -> int:
        return len(self.inc[i]) if self.directed else len(self.inc[i]) + len(self.out[i])

    def degree_out(self, i: int) -> int:
        return len(self.out[i]) if self.directed else len(self.inc[i]) + len(self.out[i])


class GraphPlan(Plan):
    """A graph as a value between operators: its node and edge property types and how to build it.

    It has no rows: reading it as a table is an error; the graph operators call :attr:`build`."""

    def __init__(
        self,
        nodes: dict[str, str],
        edges: dict[str, str],
        key_type: str,
        build: Callable[[], Graph],
        pos: A.Pos = A.NOPOS,
    ) -> None:
        super().__init__({}, self._no_rows)
        self.node_types = nodes
        self.edge_types = edges
        self.key_type = key_type
        self.build = build
        self.pos = pos

    def _no_rows(self) -> Iterator[Row]:
        raise KqlError(
            _GRAPH_ONLY,
            line=self.pos[0] or None,
            column=self.pos[1] or None,
        )


def apply_graph(plan: Plan, op: Any, env: Env) -> Plan:
    """Apply a graph operator, or refuse a table operator on a graph (and a graph one on a table)."""
    if isinstance(op, A.MakeGraph):
        if isinstance(plan, GraphPlan):
            raise err(op, "make-graph reads a table of edges, not a graph")
        return make_graph(plan, op, env)
    if not isinstance(plan, GraphPlan):
        name = {A.GraphMatch: "graph-match", A.GraphToTable: "graph-to-table"}.get(
            type(op), "graph-mark-components"
        )
        if isinstance(op, A.GraphMatch) and op.shortest:
            name = "graph-shortest-paths"
        raise err(op, f"{name} reads a graph (the result of make-graph), not a table")
    if isinstance(op, A.GraphMatch):
        return graph_match(plan, op, env)
    if isinstance(op, A.GraphToTable):
        return graph_to_table(plan, op, env)
    if isinstance(op, A.GraphMarkComponents):
        return mark_components(plan, op)
    raise err(op, _GRAPH_ONLY)


def persistent_graph(node: A.Call) -> None:
    """``graph('Name' [, snapshot])``: a persistent graph (a graph model stored in a database); there
    is none here."""
    arg = node.args[0] if node.args else None
    name = arg.value if isinstance(arg, A.Literal) and isinstance(arg.value, str) else None
    if name is None:
        raise err(node, "graph() takes the name of a persistent graph as a string")
    raise err(
        node,
        f"unknown graph '{name}': graph() reads a persistent graph (a graph model stored in the "
        "database), and azlogs stores none",
        "build the graph in the query with make-graph",
    )


# ----------------------------------------------------------------------------- make-graph


def make_graph(plan: Plan, op: A.MakeGraph, env: Env) -> Plan:
    from azlogs.kql._tabular import compile_pipeline
    from azlogs.kql._tabular_more import _apply_ops

    for c in (op.source, op.target):
        if c not in plan.columns:
            raise err(op, f"make-graph: the edges have no column '{c}'")
    key_type = plan.columns[op.source]
    tables: list[tuple[Plan, str]] = []
    node_types: dict[str, str] = {}
    if op.node_id is not None:
        node_types[op.node_id] = key_type
    for node_expr, key in op.nodes:
        nodes = compile_pipeline(node_expr, env)
        if key not in nodes.columns:
            raise err(op, f"make-graph: the nodes table has no column '{key}'")
        tables.append((nodes, key))
        for c, t in nodes.columns.items():
            node_types.setdefault(c, t)
    # A node only an edge names gets its id as the id property (with_node_id, or the first
    # nodes table's key) and no other property.
    id_prop = op.node_id if op.node_id is not None else (tables[0][1] if tables else None)
    part = op.partition
    if part is not None:
        for cols, what in [(plan.columns, "edges"), *((t.columns, "nodes") for t, _ in tables)]:
            if part not in cols:
                raise err(op, f"make-graph partitioned-by: the {what} have no column '{part}'")

    def build(edge_rows: list[Row], node_rows: list[list[Row]]) -> Graph:
        g = Graph(op.directed)
        for (nodes, key), rows in zip(tables, node_rows, strict=True):
            names = list(nodes.columns)
            for r in rows:
                k = r.get(key)
                if k is not None:
                    g.node(k, {c: r.get(c) for c in names})
        names = list(plan.columns)
        for r in edge_rows:
            s, t = r.get(op.source), r.get(op.target)
            if s is None or t is None:
                continue
            si = g.node(s, {id_prop: s} if id_prop else {})
            ti = g.node(t, {id_prop: t} if id_prop else {})
            g.edge(si, ti, {c: r.get(c) for c in names})
        return g

    def whole() -> Graph:
        return build(list(plan.rows()), [list(t.rows()) for t, _ in tables])

    if part is None:
        return GraphPlan(node_types, dict(plan.columns), key_type, whole, op.pos)
    cell: list[Graph] = [Graph()]
    template = GraphPlan(node_types, dict(plan.columns), key_type, lambda: cell[0], op.pos)
    sub = _apply_ops(template, op.ops, env)
    if isinstance(sub, GraphPlan):
        raise err(op, "make-graph partitioned-by: the operators in parentheses must answer a table")
    key = part

    def produce() -> Iterator[Row]:
        groups: dict[Any, list[Row]] = {}
        for r in plan.rows():
            current().hold()
            groups.setdefault(hashable(r.get(key)), []).append(r)
        node_groups = [
            _group(t.rows(), key) for t, _ in tables
        ]  # partition value -> that partition's node rows, per nodes table
        for value, rows in groups.items():
            cell[0] = build(rows, [ng.get(value, []) for ng in node_groups])
            yield from list(sub.rows())

    return Plan(dict(sub.columns), produce)


def _group(rows: Any, key: str) -> dict[Any, list[Row]]:
    out: dict[Any, list[Row]] = {}
    for r in rows:
        out.setdefault(hashable(r.get(key)), []).append(r)
    return out


# ----------------------------------------------------------------------------- graph-to-table


def graph_to_table(plan: GraphPlan, op: A.GraphToTable, env: Env) -> Plan:
    from azlogs.kql._tabular_more import PlanRef

    if not op.parts or len(op.parts) > 2 or len({p.kind for p in op.parts}) != len(op.parts):
        raise err(op, "graph-to-table exports nodes, edges, or nodes and edges (each once)")
    if len(op.parts) == 2 and any(p.name is None for p in op.parts):
        raise err(op, "graph-to-table: name both the nodes and the edges with 'as' to export both")
    out: list[Plan] = []
    for part in op.parts:
        opts = dict(part.options)
        allowed = {"with_node_id"} if part.kind == "nodes" else {"with_source_id", "with_target_id"}
        bad = set(opts) - allowed
        if bad:
            raise err(
                op, f"graph-to-table {part.kind} takes {' or '.join(sorted(allowed))}, not {sorted(bad)[0]}"
            )
        table = _nodes_table(plan, opts) if part.kind == "nodes" else _edges_table(plan, opts)
        if part.name is not None:
            env.lets[part.name] = LetBinding("tabular", node=PlanRef(table, op.pos), env=env)
        out.append(table)
    return out[0]


def _nodes_table(plan: GraphPlan, opts: dict[str, str]) -> Plan:
    id_col = opts.get("with_node_id")
    cols = {id_col: "long"} if id_col else {}
    cols.update({c: t for c, t in plan.node_types.items() if c not in cols})
    names = [c for c in cols if c != id_col]

    def produce() -> Iterator[Row]:
        g = plan.build()
        for key, props in zip(g.keys, g.props, strict=True):
            row = {c: props.get(c) for c in names}
            if id_col:
                row[id_col] = _xxhash(key)
            yield row

    return Plan(cols, produce)


def _edges_table(plan: GraphPlan, opts: dict[str, str]) -> Plan:
    ids = [(opts[o], o == "with_source_id") for o in ("with_source_id", "with_target_id") if o in opts]
    cols = {c: "long" for c, _ in ids}
    cols.update({c: t for c, t in plan.edge_types.items() if c not in cols})
    names = [c for c in cols if c not in {n for n, _ in ids}]

    def produce() -> Iterator[Row]:
        g = plan.build()
        for s, t, props in g.edges:
            row = {c: props.get(c) for c in names}
            for c, is_source in ids:
                row[c] = _xxhash(g.keys[s if is_source else t])
            yield row

    return Plan(cols, produce)


# ----------------------------------------------------------------------------- graph-mark-components


def mark_components(plan: GraphPlan, op: A.GraphMarkComponents) -> GraphPlan:
    opts = dict(op.options)
    kind = opts.pop("kind", "weak").lower()
    name = opts.pop("with_component_id", "ComponentId")
    if opts:
        raise err(op, f"graph-mark-components takes kind and with_component_id, not {sorted(opts)[0]}")
    if kind not in ("weak", "strong"):
        raise err(op, f"graph-mark-components: kind is weak or strong, not '{kind}'")
    parent = plan.build

    def build() -> Graph:
        g = parent()
        ids = _strong_components(g) if kind == "strong" else _weak_components(g)
        out = Graph(g.directed)
        out.keys, out.index, out.edges, out.out, out.inc = g.keys, g.index, g.edges, g.out, g.inc
        out.props = [{**p, name: c} for p, c in zip(g.props, ids, strict=True)]
        return out

    types = {**plan.node_types, name: "long"}
    return GraphPlan(types, dict(plan.edge_types), plan.key_type, build, plan.pos)


def _weak_components(g: Graph) -> list[int]:
    """Component ids numbered in the order of each component's first node (direction ignored)."""
    ids = [-1] * len(g.keys)
    n = 0
    for start in range(len(g.keys)):
        if ids[start] >= 0:
            continue
        ids[start] = n
        stack = [start]
        while stack:
            u = stack.pop()
            for e in g.out[u]:
                v = g.edges[e][1]
                if ids[v] < 0:
                    ids[v] = n
                    stack.append(v)
            for e in g.inc[u]:
                v = g.edges[e][0]
                if ids[v] < 0:
                    ids[v] = n
                    stack.append(v)
        n += 1
    return ids


def _strong_components(g: Graph) -> list[int]:
    """Strongly connected components (iterative Tarjan), numbered by their first node's order."""
    if not g.directed:
        return _weak_components(g)
    count = len(g.keys)
    index = [-1] * count
    low = [0] * count
    on_stack = [False] * count
    comp = [-1] * count
    stack: list[int] = []
    counter = 0
    raw = 0
    for root in range(count):
        if index[root] >= 0:
            continue
        work: list[tuple[int, int]] = [(root, 0)]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack[root] = True
        while work:
            u, i = work[-1]
            edges = g.out[u]
            if i < len(edges):
                work[-1] = (u, i + 1)
                v = g.edges[edges[i]][1]
                if index[v] < 0:
                    index[v] = low[v] = counter
                    counter += 1
                    stack.append(v)
                    on_stack[v] = True
                    work.append((v, 0))
                elif on_stack[v]:
                    low[u] = min(low[u], index[v])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[u])
            if low[u] == index[u]:
                while True:
                    w = stack.pop()
                    on_stack[w] = False
                    comp[w] = raw
                    if w == u:
                        break
                raw += 1
    order: dict[int, int] = {}
    return [order.setdefault(c, len(order)) for c in comp]


# ----------------------------------------------------------------------------- graph-match

# A binding: pattern variable -> node index, edge index, or a path ((edge, ...), (node, ...)) with
# its nodes from the left end to the right end as the pattern is written.
Binding = dict[str, Any]
# A value read from the graph for one synthetic column: (graph, binding, element) -> value, the
# element being ("node" | "edge", index) inside all()/any()/map(), else None.
Getter = Callable[[Graph, Binding, Any], Any]


@dataclasses.dataclass
class _Scope:
    plan: GraphPlan
    env: Env
    kinds: dict[str, str]  # variable -> "node" | "edge" | "path"
    element: str | None = None  # "node" | "edge" inside all()/any()/map()
    slots: list[tuple[str, str, Getter]] = dataclasses.field(default_factory=list)

    def slot(self, typ: str, getter: Getter) -> A.Column:
        name = f"\0g{len(self.slots)}"
        self.slots.append((name, typ, getter))
        return A.Column(name)

    def inner(self, element: str) -> _Scope:
        return _Scope(self.plan, self.env, self.kinds, element)


class _Compiled:
    """A lowered, compiled expression: its synthetic columns and the ordinary compiled form."""

    def __init__(self, node: Any, scope: _Scope) -> None:
        lowered = _lower(node, scope)
        self.slots = [(n, f) for n, _, f in scope.slots]
        self.expr: CExpr = compile_expr(lowered, scope.env.with_columns({n: t for n, t, _ in scope.slots}))
        self.type = self.expr.type

    def __call__(self, g: Graph, b: Binding, element: Any = None) -> Any:
        return self.expr.fn({n: f(g, b, element) for n, f in self.slots})


def _element_props(g: Graph, element: tuple[str, int]) -> dict[str, Any]:
    kind, i = element
    return g.props[i] if kind == "node" else g.edges[i][2]


def _node_of(node: A.Call, args: tuple[Any, ...], scope: _Scope) -> Callable[[Binding, Any], int]:
    """Which node a node function reads: its argument (a node variable) or the element."""
    if not args:
        if scope.element != "node":
            raise err(
                node,
                f"{node.name}() without an argument reads the node of inner_nodes() in all(), any() or map()",
            )
        return lambda b, el: int(el[1])
    arg = args[0]
    if len(args) > 1 or not isinstance(arg, A.Column) or scope.kinds.get(arg.name) != "node":
        raise err(node, f"{node.name}() takes a node variable of the pattern")
    var = arg.name
    return lambda b, el: int(b[var])


def _elements(node: Any, arg: Any, scope: _Scope) -> tuple[str, Callable[[Binding], list[int]]]:
    """The elements all()/any()/map() iterate: a (variable length) edge's edges or inner_nodes()."""
    if isinstance(arg, A.Call) and arg.name == "inner_nodes":
        path = _path_var(arg, scope)
        return "node", lambda b: list(b[path][1][1:-1]) if isinstance(b[path], tuple) else []
    if isinstance(arg, A.Column) and scope.kinds.get(arg.name) in ("edge", "path"):
        var = arg.name
        if scope.kinds[var] == "edge":
            return "edge", lambda b: [b[var]]
        return "edge", lambda b: list(b[var][0])
    raise err(node, f"{node.name}() takes a variable length edge of the pattern or inner_nodes() of one")


def _path_var(call: A.Call, scope: _Scope) -> str:
    if (
        len(call.args) != 1
        or not isinstance(call.args[0], A.Column)
        or scope.kinds.get(call.args[0].name) != "path"
    ):
        raise err(call, "inner_nodes() takes a variable length edge of the pattern")
    return call.args[0].name


def _lower(node: Any, scope: _Scope) -> Any:
    """The expression with every read of the graph replaced by a synthetic column."""
    g_types = scope.plan
    if isinstance(node, A.Member) and isinstance(node.target, A.Column) and node.target.name in scope.kinds:
        var, prop = node.target.name, node.name
        kind = scope.kinds[var]
        types = g_types.node_types if kind == "node" else g_types.edge_types
        if prop not in types:
            what = "nodes" if kind == "node" else "edges"
            raise err(node, f"the graph's {what} have no property '{prop}' ({var}.{prop})")
        if kind == "node":
            return scope.slot(types[prop], lambda g, b, el: g.props[b[var]].get(prop))
        if kind == "edge":
            return scope.slot(types[prop], lambda g, b, el: g.edges[b[var]][2].get(prop))
        return scope.slot("dynamic", lambda g, b, el: [g.edges[e][2].get(prop) for e in b[var][0]])
    if isinstance(node, A.Column):
        name = node.name
        if scope.element is not None:
            types = g_types.node_types if scope.element == "node" else g_types.edge_types
            if name in types:
                return scope.slot(types[name], lambda g, b, el: _element_props(g, el).get(name))
        var_kind = scope.kinds.get(name)
        if var_kind == "node":
            return scope.slot("dynamic", lambda g, b, el: dict(g.props[b[name]]))
        if var_kind == "edge":
            return scope.slot("dynamic", lambda g, b, el: dict(g.edges[b[name]][2]))
        if var_kind == "path":
            return scope.slot("dynamic", lambda g, b, el: [dict(g.edges[e][2]) for e in b[name][0]])
        return node
    if isinstance(node, A.Call):
        name = node.name
        if name in _ELEMENT_FUNCTIONS and len(node.args) == 2:
            kind, elements = _elements(node, node.args[0], scope)
            inner = _Compiled(node.args[1], scope.inner(kind))
            if name == "map":

                def mapped(g: Graph, b: Binding, el: Any) -> Any:
                    return [inner(g, b, (kind, i)) for i in elements(b)]

                return scope.slot("dynamic", mapped)
            if inner.type not in ("bool", "dynamic"):
                raise err(node, f"{name}()'s condition must be a bool, not {inner.type}")
            want_all = name == "all"

            def test(g: Graph, b: Binding, el: Any) -> Any:
                hits = (inner(g, b, (kind, i)) is True for i in elements(b))
                return all(hits) if want_all else any(hits)

            return scope.slot("bool", test)
        if name == "inner_nodes":
            path = _path_var(node, scope)
            return scope.slot("dynamic", lambda g, b, el: [dict(g.props[i]) for i in b[path][1][1:-1]])
        if name == "labels":
            if len(node.args) > 1 or (
                node.args
                and not (
                    isinstance(node.args[0], A.Column)
                    and scope.kinds.get(node.args[0].name) in ("node", "edge")
                )
            ):
                raise err(node, "labels() takes a node or edge variable of the pattern")
            if not node.args and scope.element is None:
                raise err(node, "labels() without an argument reads the element of all(), any() or map()")
            # Labels come from graph models (persistent graphs); make-graph's graph has none.
            return scope.slot("dynamic", lambda g, b, el: [])
        if name in _NODE_FUNCTIONS:
            which = _node_of(node, node.args, scope)
            if name == "node_id":
                return scope.slot(g_types.key_type, lambda g, b, el: g.keys[which(b, el)])
            if name == "node_degree_in":
                return scope.slot("long", lambda g, b, el: g.degree_in(which(b, el)))
            return scope.slot("long", lambda g, b, el: g.degree_out(which(b, el)))
    if dataclasses.is_dataclass(node) and not isinstance(node, type) and not isinstance(node, A.Pipeline):
        changes = {}
        for f in dataclasses.fields(node):
            if f.name == "pos":
                continue
            v = getattr(node, f.name)
            nv = _lower_value(v, scope)
            if nv is not v:
                changes[f.name] = nv
        return dataclasses.replace(node, **changes) if changes else node
    return node


def _lower_value(v: Any, scope: _Scope) -> Any:
    if isinstance(v, tuple):
        items = tuple(_lower_value(x, scope) for x in v)
        return items if any(a is not b for a, b in zip(items, v, strict=True)) else v
    if dataclasses.is_dataclass(v) and not isinstance(v, type):
        return _lower(v, scope)
    return v


def _refs(node: Any, kinds: dict[str, str], out: set[str]) -> None:
    """The pattern variables an expression names."""
    if isinstance(node, A.Column) and node.name in kinds:
        out.add(node.name)
    if dataclasses.is_dataclass(node) and not isinstance(node, type):
        for f in dataclasses.fields(node):
            v = getattr(node, f.name)
            for x in v if isinstance(v, tuple) else (v,):
                _refs(x, kinds, out)


def _only_properties(node: Any, var: str) -> bool:
    """Whether every mention of ``var`` is ``var.property`` (a per-edge condition of a path)."""
    if isinstance(node, A.Member) and isinstance(node.target, A.Column) and node.target.name == var:
        return True
    if isinstance(node, A.Column):
        return node.name != var
    if dataclasses.is_dataclass(node) and not isinstance(node, type):
        for f in dataclasses.fields(node):
            v = getattr(node, f.name)
            if not all(_only_properties(x, var) for x in (v if isinstance(v, tuple) else (v,))):
                return False
    return True


def _conjuncts(node: Any) -> list[Any]:
    if isinstance(node, A.Binary) and node.op == "and":
        return [*_conjuncts(node.left), *_conjuncts(node.right)]
    return [node]


@dataclasses.dataclass
class _Step:
    """Bind ``to`` (a node) from the bound node ``frm`` over one edge element; ``frm`` None binds
    ``to`` to every node in turn."""

    frm: str | None
    to: str
    edge: str = ""
    direction: str = "->"
    hops: tuple[int, int] | None = None  # a variable length edge's (min, max)
    reverse: bool = False  # walked right to left: store the path as the pattern reads
    checks: list[Callable[[Graph, Binding], bool]] = dataclasses.field(default_factory=list)
    edge_checks: list[Callable[[Graph, Binding], bool]] = dataclasses.field(default_factory=list)


_FLIP: Final = {"->": "<-", "<-": "->", "--": "--"}


def _steps(op: A.GraphMatch) -> tuple[list[_Step], dict[str, str]]:
    """The walk of the patterns: one step per node, each sequence after the first starting at a
    node an earlier one bound; and each variable's kind."""
    kinds: dict[str, str] = {}
    named: list[list[Any]] = []
    anon = 0
    for seq in op.patterns:
        items: list[Any] = []
        for el in seq:
            name = el.name
            if name is None:
                anon += 1
                name = f"\0anon{anon}"
            kind = "node" if isinstance(el, A.GraphNode) else "edge" if el.min_hops is None else "path"
            if name in kinds and (kind != "node" or kinds[name] != "node"):
                raise err(op, f"the pattern names '{name}' twice (only a node can be repeated)")
            kinds[name] = kind
            items.append((name, el))
        named.append(items)
    steps: list[_Step] = []
    bound: set[str] = set()
    for items in named:
        nodes = [n for n, el in items if isinstance(el, A.GraphNode)]
        edges = [el for _, el in items if isinstance(el, A.GraphEdge)]
        edge_names = [n for n, el in items if isinstance(el, A.GraphEdge)]
        if not bound:
            start = 0
            steps.append(_Step(None, nodes[0]))
            bound.add(nodes[0])
        else:
            start = next((i for i, n in enumerate(nodes) if n in bound), -1)
            if start < 0:
                raise err(op, "graph-match patterns must share a node variable (one connected pattern)")
        for i in range(start, len(edges)):
            e = edges[i]
            steps.append(_Step(nodes[i], nodes[i + 1], edge_names[i], e.direction, _hops(e)))
            bound.add(nodes[i + 1])
        for i in range(start - 1, -1, -1):
            e = edges[i]
            steps.append(_Step(nodes[i + 1], nodes[i], edge_names[i], _FLIP[e.direction], _hops(e), True))
            bound.add(nodes[i])
    return steps, kinds


def _hops(e: A.GraphEdge) -> tuple[int, int] | None:
    return None if e.min_hops is None or e.max_hops is None else (e.min_hops, e.max_hops)


def _predicate(node: Any, scope: _Scope) -> Callable[[Graph, Binding], bool]:
    c = _Compiled(node, scope)
    if c.type not in ("bool", "dynamic"):
        raise err(node, f"the where predicate must be a bool, not {c.type}")
    return lambda g, b: c(g, b) is True


def graph_match(plan: GraphPlan, op: A.GraphMatch, env: Env) -> Plan:
    from azlogs.kql._tabular import derive_name

    opts = dict(op.options)
    cycles = opts.pop("cycles", "unique_edges").lower() if not op.shortest else "unique_edges"
    output = opts.pop("output", "any").lower() if op.shortest else "any"
    if opts:
        what = "graph-shortest-paths takes output" if op.shortest else "graph-match takes cycles"
        raise err(op, f"{what}, not {sorted(opts)[0]}")
    if cycles not in _CYCLES:
        raise err(op, f"graph-match: cycles is all, none or unique_edges, not '{cycles}'")
    if output not in ("any", "all"):
        raise err(op, f"graph-shortest-paths: output is any or all, not '{output}'")
    steps, kinds = _steps(op)
    if op.shortest and (len(op.patterns) != 1 or all(s.hops is None for s in steps)):
        raise err(op, "graph-shortest-paths takes one sequence with a variable length edge")
    # Each condition of the where clause is checked as soon as the step binding its last
    # variable is done; one that reads only a variable length edge's properties holds per edge.
    order: dict[str, int] = {}
    for i, s in enumerate(steps):
        order.setdefault(s.to, i)  # a repeated node: where it is first bound
        if s.edge:
            order[s.edge] = i
    for cond in _conjuncts(op.where) if op.where is not None else []:
        refs: set[str] = set()
        _refs(cond, kinds, refs)
        if len(refs) == 1 and kinds[next(iter(refs))] == "path" and _only_properties(cond, next(iter(refs))):
            var = next(iter(refs))
            scope = _Scope(plan, env, {**kinds, var: "edge"})
            steps[order[var]].edge_checks.append(_predicate(cond, scope))
            continue
        at = max((order[r] for r in refs), default=0)
        steps[at].checks.append(_predicate(cond, _Scope(plan, env, kinds)))
    cols: dict[str, str] = {}
    outs: list[tuple[str, _Compiled]] = []
    counter = [0]
    for a in op.project:
        if a.names:
            raise err(a, "graph-match's project names one column per expression")
        name = a.name
        if name is None and isinstance(a.expr, A.Call) and a.expr.name in _NODE_FUNCTIONS:
            name = a.expr.name
        name = name or derive_name(a.expr, cols, counter)
        if name in cols:
            raise err(a, f"graph-match's project produces the column '{name}' twice")
        c = _Compiled(a.expr, _Scope(plan, env, kinds))
        cols[name] = c.type
        outs.append((name, c))
    first, last = steps[0].to, steps[-1].to

    def produce() -> Iterator[Row]:
        g = plan.build()
        found = _walk(g, steps, cycles)
        if op.shortest:
            found = _shortest(found, first, last, output == "all", kinds)
        for b in found:
            current().tick()
            yield {n: c(g, b) for n, c in outs}

    return Plan(cols, produce)


def _walk(g: Graph, steps: list[_Step], cycles: str) -> Iterator[Binding]:
    """Every binding of the pattern's variables that passes the where clause's conditions."""
    b: Binding = {}
    used: set[int] = set()
    unique = cycles == "unique_edges"
    tick = current().tick

    def ok(step: _Step) -> bool:
        return all(check(g, b) for check in step.checks)

    def bind_node(step: _Step, node: int, rest: int) -> Iterator[Binding]:
        prior = b.get(step.to)
        if prior is not None and prior != node:
            return
        b[step.to] = node
        if ok(step):
            yield from run(rest)
        if prior is None:
            del b[step.to]

    def neighbours(u: int, direction: str) -> Iterator[tuple[int, int]]:
        if not g.directed:
            direction = "--"
        if direction in ("->", "--"):
            for e in g.out[u]:
                yield e, g.edges[e][1]
        if direction in ("<-", "--"):
            for e in g.inc[u]:
                s = g.edges[e][0]
                if direction == "--" and s == u and g.edges[e][1] == u:
                    continue  # a self loop, already walked as an outgoing edge
                yield e, s

    def edge_ok(step: _Step, e: int) -> bool:
        if not step.edge_checks:
            return True
        b[step.edge] = e
        good = all(check(g, b) for check in step.edge_checks)
        del b[step.edge]
        return good

    def run(i: int) -> Iterator[Binding]:
        if i == len(steps):
            yield dict(b)
            return
        step = steps[i]
        tick()
        if step.frm is None:
            for node in range(len(g.keys)):
                yield from bind_node(step, node, i + 1)
            return
        u = b[step.frm]
        if step.hops is None:
            for e, v in neighbours(u, step.direction):
                if unique and e in used:
                    continue
                b[step.edge] = e
                used.add(e)
                yield from bind_node(step, v, i + 1)
                used.discard(e)
                del b[step.edge]
            return
        lo, hi = step.hops
        path_edges: list[int] = []
        path_nodes: list[int] = [u]

        def extend() -> Iterator[Binding]:
            if len(path_edges) >= lo:
                edges_t, nodes_t = tuple(path_edges), tuple(path_nodes)
                if step.reverse:
                    edges_t, nodes_t = edges_t[::-1], nodes_t[::-1]
                b[step.edge] = (edges_t, nodes_t)
                yield from bind_node(step, path_nodes[-1], i + 1)
                del b[step.edge]
            if len(path_edges) == hi:
                return
            tick()
            for e, v in neighbours(path_nodes[-1], step.direction):
                if (unique and e in used) or (cycles == "none" and v in path_nodes):
                    continue
                if not edge_ok(step, e):
                    continue
                used.add(e)
                path_edges.append(e)
                path_nodes.append(v)
                yield from extend()
                path_nodes.pop()
                path_edges.pop()
                used.discard(e)

        yield from extend()

    return run(0)


def _shortest(
    found: Iterator[Binding], first: str, last: str, every: bool, kinds: dict[str, str]
) -> Iterator[Binding]:
    """Per (first node, last node) pair the matches of fewest edges: the first found, or all."""
    best: dict[tuple[int, int], tuple[int, list[Binding]]] = {}
    for b in found:
        current().hold()
        n = sum(len(b[k][0]) if kind == "path" else 1 for k, kind in kinds.items() if kind != "node")
        pair = (b[first], b[last])
        known = best.get(pair)
        if known is None or n < known[0]:
            best[pair] = (n, [b])
        elif n == known[0] and every:
            known[1].append(b)
    for _, matches in best.values():
        yield from matches
