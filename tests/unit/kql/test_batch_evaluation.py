"""Column-at-a-time evaluation answers what row-by-row evaluation answers: the same rows, values,
nulls and errors, for generated expressions over rows of mixed and wrong types; a batch that fails
or would hold too much is replayed row by row, so errors land on the same row and a ``take`` never
meets an error past its rows."""

from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from azlogs._exceptions import KqlError, KqlLimitError, KqlTimeoutError
from azlogs.kql import Budget, MemoryProvider, compile_transformation, parse, run_query
from azlogs.kql._compile import Ctx, Env
from azlogs.kql._plan import fuse
from azlogs.kql._tabular import compile_pipeline
from tests.unit.fuzz.profiles import fuzz_settings
from tests.unit.fuzz.test_fuzz_kql import EXPR
from tests.unit.kql._helpers import FIXED_NOW
from tests.unit.kql.test_limits import _FakeClock

COLUMNS = [
    ("TimeGenerated", "datetime"),
    ("Computer", "string"),
    ("Code", "long"),
    ("Ratio", "real"),
    ("Props", "dynamic"),
]
UTC = timezone.utc
# Each column's values of its own type, nulls among them.
VALUES: dict[str, list[Any]] = {
    "TimeGenerated": [
        None,
        datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC),
        datetime(2024, 1, 2, 3, 59, 59, 999999, tzinfo=UTC),
        datetime(2024, 1, 2, 4, 0, tzinfo=UTC),
        datetime(1969, 12, 31, 23, 30, tzinfo=UTC),
        datetime(2024, 1, 2, 3, 30, tzinfo=UTC),
    ],
    "Computer": [
        None,
        "",
        "a",
        "A,b",
        "2024-01-02T03:04:05Z",
        "9",
        "A",
        "02/17/2016 08:40:01",
        "2015-12-14",
        "Sat, 8 Nov 14 15:05:02 GMT",
        "2024-01-02T03:04:05.1234567+02:00",
        '{"k": [1, 2], "n": 18446744073709551616}',
        " -12 ",
        "x" * 5000,
    ],
    "Code": [None, 0, 1, -7, 9223372036854775807, 2],
    "Ratio": [None, 0.5, -1.0, 0.0, math.inf, math.nan, 1.0],
    "Props": [None, {"k": [1, 2]}, {"k": "v"}, [1, "a"], "text", 3, {"a": {"b": None}}],
}
# Values of the wrong type (a store or a test may hand over anything).
WRONG: dict[str, list[Any]] = {
    "TimeGenerated": [
        datetime(2024, 1, 2, 3, 4, 5),  # naive
        datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone(timedelta(hours=2))),
        "2024-01-02",
        7,
    ],
    "Computer": [5, ["x"]],
    "Code": [2.5, "3", True],
    "Ratio": [4, "x"],
    "Props": [],
}
WELL_TYPED = st.fixed_dictionaries({name: st.sampled_from(VALUES[name]) for name, _ in COLUMNS})
MIXED = st.fixed_dictionaries({name: st.sampled_from(VALUES[name] + WRONG[name]) for name, _ in COLUMNS})
ROWS = st.lists(WELL_TYPED, max_size=70) | st.lists(WELL_TYPED | MIXED, max_size=70)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if isinstance(a, dict) and isinstance(b, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b


def _outcome(fn: Any) -> Any:
    try:
        return fn()
    except Exception as exc:
        return (type(exc).__name__, str(exc))


def _both_ways(text: str, rows: list[dict[str, Any]]) -> tuple[Any, Any]:
    """The plan's rows evaluated row by row (its fused row steps) and in batches (its batch forms);
    (None, None) for a text refused at compile time."""
    provider = MemoryProvider({"T": (COLUMNS, rows)})
    ctx = Ctx(lambda: FIXED_NOW, provider)
    try:
        query = parse(text)
        assert query.body is not None
        plan = compile_pipeline(query.body, Env({}, {}, ctx))
    except KqlError:
        return None, None
    ctx.new_run()
    step = fuse(plan.steps)
    budget = Budget(max_value_size=100_000)
    with budget.active():
        by_row = _outcome(lambda: [o for r in plan.produce() if (o := step(dict(r))) is not None])
        by_batch = _outcome(lambda: [r for batch in plan.batches() for r in batch.rows()])
    return by_row, by_batch


class TestBatchesAnswerWhatRowsAnswer:
    @fuzz_settings(250)
    @given(expr=EXPR, rows=ROWS)
    def test_extend_of_a_generated_expression(self, expr: str, rows: list[dict[str, Any]]) -> None:
        """``extend X = e`` gives each row the same value (or the run the same error) both ways."""
        by_row, by_batch = _both_ways(f"T | extend X = {expr}", rows)
        assert _same(by_row, by_batch) or by_row == by_batch, (by_row, by_batch)

    @fuzz_settings(250)
    @given(expr=EXPR, rows=ROWS)
    def test_where_of_a_generated_expression(self, expr: str, rows: list[dict[str, Any]]) -> None:
        """``where e`` keeps the same rows both ways (a predicate that is not a bool is refused alike)."""
        by_row, by_batch = _both_ways(f"T | where {expr} | project Computer, Code", rows)
        assert _same(by_row, by_batch) or by_row == by_batch, (by_row, by_batch)

    @pytest.mark.parametrize(
        "text",
        [
            "T | where TimeGenerated > ago(1000d) and Code != 0 or Ratio < 1.0",
            "T | extend B = bin(TimeGenerated, 1h), C = bin(TimeGenerated, 7m), D = bin(Code, 2)",
            "T | extend X = Code + 1, Y = Code * Code, Z = Ratio / Code | where X >= Code",
            "T | where Computer in ('a', 'A,b') or Computer in~ ('A') | extend L = Props.k",
            "T | where Computer !in ('a') and Computer !in~ ('x') and Computer contains 'a'",
            "T | extend S = tostring(Props), P = parse_json(Computer), N = toint(Code), T2 = todatetime(Computer)",
            "T | where Computer != 'a' | extend A = strcat(Computer, '-', Code) | project A, Code",
            "T | project Computer, TimeGenerated | extend Later = TimeGenerated > datetime(2024-01-02T03:30)",
            "T | extend X = TimeGenerated < TimeGenerated, Y = Code <= Ratio, Z = Computer == Computer",
            "T | extend A = Code > 1, B = Code >= 1, C = Code < 1, D = Code <= 1, E = Ratio > 1, F = Ratio <= 1",
            "T | extend A = TimeGenerated > datetime(2024-01-02T04:00), B = TimeGenerated >= datetime(2024-01-02T04:00)",
            "T | extend A = TimeGenerated < datetime(2024-01-02T04:00), B = TimeGenerated <= datetime(2024-01-02T04:00)",
            "T | extend A = Code > Code - 1, B = Code >= Code, C = Code < Code + 1, D = Code <= Code - 1",
            "T | extend A = Code + 1 > 1 and Computer == 'a', B = Code > 0 or Computer != 'A'",
            "T | extend A = Computer startswith 'a', B = Computer has 'b', C = Computer contains 'A'",
            "T | extend A = Props.k, B = Props.a.b, C = tostring(Props.k), D = toint(Code), E = tolong(Ratio)",
            "T | extend A = iff(Code > 1, Computer, 'none'), B = iif(isnull(Code), Ratio, todouble(Code))",
            "T | extend A = iff(Computer == 'a', strlen(Computer), -1), B = iff(true, Code, 0)",
        ],
    )
    def test_the_fast_paths(self, text: str) -> None:
        """Each node with a batch form of its own, over every row of the mixed table, both ways."""
        rows = [{name: VALUES[name][i % len(VALUES[name])] for name, _ in COLUMNS} for i in range(200)]
        by_row, by_batch = _both_ways(text, rows)
        assert by_row is not None and not isinstance(by_row, tuple), by_row
        assert _same(by_row, by_batch), (by_row, by_batch)


class TestErrorsLandOnTheirRow:
    def _table(self, texts: list[str]) -> MemoryProvider:
        return MemoryProvider({"T": ([("t", "string")], [{"t": t} for t in texts])})

    def test_take_stops_before_a_failing_row(self) -> None:
        """A value too large at row 40 fails the run, but ``take 3`` never reads row 40."""
        provider = self._table(["a"] * 40 + ["abcdefghij"] + ["a"] * 20)
        budget = Budget(max_value_size=5_000)
        result = run_query("T | extend s = strrep(t, 1000) | take 3", provider, budget=budget)
        assert [len(r[1]) for r in result.tables[0].rows] == [1000, 1000, 1000]
        with pytest.raises(KqlLimitError):
            run_query("T | extend s = strrep(t, 1000)", provider, budget=Budget(max_value_size=5_000))

    def test_a_transformation_keeps_the_records_before_the_limit(self) -> None:
        """The records before the one past the value limit are kept; it and those after it are reported."""
        t = compile_transformation("source | extend s = strrep(t, 1000)", {"t": "string"}, strict=False)
        records = [{"t": "a"}] * 100 + [{"t": "abcdefghij"}] + [{"t": "a"}] * 50
        out = t.apply(records, budget=Budget(max_value_size=5_000))
        assert len(out.rows) == 100
        assert [i for i, _ in out.errors] == list(range(100, 151))

    def test_a_transformation_drops_only_the_failing_record(self) -> None:
        """A record whose evaluation raises is dropped and reported by its index; the batch's others are kept."""
        deep = "[" * 200_000 + "]" * 200_000  # deeper than the JSON readers go
        t = compile_transformation("source | extend d = parse_json(j) | where isnotnull(d)", {"j": "string"})
        records = [{"j": "[1]"}] * 50 + [{"j": deep}] + [{"j": '{"a":1}'}] * 50
        out = t.apply(records)
        assert [i for i, _ in out.errors] == [50]
        assert len(out.rows) == 100
        assert out.rows[-1]["d"] == {"a": 1}

    def test_large_values_are_built_a_few_at_a_time(self) -> None:
        """Strings that would hold many MB in one batch are built row by row, with the same answer."""
        provider = self._table(["x" * 200] * 300)
        result = run_query("T | extend s = strrep(t, 1000) | summarize sum(strlen(s))", provider)
        assert result.tables[0].rows == [[60_000_000]]


class TestParseJson:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ('{"a": 18446744073709551616}', {"a": 18446744073709551616}),
            ("-9223372036854775809", -9223372036854775809),
            ("[1e400]", [math.inf]),
            ('{"n": NaN}', None),
            ('"\\ud800"', "\ud800"),
            ('{"b":1,"a":2,"b":3}', {"b": 3, "a": 2}),
            ("[1.5, -0.0, 1e-7]", [1.5, -0.0, 1e-7]),
            ("not json", "not json"),
        ],
    )
    def test_parse_json_reads_as_the_json_module(self, text: str, expected: Any) -> None:
        """parse_json keeps integers past 64 bits, NaN, Infinity and lone surrogates as before."""
        t = compile_transformation("source | extend d = parse_json(j)", {"j": "string"})
        value = t.apply([{"j": text}]).rows[0]["d"]
        if expected is None:
            assert isinstance(value, dict)
            assert math.isnan(value["n"])
        else:
            assert _same(value, expected), value


