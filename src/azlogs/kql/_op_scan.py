"""``scan`` (sequences of records matched step by step) and ``project-by-names``.

scan follows the "Scan logic" of scan-operator.md: the state holds, per step, the latest values
of that step and of every step before it (or nothing); each record is checked against the steps
from the last to the first. Check 1 (the previous step's state is nonempty and the condition
holds with it) promotes that state to the step; otherwise check 2 (the step has an active sequence,
or it is the first step, and the condition holds with its own state) replaces the step's values.
A first-step match with an empty state begins a new sequence: the match id grows by 1 (the
page's session example gives every record of a session the same id). ``sN.Col`` reads step sN's
values in the state the check uses; a declared column of an empty state reads its default.

project-by-names keeps the columns that its names, wildcard patterns and arrays of names select,
in the order they are given; a name no column has is ignored (project-by-names-operator.md).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

from azlogs.kql import _ast as A
from azlogs.kql._compile import Env, compile_expr, err
from azlogs.kql._plan import Plan, Row
from azlogs.kql._tabular import _match
from azlogs.kql._values import convert, null_of

# ----------------------------------------------------------------------------- scan


def _key(step: str, column: str) -> str:
    """The name a ``step.column`` reference reads in the row a step's check evaluates."""
    return f"{step}.{column}"


def _rewrite(node: Any, steps: frozenset[str], columns: dict[str, str]) -> Any:
    """``s1.Col`` (a member of a step's name) -> the column ``_key("s1", "Col")``."""
    target = node.target if isinstance(node, A.Member) else None
    if isinstance(target, A.Column) and target.name in steps and target.name not in columns:
        return A.Column(_key(target.name, node.name), pos=node.pos)
    if isinstance(node, tuple):
        return tuple(_rewrite(x, steps, columns) for x in node)
    if dataclasses.is_dataclass(node) and not isinstance(node, type):
        changes = {}
        for f in dataclasses.fields(node):
            if f.name == "pos":
                continue
            value = getattr(node, f.name)
            new = _rewrite(value, steps, columns)
            if new is not value:
                changes[f.name] = new
        return dataclasses.replace(node, **changes) if changes else node
    return node


class _Seq:
    """One step's state: the values of each step of the sequence so far, and its match id."""

    __slots__ = ("match_id", "values")

    def __init__(self, values: dict[str, Row], match_id: int) -> None:
        self.values = values
        self.match_id = match_id


def scan(plan: Plan, op: A.Scan, env: Env) -> Plan:
    """``T | scan ...``: a record per match of an input record to a step."""
    inputs = dict(plan.columns)
    declared: dict[str, str] = {}
    defaults: dict[str, Any] = {}
    const_scope = env.with_columns({})
    for name, typ, default in op.declares:
        if name in inputs or name in declared:
            raise err(op, f"scan: the declared column '{name}' already exists")
        declared[name] = typ
        value = null_of(typ)
        if default is not None:
            c = compile_expr(default, const_scope)
            if not c.row_free:
                raise err(default, f"scan: the default of '{name}' must be a constant")
            value = convert(c.fn({}), typ)
        defaults[name] = value
    row_cols = {**inputs, **declared}
    names = frozenset(s.name for s in op.steps)
    scope_cols = dict(row_cols)
    for s in op.steps:
        for col, t in row_cols.items():
            scope_cols[_key(s.name, col)] = t
    scope = env.with_columns(scope_cols)

    compiled = []
    for s in op.steps:
        cond = compile_expr(_rewrite(s.condition, names, row_cols), scope).fn
        assigns = []
        for col, expr in s.assigns:
            if col not in row_cols:
                raise err(
                    op, f"scan: step {s.name} assigns '{col}', which is neither declared nor an input column"
                )
            assigns.append((col, compile_expr(_rewrite(expr, names, row_cols), scope).fn, row_cols[col]))
        compiled.append((s.name, s.output, cond, tuple(assigns)))
    # Every step.column an empty state reads: nulls, and the declared defaults.
    empty = {c: defaults.get(c, null_of(t)) for c, t in row_cols.items()}
    match_col = op.match_id
    cols = dict(row_cols)
    if match_col is not None:
        cols.pop(match_col, None)
        cols[match_col] = "long"
    n = len(compiled)

    def produce() -> Iterator[Row]:
        states: list[_Seq | None] = [None] * n
        pending: list[tuple[Row, int] | None] = [None] * n  # output=last: the latest match not yet output
        next_id = 0

        def out(row: Row, match_id: int) -> Row:
            # A copy: the state keeps `row`, whatever the operators after scan do with theirs.
            return {**row, match_col: match_id} if match_col is not None else dict(row)

        def evaluated(base: Row, values: dict[str, Row]) -> Row:
            ev = dict(base)
            for step in names:
                got = values.get(step, empty)
                for c in row_cols:
                    ev[_key(step, c)] = got.get(c)
            return ev

        def extended(base: Row, ev: Row, assigns: Any) -> Row:
            row = dict(base)
            for col, fn, typ in assigns:
                row[col] = convert(fn(ev), typ)
            return row

        def flush(k: int) -> Iterator[Row]:
            held = pending[k]
            if held is not None:
                pending[k] = None
                yield out(*held)

        for r in plan.rows():
            base = {c: r.get(c) for c in inputs}
            base.update(defaults)
            for k in range(n - 1, -1, -1):
                name, output, cond, assigns = compiled[k]
                prev = states[k - 1] if k > 0 else None
                if prev is not None:
                    ev = evaluated(base, prev.values)
                    if cond(ev) is True:
                        row = extended(base, ev, assigns)
                        yield from flush(k)
                        yield from flush(k - 1)
                        states[k] = _Seq({**prev.values, name: row}, prev.match_id)
                        states[k - 1] = None
                        if output == "all":
                            yield out(row, prev.match_id)
                        elif output == "last":
                            pending[k] = (row, prev.match_id)
                        continue
                cur = states[k]
                if cur is None and k > 0:
                    continue
                ev = evaluated(base, cur.values if cur is not None else {})
                if cond(ev) is not True:
                    continue
                row = extended(base, ev, assigns)
                if cur is None:
                    cur = states[k] = _Seq({}, next_id)
                    next_id += 1
                cur.values = {**cur.values, name: row}
                if output == "all":
                    yield out(row, cur.match_id)
                elif output == "last":
                    pending[k] = (row, cur.match_id)
        for k in range(n):
            yield from flush(k)

    return plan.materialize(produce, cols)


# ----------------------------------------------------------------------------- project-by-names


def project_by_names(plan: Plan, op: A.ProjectByNames, env: Env) -> Plan:
    """Keep the columns the names, patterns and arrays of names select, in their order."""
    scope = env.with_columns(dict(plan.columns))
    wanted: list[str] = []
    for spec in op.specs:
        c = compile_expr(spec, scope)
        if not c.row_free:
            raise err(spec, "project-by-names needs constant column names (strings or dynamic arrays)")
        value = c.fn({})
        for item in value if isinstance(value, list) else [value]:
            if not isinstance(item, str):
                raise err(spec, f"project-by-names: {item!r} is not a column name")
            wanted.append(item)
    # A name no column has is ignored; patterns and names select as project-keep's do.
    kept = tuple(w for w in wanted if "*" in w or w in plan.columns)
    return plan.with_columns({c: plan.columns[c] for c in _match(kept, plan.columns, op)})
