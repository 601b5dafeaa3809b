"""KQL values in Python: type names, conversions, text forms of datetime/timespan/dynamic.

Representation (shared with the rest of azlogs, see notes on values): bool, int (int and long),
float (real), Decimal, str (never null), tz-aware UTC datetime, timedelta, uuid.UUID, and JSON
values (dict, list, str, int, float, bool, None) for dynamic. ``None`` is the null of every type
but string. Python's datetime has microsecond precision; KQL has 100 ns ticks: a 7th fractional
digit on input is truncated (a documented difference).
"""

from __future__ import annotations

import json
import math
import re
import uuid
from datetime import datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from typing import Any, Final

import orjson

from azlogs.schema.datetimes import ensure_utc as ensure_utc
from azlogs.schema.datetimes import parse_datetime as parse_datetime

# Owned by azlogs.schema (one reader of datetime text, one list of types and aliases), re-exported for kql.
from azlogs.schema.timespans import format_timespan
from azlogs.schema.types import INT_MAX as INT_MAX
from azlogs.schema.types import INT_MIN as INT_MIN
from azlogs.schema.types import LONG_MAX as LONG_MAX
from azlogs.schema.types import LONG_MIN as LONG_MIN
from azlogs.schema.types import ColumnType, find_kql_type

UTC = timezone.utc
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
TICK_US = 0.1  # a tick is 100 ns; Python keeps whole microseconds

KQL_TYPES: tuple[str, ...] = tuple(t.kql_name for t in ColumnType)
NUMERIC = frozenset({"int", "long", "real", "decimal"})

# Kusto's integers are fixed width: long is a signed 64-bit integer, int a signed 32-bit one, and
# their arithmetic wraps around on overflow (two's complement, as .NET's unchecked arithmetic)
# rather than growing: Python's unbounded ints would let `x * x` repeated build numbers of millions
# of digits. Every integer result of an operator or function goes through these two functions
# (the bounds are azlogs.schema.types').


def wrap_long(value: int) -> int:
    """An integer result as Kusto's ``long`` holds it: wrapped to 64 bits."""
    if LONG_MIN <= value <= LONG_MAX:
        return value
    return ((value - LONG_MIN) & 0xFFFF_FFFF_FFFF_FFFF) + LONG_MIN


def wrap_int(value: int) -> int:
    """An integer result as Kusto's ``int`` holds it: wrapped to 32 bits."""
    if INT_MIN <= value <= INT_MAX:
        return value
    return ((value - INT_MIN) & 0xFFFF_FFFF) + INT_MIN


def normalize_type(name: str) -> str:
    """Canonical KQL type name for a type keyword (``double`` -> ``real``, ``boolean`` -> ``bool``)."""
    found = find_kql_type(name)
    if found is None:
        raise ValueError(f"unknown type {name!r}")
    return found.kql_name


def null_of(kql_type: str) -> Any:
    """The null value of a type: ``""`` for string, None for the rest."""
    return "" if kql_type == "string" else None


# ----------------------------------------------------------------------------- timespan


_TS_UNITS_US = {
    "d": 86_400_000_000,
    "day": 86_400_000_000,
    "days": 86_400_000_000,
    "h": 3_600_000_000,
    "hr": 3_600_000_000,
    "hrs": 3_600_000_000,
    "hour": 3_600_000_000,
    "hours": 3_600_000_000,
    "m": 60_000_000,
    "min": 60_000_000,
    "minute": 60_000_000,
    "minutes": 60_000_000,
    "s": 1_000_000,
    "sec": 1_000_000,
    "second": 1_000_000,
    "seconds": 1_000_000,
    "ms": 1000,
    "milli": 1000,
    "millisecond": 1000,
    "milliseconds": 1000,
    "micro": 1,
    "microsecond": 1,
    "microseconds": 1,
    "tick": 0.1,
    "ticks": 0.1,
    "nano": 0.001,
    "nanosecond": 0.001,
    "nanoseconds": 0.001,
}
_TS_UNIT_RE = re.compile(r"^\s*(-)?\s*([0-9]+(?:\.[0-9]+)?)\s*([a-z]+)\s*$")
_TS_CLOCK_RE = re.compile(
    r"^\s*(-)?(?:([0-9]+)\.)?([0-9]{1,2}):([0-9]{1,2})(?::([0-9]{1,2})(?:\.([0-9]{1,7}))?)?\s*$"
)


