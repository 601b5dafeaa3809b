"""Array and property-bag functions beyond the documented examples: edge cases, types, the dialect."""

from __future__ import annotations

import math
from typing import Any

import pytest

from azlogs import KqlError
from azlogs.facts import KQL_RANGE_MAX_RESULTS
from azlogs.kql import MemoryProvider, check, parse, run_query
from tests.unit.kql._helpers import FIXED_NOW


def scalar(expr: str) -> Any:
    """Evaluate ``print r = expr`` and return r."""
    return run_query(f"print r = {expr}", MemoryProvider(), clock=lambda: FIXED_NOW).tables[0].rows[0][0]


def rtype(expr: str) -> str:
    """The static KQL type of ``expr``."""
    return run_query(f"print r = {expr}", MemoryProvider(), clock=lambda: FIXED_NOW).tables[0].columns[0][1]


class TestRange:
    """range(): numbers, timespans and datetimes, both directions, the 2^20 cap."""

    def test_descending_and_real_steps(self) -> None:
        """A negative step counts down to stop; a real step gives reals."""
        assert scalar("range(5, 1, -2)") == [5, 3, 1]
        assert [type(v) for v in scalar("range(0, 1, 0.5)")] == [float] * 3

    def test_datetime_default_step_is_an_hour(self) -> None:
        """Without a step, datetimes advance by 1h."""
        assert len(scalar("range(datetime(2020-01-01), datetime(2020-01-01 03:00))")) == 4

    def test_zero_step_and_null_bounds_are_null(self) -> None:
        """A zero step or a null bound gives null rather than an endless array."""
        assert scalar("range(1, 5, 0)") is None
        assert scalar("range(1, long(null))") is None

    def test_truncated_at_the_documented_maximum(self) -> None:
        """A range past 2^20 values stops at 2^20."""
        assert scalar("array_length(range(1, 2000000))") == KQL_RANGE_MAX_RESULTS


class TestArrays:
    """Sorting, splitting, rotating, shifting, searching and summing."""

    def test_sort_orders_numbers_before_strings(self) -> None:
        """Mixed arrays sort numbers first, then strings, then other values."""
        assert scalar('array_sort_asc(dynamic(["b", 2, {"x":1}, 1, "a"]))') == [1, 2, "a", "b", {"x": 1}]

    def test_sort_companion_of_other_length_is_null(self) -> None:
        """A companion array of another length than the first comes back null."""
        assert scalar("array_sort_asc(dynamic([2,1]), dynamic([1]))") == [[1, 2], None]

    def test_sort_of_columns_names_a_column_per_array(self) -> None:
        """Unnamed, a sort of several columns gives <column>_sorted each; of other expressions one array."""
        q = "print a = dynamic([2,1]), b = dynamic(['x','y'])"
        t = run_query(f"{q} | project array_sort_desc(b, a, false)", MemoryProvider()).tables[0]
        assert t.columns == [("b_sorted", "dynamic"), ("a_sorted", "dynamic")]
        assert t.rows == [[["y", "x"], [1, 2]]]
        assert scalar("array_sort_asc(dynamic([2,1]), dynamic([3,4]))") == [[1, 2], [4, 3]]

    def test_sort_of_non_array_is_null(self) -> None:
        """A scalar is not sorted: null."""
        assert scalar("array_sort_desc(1)") is None

    def test_rotate_and_shift_beyond_length(self) -> None:
        """Rotation wraps modulo the length; a shift past the length empties the array."""
        assert scalar("array_rotate_left(dynamic([1,2,3]), 4)") == [2, 3, 1]
        assert scalar("array_shift_left(dynamic([1,2,3]), 5, 0)") == [0, 0, 0]
        assert scalar("array_rotate_right(dynamic([]), 2)") == []

    def test_split_with_negative_and_out_of_range_index(self) -> None:
        """A negative index counts from the end; an index past the end gives an empty last part."""
        assert scalar("array_split(dynamic([1,2,3,4]), -1)") == [[1, 2, 3], [4]]
        assert scalar("array_split(dynamic([1,2]), 5)") == [[1, 2], []]

    def test_index_of_invalid_arguments_are_null(self) -> None:
        """A negative occurrence or a length below -1 is null, as the Returns section says."""
        assert scalar("array_index_of(dynamic([1]), 1, 0, -2)") is None
        assert scalar("array_index_of(dynamic([1]), 1, 0, -1, -1)") is None
        assert scalar("array_index_of(dynamic([1, 2]), 2)") == 1

    def test_booleans_are_not_numbers_when_searching(self) -> None:
        """set_has_element and array_index_of do not take true for 1."""
        assert scalar("set_has_element(dynamic([1]), true)") is False
        assert scalar("set_has_element(dynamic([1.0]), 1)") is True
        assert scalar("array_index_of(dynamic([1, true]), true)") == 1

    def test_sum_of_non_numeric_is_null(self) -> None:
        """array_sum is null when an element is not a number."""
        assert scalar('array_sum(dynamic([1, "2"]))') is None
        assert scalar("array_sum(dynamic([1.5, 2]))") == 3.5

    def test_repeat(self) -> None:
        """repeat: count copies, an empty array for 0, null for a negative count."""
        assert scalar("repeat('a', 2)") == ["a", "a"]
        assert scalar("repeat(1, 0)") == []
        assert scalar("repeat(1, -1)") is None


