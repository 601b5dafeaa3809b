"""Kusto's fixed-width integers, documented caps, linear compile of let functions, and the budget."""

from __future__ import annotations

from typing import Any

import pytest

from azlogs import KqlError
from azlogs.kql import MemoryProvider, compile_transformation, run_query
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
