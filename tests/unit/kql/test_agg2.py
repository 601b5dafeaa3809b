"""Aggregates added for issue 14 and Kusto's automatic column names, beyond the documented examples."""

from __future__ import annotations

from typing import Any

import pytest

from azlogs import KqlError
from azlogs.kql import MemoryProvider, check, parse, run_query
from azlogs.kql._printer import to_text
from tests.unit.kql._helpers import FIXED_NOW

TEN = "range x from 1 to 10 step 1"


def table(query: str) -> tuple[list[tuple[str, str]], list[list[Any]]]:
    """The columns and rows of the query's first table."""
    t = run_query(query, MemoryProvider(), clock=lambda: FIXED_NOW).tables[0]
    return t.columns, t.rows


class TestColumnNames:
    """Unnamed aggregates are named as Kusto names them (Kusto.Language's result-name prefixes)."""

    @pytest.mark.parametrize(
        ("agg", "name"),
        [
            ("make_list(x)", "list_x"),
            ("make_list_if(x, x > 1)", "list_x"),
            ("make_list_with_nulls(x)", "list_x"),
            ("make_set(x)", "set_x"),
            ("make_set_if(x, x > 1)", "set_x"),
            ("make_bag(bag_pack('k', x))", "bag_"),
            ("stdevif(x, x > 1)", "stdevif_x"),
            ("varianceif(x, x > 1)", "varianceif_x"),
            ("take_any(x)", "x"),
            ("percentiles_array(x, 50)", "percentiles_x"),
        ],
    )
    def test_automatic_name(self, agg: str, name: str) -> None:
        """The column name of ``summarize <agg>``."""
        assert table(f"{TEN} | summarize {agg}")[0][0][0] == name

    def test_repeated_automatic_name_gets_a_number(self) -> None:
        """The same unnamed aggregate twice gives list_x and list_x1 rather than an error."""
        cols, _ = table(f"{TEN} | summarize make_list(x), make_list(x), make_list(x)")
        assert [c for c, _ in cols] == ["list_x", "list_x1", "list_x2"]


class TestPercentiles:
    """percentiles(): one column per percentile; percentiles_array(): one array."""

    def test_one_column_per_percentile(self) -> None:
        """Columns percentile_x_P (a fraction's dot becomes _), typed as the value, int widened to long."""
        cols, rows = table(f"{TEN} | extend x = toint(x) | summarize percentiles(x, 50, 90, 99.5)")
        assert cols == [
            ("percentile_x_50", "long"),
            ("percentile_x_90", "long"),
            ("percentile_x_99_5", "long"),
        ]
        assert rows == [[5, 9, 10]]

    def test_by_group_and_empty_group(self) -> None:
        """Each group has its own percentiles; an all-null group gives nulls."""
        _, rows = table(
            f"{TEN} | extend g = x % 2, v = iff(x % 2 == 0, long(null), x) | summarize percentiles(v, 50) by g"
        )
        assert sorted(rows, key=lambda r: r[0]) == [[0, None], [1, 5]]

    def test_array_form_takes_a_dynamic_list(self) -> None:
        """percentiles_array with a dynamic array of percentiles gives one dynamic array."""
        cols, rows = table(f"{TEN} | summarize percentiles_array(x, dynamic([10, 100]))")
        assert cols == [("percentiles_x", "dynamic")]
        assert rows == [[[1, 10]]]

    def test_weighted_forms(self) -> None:
        """percentilew/percentilesw count each value weight times; a null or non-positive weight counts 0."""
        q = "datatable(v:long, w:long)[1, 1, 2, 0, 3, long(null), 4, 3]"
        cols, rows = table(f"{q} | summarize percentilew(v, w, 25), percentilesw_array(v, w, 10, 100)")
        assert cols == [("percentile_v_25", "long"), ("percentiles_v", "dynamic")]
        assert rows == [[1, [1, 4]]]

    def test_percentile_out_of_range_is_refused(self) -> None:
        """A percentile outside 0..100 is an error, not a silent clamp."""
        with pytest.raises(KqlError, match="percentile"):
            table(f"{TEN} | summarize percentiles(x, 150)")


