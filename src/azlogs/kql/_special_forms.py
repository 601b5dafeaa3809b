"""Special forms: functions compiled with lazy arguments (iff, case), the run's clock (now, ago)
or the schema (columnifexists)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from azlogs.kql import _ast as A
from azlogs.kql import _fn_parse  # noqa: F401 - registers the parse_* functions
from azlogs.kql import _vector as V
from azlogs.kql._compile import CExpr, Env, Row, _cached, _column, _fold, compile_expr, const, err
from azlogs.kql._fn_extra import FORMS as EXTRA_FORMS
from azlogs.kql._fn_meta import FORMS as META_FORMS
from azlogs.kql._fn_parse import FORMS as PARSE_FORMS
from azlogs.kql._fn_text import FORMS as TEXT_FORMS
from azlogs.kql._fn_timezone import FORMS as TIME_FORMS
from azlogs.kql._fn_window import FORMS as WINDOW_FORMS
from azlogs.kql._forms_dynamic import FORMS
from azlogs.kql._op_series import PARTS as SERIES_PARTS
from azlogs.kql._registry import common_type
from azlogs.kql._sketches import FORMS as SKETCH_FORMS

# ----------------------------------------------------------------------------- special forms


def _now(node: A.Call, env: Env) -> CExpr:
    ctx = env.ctx
    if node.args:
        off = compile_expr(node.args[0], env)
        fo = off.fn
        return CExpr(_cached(lambda r: ctx.now + fo(r), ctx), "datetime", row_free=True)
    return CExpr(lambda r: ctx.now, "datetime", row_free=True)


def _ago(node: A.Call, env: Env) -> CExpr:
    if len(node.args) != 1:
        raise err(node, f"ago() takes 1 argument, got {len(node.args)}")
    ctx = env.ctx
    span = compile_expr(node.args[0], env)
    if span.type not in ("timespan", "dynamic"):
        raise err(node, f"ago() needs a timespan such as 1d or 2h, got {span.type}")
    fs = span.fn

    def fn(r: Row) -> Any:
        s = fs(r)
        return None if not isinstance(s, timedelta) else ctx.now - s

    return CExpr(_cached(fn, ctx) if span.row_free else fn, "datetime", row_free=span.row_free)


def _iff(node: A.Call, env: Env) -> CExpr:
    if len(node.args) != 3:
        raise err(node, f"{node.name}() takes 3 arguments, got {len(node.args)}")
    c, a, b = (compile_expr(x, env) for x in node.args)
    typ = common_type([a.type, b.type])
    fc, fa, fb = c.fn, a.fn, b.fn
    row_free = c.row_free and a.row_free and b.row_free
    vec = None if row_free else V.choose(V.vector(c), V.vector(a), V.vector(b))
    out = CExpr(lambda r: fa(r) if fc(r) is True else fb(r), typ, row_free=row_free, vec=vec)
    return _fold(out) if c.const and a.const and b.const else out


def _case(node: A.Call, env: Env) -> CExpr:
    if len(node.args) < 3 or len(node.args) % 2 == 0:
        raise err(node, "case() takes predicate/value pairs and a final else value (an odd number >= 3)")
    args = [compile_expr(x, env) for x in node.args]
    pairs = [(args[i].fn, args[i + 1].fn) for i in range(0, len(args) - 1, 2)]
    default = args[-1].fn
    typ = common_type([args[i].type for i in range(1, len(args) - 1, 2)] + [args[-1].type])

    def fn(r: Row) -> Any:
        for p, v in pairs:
            if p(r) is True:
                return v(r)
        return default(r)

    return CExpr(fn, typ, row_free=all(a.row_free for a in args))


def _columnifexists(node: A.Call, env: Env) -> CExpr:
    if len(node.args) != 2:
        raise err(node, f"{node.name}() takes 2 arguments (column name, default), got {len(node.args)}")
    first = node.args[0]
    if not (isinstance(first, A.Literal) and first.type == "string"):
        raise err(node, f"the first argument of {node.name}() must be a constant column name")
    if first.value in env.columns:
        return _column(A.Column(first.value, pos=node.pos), env)
    return compile_expr(node.args[1], env)


def _typeof(node: A.Call, env: Env) -> CExpr:
    if len(node.args) != 1 or not isinstance(node.args[0], A.Column):
        raise err(node, "typeof() takes one type name, e.g. typeof(long)")
    from azlogs.kql._values import normalize_type

    try:
        return const(normalize_type(node.args[0].name), "type")
    except ValueError:
        raise err(node, f"unknown type '{node.args[0].name}'") from None


def _gettype(node: A.Call, env: Env) -> CExpr:
    """gettype: a typed argument's own type (``gettype(111)`` is long); a dynamic one's by value."""
    from azlogs.kql._fn_misc import gettype

    if len(node.args) != 1:
        raise err(node, f"gettype() takes 1 argument, got {len(node.args)}")
    a = compile_expr(node.args[0], env)
    if a.type != "dynamic":
        return const(a.type, "string")
    fa = a.fn
    out = CExpr(lambda r: gettype(fa(r)), "string", row_free=a.row_free)
    return _fold(out) if a.const else out


def _not(node: A.Call, env: Env) -> CExpr:
    if len(node.args) != 1:
        raise err(node, f"not() takes 1 argument, got {len(node.args)}")
    a = compile_expr(node.args[0], env)
    fa = a.fn
    out = CExpr(lambda r: None if (v := fa(r)) is None else not v, "bool", row_free=a.row_free)
    return _fold(out) if a.const else out


def _assert(node: A.Call, env: Env) -> CExpr:
    """``assert(condition, message)`` (assert-function.md): true, or the query fails with
    ``assert() has failed with message: '<message>'``. A constant condition is checked when the query
    is compiled, as Kusto checks it during analysis (so it fails even where no row reaches it); one
    that reads a function's parameter is checked for each call."""
    if len(node.args) != 2:
        raise err(node, f"assert() takes 2 arguments (condition, message), got {len(node.args)}")
    cond, message = (compile_expr(a, env) for a in node.args)
    if not message.const or not isinstance(message.value, str):
        raise err(node.args[1], "the message of assert() must be a constant string")
    text = f"assert() has failed with message: '{message.value}'"
    if cond.const:
        if cond.value is not True:
            raise err(node, text)
        return const(True, "bool")
    fc = cond.fn

    def fn(r: Row) -> bool:
        if fc(r) is not True:
            raise err(node, text)
        return True

    return CExpr(fn, "bool", row_free=cond.row_free)


