"""RE2 regular expressions, as KQL uses them (no look-around, no back-references)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import re2

from azlogs._exceptions import KqlError


@lru_cache(maxsize=512)
def compile_regex(pattern: str, flags: str = "") -> Any:
    """Compile an RE2 pattern; KqlError when RE2 refuses it (e.g. look-behind)."""
    prefix = ""
    for f in flags:
        if f in "imsU":
            prefix += f
    text = f"(?{prefix}){pattern}" if prefix else pattern
    try:
        return re2.compile(text)
    except Exception as exc:  # re2 raises its own error type
        detail = str(exc).strip("b'\"")
        raise KqlError(
            f"invalid regular expression {pattern!r}: {detail}",
            hint="KQL regular expressions are RE2: no look-around and no back-references",
        ) from None
