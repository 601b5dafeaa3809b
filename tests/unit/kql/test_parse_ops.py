"""Parser forms of issue 14 that real queries write, and the series_* functions' types.

Each failed to parse (or was unknown) on the code before: verbatim strings ending in a backslash,
``.[0]`` after a dot, ``mvexpand``, Unicode spaces, tabular arguments and parameters, ``view``.
"""

from __future__ import annotations

from typing import Any

import pytest

from azlogs import KqlError
from azlogs.kql import MemoryProvider, run_query
from azlogs.kql import _ast as A
from azlogs.kql._parser import parse


def _one(query: str) -> tuple[list[tuple[str, str]], list[list[Any]]]:
    t = run_query(query, MemoryProvider()).tables[0]
    return t.columns, t.rows


class TestLexical:
    """Strings, members and white space as hunting queries spell them."""

    def test_verbatim_string_ending_in_a_backslash(self) -> None:
        """@"C:\\Windows\\" is the text C:\\Windows\\ (no escapes in verbatim strings; "" is a quote)."""
        assert _one('print a=@"C:\\Windows\\", b=@\'it\'\'s\', c=@"say ""hi"""') == (
            [("a", "string"), ("b", "string"), ("c", "string")],
            [["C:\\Windows\\", "it's", 'say "hi"']],
        )

    def test_split_on_a_verbatim_backslash(self) -> None:
        """The idiom split(DeviceId, @"\\")[0] from the corpus."""
        assert _one('print p = tostring(split(@"USB\\VID_1\\X", @"\\")[0])')[1] == [["USB"]]

    def test_index_after_a_dot(self) -> None:
        """x.[0].name is x[0].name."""
        q = parse("print d.[0].displayName")
        assert q.body is not None
        cols, rows = _one('print r = dynamic([{"displayName": "p1"}]).[0].displayName')
        assert rows == [["p1"]] and cols == [("r", "dynamic")]

    def test_unicode_spaces_are_white_space(self) -> None:
        """No-break, narrow no-break and zero-width spaces pasted from web pages separate tokens."""
        assert _one("print\u00a0x\u202f=\u200b1")[1] == [[1]]

    def test_mvexpand_is_mv_expand(self) -> None:
        """The older spelling mvexpand, with to typeof()."""
        cols, rows = _one("print a = dynamic([1, 2]) | mvexpand a to typeof(long)")
        assert cols == [("a", "long")] and rows == [[1], [2]]

    def test_trailing_comma_in_datatable(self) -> None:
        """A comma after the last value is allowed."""
        assert _one("datatable(a:long)[1, 2,]")[1] == [[1], [2]]


class TestTabularForms:
    """Tabular arguments, parameters and lets."""

    def test_toscalar_and_in_take_pipelines(self) -> None:
        """A pipeline as an argument parses to a Pipeline node."""
        q = parse("print toscalar(T | count)")
        assert isinstance(q.body, A.Pipeline)
        call = q.body.source.assigns[0].expr  # type: ignore[union-attr]
        assert isinstance(call, A.Call) and isinstance(call.args[0], A.Pipeline)

    def test_tabular_parameters(self) -> None:
        """(T:(a:string, b:long)) and (T:(*)) declare tabular parameters."""
        q = parse("let f = (T:(a:string, b:long), U:(*), n:int = 3) { T | take n }; print 1")
        lam = q.lets[0].value
        assert isinstance(lam, A.Lambda)
        assert [(p.name, p.type, p.columns) for p in lam.params] == [
            ("T", "table", (("a", "string"), ("b", "long"))),
            ("U", "table", ()),
            ("n", "int", ()),
        ]

    def test_view_let(self) -> None:
        """view () { ... } is a function marked as a view."""
        lam = parse("let V = view () { print x = 1 }; V").lets[0].value
        assert isinstance(lam, A.Lambda) and lam.view

    def test_a_word_named_view_is_still_a_column(self) -> None:
        """Only `view (` starts a view: a column called view still reads."""
        assert _one("print view = 2 | project view")[1] == [[2]]

    def test_unimplemented_operators_are_named(self) -> None:
        """find and fork parse to a clear refusal that names them."""
        with pytest.raises(KqlError, match="'fork' is not supported by azlogs"):
            parse("T | fork (take 1)")


