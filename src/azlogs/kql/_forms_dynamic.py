"""Property bags built from the row itself: ``pack_all([ignore_null_empty])`` and
``bag_pack_columns(column, ...)``. They are special forms (compiled with the row's schema, like
``columnifexists``), recorded in the registry as log-query functions: neither is in the
transformation functions list.

From the Kusto pages (MicrosoftDocs/dataexplorer-docs, data-explorer/kusto/query/pack-all-function.md,
bag-pack-columns-function.md): ``pack_all()`` packs every column of the row under its name, and
``pack_all(true)`` leaves out null and empty values; ``bag_pack_columns`` packs the listed columns
under their names. Column pruning already treats ``pack_all`` as reading every column
(``_tabular._READS_ALL``).
"""

from __future__ import annotations

from typing import Any

from azlogs.kql import _ast as A
from azlogs.kql._compile import CExpr, Env, Row, compile_expr, err
from azlogs.kql._registry import REGISTRY, FunctionSpec
from azlogs.kql._values import to_dynamic


def pack_all(node: A.Call, env: Env) -> CExpr:
    """Every column of the row as a property bag."""
    if len(node.args) > 1:
        raise err(node, f"{node.name}() takes 0 or 1 argument (ignore_null_empty), got {len(node.args)}")
    skip_fn = compile_expr(node.args[0], env).fn if node.args else None
    visible = env.extra.get("operator_input", env.columns)
    if not set(visible) <= set(env.columns):  # a sub-query inside the extend: its own row
        visible = env.columns
    columns = [(n, t) for n, t in env.columns.items() if n in visible and not n.startswith("\0")]

    def fn(r: Row) -> Any:
        skip = skip_fn is not None and skip_fn(r) is True
        out: dict[str, Any] = {}
        for name, typ in columns:
            v = r.get(name)
            if v is None and typ == "string":
                v = ""
            if skip and (v is None or v == ""):
                continue
            out[name] = to_dynamic(v)
        return out

    return CExpr(fn, "dynamic")


def bag_pack_columns(node: A.Call, env: Env) -> CExpr:
    """The listed columns as a property bag, each under its column name."""
    if not node.args:
        raise err(node, f"{node.name}() takes at least one column")
    parts: list[tuple[str, Any]] = []
    for a in node.args:
        if not isinstance(a, A.Column):
            raise err(a, f"the arguments of {node.name}() must be column names")
        parts.append((a.name, compile_expr(a, env).fn))
    return CExpr(lambda r: {name: to_dynamic(f(r)) for name, f in parts}, "dynamic")


FORMS = {"pack_all": pack_all, "bag_pack_columns": bag_pack_columns}

REGISTRY["pack_all"] = FunctionSpec("pack_all", 0, 1, "dynamic", "query", None, (), None, True)
REGISTRY["bag_pack_columns"] = FunctionSpec(
    "bag_pack_columns", 1, -1, "dynamic", "query", None, (), None, True
)
