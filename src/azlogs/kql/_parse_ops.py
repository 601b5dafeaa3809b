"""lark tree -> AST for the operators added for issue 14 (a mixin of the parser's transformer).

Kept apart from ``_parser`` so the main transformer stays readable; the grammar rules these
methods answer are marked in ``_grammar``.
"""

from __future__ import annotations

from typing import Any

from lark import Token, Transformer, v_args

from azlogs._exceptions import KqlError
from azlogs.kql import _ast as A


def _mpos(meta: Any) -> A.Pos:
    return (getattr(meta, "line", 0), getattr(meta, "column", 0))


def _opts(ch: list[Any]) -> dict[str, Any]:
    return dict(c for c in ch if isinstance(c, tuple) and len(c) == 2 and isinstance(c[0], str))


def _props(items: list[Any] | None) -> tuple[tuple[str, Any], ...]:
    return tuple(items or ())


@v_args(meta=True)
class OpsMixin(Transformer[Token, Any]):
    """Transformer methods for externaldata, make-series, evaluate, invoke, lookup, mv-apply,
    search, top-nested, parse-kv, sample, union wildcards, view lets and tabular parameters."""

    # -- lets and parameters
    def table_param(self, meta: Any, ch: list[Any]) -> A.Param:
        cols = tuple(c for c in ch[1:] if isinstance(c, tuple))
        return A.Param(ch[0], "table", None, cols)

    def arg_pipeline(self, meta: Any, ch: list[Any]) -> A.Pipeline:
        # toscalar(T | summarize ...), materialize(T | where ...): a tabular argument.
        return A.Pipeline(ch[0], tuple(ch[1:]), pos=_mpos(meta))

    def named_arg(self, meta: Any, ch: list[Any]) -> A.Assign:
        # evaluate ipv4_lookup(..., return_unmatched = true): a plugin's named argument.
        return A.Assign(ch[0], ch[1], pos=_mpos(meta))

    def range_call(self, meta: Any, ch: list[Any]) -> A.Call:
        return A.Call("range", tuple(ch[0] or ()), pos=_mpos(meta))

    def column_has(self, meta: Any, ch: list[Any]) -> A.Binary:
        # search Col:"text" means Col has "text".
        return A.Binary("has", A.Column(ch[0], pos=_mpos(meta)), ch[1], pos=_mpos(meta))

    # -- union
    def union_star(self, meta: Any, ch: list[Any]) -> A.Column:
        return A.Column("*", pos=_mpos(meta))

    def union_wildcard(self, meta: Any, ch: list[Any]) -> A.Column:
        return A.Column(str(ch[0]), pos=_mpos(meta))

    def reorder_pattern(self, meta: Any, ch: list[Any]) -> tuple[str, str | None]:
        return (str(ch[0]), None if ch[1] is None else str(ch[1]).lower())

    def star_match(self, meta: Any, ch: list[Any]) -> A.Binary:
        return A.Binary(str(ch[1]), A.Star(pos=_mpos(meta)), ch[2], pos=_mpos(meta))

    # -- externaldata
    def externaldata_op(self, meta: Any, ch: list[Any]) -> A.ExternalData:
        cols = tuple(c for c in ch if isinstance(c, tuple))
        uris = tuple(c.value for c in ch if isinstance(c, A.Literal))
        props = next((c for c in ch if isinstance(c, list)), None)
        return A.ExternalData(cols, uris, _props(props), pos=_mpos(meta))

    def with_props(self, meta: Any, ch: list[Any]) -> list[tuple[str, Any]]:
        return [c for c in ch if c is not None]

    def with_prop(self, meta: Any, ch: list[Any]) -> tuple[str, Any]:
        value = ch[1]
        if isinstance(value, A.Literal):
            value = value.value
        elif isinstance(value, A.Column):  # format=csv, ignoreFirstRecord=True
            low = value.name.lower()
            value = {"true": True, "false": False}.get(low, value.name)
        return (str(ch[0]), value)

    # -- make-series
    def make_series_op(self, meta: Any, ch: list[Any]) -> A.MakeSeries:
        aggs = tuple(c for c in ch if isinstance(c, tuple) and c and isinstance(c[0], A.Assign))
        axis = next(c for c in ch if isinstance(c, dict))
        by = ch[-1] if isinstance(ch[-1], list) else []
        opts = tuple(c for c in ch if isinstance(c, tuple) and c and isinstance(c[0], str))
        return A.MakeSeries(
            aggs,
            axis["axis"],
            axis["start"],
            axis["stop"],
            axis["step"],
            tuple(by),
            pos=_mpos(meta),
            options=opts,
        )

    def ms_agg(self, meta: Any, ch: list[Any]) -> tuple[A.Assign, Any]:
        return (ch[0], ch[1])

    def ms_range(self, meta: Any, ch: list[Any]) -> dict[str, Any]:
        return {"axis": ch[0], "start": ch[2], "stop": ch[3], "step": ch[4]}

    def ms_from_to(self, meta: Any, ch: list[Any]) -> dict[str, Any]:
        return {"axis": ch[0], "start": ch[1], "stop": ch[2], "step": ch[3]}

    # -- evaluate, invoke, lookup
    def evaluate_op(self, meta: Any, ch: list[Any]) -> A.Evaluate:
        # children: options (tuples), the plugin name, its arguments, then an output schema
        # (col_decl tuples) that the engine does not need.
        at = next(i for i, c in enumerate(ch) if not isinstance(c, tuple))
        opts = tuple(ch[:at])
        name = ch[at]
        args = ch[at + 1] if at + 1 < len(ch) and isinstance(ch[at + 1], list) else []
        schema = tuple(c for c in ch[at + 2 :] if isinstance(c, tuple))
        return A.Evaluate(str(name).lower(), tuple(args), opts, pos=_mpos(meta), schema=schema)

    def eval_star(self, meta: Any, ch: list[Any]) -> tuple[str, str]:
        return ("*", "")

    def invoke_op(self, meta: Any, ch: list[Any]) -> A.Invoke:
        return A.Invoke(ch[0], tuple(ch[1] or ()), pos=_mpos(meta))

    def lookup_op(self, meta: Any, ch: list[Any]) -> A.Lookup:
        opts = _opts(ch)
        rest = [c for c in ch if not (isinstance(c, tuple) and len(c) == 2 and isinstance(c[0], str))]
        kind = str(opts.get("kind", "leftouter")).lower()
        if kind not in ("leftouter", "inner"):
            raise KqlError(
                f"lookup kind={kind} is not known (leftouter, inner)", line=meta.line, column=meta.column
            )
        return A.Lookup(kind, rest[0], join_keys(rest[1:]), pos=_mpos(meta))

    # -- mv-apply
    def mv_apply_op(self, meta: Any, ch: list[Any]) -> A.MvApply:
        opts = _opts(ch)
        items = tuple(c for c in ch if isinstance(c, tuple) and c and isinstance(c[0], A.Assign))
        ops = next(c for c in ch if isinstance(c, list))
        limit = next(
            (c for c in ch if c is not None and not isinstance(c, (tuple, list))),
            None,
        )
        return A.MvApply(
            items,
            tuple(ops),
            limit,
            _index_name(opts),
            _bag_kind(opts),
            pos=_mpos(meta),
        )

    def sub_ops(self, meta: Any, ch: list[Any]) -> list[Any]:
        return ch

    def partition_op(self, meta: Any, ch: list[Any]) -> A.Partition:
        return A.Partition(str(ch[-2]), tuple(ch[-1]), pos=_mpos(meta))

    # -- search
    def search_op(self, meta: Any, ch: list[Any]) -> A.Search:
        opts = _opts(ch)
        tables = tuple(str(c) for c in ch if isinstance(c, str) and not is_token(c))
        pred = ch[-1]
        if is_token(pred) and pred.type == "STAR":
            pred = A.Star(pos=_mpos(meta))
        kind = str(opts.get("kind", "case_insensitive")).lower()
        return A.Search(pred, tables, kind == "case_sensitive", pos=_mpos(meta))

    # -- find
    def find_op(self, meta: Any, ch: list[Any]) -> A.Find:
        opts = _opts(ch)
        tables = tuple(str(c) for c in ch if isinstance(c, str) and not is_token(c))
        project = ch[-1] if isinstance(ch[-1], (list, type(None))) else None
        pred = next(
            c
            for c in reversed(ch)
            if not isinstance(c, (list, type(None), tuple)) and not (isinstance(c, str) and not is_token(c))
        )
        if is_token(pred) and pred.type == "STAR":
            pred = A.Star(pos=_mpos(meta))
        source = str(opts.get("withsource", "source_"))
        return A.Find(pred, tables, source, None if not project else tuple(project), pos=_mpos(meta))

    def find_smart(self, meta: Any, ch: list[Any]) -> list[Any]:
        return []

    def find_project(self, meta: Any, ch: list[Any]) -> list[Any]:
        return ch

    def find_column(self, meta: Any, ch: list[Any]) -> tuple[str, str | None]:
        from azlogs.kql._literals import normalize_type

        return (str(ch[0]), normalize_type(str(ch[1])) if ch[1] is not None else None)

    def find_pack(self, meta: Any, ch: list[Any]) -> tuple[str, None]:
        return ("*pack_all", None)

    # -- top-nested
    def top_nested_op(self, meta: Any, ch: list[Any]) -> A.TopNested:
        return A.TopNested(tuple(ch), pos=_mpos(meta))

    def tn_clause(self, meta: Any, ch: list[Any]) -> A.TopNestedLevel:
        count, of, _kw, others, by, direction = ch
        return A.TopNestedLevel(count, of, others, by, direction is None or str(direction).lower() == "desc")

    # -- parse-kv, sample
    def parse_kv_op(self, meta: Any, ch: list[Any]) -> A.ParseKv:
        cols = tuple(c for c in ch[2:] if isinstance(c, tuple))
        props = next((c for c in ch[2:] if isinstance(c, list)), None)
        return A.ParseKv(ch[1], cols, _props(props), pos=_mpos(meta))

    def sample_op(self, meta: Any, ch: list[Any]) -> A.Sample:
        distinct = str(ch[0]).lower() == "sample-distinct"
        return A.Sample(ch[1], ch[2], distinct, pos=_mpos(meta))

    # -- scan, project-by-names
    def scan_op(self, meta: Any, ch: list[Any]) -> A.Scan:
        match_id = str(ch[1]) if ch[1] is not None else None
        decls = tuple(c for c in ch[3:] if isinstance(c, tuple))
        steps = tuple(c for c in ch[3:] if isinstance(c, A.ScanStep))
        names = [s.name for s in steps]
        if len(set(names)) != len(names):
            raise KqlError("scan: step names must be unique", line=meta.line, column=meta.column)
        return A.Scan(steps, decls, match_id, pos=_mpos(meta))

    def scan_decl(self, meta: Any, ch: list[Any]) -> tuple[str, str, Any]:
        from azlogs.kql._literals import normalize_type

        return (str(ch[0]), normalize_type(str(ch[1])), ch[2])

    def scan_step(self, meta: Any, ch: list[Any]) -> A.ScanStep:
        output = "all" if ch[2] is None else str(ch[2]).lower()
        if output not in ("all", "last", "none"):
            raise KqlError(
                f"scan: step output={output} is not known (all, last, none)",
                line=meta.line,
                column=meta.column,
            )
        return A.ScanStep(str(ch[0]), ch[3], tuple(c for c in ch[4:] if c is not None), output)

    def scan_assign(self, meta: Any, ch: list[Any]) -> tuple[str, Any]:
        return (str(ch[0]), ch[1])

    def range_assign(self, meta: Any, ch: list[Any]) -> A.Assign:
        return A.Assign("range", ch[0], pos=_mpos(meta))

    def range_column(self, meta: Any, ch: list[Any]) -> A.Column:
        return A.Column("range", pos=_mpos(meta))

    def method_call(self, meta: Any, ch: list[Any]) -> Any:
        target, method = ch[0], str(ch[1])
        if method.lower() == "database" and isinstance(target, A.Call) and target.name == "cluster":
            return target  # the cluster names the resource; source_plan refuses it
        raise KqlError(f"unexpected '(' after '.{method}'", line=meta.line, column=meta.column)

    def partition_legacy_op(self, meta: Any, ch: list[Any]) -> A.Partition:
        return A.Partition(str(ch[-2]), (), pos=_mpos(meta), source=ch[-1])

    def project_by_names_op(self, meta: Any, ch: list[Any]) -> A.ProjectByNames:
        return A.ProjectByNames(tuple(ch[1:]), pos=_mpos(meta))


