"""Parser: positions, precise errors, pretty-printer round trip, no crash on random text."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from azlogs import KqlError
from azlogs.kql import MemoryProvider, check, parse, run_query
from azlogs.kql._printer import to_text
from azlogs.schema.types import KQL_ALIASES

SAMPLES = [
    "source",
    "source | where severity == 'Critical' and n > 5 or m !has_cs \"x\"",
    "let t = 400; let f = (a:string, b:long = 2) { strcat(a, b) }; source | where x >= t | extend y = f(s)",
    "print x = 2 + 2, y = 5 | extend z = exp2(x) + exp2(y)",
    "source | project TimeGenerated = todatetime([\"time\"]), E = tostring(P.EventId), d = P['a'][0]",
    'source | parse kind=regex flags=i RawData with @"(\\d+)" n:long " " * | project-rename a = n',
    "datatable(a:string, b:long, c:dynamic)['x', -1, dynamic({\"k\": [1, 2.5, null]})] | where b < 0",
    "T | summarize c = count(), arg_max(TimeGenerated, *) by bin(TimeGenerated, 1h), Computer",
    "T | join kind=leftouter (U | where x in~ ('a', 'b')) on $left.a == $right.b | sort by x desc nulls first",
    "T | mv-expand x to typeof(long) limit 3 | top 3 by y asc | distinct * | render timechart",
    "union withsource=S T, (U | take 3) | count",
    "print t = datetime(2024-01-01 10:00:00.5), s = 1.5h, g = guid(00000000-0000-0000-0000-000000000001), n = real(null)",
    "T | where x between (1 .. 10) and y !between (datetime(2024-01-01) .. 1d) and z matches regex 'a+'",
]


class TestRoundTrip:
    """parse(print(parse(x))) == parse(x)."""

    @pytest.mark.parametrize("text", SAMPLES)
    def test_samples(self, text: str) -> None:
        """Each sample survives printing and re-parsing."""
        tree = parse(text)
        assert parse(to_text(tree)) == tree


_names = st.sampled_from(["a", "b", "Col", "x1", "count", "type", "my col", "time"])
_leaf = st.one_of(
    _names.map(lambda n: f"[{n!r}]" if " " in n else n),
    st.integers(min_value=0, max_value=10**12).map(str),
    st.floats(min_value=0, max_value=1e9, allow_nan=False).map(repr),
    st.text(max_size=8).map(
        lambda s: '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
    ),
    st.sampled_from(
        [
            "1h",
            "2.5d",
            "10ms",
            "true",
            "false",
            "long(null)",
            "datetime(2024-01-02 03:04:05)",
            'dynamic([1, {"a": null}])',
            "int(-3)",
        ]
    ),
)


def _combine(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    ops = st.sampled_from(
        [
            "+",
            "-",
            "*",
            "/",
            "%",
            "==",
            "!=",
            "<",
            ">=",
            "and",
            "or",
            "=~",
            "has",
            "!contains",
            "startswith_cs",
        ]
    )
    return st.one_of(
        st.tuples(children, ops, children).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
        st.tuples(
            st.sampled_from(["strlen", "tostring", "iff", "strcat", "bin"]),
            st.lists(children, min_size=1, max_size=3),
        ).map(lambda t: f"{t[0]}({', '.join(t[1])})"),
        children.map(lambda c: f"-{c}"),
        st.tuples(children, st.lists(children, min_size=1, max_size=3)).map(
            lambda t: f"{t[0]} in ({', '.join(t[1])})"
        ),
        children.map(lambda c: f"{c}.a['b'][0]"),
    )


_expr = st.recursive(_leaf, _combine, max_leaves=8)


class TestProperties:
    """Hypothesis properties of the parser."""

    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(_expr, st.sampled_from(["where", "extend e =", "project p ="]))
    def test_generated_round_trip(self, expr: str, op: str) -> None:
        """A generated query that parses re-parses to the same tree after printing."""
        text = f"source | {op} {expr}"
        try:
            tree = parse(text)
        except KqlError:
            return
        assert parse(to_text(tree)) == tree

    @settings(max_examples=300, deadline=None)
    @given(st.text(max_size=60))
    def test_random_text_never_crashes(self, text: str) -> None:
        """Random text either parses or raises KqlError: never another exception."""
        with contextlib.suppress(KqlError):
            parse(text)

    @settings(max_examples=200, deadline=None)
    @given(
        st.lists(
            st.sampled_from(
                [
                    "source",
                    "|",
                    "where",
                    "extend",
                    "x",
                    "=",
                    "(",
                    ")",
                    "1",
                    "'a'",
                    ",",
                    "by",
                    "summarize",
                    "count()",
                    "let",
                    ";",
                    "[",
                    "]",
                    "datetime(",
                    "1h",
                    "parse",
                    "with",
                    "*",
                    ":",
                    "long",
                    "dynamic({",
                    "}",
                    ".",
                    "in",
                    "!in~",
                    "between",
                    "..",
                ]
            ),
            max_size=14,
        ).map(" ".join)
    )
    def test_token_soup_never_crashes(self, text: str) -> None:
        """Plausible token sequences give a tree or a KqlError with a position."""
        error: KqlError | None = None
        try:
            check(parse(text), "query")
        except KqlError as exc:
            error = exc
        assert error is None or error.line is None or error.line >= 1


class TestErrors:
    """Precise syntax errors."""

    def test_position_and_expectation(self) -> None:
        """A missing operand is reported at its line and column with what was expected."""
        with pytest.raises(KqlError) as info:
            parse("source\n| where x == ")
        assert info.value.line == 2
        assert "expected an expression" in info.value.message

    def test_unsupported_operator_is_named(self) -> None:
        """A KQL operator azlogs lacks is named as such."""
        with pytest.raises(KqlError, match="'fork' is not supported"):
            parse("source | fork (take 1)")

    def test_unknown_operator(self) -> None:
        """A word that is no operator at all gets a list of operators."""
        with pytest.raises(KqlError, match="unknown tabular operator 'frob'"):
            parse("source | frob")

    def test_bad_literal(self) -> None:
        """A malformed datetime literal names itself and its position."""
        with pytest.raises(KqlError) as info:
            parse("print datetime(garbage)")
        assert info.value.column == 7

    def test_positions_on_nodes(self) -> None:
        """AST nodes carry (line, column)."""
        tree = parse("source\n| where a == 1")
        assert tree.body.ops[0].pos == (2, 3)  # type: ignore[union-attr]


class TestTypeNames:
    @pytest.mark.parametrize("alias", sorted(KQL_ALIASES))
    def test_every_alias_reads_in_a_type_position(self, alias: str) -> None:
        """The grammar, the engine and azlogs.schema read one list of type aliases (Kusto.Language's
        ScalarTypes): `int32`, `float` and `uuid` parsed in schema but not in a query before."""
        result = run_query(f"datatable(x:{alias})[] | project x", MemoryProvider())
        assert result.tables[0].columns == [("x", KQL_ALIASES[alias].kql_name)]

    def test_printer_quotes_type_words_used_as_names(self) -> None:
        """A column named like a type alias prints bracket-quoted, so the text parses back."""
        text = to_text(parse("T | project ['int32'] = 1"))
        assert '["int32"]' in text
        assert to_text(parse(text)) == text
