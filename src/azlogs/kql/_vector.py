"""Column-at-a-time forms of compiled expressions: the values of a whole batch of rows in one call.

A compiled expression (:class:`~azlogs.kql._compile.CExpr`) is a closure over one row; evaluating a
plan row by row costs several Python calls per node and row. The forms here take a batch (a list
of rows) and answer the list of values, each node one loop over the batch, so a ``where`` or an
``extend`` costs one call per node and batch instead. Each form gives, for every row, exactly what
the row closure gives: the same values, the same nulls, the same exceptions. The batch runner
(:mod:`azlogs.kql._plan`) replays a batch row by row when anything in it raises, so what a run
reports (which error, which record) is the row-by-row answer too.

A node without a form here is evaluated through its row closure (:func:`vector`), which is always
right, only slower.

Values that grow (strings and arrays a function builds) are counted per batch: past
:data:`BATCH_BIG` elements in one batch the batch is replayed row by row (:class:`Replay`), so a
batch never holds much more memory than the row-by-row run would.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Final

from azlogs.kql import _fn_datetime, _fn_misc
from azlogs.kql._batch import NO_ROW, Batch
from azlogs.kql._budget import checked_size
from azlogs.kql._values import (
    EPOCH,
    INT_MAX,
    INT_MIN,
    LONG_MAX,
    LONG_MIN,
    UTC,
    parse_datetime,
    parse_json_texts,
    parse_json_value,
    to_str,
)

Row = Any
Fn = Callable[[Row], Any]
VFn = Callable[[Batch], list[Any]]

# The characters (strings) or elements (arrays) of large values one batch may build in one
# expression before it is replayed row by row. A value up to 4096 long is never counted.
BATCH_BIG: Final = 8 * 1024 * 1024
_SMALL: Final = 4096
_ERRS: Final = (TypeError, ValueError, ArithmeticError, AttributeError, IndexError, KeyError, OverflowError)


class Replay(Exception):
    """Evaluate this batch row by row (it would hold too much at once)."""


def vector(c: Any) -> VFn:
    """The batch form of a compiled expression (its own, else its row closure over each row)."""
    vec: VFn | None = c.vec
    if vec is not None:
        return vec
    if c.const:
        value = c.value
        return lambda b: [value] * len(b)
    f = c.fn
    return lambda b: list(map(f, b.rows()))


def scalar_of(c: Any, f: Fn) -> Fn | None:
    """For an expression with one value per run (a constant, or ``ago(1d)`` cached per run): a
    function of the batch's rows answering that value; else None."""
    if c.const:
        value = c.value
        return lambda b: value
    if c.row_free and f is not c.fn:  # wrapped by _cached: the same value for every row of the run
        return lambda b: f(NO_ROW)
    return None


def column(name: str, string: bool) -> VFn:
    """A column's values (a string column reads null as the empty string)."""
    if string:
        return lambda b: [v or "" for v in b.column(name)]
    return lambda b: b.column(name)


def logical_and(va: VFn, vb: VFn) -> VFn:
    """``a and b``: b is evaluated only on the rows where a is not false."""
    return _logical(va, vb, False)


def logical_or(va: VFn, vb: VFn) -> VFn:
    """``a or b``: b is evaluated only on the rows where a is not true."""
    return _logical(va, vb, True)


def _logical(va: VFn, vb: VFn, stop: bool) -> VFn:
    # `stop` decides alone (false for and, true for or); two other values give `not stop`, or
    # null when either is null.
    other = not stop

    def vec(b: Batch) -> list[Any]:
        a = va(b)
        idx = [i for i, x in enumerate(a) if x is not stop]
        out: list[Any] = [stop] * len(a)
        if not idx:
            return out
        right = vb(b if len(idx) == len(a) else b.take(idx))
        for i, y in zip(idx, right, strict=True):
            if y is not stop:
                out[i] = None if a[i] is None or y is None else other
        return out

    return vec


