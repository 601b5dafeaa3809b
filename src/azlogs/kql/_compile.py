"""Scalar expressions -> closures over a row (a dict), with static KQL types.

The compiler resolves names, checks arity, folds constants and picks fast paths by static type;
evaluation then never looks at the AST. ``now()``/``ago()`` read the run's clock once per run.
"""

from __future__ import annotations

import difflib
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Final

from azlogs._exceptions import KqlError
from azlogs.kql import _ast as A
from azlogs.kql import (  # noqa: F401 - register functions
    _fn_datetime,
    _fn_dynamic2,
    _fn_geo_cells,
    _fn_geo_points,
    _fn_hash,
    _fn_ip,
    _fn_misc,
    _fn_special,
    _fn_string,
)
from azlogs.kql import _vector as V
from azlogs.kql._batch import NO_ROW, Batch
from azlogs.kql._budget import checked_size, current
from azlogs.kql._fn_geo_shapes import geo_from_wkt  # noqa: F401 - registers the geo_* functions of lines and polygons
from azlogs.kql._fn_misc import bin_value
from azlogs.kql._operators import (
    ARITH,
    COMPARE,
    STRING_OPS,
    in_list,
    matches_regex,
    neg,
    string_predicate,
)
from azlogs.kql._registry import lookup, numeric_promote
from azlogs.kql._values import NUMERIC, UTC, null_of, to_str, wrap_int, wrap_long
from azlogs.kql._vector import VFn

Row = Mapping[str, Any]
Fn = Callable[[Row], Any]
_ERRS = (TypeError, ValueError, ArithmeticError, AttributeError, IndexError, KeyError, OverflowError)


class Ctx:
    """Per-run state shared by the closures of one compiled plan."""

    def __init__(self, clock: Callable[[], datetime] | None = None, provider: Any = None) -> None:
        self.clock = clock or (lambda: datetime.now(UTC))
        self.now: datetime = self.clock()
        self.run_id = 0
        self.provider = provider
        self.source_rows: list[Any] = []  # the records `source` yields in a transformation run
        self.timespan: tuple[datetime | None, datetime | None] | None = None
        self.compile_steps = 0  # expressions compiled: linear in the text, never exponential
        # The caller's access token claims (current_principal() and its kin), None without a caller.
        self.principal: Mapping[str, Any] | None = None
        # bin_auto()'s (size, fixed point) from the query's set statements; (None, None) when unset.
        self.bin_auto: tuple[Any, Any] = (None, None)

    def new_run(self) -> None:
        """Start a run: ``now()`` is fixed for the whole run, as in KQL."""
        self.now = self.clock()
        if self.now.tzinfo is None:
            self.now = self.now.replace(tzinfo=UTC)
        self.run_id += 1


@dataclass
class CExpr:
    """A compiled scalar expression."""

    fn: Fn
    type: str
    const: bool = False
    value: Any = None
    row_free: bool = False  # depends on no column (may depend on the run's clock)
    vec: VFn | None = None  # the column-at-a-time form (azlogs.kql._vector), when it has one


@dataclass
class LetBinding:
    """A name bound by ``let``: a scalar, a tabular expression or a user-defined function."""

    kind: str  # "scalar" | "tabular" | "lambda"
    scalar: CExpr | None = None
    node: Any = None
    env: Env | None = None
    body: CExpr | None = None  # a lambda's body, compiled once at its first call


@dataclass
class Env:
    """Names visible to an expression: the row's columns (name -> type) and ``let`` bindings."""

    columns: dict[str, str]
    lets: dict[str, LetBinding]
    ctx: Ctx
    aggregates: dict[str, Any] | None = None  # set while compiling summarize aggregates
    depth: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    def with_columns(self, columns: dict[str, str]) -> Env:
        return Env(columns, self.lets, self.ctx, None, self.depth, self.extra)


