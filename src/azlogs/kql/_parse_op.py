"""The ``parse`` operator (kind=simple, regex, relaxed) as a row step.

kind=simple: literals match exactly and case-sensitively, captures are lazy, and the pattern must
reach the end of the text unless it ends with ``*``. All-or-nothing: if any typed capture fails
to convert, every capture of that row is blanked ("" or null). A row that does not match is kept
with empty captures (``parse-where`` drops it). kind=relaxed nulls only the failing capture.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from typing import Any

from azlogs.kql import _ast as A
from azlogs.kql._compile import Env, compile_expr, err
from azlogs.kql._regex import compile_regex
from azlogs.kql._values import convert, null_of, to_str

Row = dict[str, Any]
_INT = re.compile(r"\s*[-+]?[0-9]+\s*")

_TYPED_REGEX = {
    "long": r"[-+]?\d+",
    "int": r"[-+]?\d+",
    "real": r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?",
}


def columns_of(op: A.Parse) -> list[tuple[str, str]]:
    """The (name, type) of each capture column, in pattern order."""
    return [(i.value, i.type or "string") for i in op.items if i.kind == "column"]


def check_pattern(op: A.Parse) -> None:
    """Semantic checks that Kusto applies in every dialect."""
    items = op.items
    for prev, nxt in itertools.pairwise(items):
        if (
            op.kind != "regex"
            and prev.kind == "column"
            and (prev.type or "string") == "string"
            and nxt.kind == "star"
        ):
            raise err(
                op,
                f"'*' right after the string column '{prev.value}' is ambiguous (Kusto SEM0476)",
                "put a literal between them, or give the column a non-string type",
            )
    names = [i.value for i in items if i.kind == "column"]
    dup = {n for n in names if names.count(n) > 1}
    if dup:
        raise err(op, f"parse captures the column '{sorted(dup)[0]}' twice")


def compile_parse(op: A.Parse, env: Env) -> Callable[[Row], Row | None]:
    """A row step for a parse operator; ``env.columns`` must be the input schema."""
    check_pattern(op)
    source = compile_expr(op.source, env)
    cols = columns_of(op)
    parts: list[str] = []
    items = list(op.items)
    regex = op.kind == "regex"
    # kind=regex: `*` and untyped captures are greedy `.*` (flags=U makes them lazy); the parse page's
    # "Regex mode with regex flags" example shows the greedy result without U and the lazy one with
    # it. Captures are named, so groups in the pattern's own regex text do not shift them.
    lazy = "" if regex else "?"
    for idx, item in enumerate(items):
        if item.kind == "literal":
            parts.append(item.value if regex else re.escape(item.value))
        elif item.kind == "star":
            parts.append(".*" + lazy)
        else:
            typ = item.type or "string"
            last = idx == len(items) - 1
            name = f"(?P<_c{len([p for p in items[:idx] if p.kind == 'column']) + 1}>"
            if typ in _TYPED_REGEX and op.kind == "relaxed":
                # Relaxed: text of the type when there is some, else any text (its value is null).
                parts.append(f"{name}{_TYPED_REGEX[typ]}|.*?)")
            elif typ in _TYPED_REGEX:
                # Typed numeric captures take only text of their type, so `n:long *` stops at digits.
                parts.append(f"{name}{_TYPED_REGEX[typ]})")
            else:
                parts.append(f"{name}.*)" if last and not regex else f"{name}.*{lazy})")
    if op.kind == "regex":
        pattern = compile_regex("".join(parts), op.flags)
        match = pattern.search
    else:
        # Anchored at both ends; a trailing '*' lets the rest of the text go unmatched.
        text = "^" + "".join(parts) + ("" if items and items[-1].kind == "star" else "$")
        pattern = compile_regex("(?s)" + text)
        match = pattern.search
    fs = source.fn
    blanks = {n: null_of(t) for n, t in cols}
    relaxed = op.kind == "relaxed"
    drop = op.drop_unmatched
    convs = [(n, t) for n, t in cols]

    def step(r: Row) -> Row | None:
        v = fs(r)
        text = v if isinstance(v, str) else to_str(v)
        m = match(text)
        out = dict(r)
        if m is None:
            if drop:
                return None
            out.update(blanks)
            return out
        values: dict[str, Any] = {}
        for i, (name, typ) in enumerate(convs, start=1):
            raw = m.group(f"_c{i}") or ""
            if typ == "string":
                values[name] = raw
                continue
            if typ in ("long", "int") and not _INT.fullmatch(raw):
                conv = None  # "1.5" is not a long: KQL does not truncate here
            else:
                conv = convert(raw, typ) if raw != "" else None
            if conv is None and not relaxed:
                if drop:
                    return None
                out.update(blanks)
                return out
            values[name] = conv
        out.update(values)
        return out

    return step
