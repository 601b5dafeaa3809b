"""Math, bitwise, conversion, dynamic and type functions."""

from __future__ import annotations

import math
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from azlogs.kql._registry import common_type, numeric_promote, register, same_as
from azlogs.kql._values import (
    EPOCH,
    parse_json_value,
    to_bool,
    to_decimal,
    to_dynamic,
    to_guid,
    to_long,
    to_real,
    to_str,
    wrap_long,
)
from azlogs.schema.types import INT_MAX, INT_MIN

_US = timedelta(microseconds=1)


def _f(v: Any) -> float | None:
    if v is None or isinstance(v, bool):
        return None if v is None else float(v)
    if isinstance(v, (int, float, Decimal)):
        return float(v)
    return to_real(v)


def _math1(fn: Any) -> Any:
    def impl(x: Any) -> float | None:
        v = _f(x)
        if v is None:
            return None
        try:
            return float(fn(v))
        except (ValueError, OverflowError, ZeroDivisionError):
            return math.nan if not isinstance(v, float) or not math.isinf(v) else None

    return impl


for _n, _fn in (
    ("exp", math.exp),
    ("exp2", lambda v: 2.0**v),
    ("exp10", lambda v: 10.0**v),
    ("sqrt", math.sqrt),
    ("log", math.log),
    ("log10", math.log10),
    ("log2", math.log2),
):
    register(_n, 1, 1, "real", "dcr" if _n != "sqrt" else "query")(_math1(_fn))


@register("pow", 2, 2, "real", "dcr")
def pow_(x: Any, y: Any) -> float | None:
    """x to the power y."""
    a, b = _f(x), _f(y)
    if a is None or b is None:
        return None
    try:
        return float(a**b) if not (a < 0 and not b.is_integer()) else math.nan
    except (OverflowError, ZeroDivisionError):
        return math.inf


@register("abs", 1, 1, same_as(0), "dcr")
def abs_(x: Any) -> Any:
    """Absolute value (also of a timespan)."""
    if x is None or isinstance(x, str):
        return None
    return abs(x)


@register("sign", 1, 1, "real", "dcr")
def sign(x: Any) -> Any:
    """-1, 0 or 1."""
    v = _f(x)
    if v is None:
        return None
    return float((v > 0) - (v < 0))


@register("ceiling", 1, 1, same_as(0), "dcr")
def ceiling(x: Any) -> Any:
    """Smallest integer not less than x."""
    if x is None or isinstance(x, str):
        return None
    if isinstance(x, int):
        return x
    return float(math.ceil(x)) if math.isfinite(x) else x


@register("isfinite", 1, 1, "bool", "dcr")
def isfinite(x: Any) -> bool | None:
    """Finite real."""
    v = _f(x)
    return None if v is None else math.isfinite(v)


@register("isinf", 1, 1, "bool", "dcr")
def isinf(x: Any) -> bool | None:
    """Infinite real."""
    v = _f(x)
    return None if v is None else math.isinf(v)


@register("isnan", 1, 1, "bool", "dcr")
def isnan(x: Any) -> bool | None:
    """NaN."""
    v = _f(x)
    return None if v is None else math.isnan(v)


@register("round", 1, 2, lambda ts: "real" if ts and ts[0] in ("real", "dynamic") else ts[0], "dcr")
def round_(x: Any, precision: Any = 0) -> Any:
    """Round half away from zero (not Python's banker's rounding)."""
    if x is None or isinstance(x, str):
        return None
    p = int(precision or 0)
    if isinstance(x, int) and p >= 0:
        return x
    if isinstance(x, float) and not math.isfinite(x):
        return x
    d = Decimal(repr(float(x)) if not isinstance(x, Decimal) else x)
    q = d.quantize(Decimal(1).scaleb(-p), rounding=ROUND_HALF_UP)
    return q if isinstance(x, Decimal) else float(q)


def bin_value(x: Any, size: Any) -> Any:
    """``bin``/``floor``: round down to a multiple of ``size`` (datetimes from 1970-01-01)."""
    if x is None or size is None:
        return None
    if isinstance(x, datetime):
        if not isinstance(size, timedelta) or size <= timedelta(0):
            return None
        return x - (x - EPOCH) % size
    if isinstance(x, timedelta):
        if not isinstance(size, timedelta) or size <= timedelta(0):
            return None
        return x - x % size
    if isinstance(x, str) or isinstance(size, (str, timedelta)):
        return None
    if size <= 0:
        return None
    if isinstance(x, int) and isinstance(size, int):
        return x // size * size
    return float(math.floor(x / size) * size)


register("bin", 2, 2, same_as(0), "dcr", aliases=("floor",))(bin_value)


