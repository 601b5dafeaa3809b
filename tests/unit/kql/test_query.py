"""Log Analytics queries over an in-memory provider: operators, pushdown and result shape."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from azlogs import KqlError
from azlogs.kql import MemoryProvider, run_query
from tests.unit.kql._helpers import FIXED_NOW

UTC = timezone.utc
T0 = datetime(2024, 5, 1, 10, 0, tzinfo=UTC)


def _provider(honor: bool = True) -> MemoryProvider:
    rows = [
        {
            "TimeGenerated": T0 + timedelta(minutes=20 * i),
            "Computer": f"c{i % 3}",
            "Level": ["Error", "Info"][i % 2],
            "Value": i,
            "Tags": ["a", "b"] if i % 2 else ["c"],
        }
        for i in range(9)
    ]
    cols = [
        ("TimeGenerated", "datetime"),
        ("Computer", "string"),
        ("Level", "string"),
        ("Value", "long"),
        ("Tags", "dynamic"),
    ]
    owners = [
        {"Computer": "c0", "Owner": "ann"},
        {"Computer": "c1", "Owner": "bob"},
        {"Computer": "c9", "Owner": "zed"},
    ]
    return MemoryProvider(
        {"Events": (cols, rows), "Owners": ([("Computer", "string"), ("Owner", "string")], owners)},
        honor_time_range=honor,
    )


def q(
    text: str, provider: MemoryProvider | None = None, **kw: Any
) -> tuple[list[tuple[str, str]], list[list[Any]]]:
    """Run a query; return (columns, rows) of PrimaryResult."""
    res = run_query(text, provider or _provider(), clock=lambda: FIXED_NOW, **kw)
    assert res.tables[0].name == "PrimaryResult"
    return res.tables[0].columns, res.tables[0].rows


class TestSummarize:
    """summarize with aggregates and by."""

    def test_count_by_bin(self) -> None:
        """count() by bin(TimeGenerated, 1h) names columns TimeGenerated and count_."""
        cols, rows = q("Events | summarize count() by bin(TimeGenerated, 1h)")
        assert cols == [("TimeGenerated", "datetime"), ("count_", "long")]
        assert sorted(rows) == [[T0, 3], [T0 + timedelta(hours=1), 3], [T0 + timedelta(hours=2), 3]]

    def test_aggregates(self) -> None:
        """sum, avg, min, max, dcount, countif and auto names."""
        cols, rows = q(
            "Events | summarize sum(Value), avg(Value), min(Value), max(Value), dcount(Computer), "
            "countif(Level == 'Error')"
        )
        assert [c for c, _ in cols] == [
            "sum_Value",
            "avg_Value",
            "min_Value",
            "max_Value",
            "dcount_Computer",
            "countif_",
        ]
        assert rows == [[36, 4.0, 0, 8, 3, 5]]

    def test_expression_over_aggregates(self) -> None:
        """An expression may combine aggregates."""
        _, rows = q("Events | summarize r = sum(Value) * 1.0 / count() by Level | sort by Level asc")
        assert rows == [["Error", 4.0], ["Info", 4.0]]

    def test_make_set_and_list(self) -> None:
        """make_set is unique; make_list keeps duplicates."""
        _, rows = q("Events | where Value < 4 | summarize s = make_set(Level), l = make_list(Level)")
        assert sorted(rows[0][0]) == ["Error", "Info"] and len(rows[0][1]) == 4

    def test_arg_max_star(self) -> None:
        """arg_max(x, *) returns the whole row with the largest x per group."""
        cols, rows = q("Events | summarize arg_max(Value, *) by Computer | sort by Computer asc")
        assert [c for c, _ in cols][:3] == ["Computer", "Value", "TimeGenerated"]
        assert [r[:2] for r in rows] == [["c0", 6], ["c1", 7], ["c2", 8]]

    def test_percentile(self) -> None:
        """percentile is nearest-rank."""
        _, rows = q("Events | summarize percentile(Value, 50)")
        assert rows == [[4]]

    def test_empty_input_without_by_gives_one_row(self) -> None:
        """count() over nothing is one row with 0."""
        _, rows = q("Events | where Value > 100 | summarize count()")
        assert rows == [[0]]

    def test_aggregate_outside_summarize_refused(self) -> None:
        """count() in extend is an error."""
        with pytest.raises(KqlError, match="only be used in summarize"):
            q("Events | extend c = count()")


class TestRowOperators:
    """take, sort, top, distinct, count, project, extend, mv-expand, datatable, let, union."""

    def test_sort_and_take(self) -> None:
        """sort by desc is the default; take keeps the first n."""
        _, rows = q("Events | sort by Value | take 2 | project Value")
        assert rows == [[8], [7]]

    def test_top(self) -> None:
        """top n by asc."""
        _, rows = q("Events | top 2 by Value asc | project Value")
        assert rows == [[0], [1]]

    def test_sort_nulls(self) -> None:
        """Nulls go last in desc order and first in asc order."""
        _, rows = q("datatable(v:long)[2, long(null), 1] | sort by v desc")
        assert rows == [[2], [1], [None]]
        _, rows = q("datatable(v:long)[2, long(null), 1] | sort by v asc")
        assert rows == [[None], [1], [2]]

    def test_distinct_and_count(self) -> None:
        """distinct keeps first-seen unique rows; count counts rows."""
        _, rows = q("Events | distinct Computer | sort by Computer asc")
        assert rows == [["c0"], ["c1"], ["c2"]]
        cols, rows = q("Events | count")
        assert cols == [("Count", "long")] and rows == [[9]]

    def test_mv_expand(self) -> None:
        """mv-expand makes a row per array element, with a type."""
        _, rows = q("Events | where Value < 2 | mv-expand Tags to typeof(string) | project Value, Tags")
        assert rows == [[0, "c"], [1, "a"], [1, "b"]]

    def test_let_and_datatable(self) -> None:
        """let binds scalars and tables."""
        _, rows = q("let n = 1; let T = datatable(a:long, b:string)[1, 'x', 2, 'y']; T | where a > n")
        assert rows == [[2, "y"]]

    def test_union(self) -> None:
        """union stacks tables, filling missing columns."""
        cols, rows = q("union withsource=Src (Owners | take 1), (datatable(x:long)[5])")
        assert [c for c, _ in cols] == ["Src", "Computer", "Owner", "x"]
        assert rows == [["", "c0", "ann", None], ["", "", "", 5]]

    def test_render_is_ignored(self) -> None:
        """render changes nothing."""
        _, rows = q("Events | count | render timechart")
        assert rows == [[9]]

    def test_getschema(self) -> None:
        """getschema lists columns and types."""
        _, rows = q("Owners | getschema")
        assert [r[0] for r in rows] == ["Computer", "Owner"] and rows[0][3] == "string"

    def test_extend_case(self) -> None:
        """extend with case()."""
        _, rows = q("Events | take 2 | extend s = case(Value == 0, 'zero', 'other') | project s")
        assert rows == [["zero"], ["other"]]


class TestJoin:
    """join kinds."""

    @pytest.mark.parametrize(
        ("kind", "expected"),
        [
            (
                "inner",
                [["c0", "ann"], ["c0", "ann"], ["c0", "ann"], ["c1", "bob"], ["c1", "bob"], ["c1", "bob"]],
            ),
            ("innerunique", [["c0", "ann"], ["c1", "bob"]]),
            ("leftouter", [["c0", "ann"], ["c1", "bob"], ["c2", ""]]),
            ("leftanti", [["c2", None]] * 3),
        ],
    )
    def test_kinds(self, kind: str, expected: list[list[Any]]) -> None:
        """Each kind keeps the documented rows."""
        project = "Computer, Owner" if kind != "leftanti" else "Computer, Value = long(null)"
        src = "Events | project Computer"
        _, rows = q(
            f"{src} | join kind={kind} (Owners) on Computer | project {project} | sort by Computer asc"
        )
        if kind in ("inner", "leftouter"):
            rows = sorted(rows)
            if kind == "leftouter":
                rows = [list(r) for r in sorted({tuple(r) for r in rows})]
        assert rows == expected

    def test_left_right_keys(self) -> None:
        """$left.a == $right.b keys; clashing right columns get a suffix."""
        cols, _ = q(
            "Owners | join kind=inner (Owners | project C = Computer, Owner) on $left.Computer == $right.C "
            "| take 1"
        )
        assert [c for c, _ in cols] == ["Computer", "Owner", "C", "Owner1"]


class TestPushdown:
    """timespan and leading time filters reach the provider; results stay right if it ignores them."""

    def test_where_bounds_are_pushed(self) -> None:
        """where TimeGenerated > X and between(...) become the scan's time_range."""
        p = _provider()
        q(
            "Events | where TimeGenerated >= datetime(2024-05-01 11:00) and TimeGenerated < datetime(2024-05-01 12:00) "
            "| count",
            p,
        )
        assert p.scans[-1] == ("Events", (T0 + timedelta(hours=1), T0 + timedelta(hours=2)))

    @pytest.mark.parametrize("honor", [True, False])
    def test_correct_when_hint_ignored(self, honor: bool) -> None:
        """The engine filters again, so a provider that ignores the hint gives the same rows."""
        p = _provider(honor)
        _, rows = q(
            "Events | where TimeGenerated between (datetime(2024-05-01 10:30) .. 1h) | project Value", p
        )
        assert rows == [[2], [3], [4]]

    @pytest.mark.parametrize("honor", [True, False])
    def test_timespan_parameter(self, honor: bool) -> None:
        """The query timespan filters every table on TimeGenerated."""
        p = _provider(honor)
        _, rows = q("Events | project Value", p, timespan=(T0 + timedelta(hours=2), None))
        assert rows == [[6], [7], [8]]
        assert p.scans[-1][1] == (T0 + timedelta(hours=2), None)

    def test_ago_pushdown(self) -> None:
        """ago() bounds are computed from the clock at run time."""
        p = _provider()
        q("Events | where TimeGenerated > ago(1h) | count", p)
        assert p.scans[-1][1] == (FIXED_NOW - timedelta(hours=1), None)


class TestErrors:
    """Query errors are KqlError with a position."""

    def test_unknown_table(self) -> None:
        """An unknown table is named, with a suggestion."""
        with pytest.raises(KqlError) as info:
            q("Event | count")
        assert "Event" in info.value.message and "Events" in (info.value.hint or "")

    def test_unknown_function(self) -> None:
        """An unknown function is named."""
        with pytest.raises(KqlError, match="unknown function 'strlenn'"):
            q("print strlenn('a')")
