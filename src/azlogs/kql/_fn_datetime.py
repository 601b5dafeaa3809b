"""Datetime and timespan functions. Weeks start on Sunday; ``endof*`` is the last microsecond
inside the period (KQL: the last 100 ns tick)."""

from __future__ import annotations

import calendar
import math
import re
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from azlogs.kql._registry import register
from azlogs.kql._values import EPOCH, UTC, to_datetime, to_str, to_timespan

_US = timedelta(microseconds=1)
_LAST = timedelta(microseconds=1)


def _dt(v: Any) -> datetime | None:
    return v if isinstance(v, datetime) else to_datetime(v)


def _add_months(dt: datetime, months: int) -> datetime:
    total = dt.year * 12 + (dt.month - 1) + months
    year, month = divmod(total, 12)
    day = min(dt.day, calendar.monthrange(year, month + 1)[1])
    return dt.replace(year=year, month=month + 1, day=day)


_PARTS = {
    "year": "year",
    "quarter": "quarter",
    "month": "month",
    "week": "week",
    "day": "day",
    "hour": "hour",
    "minute": "minute",
    "second": "second",
    "millisecond": "millisecond",
    "microsecond": "microsecond",
    "nanosecond": "nanosecond",
    "dayofyear": "dayofyear",
    "weekofyear": "week_of_year",
    "week_of_year": "week_of_year",
}
_FIXED = {
    "week": timedelta(days=7),
    "day": timedelta(days=1),
    "hour": timedelta(hours=1),
    "minute": timedelta(minutes=1),
    "second": timedelta(seconds=1),
    "millisecond": timedelta(milliseconds=1),
    "microsecond": _US,
}


def _part(p: Any) -> str:
    name = _PARTS.get(to_str(p).strip().lower())
    if name is None:
        raise ValueError(f"unknown datetime part {p!r}")
    return name