def err(node: Any, message: str, hint: str | None = None) -> KqlError:
    """A KqlError at the node's position."""
    pos = getattr(node, "pos", (0, 0))
    return KqlError(message, line=pos[0] or None, column=pos[1] or None, hint=hint)


def const(value: Any, typ: str) -> CExpr:
    """A constant expression."""
    return CExpr(lambda r: value, typ, True, value, True)


def _cached(fn: Fn, ctx: Ctx) -> Fn:
    # Row-free but clock-dependent values (ago(1d)) are computed once per run, not per row.
    cell: list[Any] = [None, -1]

    def get(r: Row) -> Any:
        if cell[1] != ctx.run_id:
            cell[0] = fn(r)
            cell[1] = ctx.run_id
        return cell[0]

    return get


def _did_you_mean(name: str, options: list[str]) -> str | None:
    close = difflib.get_close_matches(name, options, n=3)
    if not close:
        lower = [o for o in options if o.lower() == name.lower()]
        close = lower
    return f"did you mean {', '.join(repr(c) for c in close)}? (names are case-sensitive)" if close else None


def compile_expr(node: Any, env: Env) -> CExpr:
    """Compile a scalar expression."""
    env.ctx.compile_steps += 1
    current().compiled(env.ctx.compile_steps)
    if isinstance(node, A.Literal):
        return const(node.value, node.type)
    if isinstance(node, A.Column):
        return _column(node, env)
    if isinstance(node, A.Binary):
        return _binary(node, env)
    if isinstance(node, A.Call):
        return _call(node, env)
    if isinstance(node, A.Member):
        return _member(node, env)
    if isinstance(node, A.Index):
        return _index(node, env)
    if isinstance(node, A.Unary):
        inner = compile_expr(node.operand, env)
        f = inner.fn
        out = CExpr(
            lambda r: neg(f(r)), inner.type if inner.type != "dynamic" else "real", row_free=inner.row_free
        )
        return _fold(out) if inner.const else out
    if isinstance(node, A.InList):
        return _in(node, env)
    if isinstance(node, A.Between):
        return _between(node, env)
    if isinstance(node, A.Star):
        raise err(node, "'*' is only allowed as an argument of an aggregate such as arg_max(x, *)")
    if isinstance(node, (A.Pipeline, A.Datatable)):
        raise err(node, "a tabular expression cannot be used where a scalar value is expected")
    raise err(node, f"unsupported expression {type(node).__name__}")


def _fold(c: CExpr) -> CExpr:
    try:
        value = c.fn({})
    except _ERRS:
        return c
    return const(value, c.type)


def _column(node: A.Column, env: Env) -> CExpr:
    name = node.name
    if name in env.columns:
        typ = env.columns[name]
        if typ == "string":
            return CExpr(lambda r: r.get(name) or "", typ, vec=V.column(name, True))
        return CExpr(lambda r: r.get(name), typ, vec=V.column(name, False))
    binding = env.lets.get(name)
    if binding is not None:
        if binding.kind == "scalar" and binding.scalar is not None:
            return binding.scalar
        if binding.kind == "lambda" and not binding.node.params:
            # A function without parameters may be named without parentheses (named-expressions.md).
            return _udf_call(A.Call(name, (), pos=node.pos), binding, env)
        raise err(node, f"'{name}' is a {binding.kind} name and cannot be used as a scalar value here")
    raise err(node, f"unknown column or name '{name}'", _did_you_mean(name, [*env.columns, *env.lets]))


def _arith_type(op: str, lt: str, rt: str, node: Any) -> str:
    if "string" in (lt, rt) or ("bool" in (lt, rt) and "dynamic" not in (lt, rt)):
        raise err(
            node,
            f"the operator '{op}' cannot be applied to {lt} and {rt}",
            "use strcat() to join strings" if op == "+" else None,
        )
    pair = {lt, rt}
    if lt == "datetime" and rt == "datetime":
        if op != "-":
            raise err(node, f"the operator '{op}' cannot be applied to two datetimes")
        return "timespan"
    if "datetime" in pair:
        return "datetime"
    if lt == "timespan" and rt == "timespan":
        return "real" if op == "/" else "timespan"
    if "timespan" in pair:
        return "timespan"
    if "dynamic" in pair:
        return "real"
    return numeric_promote([lt, rt])


