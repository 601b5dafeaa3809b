"""Kusto's fixed-width integers, documented caps, linear compile of let functions, and the budget."""

from __future__ import annotations

from typing import Any

import pytest

from azlogs import KqlError
from azlogs._exceptions import KqlLimitError, KqlTimeoutError
from azlogs.kql import Budget, MemoryProvider, compile_transformation, run_query
from tests.unit.kql._helpers import FIXED_NOW


def _print(expr: str) -> Any:
    result = run_query(f"print v = {expr}", MemoryProvider(), clock=lambda: FIXED_NOW)
    return result.tables[0].rows[0][0]


def _signed64(value: int) -> int:
    value &= (1 << 64) - 1
    return value - (1 << 64) if value >= 1 << 63 else value


class TestLongIs64Bit:
    def test_squaring_a_long_wraps_instead_of_growing(self) -> None:
        """A transformation squaring a long over and over wraps to 64 bits at every step."""
        steps = " ".join("| extend x = x * x" for _ in range(12))
        t = compile_transformation(f"source {steps}", {"x": "long"}, clock=lambda: FIXED_NOW)
        out = t.apply([{"x": 3}])
        expected = 3
        for _ in range(12):
            expected = _signed64(expected * expected)
        assert out.errors == []
        assert out.rows[0]["x"] == expected

    def test_thirty_squarings_stay_in_range(self) -> None:
        """Thirty squarings (a number of a billion digits with unbounded ints) give a 64-bit long."""
        steps = " ".join("| extend x = x * x" for _ in range(30))
        t = compile_transformation(f"source {steps}", {"x": "long"}, clock=lambda: FIXED_NOW)
        value = t.apply([{"x": 7}]).rows[0]["x"]
        assert -(1 << 63) <= value < 1 << 63

    @pytest.mark.parametrize(
        ("expr", "expected"),
        [
            ("9223372036854775807 + 1", -(1 << 63)),
            ("-9223372036854775807 - 2", (1 << 63) - 1),
            ("4611686018427387904 * 2", -(1 << 63)),
            ("tolong(dynamic(9223372036854775807)) + 1", -(1 << 63)),
            ("toint(2147483647) + toint(1)", -(1 << 31)),
            ("binary_shift_left(1, 63)", -(1 << 63)),
        ],
    )
    def test_overflow_wraps_around(self, expr: str, expected: int) -> None:
        """long arithmetic wraps at 64 bits and int arithmetic at 32, as Kusto's does."""
        assert _print(expr) == expected

    def test_a_literal_past_long_is_refused(self) -> None:
        """An integer literal that does not fit in a long is a KqlError, not a huge Python int."""
        with pytest.raises(KqlError, match="range of long"):
            _print("9" * 5000)


def _nested_functions(n: int) -> str:
    lets = ["let f0 = (x: long) { x + 1 };"]
    lets += [f"let f{i} = (x: long) {{ f{i - 1}(x) + f{i - 1}(x) }};" for i in range(1, n + 1)]
    return " ".join(lets) + f" source | extend y = f{n}(x)"


class TestLetFunctionsCompileOnce:
    def test_nested_functions_compile_in_linear_steps(self) -> None:
        """18 lets that each call the previous one twice compile in steps linear in the lets."""
        steps = {}
        for n in (9, 18):
            t = compile_transformation(_nested_functions(n), {"x": "long"}, clock=lambda: FIXED_NOW)
            steps[n] = t._ctx.compile_steps
        # Inlined, doubling the lets multiplies the steps by 2**9; compiled once, about doubles them.
        assert steps[18] <= 3 * steps[9]

    def test_a_function_compiled_once_still_computes(self) -> None:
        """The shared body gives each call its own arguments."""
        t = compile_transformation(
            "let f = (a: long, b: long = 10) { a * b }; source | extend p = f(x), q = f(x, 2), r = f(x + 1)",
            {"x": "long"},
            clock=lambda: FIXED_NOW,
        )
        row = t.apply([{"x": 3}]).rows[0]
        assert (row["p"], row["q"], row["r"]) == (30, 6, 40)
        assert t.apply([{"x": 4}]).rows[0]["p"] == 40
        assert (
            compile_transformation(_nested_functions(6), {"x": "long"}).apply([{"x": 1}]).rows[0]["y"] == 128
        )