def _bin_auto(node: A.Call, env: Env) -> CExpr:
    """``bin_auto(x)``: ``bin_at(x, size, at)`` with the query's ``set query_bin_auto_size`` and
    ``query_bin_auto_at`` (0 when not set, or the datetime 1970-01-01 for a datetime ``x``)."""
    from azlogs.kql._fn_misc import bin_at, bin_value

    if len(node.args) != 1:
        raise err(node, f"bin_auto() takes 1 argument, got {len(node.args)}")
    size, at = env.ctx.bin_auto
    if size is None:
        raise err(node, "bin_auto() needs the bin size: set query_bin_auto_size=...; before the query")
    value = compile_expr(node.args[0], env)
    fv = value.fn
    if at is None:
        return CExpr(lambda r: bin_value(fv(r), size), value.type, row_free=value.row_free)
    return CExpr(lambda r: bin_at(fv(r), size, at), value.type, row_free=value.row_free)


def _toscalar(node: A.Call, env: Env) -> CExpr:
    from azlogs.kql._tabular_more import toscalar

    return toscalar(node, env)


def _series_parts(node: A.Call, env: Env) -> CExpr:
    from azlogs.kql._op_series import parts_form

    form: CExpr = parts_form(node, env)
    return form


SPECIAL: dict[str, Callable[[A.Call, Env], CExpr]] = {
    "toscalar": _toscalar,
    **dict.fromkeys(SERIES_PARTS, _series_parts),
    "bin_auto": _bin_auto,
    "assert": _assert,
    "now": _now,
    "ago": _ago,
    "iff": _iff,
    "iif": _iff,
    "case": _case,
    "columnifexists": _columnifexists,
    "column_ifexists": _columnifexists,
    "typeof": _typeof,
    "gettype": _gettype,
    "not": _not,
    **FORMS,
    **WINDOW_FORMS,
    **TEXT_FORMS,
    **TIME_FORMS,
    **EXTRA_FORMS,
    **META_FORMS,
    **PARSE_FORMS,
    **SKETCH_FORMS,
}
SPECIAL_FORMS = frozenset(SPECIAL)