class TestSeriesFunctions:
    """series_* results are dynamic arrays (series-*-function.md)."""

    @pytest.mark.parametrize(
        ("expr", "value"),
        [
            ("series_subtract(dynamic([5, 4]), dynamic([1, 1]))", [4, 3]),
            ("series_subtract(dynamic([5.5, 4]), dynamic([1, 1]))", [4.5, 3]),
            ("series_multiply(dynamic([2, 3]), 2)", [4, 6]),
            ("series_divide(dynamic([1, 2]), dynamic([2, 0]))", [0.5, float("inf")]),
            ("series_fill_const(dynamic([1, null]), 9)", [1, 9]),
        ],
    )
    def test_result_is_a_dynamic_array(self, expr: str, value: list[Any]) -> None:
        """Each function answers a dynamic array, element by element."""
        cols, rows = _one(f"print r = {expr}")
        assert cols == [("r", "dynamic")] and rows == [[value]]
        assert [type(v) for v in rows[0][0]] == [type(v) for v in value]

    def test_fill_linear_as_the_page_shows(self) -> None:
        """series-fill-linear-function.md #1, the array of doubles and the array of nulls."""
        cols, rows = _one(
            "print a = dynamic([null, 111.0, null, 36.0, 41.0, null, null, 16.0, 61.0, 33.0, null, null]),"
            " b = dynamic([null, null, null, null])\n"
            "| project w = series_fill_linear(a), wo = series_fill_linear(a, double(null), false),"
            " n = series_fill_linear(b), c = series_fill_linear(b, double(null), true, 3.14159),"
            " i = series_fill_linear(dynamic([null, 111, null, 36, 41, null, null, 16]))"
        )
        assert [t for _, t in cols] == ["dynamic"] * 5
        w, wo, n, c, i = rows[0]
        assert [round(x, 3) for x in w] == [
            111.0,
            111.0,
            73.5,
            36.0,
            41.0,
            32.667,
            24.333,
            16.0,
            61.0,
            33.0,
            33.0,
            33.0,
        ]
        assert wo[0] is None and wo[-1] is None and round(wo[2], 3) == 73.5
        assert n == [0.0] * 4 and c == [3.14159] * 4
        assert i == [111, 111, 73, 36, 41, 32, 24, 16]

    def test_stats_dynamic_as_the_page_shows(self) -> None:
        """series-stats-dynamic-function.md #1."""
        cols, rows = _one(
            "print x=dynamic([23, 46, 23, 87, 4, 8, 3, 75, 2, 56, 13, 75, 32, 16, 29])\n"
            "| project stats=series_stats_dynamic(x)"
        )
        assert cols == [("stats", "dynamic")]
        s = rows[0][0]
        assert (s["min"], s["min_idx"], s["max"], s["max_idx"], s["avg"], s["sum"], s["len"]) == (
            2.0,
            8,
            87.0,
            3,
            32.8,
            492.0,
            15,
        )
        assert round(s["stdev"], 9) == round(28.503633853548269, 9)
        assert round(s["variance"], 6) == round(812.45714285714291, 6)


class TestSeriesFitLine:
    """series_fit_line: several results, typed, named as Kusto names them."""

    def test_the_pages_example(self) -> None:
        """series-fit-line-function.md #1 (without its x and render): the printed figures."""
        cols, rows = _one(
            "print\n    id=' ',\n    y=dynamic([2, 5, 6, 8, 11, 15, 17, 18, 25, 26, 30, 30])\n"
            "| extend (RSquare, Slope, Variance, RVariance, Interception, LineFit)=series_fit_line(y)"
        )
        assert cols[2:] == [
            ("RSquare", "real"),
            ("Slope", "real"),
            ("Variance", "real"),
            ("RVariance", "real"),
            ("Interception", "real"),
            ("LineFit", "dynamic"),
        ]
        r = rows[0]
        assert [round(v, 3) for v in r[2:7]] == [0.983, 2.731, 98.629, 1.686, -1.667]
        assert [round(v, 2) for v in r[7]][:3] == [1.06, 3.79, 6.53]

    def test_refused_in_a_transformation(self) -> None:
        """series_fit_line is a log-query function: a DCR transformation refuses it."""
        from azlogs.kql import compile_transformation

        with pytest.raises(KqlError, match="series_fit_line"):
            compile_transformation("source | extend (a, b) = series_fit_line(d)", {"d": "dynamic"})

    def test_unnamed_results_are_named_after_the_function_and_column(self) -> None:
        """extend series_fit_line(y) gives series_fit_line_y_rsquare ... series_fit_line_y_line_fit."""
        cols, _ = _one("print y=dynamic([1, 2, 4]) | extend series_fit_line(y)")
        assert [c for c, _ in cols] == [
            "y",
            "series_fit_line_y_rsquare",
            "series_fit_line_y_slope",
            "series_fit_line_y_variance",
            "series_fit_line_y_rvariance",
            "series_fit_line_y_interception",
            "series_fit_line_y_line_fit",
        ]