def choose(vc: VFn, va: VFn, vb: VFn) -> VFn:
    """``iff(c, a, b)``: a on the rows where c is true, b on the others (each evaluated only there)."""

    def vec(b: Batch) -> list[Any]:
        cond = vc(b)
        yes = [i for i, x in enumerate(cond) if x is True]
        if len(yes) == len(cond):
            return va(b)
        if not yes:
            return vb(b)
        chosen = set(yes)
        no = [i for i in range(len(cond)) if i not in chosen]
        out: list[Any] = [None] * len(cond)
        for i, v in zip(yes, va(b.take(yes)), strict=True):
            out[i] = v
        for i, v in zip(no, vb(b.take(no)), strict=True):
            out[i] = v
        return out

    return vec


def compare_scalar(op: str, va: VFn, b_of: Fn) -> VFn | None:
    """``x < b`` ... where b has one value per run and both sides are of one scalar type."""
    if op == ">":

        def gt(b: Batch) -> list[Any]:
            y = b_of(b) if len(b) else None
            a = va(b)
            return [None] * len(a) if y is None else [None if x is None else x > y for x in a]

        return gt
    if op == ">=":

        def ge(b: Batch) -> list[Any]:
            y = b_of(b) if len(b) else None
            a = va(b)
            return [None] * len(a) if y is None else [None if x is None else x >= y for x in a]

        return ge
    if op == "<":

        def lt(b: Batch) -> list[Any]:
            y = b_of(b) if len(b) else None
            a = va(b)
            return [None] * len(a) if y is None else [None if x is None else x < y for x in a]

        return lt
    if op == "<=":

        def le(b: Batch) -> list[Any]:
            y = b_of(b) if len(b) else None
            a = va(b)
            return [None] * len(a) if y is None else [None if x is None else x <= y for x in a]

        return le
    return None


def compare_rows(pyop: Callable[[Any, Any], Any], va: VFn, vb: VFn) -> VFn:
    """``x < y`` of two scalar columns of one type: null when either is null."""

    def vec(b: Batch) -> list[Any]:
        return [None if x is None or y is None else pyop(x, y) for x, y in zip(va(b), vb(b), strict=True)]

    return vec


def equals_const(va: VFn, value: Any, negated: bool) -> VFn:
    """``s == 'x'`` / ``s != 'x'`` of a string."""
    if negated:
        return lambda b: [x != value for x in va(b)]
    return lambda b: [x == value for x in va(b)]


def elementwise(f: Callable[..., Any], *args: VFn) -> VFn:
    """``f(a, b ...)`` row by row over the arguments' batch values (f handles nulls itself)."""
    if len(args) == 1:
        (v0,) = args
        return lambda b: list(map(f, v0(b)))
    if len(args) == 2:
        v0, v1 = args
        return lambda b: list(map(f, v0(b), v1(b)))
    return lambda b: list(map(f, *(v(b) for v in args)))


def member(vt: VFn, key: str) -> VFn:
    """``x.key`` of a dynamic bag (null for anything else)."""
    return lambda b: [v.get(key) if isinstance(v, dict) else None for v in vt(b)]


def call(
    impl: Callable[..., Any],
    args: list[tuple[VFn, Fn | None]],
    null: Any,
    typ: str,
    name: str,
) -> VFn:
    """A function call: the row closure's value for every row (errors give the type's null, strings
    and arrays are checked against the value size limit and counted against :data:`BATCH_BIG`).

    ``args`` holds each argument's batch form and, for one with one value per run, a function of
    the batch answering that value (evaluated once per batch).
    """

    def safe(*xs: Any) -> Any:
        try:
            return impl(*xs)
        except _ERRS:
            return null

    def columns(b: Batch) -> list[Any]:
        n = len(b)
        return [v(b) if s is None else [s(b)] * n for v, s in args]

    fast = FAST.get(impl) if len(args) == 1 else None
    if fast is not None:
        return _checked(_fast_call(fast, safe, args[0][0]), typ, name)

    def values(b: Batch) -> list[Any]:
        cols = columns(b)
        try:
            return list(map(impl, *cols))
        except _ERRS:
            return list(map(safe, *cols))

    if typ not in ("string", "dynamic"):
        return values
    string = typ == "string"
    what = f"the string of {name}()" if string else f"the array of {name}()"

    def growing(b: Batch) -> list[Any]:
        # One value at a time, so a batch of large values stops (and goes row by row) early.
        out: list[Any] = []
        append = out.append
        big = 0
        for v in map(safe, *columns(b)):
            if string and v.__class__ is not str:
                v = to_str(v)
            if (string or type(v) is list) and len(v) > _SMALL:
                checked_size(v, what)
                big += len(v)
                if big > BATCH_BIG:
                    raise Replay
            append(v)
        return out

    return growing