def parse_timespan(text: str) -> timedelta | None:
    """Parse ``1.5h``, ``10ms``, ``[-][d.]hh:mm[:ss[.fffffff]]``; None when not a timespan."""
    m = _TS_UNIT_RE.match(text.lower())
    if m:
        unit = _TS_UNITS_US.get(m.group(3))
        if unit is None:
            return None
        us = float(m.group(2)) * unit if "." in m.group(2) or unit < 1 else int(m.group(2)) * int(unit)
        td = timedelta(microseconds=int(us))
        return -td if m.group(1) else td
    m = _TS_CLOCK_RE.match(text)
    if m:
        days = int(m.group(2) or 0)
        frac = (m.group(6) or "").ljust(7, "0")[:6]
        td = timedelta(
            days=days,
            hours=int(m.group(3)),
            minutes=int(m.group(4)),
            seconds=int(m.group(5) or 0),
            microseconds=int(frac or 0),
        )
        return -td if m.group(1) else td
    if re.fullmatch(r"\s*-?[0-9]+\s*", text):
        return timedelta(days=int(text))  # timespan(2) means two days
    return None


# ----------------------------------------------------------------------------- datetime


def format_datetime_iso(dt: datetime) -> str:
    """KQL's text form of a datetime, always with 7 fractional digits: ``2024-01-01T10:00:00.0000000Z``.

    It is what ``tostring``, ``strcat`` and the ``hash_*`` digests see and how a datetime is written
    inside a dynamic value (the reverse and range pages print ``...T12:00:00.0000000Z``); query results
    write a datetime column trimmed instead (the query API's own writer).
    """
    dt = dt.astimezone(UTC) if dt.tzinfo is not None else dt
    return (
        f"{dt.year:04d}-{dt.month:02d}-{dt.day:02d}T{dt.hour:02d}:{dt.minute:02d}:{dt.second:02d}"
        f".{dt.microsecond:06d}0Z"
    )


# ----------------------------------------------------------------------------- dynamic / text


def to_dynamic(value: Any) -> Any:
    """A value as the JSON value a ``dynamic`` holds (datetime and timespan become strings)."""
    if value is None or isinstance(value, (bool, int, str, dict, list)):
        return value
    if isinstance(value, float):
        return value
    if isinstance(value, datetime):
        return format_datetime_iso(value)
    if isinstance(value, timedelta):
        return format_timespan(value)
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, tuple):
        return [to_dynamic(v) for v in value]
    return str(value)


def _json_default(value: Any) -> Any:
    conv = to_dynamic(value)
    if conv is value:
        raise TypeError(f"not JSON: {type(value).__name__}")
    return conv


def dumps(value: Any) -> str:
    """Compact JSON as KQL writes dynamic values (``{"a":1}``, ``true``)."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=_json_default, allow_nan=True)


def format_real(value: float) -> str:
    """KQL's text form of a real (``1`` for 1.0, ``NaN``, ``Infinity``, ``1E+20``)."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    text = repr(value)
    if "e" in text:
        mant, exp = text.split("e")
        sign = "-" if exp.startswith("-") else "+"
        return f"{mant}E{sign}{exp.lstrip('+-').zfill(2)}"
    return text


def to_str(value: Any) -> str:
    """``tostring``: never null; dynamic arrays/bags become compact JSON; bools are true/false."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return format_real(value)
    if isinstance(value, (dict, list)):
        return dumps(value)
    if isinstance(value, datetime):
        return format_datetime_iso(value)
    if isinstance(value, timedelta):
        return format_timespan(value)
    return str(value)


def to_bool(value: Any) -> bool | None:
    """``tobool``: true/false text (any case), numbers (non-zero is true); else null."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, (int, float, Decimal)):
        return value != 0
    if isinstance(value, str):
        low = value.strip().lower()
        if low == "true":
            return True
        if low == "false":
            return False
        try:
            return int(low) != 0
        except ValueError:
            return None
    return None


_INT_RE = re.compile(r"^\s*[+-]?[0-9]+\s*$")


def to_long(value: Any, *, bits: int = 64) -> int | None:
    """``tolong``/``toint``: integers, reals truncated, numeric text; out of range or junk is null."""
    out: int | None
    if value is None:
        return None
    if isinstance(value, bool):
        out = int(value)
    elif isinstance(value, int):
        out = value
    elif isinstance(value, (float, Decimal)):
        if isinstance(value, float) and not math.isfinite(value):
            return None
        out = int(value)
    elif isinstance(value, str):
        if _INT_RE.match(value):
            out = int(value)
        else:
            real = to_real(value)
            if real is None or not math.isfinite(real):
                return None
            out = int(real)
    elif isinstance(value, timedelta):
        out = value // timedelta(microseconds=1) * 10
    elif isinstance(value, datetime):
        out = (value - EPOCH) // timedelta(microseconds=1) * 10 + 621355968000000000
    else:
        return None
    limit = 1 << (bits - 1)
    return out if -limit <= out < limit else None