class TestSetsAndBags:
    """Set functions, jaccard_index and the bag functions."""

    def test_sets_keep_first_appearance_order(self) -> None:
        """Results are distinct values in the order they first appear."""
        assert scalar("set_union(dynamic([3,1,3]), dynamic([2,1]))") == [3, 1, 2]
        assert scalar("set_intersect(dynamic([3,1,2]), dynamic([2,3]))") == [3, 2]
        assert scalar("set_difference(dynamic([3,1,2]), dynamic([2]))") == [3, 1]

    def test_set_of_non_array_is_null(self) -> None:
        """Any argument that is not an array makes the result null."""
        assert scalar("set_union(dynamic([1]), 2)") is None

    def test_jaccard_of_empty_sets_is_nan(self) -> None:
        """Two empty sets have no union: NaN (our reading; the page does not say)."""
        assert math.isnan(scalar("jaccard_index(dynamic([]), dynamic([]))"))

    def test_bag_functions_on_non_bags_are_null(self) -> None:
        """bag_set_key and bag_remove_keys of something other than a bag are null."""
        assert scalar("bag_set_key(dynamic([1]), 'a', 1)") is None
        assert scalar("bag_remove_keys(dynamic(1), dynamic(['a']))") is None

    def test_bag_set_key_with_bracket_path(self) -> None:
        """A bracketed JSONPath sets a nested key; the input bag is not changed."""
        assert scalar("bag_set_key(dynamic({'a':{}}), \"$['a']['b c']\", 1)") == {"a": {"b c": 1}}

    def test_bag_merge_keeps_the_first_bags_key_order(self) -> None:
        """Keys come in argument order, the first bag's value winning (the page's output order)."""
        merged = scalar("bag_merge(dynamic({'b':1, 'a':2}), dynamic({'c':3, 'b':4}))")
        assert list(merged.items()) == [("b", 1), ("a", 2), ("c", 3)]

    def test_bag_has_key_with_a_json_path(self) -> None:
        """A JSONPath looks into nested bags; a missing step is false."""
        assert scalar("bag_has_key(dynamic({'a':{'b':1}}), '$.a.b')") is True
        assert scalar("bag_has_key(dynamic({'a':1}), '$.a.b')") is False

    def test_treepath_of_scalar_is_empty(self) -> None:
        """A scalar has no paths."""
        assert scalar("treepath(dynamic(1))") == []


class TestResultTypes:
    """Each function's static result type."""

    @pytest.mark.parametrize(
        ("expr", "typ"),
        [
            ("range(1, 3)", "dynamic"),
            ("repeat(1, 3)", "dynamic"),
            ("array_sort_asc(dynamic([1]))", "dynamic"),
            ("array_sort_desc(dynamic([1]))", "dynamic"),
            ("array_reverse(dynamic([1]))", "dynamic"),
            ("array_rotate_left(dynamic([1]), 1)", "dynamic"),
            ("array_rotate_right(dynamic([1]), 1)", "dynamic"),
            ("array_shift_left(dynamic([1]), 1)", "dynamic"),
            ("array_shift_right(dynamic([1]), 1)", "dynamic"),
            ("array_split(dynamic([1]), 1)", "dynamic"),
            ("array_index_of(dynamic([1]), 1)", "long"),
            ("array_iff(dynamic([true]), 1, 2)", "dynamic"),
            ("array_sum(dynamic([1]))", "real"),
            ("set_union(dynamic([1]), dynamic([2]))", "dynamic"),
            ("set_intersect(dynamic([1]), dynamic([2]))", "dynamic"),
            ("set_difference(dynamic([1]), dynamic([2]))", "dynamic"),
            ("jaccard_index(dynamic([1]), dynamic([2]))", "real"),
            ("bag_zip(dynamic(['a']), dynamic([1]))", "dynamic"),
            ("bag_remove_keys(dynamic({}), dynamic(['a']))", "dynamic"),
            ("bag_set_key(dynamic({}), 'a', 1)", "dynamic"),
            ("treepath(dynamic({}))", "dynamic"),
            ("bag_merge(dynamic({}), dynamic({}))", "dynamic"),
            ("bag_has_key(dynamic({}), 'a')", "bool"),
        ],
    )
    def test_result_type(self, expr: str, typ: str) -> None:
        """The column's type is the function's documented return type."""
        assert rtype(expr) == typ


class TestDialect:
    """None of these is in the transformation functions list: a strict transformation refuses them."""

    @pytest.mark.parametrize(
        "expr", ["range(1, 3)", "array_sort_desc(a)", "bag_zip(a, b)", "set_union(a, b)"]
    )
    def test_query_only(self, expr: str) -> None:
        """The checker refuses the function in a transformation."""
        with pytest.raises(KqlError):
            check(parse(f"source | extend x = {expr}"), "transformation")
