"""Window functions: row_number, prev, next, row_cumsum, row_rank_dense, row_rank_min.

Source: their Kusto pages (MicrosoftDocs/dataexplorer-docs, data-explorer/kusto/query/row-number-function.md,
prev-function.md, next-function.md, row-cumsum-function.md, row-rank-*-function.md); the pages'
examples are conformance cases (_docs_examples_scalar.py).
"""

from __future__ import annotations

from typing import Any

import pytest

from azlogs._exceptions import KqlError
from azlogs.kql import MemoryProvider, run_query


def _table(query: str) -> tuple[list[tuple[str, str]], list[list[Any]]]:
    table = run_query(query, MemoryProvider()).tables[0]
    return table.columns, [list(r) for r in table.rows]


class TestRowNumber:
    def test_counts_from_start(self) -> None:
        """row_number() counts the rows in their order from 1, or from the start given."""
        _, rows = _table(
            "range a from 1 to 3 step 1 | sort by a desc | extend n = row_number(), m = row_number(7)"
        )
        assert rows == [[3, 1, 7], [2, 2, 8], [1, 3, 9]]

    def test_restart(self) -> None:
        """Where the restart predicate is true the count starts again."""
        q = "datatable(k:string)['a','a','b','b','b'] | extend n = row_number(1, k != prev(k))"
        assert [r[1] for r in _table(q)[1]] == [1, 2, 1, 2, 3]

    def test_type_is_long(self) -> None:
        """The result is a long."""
        assert _table("print x=1 | extend n = row_number()")[0][-1] == ("n", "long")

    def test_outside_a_row_operator_is_an_error(self) -> None:
        """Used where there is no window (where, summarize) it is a query error that says where it works."""
        with pytest.raises(KqlError, match="extend, project or serialize"):
            run_query("range a from 1 to 3 step 1 | where row_number() > 1", MemoryProvider())


class TestPrevNext:
    def test_offsets_and_defaults(self) -> None:
        """prev/next read the row offset rows away; past the edges the default, else null."""
        q = "range a from 1 to 4 step 1 | serialize p = prev(a), p2 = prev(a, 2, -1), n = next(a)"
        assert _table(q)[1] == [[1, None, -1, 2], [2, 1, -1, 3], [3, 2, 1, 4], [4, 3, 2, None]]

    def test_string_past_the_edge_is_empty(self) -> None:
        """A string column past the edge is "" (strings are never null)."""
        q = "datatable(s:string)['x','y'] | serialize p = prev(s)"
        assert _table(q)[1] == [["x", ""], ["y", "x"]]

    def test_types_follow_the_column(self) -> None:
        """prev/next have the type of their expression."""
        cols, _ = _table("print d = datetime(2024-01-01) | serialize p = prev(d), n = next(d)")
        assert cols[1:] == [("p", "datetime"), ("n", "datetime")]


class TestCumulative:
    def test_row_cumsum_restarts(self) -> None:
        """row_cumsum sums from 0 again where restart is true (the page's partitioned example)."""
        q = (
            "datatable(name:string, salary:long)['Alice',1000,'Alice',2000,'Bob',1000,'Bob',1950]"
            " | extend total = row_cumsum(salary, name != prev(name))"
        )
        assert [r[-1] for r in _table(q)[1]] == [1000, 3000, 1000, 2950]

    def test_row_cumsum_of_reals_is_real(self) -> None:
        """row_cumsum of reals is a real."""
        cols, rows = _table("range a from 1 to 3 step 1 | extend x = row_cumsum(a * 0.5)")
        assert cols[-1] == ("x", "real")
        assert [r[-1] for r in rows] == [0.5, 1.5, 3.0]

    def test_ranks(self) -> None:
        """row_rank_dense goes up by one per new value; row_rank_min is the first row of the value."""
        q = "datatable(v:long)[10, 10, 20, 30, 30, 40] | extend d = row_rank_dense(v), m = row_rank_min(v)"
        assert [r[1:] for r in _table(q)[1]] == [[1, 1], [1, 1], [2, 3], [3, 4], [3, 4], [4, 6]]

    def test_each_run_starts_again(self) -> None:
        """A windowed operator read twice (both sides of a union) numbers each run from the start."""
        q = "let t = range a from 1 to 2 step 1 | extend n = row_number(); union t, t"
        assert [r[1] for r in _table(q)[1]] == [1, 2, 1, 2]