# Deprecated spellings of aggregates that older hunting queries use (Kusto still reads them):
# makeset -> make_set, makelist -> make_list, argmax -> arg_max, argmin -> arg_min, makebag -> make_bag.
DEPRECATED_AGGREGATES = {
    "makeset": "make_set",
    "makelist": "make_list",
    "argmax": "arg_max",
    "argmin": "arg_min",
    "makebag": "make_bag",
}
# Conversions whose single column argument names an unnamed mv-expand column:
# `mv-expand todynamic(NewValue)` expands into NewValue, as the queries that use it read it.
_NAMING_CONVERSIONS = frozenset({"todynamic", "parse_json", "toobject"})


def join_keys(keys: list[Any]) -> tuple[Any, ...]:
    """``on $left.a == $right.b and $left.c == $right.d`` is two keys."""
    out: list[Any] = []

    def walk(k: Any) -> None:
        if isinstance(k, A.Binary) and k.op == "and":
            walk(k.left)
            walk(k.right)
        else:
            out.append(k)

    for k in keys:
        walk(k)
    return tuple(out)


def mv_item_name(assign: A.Assign) -> A.Assign:
    """Names of unnamed mv-expand items, as the published queries that use them read them:
    ``todynamic(Col)`` / ``parse_json(Col)`` expand into ``Col``, ``Col.a.b`` into ``Col_a_b``, and
    ``Col[0]`` / ``Col.[0]`` into ``Col``."""
    e = assign.expr
    if assign.name is not None:
        return assign
    if (
        isinstance(e, A.Call)
        and e.name in _NAMING_CONVERSIONS
        and len(e.args) == 1
        and isinstance(e.args[0], A.Column)
    ):
        return A.Assign(e.args[0].name, e, pos=assign.pos)
    path: list[str] = []
    node: Any = e
    while isinstance(node, A.Member):
        path.append(node.name)
        node = node.target
    if path and isinstance(node, A.Column):
        return A.Assign("_".join([node.name, *reversed(path)]), e, pos=assign.pos)
    if isinstance(e, A.Index) and isinstance(e.target, A.Column) and isinstance(e.index, A.Literal):
        return A.Assign(e.target.name, e, pos=assign.pos)
    return assign


def _index_name(opts: dict[str, Any]) -> str | None:
    v = opts.get("with_itemindex")
    return None if v is None else str(v)


def _bag_kind(opts: dict[str, Any]) -> str:
    return str(opts.get("bagexpansion", opts.get("kind", "bag"))).lower()


def is_token(value: Any) -> bool:
    """True for a raw lark token (a keyword kept in the children)."""
    return isinstance(value, Token)


# The series_* functions register themselves with the function registry when imported; the parser
# is imported by every entry point, so they exist wherever KQL is compiled.
from azlogs.kql import _op_series  # noqa: E402, F401
