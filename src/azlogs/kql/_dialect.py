"""Dialect checks over one AST: ``transformation`` (the documented DCR subset) and ``query``.

Strict transformation mode is the allow-list of "Supported KQL features in Azure Monitor
transformations". Functions that Microsoft's own transformation samples use although the list
omits them (``iff``, ``replace_string``, deprecated ``replace``) are accepted with a warning.
Loose mode additionally accepts every other scalar function the engine implements, with a
warning; operators stay limited to the single-row ones in both modes.
"""

from __future__ import annotations

from typing import Any, Literal

from azlogs._exceptions import KqlError
from azlogs.kql import _ast as A
from azlogs.kql import _compile, _special_forms  # noqa: F401 - registers every function and special form
from azlogs.kql._aggregates import AGGREGATES
from azlogs.kql._op_series import PARTS as SERIES_PARTS
from azlogs.kql._registry import lookup

MAX_PARSE_COLUMNS = 10
DCR = "DCR transformations"

_OP_NAMES = {
    A.Take: "take",
    A.Sort: "sort",
    A.Top: "top",
    A.Summarize: "summarize",
    A.Count: "count",
    A.Distinct: "distinct",
    A.Union_: "union",
    A.Join: "join",
    A.MvExpand: "mv-expand",
    A.Render: "render",
    A.GetSchema: "getschema",
    A.Serialize: "serialize",
    A.As: "as",
    A.Range: "range",
    A.MakeSeries: "make-series",
    A.Evaluate: "evaluate",
    A.Invoke: "invoke",
    A.Lookup: "lookup",
    A.MvApply: "mv-apply",
    A.Search: "search",
    A.TopNested: "top-nested",
    A.ParseKv: "parse-kv",
    A.Sample: "sample",
    A.ExternalData: "externaldata",
    A.Partition: "partition",
    A.Find: "find",
    A.MakeGraph: "make-graph",
    A.GraphMatch: "graph-match",
    A.GraphToTable: "graph-to-table",
    A.GraphMarkComponents: "graph-mark-components",
    A.Scan: "scan",
    A.ProjectByNames: "project-by-names",
}
_TRANSFORMATION_OPS = (A.Where, A.Extend, A.Project, A.ProjectRename)


def _error(node: Any, message: str, hint: str | None = None) -> KqlError:
    pos = getattr(node, "pos", (0, 0))
    return KqlError(message, line=pos[0] or None, column=pos[1] or None, hint=hint)


def _unsupported(node: Any, what: str, hint: str | None = None) -> KqlError:
    return _error(node, f"'{what}' is not supported in {DCR}", hint)


