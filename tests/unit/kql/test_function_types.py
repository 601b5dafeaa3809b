"""Every function of the registry: its declared result type is Kusto's, and its evaluated value has it.

Walks the function registry (``azlogs.kql._registry.REGISTRY``, every scalar function, special form and
aggregate) against one example each (tests/unit/kql/_function_examples.py, with the result type
Kusto.Language declares). The static type is the result column's type as the query API reports it
(``ResultTable.columns``); the runtime type is that of the value in the row.
"""

from __future__ import annotations

from typing import Any

import pytest

from azlogs.kql import MemoryProvider, compile_transformation, run_query
from azlogs.kql._registry import REGISTRY
from azlogs.kql._values import type_of_value
from tests.unit.kql._function_examples import AGG_INPUT, AGGREGATE_EXAMPLES, PRINCIPAL, SCALAR_EXAMPLES

# Types whose runtime values share a Python type with another KQL type.
_SAME_VALUES = {"int": "long", "type": "string"}


def _query(name: str, example: str) -> str:
    if example.startswith("set "):
        sets, _, rest = example.partition(";")
        return f"{sets}; {_query(name, rest.strip())}"
    if name in AGGREGATE_EXAMPLES:
        return f"{AGG_INPUT} | summarize r = {example}"
    if example.startswith("|"):
        return f"range x from 1 to 3 step 1 {example} | project r"
    return f"print r = {example}"


def _result(name: str, example: str) -> tuple[str, Any]:
    if REGISTRY[name].profile == "dcr-only":  # transformation-only: run as a DCR transformation
        transform = compile_transformation(f"source | extend r = {example}", {"x": "long"})
        return transform.output_columns["r"], transform.apply([{"x": 1}]).rows[0]["r"]
    table = run_query(_query(name, example), MemoryProvider(), principal=PRINCIPAL).tables[0]
    columns = dict(table.columns)
    return columns["r"], table.rows[0][[n for n, _ in table.columns].index("r")]


EXAMPLES = {**SCALAR_EXAMPLES, **AGGREGATE_EXAMPLES}


class TestEveryFunction:
    def test_every_registered_function_has_an_example(self) -> None:
        """A function added to the registry needs an example here (and a declared Kusto type)."""
        assert sorted(set(REGISTRY) - set(EXAMPLES)) == []
        assert sorted(set(EXAMPLES) - set(REGISTRY)) == []

    @pytest.mark.parametrize("name", sorted(EXAMPLES))
    def test_declared_type_is_kustos_and_the_value_has_it(self, name: str) -> None:
        """The result column has Kusto's type for the function, and the value evaluated is of it."""
        example, kusto_type = EXAMPLES[name]
        declared, value = _result(name, example)
        assert declared == kusto_type
        assert value is not None and value != ""
        runtime = "dynamic" if isinstance(value, (list, dict)) else type_of_value(value)
        if kusto_type == "dynamic":
            assert runtime in ("dynamic", "long", "real", "string", "bool")
        else:
            assert runtime == _SAME_VALUES.get(declared, declared)


class TestFoundByTheWalk:
    def test_named_single_percentile_is_its_value(self) -> None:
        """``p = percentiles(x, 50)`` is one column holding the value, not a one-element tuple."""
        table = run_query(f"{AGG_INPUT} | summarize p = percentiles(y, 50)", MemoryProvider()).tables[0]
        assert table.columns == [("p", "real")]
        assert table.rows == [[1.5]]