class TestDeadlinesInBatches:
    def test_a_batched_query_past_its_deadline_is_stopped(self) -> None:
        """where/extend/summarize over batches still check the deadline as the rows go (a fake clock)."""
        budget = Budget(timeout=5, clock=_FakeClock())
        text = "range x from 1 to 1000000000000 step 1 | extend y = x * 2 | where y > 0 | summarize count() by bin(y, 10)"
        with pytest.raises(KqlTimeoutError):
            run_query(text, MemoryProvider(), budget=budget)
        assert budget.ticks < 20_000

    def test_a_batched_transformation_past_its_deadline_accounts_for_every_record(self) -> None:
        """The records before the deadline are transformed, every one after it is reported: none lost."""
        t = compile_transformation("source | extend y = x * 2 | where y >= 0", {"x": "long"})
        records = [{"x": i} for i in range(20_000)]
        out = t.apply(records, budget=Budget(timeout=5, clock=_FakeClock()))
        assert out.rows and out.errors
        assert [r["x"] for r in out.rows] == list(range(len(out.rows)))
        assert [i for i, _ in out.errors] == list(range(len(out.rows), 20_000))
        assert all("time limit" in reason for _, reason in out.errors)


def _reference_sort(rows: list[dict[str, Any]], key: str, desc: bool) -> list[dict[str, Any]]:
    """The sort of the row-by-row engine (51b96d8), one key: nulls first ascending, last descending."""
    from azlogs.kql._tabular_ops import _sort_value

    vals = [(r.get(key), r) for r in rows]
    present = [p for p in vals if p[0] is not None]
    nulls = [p for p in vals if p[0] is None]
    try:
        present.sort(key=lambda p: _sort_value(p[0]), reverse=desc)
    except TypeError:
        present.sort(key=lambda p: str(_sort_value(p[0])), reverse=desc)
    ordered = nulls + present if not desc else present + nulls
    return [p[1] for p in ordered]


class TestSort:
    @pytest.mark.parametrize("desc", [False, True])
    @pytest.mark.parametrize(
        "values",
        [
            [3, None, 1, 2, 1, None, 7],
            ["b", "a", None, "c", "a"],
            [2, "x", 1, None, "a", 3],  # mixed: compared as text, as before
            [True, 2, False, None, 1],
            [{"a": 2}, {"a": 1}, [1], None, 3],
            [1.5, math.nan, -1.0, None, 0.0],
        ],
    )
    def test_sort_orders_as_the_row_by_row_engine(self, values: list[Any], desc: bool) -> None:
        """sort by a key of mixed, null, NaN and dynamic values gives the order it always gave."""
        rows = [{"k": v, "i": i} for i, v in enumerate(values)]
        provider = MemoryProvider({"T": ([("k", "dynamic"), ("i", "long")], rows)})
        order = "desc" if desc else "asc"
        result = run_query(f"T | sort by k {order} | project i", provider)
        assert [r[0] for r in result.tables[0].rows] == [r["i"] for r in _reference_sort(rows, "k", desc)]
