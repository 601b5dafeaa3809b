"""The series_* functions' edge cases: null and non-numeric elements, lengths, types, invalid input.

The documented examples are in _docs_examples_series.py; these are the rules around them (the pages'
"any non-numeric element yields null", "arrays of different sizes", "if one or both arrays are empty
the result is null") and the several-results forms (series_stats, series_periods_*).
"""

from __future__ import annotations

import math
from typing import Any

import pytest

from azlogs import KqlError
from azlogs.kql import MemoryProvider, compile_transformation, run_query

# series-periods-detect-function.md's month of traffic in 12-hour bins: a weekly (14-bin) pattern.
TRAFFIC = (
    "dynamic([80, 139, 87, 110, 68, 54, 50, 51, 53, 133, 86, 141, 97, 156, 94, 149, 95, 140, 77, 61,"
    " 50, 54, 47, 133, 72, 152, 94, 148, 105, 162, 101, 160, 87, 63, 53, 55, 54, 151, 103, 189, 108,"
    " 183, 113, 175, 113, 178, 90, 71, 62, 62, 65, 165, 109, 181, 115, 182, 121, 178, 114, 170])"
)


def _one(query: str) -> tuple[list[tuple[str, str]], list[list[Any]]]:
    t = run_query(query, MemoryProvider()).tables[0]
    return t.columns, t.rows


def _value(expr: str) -> Any:
    return _one(f"print r = {expr}")[1][0][0]


class TestElementWise:
    """One scalar rule per element; non-numeric elements and missing ones give null elements."""

    @pytest.mark.parametrize(
        ("expr", "value"),
        [
            ("series_abs(dynamic([-2, -1.5, null, 'a']))", [2, 1.5, None, None]),
            ("series_sign(dynamic([-2.5, 0, 7, true]))", [-1, 0, 1, None]),
            ("series_ceiling(dynamic([1.2, -1.2, 3]))", [2.0, -1.0, 3.0]),
            ("series_floor(dynamic([1.8, -1.2, 3]))", [1.0, -2.0, 3.0]),
            ("series_exp(dynamic([0, '1']))", [1.0, None]),
            ("series_cos(dynamic([0, {'a': 1}, [1]]))", [1.0, None, None]),
        ],
    )
    def test_unary(self, expr: str, value: list[Any]) -> None:
        """Each element through its scalar function; text, bools and bags are not numbers."""
        assert _value(expr) == value

    def test_result_element_types(self) -> None:
        """series_abs keeps whole numbers whole, series_sign gives longs, the others reals."""
        abs_, sign, ceil, log = _one(
            "print a = series_abs(dynamic([-3])), s = series_sign(dynamic([-3.5])),"
            " c = series_ceiling(dynamic([2])), l = series_log(dynamic([1]))"
        )[1][0]
        assert [type(abs_[0]), type(sign[0]), type(ceil[0]), type(log[0])] == [int, int, float, float]

    def test_not_an_array_is_null(self) -> None:
        """A scalar where the series goes answers null, as does a binary one on two scalars."""
        assert _value("series_abs(5)") is None
        assert _value("series_greater(1, 2)") is None

    def test_binary_lengths_and_scalars(self) -> None:
        """The shorter series' missing elements give nulls; a number is broadcast on either side."""
        assert _value("series_greater(dynamic([1, 5, 3]), dynamic([2, 2]))") == [False, True, None]
        assert _value("series_less(2, dynamic([1, 5]))") == [False, True]
        assert _value("series_equals(dynamic([1, 'x', null]), 1)") == [True, None, None]

    def test_pow(self) -> None:
        """series_pow is pow per element: reals, a fractional power of a negative number is NaN."""
        out = _value("series_pow(dynamic([2, -8, 4]), dynamic([3, 0.5]))")
        assert out[0] == 8.0 and isinstance(out[0], float)
        assert math.isnan(out[1]) and out[2] is None

    def test_comparisons_are_bools(self) -> None:
        """The comparison functions answer bools, whole and real numbers compared by value."""
        assert _value("series_greater_equals(dynamic([1, 2.0, 3]), 2)") == [False, True, True]
        assert _value("series_not_equals(dynamic([1, 2]), dynamic([1.0, 3]))") == [False, True]


