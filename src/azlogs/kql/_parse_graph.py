"""lark tree -> AST for the graph operators (a mixin of the parser's transformer).

The grammar rules it answers are the "graph operators" block of ``_grammar``.
"""

from __future__ import annotations

import re
from typing import Any

from lark import Token, Transformer, v_args

from azlogs._exceptions import KqlError
from azlogs.kql import _ast as A

# The inside of an edge's brackets: an optional name, then an optional ``*min..max`` (or ``*n``).
_EDGE_BODY = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_]*)?\s*(?:\*\s*(\d+)\s*(?:\.\.\s*(\d+))?)?\s*")


def _pos(meta: Any) -> A.Pos:
    return (getattr(meta, "line", 0), getattr(meta, "column", 0))


def _edge(tok: Token) -> A.GraphEdge:
    text = str(tok)
    left, right = text.startswith("<"), text.endswith(">")
    if left and right:
        raise KqlError(f"a graph edge points one way or none: {text!r}", line=tok.line, column=tok.column)
    direction = "<-" if left else "->" if right else "--"
    body = text[text.index("[") + 1 : text.rindex("]")] if "[" in text else ""
    m = _EDGE_BODY.fullmatch(body)
    if m is None:
        raise KqlError(f"cannot read the graph edge {text!r}", line=tok.line, column=tok.column)
    name, lo, hi = m.groups()
    if lo is None:
        return A.GraphEdge(name, direction)
    low = int(lo)
    high = int(hi) if hi is not None else low
    if high < low:
        raise KqlError(
            f"the variable length edge {text!r} has its maximum below its minimum",
            line=tok.line,
            column=tok.column,
        )
    return A.GraphEdge(name, direction, low, high)


def _options(ch: list[Any]) -> tuple[tuple[str, str], ...]:
    return tuple((k, str(v)) for k, v in (c for c in ch if isinstance(c, tuple) and len(c) == 2))


@v_args(meta=True)
class GraphMixin(Transformer[Token, Any]):
    """Transformer methods for make-graph, graph-match, graph-shortest-paths, graph-to-table and
    graph-mark-components."""

    def graph_opt(self, meta: Any, ch: list[Any]) -> tuple[str, str]:
        return (str(ch[0]).lower(), str(ch[1]))

    def mg_table(self, meta: Any, ch: list[Any]) -> tuple[Any, str]:
        return (ch[0], str(ch[1]))

    def mg_nodes(self, meta: Any, ch: list[Any]) -> list[tuple[Any, str]]:
        return list(ch)

    def mg_node_id(self, meta: Any, ch: list[Any]) -> tuple[str, str]:
        return ("with_node_id", str(ch[1]))

    def mg_partition(self, meta: Any, ch: list[Any]) -> tuple[str, list[Any]]:
        return (str(ch[1]), list(ch[2]))

    def make_graph_op(self, meta: Any, ch: list[Any]) -> A.MakeGraph:
        source, arrow, target, nodes, part = ch
        node_id = None
        tables: tuple[tuple[Any, str], ...] = ()
        if isinstance(nodes, list):
            tables = tuple(nodes)
        elif isinstance(nodes, tuple):
            node_id = nodes[1]
        column, ops = part if part is not None else (None, [])
        return A.MakeGraph(
            str(source),
            str(target),
            tables,
            node_id,
            str(arrow) == "-->",
            column,
            tuple(ops),
            pos=_pos(meta),
        )

    def gnode(self, meta: Any, ch: list[Any]) -> A.GraphNode:
        return A.GraphNode(str(ch[0]) if ch and ch[0] is not None else None)

    def gpattern(self, meta: Any, ch: list[Any]) -> tuple[A.GraphNode | A.GraphEdge, ...]:
        return tuple(_edge(c) if isinstance(c, Token) else c for c in ch)

    def _match(self, meta: Any, ch: list[Any], shortest: bool) -> A.GraphMatch:
        options = _options([c for c in ch if isinstance(c, tuple) and c and isinstance(c[0], str)])
        patterns = tuple(
            c for c in ch if isinstance(c, tuple) and c and isinstance(c[0], (A.GraphNode, A.GraphEdge))
        )
        project = tuple(c for c in ch if isinstance(c, A.Assign))
        rest = [c for c in ch if not isinstance(c, (tuple, A.Assign))]
        where = rest[0] if rest else None
        return A.GraphMatch(patterns, where, project, options, shortest, pos=_pos(meta))

    def graph_match_op(self, meta: Any, ch: list[Any]) -> A.GraphMatch:
        return self._match(meta, ch, False)

    def graph_shortest_paths_op(self, meta: Any, ch: list[Any]) -> A.GraphMatch:
        return self._match(meta, ch, True)

    def gt_as(self, meta: Any, ch: list[Any]) -> tuple[str, str]:
        return ("as", str(ch[0]))

    def gt_part(self, meta: Any, ch: list[Any]) -> A.GraphTablePart:
        kind = str(ch[0]).lower()
        if kind not in ("nodes", "edges"):
            raise KqlError(f"graph-to-table exports 'nodes' or 'edges', not '{ch[0]}'")
        items = _options(ch[1:])
        name = next((v for k, v in items if k == "as"), None)
        return A.GraphTablePart(kind, name, tuple((k, v) for k, v in items if k != "as"))

    def graph_to_table_op(self, meta: Any, ch: list[Any]) -> A.GraphToTable:
        return A.GraphToTable(tuple(ch), pos=_pos(meta))

    def graph_mark_components_op(self, meta: Any, ch: list[Any]) -> A.GraphMarkComponents:
        return A.GraphMarkComponents(_options(ch), pos=_pos(meta))