class TestBagsAndLists:
    """make_bag, make_bag_if and make_list_with_nulls."""

    def test_make_bag_first_key_wins_and_ignores_non_bags(self) -> None:
        """A key seen again keeps its first value; values that are not bags are skipped."""
        _, rows = table(
            "datatable(d:dynamic)[dynamic({'a':1}), dynamic({'a':2,'b':3}), dynamic([1]), dynamic(null)]"
            " | summarize make_bag(d)"
        )
        assert rows == [[{"a": 1, "b": 3}]]

    def test_make_bag_max_size(self) -> None:
        """MaxSize caps the number of keys."""
        _, rows = table(f"{TEN} | summarize b = make_bag(bag_pack(tostring(x), x), 3)")
        assert rows == [[{"1": 1, "2": 2, "3": 3}]]

    def test_make_list_with_nulls_keeps_nulls_in_order(self) -> None:
        """Nulls stay, in row order."""
        _, rows = table(f"{TEN} | where x < 4 | summarize make_list_with_nulls(iff(x == 2, long(null), x))")
        assert rows == [[[1, None, 3]]]

    def test_arg_max_star_of_all_null_group_is_its_first_row(self) -> None:
        """A group with no value to maximise still answers its first row (arg-max page)."""
        _, rows = table(
            "datatable(g:string, v:long, c:string)['a', long(null), 'first', 'a', long(null), 'second']"
            " | summarize arg_max(v, c) by g"
        )
        assert rows == [["a", None, "first"]]


class TestResultTypes:
    """Each aggregate's static result type."""

    @pytest.mark.parametrize(
        ("agg", "typ"),
        [
            ("make_bag(bag_pack('k', x))", "dynamic"),
            ("make_bag_if(bag_pack('k', x), x > 1)", "dynamic"),
            ("make_list_with_nulls(x)", "dynamic"),
            ("stdevif(x, x > 1)", "real"),
            ("varianceif(x, x > 1)", "real"),
            ("percentiles(x, 50)", "long"),
            ("percentiles(todouble(x), 50)", "real"),
            ("percentiles_array(x, 50)", "dynamic"),
            ("percentile(toint(x), 50)", "long"),
        ],
    )
    def test_result_type(self, agg: str, typ: str) -> None:
        """The column's type is the aggregate's documented return type."""
        assert table(f"{TEN} | summarize {agg}")[0][0][1] == typ


class TestBuildSchema:
    """buildschema: the minimal schema admitting every value of the group."""

    def test_nested_arrays_and_nulls(self) -> None:
        """Arrays of bags merge under `indexer`; nulls add nothing; one alternative is not a list."""
        cols, rows = table(
            "datatable(v:dynamic)[dynamic({'a':[{'b':1},{'b':'x'}]}), dynamic(null), dynamic({'a':[]})]"
            " | summarize buildschema(v)"
        )
        assert cols == [("schema_v", "dynamic")]
        assert rows == [[{"a": {"`indexer`": {"b": ["long", "string"]}}}]]

    def test_scalars(self) -> None:
        """Scalar values give their type names: bool, long, double, string."""
        _, rows = table(
            "datatable(v:dynamic)[dynamic(true), dynamic(1), dynamic(1.5)] | summarize s = buildschema(v)"
        )
        assert rows == [[["bool", "long", "double"]]]


class TestRowBags:
    """pack_all and bag_pack_columns: bags of the row's own columns."""

    def test_pack_all_sees_the_operator_input_only(self) -> None:
        """Columns added earlier in the same extend are not packed; later operators see them."""
        _, rows = table("datatable(a:long)[1] | extend b = 2, p = pack_all() | extend q = pack_all()")
        assert rows == [[1, 2, {"a": 1}, {"a": 1, "b": 2, "p": {"a": 1}}]]

    def test_pack_all_true_drops_null_and_empty(self) -> None:
        """pack_all(true) leaves out nulls and empty strings."""
        _, rows = table(
            "datatable(a:long, s:string)[long(null), ''] | project p = pack_all(true), q = pack_all()"
        )
        assert rows == [[{}, {"a": None, "s": ""}]]

    def test_bag_pack_columns_needs_column_names(self) -> None:
        """An argument that is not a column is refused."""
        with pytest.raises(KqlError, match="column names"):
            table("datatable(a:long)[1] | extend p = bag_pack_columns(a + 1)")

    @pytest.mark.parametrize("expr", ["pack_all()", "bag_pack_columns(a)"])
    def test_result_type_and_dialect(self, expr: str) -> None:
        """Both are dynamic, and log-query only: a strict transformation refuses them."""
        assert table(f"datatable(a:long)[1] | project p = {expr}")[0] == [("p", "dynamic")]
        with pytest.raises(KqlError):
            check(parse(f"source | extend p = {expr}"), "transformation")

    def test_pack_all_reads_every_column_of_a_table(self) -> None:
        """Column pruning does not narrow what a table scan gives pack_all."""
        cols = [("TimeGenerated", "datetime"), ("a", "long"), ("b", "string")]
        provider = MemoryProvider({"T": (cols, [{"TimeGenerated": FIXED_NOW, "a": 1, "b": "x"}])})
        t = run_query("T | project p = pack_all()", provider, clock=lambda: FIXED_NOW).tables[0]
        assert set(t.rows[0][0]) == {"TimeGenerated", "a", "b"}


