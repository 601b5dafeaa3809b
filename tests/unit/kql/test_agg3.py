"""Covariance, population variance/stdev with a predicate and the binary_all_* aggregates.

Sources: their Kusto pages (MicrosoftDocs/dataexplorer-docs, data-explorer/kusto/query/<name>-aggregation-function.md);
the pages' examples are conformance cases.
"""

from __future__ import annotations

import math
from typing import Any

from azlogs.kql import MemoryProvider, run_query

DATA = "datatable(x:real, y:real) [1.0, 14.0, 2.0, 10.0, 3.0, 17.0, 4.0, 20.0, 5.0, 50.0]"


def _summary(query: str) -> tuple[list[tuple[str, str]], list[Any]]:
    table = run_query(query, MemoryProvider()).tables[0]
    return table.columns, list(table.rows[0])


class TestCovariance:
    def test_sample_and_population(self) -> None:
        """covariance is the sample covariance (the page's 20.5), covariancep the population one (16.4)."""
        cols, row = _summary(f"{DATA} | summarize covariance(x, y), covariancep(x, y)")
        assert cols == [("covariance_x_y", "real"), ("covariancep_x_y", "real")]
        assert [round(v, 9) for v in row] == [20.5, 16.4]

    def test_predicate_and_nulls(self) -> None:
        """The if forms count only rows whose predicate holds; a row with a null value is skipped."""
        base = f"{DATA} | extend y = iff(x == 5.0, real(null), y)"
        _, skipped = _summary(f"{base} | summarize covarianceif(x, y, true)")
        _, chosen = _summary(f"{DATA} | summarize covarianceif(x, y, x < 5.0)")
        assert math.isclose(skipped[0], 12.5 / 3)
        assert math.isclose(chosen[0], 12.5 / 3)

    def test_empty_group_is_null(self) -> None:
        """No rows give null."""
        _, row = _summary(f"{DATA} | summarize covarianceif(x, y, false)")
        assert row == [None]


class TestPopulationIf:
    def test_variancepif_is_the_population_variance(self) -> None:
        """variancepif of the even numbers 2..100 is their population variance, 833."""
        _, row = _summary(
            "range x from 1 to 100 step 1 | summarize variancepif(x, x % 2 == 0), stdevpif(x, x % 2 == 0)"
        )
        assert math.isclose(row[0], 833.0)
        assert math.isclose(row[1], math.sqrt(833.0))


class TestBits:
    def test_and_or_xor(self) -> None:
        """binary_all_* combine the group's values bit by bit (the page's CAFEF00D), skipping nulls."""
        q = (
            "datatable(n:long)[0xFFFFFFFF, 0xFFFFF00F, 0xCFFFFFFD, 0xFAFEFFFF, long(null)]"
            " | summarize a = binary_all_and(n), o = binary_all_or(n), x = binary_all_xor(n)"
        )
        cols, row = _summary(q)
        assert cols == [("a", "long"), ("o", "long"), ("x", "long")]
        assert row == [0xCAFEF00D, 0xFFFFFFFF, 0xFFFFFFFF ^ 0xFFFFF00F ^ 0xCFFFFFFD ^ 0xFAFEFFFF]