class _Checker:
    def __init__(self, dialect: str, strict: bool) -> None:
        self.dialect = dialect
        self.strict = strict
        self.warnings: list[str] = []
        self.lambdas: set[str] = set()
        self.tabular: set[str] = set()
        self.scalars: set[str] = set()

    def warn(self, node: Any, message: str) -> None:
        pos = getattr(node, "pos", (0, 0))
        where = f"line {pos[0]}, column {pos[1]}: " if pos[0] else ""
        text = where + message
        if text not in self.warnings:
            self.warnings.append(text)

    # -- statements
    def query(self, q: A.Query) -> None:
        if q.sets and self.dialect == "transformation":
            at = q.sets[0].pos
            raise KqlError(
                f"'set' statements are not supported in a transformation ({DCR})", line=at[0], column=at[1]
            )
        for let in q.lets:
            self.let(let)
        if q.body is None:
            if self.dialect == "transformation":
                raise KqlError(
                    f"a transformation needs a tabular expression such as 'source' ({DCR})", line=1, column=1
                )
            return
        self.tabular_expr(q.body)

    def let(self, let: A.Let) -> None:
        v = let.value
        if isinstance(v, A.Lambda):
            tabular = [p.name for p in v.params if p.type == "table"]
            if tabular and self.dialect == "transformation":
                raise _error(
                    v,
                    f"'{let.name}' takes a tabular argument ('{tabular[0]}'): only user-defined functions "
                    f"with scalar arguments are supported in {DCR}",
                )
            for inner in v.lets:
                self.let(inner)
            self.lambdas.add(let.name)
            self.expr(v.body) if not self._is_tabular(v.body) else self.tabular_expr(v.body)
            return
        if self._is_tabular(v):
            self.tabular_expr(v)
            self.tabular.add(let.name)
        else:
            self.expr(v)
            self.scalars.add(let.name)

    def _is_tabular(self, node: Any) -> bool:
        if isinstance(
            node, (A.Pipeline, A.Datatable, A.Print, A.Union_, A.Range, A.ExternalData, A.Search, A.Find)
        ):
            return True
        if isinstance(node, A.Call) and node.name == "materialize":
            return True
        if isinstance(node, A.Column):
            return (
                node.name == "source"
                or node.name in self.tabular
                or (node.name[:1].isupper() and node.name not in self.scalars and self.dialect == "query")
            )
        return False

    # -- tabular
    def tabular_expr(self, node: Any) -> None:
        if isinstance(node, A.Pipeline):
            self.source(node.source)
            for op in node.ops:
                self.operator(op)
        else:
            self.source(node)

    def source(self, node: Any) -> None:
        if isinstance(node, A.Print):
            for a in node.assigns:
                self.expr(a.expr)
            return
        if isinstance(node, A.Datatable):
            for v in node.values:
                self.expr(v)
            return
        if isinstance(node, A.Pipeline):
            self.tabular_expr(node)
            return
        if self.dialect == "transformation":
            if isinstance(node, A.Column):
                if node.name == "source" or node.name in self.tabular:
                    return
                raise _error(
                    node,
                    f"'{node.name}' cannot be the data source of a DCR transformation: only "
                    "'source' (the incoming records), 'print' and 'datatable' can",
                    f"replace '{node.name}' with 'source'",
                )
            if isinstance(node, (A.Union_, A.Range, A.ExternalData, A.Search)):
                raise _unsupported(node, _OP_NAMES[type(node)])
            if isinstance(node, A.Call) and node.name == "materialize":
                raise _unsupported(node, "materialize()", "a transformation sees one record at a time")
            if isinstance(node, A.Call) and node.name in self.lambdas:
                return
            raise _error(node, "expected 'source', 'print' or 'datatable' as the data source")
        if isinstance(node, A.Union_):
            for t in node.tables:
                self.tabular_expr(t)
        elif isinstance(node, A.Range):
            for e in (node.start, node.stop, node.step):
                self.expr(e)

    def operator(self, op: Any) -> None:
        if self.dialect == "transformation":
            self._transformation_operator(op)
        if isinstance(op, A.Join):
            self.tabular_expr(op.right)
            return
        if isinstance(op, A.Union_):
            for t in op.tables:
                self.tabular_expr(t)
            return
        for child in _children(op):
            self.expr(child)

    def _transformation_operator(self, op: Any) -> None:
        if isinstance(op, _TRANSFORMATION_OPS):
            return
        if isinstance(op, A.ProjectAway):
            if op.kind != "project-away":
                raise _unsupported(op, op.kind, "use project or project-away")
            return
        if isinstance(op, A.Parse):
            if op.drop_unmatched:
                raise _unsupported(op, "parse-where", "use parse, then where on a parsed column")
            n = sum(1 for i in op.items if i.kind == "column")
            if n > MAX_PARSE_COLUMNS:
                raise _error(
                    op,
                    f"a parse in a DCR transformation may capture at most {MAX_PARSE_COLUMNS} "
                    f"columns; this one captures {n}",
                    "split it into several parse statements",
                )
            return
        if isinstance(op, A.Print):
            raise _error(op, "'print' can only start a transformation")
        name = _OP_NAMES.get(type(op), type(op).__name__.lower())
        hint = (
            "transformations run per record: only where, extend, project, project-away, "
            "project-rename and parse are allowed after 'source'"
        )
        raise _unsupported(op, name, hint)

    # -- scalar
    def expr(self, node: Any) -> None:
        if isinstance(node, A.Call):
            self.call(node)
        elif isinstance(node, A.Literal) and node.type == "dynamic" and self.dialect == "transformation":
            self.warn(
                node,
                "the DCR documentation steers dynamic literals to parse_json('...'); "
                "dynamic(...) is accepted here but not verified against Azure",
            )
        elif isinstance(node, (A.Pipeline, A.Datatable)):
            if self.dialect == "transformation":
                raise _error(node, f"a tabular sub-query cannot be used inside an expression in {DCR}")
            self.tabular_expr(node)
            return
        for child in _children(node):
            self.expr(child)

    def call(self, node: A.Call) -> None:
        name = node.name
        if name in self.lambdas:
            return
        if (name in ("toscalar", "materialize") or name in SERIES_PARTS) and self.dialect == "transformation":
            raise _unsupported(node, f"{name}()", "a transformation sees one record at a time")
        if name in AGGREGATES and lookup(name) is not None and lookup(name).profile == "aggregate":  # type: ignore[union-attr]
            if self.dialect == "transformation":
                raise _unsupported(
                    node,
                    f"{name}()",
                    "aggregations are not supported: transformations run on one record at a time",
                )
            return
        spec = lookup(name)
        if spec is None:
            return  # unknown functions are reported by the compiler with a suggestion
        if self.dialect == "query":
            if spec.profile == "dcr-only":
                raise _error(node, f"'{name}()' can only be used in DCR transformations, not in log queries")
            return
        if spec.profile in ("dcr", "dcr-only"):
            return
        if spec.profile == "dcr-doc":
            self.warn(
                node,
                f"'{name}()' is not in the documented list of functions for {DCR}, but "
                "Microsoft's own transformation samples use it; accepted (unverified)"
                + (f"; the listed spelling is {spec.dcr_replacement}()" if spec.dcr_replacement else ""),
            )
            return
        hint = f"use {spec.dcr_replacement}()" if spec.dcr_replacement else None
        if self.strict or spec.dcr_replacement:
            raise _unsupported(
                node,
                name,
                hint
                or "see 'Supported KQL features in Azure Monitor "
                "transformations'; pass strict=False (--loose) to accept it anyway",
            )
        self.warn(
            node,
            f"'{name}()' is not in the documented list of functions for {DCR}; "
            "accepted because of loose mode",
        )


def _children(node: Any) -> list[Any]:
    out: list[Any] = []
    for value in getattr(node, "__dict__", {}).values():
        items = value if isinstance(value, tuple) else (value,)
        for v in items:
            if isinstance(v, (A.Assign, A.SortKey)):
                out.append(v.expr)
            elif isinstance(v, tuple) and v and isinstance(v[0], A.Assign):
                out.append(v[0].expr)
            elif type(v).__module__ == A.__name__ and not isinstance(v, (A.ParseItem, A.Param)):
                out.append(v)
    return out


def check(query: A.Query, dialect: Literal["transformation", "query"], *, strict: bool = True) -> list[str]:
    """Check a parsed query against a dialect; return warnings, raise KqlError on a violation."""
    if dialect not in ("transformation", "query"):
        raise ValueError(f"unknown dialect {dialect!r}")
    checker = _Checker(dialect, strict)
    checker.query(query)
    return checker.warnings
