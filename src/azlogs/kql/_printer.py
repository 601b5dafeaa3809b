"""AST -> KQL text. Output re-parses to an equal AST (positions aside); binary operations are
parenthesised so precedence never depends on the printer."""

from __future__ import annotations

import json
import math
import re
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from azlogs.kql import _ast as A
from azlogs.kql._grammar import TYPE_WORDS
from azlogs.kql._values import format_datetime_iso, type_of_value
from azlogs.schema.timespans import format_timespan

_PLAIN_NAME = re.compile(r"\$?[A-Za-z_][A-Za-z0-9_]*\Z")
# Names the grammar reads as keywords in some positions: always bracket-quote them.
_RESERVED = {
    "let",
    "print",
    "range",
    "union",
    "datatable",
    "dynamic",
    "true",
    "false",
    "null",
    "and",
    "or",
    "by",
    "on",
    "with",
    "where",
    "extend",
    "project",
    "asc",
    "desc",
    "nulls",
    "first",
    "last",
    "matches",
    "regex",
    "in",
    "between",
    "has",
    "contains",
    "startswith",
    "endswith",
    "to",
    "from",
    "step",
    "typeof",
    "limit",
    "kind",
    "flags",
    "bagexpansion",
    "withsource",
    "isfuzzy",
} | TYPE_WORDS


def quote_string(value: str) -> str:
    """A KQL string literal for any text."""
    out = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    out = out.replace("\t", "\\t")
    out = "".join(f"\\u{ord(c):04x}" if ord(c) < 0x20 or ord(c) == 0x7F else c for c in out)
    return f'"{out}"'


def name(text: str) -> str:
    """An identifier, bracket-quoted when it is not a plain name."""
    if _PLAIN_NAME.match(text) and text.lower() not in _RESERVED and not text.startswith("$"):
        return text
    if text in ("$left", "$right"):
        return text
    return f"[{quote_string(text)}]"


def _member_name(text: str) -> str:
    if _PLAIN_NAME.match(text) and text.lower() not in _RESERVED and not text.startswith("$"):
        return text
    return f"[{quote_string(text)}]"


