"""Window functions over the rows of one operator: ``row_number``, ``prev``, ``next``, ``row_cumsum``,
``row_rank_dense``, ``row_rank_min``.

From the Kusto pages (MicrosoftDocs/dataexplorer-docs, data-explorer/kusto/query/row-number-function.md,
prev-function.md, next-function.md, row-cumsum-function.md, row-rank-dense-function.md,
row-rank-min-function.md): ``row_number([start[, restart]])`` counts rows from ``start`` (1) and starts
again at it where ``restart`` is true; ``prev(x[, offset[, default]])`` / ``next(...)`` read ``x`` of the
row ``offset`` (1) before / after, ``default`` (null) past the edges; ``row_cumsum(term[, restart])``
sums ``term`` and starts again from 0 where ``restart`` is true; ``row_rank_dense(term[, restart])``
goes up by one where ``term`` changes, ``row_rank_min(term[, restart])`` is the row number of the first
row with that ``term``; ``row_window_session(expr, max_from_first, max_between[, restart])`` is the
``expr`` of the row that began the session, a session beginning at the first row, after a null
``expr``, where ``expr`` reaches the session's first value + ``max_from_first`` or the previous value +
``max_between``, or where ``restart`` is true (a null ``expr`` gives null).

They are special forms (compiled with the operator's window, like ``pack_all``), recorded in the
registry as log-query functions; an ``extend``, ``project`` or ``serialize`` that uses one reads all its
input rows first (:func:`windowed`). Kusto refuses them over input that is not serialized (a table
scan without ``serialize``/``sort``); here every input has an order and they are allowed (a documented
difference).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from azlogs.kql import _ast as A
from azlogs.kql._compile import CExpr, Env, Row, compile_expr, err
from azlogs.kql._plan import Plan
from azlogs.kql._plan import Row as TableRow
from azlogs.kql._registry import REGISTRY, FunctionSpec, common_type, numeric_promote
from azlogs.kql._values import null_of

__all__ = ["FORMS", "calls_any", "uses_window", "windowed"]


class Window:
    """The rows of one operator run and the position of the row being computed."""

    def __init__(self) -> None:
        self.rows: list[TableRow] = []
        self.index = 0
        self.token = 0  # one per run, so stateful functions start again


def _window(node: A.Call, env: Env) -> Window:
    window = env.extra.get("window")
    if not isinstance(window, Window):
        raise err(
            node,
            f"{node.name}() can only be used in extend, project or serialize over serialized rows",
            "use it as in: ... | serialize | extend n = row_number()",
        )
    return window


def _arity(node: A.Call, low: int, high: int) -> None:
    if not low <= len(node.args) <= high:
        want = str(low) if low == high else f"{low} to {high}"
        raise err(node, f"{node.name}() takes {want} argument(s), got {len(node.args)}")


def _const_long(node: A.Call, c: CExpr, what: str) -> int:
    if not c.const or not isinstance(c.value, int) or isinstance(c.value, bool):
        raise err(node, f"the {what} of {node.name}() must be a constant integer")
    return c.value


def _restart(node: A.Call, env: Env, i: int) -> Callable[[Row], Any] | None:
    return compile_expr(node.args[i], env).fn if len(node.args) > i else None


def _shift(sign: int) -> Callable[[A.Call, Env], CExpr]:
    def form(node: A.Call, env: Env) -> CExpr:
        _arity(node, 1, 3)
        window = _window(node, env)
        value = compile_expr(node.args[0], env)
        offset = _const_long(node, compile_expr(node.args[1], env), "offset") if len(node.args) > 1 else 1
        default = compile_expr(node.args[2], env) if len(node.args) > 2 else None
        typ = value.type if default is None else common_type([value.type, default.type])
        fv = value.fn
        null = null_of(typ)  # a string past the edge is "", as strings are never null
        fd = default.fn if default is not None else (lambda r: null)
        step = sign * offset

        def fn(r: Row) -> Any:
            j = window.index + step
            rows = window.rows
            if 0 <= j < len(rows):
                return fv(rows[j])
            return fd(r)

        return CExpr(fn, typ)

    return form


def _row_number(node: A.Call, env: Env) -> CExpr:
    _arity(node, 0, 2)
    window = _window(node, env)
    start = _const_long(node, compile_expr(node.args[0], env), "start") if node.args else 1
    restart = _restart(node, env, 1)
    state = [-1, 0]  # run token, last number

    def fn(r: Row) -> Any:
        if state[0] != window.token or window.index == 0 or (restart is not None and restart(r) is True):
            state[0], state[1] = window.token, start
        else:
            state[1] += 1
        return state[1]

    return CExpr(fn, "long")


def _row_cumsum(node: A.Call, env: Env) -> CExpr:
    _arity(node, 1, 2)
    window = _window(node, env)
    term = compile_expr(node.args[0], env)
    if term.type not in ("int", "long", "real", "decimal", "dynamic"):
        raise err(node, f"row_cumsum() sums numbers (int, long, real), got {term.type}")
    ft = term.fn
    restart = _restart(node, env, 1)
    state: list[Any] = [-1, 0]

    def fn(r: Row) -> Any:
        if state[0] != window.token or window.index == 0 or (restart is not None and restart(r) is True):
            state[0], state[1] = window.token, 0
        v = ft(r)
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            state[1] += v
        return state[1]

    return CExpr(fn, numeric_promote([term.type]) if term.type != "dynamic" else "real")


def _rank(minimum: bool) -> Callable[[A.Call, Env], CExpr]:
    def form(node: A.Call, env: Env) -> CExpr:
        _arity(node, 1, 2)
        window = _window(node, env)
        ft = compile_expr(node.args[0], env).fn
        restart = _restart(node, env, 1)
        missing = object()
        # run token, rows in the partition, current rank, previous term
        state: list[Any] = [-1, 0, 0, missing]

        def fn(r: Row) -> Any:
            v = ft(r)
            if state[0] != window.token or window.index == 0 or (restart is not None and restart(r) is True):
                state[0], state[1], state[2], state[3] = window.token, 0, 0, missing
            state[1] += 1
            if state[3] is missing or v != state[3]:
                state[2] = state[1] if minimum else state[2] + 1
                state[3] = v
            return state[2]

        return CExpr(fn, "long")

    return form


def _row_window_session(node: A.Call, env: Env) -> CExpr:
    _arity(node, 3, 4)
    window = _window(node, env)
    value = compile_expr(node.args[0], env)
    fv = value.fn
    from_first = compile_expr(node.args[1], env).fn
    between = compile_expr(node.args[2], env).fn
    restart = _restart(node, env, 3)
    # run token, the session's first value, the previous value
    state: list[Any] = [-1, None, None]

    def fn(r: Row) -> Any:
        if state[0] != window.token or window.index == 0:
            state[0], state[1], state[2] = window.token, None, None
        v = fv(r)
        if v is None:
            state[1] = state[2] = None
            return None
        first, previous = state[1], state[2]
        try:
            new = (
                first is None
                or previous is None
                or v >= first + from_first(r)
                or v >= previous + between(r)
                or (restart is not None and restart(r) is True)
            )
        except TypeError:  # a null or mistyped distance
            new = True
        if new:
            state[1] = v
        state[2] = v
        return state[1]

    return CExpr(fn, value.type)


FORMS: dict[str, Callable[[A.Call, Env], CExpr]] = {
    "row_number": _row_number,
    "prev": _shift(-1),
    "next": _shift(1),
    "row_cumsum": _row_cumsum,
    "row_rank_dense": _rank(False),
    "row_rank_min": _rank(True),
    "row_window_session": _row_window_session,
}
_RESULTS: dict[str, Any] = {
    "row_number": "long",
    "prev": lambda ts: ts[0] if len(ts) < 3 else common_type([ts[0], ts[2]]),
    "next": lambda ts: ts[0] if len(ts) < 3 else common_type([ts[0], ts[2]]),
    "row_cumsum": lambda ts: numeric_promote(ts[:1]),
    "row_rank_dense": "long",
    "row_rank_min": "long",
    "row_window_session": lambda ts: ts[0],
}
_ARITY = {
    "row_number": (0, 2),
    "prev": (1, 3),
    "next": (1, 3),
    "row_cumsum": (1, 2),
    "row_window_session": (3, 4),
}
for _name, _result in _RESULTS.items():
    _low, _high = _ARITY.get(_name, (1, 2))
    REGISTRY[_name] = FunctionSpec(_name, _low, _high, _result, "query", None, (), None, True)


def calls_any(node: Any, names: frozenset[str] | dict[str, Any]) -> bool:
    """True when one of the functions ``names`` is called under ``node`` (an operator or expression),
    outside sub-queries (which have their own rows)."""
    if isinstance(node, A.Call) and node.name in names:
        return True
    if isinstance(node, (tuple, list)):
        return any(calls_any(item, names) for item in node)
    if isinstance(node, (A.Pipeline, A.Datatable)):
        return False
    fields = getattr(node, "__dataclass_fields__", None)
    if fields is None:
        return False
    return any(calls_any(getattr(node, f), names) for f in fields if f != "pos")


def uses_window(node: Any) -> bool:
    """True when a window function is called anywhere under ``node``."""
    return calls_any(node, FORMS)


def windowed(plan: Plan, scope: Env, build: Callable[[Plan, Env], Plan]) -> Plan:
    """The operator ``build`` adds, run over all of ``plan``'s rows at once with a window, so that
    its window functions see the rows before and after the current one."""
    window = Window()
    wscope = Env(
        dict(scope.columns),
        scope.lets,
        scope.ctx,
        scope.aggregates,
        scope.depth,
        {**scope.extra, "window": window},
    )
    inner = build(Plan(dict(plan.columns), lambda: ()), wscope)
    step = inner.fused()

    def produce() -> list[TableRow]:
        # Computed in full before any row is handed on: another run of the same plan (a self-join)
        # cannot interleave with this one's window.
        rows = list(plan.rows())
        window.token += 1
        window.rows = rows
        done: list[TableRow] = []
        for i, r in enumerate(rows):
            window.index = i
            out = step(r)
            if out is not None:
                done.append(out)
        window.rows = []
        return done

    return plan.materialize(produce, inner.columns)
