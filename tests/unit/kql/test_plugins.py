"""The hll/t-digest sketches, summarize's defaults over an empty input, and the evaluate plugins of
_op_plugins: edge cases beyond the documented examples (tests/unit/kql/_docs_examples_plugins.py)."""

from __future__ import annotations

import math
from typing import Any

import pytest

from azlogs._exceptions import KqlError
from azlogs.kql import MemoryProvider, run_query
from tests.unit.kql._helpers import plain


def _run(query: str) -> tuple[list[tuple[str, str]], list[list[Any]]]:
    table = run_query(query, MemoryProvider()).tables[0]
    return table.columns, [[plain(v) for v in row] for row in table.rows]


def _rows(query: str) -> list[list[Any]]:
    return _run(query)[1]


class TestHll:
    def test_nulls_and_empty_strings_are_not_counted(self) -> None:
        rows = _rows(
            "datatable(s:string)['a', '', 'b', 'a'] | extend n = iff(s == 'b', long(null), 1)"
            " | summarize hs = hll(s), hn = hll(n) | project dcount_hll(hs), dcount_hll(hn)"
        )
        assert rows == [[2, 1]]

    def test_hll_if_counts_the_rows_of_the_predicate(self) -> None:
        rows = _rows(
            "range x from 1 to 10 step 1 | summarize h = hll_if(x % 3, x > 5) | project dcount_hll(h)"
        )
        assert rows == [[3]]

    def test_hll_merge_aggregate_unions_the_groups(self) -> None:
        columns, rows = _run(
            "range x from 1 to 20 step 1 | summarize h = hll(x % 7) by k = x % 2"
            " | summarize hll_merge(h) | project n = dcount_hll(hll_merge_h)"
        )
        assert columns == [("n", "long")]
        assert rows == [[7]]

    def test_hll_merge_with_one_argument_outside_summarize_is_refused(self) -> None:
        with pytest.raises(KqlError, match="hll_merge"):
            _run("print h = dynamic([[1024,14],[],[]]) | extend m = hll_merge(h)")

    def test_a_value_that_is_not_an_hll_gives_null(self) -> None:
        assert _rows("print dcount_hll(dynamic([1, 2, 3])), dcount_hll('x')") == [[None, None]]

    def test_accuracy_outside_0_to_4_is_refused(self) -> None:
        with pytest.raises(KqlError, match="accuracy"):
            _run("range x from 1 to 3 step 1 | summarize hll(x, 7)")

    def test_the_accuracy_sets_the_sketch_precision(self) -> None:
        (row,) = _rows("range x from 1 to 3 step 1 | summarize hll(x, 0), hll(x), hll(x, 4)")
        assert [h[0] for h in row] == [[1024, 12], [1024, 14], [1024, 18]]

    def test_unnamed_merge_and_count_columns_have_kusto_language_names(self) -> None:
        columns, _ = _run(
            "range x from 1 to 3 step 1 | summarize a = hll(x) | project hll_merge(a, a), dcount_hll(a)"
        )
        assert [n for n, _ in columns] == ["hll_merged_result", "dcount_hll_a"]

    def test_merging_with_a_non_hll_gives_null(self) -> None:
        rows = _rows(
            "range x from 1 to 3 step 1 | summarize h = hll(x) | project m = hll_merge(h, dynamic(5))"
        )
        assert rows == [[None]]


