"""Edge cases of the tabular operators and statements of issue 14: scan, project-by-names, named
arguments of user-defined functions, toscalar() of a scalar, ``as hint.materialized``, parse
kind=relaxed, innerunique's filter below the join, search over views."""

from __future__ import annotations

from typing import Any

import pytest

from azlogs._exceptions import KqlError
from azlogs.kql import MemoryProvider, run_query
from tests.unit.kql._helpers import plain

EVENTS = (
    'datatable(Ts:long, Event:string) [1, "A", 2, "Start", 3, "X", 4, "X", 5, "X", 6, "Stop", 7, "X"]'
    " | sort by Ts asc"
)


def _run(query: str) -> tuple[list[tuple[str, str]], list[list[Any]]]:
    table = run_query(query, MemoryProvider()).tables[0]
    return table.columns, [[plain(v) for v in row] for row in table.rows]


class TestScan:
    def test_output_last_keeps_the_last_of_repeated_matches(self) -> None:
        """A step with output=last outputs only the last record of its series of matches."""
        _, rows = _run(
            EVENTS + " | scan with_match_id=m with (step s1: Event == 'Start'; "
            "step s2 output=last: Event == 'X'; step s3: Event == 'Stop';)"
        )
        assert rows == [[2, "Start", 0], [5, "X", 0], [6, "Stop", 0]]

    def test_output_none_outputs_nothing_but_advances_the_sequence(self) -> None:
        _, rows = _run(
            EVENTS + " | scan with (step s1 output=none: Event == 'Start'; step s2: Event == 'X';)"
        )
        assert rows == [[3, "X"], [4, "X"], [5, "X"], [7, "X"]]

    def test_declared_column_without_default_is_typed_null(self) -> None:
        """A declared column no step assigns is null of its type; the schema adds it after the input's."""
        columns, rows = _run(
            "range x from 1 to 2 step 1 | scan declare (d:datetime, n:long) with (step s: true;)"
        )
        assert columns == [("x", "long"), ("d", "datetime"), ("n", "long")]
        assert rows == [[1, None, None], [2, None, None]]

    def test_assignment_converts_to_the_declared_type(self) -> None:
        columns, rows = _run(
            "range x from 1 to 2 step 1 | scan declare (r:real) with (step s: true => r = x;)"
        )
        assert columns[-1] == ("r", "real")
        assert rows == [[1, 1.0], [2, 2.0]]
        assert all(isinstance(r[1], float) for r in rows)

    def test_null_condition_does_not_match(self) -> None:
        _, rows = _run(
            "datatable(v:long) [1, long(null), 3] | scan with (step s: v > 0;)",
        )
        assert rows == [[1], [3]]

    def test_step_reads_its_own_previous_values(self) -> None:
        """In check 2 a step's name reads its own latest values (a running maximum)."""
        _, rows = _run(
            "datatable(v:long) [3, 1, 4, 1, 5] | scan declare (m:long = 0) with "
            "(step s: true => m = max_of(v, s.m);)"
        )
        assert [r[1] for r in rows] == [3, 3, 4, 4, 5]

    def test_first_step_starts_a_new_match_only_when_its_state_is_empty(self) -> None:
        _, rows = _run(
            EVENTS
            + " | scan with_match_id=id with (step a: Event == 'Start' or Event == 'X'; step b: Event == 'Stop';)"
        )
        assert [r[2] for r in rows] == [0, 0, 0, 0, 0, 1]

    def test_no_match_gives_an_empty_table_with_the_schema(self) -> None:
        columns, rows = _run("range x from 1 to 3 step 1 | scan with_match_id=i with (step s: x > 10;)")
        assert columns == [("x", "long"), ("i", "long")]
        assert rows == []

    @pytest.mark.parametrize(
        "query",
        [
            "range x from 1 to 2 step 1 | scan with (step s: true; step s: true;)",
            "range x from 1 to 2 step 1 | scan with (step s output=first: true;)",
            "range x from 1 to 2 step 1 | scan with (step s: true => y = 1;)",
            "range x from 1 to 2 step 1 | scan declare (x:long) with (step s: true;)",
            "range x from 1 to 2 step 1 | scan declare (d:long = x) with (step s: true;)",
        ],
        ids=[
            "duplicate step",
            "unknown output",
            "undeclared column",
            "declared twice",
            "default not constant",
        ],
    )
    def test_invalid_scans_are_refused(self, query: str) -> None:
        with pytest.raises(KqlError):
            run_query(query, MemoryProvider())


class TestProjectByNames:
    SOURCE = "datatable(a:long, b:string, c1:long, c2:long) [1, 'x', 2, 3]"

    def test_unknown_names_are_ignored_and_repeats_kept_once(self) -> None:
        columns, rows = _run(self.SOURCE + " | project-by-names 'c2', 'nope', dynamic(['a', 'c2']), 'c*'")
        assert [c for c, _ in columns] == ["c2", "a", "c1"]
        assert rows == [[3, 1, 2]]

    def test_nothing_selected_gives_no_columns(self) -> None:
        columns, _ = _run(self.SOURCE + " | project-by-names 'zz', dynamic([])")
        assert columns == []

    @pytest.mark.parametrize(
        "spec", ["1", "dynamic([1])", "b"], ids=["number", "array of numbers", "a column"]
    )
    def test_non_constant_or_non_string_specs_are_refused(self, spec: str) -> None:
        with pytest.raises(KqlError):
            run_query(self.SOURCE + f" | project-by-names {spec}", MemoryProvider())


