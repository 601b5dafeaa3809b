"""``parse-kv`` (parse-kv-operator.md): the listed keys out of key/value text, typed."""

from __future__ import annotations

import re

from azlogs.kql import _ast as A
from azlogs.kql._compile import Env, compile_expr
from azlogs.kql._plan import Plan, Row
from azlogs.kql._values import convert, null_of, to_str


def parse_kv(plan: Plan, op: A.ParseKv, scope: Env) -> Plan:
    """``parse-kv``: the listed keys out of key/value text, typed (parse-kv-operator.md)."""
    props = {k.lower(): v for k, v in op.properties}
    src = compile_expr(op.source, scope).fn
    cols = dict(plan.columns)
    for n, t in op.columns:
        cols.pop(n, None)
        cols[n] = t
    wanted = dict(op.columns)
    regex = props.get("regex")
    if regex is not None:
        rx = re.compile(str(regex))

        def pairs(text: str) -> list[tuple[str, str]]:
            return [(m.group(1), m.group(2)) for m in rx.finditer(text) if m.lastindex and m.lastindex >= 2]

    elif "pair_delimiter" not in props and "kv_delimiter" not in props:
        # No delimiters given: any character that is not a letter or digit delimits (parse-kv #7, #8).
        quote = str(props.get("quote", ""))
        esc = str(props.get("escape", ""))
        keys = list(wanted)

        def pairs(text: str) -> list[tuple[str, str]]:
            return _unstructured(text, keys, quote, esc)

    else:
        pair_d = str(props.get("pair_delimiter", " "))
        kv_d = str(props.get("kv_delimiter", "="))
        quotes = str(props.get("quote", ""))
        escape = str(props.get("escape", ""))
        greedy = props.get("greedy") in (True, "true")

        def pairs(text: str) -> list[tuple[str, str]]:
            return _kv_pairs(text, pair_d, kv_d, quotes, escape, greedy)

    def step(r: Row) -> Row:
        out = dict(r)
        found: dict[str, str] = {}
        for k, v in pairs(to_str(src(r))):
            k = k.strip()
            if k in wanted and k not in found:
                found[k] = v
        for n, t in wanted.items():
            out[n] = convert(found[n], t) if n in found else null_of(t)
        return out

    return plan.with_step(step, cols)


def _kv_pairs(
    text: str, pair_d: str, kv_d: str, quotes: str, escape: str, greedy: bool
) -> list[tuple[str, str]]:
    """Key/value pairs of ``text``: ``quote`` is one quote character or an opening and a closing
    one (``()``); ``escape`` marks a quote inside a quoted value."""
    opening, closing = (quotes[0], quotes[1]) if len(quotes) == 2 else (quotes, quotes)
    out: list[tuple[str, str]] = []
    i, n = 0, len(text)
    while i < n:
        if opening and text[i : i + 1] == opening:  # a quoted key
            end, key = _quoted(text, i, closing, escape)
            j = text.find(kv_d, end)
            if j < 0:
                break
        else:
            j = text.find(kv_d, i)
            if j < 0:
                break
            key = text[i:j].strip()
            if pair_d in key:
                key = key.rsplit(pair_d, 1)[-1].strip()  # a word before the key without a value
        i = j + len(kv_d)
        while i < n and text[i] == " " and pair_d != " ":
            i += 1
        if opening and i < n and text[i] == opening:
            end, value = _quoted(text, i, closing, escape)
            i = end
            nxt = text.find(pair_d, i)
            i = n if nxt < 0 else nxt + len(pair_d)
        else:
            if greedy:
                # the value runs to the pair delimiter that precedes the next key
                nxt_kv = text.find(kv_d, i)
                end = text.rfind(pair_d, i, nxt_kv) if nxt_kv >= 0 else -1
                end = n if end < 0 else end
            else:
                end = text.find(pair_d, i)
                end = n if end < 0 else end
            value = text[i:end]
            i = end + len(pair_d)
        out.append((key, value.strip()))
    return out


def _unstructured(text: str, keys: list[str], quotes: str, escape: str) -> list[tuple[str, str]]:
    """Each key found as a word, its value the next run of letters and digits (or a quoted text)."""
    opening, closing = (quotes[0], quotes[1]) if len(quotes) == 2 else (quotes, quotes)
    out: list[tuple[str, str]] = []
    for key in keys:
        for m in re.finditer(rf"(?<![A-Za-z0-9_]){re.escape(key)}(?![A-Za-z0-9_])", text):
            i = m.end()
            while i < len(text) and not text[i].isalnum() and not (opening and text[i] == opening):
                i += 1
            if i >= len(text):
                continue
            if opening and text[i] == opening:
                _, value = _quoted(text, i, closing, escape)
            else:
                j = i
                while j < len(text) and (text[j].isalnum() or text[j] == "_"):
                    j += 1
                value = text[i:j]
            out.append((key, value))
            break
    return out


def _quoted(text: str, i: int, closing: str, escape: str) -> tuple[int, str]:
    """The text between the quote at ``i`` and its closing quote, and the index after it."""
    out: list[str] = []
    j = i + 1
    while j < len(text):
        c = text[j]
        if escape and c == escape and j + 1 < len(text):
            out.append(text[j + 1])
            j += 2
            continue
        if c == closing:
            return j + 1, "".join(out)
        out.append(c)
        j += 1
    return j, "".join(out)