def _binary(node: A.Binary, env: Env) -> CExpr:
    op = node.op
    left, right = compile_expr(node.left, env), compile_expr(node.right, env)
    fa, fb = left.fn, right.fn
    if right.row_free and not right.const:
        fb = _cached(fb, env.ctx)
    if left.row_free and not left.const:
        fa = _cached(fa, env.ctx)
    row_free = left.row_free and right.row_free
    fn: Fn
    vec: VFn | None = None
    if op == "and":

        def fn(r: Row) -> Any:
            a = fa(r)
            if a is False:
                return False
            b = fb(r)
            if b is False:
                return False
            return None if a is None or b is None else True

        typ = "bool"
        vec = V.logical_and(_vec_of(left, fa), _vec_of(right, fb))
    elif op == "or":

        def fn(r: Row) -> Any:
            a = fa(r)
            if a is True:
                return True
            b = fb(r)
            if b is True:
                return True
            return None if a is None or b is None else False

        typ = "bool"
        vec = V.logical_or(_vec_of(left, fa), _vec_of(right, fb))
    elif op in ARITH:
        typ = _arith_type(op, left.type, right.type, node)
        impl = ARITH[op]
        if left.type in ("int", "long") and right.type in ("int", "long") and op in "+-*":
            pyop = {"+": int.__add__, "-": int.__sub__, "*": int.__mul__}[op]
            wrap = wrap_int if typ == "int" else wrap_long

            def fn(r: Row) -> Any:
                a = fa(r)
                if a is None:
                    return None
                b = fb(r)
                return None if b is None else wrap(pyop(a, b))

            va, vb = _vec_of(left, fa), _vec_of(right, fb)

            def int_vec(b: Batch) -> list[Any]:
                return [
                    None if x is None or y is None else wrap(pyop(x, y))
                    for x, y in zip(va(b), vb(b), strict=True)
                ]

            vec = int_vec
        elif typ == "real" and "dynamic" in (left.type, right.type):

            def fn(r: Row) -> Any:
                v = impl(fa(r), fb(r))
                return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else None
        else:

            def fn(r: Row) -> Any:
                return impl(fa(r), fb(r))

            vec = V.elementwise(impl, _vec_of(left, fa), _vec_of(right, fb))
    elif op in COMPARE:
        typ = "bool"
        cmp = COMPARE[op]
        fn = _compare_fast(op, left, right, fa, fb) or (lambda r: cmp(fa(r), fb(r)))
        vec = _compare_vec(op, left, right, fa, fb)
    elif op in STRING_OPS:
        typ = "bool"
        pred = string_predicate(op)
        fn = _string_fast(op, right, fa) or (lambda r: pred(fa(r), fb(r)))
        if right.const:
            needle = to_str(right.value)
            vs = _vec_of(left, fa)
            if op == "contains":
                low = needle.lower()
                vec = lambda b: [  # noqa: E731
                    low in (v if isinstance(v, str) else to_str(v)).lower() for v in vs(b)
                ]
            else:
                vec = lambda b: [pred(x, needle) for x in vs(b)]  # noqa: E731
    elif op == "matches regex":
        typ = "bool"
        fn = lambda r: matches_regex(fa(r), fb(r))  # noqa: E731
    else:
        raise err(node, f"unknown operator {op!r}")
    out = CExpr(fn, typ, row_free=row_free, vec=None if row_free else vec)
    return _fold(out) if left.const and right.const else out