class TestNamedArguments:
    F = 'let f = (a:long, b:string = "d", c:long = 0) { strcat(a, "/", b, "/", c) };'

    def test_named_arguments_in_any_order_with_defaults_between(self) -> None:
        _, rows = _run(self.F + " print f(c=7, a=1), f(2, b='e'), f(3)")
        assert rows == [["1/d/7", "2/e/0", "3/d/0"]]

    @pytest.mark.parametrize(
        "call",
        ["f(z=1)", "f(b='x')", "f(1, a=2)", "f(1, 2, 3, 4)"],
        ids=["unknown", "missing", "twice", "too many"],
    )
    def test_bad_named_arguments_are_refused(self, call: str) -> None:
        with pytest.raises(KqlError):
            run_query(self.F + f" print {call}", MemoryProvider())

    def test_positional_argument_after_a_named_one_keeps_its_place(self) -> None:
        _, rows = _run(self.F + " print f(a=1, 'e'), f(b='g', a=2)")
        assert rows == [["1/e/0", "2/g/0"]]

    def test_tabular_function_takes_named_arguments(self) -> None:
        _, rows = _run("let T = (n:long = 2, m:long = 5) { range x from n to m step 1 }; T(m=3)")
        assert rows == [[2], [3]]


class TestOnceAndMaterialized:
    def test_toscalar_of_a_random_scalar_is_one_value_per_run(self) -> None:
        _, rows = _run(
            "let g = toscalar(new_guid()); range x from 1 to 3 step 1 | extend g = tostring(g), h = tostring(new_guid())"
        )
        assert len({r[1] for r in rows}) == 1
        assert len({r[2] for r in rows}) == 3

    def test_toscalar_of_a_column_expression_stays_per_row(self) -> None:
        _, rows = _run("range x from 1 to 3 step 1 | extend y = toscalar(x * 2)")
        assert rows == [[1, 2], [2, 4], [3, 6]]

    def test_as_materialized_reads_one_sample_twice(self) -> None:
        _, rows = _run("range x from 1 to 1000 step 1 | sample 1 | as hint.materialized=true T | union T")
        assert len(rows) == 2 and rows[0] == rows[1]

    def test_parameterless_function_named_without_parentheses(self) -> None:
        columns, rows = _run("let one = () { 1 }; print one, one + 1")
        assert columns == [("print_0", "long"), ("print_1", "long")]
        assert rows == [[1, 2]]


class TestParseRelaxed:
    def test_a_typed_capture_of_another_type_is_null_and_the_rest_parses(self) -> None:
        _, rows = _run(
            "print s='n=abc, m=7, t=bad)' "
            "| parse kind=relaxed s with 'n=' n:long ', m=' m:long ', t=' t:datetime ')' "
            "| project n, m, t"
        )
        assert rows == [[None, 7, None]]

    def test_simple_mode_blanks_every_capture(self) -> None:
        _, rows = _run("print s='n=abc, m=7' | parse s with 'n=' n:long ', m=' m:long | project n, m")
        assert rows == [[None, None]]


class TestJoinAndSearch:
    T1 = 'let t1 = datatable(key:long, value:string) [1, "a", 1, "b", 2, "c"];'
    T2 = 'let t2 = datatable(key:long, other:string) [1, "x", 2, "y"];'

    def test_innerunique_filter_on_left_columns_runs_before_deduplication(self) -> None:
        _, rows = _run(self.T1 + self.T2 + ' t1 | join t2 on key | where value == "b"')
        assert rows == [[1, "b", 1, "x"]]

    def test_innerunique_filter_on_right_columns_runs_after_the_join(self) -> None:
        _, rows = _run(self.T1 + self.T2 + ' t1 | join t2 on key | where other == "x"')
        assert rows == [[1, "a", 1, "x"]]

    def test_search_without_tables_reads_views(self) -> None:
        columns, rows = _run("let V = view () { range n from 1 to 3 step 1 }; search n == 2")
        assert columns == [("$table", "string"), ("n", "long")]
        assert rows == [["V", 2]]


class TestLegacyPartitionAndRangeName:
    S = {
        "S": ([("v", "long"), ("n", "string")], [{"v": 1, "n": "a"}, {"v": 2, "n": "b"}, {"v": 2, "n": "c"}])
    }

    def test_legacy_partition_runs_the_subquery_once_per_key_value(self) -> None:
        """``partition by x { S | where v == x }``: the key reads as a scalar (also as toscalar(x))."""
        query = "datatable(x:long) [2, 1, 2, 3] | partition hint.strategy=legacy by x {S | where v == toscalar(x) | extend k = x}"
        table = run_query(query, MemoryProvider(self.S)).tables[0]
        assert table.columns == [("v", "long"), ("n", "string"), ("k", "long")]
        assert table.rows == [[2, "b", 2], [2, "c", 2], [1, "a", 1]]

    def test_legacy_partition_of_an_unknown_column_is_refused(self) -> None:
        with pytest.raises(KqlError):
            run_query("print x=1 | partition by y {S}", MemoryProvider(self.S))

    def test_range_names_a_column(self) -> None:
        columns, rows = _run(
            "print a=1 | extend range = range(1, 2, 1) | mv-expand range to typeof(long) | extend b = range * 2"
        )
        assert columns == [("a", "long"), ("range", "long"), ("b", "long")]
        assert rows == [[1, 1, 2], [1, 2, 4]]


class TestCrossResourceCalls:
    def test_cluster_database_is_refused_as_a_cross_resource_query(self) -> None:
        with pytest.raises(KqlError, match=r"cluster\(\) \(a cross-resource query\)"):
            run_query("cluster('help').database('Samples').StormEvents | count", MemoryProvider())

    def test_other_dotted_calls_are_not_kql(self) -> None:
        with pytest.raises(KqlError, match="unexpected"):
            run_query("print x=dynamic({'a': 1}) | extend y = x.a(1)", MemoryProvider())
