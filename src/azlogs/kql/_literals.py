"""Literal tokens -> values: strings with escapes, timespan tokens, typed literals ``int(5)``."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any

from azlogs._exceptions import KqlError
from azlogs.kql._values import (
    convert,
    normalize_type,
    parse_datetime,
    parse_timespan,
)

__all__ = ["normalize_type", "parse_string_token", "parse_timespan_token", "parse_typed_literal"]

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", '"': '"', "'": "'", "0": "\0", "/": "/"}


def parse_string_token(tok: str) -> str:
    """The value of one string token: ``"a\\n"``, ``'x'``, ``@"c:\\"``, ``h"secret"``, ```...```."""
    if tok.startswith("```"):
        return tok[3:-3]
    if tok[0] in "hH" and len(tok) > 1 and tok[1] in "@\"'":
        tok = tok[1:]
    if tok.startswith("@"):
        quote = tok[1]
        return tok[2:-1].replace(quote * 2, quote)
    body = tok[1:-1]
    if "\\" not in body:
        return body
    out: list[str] = []
    i = 0
    while i < len(body):
        c = body[i]
        if c == "\\" and i + 1 < len(body):
            nxt = body[i + 1]
            if nxt == "u" and i + 5 < len(body) + 0 and len(body) >= i + 6:
                try:
                    out.append(chr(int(body[i + 2 : i + 6], 16)))
                    i += 6
                    continue
                except ValueError:
                    pass
            out.append(_ESCAPES.get(nxt, "\\" + nxt))
            i += 2
            continue
        out.append(c)
        i += 1
    return "".join(out)


def parse_timespan_token(tok: str) -> timedelta:
    """A timespan literal token such as ``1h`` or ``1.5d``."""
    value = parse_timespan(tok)
    if value is None:
        raise KqlError(f"invalid timespan literal {tok!r}")
    return value


def _datetime_literal(inner: str) -> datetime | None:
    """The inside of ``datetime(...)``: datetime text, quoted or not (``datetime("2015-12-14")``), or
    the numbers year, month, day[, hour, minute, second] (``datetime(2025, 6, 14)``, as the
    startofweek page writes it)."""
    if inner[0] in "\"'" and len(inner) >= 2 and inner[-1] == inner[0]:
        return parse_datetime(parse_string_token(inner))
    parts = [p.strip() for p in inner.split(",")]
    if 3 <= len(parts) <= 6 and all(p.isdigit() for p in parts):
        try:
            y, mo, d, hh, mi, ss = (*(int(p) for p in parts), 0, 0, 0)[:6]
            return datetime(y, mo, d, hh, mi, ss, tzinfo=timezone.utc)
        except ValueError:
            return None
    return parse_datetime(inner)


def parse_typed_literal(tok: str) -> tuple[Any, str]:
    """``int(5)``, ``datetime(2024-01-01)``, ``real(null)``, ``guid(...)``: (value, KQL type)."""
    name, _, rest = tok.partition("(")
    typ = normalize_type(name.strip())
    inner = rest[: rest.rfind(")")].strip()
    if inner.lower() == "null":
        return (None, typ)
    if typ == "datetime":
        if not inner:
            raise KqlError("datetime() without a value: use now()")
        value: Any = _datetime_literal(inner)
    elif typ == "timespan":
        value = parse_timespan(inner)
    elif typ == "real" and inner.lower() in ("nan", "+inf", "-inf", "inf", "infinity", "-infinity"):
        value = convert(inner.replace("inf", "infinity").replace("infinityinity", "infinity"), "real")
    elif typ == "string":
        value = inner
    elif typ == "dynamic":
        value = json.loads(inner)
    else:
        value = convert(inner, typ)
    if value is None:
        raise KqlError(f"invalid {typ} literal {tok!r}")
    return (value, typ)
