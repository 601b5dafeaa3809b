"""Lenient JSON for deployment bodies: what ARM's own parser accepts and the Azure CLI sends.

``az deployment group create`` splices the template file's text into the request unchanged, after an
unquoted key: ``{"properties": {"mode": ..., "parameters": {...}, template:{...}}}`` (azure-cli's
``JsonCTemplatePolicy`` in ``command_modules/resource/custom.py``), so comments in the file reach the
service too. ARM reads that; so does this: ``//`` and ``/* */`` comments, unquoted property names,
single-quoted strings and trailing commas are turned into strict JSON, then parsed. Pure, no I/O.
"""

from __future__ import annotations

import json
import re
from typing import Any, Final

import orjson

_IDENT: Final = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*")


def loads(raw: bytes) -> Any:
    """Parse ``raw`` as strict JSON, else as JSON with comments (ARM's leniency).

    Raises:
        ValueError: not even lenient JSON; the message says where.
    """
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        pass
    text = raw.decode("utf-8-sig")
    try:
        return json.loads(_strict(text))
    except RecursionError as exc:
        raise ValueError("the JSON is nested too deeply") from exc


def _strict(text: str) -> str:
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch in "\"'":
            end = _string_end(text, i)
            body = text[i + 1 : end]
            if ch == "'":
                body = body.replace('\\"', '"').replace('"', '\\"').replace("\\'", "'")
            out.append('"' + body + '"')
            i = end + 1
        elif text.startswith("//", i):
            nl = text.find("\n", i)
            i = n if nl < 0 else nl
        elif text.startswith("/*", i):
            close = text.find("*/", i + 2)
            if close < 0:
                raise ValueError(f"unterminated comment at position {i}")
            i = close + 2
        elif ch == "," and _next_significant(text, i + 1) in ("}", "]"):
            i += 1  # trailing comma
        elif (m := _IDENT.match(text, i)) and _after_key(text, m.end()) and _before_key(out):
            out.append(json.dumps(m.group()))
            i = m.end()
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def _string_end(text: str, start: int) -> int:
    quote = text[start]
    i = start + 1
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] == quote:
            return i
        i += 1
    raise ValueError(f"unterminated string at position {start}")


def _next_significant(text: str, i: int) -> str:
    while i < len(text):
        if text[i].isspace():
            i += 1
        elif text.startswith("//", i):
            nl = text.find("\n", i)
            i = len(text) if nl < 0 else nl
        elif text.startswith("/*", i):
            close = text.find("*/", i + 2)
            i = len(text) if close < 0 else close + 2
        else:
            return text[i]
    return ""


def _after_key(text: str, i: int) -> bool:
    return _next_significant(text, i) == ":"


def _before_key(out: list[str]) -> bool:
    """An identifier is a key only after ``{`` or ``,`` (``true``/``null`` values never precede ``:``)."""
    for piece in reversed(out):
        stripped = piece.strip()
        if stripped:
            return stripped[-1] in "{,"
    return False
