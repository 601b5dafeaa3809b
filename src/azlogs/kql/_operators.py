"""Scalar operators with KQL semantics: arithmetic, comparison, string predicates, ``has``.

Nulls propagate through arithmetic and ordering; ``==`` of null and a value is false, of two
nulls is null; strings are compared case-sensitively by ``==`` and insensitively by ``=~``.
"""

from __future__ import annotations

import math
import re
from datetime import datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import Any

from azlogs.kql._regex import compile_regex
from azlogs.kql._values import to_str, wrap_long

_US = timedelta(microseconds=1)


def _text(v: Any) -> str:
    return v if isinstance(v, str) else to_str(v)


# Python's + and * work on lists, dicts' views and strings (concatenation, repetition); KQL's
# arithmetic on a dynamic array or bag is null. Repetition would build a list as long as a long.
_CONTAINERS = (list, tuple, dict, set)


def _not_arithmetic(a: Any, b: Any) -> bool:
    return a is None or b is None or isinstance(a, (str, *_CONTAINERS)) or isinstance(b, (str, *_CONTAINERS))


def _num(v: Any) -> Any:
    # bool is an int in Python; KQL refuses bool arithmetic, we treat it as 0/1 only via dynamic.
    return v


def add(a: Any, b: Any) -> Any:
    """``a + b``."""
    if _not_arithmetic(a, b):
        return None
    if isinstance(a, timedelta) and isinstance(b, datetime):
        return b + a
    try:
        if isinstance(a, Decimal) or isinstance(b, Decimal):
            return Decimal(str(a)) + Decimal(str(b))
        r = a + b
        return wrap_long(r) if type(r) is int else r
    except (TypeError, OverflowError):
        return None


def sub(a: Any, b: Any) -> Any:
    """``a - b``."""
    if _not_arithmetic(a, b):
        return None
    try:
        if isinstance(a, Decimal) or isinstance(b, Decimal):
            return Decimal(str(a)) - Decimal(str(b))
        r = a - b
        return wrap_long(r) if type(r) is int else r
    except (TypeError, OverflowError):
        return None


def mul(a: Any, b: Any) -> Any:
    """``a * b`` (a timespan times a number is a timespan)."""
    if _not_arithmetic(a, b):
        return None
    try:
        if isinstance(a, timedelta) and isinstance(b, float):
            return timedelta(microseconds=round(a / _US * b))
        if isinstance(b, timedelta) and isinstance(a, float):
            return timedelta(microseconds=round(b / _US * a))
        if isinstance(a, Decimal) or isinstance(b, Decimal):
            return Decimal(str(a)) * Decimal(str(b))
        r = a * b
        return wrap_long(r) if type(r) is int else r
    except (TypeError, OverflowError):
        return None


def div(a: Any, b: Any) -> Any:
    """``a / b``: integer division truncates toward zero; x/0 is null for integers, ±inf for reals."""
    if _not_arithmetic(a, b):
        return None
    try:
        if isinstance(a, int) and isinstance(b, int) and not isinstance(a, bool):
            if b == 0:
                return None
            q = abs(a) // abs(b)
            return wrap_long(q if (a >= 0) == (b >= 0) else -q)
        if isinstance(a, timedelta):
            if isinstance(b, timedelta):
                return a / b if b else None
            if b == 0:
                return None
            return timedelta(microseconds=int((a / _US) / b))
        if isinstance(a, Decimal) or isinstance(b, Decimal):
            return Decimal(str(a)) / Decimal(str(b)) if b != 0 else None
        if b == 0:
            fa = float(a)
            if fa == 0 or math.isnan(fa):
                return math.nan
            return math.copysign(math.inf, fa) * (math.copysign(1.0, float(b)))
        return a / b
    except (TypeError, OverflowError, ArithmeticError):
        return None


def mod(a: Any, b: Any) -> Any:
    """``a % b``: the result is never negative for integers (``-10 % 4 == 2``)."""
    if _not_arithmetic(a, b):
        return None
    try:
        if b == 0:
            return None
        return a % abs(b)
    except (TypeError, ArithmeticError):
        return None


def neg(a: Any) -> Any:
    """Unary minus."""
    if a is None or isinstance(a, (str, bool)):
        return None
    try:
        r = -a
        return wrap_long(r) if type(r) is int else r
    except TypeError:
        return None


ARITH = {"+": add, "-": sub, "*": mul, "/": div, "%": mod}


def _comparable(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool)
    num = (int, float, Decimal)
    if isinstance(a, num) and isinstance(b, num):
        return True
    return type(a) is type(b) or (isinstance(a, type(b)) or isinstance(b, type(a)))


def eq(a: Any, b: Any) -> bool | None:
    """``==`` (case-sensitive for strings)."""
    if a is None or b is None:
        return None if a is None and b is None else False
    if isinstance(a, bool) != isinstance(b, bool):
        return False
    try:
        return bool(a == b)
    except TypeError:
        return False