def _vec_of(c: CExpr, f: Fn) -> VFn:
    """The batch form of an operand whose row closure is ``f`` (``c.fn``, or it cached per run)."""
    if f is not c.fn:
        return lambda b: [f(NO_ROW)] * len(b)
    return V.vector(c)


_ORDER: Final = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}
_SIMPLE: Final = ("datetime", "timespan", "int", "long", "real")


def _same_scalar_types(left: CExpr, right: CExpr) -> bool:
    """Both sides of one scalar type (or both numeric): ordered with Python's own operators."""
    return (
        left.type in _SIMPLE
        and right.type in _SIMPLE
        and (left.type == right.type or (left.type in NUMERIC and right.type in NUMERIC))
    )


def _compare_vec(op: str, left: CExpr, right: CExpr, fa: Fn, fb: Fn) -> VFn | None:
    # The batch forms of _compare_fast's cases (the same values, row for row).
    if op in _ORDER and _same_scalar_types(left, right):
        b_of = V.scalar_of(right, fb)
        if b_of is not None:
            return V.compare_scalar(op, _vec_of(left, fa), b_of)
        return V.compare_rows(_ORDER[op], _vec_of(left, fa), _vec_of(right, fb))
    if left.type == "string" and right.type == "string" and op in ("==", "!=") and right.const:
        return V.equals_const(_vec_of(left, fa), right.value, op == "!=")
    return None


def _compare_fast(op: str, left: CExpr, right: CExpr, fa: Fn, fb: Fn) -> Fn | None:
    # Same-typed scalar comparisons (datetime > ago(1d), long == 200): skip the generic checks.
    if _same_scalar_types(left, right):
        pyop = _ORDER.get(op)
        if pyop is not None:

            def fn(r: Row) -> Any:
                a = fa(r)
                if a is None:
                    return None
                b = fb(r)
                return None if b is None else pyop(a, b)

            return fn
    if left.type == "string" and right.type == "string" and op in ("==", "!="):
        if right.const:
            v = right.value
            return (lambda r: fa(r) == v) if op == "==" else (lambda r: fa(r) != v)
        return (lambda r: fa(r) == fb(r)) if op == "==" else (lambda r: fa(r) != fb(r))
    return None


def _string_fast(op: str, right: CExpr, fa: Fn) -> Fn | None:
    if not right.const:
        return None
    needle = to_str(right.value)
    pred = string_predicate(op)
    if op == "contains":
        low = needle.lower()
        return lambda r: low in ((v if isinstance(v := fa(r), str) else to_str(v)).lower())
    return lambda r: pred(fa(r), needle)


def _member(node: A.Member, env: Env) -> CExpr:
    target = compile_expr(node.target, env)
    ft, key = target.fn, node.name

    def fn(r: Row) -> Any:
        v = ft(r)
        return v.get(key) if isinstance(v, dict) else None

    vec = None if target.row_free else V.member(V.vector(target), key)
    return CExpr(fn, "dynamic", row_free=target.row_free, vec=vec)


def _index(node: A.Index, env: Env) -> CExpr:
    target = compile_expr(node.target, env)
    index = compile_expr(node.index, env)
    ft, fi = target.fn, index.fn

    def fn(r: Row) -> Any:
        v = ft(r)
        k = fi(r)
        if isinstance(v, list):
            if not isinstance(k, int) or isinstance(k, bool):
                return None
            if k < 0:
                k += len(v)
            return v[k] if 0 <= k < len(v) else None
        if isinstance(v, dict):
            return v.get(k if isinstance(k, str) else to_str(k))
        return None

    return CExpr(fn, "dynamic", row_free=target.row_free and index.row_free)