class TestTakeAny:
    """take_any with one value, several values and ``*`` (take-any page, Syntax and Remarks)."""

    def test_one_column_prefers_a_non_empty_value(self) -> None:
        """With one column, a null or empty value is passed over when the group has another."""
        _, rows = table("datatable(g:string, b:string)['x', '', 'x', 'q'] | summarize take_any(b) by g")
        assert rows == [["x", "q"]]

    def test_take_anyif_takes_a_row_matching_the_predicate(self) -> None:
        """take_anyif(b, p) picks among the rows where p holds; its column is named after b."""
        cols, rows = table(
            "datatable(a:long, b:string)[1, 'p', 2, 'q'] | summarize take_anyif(b, a > 1), anyif(a, a > 1)"
        )
        assert cols == [("b", "string"), ("anyif_a", "long")]
        assert rows == [["q", 2]]

    def test_several_values_come_from_one_row(self) -> None:
        """take_any(a, b, expr) gives one column each, all from the same row; an expression is any_argN."""
        cols, rows = table(
            "datatable(a:long, b:string)[1, 'p', 2, 'q'] | summarize take_any(a, b, strlen(b))"
        )
        assert cols == [("a", "long"), ("b", "string"), ("any_arg2", "long")]
        assert rows == [[1, "p", 1]]

    def test_star_is_every_column_but_the_group_keys(self) -> None:
        """take_any(*) by g: g once, then the other input columns of one row."""
        cols, rows = table(
            "datatable(g:string, a:long, b:string)['x', 1, 'p', 'x', 2, 'q'] | summarize take_any(*) by g"
        )
        assert [c for c, _ in cols] == ["g", "a", "b"]
        assert rows == [["x", 1, "p"]]


class TestTupleNames:
    """``(a, b) = f(...)``: names for a function's several results."""

    def test_summarize_names_the_percentiles(self) -> None:
        """summarize (p50, p95) = percentiles(x, 50, 95) names the two columns."""
        cols, rows = table(f"{TEN} | summarize (p50, p95) = percentiles(x, 50, 95) by g = x % 2")
        assert [c for c, _ in cols] == ["g", "p50", "p95"]
        assert sorted(rows) == [[0, 6, 10], [1, 5, 9]]

    def test_extend_and_project_name_the_sorted_arrays(self) -> None:
        """extend (s1, s2) = array_sort_desc(a, b), as the array_sort pages suggest."""
        cols, rows = table(
            "print a = dynamic([1,3,2]), b = dynamic(['x','y','z'])"
            " | extend (s1, s2) = array_sort_desc(a, b) | project (t1, t2) = array_sort_asc(s1, s2)"
        )
        assert cols == [("t1", "dynamic"), ("t2", "dynamic")]
        assert rows == [[[1, 2, 3], ["x", "z", "y"]]]

    @pytest.mark.parametrize(
        "query",
        [
            f"{TEN} | summarize (a, b) = count()",
            f"{TEN} | summarize (a, b, c) = percentiles(x, 50, 95)",
            f"{TEN} | extend (a, b) = x + 1",
            f"{TEN} | summarize count() by (a, b) = x",
            f"{TEN} | distinct (a, b) = x",
        ],
    )
    def test_refused_where_there_are_not_several_results(self, query: str) -> None:
        """A single-valued expression, a wrong number of names or an operator that takes one name is an error."""
        with pytest.raises(KqlError):
            table(query)

    def test_printer_round_trips_the_names(self) -> None:
        """The query printer writes the names back."""
        text = to_text(parse("T | extend (a, b) = array_sort_asc(x, y)"))
        assert "(a, b) = array_sort_asc(x, y)" in text


class TestArrayValuesAddTheirElements:
    """make_list and make_set of an array value add its elements (one level), so that
    ``make_list(pack_array(x))`` keeps ``x`` whole, as the geo-point-in-polygon page folds polygons."""

    A = "datatable(a:dynamic)[dynamic([1, 2]), dynamic([3]), dynamic({'k': 1}), dynamic(null)]"

    def test_make_list_adds_an_arrays_elements(self) -> None:
        assert table(f"{self.A} | summarize make_list(a)")[1] == [[[1, 2, 3, {"k": 1}]]]

    def test_make_list_of_pack_array_keeps_each_array(self) -> None:
        rows = table(f"{self.A} | where isnotnull(a) | summarize make_list(pack_array(a))")[1]
        assert rows == [[[[1, 2], [3], {"k": 1}]]]

    def test_the_size_limit_counts_elements(self) -> None:
        assert table(f"{self.A} | summarize make_list(a, 2)")[1] == [[[1, 2]]]