class TestReductions:
    """Dot product, magnitude, cosine similarity, sum, product and Pearson's correlation."""

    def test_dot_product_truncates_and_skips(self) -> None:
        """The longer series is cut to the shorter; non-numeric elements are left out."""
        assert _value("series_dot_product(dynamic([1, 2, 3]), dynamic([4, 5]))") == 14.0
        assert _value("series_dot_product(dynamic([1, 'a', 3]), dynamic([4, 5, 6]))") == 22.0
        assert _value("series_dot_product(3, dynamic([1, 2]))") == 9.0

    def test_empty_series_is_null(self) -> None:
        """An empty series gives null (series-dot-product-function.md, series-cosine-similarity)."""
        assert _value("series_dot_product(dynamic([]), dynamic([1]))") is None
        assert _value("series_cosine_similarity(dynamic([]), dynamic([1]))") is None
        assert _value("series_magnitude(dynamic([]))") is None

    def test_magnitude_and_cosine(self) -> None:
        """The magnitude is the root of the self dot product; given magnitudes are used as given."""
        assert _value("series_magnitude(dynamic([3, 4]))") == 5.0
        assert _value("series_cosine_similarity(dynamic([1, 0]), dynamic([1, 1]))") == pytest.approx(
            1 / math.sqrt(2)
        )
        assert _value("series_cosine_similarity(dynamic([1, 2]), dynamic([3, 4]), 1.0, 11.0)") == 1.0

    def test_sum_and_product_need_numbers(self) -> None:
        """Reals; a non-numeric element makes the answer null (array_sum's rule)."""
        assert _value("series_sum(dynamic([1, 2, 3]))") == 6.0
        assert _value("series_product(dynamic([2, 2.5]))") == 5.0
        assert _value("series_sum(dynamic([1, 'a']))") is None
        assert _value("series_product(dynamic([1, null]))") is None
        cols, _ = _one("print s = series_sum(dynamic([1])), p = series_product(dynamic([1]))")
        assert cols == [("s", "real"), ("p", "real")]

    def test_pearson_needs_equal_lengths(self) -> None:
        """Arrays of different sizes or a non-numeric element give null."""
        assert _value("series_pearson_correlation(dynamic([1, 2, 3]), dynamic([3, 2, 1]))") == -1.0
        assert _value("series_pearson_correlation(dynamic([1, 2, 3]), dynamic([1, 2]))") is None
        assert _value("series_pearson_correlation(dynamic([1, 2, 'x']), dynamic([1, 2, 3]))") is None


class TestIir:
    """series_iir's recursive formula (series-iir-function.md)."""

    def test_cumulative_sum_and_a_first_order_filter(self) -> None:
        """Denominators [1, -1] sum up; numerators [0.5, 0.5] average pairs."""
        assert _value("series_iir(dynamic([1, 2, 3, 4]), dynamic([1]), dynamic([1, -1]))") == [
            1.0,
            3.0,
            6.0,
            10.0,
        ]
        assert _value("series_iir(dynamic([2, 4, 6]), dynamic([0.5, 0.5]), dynamic([1]))") == [1.0, 3.0, 5.0]
        assert _value("series_iir(dynamic([2, 4]), dynamic([1]), dynamic([2]))") == [1.0, 2.0]

    def test_zero_leading_denominator_is_null(self) -> None:
        """a[0] = 0 would divide by zero: null."""
        assert _value("series_iir(dynamic([1, 2]), dynamic([1]), dynamic([0, 1]))") is None

    def test_a_function_body_let_sees_the_parameters(self) -> None:
        """The page's vector_sum: a let in a function body computed from its parameter."""
        _, rows = _one(
            "let last=(x: dynamic) { let n = array_length(x) - 1; x[n] };\nprint v = last(dynamic([4, 5, 6]))"
        )
        assert rows == [[6]]


