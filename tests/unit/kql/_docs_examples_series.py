"""Documented examples of the series function pages (issue 14), as data.

Same form as ``_docs_examples.DOC_EXAMPLES``: (page#block, query, output column names, output rows),
the query of the page's n-th ``kusto`` code block and the output table printed under it, from the
Kusto documentation (MicrosoftDocs/dataexplorer-docs, data-explorer/kusto/query/<page>). Left out
(bench/kql_docs_conformance.py's PAGE_ISSUES says why): series_acos, series_atan, series_cos,
series_sin and series_tan (the pages print another array than the query's), series_magnitude,
series_product and series_sum (their headers name columns the queries do not), series_iir #1 (the
page elides rows), series_fill_linear (reals to 3 decimals), series_fit_line and
series_fit_line_dynamic (columns left out, 3 decimals, now()), series_periods_detect and
series_periods_validate (scores truncated to 0.84). Reals are compared to 12 significant digits.
"""

from __future__ import annotations

from typing import Any

_S1S2 = "print s1 = dynamic([1,2,4]), s2 = dynamic([4,2,1])\n"
_RANGE = "range x from 1 to 3 step 1 \n| extend y = x * 2\n| extend z = y * 2\n"

DOC_EXAMPLES_SERIES: list[tuple[str, str, list[str], list[list[Any]]]] = [
    # ------------------------------------------------------------------ element-wise
    (
        "series-abs-function.md#1",
        "print arr = dynamic([-6.5,0,8.2])\n| extend arr_abs = series_abs(arr)",
        ["arr", "arr_abs"],
        [[[-6.5, 0, 8.2], [6.5, 0, 8.2]]],
    ),
    (
        "series-asin-function.md#1",
        "print arr = dynamic([-1,0,1])\n| extend arr_asin = series_asin(arr)",
        ["arr", "arr_asin"],
        [[[-1, 0, 1], [-1.5707963267948966, 0, 1.5707963267948966]]],
    ),
    (
        "series-ceiling-function.md#1",
        "print s = dynamic([-1.5,1,2.5])\n| extend s_ceiling = series_ceiling(s)",
        ["s", "s_ceiling"],
        [[[-1.5, 1, 2.5], [-1.0, 1.0, 3.0]]],
    ),
    (
        "series-floor-function.md#1",
        "print s = dynamic([-1.5,1,2.5])\n| extend s_floor = series_floor(s)",
        ["s", "s_floor"],
        [[[-1.5, 1, 2.5], [-2.0, 1.0, 2.0]]],
    ),
    (
        "series-exp-function.md#1",
        "print s = dynamic([1,2,3])\n| extend s_exp = series_exp(s)",
        ["s", "s_exp"],
        [[[1, 2, 3], [2.7182818284590451, 7.38905609893065, 20.085536923187668]]],
    ),
    (
        "series-log-function.md#1",
        "print s = dynamic([1,2,3])\n| extend s_log = series_log(s)",
        ["s", "s_log"],
        [[[1, 2, 3], [0.0, 0.69314718055994529, 1.0986122886681098]]],
    ),
    (
        "series-sign-function.md#1",
        "print arr = dynamic([-6, 0, 8])\n| extend arr_sign = series_sign(arr)",
        ["arr", "arr_sign"],
        [[[-6, 0, 8], [-1, 0, 1]]],
    ),
    (
        "series-pow-function.md#1",
        "print x = dynamic([1, 2, 3, 4]), y=dynamic([1, 2, 3, 0.5])\n| extend x_pow_y = series_pow(x, y) ",
        ["x", "y", "x_pow_y"],
        [[[1, 2, 3, 4], [1, 2, 3, 0.5], [1.0, 4.0, 27.0, 2.0]]],
    ),
    (
        "series-equals-function.md#1",
        _S1S2 + "| extend s1_equals_s2 = series_equals(s1, s2)",
        ["s1", "s2", "s1_equals_s2"],
        [[[1, 2, 4], [4, 2, 1], [False, True, False]]],
    ),
    (
        "series-not-equals-function.md#1",
        _S1S2 + "| extend s1_not_equals_s2 = series_not_equals(s1, s2)",
        ["s1", "s2", "s1_not_equals_s2"],
        [[[1, 2, 4], [4, 2, 1], [True, False, True]]],
    ),
    (
        "series-greater-function.md#1",
        _S1S2 + "| extend s1_greater_s2 = series_greater(s1, s2)",
        ["s1", "s2", "s1_greater_s2"],
        [[[1, 2, 4], [4, 2, 1], [False, False, True]]],
    ),
    (
        "series-greater-equals-function.md#1",
        _S1S2 + "| extend s1_greater_equals_s2 = series_greater_equals(s1, s2)",
        ["s1", "s2", "s1_greater_equals_s2"],
        [[[1, 2, 4], [4, 2, 1], [False, True, True]]],
    ),
    (
        "series-less-function.md#1",
        _S1S2 + "| extend s1_less_s2 = series_less(s1, s2)",
        ["s1", "s2", "s1_less_s2"],
        [[[1, 2, 4], [4, 2, 1], [True, False, False]]],
    ),
    (
        "series-less-equals-function.md#1",
        _S1S2 + "| extend s1_less_equals_s2 = series_less_equals(s1, s2)",
        ["s1", "s2", "s1_less_equals_s2"],
        [[[1, 2, 4], [4, 2, 1], [True, True, False]]],
    ),
    # ------------------------------------------------------------------ reductions
    (
        "series-cosine-similarity-function.md#1",
        "datatable(s1:dynamic, s2:dynamic)\n[\n"
        "    dynamic([0.1,0.2,0.1,0.2]), dynamic([0.11,0.2,0.11,0.21]),\n"
        "    dynamic([0.1,0.2,0.1,0.2]), dynamic([1,2,3,4]),\n]\n"
        "| extend cosine_similarity=series_cosine_similarity(s1, s2)",
        ["s1", "s2", "cosine_similarity"],
        [
            [[0.1, 0.2, 0.1, 0.2], [0.11, 0.2, 0.11, 0.21], 0.99935343825504],
            [[0.1, 0.2, 0.1, 0.2], [1, 2, 3, 4], 0.923760430703401],
        ],
    ),
    (
        "series-dot-product-function.md#1",
        _RANGE
        + "| project s1 = pack_array(x,y,z), s2 = pack_array(z, y, x)\n"
        + "| extend s1_dot_product_s2 = series_dot_product(s1, s2)",
        ["s1", "s2", "s1_dot_product_s2"],
        [[[1, 2, 4], [4, 2, 1], 12], [[2, 4, 8], [8, 4, 2], 48], [[3, 6, 12], [12, 6, 3], 108]],
    ),
    (
        "series-dot-product-function.md#2",
        _RANGE
        + "| project s1 = pack_array(x,y,z), s2 = x\n"
        + "| extend s1_dot_product_s2 = series_dot_product(s1, s2)",
        ["s1", "s2", "s1_dot_product_s2"],
        [[[1, 2, 4], 1, 7], [[2, 4, 8], 2, 28], [[3, 6, 12], 3, 63]],
    ),
    (
        "series-pearson-correlation-function.md#1",
        "range s1 from 1 to 5 step 1\n| extend s2 = 2 * s1 // Perfect correlation\n"
        "| summarize s1 = make_list(s1), s2 = make_list(s2)\n"
        "| extend correlation_coefficient = series_pearson_correlation(s1, s2)",
        ["s1", "s2", "correlation_coefficient"],
        [[[1, 2, 3, 4, 5], [2, 4, 6, 8, 10], 1]],
    ),
    (
        "series-stats-function.md#1",
        "print x=dynamic([23, 46, 23, 87, 4, 8, 3, 75, 2, 56, 13, 75, 32, 16, 29]) \n| project series_stats(x)",
        [
            "series_stats_x_min",
            "series_stats_x_min_idx",
            "series_stats_x_max",
            "series_stats_x_max_idx",
            "series_stats_x_avg",
            "series_stats_x_stdev",
            "series_stats_x_variance",
        ],
        [[2, 8, 87, 3, 32.8, 28.5036338535483, 812.457142857143]],
    ),
    # ------------------------------------------------------------------ filters and seasonality
    (
        "series-iir-function.md#2",
        "let vector_sum=(x: dynamic) {\n    let y=array_length(x) - 1;\n"
        "    todouble(series_iir(x, dynamic([1]), dynamic([1, -1]))[y])\n};\n"
        "print d=dynamic([0, 1, 2, 3, 4])\n| extend dd=vector_sum(d)",
        ["d", "dd"],
        [[[0, 1, 2, 3, 4], 10]],
    ),
    (
        "series-seasonal-function.md#1",
        "print s=dynamic([2, 5, 3, 4, 3, 2, 1, 2, 3, 4, 3, 2, 1, 2, 3, 4, 3, 2, 1, 2, 3, 4, 3, 2, 1])\n"
        "| union (print s=dynamic([8, 12, 14, 12, 10, 10, 12, 14, 12, 10, 10, 12, 14, 12, 10, 10, 12, 14, 12, 10]))\n"
        "| union (print s=dynamic([1, 3, 5, 2, 4, 6, 1, 3, 5, 2, 4, 6]))\n"
        "| extend s_seasonal = series_seasonal(s)",
        ["s", "s_seasonal"],
        [
            [
                [2, 5, 3, 4, 3, 2, 1, 2, 3, 4, 3, 2, 1, 2, 3, 4, 3, 2, 1, 2, 3, 4, 3, 2, 1],
                [1.0, 2.0, 3.0, 4.0, 3.0, 2.0] * 4 + [1.0],
            ],
            [
                [8, 12, 14, 12, 10, 10, 12, 14, 12, 10, 10, 12, 14, 12, 10, 10, 12, 14, 12, 10],
                [10.0, 12.0, 14.0, 12.0, 10.0] * 4,
            ],
            [[1, 3, 5, 2, 4, 6, 1, 3, 5, 2, 4, 6], [0.0] * 12],
        ],
    ),
    (
        "series-seasonal-function.md#2",
        "print s=dynamic([1, 3, 5, 1, 3, 5, 2, 4, 6]) \n"
        "| union (print s=dynamic([1, 3, 5, 2, 4, 6, 1, 3, 5, 2, 4, 6]))\n"
        "| extend s_seasonal = series_seasonal(s, 3)",
        ["s", "s_seasonal"],
        [
            [[1, 3, 5, 1, 3, 5, 2, 4, 6], [1.0, 3.0, 5.0, 1.0, 3.0, 5.0, 1.0, 3.0, 5.0]],
            [[1, 3, 5, 2, 4, 6, 1, 3, 5, 2, 4, 6], [1.5, 3.5, 5.5] * 4],
        ],
    ),
]