class TestDocumentedCaps:
    def test_strrep_repeats_at_most_1024_times(self) -> None:
        """strrep("x", 100000000) repeats 1024 times, as Kusto documents, instead of building 100 MB."""
        assert _print('strlen(strrep("x", 100000000))') == 1024
        assert _print('strrep("ab", 3, "-")') == "ab-ab-ab"

    def test_nested_amplifiers_are_refused_before_they_are_built(self) -> None:
        """A string that would pass the value size limit is a KqlLimitError, not gigabytes of memory."""
        with pytest.raises(KqlLimitError) as info:
            _print('strlen(strrep(strrep(strrep("x", 1024), 1024), 1024))')
        assert info.value.limit == "value_bytes"

    def test_doubling_strcat_in_a_transformation_drops_the_record_with_a_reason(self) -> None:
        """x = strcat(x, x) thirty times stops at the limit: the record is reported, never silently lost."""
        steps = " ".join("| extend s = strcat(s, s)" for _ in range(30))
        t = compile_transformation(f"source {steps}", {"s": "string"}, clock=lambda: FIXED_NOW)
        out = t.apply([{"s": "ab"}, {"s": "cd"}])
        assert out.rows == []
        assert [i for i, _ in out.errors] == [0, 1]
        assert "limit" in out.errors[0][1]

    def test_replace_string_amplification_is_measured_first(self) -> None:
        """replace_string with a long rewrite is refused when the result would pass the limit."""
        with pytest.raises(KqlLimitError):
            _print('replace_string(strrep("a", 1024), "a", strrep(strrep("b", 1024), 100))')

    @pytest.mark.slow
    def test_make_list_size_is_capped_at_the_documented_maximum(self) -> None:
        """make_list(x, 100000000) keeps at most 1048576 elements, Kusto's documented maximum."""
        result = run_query(
            "range x from 1 to 1048600 step 1 | summarize l = make_list(x, 100000000) | project n = array_length(l)",
            MemoryProvider(),
        )
        assert result.tables[0].rows == [[1_048_576]]


class TestResultLimits:
    @pytest.mark.slow
    def test_range_past_the_old_cap_counts_every_row(self) -> None:
        """range ... | count counts every row: no silent cut at the old cap of ten million (a hundred
        rows past it: the old loop stopped after 10,000,001), and counting holds no rows."""
        result = run_query(
            "range x from 1 to 10000100 step 1 | count", MemoryProvider(), budget=Budget(max_held_rows=10)
        )
        assert result.tables[0].rows == [[10_000_100]]
        assert result.partial is None

    def test_result_rows_are_truncated_with_a_partial_failure(self) -> None:
        """Past the record limit the answer holds the first rows and says it was cut."""
        result = run_query("range x from 1 to 100 step 1", MemoryProvider(), max_records=10)
        assert [r[0] for r in result.tables[0].rows] == list(range(1, 11))
        assert result.partial is not None
        assert result.partial.code == "E_QUERY_RESULT_SET_TOO_LARGE"
        assert "record count limit 10" in result.partial.message

    def test_result_size_is_truncated_with_a_partial_failure(self) -> None:
        """Past the data size limit the answer is cut too, and says so."""
        result = run_query(
            'range x from 1 to 100 step 1 | extend s = strrep("y", 1000)', MemoryProvider(), max_bytes=10_000
        )
        assert 0 < len(result.tables[0].rows) < 100
        assert result.partial is not None and "data size limit 10000" in result.partial.message

    def test_the_default_limits_are_azures(self) -> None:
        """500,000 records by default: range to 500,001 is cut, range to 500,000 is whole."""
        whole = run_query("range x from 1 to 500000 step 1", MemoryProvider())
        assert len(whole.tables[0].rows) == 500_000 and whole.partial is None
        cut = run_query("range x from 1 to 500001 step 1", MemoryProvider())
        assert len(cut.tables[0].rows) == 500_000 and cut.partial is not None