def _in(node: A.InList, env: Env) -> CExpr:
    left = compile_expr(node.left, env)
    from azlogs.kql._tabular_more import tabular_values

    items = [tabular_values(i, env) or compile_expr(i, env) for i in node.items]
    negated = node.op.startswith("!")
    ci = node.op.endswith("~")
    fa = left.fn
    if node.op.lstrip("!") in ("has_any", "has_all"):
        from azlogs.kql._operators import has

        fns = [i.fn for i in items]
        want_all = node.op.lstrip("!") == "has_all"

        def fn_has(r: Row) -> Any:
            text = to_str(fa(r))
            terms: list[Any] = []
            for f in fns:
                v = f(r)
                terms.extend(v if isinstance(v, list) else [v])
            hits = (has(text, to_str(t)) for t in terms)
            res = all(hits) if want_all else any(hits)
            return not res if negated else res

        return CExpr(fn_has, "bool", row_free=left.row_free)
    if all(i.const and not isinstance(i.value, (list, dict)) for i in items):
        values = [i.value for i in items]
        if ci:
            lowered = frozenset(to_str(v).lower() for v in values)

            def fn_ci(r: Row) -> Any:
                v = fa(r)
                res = (v if isinstance(v, str) else to_str(v)).lower() in lowered
                return not res if negated else res

            vl = V.vector(left)
            if negated:
                vec_ci: VFn = lambda b: [  # noqa: E731
                    (v if isinstance(v, str) else to_str(v)).lower() not in lowered for v in vl(b)
                ]
            else:
                vec_ci = lambda b: [  # noqa: E731
                    (v if isinstance(v, str) else to_str(v)).lower() in lowered for v in vl(b)
                ]
            return CExpr(fn_ci, "bool", row_free=left.row_free, vec=None if left.row_free else vec_ci)
        if all(isinstance(v, str) for v in values):
            svals = frozenset(values)

            def fn_s(r: Row) -> Any:
                v = fa(r)
                res = isinstance(v, str) and v in svals
                return not res if negated else res

            vs = V.vector(left)
            if negated:
                vec_s: VFn = lambda b: [not (isinstance(v, str) and v in svals) for v in vs(b)]  # noqa: E731
            else:
                vec_s = lambda b: [isinstance(v, str) and v in svals for v in vs(b)]  # noqa: E731
            return CExpr(fn_s, "bool", row_free=left.row_free, vec=None if left.row_free else vec_s)
    fns = [i.fn for i in items]

    def fn(r: Row) -> Any:
        res = in_list(fa(r), [f(r) for f in fns], ci)
        return not res if negated else res

    return CExpr(fn, "bool", row_free=left.row_free)


def _between(node: A.Between, env: Env) -> CExpr:
    x, lo, hi = (compile_expr(n, env) for n in (node.left, node.low, node.high))
    fx, flo, fhi = x.fn, lo.fn, hi.fn
    relative = hi.type == "timespan" and lo.type == "datetime"
    negated = node.negated

    def fn(r: Row) -> Any:
        v, a, b = fx(r), flo(r), fhi(r)
        if v is None or a is None or b is None:
            return None
        if relative:
            b = a + b
        try:
            res = a <= v <= b
        except TypeError:
            return None
        return not res if negated else res

    return CExpr(fn, "bool", row_free=x.row_free and lo.row_free and hi.row_free)


# ----------------------------------------------------------------------------- calls