class TestTDigest:
    def test_weights_count_each_value_that_many_times(self) -> None:
        rows = _rows(
            "datatable(v:long, w:long)[1, 10, 2, 1, 3, 1] | summarize t = tdigest(v, w)"
            " | project percentile_tdigest(t, 50, typeof(long)), rank_tdigest(t, 1), percentrank_tdigest(t, 2)"
        )
        assert rows == [[1, 10.0, 100.0 * 11 / 12]]

    def test_without_a_type_the_percentile_is_dynamic(self) -> None:
        columns, rows = _run(
            "range x from 1 to 9 step 1 | summarize t = tdigest(x) | project percentile_tdigest(t, 50)"
        )
        assert columns == [("percentile_tdigest_t", "dynamic")]
        assert rows == [[5]]

    def test_datetimes_keep_their_type(self) -> None:
        columns, rows = _run(
            "datatable(t:datetime)[datetime(2024-01-01), datetime(2024-01-03), datetime(2024-01-02)]"
            " | summarize d = tdigest(t) | project p = percentile_tdigest(d, 100, typeof(datetime))"
        )
        assert columns == [("p", "datetime")]
        assert rows == [["2024-01-03T00:00:00Z"]]

    def test_percentiles_array_takes_a_list_or_an_array_and_a_type(self) -> None:
        rows = _rows(
            "range x from 1 to 10 step 1 | summarize t = tdigest(x)"
            " | project a = percentiles_array_tdigest(t, 10, 50, 100),"
            " b = percentiles_array_tdigest(t, dynamic([50, 90]), typeof(real))"
        )
        assert rows == [[[1, 5, 10], [5.0, 9.0]]]

    def test_tdigest_merge_aggregate_and_its_column_name(self) -> None:
        columns, rows = _run(
            "range x from 1 to 10 step 1 | summarize t = tdigest(x) by k = x % 2"
            " | summarize tdigest_merge(t) | project percentile_tdigest(merge_tdigests_t, 100, typeof(long))"
        )
        assert columns == [("percentile_tdigest_merge_tdigests_t", "long")]
        assert rows == [[10]]

    def test_a_value_that_is_not_a_digest_gives_null(self) -> None:
        rows = _rows("print p = percentile_tdigest(dynamic([1]), 50), r = rank_tdigest('x', 1)")
        assert rows == [[None, None]]

    def test_a_percentile_outside_0_to_100_gives_null(self) -> None:
        rows = _rows(
            "range x from 1 to 3 step 1 | summarize t = tdigest(x) | project p = percentile_tdigest(t, 150)"
        )
        assert rows == [[None]]

    def test_strings_are_refused(self) -> None:
        with pytest.raises(KqlError, match="tdigest"):
            _run("print s = 'a' | summarize tdigest(s)")


class TestEmptyInput:
    def test_defaults_of_the_summarize_page(self) -> None:
        columns, rows = _run(
            "datatable(x:long, y:real)[] | summarize count(), countif(x > 0), dcount(x), sum(x), sum(y),"
            " variance(y), stdev(y), avg(x), make_list(x), max(x), hll(x), tdigest(x)"
        )
        assert [n for n, _ in columns][:4] == ["count_", "countif_", "dcount_x", "sum_x"]
        (row,) = rows
        assert row[:7] == [0, 0, 0, 0, 0.0, 0.0, 0.0]
        assert math.isnan(row[7])
        assert row[8:] == [[], None, None, None]

    def test_with_by_an_empty_input_has_no_rows(self) -> None:
        assert _rows("datatable(x:long)[] | summarize sum(x) by x") == []

    def test_aggregate_names_go_through_conversions(self) -> None:
        columns, _ = _run(
            "datatable(x:long)[1] | summarize buildschema(todynamic(tostring(x))), max(tolong(x))"
        )
        assert [n for n, _ in columns] == ["schema_x", "max_x"]


_SLIDING = """
let T = datatable(UserId: string, Timestamp: datetime)
[
'Bob', datetime(2017-08-01), 'David', datetime(2017-08-01), 'David', datetime(2017-08-01),
'John', datetime(2017-08-01), 'Bob', datetime(2017-08-01), 'Ananda', datetime(2017-08-02),
'Atul', datetime(2017-08-02), 'John', datetime(2017-08-02), 'Ananda', datetime(2017-08-03),
'Atul', datetime(2017-08-03), 'Atul', datetime(2017-08-03), 'John', datetime(2017-08-03),
'Bob', datetime(2017-08-03), 'Betsy', datetime(2017-08-04), 'Bob', datetime(2017-08-05),
];
T | evaluate sliding_window_counts(UserId, Timestamp, datetime(2017-08-01), datetime(2017-08-07), 3d, 1d)
"""


# The new_activity_metrics page's sample: the users seen per day (its `Users | summarize make_set(user)`
# table), its first two cohorts and their table (R 1..11).
_USERS = """
let Users = datatable(user:long, Timestamp:datetime)[
0, datetime(2019-11-01), 2, datetime(2019-11-01), 3, datetime(2019-11-01), 4, datetime(2019-11-01),
0, datetime(2019-11-02), 1, datetime(2019-11-02), 3, datetime(2019-11-02), 4, datetime(2019-11-02),
5, datetime(2019-11-02), 0, datetime(2019-11-03), 2, datetime(2019-11-03), 4, datetime(2019-11-03),
5, datetime(2019-11-03), 0, datetime(2019-11-04), 1, datetime(2019-11-04), 2, datetime(2019-11-04),
3, datetime(2019-11-04), 0, datetime(2019-11-05), 1, datetime(2019-11-05), 2, datetime(2019-11-05),
3, datetime(2019-11-05), 4, datetime(2019-11-05)];
Users
| evaluate new_activity_metrics(user, Timestamp, datetime(2019-11-01), datetime(2019-11-06), 1d)
| where from_Timestamp < datetime(2019-11-03)
"""
_USERS_TABLE = [
    [1, 1, 4, 4, 0, 1, 0],
    [1, 2, 2, 3, 1, 0.75, 0.25],
    [1, 3, 1, 3, 1, 0.75, 0.25],
    [1, 4, 1, 3, 1, 0.75, 0.25],
    [1, 5, 1, 4, 0, 1, 0],
    [1, 6, 0, 0, 4, 0, 1],
    [2, 2, 2, 2, 0, 1, 0],
    [2, 3, 0, 1, 1, 0.5, 0.5],
    [2, 4, 0, 1, 1, 0.5, 0.5],
    [2, 5, 0, 1, 1, 0.5, 0.5],
    [2, 6, 0, 0, 2, 0, 1],
]