@register("bin_at", 3, 3, same_as(0), "query")
def bin_at(x: Any, size: Any, fixed: Any) -> Any:
    """``bin`` aligned to ``fixed`` instead of zero."""
    if x is None or size is None or fixed is None:
        return None
    try:
        return bin_value(x - fixed, size) + fixed if not isinstance(x, datetime) else (x - (x - fixed) % size)
    except TypeError:
        return None


# ----------------------------------------------------------------------------- bitwise


def _bits(fn: Any) -> Any:
    def impl(*args: Any) -> int | None:
        if any(a is None or not isinstance(a, int) for a in args):
            return None
        return wrap_long(fn(*args))

    return impl


for _bn, _bfn, _ba in (
    ("binary_and", lambda a, b: a & b, 2),
    ("binary_or", lambda a, b: a | b, 2),
    ("binary_xor", lambda a, b: a ^ b, 2),
    ("binary_not", lambda a: ~a, 1),
    ("binary_shift_left", lambda a, b: a << b if 0 <= b < 64 else 0, 2),
    ("binary_shift_right", lambda a, b: a >> b if 0 <= b < 64 else 0, 2),
):
    register(_bn, _ba, _ba, "long", "dcr")(_bits(_bfn))


# ----------------------------------------------------------------------------- conditional


@register("max_of", 1, 64, common_type, "dcr")
def max_of(*args: Any) -> Any:
    """Largest non-null argument."""
    vals = [a for a in args if a is not None]
    try:
        return max(vals) if vals else None
    except TypeError:
        return None


@register("min_of", 1, 64, common_type, "dcr")
def min_of(*args: Any) -> Any:
    """Smallest non-null argument."""
    vals = [a for a in args if a is not None]
    try:
        return min(vals) if vals else None
    except TypeError:
        return None


@register("coalesce", 1, 64, common_type, "query")
def coalesce(*args: Any) -> Any:
    """First argument that is not null (and not the empty string)."""
    for a in args:
        if a is not None and a != "":
            return a
    return args[-1] if args and isinstance(args[-1], str) else None


# ----------------------------------------------------------------------------- conversion


@register("tostring", 1, 1, "string", "dcr")
def tostring(v: Any) -> str:
    """Text form; dynamic arrays and bags become compact JSON."""
    return to_str(v)


@register("toint", 1, 1, "int", "dcr")
def toint(v: Any) -> int | None:
    """32-bit integer; null when not an integer or out of range."""
    return to_long(v, bits=32)


@register("tolong", 1, 1, "long", "dcr")
def tolong(v: Any) -> int | None:
    """64-bit integer."""
    return to_long(v)


@register("toreal", 1, 1, "real", "dcr", aliases=("todouble",))
def toreal(v: Any) -> float | None:
    """Real number."""
    return to_real(v)


@register("todecimal", 1, 1, "decimal", "query")
def todecimal(v: Any) -> Decimal | None:
    """Decimal number."""
    return to_decimal(v)


@register("tobool", 1, 1, "bool", "dcr", aliases=("toboolean",))
def tobool(v: Any) -> bool | None:
    """Boolean from true/false text or a number."""
    return to_bool(v)


@register("toguid", 1, 1, "guid", "dcr")
def toguid(v: Any) -> uuid.UUID | None:
    """Guid from text."""
    return to_guid(v)


@register("parse_json", 1, 1, "dynamic", "dcr", aliases=("todynamic", "toobject"))
def parse_json(v: Any) -> Any:
    """Parse JSON text into a dynamic value (other values become dynamic as they are)."""
    return parse_json_value(v)


# ----------------------------------------------------------------------------- dynamic


@register("array_length", 1, 1, "long", "dcr")
def array_length(v: Any) -> int | None:
    """Number of elements of a dynamic array; null for anything else."""
    return len(v) if isinstance(v, list) else None


@register("array_concat", 1, 64, "dynamic", "dcr")
def array_concat(*arrays: Any) -> Any:
    """Concatenate arrays."""
    if any(not isinstance(a, list) for a in arrays):
        return None
    return [v for a in arrays for v in a]


@register("pack_array", 1, 64, "dynamic", "dcr")
def pack_array(*values: Any) -> list[Any]:
    """A dynamic array of the arguments."""
    return [to_dynamic(v) for v in values]


@register("pack", 2, 64, "dynamic", "dcr", aliases=("bag_pack",))
def pack(*kv: Any) -> dict[str, Any] | None:
    """A property bag from alternating keys and values."""
    if len(kv) % 2:
        raise ValueError("pack() needs an even number of arguments (key, value, ...)")
    return {to_str(kv[i]): to_dynamic(kv[i + 1]) for i in range(0, len(kv), 2)}