def _call(node: A.Call, env: Env) -> CExpr:
    name = node.name
    from azlogs.kql._special_forms import SPECIAL

    special = SPECIAL.get(name)
    if special is not None:
        return special(node, env)
    binding = env.lets.get(name)
    if binding is not None and binding.kind == "lambda":
        return _udf_call(node, binding, env)
    spec = lookup(name)
    from azlogs.kql._sketches import SCALAR_FORMS, is_aggregate_call

    if (
        spec is None
        or spec.profile == "aggregate"
        or (name in SCALAR_FORMS and env.aggregates is not None and is_aggregate_call(name, len(node.args)))
    ):
        from azlogs.kql._aggregates import AGGREGATES

        if name in AGGREGATES:
            if env.aggregates is not None:
                compiled: CExpr = env.aggregates["compile"](node, env)
                return compiled
            raise err(node, f"the aggregate '{name}()' can only be used in summarize")
        known = [*list(__import__("azlogs.kql._registry", fromlist=["REGISTRY"]).REGISTRY), *env.lets]
        raise err(node, f"unknown function '{name}'", _did_you_mean(name, known))
    n = len(node.args)
    if n < spec.min_args or (spec.max_args != -1 and n > spec.max_args):
        from azlogs.kql._registry import arity_text

        raise err(node, f"{name}() takes {arity_text(spec)} argument(s), got {n}")
    args = [compile_expr(a, env) for a in node.args]
    typ = spec.result_type([a.type for a in args])
    if name == "extract" and len(args) == 4:
        typ = args[3].value if isinstance(args[3].value, str) else "string"
    impl = spec.impl
    assert impl is not None
    null = null_of(typ)
    fns = [a.fn if a.const or not a.row_free else _cached(a.fn, env.ctx) for a in args]
    fn: Fn
    if n == 1:
        f0 = fns[0]

        def fn(r: Row) -> Any:
            try:
                return impl(f0(r))
            except _ERRS:
                return null
    elif n == 2:
        f0, f1 = fns

        def fn(r: Row) -> Any:
            try:
                return impl(f0(r), f1(r))
            except _ERRS:
                return null
    else:

        def fn(r: Row) -> Any:
            try:
                return impl(*[f(r) for f in fns])
            except _ERRS:
                return null

    if typ == "string":
        inner = fn

        def fn(r: Row) -> Any:
            v = inner(r)
            if not isinstance(v, str):
                v = to_str(v)
            # A string built by doubling (x = strcat(x, x) ...) is refused before it eats the memory.
            return checked_size(v, f"the string of {name}()") if len(v) > 4096 else v
    elif typ == "dynamic":
        inner_dyn = fn

        def fn(r: Row) -> Any:
            v = inner_dyn(r)
            return checked_size(v, f"the array of {name}()") if type(v) is list and len(v) > 4096 else v

    row_free = all(a.row_free for a in args)
    vec: VFn | None = None
    if not row_free:
        vec = _call_vec(name, impl, args, fns, null, typ)
    out = CExpr(fn, typ, row_free=row_free, vec=vec)
    return _fold(out) if all(a.const for a in args) else out


def _call_vec(
    name: str, impl: Callable[..., Any], args: list[CExpr], fns: list[Fn], null: Any, typ: str
) -> VFn:
    """The batch form of a call (see :func:`azlogs.kql._vector.call`), with bin() of datetimes by
    a constant size on its own fast path."""
    if (
        impl is bin_value
        and args[0].type == "datetime"
        and args[1].const
        and isinstance(args[1].value, timedelta)
        and args[1].value > timedelta(0)
    ):
        size = args[1].value

        def fallback(x: Any) -> Any:
            try:
                return impl(x, size)
            except _ERRS:
                return null

        return V.bin_datetime(_vec_of(args[0], fns[0]), size, fallback)
    parts = [(_vec_of(a, f), V.scalar_of(a, f)) for a, f in zip(args, fns, strict=True)]
    return V.call(impl, parts, null, typ, name)


