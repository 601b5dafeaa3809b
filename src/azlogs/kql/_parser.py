"""Text -> AST: the lark LALR parser, a transformer to the dataclasses of ``_ast``, and errors.

Every failure, whatever the input, surfaces as :class:`azlogs.KqlError` with a line and column.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any

import lark
from lark import Token, v_args

from azlogs._exceptions import KqlError
from azlogs.kql import _ast as A
from azlogs.kql._grammar import GRAMMAR
from azlogs.kql._literals import normalize_type, parse_string_token, parse_timespan_token, parse_typed_literal
from azlogs.kql._parse_graph import GraphMixin
from azlogs.kql._parse_ops import (
    DEPRECATED_AGGREGATES,
    OpsMixin,
    _bag_kind,
    _index_name,
    join_keys,
    mv_item_name,
)
from azlogs.kql._values import LONG_MAX, wrap_long

# Tabular operators and functions that KQL has but this engine does not implement: name them
# precisely instead of reporting an unexpected token.
UNIMPLEMENTED_OPERATORS = {
    "fork",
    "facet",
    "reduce",
    "top-hitters",
    "consume",
    "execute-and-cache",
}

_EXPR_START = {
    "NAME",
    "NUMBER",
    "STRING",
    "LPAR",
    "ADD_OP",
    "LSQB",
    "DATATABLE",
    "DYNAMIC",
    "FALSE",
    "TRUE",
    "TYPED_LIT",
    "TIMESPAN",
    "PRINT",
    "UNION",
    "RANGE",
    "EXTERNALDATA",
    "EXTERNAL_DATA",
    "SEARCH",
    "EVALUATE",
    "FIND",
}
_TERMINAL_NAMES = {
    "RPAR": "')'",
    "LPAR": "'('",
    "COMMA": "','",
    "VBAR": "'|'",
    "_SEMI": "';'",
    "$END": "end of text",
    "NAME": "a name",
    "STRING": "a string literal",
    "NUMBER": "a number",
    "EQUAL": "'='",
    "LSQB": "'['",
    "RSQB": "']'",
    "LBRACE": "'{'",
    "RBRACE": "'}'",
    "COLON": "':'",
    "DOT": "'.'",
    "CMP_OP": "a comparison operator",
    "STR_OP": "a string operator",
    "ADD_OP": "'+' or '-'",
    "MUL_OP": "'*', '/' or '%'",
    "TYPE_NAME": "a type name (string, long, real, datetime, ...)",
    "TIMESPAN": "a timespan literal",
    "STAR": "'*'",
    "BY": "'by'",
    "WITH": "'with'",
    "ON": "'on'",
    "IN_OP": "'in'",
    "OPT_KW": "an option (kind=...)",
    "SORT_DIR": "'asc' or 'desc'",
    "GRAPH_ARROW": "'-->' or '--'",
    "GRAPH_EDGE": "a graph edge (-->, <--, --, -[e]->, <-[e*1..3]- ...)",
    "GRAPH_OPT": "an option (with_node_id=..., cycles=...)",
    "PARTITIONED_BY": "'partitioned-by'",
}


@lru_cache(maxsize=1)
def _lark() -> lark.Lark:
    return lark.Lark(
        GRAMMAR, parser="lalr", lexer="contextual", propagate_positions=True, maybe_placeholders=True
    )


def _no_tuple(items: list[Any], where: str) -> list[Any]:
    """Refuse ``(a, b) = ...`` where only one column can be named (only extend, project, print and
    summarize's aggregates take several names)."""
    for item in items:
        if isinstance(item, A.Assign) and item.names:
            raise KqlError(
                f"({', '.join(item.names)}) = ... is not allowed in {where}",
                line=item.pos[0],
                column=item.pos[1],
            )
    return items


def _tpos(tok: Token) -> A.Pos:
    return (tok.line or 0, tok.column or 0)


def _mpos(meta: Any) -> A.Pos:
    return (getattr(meta, "line", 0), getattr(meta, "column", 0))


def _ident(tok: Any) -> str:
    return str(tok)


@v_args(meta=True)
class _ToAst(OpsMixin, GraphMixin):
    """lark tree -> AST dataclasses."""

    # -- statements
    def start(self, meta: Any, ch: list[Any]) -> A.Query:
        lets: list[A.Let] = []
        sets: list[A.SetOption] = []
        body: A.Expr | None = None
        for item in ch:
            if item is None:
                continue
            if isinstance(item, (A.SetOption, A.Let)):
                if body is not None:
                    word = "set" if isinstance(item, A.SetOption) else "let"
                    raise KqlError(
                        f"a '{word}' statement must come before the tabular expression",
                        line=item.pos[0],
                        column=item.pos[1],
                    )
                if isinstance(item, A.SetOption):
                    sets.append(item)
                else:
                    lets.append(item)
            else:
                if body is not None:
                    p = getattr(item, "pos", (0, 0))
                    raise KqlError(
                        "only one tabular expression statement is supported (separate 'let' statements "
                        "with ';')",
                        line=p[0],
                        column=p[1],
                    )
                body = item
        return A.Query(tuple(lets), body, pos=_mpos(meta), sets=tuple(sets))

    def set_stmt(self, meta: Any, ch: list[Any]) -> A.SetOption:
        value = ch[1]
        if value is None:
            value = True
        elif isinstance(value, A.Literal):
            value = value.value
        return A.SetOption(ch[0].lower(), value, pos=_mpos(meta))

    def set_word(self, meta: Any, ch: list[Any]) -> str:
        return str(ch[0])

    def let_stmt(self, meta: Any, ch: list[Any]) -> A.Let:
        return A.Let(ch[0], ch[1], pos=_mpos(meta))

    def lambda_(self, meta: Any, ch: list[Any]) -> A.Lambda:
        view = ch[0] is not None
        params = tuple(ch[1] or ())
        lets = tuple(c for c in ch[2:] if isinstance(c, A.Let))
        body = ch[-1]
        return A.Lambda(params, lets, body, pos=_mpos(meta), view=view)

    def param(self, meta: Any, ch: list[Any]) -> A.Param:
        return A.Param(ch[0], normalize_type(str(ch[1])), ch[2])

    def pipeline(self, meta: Any, ch: list[Any]) -> Any:
        if len(ch) == 1 and not isinstance(ch[0], (A.Print, A.Range, A.Union_)):
            return ch[0]
        return A.Pipeline(ch[0], tuple(ch[1:]), pos=_mpos(meta))

    def paren(self, meta: Any, ch: list[Any]) -> Any:
        return ch[0]

    # -- sources
    def print_op(self, meta: Any, ch: list[Any]) -> A.Print:
        return A.Print(tuple(ch[0] or ()), pos=_mpos(meta))

    def range_op(self, meta: Any, ch: list[Any]) -> A.Range:
        return A.Range(ch[0], ch[1], ch[2], ch[3], pos=_mpos(meta))

    def union_op(self, meta: Any, ch: list[Any]) -> A.Union_:
        opts = tuple(c for c in ch if isinstance(c, tuple))
        tables = tuple(c for c in ch if not isinstance(c, tuple))
        return A.Union_(opts, tables, pos=_mpos(meta))

    def datatable(self, meta: Any, ch: list[Any]) -> A.Datatable:
        cols = tuple(ch[:-1])
        values = tuple(ch[-1] or ())
        if cols and len(values) % len(cols):
            raise KqlError(
                f"datatable has {len(cols)} columns but {len(values)} values (not a multiple)",
                line=meta.line,
                column=meta.column,
            )
        return A.Datatable(cols, values, pos=_mpos(meta))

    def col_decl(self, meta: Any, ch: list[Any]) -> tuple[str, str]:
        return (ch[0], normalize_type(str(ch[1])))

    def signed_number(self, meta: Any, ch: list[Any]) -> A.Literal:
        lit = self.number(meta, [ch[1]])
        return A.Literal(-lit.value if str(ch[0]) == "-" else lit.value, lit.type, pos=_mpos(meta))

    def signed_timespan(self, meta: Any, ch: list[Any]) -> A.Literal:
        lit = self.timespan(meta, [ch[1]])
        return A.Literal(-lit.value if str(ch[0]) == "-" else lit.value, lit.type, pos=_mpos(meta))

    # -- operators
    def where_op(self, meta: Any, ch: list[Any]) -> A.Where:
        return A.Where(ch[0], pos=_mpos(meta))

    def extend_op(self, meta: Any, ch: list[Any]) -> A.Extend:
        return A.Extend(tuple(ch), pos=_mpos(meta))

    def project_op(self, meta: Any, ch: list[Any]) -> A.Project:
        return A.Project(tuple(ch), pos=_mpos(meta))

    def project_away_op(self, meta: Any, ch: list[Any]) -> A.ProjectAway:
        return A.ProjectAway("project-away", tuple(ch), pos=_mpos(meta))

    def project_keep_op(self, meta: Any, ch: list[Any]) -> A.ProjectAway:
        return A.ProjectAway("project-keep", tuple(ch), pos=_mpos(meta))

    def project_reorder_op(self, meta: Any, ch: list[Any]) -> A.ProjectAway:
        return A.ProjectAway(
            "project-reorder", tuple(p for p, _ in ch), pos=_mpos(meta), orders=tuple(o for _, o in ch)
        )

    def col_pattern(self, meta: Any, ch: list[Any]) -> str:
        return str(ch[0])

    def project_rename_op(self, meta: Any, ch: list[Any]) -> A.ProjectRename:
        return A.ProjectRename(tuple(ch), pos=_mpos(meta))

    def rename(self, meta: Any, ch: list[Any]) -> tuple[str, str]:
        return (ch[0], ch[1])

    def parse_op(self, meta: Any, ch: list[Any]) -> A.Parse:
        opts: dict[str, Any] = dict(c for c in ch[1:] if isinstance(c, tuple))
        rest = [c for c in ch[1:] if not isinstance(c, tuple)]
        kind = str(opts.get("kind", "simple")).lower()
        if kind not in ("simple", "regex", "relaxed"):
            raise KqlError(
                f"parse kind={kind} is not known (simple, regex, relaxed)", line=meta.line, column=meta.column
            )
        return A.Parse(
            rest[0],
            tuple(rest[1:]),
            kind=kind,
            flags=str(opts.get("flags", "")),
            drop_unmatched=str(ch[0]) == "parse-where",
            pos=_mpos(meta),
        )

    def parse_literal(self, meta: Any, ch: list[Any]) -> A.ParseItem:
        return A.ParseItem("literal", ch[0].value)

    def parse_star(self, meta: Any, ch: list[Any]) -> A.ParseItem:
        return A.ParseItem("star")

    def parse_column(self, meta: Any, ch: list[Any]) -> A.ParseItem:
        return A.ParseItem("column", ch[0], normalize_type(str(ch[1])) if ch[1] is not None else None)

    def take_op(self, meta: Any, ch: list[Any]) -> A.Take:
        return A.Take(ch[0], pos=_mpos(meta))

    def sort_op(self, meta: Any, ch: list[Any]) -> A.Sort:
        return A.Sort(tuple(ch), pos=_mpos(meta))

    def sort_key(self, meta: Any, ch: list[Any]) -> A.SortKey:
        desc = ch[1] is None or str(ch[1]) == "desc"
        nulls = None if ch[3] is None else str(ch[3]) == "first"
        return A.SortKey(ch[0], desc, nulls)

    def top_op(self, meta: Any, ch: list[Any]) -> A.Top:
        return A.Top(ch[0], ch[1], pos=_mpos(meta))

    def summarize_op(self, meta: Any, ch: list[Any]) -> A.Summarize:
        # children: options..., then aggregates (maybe None), then by-list (maybe None)
        aggs, by = ch[-2], ch[-1]
        return A.Summarize(tuple(aggs or ()), tuple(by or ()), pos=_mpos(meta))

    def agg_list(self, meta: Any, ch: list[Any]) -> list[Any]:
        return ch

    def by_list(self, meta: Any, ch: list[Any]) -> list[Any]:
        return _no_tuple(ch, "a by clause")

    def args(self, meta: Any, ch: list[Any]) -> list[Any]:
        return ch

    def params(self, meta: Any, ch: list[Any]) -> list[Any]:
        return ch

    def dt_values(self, meta: Any, ch: list[Any]) -> list[Any]:
        return ch

    def json_pairs(self, meta: Any, ch: list[Any]) -> list[Any]:
        return ch

    def json_items(self, meta: Any, ch: list[Any]) -> list[Any]:
        return ch

    def render_props(self, meta: Any, ch: list[Any]) -> list[tuple[str, Any]]:
        # ycolumns=a, b, c: a bare name after a property continues that property's column list.
        props: list[tuple[str, Any]] = []
        for item in ch:
            if isinstance(item, A.Column):
                name, value = props[-1]
                columns = value if isinstance(value, tuple) else (value,)
                props[-1] = (name, (*columns, item))
            else:
                props.append(item)
        return props

    def render_col(self, meta: Any, ch: list[Any]) -> A.Column:
        return A.Column(ch[0], pos=_mpos(meta))

    def count_op(self, meta: Any, ch: list[Any]) -> A.Count:
        return A.Count(pos=_mpos(meta))

    def distinct_op(self, meta: Any, ch: list[Any]) -> A.Distinct:
        return A.Distinct(
            tuple(_no_tuple([c for c in ch if isinstance(c, A.Assign)], "distinct")), pos=_mpos(meta)
        )

    def join_op(self, meta: Any, ch: list[Any]) -> A.Join:
        opts: dict[str, Any] = dict(c for c in ch if isinstance(c, tuple))
        rest = [c for c in ch if not isinstance(c, tuple)]
        kind = str(opts.get("kind", "innerunique")).lower()
        return A.Join(kind, rest[0], join_keys(rest[1:]), "kind" in opts, pos=_mpos(meta))

    def join_key(self, meta: Any, ch: list[Any]) -> Any:
        return ch[0]

    def mv_expand_op(self, meta: Any, ch: list[Any]) -> A.MvExpand:
        ch = ch[1:]  # the MV_EXPAND keyword (mv-expand or the older mvexpand)
        opts: dict[str, Any] = dict(c for c in ch if isinstance(c, tuple) and isinstance(c[0], str))
        items = tuple(c for c in ch if isinstance(c, tuple) and isinstance(c[0], A.Assign))
        limit = ch[-1] if ch and not isinstance(ch[-1], tuple) else None
        return A.MvExpand(items, limit, pos=_mpos(meta), index_name=_index_name(opts), kind=_bag_kind(opts))

    def mv_item(self, meta: Any, ch: list[Any]) -> tuple[A.Assign, str | None]:
        item = mv_item_name(_no_tuple([ch[0]], "mv-expand")[0])
        return (item, normalize_type(str(ch[1])) if ch[1] is not None else None)

    def render_op(self, meta: Any, ch: list[Any]) -> A.Render:
        props: list[tuple[str, Any]] = []
        for c in ch[1:]:
            if isinstance(c, tuple):
                props.append(c)
            elif isinstance(c, list):
                props.extend(c)
        return A.Render(ch[0], tuple(props), pos=_mpos(meta))

    def render_prop(self, meta: Any, ch: list[Any]) -> tuple[str, Any]:
        return (ch[0].lower(), ch[1])

    def getschema_op(self, meta: Any, ch: list[Any]) -> A.GetSchema:
        return A.GetSchema(pos=_mpos(meta))

    def serialize_op(self, meta: Any, ch: list[Any]) -> A.Serialize:
        return A.Serialize(tuple(_no_tuple(list(ch[0] or ()), "serialize")), pos=_mpos(meta))

    def as_op(self, meta: Any, ch: list[Any]) -> A.As:
        opts: dict[str, Any] = dict(c for c in ch[:-1] if isinstance(c, tuple))
        materialized = str(opts.get("hint.materialized", "false")).lower() == "true"
        return A.As(ch[-1], pos=_mpos(meta), materialized=materialized)

    def option(self, meta: Any, ch: list[Any]) -> tuple[str, Any]:
        val = ch[1]
        if isinstance(val, A.Literal):
            val = val.value
        return (str(ch[0]).lower(), str(val) if not isinstance(val, (bool, int, float)) else val)

    def tuple_assign(self, meta: Any, ch: list[Any]) -> A.Assign:
        return A.Assign(None, ch[-1], pos=_mpos(meta), names=tuple(ch[:-1]))

    def assign(self, meta: Any, ch: list[Any]) -> A.Assign:
        if len(ch) == 1:
            return A.Assign(None, ch[0], pos=_mpos(meta))
        return A.Assign(ch[0], ch[1], pos=_mpos(meta))

    # -- expressions
    def or_expr(self, meta: Any, ch: list[Any]) -> Any:
        out = ch[0]
        for c in ch[1:]:
            out = A.Binary("or", out, c, pos=_mpos(meta))
        return out

    def and_expr(self, meta: Any, ch: list[Any]) -> Any:
        out = ch[0]
        for c in ch[1:]:
            out = A.Binary("and", out, c, pos=_mpos(meta))
        return out

    def binop(self, meta: Any, ch: list[Any]) -> A.Binary:
        op = str(ch[1])
        if op == "<>":
            op = "!="
        return A.Binary(op, ch[0], ch[2], pos=_tpos(ch[1]))

    def regex_match(self, meta: Any, ch: list[Any]) -> A.Binary:
        return A.Binary("matches regex", ch[0], ch[2], pos=_tpos(ch[1]))

    def in_expr(self, meta: Any, ch: list[Any]) -> A.InList:
        return A.InList(str(ch[1]), ch[0], tuple(ch[2] or ()), pos=_tpos(ch[1]))

    def between(self, meta: Any, ch: list[Any]) -> A.Between:
        return A.Between(str(ch[1]).startswith("!"), ch[0], ch[2], ch[3], pos=_tpos(ch[1]))

    def neg(self, meta: Any, ch: list[Any]) -> A.Expr:
        if str(ch[0]) == "+":
            return ch[1]  # type: ignore[no-any-return]
        return A.Unary("-", ch[1], pos=_mpos(meta))

    def member(self, meta: Any, ch: list[Any]) -> A.Member:
        return A.Member(ch[0], ch[1], pos=_mpos(meta))

    def member_name(self, meta: Any, ch: list[Any]) -> str:
        tok = ch[0]
        if tok.type == "STRING":
            return parse_string_token(str(tok))
        return str(tok)

    def index(self, meta: Any, ch: list[Any]) -> A.Index:
        return A.Index(ch[0], ch[1], pos=_mpos(meta))

    def column(self, meta: Any, ch: list[Any]) -> A.Column:
        return A.Column(ch[0], pos=_mpos(meta))

    def bracket_column(self, meta: Any, ch: list[Any]) -> A.Column:
        return A.Column(parse_string_token(str(ch[0])), pos=_mpos(meta))

    def call(self, meta: Any, ch: list[Any]) -> A.Call:
        return A.Call(DEPRECATED_AGGREGATES.get(ch[0], ch[0]), tuple(ch[1] or ()), pos=_mpos(meta))

    def star(self, meta: Any, ch: list[Any]) -> A.Star:
        return A.Star(pos=_mpos(meta))

    def name(self, meta: Any, ch: list[Any]) -> str:
        tok = ch[0]
        return parse_string_token(str(tok)) if tok.type == "STRING" else str(tok)

    # -- literals
    def number(self, meta: Any, ch: list[Any]) -> A.Literal:
        text = str(ch[0])
        if text.lower().startswith("0x"):
            digits = text[2:].lstrip("0")
            if len(digits) > 16:
                raise KqlError(f"the number {text[:40]} does not fit in a long (64 bits)")
            return A.Literal(wrap_long(int(text, 16)), "long", pos=_mpos(meta))
        if re.fullmatch(r"[0-9]+", text):
            digits = text.lstrip("0") or "0"
            if len(digits) > 19 or int(digits) > LONG_MAX:
                raise KqlError(f"the number {text[:40]} is out of the range of long (at most {LONG_MAX})")
            value = int(digits)
            return A.Literal(value, "long", pos=_mpos(meta))
        return A.Literal(float(text), "real", pos=_mpos(meta))

    def timespan(self, meta: Any, ch: list[Any]) -> A.Literal:
        return A.Literal(parse_timespan_token(str(ch[0])), "timespan", pos=_mpos(meta))

    def string(self, meta: Any, ch: list[Any]) -> A.Literal:
        return A.Literal("".join(parse_string_token(str(t)) for t in ch), "string", pos=_mpos(meta))

    def true(self, meta: Any, ch: list[Any]) -> A.Literal:
        return A.Literal(True, "bool", pos=_mpos(meta))

    def false(self, meta: Any, ch: list[Any]) -> A.Literal:
        return A.Literal(False, "bool", pos=_mpos(meta))

    def typed_lit(self, meta: Any, ch: list[Any]) -> A.Literal:
        value, typ = parse_typed_literal(str(ch[0]))
        return A.Literal(value, typ, pos=_mpos(meta))

    def literal(self, meta: Any, ch: list[Any]) -> Any:
        return ch[0]

    def dynamic_lit(self, meta: Any, ch: list[Any]) -> A.Literal:
        return A.Literal(ch[0], "dynamic", pos=_mpos(meta))

    def json_obj(self, meta: Any, ch: list[Any]) -> dict[str, Any]:
        return dict(ch[0] or ())

    def json_pair(self, meta: Any, ch: list[Any]) -> tuple[str, Any]:
        return (ch[0].value, ch[1])

    def json_dynamic(self, meta: Any, ch: list[Any]) -> Any:
        return ch[0]

    def json_arr(self, meta: Any, ch: list[Any]) -> list[Any]:
        return list(ch[0] or ())

    def json_scalar(self, meta: Any, ch: list[Any]) -> Any:
        tok = ch[0]
        if isinstance(tok, A.Literal):
            return tok.value
        kind = tok.type
        if kind == "ADD_OP":
            v = self.number(meta, [ch[1]]).value
            return -v if str(tok) == "-" else v
        if kind == "NUMBER":
            return self.number(meta, [tok]).value
        if kind == "TRUE":
            return True
        if kind == "FALSE":
            return False
        if kind == "NULL":
            return None
        from azlogs.kql._values import to_dynamic  # local: _values imports nothing from here

        if kind == "TIMESPAN":
            return to_dynamic(parse_timespan_token(str(tok)))
        return to_dynamic(parse_typed_literal(str(tok))[0])


_TRANSFORMER = _ToAst()


def _expected_text(expected: set[str]) -> str:
    if {"NAME", "NUMBER", "STRING"} <= expected:
        expected = (expected - _EXPR_START) | {"an expression"}
    names = sorted({_TERMINAL_NAMES.get(e, f"'{e.lower()}'" if e.isupper() else e) for e in expected})
    if len(names) > 8:
        names = [*names[:8], "..."]
    return ", ".join(names)


def _unexpected_message(exc: lark.exceptions.UnexpectedInput, text: str) -> KqlError:
    line, col = exc.line, exc.column
    if isinstance(exc, lark.exceptions.UnexpectedToken):
        tok = exc.token
        word = str(tok)
        prev = _previous_token(text, tok.start_pos)
        if tok.type == "$END":
            return KqlError(
                f"unexpected end of text; expected {_expected_text(set(exc.expected))}", line=line, column=col
            )
        if (prev == "|" and word in UNIMPLEMENTED_OPERATORS) or (
            prev == "|" and word.lower() in ("mv", "make", "top", "parse", "project", "sample")
        ):
            nxt = _word_at(text, tok.start_pos)
            return KqlError(f"the tabular operator '{nxt}' is not supported by azlogs", line=line, column=col)
        if prev == "|":
            return KqlError(
                f"unknown tabular operator '{_word_at(text, tok.start_pos)}' after '|'",
                line=line,
                column=col,
                hint="expected one of where, extend, project, project-away, project-rename, parse, summarize, "
                "take, sort, top, count, distinct, join, union, mv-expand, render",
            )
        shown = "end of text" if tok.type == "$END" else repr(word)
        return KqlError(
            f"unexpected {shown}; expected {_expected_text(set(exc.expected))}", line=line, column=col
        )
    if isinstance(exc, lark.exceptions.UnexpectedCharacters):
        at: Any = exc.pos_in_stream
        ch = text[at] if isinstance(at, int) and 0 <= at < len(text) else "?"
        return KqlError(f"unexpected character {ch!r}", line=line, column=col)
    return KqlError("unexpected end of text", line=line, column=col)


def _previous_token(text: str, pos: int) -> str:
    i = pos - 1
    while i >= 0 and text[i] in " \t\r\n":
        i -= 1
    return text[i] if i >= 0 else ""


def _word_at(text: str, pos: int) -> str:
    m = re.match(r"[A-Za-z_][A-Za-z0-9_\-]*", text[pos:])
    return m.group(0) if m else text[pos : pos + 1]


def parse(text: str) -> A.Query:
    """Parse a KQL text into a :class:`Query`; raises :class:`KqlError` with line and column."""
    if not isinstance(text, str):
        raise KqlError(f"a KQL query must be a string, not {type(text).__name__}")
    try:
        tree = _lark().parse(text)
        query: A.Query = _TRANSFORMER.transform(tree)
    except KqlError:
        raise
    except lark.exceptions.VisitError as exc:
        inner = exc.orig_exc
        meta = getattr(exc.obj, "meta", None)
        line, column = getattr(meta, "line", 1), getattr(meta, "column", 1)
        if isinstance(inner, KqlError):
            if inner.line is not None:
                raise inner from None
            raise KqlError(inner.message, line=line, column=column, hint=inner.hint) from None
        raise KqlError(f"invalid literal or construct: {inner}", line=line, column=column) from None
    except lark.exceptions.UnexpectedInput as exc:
        raise _unexpected_message(exc, text) from None
    except lark.exceptions.LarkError as exc:
        raise KqlError(f"cannot parse the query: {exc}", line=1, column=1) from None
    except RecursionError:
        raise KqlError("the query is nested too deeply", line=1, column=1) from None
    if query.body is None and not query.lets and not query.sets:
        raise KqlError("the query is empty", line=1, column=1)
    return A.Query(query.lets, query.body, text=text, pos=query.pos, sets=query.sets)


def parse_json_text(text: str) -> Any:
    """Parse JSON text for ``dynamic`` (used by the literal helpers)."""
    return json.loads(text)