@register("zip", 2, 64, "dynamic", "dcr")
def zip_(*arrays: Any) -> Any:
    """Element-wise tuples of arrays, padded with null."""
    if any(not isinstance(a, list) for a in arrays):
        return None
    n = max(len(a) for a in arrays)
    return [[a[i] if i < len(a) else None for a in arrays] for i in range(n)]


def _xml_to_dynamic(el: ET.Element) -> Any:
    children = list(el)
    attrs = {f"@{k}": v for k, v in el.attrib.items()}
    if not children and not attrs:
        return el.text
    out: dict[str, Any] = dict(attrs)
    for ch in children:
        val = _xml_to_dynamic(ch)
        if ch.tag in out:
            prev = out[ch.tag]
            out[ch.tag] = [*prev, val] if isinstance(prev, list) else [prev, val]
        else:
            out[ch.tag] = val
    if el.text and el.text.strip():
        out["#text"] = el.text
    return out


@register("parse_xml", 1, 1, "dynamic", "dcr")
def parse_xml(v: Any) -> Any:
    """XML text into a dynamic bag (attributes as ``@name``, text as ``#text``)."""
    text = to_str(v)
    if "<!DOCTYPE" in text or "<!ENTITY" in text:
        return None  # no DTDs: refuse entity expansion
    try:
        root = ET.fromstring(text)  # noqa: S314 - DTDs refused above
    except ET.ParseError:
        return None
    return {root.tag: _xml_to_dynamic(root)}


@register("bag_keys", 1, 1, "dynamic", "query")
def bag_keys(v: Any) -> Any:
    """Keys of a property bag."""
    return list(v) if isinstance(v, dict) else None


@register("array_slice", 3, 3, "dynamic", "query")
def array_slice(arr: Any, start: Any, end: Any) -> Any:
    """Elements ``start``..``end`` inclusive (negative from the end)."""
    if not isinstance(arr, list):
        return None
    n = len(arr)
    s, e = int(start), int(end)
    s = s + n if s < 0 else s
    e = e + n if e < 0 else e
    return arr[max(s, 0) : e + 1]


# ----------------------------------------------------------------------------- type


@register("isnull", 1, 1, "bool", "dcr")
def isnull(v: Any) -> bool:
    """True for null (never for a string: strings are never null)."""
    return v is None


@register("isnotnull", 1, 1, "bool", "dcr", aliases=("notnull",))
def isnotnull(v: Any) -> bool:
    """Not isnull."""
    return v is not None


@register("gettype", 1, 1, "string", "dcr")
def gettype(v: Any) -> str:
    """KQL's type name of a value: string, long, real, bool, datetime, timespan, guid, array,
    dictionary, null."""
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, int):
        return "int" if INT_MIN <= v <= INT_MAX else "long"
    if isinstance(v, float):
        return "real"
    if isinstance(v, str):
        return "string"
    if isinstance(v, datetime):
        return "datetime"
    if isinstance(v, timedelta):
        return "timespan"
    if isinstance(v, uuid.UUID):
        return "guid"
    if isinstance(v, Decimal):
        return "decimal"
    if isinstance(v, list):
        return "array"
    if isinstance(v, dict):
        return "dictionary"
    return "object"


def numeric_result(ts: Sequence[str]) -> str:
    """Result type of an arithmetic expression on these operand types."""
    return numeric_promote(ts)


# ----------------------------------------------------------------------------- special forms
# Compiled by _compile (lazy arguments or the run's clock); recorded here so the registry lists
# every name with its arity and profile.

from azlogs.kql._registry import REGISTRY, FunctionSpec  # noqa: E402 - appended section

for _name, _lo, _hi, _res, _profile, _repl in (
    ("now", 0, 1, "datetime", "dcr", None),
    ("ago", 1, 1, "datetime", "dcr", None),
    ("iif", 3, 3, "dynamic", "dcr", None),
    ("iff", 3, 3, "dynamic", "dcr-doc", "iif"),
    ("case", 3, -1, "dynamic", "dcr", None),
    ("columnifexists", 2, 2, "dynamic", "dcr", None),
    ("column_ifexists", 2, 2, "dynamic", "query", "columnifexists"),
    ("typeof", 1, 1, "type", "dcr", None),
    ("not", 1, 1, "bool", "query", None),
    ("bin_auto", 1, 1, same_as(0), "query", None),
    ("assert", 2, 2, "bool", "query", None),
):
    REGISTRY[_name] = FunctionSpec(_name, _lo, _hi, _res, _profile, None, (), _repl, True)