class _FakeClock:
    """A monotonic clock that advances one second at every reading."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        self.now += 1.0
        return self.now


class TestBudget:
    def test_a_query_past_its_deadline_is_stopped(self) -> None:
        """A long range is stopped by the budget's deadline with KqlTimeoutError (a fake clock, no waiting)."""
        budget = Budget(timeout=5, clock=_FakeClock())
        with pytest.raises(KqlTimeoutError) as info:
            run_query("range x from 1 to 1000000000000 step 1 | count", MemoryProvider(), budget=budget)
        assert info.value.limit == "time"
        assert budget.ticks < 10_000

    def test_exponential_function_calls_are_stopped_inside_a_row(self) -> None:
        """A row whose evaluation calls functions 2**18 times is stopped: calls tick the budget too."""
        text = _nested_functions(18).replace("source", "print x = 1")
        with pytest.raises(KqlTimeoutError):
            run_query(text, MemoryProvider(), budget=Budget(timeout=5, clock=_FakeClock()))

    def test_rows_held_by_sort_are_limited(self) -> None:
        """sort holds rows; past the held-rows limit the run stops with KqlLimitError (E_RUNAWAY_QUERY)."""
        with pytest.raises(KqlLimitError) as info:
            run_query(
                "range x from 1 to 1000 step 1 | sort by x",
                MemoryProvider(),
                budget=Budget(max_held_rows=100),
            )
        assert info.value.limit == "rows" and "E_RUNAWAY_QUERY" in info.value.message

    @pytest.mark.parametrize(
        "text",
        [
            "range x from 1 to 1000 step 1 | summarize count() by x",
            "range x from 1 to 1000 step 1 | summarize max(x) by x",
            "range x from 1 to 1000 step 1 | distinct x",
            "range x from 1 to 10 step 1 | join (range x from 1 to 1000 step 1) on x",
            # One group, but state that grows with the rows (it used to be unbounded: issue 12).
            "range x from 1 to 1000 step 1 | summarize percentile(x, 50)",
            "range x from 1 to 1000 step 1 | summarize make_list(x)",
            "range x from 1 to 1000 step 1 | summarize make_set(x)",
            "range x from 1 to 1000 step 1 | summarize dcount(x)",
            "range x from 1 to 1000 step 1 | summarize dcountif(x, x > 0)",
        ],
    )
    def test_rows_held_by_groups_joins_and_distinct_are_limited(self, text: str) -> None:
        """Summarize groups, distinct keys, a join's right side and growing aggregate states count as held rows."""
        with pytest.raises(KqlLimitError):
            run_query(text, MemoryProvider(), budget=Budget(max_held_rows=100))

    def test_a_transformation_past_its_deadline_reports_every_record_left(self) -> None:
        """Records not transformed before the deadline are all reported as dropped, with the reason."""
        t = compile_transformation(
            _nested_functions(18).replace("source |", "source | where x > 0 |"), {"x": "long"}
        )
        out = t.apply([{"x": 0}, {"x": 1}, {"x": 2}], budget=Budget(timeout=5, clock=_FakeClock()))
        assert out.rows == []
        assert [i for i, _ in out.errors] == [1, 2]
        assert all("time limit" in reason for _, reason in out.errors)

    def test_a_run_past_the_memory_limit_is_stopped(self) -> None:
        """The caller's memory probe is read at the start and as the run goes; grown past max_memory, it stops."""
        reads = []

        def probe() -> int:
            reads.append(1)
            return 10_000 if len(reads) > 4 else 1_000

        with pytest.raises(KqlLimitError) as info:
            run_query(
                "range x from 1 to 1000000 step 1 | count",
                MemoryProvider(),
                budget=Budget(memory=probe, max_memory=5_000),
            )
        assert info.value.limit == "memory" and "E_RUNAWAY_QUERY" in info.value.message
        assert len(reads) == 5  # at the start, then every few thousand rows, not for each

    def test_budget_errors_are_kql_errors(self) -> None:
        """The budget's errors are in the documented tree: KqlTimeoutError < KqlLimitError < KqlError."""
        assert issubclass(KqlTimeoutError, KqlLimitError) and issubclass(KqlLimitError, KqlError)