_FUNNEL = """
datatable(id:long, t:datetime, s:string)[
1, datetime(2024-01-01 00:00), 'a', 1, datetime(2024-01-01 00:30), 'b', 1, datetime(2024-01-01 02:00), 'c',
2, datetime(2024-01-01 00:00), 'a', 2, datetime(2024-01-01 03:00), 'b',
3, datetime(2024-01-01 00:00), 'b', 3, datetime(2024-01-01 00:10), 'c',
4, datetime(2024-01-01 05:00), 'a']
| evaluate funnel_sequence_completion(id, t, datetime(2024-01-01), datetime(2024-01-02), 1d, s, dynamic(['a','b','c']), dynamic([1h, 4h]))
"""


class TestPlugins:
    def test_new_activity_metrics_page_sample(self) -> None:
        columns, rows = _run(_USERS)
        assert [n for n, _ in columns][:3] == ["from_Timestamp", "to_Timestamp", "dcount_new_values"]
        days = [[int(r[0][8:10]), int(r[1][8:10]), *r[2:]] for r in rows]
        assert days == _USERS_TABLE

    def test_new_activity_metrics_one_cohort_and_a_lookback(self) -> None:
        rows = _rows(
            "let before = datatable(user:long)[3];"
            + _USERS.replace("1d)", "1d, datetime(2019-11-01), before)").split("| where")[0]
        )
        assert [r[2:5] for r in rows][:2] == [[3, 3, 0.0], [2, 2, 1.0]]  # user 3 was seen before
        assert {r[0] for r in rows} == {"2019-11-01T00:00:00Z"}

    def test_a_product_of_a_name_and_numbers_is_not_a_wildcard(self) -> None:
        """`d*50*r` (the activity pages' queries) multiplies; `*50*r` is no column pattern there."""
        assert _rows("print d = 2, r = 3 | project x = d*50*r, y = (d+1)*r*2") == [[300, 18]]
        assert _rows("print ab = 1, b = 2 | project-away a*") == [[2]]

    def test_sliding_window_counts_page_example_with_plain_literals(self) -> None:
        columns, rows = _run(_SLIDING)
        assert [n for n, _ in columns] == ["Timestamp", "Count", "dcount"]
        assert [r[1:] for r in rows] == [[5, 3], [8, 5], [13, 5], [9, 5], [7, 5], [2, 2], [1, 1]]
        assert rows[0][0] == "2017-08-01T00:00:00Z" and rows[-1][0] == "2017-08-07T00:00:00Z"

    def test_sliding_window_counts_needs_a_lookback_span(self) -> None:
        with pytest.raises(KqlError, match="LookbackWindow"):
            _run(_SLIDING.replace("3d, 1d)", "'x', 1d)"))

    def test_rows_near_with_rows_after(self) -> None:
        rows = _rows("range x from 1 to 10 step 1 | evaluate rows_near(x == 5, 1, 3)")
        assert rows == [[4], [5], [6], [7], [8]]

    def test_rows_near_without_a_match_is_empty(self) -> None:
        assert _rows("range x from 1 to 5 step 1 | evaluate rows_near(x > 9, 2)") == []

    def test_rolling_percentile_over_numbers(self) -> None:
        columns, rows = _run("range x from 0 to 9 step 1 | evaluate rolling_percentile(x, 100, x, 5, 2)")
        assert columns == [("x", "long"), ("rolling_2_percentile_x_100", "long")]
        assert rows == [[0, 4], [5, 9]]

    def test_schema_merge_widens_numbers(self) -> None:
        rows = _rows(
            "let a = datatable(x:int, s:string)[] | getschema; let b = datatable(x:real, s:string)[] | getschema;"
            " union a, b | evaluate schema_merge()"
        )
        assert rows == [["x", 0, "System.Double", "real"], ["s", 1, "System.String", "string"]]

    def test_dcount_intersect_keeps_the_input_columns(self) -> None:
        columns, rows = _run(
            "range x from 1 to 12 step 1 | summarize a = hll(iff(x % 2 == 0, x, 0)), b = hll(iff(x % 3 == 0, x, 0))"
            " | evaluate dcount_intersect(a, b) | project s0, s1"
        )
        assert columns == [("s0", "long"), ("s1", "long")]
        assert rows == [[7, 3]]  # with the 0 of each set: {0,2..12}, {0,6,12}

    def test_ipv6_lookup_named_return_unmatched(self) -> None:
        rows = _rows(
            "let L = datatable(net:string, name:string)['fe80::/10', 'link', 'fe80::/64', 'narrow'];"
            " datatable(ip:string)['fe80::1', '2001::1']"
            " | evaluate ipv6_lookup(L, ip, net, return_unmatched = true)"
        )
        assert rows == [["fe80::/64", "narrow", "fe80::1"], ["", "", "2001::1"]]  # strings are never null

    def test_ipv4_lookup_takes_return_unmatched_positionally(self) -> None:
        rows = _rows(
            "let L = datatable(net:string, name:string)['10.0.0.0/8', 'ten'];"
            " datatable(ip:string)['10.1.2.3', '192.168.0.1'] | evaluate ipv4_lookup(L, ip, net, true)"
        )
        assert rows == [["10.1.2.3", "10.0.0.0/8", "ten"], ["192.168.0.1", "", ""]]

    def test_funnel_sequence_completion_per_period(self) -> None:
        """Id 1 goes a -> b -> c in 2 h, id 2 a -> b in 3 h, id 3 starts at b (no funnel), id 4 only a."""
        columns, rows = _run(_FUNNEL)
        assert [n for n, _ in columns] == ["t", "s", "Period", "dcount"]
        assert [r[1:] for r in rows] == [
            ["a", 3600.0, 3],
            ["b", 3600.0, 1],
            ["c", 3600.0, 0],
            ["a", 14400.0, 3],
            ["b", 14400.0, 2],
            ["c", 14400.0, 1],
        ]

    def test_activity_counts_metrics_by_dimension(self) -> None:
        rows = _rows(
            "datatable(u:string, t:datetime, k:string)['a', datetime(2024-01-01), 'x', 'b', datetime(2024-01-01), 'y',"
            " 'a', datetime(2024-01-02), 'x', 'b', datetime(2024-01-02), 'x']"
            " | evaluate activity_counts_metrics(u, t, datetime(2024-01-01), datetime(2024-01-02), 1d, k)"
            " | order by k asc, Timestamp asc"
        )
        assert [r[1:] for r in rows] == [["x", 1, 1, 1, 1], ["x", 2, 2, 1, 2], ["y", 1, 1, 1, 1]]

    def test_activity_metrics_retention_and_churn(self) -> None:
        columns, rows = _run(
            "datatable(u:long, d:datetime)[1, datetime(2024-01-01), 2, datetime(2024-01-01),"
            " 1, datetime(2024-01-08), 3, datetime(2024-01-08)]"
            " | evaluate activity_metrics(u, d, datetime(2024-01-01), datetime(2024-01-14), 7d)"
        )
        assert [n for n, _ in columns] == [
            "d",
            "dcount_values",
            "dcount_newvalues",
            "retention_rate",
            "churn_rate",
        ]
        assert rows[0][1:3] == [2, 2] and math.isnan(rows[0][3])
        assert rows[1][1:] == [2, 1, 0.5, 0.5]

    def test_active_users_count_needs_the_active_periods(self) -> None:
        rows = _rows(
            "datatable(u:string, t:datetime)['a', datetime(2024-01-01), 'a', datetime(2024-01-02),"
            " 'b', datetime(2024-01-02)]"
            " | evaluate active_users_count(u, t, datetime(2024-01-01), datetime(2024-01-07), 3d, 1d, 2, 7d)"
        )
        assert rows == [["2024-01-01T00:00:00Z", 1]]

    @pytest.mark.parametrize(
        "plugin", ["http_request('https://example.com')", "infer_storage_schema(dynamic({}))"]
    )
    def test_plugins_that_reach_outside_are_refused_with_the_reason(self, plugin: str) -> None:
        with pytest.raises(KqlError, match="makes no such requests"):
            _run(f"evaluate {plugin}")

    def test_an_unknown_plugin_lists_the_supported_ones(self) -> None:
        with pytest.raises(KqlError, match="rows_near"):
            _run("print x = 1 | evaluate no_such_plugin()")