def udf_arguments(node: A.Call, lam: A.Lambda) -> list[Any]:
    """The argument expression of each parameter, in the parameters' order (None: its default).
    Arguments given by name (``f(c=7, a=12)``) take their parameter. Positional arguments before the
    first named one take their own places; those after it fill the parameters still free, in order
    (assert-function.md's ``checkLength(len=3, input)``). A parameter given twice is refused."""
    names = [p.name for p in lam.params]
    slots: list[Any] = [None] * len(names)
    named = [isinstance(a, A.Assign) and a.name is not None and not a.names for a in node.args]
    first_named = named.index(True) if True in named else len(node.args)
    later: list[Any] = []
    for i, a in enumerate(node.args):
        if not named[i]:
            if i < first_named and i < len(slots):
                slots[i] = a
            else:
                later.append(a)
            continue
        assert isinstance(a, A.Assign) and a.name is not None
        if a.name not in names:
            raise err(a, f"{node.name}() has no parameter named '{a.name}'")
        at = names.index(a.name)
        if slots[at] is not None:
            raise err(a, f"{node.name}(): the parameter '{a.name}' is given twice")
        slots[at] = a.expr
    free = [i for i, s in enumerate(slots) if s is None]
    if len(later) > len(free):
        raise err(node, f"{node.name}() takes {len(lam.params)} argument(s), got {len(node.args)}")
    for i, a in zip(free, later, strict=False):
        slots[i] = a
    if any(s is None and p.default is None for p, s in zip(lam.params, slots, strict=True)):
        raise err(node, f"{node.name}() takes {len(lam.params)} argument(s), got {len(node.args)}")
    return slots


def _udf_call(node: A.Call, binding: LetBinding, env: Env) -> CExpr:
    lam: A.Lambda = binding.node
    slots = udf_arguments(node, lam)
    if env.depth > 20:
        raise err(node, f"{node.name}() calls itself too deeply")
    body = binding.body
    if body is None:
        # The body sees only its parameters (with their declared types) and the lets of its
        # definition, never the caller's columns: one compiled body serves every call. Inlining it
        # at each call made nested functions (f2 calls f1 twice, f3 calls f2 twice...) compile in
        # exponential time.
        assert binding.env is not None
        inner_env = Env(
            {p.name: p.type for p in lam.params}, dict(binding.env.lets), env.ctx, depth=env.depth + 1
        )
        for let in lam.lets:
            bind_let(let, inner_env, parameters=True)
        body = compile_expr(lam.body, inner_env)
        binding.body = body
    args = [
        compile_expr(s if s is not None else p.default, env) for s, p in zip(slots, lam.params, strict=True)
    ]
    names = [p.name for p in lam.params]
    getters = [a.fn for a in args]
    fb = body.fn

    def fn(r: Row) -> Any:
        # A call is work the row loops do not see (f calls f' twice, f' calls f'' twice ...).
        current().tick()
        return fb({n: g(r) for n, g in zip(names, getters, strict=True)})

    return CExpr(fn, body.type, row_free=all(a.row_free for a in args))


def bind_let(let: A.Let, env: Env, *, parameters: bool = False) -> None:
    """Bind a ``let`` statement into ``env.lets``; ``parameters``: a ``let`` inside a function's
    body, whose value may read the function's parameters (the columns of ``env``)."""
    value = let.value
    if isinstance(value, A.Lambda):
        env.lets[let.name] = LetBinding("lambda", node=value, env=env)
        return
    if _is_tabular(value, env):
        env.lets[let.name] = LetBinding(
            "tabular", node=value, env=Env(dict(env.columns), dict(env.lets), env.ctx, extra=env.extra)
        )
        return
    scalar = compile_expr(value, env if parameters else env.with_columns({}))
    if scalar.row_free and not scalar.const:
        scalar = CExpr(_cached(scalar.fn, env.ctx), scalar.type, row_free=True)
    env.lets[let.name] = LetBinding("scalar", scalar=scalar)


def _is_tabular(node: Any, env: Env) -> bool:
    if isinstance(node, (A.Pipeline, A.Datatable, A.Print, A.Union_, A.Range)):
        return True
    if isinstance(node, A.Column):
        b = env.lets.get(node.name)
        if b is not None:
            return b.kind == "tabular"
        provider = env.ctx.provider
        return node.name == "source" or (
            provider is not None and provider.table_columns(node.name) is not None
        )
    from azlogs.kql._tabular_more import is_tabular_node

    return is_tabular_node(node, env)
