"""Fuzz of the KQL parser and engine: random query text, and random pipelines built from the grammar's
pieces over a small table, raise only KqlError (its limit and timeout kinds included), never another
exception and never a hang (a Budget bounds every run).
"""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from azlogs._exceptions import KqlError
from azlogs.kql import Budget, MemoryProvider, run_query
from tests.unit.fuzz.profiles import fuzz_settings

TABLE = (
    [("TimeGenerated", "datetime"), ("Computer", "string"), ("Code", "long"), ("Ratio", "real"), ("Props", "dynamic")],
    [
        {"TimeGenerated": "2024-01-02T03:04:05Z", "Computer": "a", "Code": 1, "Ratio": 0.5, "Props": {"k": [1, 2]}},
        {"TimeGenerated": "2024-01-02T04:04:05Z", "Computer": "b", "Code": 9223372036854775807, "Ratio": -1.0, "Props": None},
        {"TimeGenerated": None, "Computer": "", "Code": None, "Ratio": None, "Props": "text"},
    ],
)  # fmt: skip

SCALARS = [
    "Code", "Ratio", "Computer", "TimeGenerated", "Props", "Props.k", "Props['k'][0]", "1", "-1", "2.5", "'x'",
    "datetime(2024-01-01)", "timespan(1d)", "now()", "true", "dynamic([1,2])", "9223372036854775807", "long(null)",
]  # fmt: skip
BINARY = [
    "+",
    "-",
    "*",
    "/",
    "%",
    "==",
    "!=",
    "<",
    ">=",
    "and",
    "or",
    "contains",
    "has",
    "startswith",
    "=~",
    "in~",
]
FUNCS = [
    "strlen({0})", "toupper({0})", "tostring({0})", "tolong({0})", "todouble({0})", "todatetime({0})",
    "bin({0}, 1h)", "strcat({0}, {1})", "iff({0}, {1}, {0})", "coalesce({0}, {1})", "strrep({0}, {1})",
    "array_length({0})", "parse_json({0})", "pack_array({0}, {1})", "bag_keys({0})", "substring({0}, {1})",
    "split({0}, ',')", "extract('(a)', 1, {0})", "format_datetime({0}, 'yyyy')", "abs({0})", "pow({0}, {1})",
]  # fmt: skip


def _expr(depth: int) -> st.SearchStrategy[str]:
    leaf = st.sampled_from(SCALARS)
    if depth == 0:
        return leaf
    sub = _expr(depth - 1)
    return st.one_of(
        leaf,
        st.builds(lambda a, op, b: f"({a} {op} {b})", sub, st.sampled_from(BINARY), sub),
        st.builds(lambda f, a, b: f.format(a, b), st.sampled_from(FUNCS), sub, sub),
    )


EXPR = _expr(3)
OPERATORS = st.one_of(
    st.builds(lambda e: f"where {e}", EXPR),
    st.builds(lambda e: f"extend X = {e}", EXPR),
    st.builds(lambda e: f"project Computer, Y = {e}", EXPR),
    st.builds(lambda e: f"summarize count(), m = max({e}) by Computer", EXPR),
    st.builds(lambda e: f"summarize make_list({e})", EXPR),
    st.builds(lambda n: f"take {n}", st.integers(-1, 5)),
    st.builds(lambda e: f"order by {e} desc", EXPR),
    st.builds(lambda e: "mv-expand Props", st.just("")),
    st.sampled_from(
        ["distinct Computer", "count", "top 2 by Code", "project-away Props", "sort by Ratio asc"]
    ),
)
PIPELINES = st.builds(
    lambda ops, prefix: prefix + " | ".join(["T", *ops]),
    st.lists(OPERATORS, max_size=4),
    st.sampled_from(
        ["", "let x = 1;\n", "let f = (a: long) { a * 2 };\n", "range i from 1 to 3 step 1 | count;\n"]
    ),
)
TEXT = st.text(st.sampled_from(list("T|=()[]{}'\",.;:-+*/<>!~ \n\tabcxyz0129_@$")), max_size=60)


def _run(text: str) -> Any:
    budget = Budget(timeout=20.0, max_held_rows=100_000, max_value_size=1_000_000)
    try:
        return run_query(text, MemoryProvider({"T": TABLE}), budget=budget)
    except KqlError as exc:
        return exc


@fuzz_settings(300)
@given(text=PIPELINES)
def test_generated_pipelines_raise_only_kql_errors(text: str) -> None:
    """A query built from KQL's pieces runs or raises KqlError, whatever the values' types."""
    outcome = _run(text)
    assert not isinstance(outcome, KqlError) or str(outcome)


@fuzz_settings(300)
@given(text=TEXT | st.text(max_size=40))
def test_random_text_raises_only_kql_errors(text: str) -> None:
    """Arbitrary text parses and runs or raises KqlError; the parser never raises anything else."""
    outcome = _run(text)
    assert not isinstance(outcome, KqlError) or str(outcome)


def test_arithmetic_on_an_array_is_null_not_a_repetition() -> None:
    """Found by this fuzz: ``long * array`` used Python's list repetition (a MemoryError that froze the
    emulator); in KQL arithmetic on a dynamic array or bag is null."""
    result = _run(
        "print a = 9223372036854775807 * split('1', ','), b = split('1', ',') + split('2', ','), c = 2 * 3"
    )
    assert not isinstance(result, KqlError), result
    row = result.tables[0].rows[0]
    assert list(row) == [None, None, 6]