def _json(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{quote_string(str(k))}: {_json(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_json(v) for v in value) + "]"
    if isinstance(value, float) and not math.isfinite(value):
        return _literal(A.Literal(value, "real"))
    if isinstance(value, str):
        return quote_string(value)
    return json.dumps(value)


def _literal(lit: A.Literal) -> str:
    v, t = lit.value, lit.type
    if v is None:
        return f"{t}(null)"
    if t == "string":
        return quote_string(v)
    if t == "bool":
        return "true" if v else "false"
    if t == "long":
        return str(v) if v >= 0 else f"long({v})"
    if t == "int":
        return f"int({v})"
    if t == "real":
        if math.isnan(v):
            return "real(nan)"
        if math.isinf(v):
            return "real(+inf)" if v > 0 else "real(-inf)"
        text = repr(float(v))
        return text if v >= 0 and not text.startswith("-") else f"real({text})"
    if t == "decimal":
        assert isinstance(v, Decimal)
        return f"decimal({v})"
    if t == "datetime":
        assert isinstance(v, datetime)
        return f"datetime({format_datetime_iso(v)})"
    if t == "timespan":
        assert isinstance(v, timedelta)
        return f"timespan({format_timespan(v)})"
    if t == "guid":
        return f"guid({v})"
    if t == "dynamic":
        return f"dynamic({_json(v)})"
    raise ValueError(f"cannot print a literal of type {t}")


def expr(node: Any) -> str:
    """Print a scalar or tabular expression."""
    if isinstance(node, A.Literal):
        return _literal(node)
    if isinstance(node, A.Column):
        return name(node.name)
    if isinstance(node, A.Member):
        return f"{_postfix(node.target)}.{_member_name(node.name)}"
    if isinstance(node, A.Index):
        return f"{_postfix(node.target)}[{expr(node.index)}]"
    if isinstance(node, A.Star):
        return "*"
    if isinstance(node, A.Call):
        return (
            f"{name(node.name) if node.name.lower() not in _RESERVED else node.name}"
            f"({', '.join(expr(a) for a in node.args)})"
        )
    if isinstance(node, A.Unary):
        return f"-({expr(node.operand)})"
    if isinstance(node, A.Binary):
        return f"({expr(node.left)} {node.op} {expr(node.right)})"
    if isinstance(node, A.InList):
        return f"({expr(node.left)} {node.op} ({', '.join(expr(i) for i in node.items)}))"
    if isinstance(node, A.Between):
        op = "!between" if node.negated else "between"
        return f"({expr(node.left)} {op} ({expr(node.low)} .. {expr(node.high)}))"
    if isinstance(node, A.Datatable):
        cols = ", ".join(f"{name(n)}:{t}" for n, t in node.columns)
        return f"datatable({cols})[{', '.join(_literal(v) for v in node.values)}]"
    if isinstance(node, A.Pipeline):
        return f"({pipeline(node)})"
    raise ValueError(f"cannot print {type(node).__name__}")


def _postfix(node: Any) -> str:
    text = expr(node)
    if isinstance(node, (A.Column, A.Member, A.Index, A.Call, A.Binary, A.InList, A.Between)):
        return text
    return f"({text})"


def _assign(a: A.Assign) -> str:
    if a.names:
        return f"({', '.join(name(n) for n in a.names)}) = {expr(a.expr)}"
    return f"{name(a.name)} = {expr(a.expr)}" if a.name is not None else expr(a.expr)


def _assigns(items: tuple[A.Assign, ...]) -> str:
    return ", ".join(_assign(a) for a in items)


def _sort_key(k: A.SortKey) -> str:
    out = f"{expr(k.expr)} {'desc' if k.descending else 'asc'}"
    if k.nulls_first is not None:
        out += " nulls first" if k.nulls_first else " nulls last"
    return out


def _option(key: str, value: Any) -> str:
    if isinstance(value, bool):
        return f"{key}={'true' if value else 'false'}"
    return f"{key}={value}"


def _parse_item(item: A.ParseItem) -> str:
    if item.kind == "literal":
        return quote_string(item.value)
    if item.kind == "star":
        return "*"
    return f"{name(item.value)}:{item.type}" if item.type else name(item.value)


def operator(op: Any) -> str:
    """Print one tabular operator (without the leading ``|``)."""
    if isinstance(op, A.Where):
        return f"where {expr(op.predicate)}"
    if isinstance(op, A.Extend):
        return f"extend {_assigns(op.assigns)}"
    if isinstance(op, A.Project):
        return f"project {_assigns(op.assigns)}"
    if isinstance(op, A.ProjectAway):
        return f"{op.kind} {', '.join(p if '*' in p else name(p) for p in op.patterns)}"
    if isinstance(op, A.ProjectRename):
        return "project-rename " + ", ".join(f"{name(n)} = {name(o)}" for n, o in op.pairs)
    if isinstance(op, A.Parse):
        head = "parse-where" if op.drop_unmatched else "parse"
        if op.kind != "simple":
            head += f" kind={op.kind}"
        if op.flags:
            head += f" flags={op.flags}"
        return f"{head} {_postfix(op.source)} with {' '.join(_parse_item(i) for i in op.items)}"
    if isinstance(op, A.Take):
        return f"take {expr(op.count)}"
    if isinstance(op, A.Sort):
        return "sort by " + ", ".join(_sort_key(k) for k in op.keys)
    if isinstance(op, A.Top):
        return f"top {expr(op.count)} by {_sort_key(op.key)}"
    if isinstance(op, A.Summarize):
        out = "summarize"
        if op.aggregates:
            out += " " + _assigns(op.aggregates)
        if op.by:
            out += " by " + _assigns(op.by)
        return out
    if isinstance(op, A.Count):
        return "count"
    if isinstance(op, A.Distinct):
        return "distinct " + (_assigns(op.columns) if op.columns else "*")
    if isinstance(op, A.Union_):
        opts = "".join(_option(k, v) + " " for k, v in op.options)
        return f"union {opts}{', '.join(_postfix(t) for t in op.tables)}"
    if isinstance(op, A.Join):
        kind = f"kind={op.kind} " if op.explicit_kind else ""
        return f"join {kind}{_postfix(op.right)} on {', '.join(expr(k) for k in op.keys)}"
    if isinstance(op, A.MvExpand):
        items = ", ".join(_assign(a) + (f" to typeof({t})" if t else "") for a, t in op.items)
        return f"mv-expand {items}" + (f" limit {expr(op.limit)}" if op.limit is not None else "")
    if isinstance(op, A.Render):
        props = ", ".join(
            f"{name(k)}={', '.join(expr(x) for x in v) if isinstance(v, tuple) else expr(v)}"
            for k, v in op.properties
        )
        return f"render {name(op.visual)}" + (f" with ({props})" if props else "")
    if isinstance(op, A.GetSchema):
        return "getschema"
    if isinstance(op, A.Serialize):
        return ("serialize " + _assigns(op.assigns)).rstrip()
    if isinstance(op, A.As):
        return f"as {name(op.name)}"
    if isinstance(op, A.Print):
        return ("print " + _assigns(op.assigns)).rstrip()
    raise ValueError(f"cannot print {type(op).__name__}")


def _source(src: Any) -> str:
    if isinstance(src, (A.Print, A.Union_)):
        return operator(src)
    if isinstance(src, A.Range):
        return f"range {name(src.name)} from {expr(src.start)} to {expr(src.stop)} step {expr(src.step)}"
    return expr(src)


def pipeline(node: Any) -> str:
    """Print a pipeline or a bare source."""
    if not isinstance(node, A.Pipeline):
        return _source(node)
    return " | ".join([_source(node.source), *(operator(op) for op in node.ops)])


def _let(let: A.Let) -> str:
    value = let.value
    if isinstance(value, A.Lambda):
        params = ", ".join(
            f"{name(p.name)}:{p.type}" + (f" = {expr(p.default)}" if p.default is not None else "")
            for p in value.params
        )
        lets = "".join(_let(inner) + "; " for inner in value.lets)
        return f"let {name(let.name)} = ({params}) {{ {lets}{pipeline(value.body)} }}"
    return f"let {name(let.name)} = {pipeline(value)}"


def _set(option: A.SetOption) -> str:
    value = option.value
    if value is True:
        return f"set {name(option.name)}"
    if isinstance(value, str):
        return f"set {name(option.name)}={_string_or_word(value)}"
    return f"set {name(option.name)}={expr(A.Literal(value, type_of_value(value)))}"


def _string_or_word(value: str) -> str:
    return value if value.isidentifier() else expr(A.Literal(value, "string"))


def to_text(query: A.Query) -> str:
    """Print a whole query: ``let`` statements, then the tabular expression."""
    parts = [_set(option) for option in query.sets]
    parts += [_let(let) for let in query.lets]
    if query.body is not None:
        parts.append(pipeline(query.body))
    return ";\n".join(parts)
