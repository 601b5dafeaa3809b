"""Tabular expressions over several tables: ``union`` (with ``*`` and wildcards, ``withsource=``,
``isfuzzy``, per-type columns), ``search``, ``find`` and ``where * has ...``
(union-operator.md, search-operator.md, find-operator.md).
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterator
from typing import Any

from azlogs._exceptions import KqlError
from azlogs.kql import _ast as A
from azlogs.kql._compile import CExpr, Env, compile_expr, err
from azlogs.kql._plan import Plan, Row
from azlogs.kql._values import convert, null_of, to_dynamic, to_str


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


def union(left: Plan | None, op: A.Union_, env: Env) -> Plan:
    """``union``: the legs' rows one after the other (union-operator.md). ``kind=inner`` keeps the
    columns every leg has; a column name that legs give different types becomes one column per
    type, ``name_type``; ``isfuzzy=true`` leaves out legs that do not resolve; ``withsource=``
    names each row's leg (its table, view or ``as`` name)."""
    from azlogs.kql._tabular import compile_pipeline
    from azlogs.kql._tabular_more import as_name

    opts = {k.lower(): v for k, v in op.options}
    fuzzy = opts.get("isfuzzy") in (True, "true", "True")
    legs: list[tuple[str, Plan]] = []
    if left is not None:
        legs.append((as_name(left), left))
    for t in union_tables(op.tables, env):
        try:
            p = compile_pipeline(t, env)
        except KqlError:
            if fuzzy:
                continue
            raise
        legs.append((as_name(p) or (t.name if isinstance(t, A.Column) else ""), p))
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


def search_source(node: A.Search, env: Env) -> Plan:
    from azlogs.kql._tabular import compile_pipeline

    # No `in (...)`: every table and view, as `union *` reads them (let-statement.md's views).
    star = union_tables((A.Column("*", pos=node.pos),), env)
    names = list(node.tables) if node.tables else [t.name for t in star]
    plans = [(n, compile_pipeline(A.Column(n, pos=node.pos), env)) for n in names]
    if not node.tables:
        # Every table: those that lack a column the predicate names are left out, as find does
        # (let-statement.md's `search MyColumn == 5` over two views, beside tables without it).
        from azlogs.kql._tabular import _collect_names

        wanted: set[str] = set()
        _collect_names(node.predicate, wanted)
        wanted -= set(env.lets)
        plans = [(n, p) for n, p in plans if wanted <= set(p.columns)]
    cols: dict[str, str] = {"$table": "string"}
    for _, p in plans:
        for c, t in p.columns.items():
            cols.setdefault(c, t)
    matched = [(n, search(p, node, env.with_columns(p.columns))) for n, p in plans]

    def produce() -> Iterator[Row]:
        for n, p in matched:
            for r in p.rows():
                out = {c: (r.get(c) if c in p.columns else null_of(t)) for c, t in cols.items()}
                out["$table"] = n
                yield out

    return Plan(cols, produce)


def search(plan: Plan, op: A.Search, scope: Env) -> Plan:
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


def find(node: A.Find, env: Env) -> Plan:
    """``find``: the rows of several tables where the predicate holds (find-operator.md). Tables that
    lack a column the predicate names are left out. With ``project``, the listed columns (typed as
    given, else as the first table has them) and ``pack_all()`` as a bag column ``column1``; with
    ``project-smart`` (the default), the predicate's columns, the columns every table has, and the
    rest of each row in a bag column ``pack_``. ``source_`` (or ``withsource=``) names the table."""
    from azlogs.kql._tabular import _collect_names, compile_pipeline

    # No `in (...)`: every table and view, as `union *` reads them (let-statement.md's views).
    star = union_tables((A.Column("*", pos=node.pos),), env)
    names = list(node.tables) if node.tables else [t.name for t in star]
    wanted: set[str] = set()
    _collect_names(node.predicate, wanted)
    wanted -= set(env.lets)
    legs: list[tuple[str, Plan]] = []
    for n in names:
        p = compile_pipeline(A.Column(n, pos=node.pos), env)
        if wanted <= set(p.columns):
            legs.append((n, search(p, A.Search(node.predicate, pos=node.pos), env.with_columns(p.columns))))
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
