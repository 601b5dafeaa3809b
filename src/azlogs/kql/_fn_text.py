"""String functions added for the Kusto documentation's examples: ``replace_strings``, ``strcmp``,
``tohex``.

From the Kusto pages (MicrosoftDocs/dataexplorer-docs, data-explorer/kusto/query/replace-strings-function.md,
strcmp-function.md, tohex-function.md):

* ``replace_strings(text, lookups, rewrites)`` replaces every match of each lookup with its rewrite;
  matches do not overlap and an earlier lookup takes precedence (the page's ``This``/``Thwas``
  outcomes: each lookup in turn claims its matches in the parts of the text not claimed yet). A
  rewrite that is not a string leaves its match as it was, still claimed.
* ``strcmp(a, b)`` is -1, 0 or 1 (ordinal, as the page's ``abc``/``ABC`` rows show).
* ``tohex(value[, minLength])`` writes a long in lower-case hex, a negative one as its 64-bit two's
  complement and an ``int`` as its 32-bit one (``tohex(toint(-256), 8)`` is ``ffffff00``), padded with
  zeros to ``minLength``.
"""

from __future__ import annotations

from typing import Any

from azlogs.kql import _ast as A
from azlogs.kql._compile import CExpr, Env, Row, compile_expr, err
from azlogs.kql._registry import REGISTRY, FunctionSpec, register
from azlogs.kql._values import to_str

__all__ = ["FORMS"]


def _s(v: Any) -> str:
    return v if isinstance(v, str) else to_str(v)


@register("replace_strings", 3, 3, "string", "query")
def replace_strings(text: Any, lookups: Any, rewrites: Any) -> str:
    """Replace each lookup's matches with its rewrite; matches never overlap, earlier lookups win."""
    source = _s(text)
    if not isinstance(lookups, list) or not isinstance(rewrites, list):
        return source
    claimed: list[tuple[int, int, str]] = []  # (start, end, replacement)
    for i, lookup in enumerate(lookups):
        if not isinstance(lookup, str) or not lookup:
            continue
        rewrite = rewrites[i] if i < len(rewrites) else None
        at = source.find(lookup)
        while at != -1:
            end = at + len(lookup)
            if any(at < e and s < end for s, e, _ in claimed):
                at = source.find(lookup, at + 1)
                continue
            claimed.append((at, end, rewrite if isinstance(rewrite, str) else lookup))
            at = source.find(lookup, end)
    if not claimed:
        return source
    out: list[str] = []
    pos = 0
    for start, end, replacement in sorted(claimed):
        out.append(source[pos:start])
        out.append(replacement)
        pos = end
    out.append(source[pos:])
    return "".join(out)


@register("strcmp", 2, 2, "long", "query")
def strcmp(a: Any, b: Any) -> int:
    """-1, 0 or 1 as ``a`` sorts before, with or after ``b`` (ordinal)."""
    x, y = _s(a), _s(b)
    return (x > y) - (x < y)


def _tohex(node: A.Call, env: Env) -> CExpr:
    """Compiled with the argument's type: an ``int`` has 32 bits, a ``long`` 64."""
    if not 1 <= len(node.args) <= 2:
        raise err(node, f"tohex() takes 1 or 2 arguments, got {len(node.args)}")
    value = compile_expr(node.args[0], env)
    if value.type not in ("int", "long", "dynamic"):
        raise err(node, f"tohex() takes an int or a long, got {value.type}")
    width = compile_expr(node.args[1], env).fn if len(node.args) > 1 else None
    bits = 32 if value.type == "int" else 64
    fv = value.fn

    def fn(r: Row) -> Any:
        v = fv(r)
        if not isinstance(v, int) or isinstance(v, bool):
            return ""
        text = format(v & ((1 << bits) - 1), "x")
        n = width(r) if width is not None else None
        if isinstance(n, int) and not isinstance(n, bool) and n > len(text):
            text = text.rjust(min(n, 64), "0")
        return text

    return CExpr(fn, "string")


FORMS = {"tohex": _tohex}
REGISTRY["tohex"] = FunctionSpec("tohex", 1, 2, "string", "query", None, (), None, True)