def to_real(value: Any) -> float | None:
    """``toreal``/``todouble``: numbers and numeric text (also NaN/Infinity); else null."""
    if value is None:
        return None
    if isinstance(value, (bool, int, float, Decimal)):
        return float(value)
    if isinstance(value, str):
        text = value.strip()
        low = text.lower()
        if low in ("nan", "+nan", "-nan"):
            return math.nan
        if low in ("infinity", "+infinity", "inf", "+inf"):
            return math.inf
        if low in ("-infinity", "-inf"):
            return -math.inf
        if not re.fullmatch(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?", text):
            return None
        return float(text)
    return None


def to_decimal(value: Any) -> Decimal | None:
    """``todecimal``."""
    if value is None or isinstance(value, (dict, list)):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    try:
        return Decimal(str(value).strip()) if not isinstance(value, bool) else Decimal(int(value))
    except (InvalidOperation, ValueError):
        return None


def to_datetime(value: Any) -> datetime | None:
    """``todatetime``: a datetime, or text in a documented format; else null."""
    if isinstance(value, datetime):
        return ensure_utc(value)
    if isinstance(value, str):
        return parse_datetime(value)
    return None


def to_timespan(value: Any) -> timedelta | None:
    """``totimespan``: a timespan, text forms, or a number of ticks."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, str):
        return parse_timespan(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return timedelta(microseconds=value // 10)
    return None


def to_guid(value: Any) -> uuid.UUID | None:
    """``toguid``."""
    if isinstance(value, uuid.UUID):
        return value
    if isinstance(value, str):
        try:
            return uuid.UUID(value.strip())
        except ValueError:
            return None
    return None


def parse_json_value(value: Any) -> Any:
    """``parse_json``/``todynamic``: text is parsed as JSON (invalid text stays a string)."""
    if isinstance(value, str):
        # orjson first (several times faster), for a text it reads as the json module does: the
        # json module answers whatever orjson refuses (NaN, Infinity, 1e400, lone surrogates) and
        # any text with a run of 19 or more digits (orjson reads an integer past 64 bits as a real).
        try:
            raw = value.encode()
        except UnicodeEncodeError:
            raw = None
        if raw is not None and _LONG_RUN not in raw.translate(_DIGITS):
            try:
                return orjson.loads(raw)
            except orjson.JSONDecodeError:
                pass
        try:
            return json.loads(value)
        except ValueError:
            return value
    return to_dynamic(value)


def parse_json_texts(texts: list[Any]) -> list[Any]:
    """:func:`parse_json_value` of each value, the digit check done once for the whole list."""
    try:
        joined = "\0".join(texts)  # TypeError unless every value is text
        clear = _LONG_RUN not in joined.encode().translate(_DIGITS)
    except (TypeError, UnicodeEncodeError):
        clear = False
    if clear:
        try:
            return list(map(orjson.loads, texts))
        except orjson.JSONDecodeError:
            pass
    return [parse_json_value(t) for t in texts]


# Every digit as "0", everything else as a space: a run of 19 digits is then a run of 19 zeros.
_DIGITS: Final = bytes(48 if 48 <= i <= 57 else 32 for i in range(256))
_LONG_RUN: Final = b"0" * 19


def convert(value: Any, kql_type: str) -> Any:
    """Convert a value to a KQL type the way the ``to*`` functions do (null on failure)."""
    if kql_type == "string":
        return to_str(value)
    if kql_type in ("long", "int"):
        return to_long(value, bits=32 if kql_type == "int" else 64)
    if kql_type == "real":
        return to_real(value)
    if kql_type == "bool":
        return to_bool(value)
    if kql_type == "datetime":
        return to_datetime(value)
    if kql_type == "timespan":
        return to_timespan(value)
    if kql_type == "dynamic":
        return parse_json_value(value) if isinstance(value, str) else to_dynamic(value)
    if kql_type == "guid":
        return to_guid(value)
    if kql_type == "decimal":
        return to_decimal(value)
    raise ValueError(f"unknown type {kql_type!r}")


def type_of_value(value: Any) -> str:
    """The KQL type name of a runtime value (``gettype`` spellings differ, see there)."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "long"
    if isinstance(value, float):
        return "real"
    if isinstance(value, str):
        return "string"
    if isinstance(value, datetime):
        return "datetime"
    if isinstance(value, timedelta):
        return "timespan"
    if isinstance(value, Decimal):
        return "decimal"
    if isinstance(value, uuid.UUID):
        return "guid"
    return "dynamic"