class TestStats:
    """series_stats (several results) and series_stats_dynamic (a bag)."""

    def test_unnamed_results_named_and_typed(self) -> None:
        """series_stats(x) gives series_stats_x_min ... _variance, the indexes longs, the rest reals."""
        cols, rows = _one("print x = dynamic([3, 1, 2]) | project series_stats(x)")
        assert cols == [
            ("series_stats_x_min", "real"),
            ("series_stats_x_min_idx", "long"),
            ("series_stats_x_max", "real"),
            ("series_stats_x_max_idx", "long"),
            ("series_stats_x_avg", "real"),
            ("series_stats_x_stdev", "real"),
            ("series_stats_x_variance", "real"),
        ]
        assert rows == [[1.0, 1, 3.0, 0, 2.0, 1.0, 1.0]]

    def test_named_results(self) -> None:
        """(a, b) = series_stats(x) names the first results and drops the rest."""
        cols, rows = _one("print x = dynamic([3, 1, 2]) | extend (mn, mn_i) = series_stats(x)")
        assert cols[1:] == [("mn", "real"), ("mn_i", "long")] and rows[0][1:] == [1.0, 1]

    def test_non_finite_values(self) -> None:
        """By default a null or non-number makes the statistics null; ignore_nonfinite skips it."""
        bag = _value("series_stats_dynamic(dynamic([1, null, 3]))")
        assert bag["min"] is None and bag["avg"] is None and bag["len"] == 3
        bag = _value("series_stats_dynamic(dynamic([1, null, 3]), true)")
        assert (bag["min"], bag["max_idx"], bag["avg"], bag["sum"], bag["len"]) == (1.0, 2, 2.0, 4.0, 3)

    def test_refused_in_a_transformation(self) -> None:
        """Like series_fit_line, a log-query function."""
        with pytest.raises(KqlError, match="series_stats"):
            compile_transformation("source | extend (a, b) = series_stats(d)", {"d": "dynamic"})


class TestFitLineDynamic:
    def test_bag_of_the_fit(self) -> None:
        """series_fit_line_dynamic: series_fit_line's results under their names."""
        bag = _value("series_fit_line_dynamic(dynamic([1, 3, 5]))")
        assert list(bag) == ["rsquare", "slope", "variance", "rvariance", "interception", "line_fit"]
        assert (bag["rsquare"], bag["slope"], bag["interception"]) == (1.0, 2.0, -1.0)
        assert bag["line_fit"] == [1.0, 3.0, 5.0]


class TestPeriods:
    """series_periods_detect, series_periods_validate and series_seasonal's detection."""

    def test_detect_finds_the_weekly_period_only(self) -> None:
        """The page's traffic: 14 bins (its multiple 28 is not another period); padded with zeros."""
        cols, rows = _one(f"print y = {TRAFFIC} | project series_periods_detect(y, 0.0, 50.0, 2)")
        assert cols == [
            ("series_periods_detect_y_periods", "dynamic"),
            ("series_periods_detect_y_scores", "dynamic"),
        ]
        periods, scores = rows[0]
        assert periods == [14.0, 0.0]
        assert 0.8 < scores[0] <= 1.0 and scores[1] == 0.0

    def test_detect_a_weekly_and_a_daily_period(self) -> None:
        """Four weeks in 2-hour bins, a weekly wave and a daily one: both periods, the weekly first
        (time-series-analysis.md finds 84 and 12 in demo_series3 so)."""
        _, rows = _one(
            "range t from 0 to 335 step 1\n"
            "| extend v = 50 + 10 * sin(2 * pi() * t / 84) + 5 * sin(2 * pi() * t / 12)\n"
            "| summarize y = make_list(v)\n"
            "| project series_periods_detect(y, 0.0, 168.0, 3)"
        )
        periods, scores = rows[0]
        assert periods == [84.0, 12.0, 0.0]
        assert scores[0] > scores[1] > 0.5 and scores[2] == 0.0

    def test_validate(self) -> None:
        """14 scores high and 10 scores 0, as the page prints; outside [4, n/2] a period scores 0."""
        _, rows = _one(f"print y = {TRAFFIC} | project series_periods_validate(y, 14.0, 10.0, 3.0, 31.0)")
        periods, scores = rows[0]
        assert periods == [14.0, 10.0, 3.0, 31.0]
        assert scores[0] > 0.8 and scores[1:] == [0.0, 0.0, 0.0]

    def test_detect_range_limits(self) -> None:
        """A range holding no period gives zeros only; a non-array series gives null results."""
        _, rows = _one(f"print y = {TRAFFIC} | project series_periods_detect(y, 4.0, 10.0, 1)")
        assert rows == [[[0.0], [0.0]]]
        _, rows = _one("print y = 5 | project series_periods_detect(y, 4.0, 10.0, 1)")
        assert rows == [[None, None]]

    def test_seasonal_options(self) -> None:
        """A non-positive period other than -1 gives zeros; test_points are left out of the medians."""
        assert _value("series_seasonal(dynamic([1, 2, 1, 2]), 0)") == [0.0] * 4
        assert _value("series_seasonal(dynamic([1, 2, 1, 2, 9, 9]), 2, 2)") == [1.0, 2.0] * 3
        assert _value("series_seasonal('x')") is None