@register("datetime_add", 3, 3, "datetime", "dcr")
def datetime_add(part: Any, amount: Any, dt: Any) -> datetime | None:
    """Add ``amount`` of ``part`` (year, quarter, month, week, day, hour ... nanosecond)."""
    d = _dt(dt)
    if d is None or amount is None:
        return None
    p, n = _part(part), int(amount)
    if p == "year":
        return _add_months(d, 12 * n)
    if p == "quarter":
        return _add_months(d, 3 * n)
    if p == "month":
        return _add_months(d, n)
    if p == "nanosecond":
        return d + timedelta(microseconds=n // 1000)
    return d + _FIXED[p] * n


def _floor(d: datetime, p: str) -> datetime:
    if p == "year":
        return d.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
    if p == "quarter":
        return d.replace(month=(d.month - 1) // 3 * 3 + 1, day=1, hour=0, minute=0, second=0, microsecond=0)
    if p == "month":
        return d.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    if p == "week":
        day = d.replace(hour=0, minute=0, second=0, microsecond=0)
        return day - timedelta(days=(d.weekday() + 1) % 7)
    if p == "day":
        return d.replace(hour=0, minute=0, second=0, microsecond=0)
    if p == "hour":
        return d.replace(minute=0, second=0, microsecond=0)
    if p == "minute":
        return d.replace(second=0, microsecond=0)
    if p == "second":
        return d.replace(microsecond=0)
    if p == "millisecond":
        return d.replace(microsecond=d.microsecond // 1000 * 1000)
    return d


@register("datetime_diff", 3, 3, "long", "dcr")
def datetime_diff(part: Any, a: Any, b: Any) -> int | None:
    """Number of ``part`` boundaries between ``b`` and ``a`` (``a - b``)."""
    d1, d2 = _dt(a), _dt(b)
    if d1 is None or d2 is None:
        return None
    p = _part(part)
    if p == "year":
        return d1.year - d2.year
    if p == "quarter":
        return (d1.year * 4 + (d1.month - 1) // 3) - (d2.year * 4 + (d2.month - 1) // 3)
    if p == "month":
        return (d1.year * 12 + d1.month) - (d2.year * 12 + d2.month)
    if p == "nanosecond":
        return ((d1 - d2) // _US) * 1000
    return (_floor(d1, p) - _floor(d2, p)) // _FIXED[p]


@register("datetime_part", 2, 2, "int", "dcr")
def datetime_part(part: Any, dt: Any) -> int | None:
    """One part of a datetime as an integer."""
    d = _dt(dt)
    if d is None:
        return None
    p = _part(part)
    values = {
        "year": d.year,
        "quarter": (d.month - 1) // 3 + 1,
        "month": d.month,
        "day": d.day,
        "hour": d.hour,
        "minute": d.minute,
        "second": d.second,
        "millisecond": d.microsecond // 1000,
        "microsecond": d.microsecond,
        "nanosecond": d.microsecond * 1000,
        "dayofyear": d.timetuple().tm_yday,
        "week_of_year": d.isocalendar()[1],
        "week": d.isocalendar()[1],
    }
    return values[p]


@register("dayofmonth", 1, 1, "int", "dcr")
def dayofmonth(dt: Any) -> int | None:
    """Day of the month, 1-31."""
    d = _dt(dt)
    return None if d is None else d.day


@register("dayofweek", 1, 1, "timespan", "dcr")
def dayofweek(dt: Any) -> timedelta | None:
    """Days since the preceding Sunday, as a timespan (``0d`` for Sunday)."""
    d = _dt(dt)
    return None if d is None else timedelta(days=(d.weekday() + 1) % 7)


@register("dayofyear", 1, 1, "int", "dcr")
def dayofyear(dt: Any) -> int | None:
    """Day of the year, 1-366."""
    d = _dt(dt)
    return None if d is None else d.timetuple().tm_yday


@register("hourofday", 1, 1, "int", "dcr")
def hourofday(dt: Any) -> int | None:
    """Hour, 0-23."""
    d = _dt(dt)
    return None if d is None else d.hour


@register("weekofyear", 1, 1, "int", "dcr", aliases=("week_of_year",))
def weekofyear(dt: Any) -> int | None:
    """ISO 8601 week number."""
    d = _dt(dt)
    return None if d is None else d.isocalendar()[1]


@register("getmonth", 1, 1, "int", "dcr", aliases=("monthofyear",))
def getmonth(dt: Any) -> int | None:
    """Month, 1-12."""
    d = _dt(dt)
    return None if d is None else d.month


@register("getyear", 1, 1, "int", "dcr")
def getyear(dt: Any) -> int | None:
    """Year."""
    d = _dt(dt)
    return None if d is None else d.year


def _start(dt: Any, offset: Any, p: str) -> datetime | None:
    d = _dt(dt)
    if d is None:
        return None
    base = _floor(d, p)
    n = int(offset or 0)
    if not n:
        return base
    return _floor(datetime_add(p, n, base) or base, p)


def _end(dt: Any, offset: Any, p: str) -> datetime | None:
    start = _start(dt, offset, p)
    if start is None:
        return None
    nxt = datetime_add(p, 1, start)
    return None if nxt is None else nxt - _LAST


for _p in ("day", "week", "month", "year"):
    register(f"startof{_p}", 1, 2, "datetime", "dcr")(lambda dt, offset=0, _p=_p: _start(dt, offset, _p))
    register(f"endof{_p}", 1, 2, "datetime", "dcr")(lambda dt, offset=0, _p=_p: _end(dt, offset, _p))


@register("make_datetime", 1, 7, "datetime", "dcr")
def make_datetime(
    year: Any, month: Any = None, day: Any = None, hour: Any = 0, minute: Any = 0, second: Any = 0, *rest: Any
) -> datetime | None:
    """A datetime from parts; seconds may be fractional (truncated to the microsecond).

    One argument is a datetime text, read as ``todatetime`` reads it: Azure answers
    ``make_datetime("2000-01-02 03:04:05Z")`` (azure-monitor-query's recorded response-types test).
    """
    if month is None and day is None and isinstance(year, str):
        return to_datetime(year)
    if year is None or month is None or day is None:
        return None
    try:
        sec = float(second or 0)
        whole = math.floor(sec)
        return datetime(
            int(year),
            int(month),
            int(day),
            int(hour or 0),
            int(minute or 0),
            whole,
            # The shortest text of the float, so 59.9 s is 900000 us and not 899999.
            int((Decimal(repr(sec)) - whole) * 1_000_000),
            tzinfo=UTC,
        )
    except (ValueError, OverflowError):
        return None


@register("make_timespan", 2, 5, "timespan", "dcr")
def make_timespan(*parts: Any) -> timedelta | None:
    """``make_timespan(h, m)``, ``(h, m, s)`` or ``(d, h, m, s)``."""
    if any(p is None for p in parts):
        return None
    vals = [float(p) for p in parts]
    if len(vals) == 2:
        return timedelta(hours=vals[0], minutes=vals[1])
    if len(vals) == 3:
        return timedelta(hours=vals[0], minutes=vals[1], seconds=vals[2])
    return timedelta(days=vals[0], hours=vals[1], minutes=vals[2], seconds=vals[3])


@register("todatetime", 1, 1, "datetime", "dcr", aliases=("todate",))
def todatetime(v: Any) -> datetime | None:
    """Convert to datetime (ISO 8601, RFC 822/1123, RFC 850 text); null when not a datetime."""
    return to_datetime(v)


@register("totimespan", 1, 1, "timespan", "dcr", aliases=("totime",))
def totimespan(v: Any) -> timedelta | None:
    """Convert to timespan."""
    return to_timespan(v)


def _from_unix(value: Any, per_second: int) -> datetime | None:
    if value is None or isinstance(value, (str, bool)):
        return None
    try:
        us = (
            int(float(value) * 1_000_000 / per_second)
            if isinstance(value, float)
            else (int(value) * 1_000_000 // per_second)
        )
        return EPOCH + timedelta(microseconds=us)
    except (OverflowError, ValueError):
        return None


for _name, _per in (
    ("seconds", 1),
    ("milliseconds", 1000),
    ("microseconds", 1_000_000),
    ("nanoseconds", 1_000_000_000),
):
    register(f"unixtime_{_name}_todatetime", 1, 1, "datetime", "query")(
        lambda v, _per=_per: _from_unix(v, _per)
    )


_DT_TOKENS = re.compile(r"yyyy|yy|MM|M|dd|d|HH|H|hh|h|mm|m|ss|s|f{1,7}|F{1,7}|tt|[^A-Za-z]+|[A-Za-z]")


@register("format_datetime", 2, 2, "string", "query")
def format_datetime(dt: Any, fmt: Any) -> str:
    """Format with .NET-style tokens: yyyy, MM, dd, HH, hh, mm, ss, f..fffffff, tt."""
    d = _dt(dt)
    if d is None:
        return ""
    out: list[str] = []
    for tok in _DT_TOKENS.findall(to_str(fmt)):
        out.append(_dt_token(d, tok))
    return "".join(out)


def _dt_token(d: datetime, tok: str) -> str:
    h12 = d.hour % 12 or 12
    table = {
        "yyyy": f"{d.year:04d}",
        "yy": f"{d.year % 100:02d}",
        "MM": f"{d.month:02d}",
        "M": str(d.month),
        "dd": f"{d.day:02d}",
        "d": str(d.day),
        "HH": f"{d.hour:02d}",
        "H": str(d.hour),
        "hh": f"{h12:02d}",
        "h": str(h12),
        "mm": f"{d.minute:02d}",
        "m": str(d.minute),
        "ss": f"{d.second:02d}",
        "s": str(d.second),
        "tt": "AM" if d.hour < 12 else "PM",
    }
    if tok in table:
        return table[tok]
    if tok[0] in "fF":
        digits = f"{d.microsecond:06d}0"[: len(tok)]
        return digits.rstrip("0") if tok[0] == "F" else digits
    return tok


_TS_TOKENS = re.compile(r"d{1,8}|hh|h|HH|H|mm|m|ss|s|f{1,7}|F{1,7}|[^A-Za-z]+|[A-Za-z]")


@register("format_timespan", 2, 2, "string", "query")
def format_timespan(ts: Any, fmt: Any) -> str:
    """Format with tokens d..dddddddd, hh, mm, ss, f..fffffff."""
    t = to_timespan(ts)
    if t is None:
        return ""
    total = abs(t // _US)
    days, rem = divmod(total, 86_400_000_000)
    hours, rem = divmod(rem, 3_600_000_000)
    minutes, rem = divmod(rem, 60_000_000)
    seconds, us = divmod(rem, 1_000_000)
    out: list[str] = []
    for tok in _TS_TOKENS.findall(to_str(fmt)):
        c = tok[0]
        if c == "d":
            out.append(str(days).zfill(len(tok)))
        elif c in "hH":
            out.append(f"{hours:02d}" if len(tok) == 2 else str(hours))
        elif c == "m":
            out.append(f"{minutes:02d}" if len(tok) == 2 else str(minutes))
        elif c == "s":
            out.append(f"{seconds:02d}" if len(tok) == 2 else str(seconds))
        elif c in "fF":
            digits = f"{us:06d}0"[: len(tok)]
            out.append(digits.rstrip("0") if c == "F" else digits)
        else:
            out.append(tok)
    return ("-" if t < timedelta(0) else "") + "".join(out)