def ne(a: Any, b: Any) -> bool | None:
    """``!=``."""
    if a is None or b is None:
        return None if a is None and b is None else True
    r = eq(a, b)
    return None if r is None else not r


def _order(a: Any, b: Any) -> tuple[Any, Any] | None:
    if a is None or b is None:
        return None
    if not _comparable(a, b):
        return None
    return a, b


def lt(a: Any, b: Any) -> bool | None:
    """``<``."""
    p = _order(a, b)
    return None if p is None else p[0] < p[1]


def le(a: Any, b: Any) -> bool | None:
    """``<=``."""
    p = _order(a, b)
    return None if p is None else p[0] <= p[1]


def gt(a: Any, b: Any) -> bool | None:
    """``>``."""
    p = _order(a, b)
    return None if p is None else p[0] > p[1]


def ge(a: Any, b: Any) -> bool | None:
    """``>=``."""
    p = _order(a, b)
    return None if p is None else p[0] >= p[1]


def eq_ci(a: Any, b: Any) -> bool:
    """``=~``: case-insensitive string equality."""
    return _text(a).lower() == _text(b).lower()


COMPARE = {"==": eq, "!=": ne, "<": lt, "<=": le, ">": gt, ">=": ge}


# ----------------------------------------------------------------------------- has


@lru_cache(maxsize=1024)
def _term_regex(needle: str, case_sensitive: bool, mode: str) -> re.Pattern[str]:
    # A term is a run of ASCII letters and digits; `has` needs term boundaries at the needle's
    # alphanumeric ends, `hasprefix` only at the start, `hassuffix` only at the end.
    body = re.escape(needle)
    start = r"(?<![A-Za-z0-9])" if needle[:1].isalnum() and mode in ("has", "prefix") else ""
    end = r"(?![A-Za-z0-9])" if needle[-1:].isalnum() and mode in ("has", "suffix") else ""
    return re.compile(start + body + end, 0 if case_sensitive else re.IGNORECASE)


def has(hay: str, needle: str, case_sensitive: bool = False, mode: str = "has") -> bool:
    """Term match: ``"disk error"`` has ``"error"``; ``"errors"`` does not."""
    if not needle:
        return True
    return _term_regex(needle, case_sensitive, mode).search(hay) is not None


def _contains(a: str, b: str) -> bool:
    return b.lower() in a.lower()


def _startswith(a: str, b: str) -> bool:
    return a.lower().startswith(b.lower())


def _endswith(a: str, b: str) -> bool:
    return a.lower().endswith(b.lower())


_STRING_PREDICATES: dict[str, Any] = {
    "contains": _contains,
    "contains_cs": lambda a, b: b in a,
    "has": lambda a, b: has(a, b),
    "has_cs": lambda a, b: has(a, b, True),
    "hasprefix": lambda a, b: has(a, b, False, "prefix"),
    "hasprefix_cs": lambda a, b: has(a, b, True, "prefix"),
    "hassuffix": lambda a, b: has(a, b, False, "suffix"),
    "hassuffix_cs": lambda a, b: has(a, b, True, "suffix"),
    "startswith": _startswith,
    "startswith_cs": lambda a, b: a.startswith(b),
    "endswith": _endswith,
    "endswith_cs": lambda a, b: a.endswith(b),
    "=~": lambda a, b: a.lower() == b.lower(),
}


def string_predicate(op: str) -> Any:
    """A two-argument function (values, not text) for a string operator, ``!`` forms included."""
    negated = op.startswith("!") and op not in ("!=",)
    base = op[1:] if negated else op
    if base == "~":  # "!~"
        base, negated = "=~", True
    fn = _STRING_PREDICATES[base]

    def pred(a: Any, b: Any) -> bool:
        r = bool(fn(a if isinstance(a, str) else to_str(a), b if isinstance(b, str) else to_str(b)))
        return not r if negated else r

    return pred


STRING_OPS = frozenset(_STRING_PREDICATES) | {"!" + k for k in _STRING_PREDICATES if k != "=~"} | {"!~"}


def matches_regex(a: Any, pattern: Any) -> bool:
    """``matches regex``: RE2 search anywhere in the text."""
    return compile_regex(_text(pattern)).search(_text(a)) is not None


def in_list(value: Any, items: list[Any], case_insensitive: bool) -> bool:
    """``in``/``in~`` membership; dynamic arrays among the items are flattened."""
    flat: list[Any] = []
    for it in items:
        if isinstance(it, list):
            flat.extend(it)
        else:
            flat.append(it)
    if case_insensitive:
        low = _text(value).lower()
        return any(_text(it).lower() == low for it in flat)
    return any(eq(value, it) for it in flat)