def _fast_call(fast: Callable[[list[Any], Fn], list[Any]], safe: Fn, v0: VFn) -> VFn:
    def vec(b: Batch) -> list[Any]:
        xs = v0(b)
        try:
            return fast(xs, safe)
        except _ERRS:
            return list(map(safe, xs))

    return vec


def _checked(vec: VFn, typ: str, name: str) -> VFn:
    """The row closure's checks of a function's strings and arrays, over a batch of results made by
    a function that never builds a value larger than its argument (see :data:`FAST`)."""
    if typ not in ("string", "dynamic"):
        return vec
    string = typ == "string"
    what = f"the string of {name}()" if string else f"the array of {name}()"

    def checked(b: Batch) -> list[Any]:
        out = vec(b)
        kinds = set(map(type, out))
        if string and kinds == {str} and max(map(len, out), default=0) <= _SMALL:
            return out
        if not string and list not in kinds:
            return out
        for i, v in enumerate(out):
            if string and v.__class__ is not str:
                v = out[i] = to_str(v)
            if (string or type(v) is list) and len(v) > _SMALL:
                checked_size(v, what)
        return out

    return checked


def _tostring(xs: list[Any], safe: Fn) -> list[Any]:
    return [x if x.__class__ is str else safe(x) for x in xs]


def _toint(xs: list[Any], safe: Fn) -> list[Any]:
    return [x if x.__class__ is int and INT_MIN <= x <= INT_MAX else safe(x) for x in xs]


def _tolong(xs: list[Any], safe: Fn) -> list[Any]:
    return [x if x.__class__ is int and LONG_MIN <= x <= LONG_MAX else safe(x) for x in xs]


def _todatetime(xs: list[Any], safe: Fn) -> list[Any]:
    # to_datetime() reads text with parse_datetime() (the one reader of datetime text).
    return [parse_datetime(x) if x.__class__ is str else safe(x) for x in xs]


def _parse_json(xs: list[Any], safe: Fn) -> list[Any]:
    if all(x.__class__ is str for x in xs):
        return parse_json_texts(xs)
    return [parse_json_value(x) if x.__class__ is str else safe(x) for x in xs]


# Batch forms of hot conversion functions: each answers, value for value, what the function answers
# (its ``safe`` form: errors give null); the common case is done inline, anything else by the function.
FAST: Final[dict[Callable[..., Any], Callable[[list[Any], Fn], list[Any]]]] = {
    _fn_misc.tostring: _tostring,
    _fn_misc.toint: _toint,
    _fn_misc.tolong: _tolong,
    _fn_misc.parse_json: _parse_json,
    _fn_datetime.todatetime: _todatetime,
}


def bin_datetime(vx: VFn, size: timedelta, fallback: Fn) -> VFn:
    """``bin(t, 1h)`` of UTC datetimes with a constant positive size: rows close in time share a
    bin, so the last bin's bounds answer most rows with two comparisons. Anything else goes to
    ``fallback`` (the row form, with its nulls)."""

    def vec(batch: Batch) -> list[Any]:
        out: list[Any] = []
        append = out.append
        lo: Any = None
        hi: Any = None
        b: Any = None
        for x in vx(batch):
            if x.__class__ is datetime and x.tzinfo is UTC:
                if lo is None or not lo <= x < hi:
                    b = x - (x - EPOCH) % size
                    lo, hi = b, b + size
                append(b)
            else:
                append(fallback(x))
        return out

    return vec
