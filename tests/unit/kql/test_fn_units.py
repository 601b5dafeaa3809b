"""Unit conversions (convert_length, convert_mass, ..., convert_temperature).

Sources: the convert-*-function pages (MicrosoftDocs/dataexplorer-docs, data-explorer/kusto/query); their
examples are conformance cases.
"""

from __future__ import annotations

import math
from typing import Any

import pytest

from azlogs.kql import MemoryProvider, run_query


def _one(expr: str) -> Any:
    return run_query(f"print r = {expr}", MemoryProvider()).tables[0].rows[0][0]


class TestUnits:
    @pytest.mark.parametrize(
        ("expr", "want"),
        [
            ("convert_length(1, 'Mile', 'Foot')", 5280.0),
            ("convert_mass(1, 'Pound', 'Ounce')", 16.0),
            ("convert_speed(36, 'KilometerPerHour', 'MeterPerSecond')", 10.0),
            ("convert_volume(1, 'CubicMeter', 'Liter')", 1000.0),
            ("convert_energy(1, 'KilowattHour', 'Joule')", 3.6e6),
            ("convert_force(1, 'KilogramForce', 'Newton')", 9.80665),
            ("convert_angle(1, 'Revolution', 'Degree')", 360.0),
            ("convert_temperature(100, 'DegreeCelsius', 'DegreeFahrenheit')", 212.0),
            ("convert_temperature(0, 'DegreeFahrenheit', 'Kelvin')", 255.37222222222223),
        ],
    )
    def test_conversions(self, expr: str, want: float) -> None:
        """Each quantity converts by its units' definitions (temperatures with their offsets)."""
        assert math.isclose(_one(expr), want, rel_tol=1e-12)

    @pytest.mark.parametrize(
        "expr", ["convert_length(1, 'Meter', 'Furlongs')", "convert_temperature(1, 'Kelvin', 'Meter')"]
    )
    def test_unknown_unit_is_null(self, expr: str) -> None:
        """A unit the table does not hold gives null (the pages: invalid units return null)."""
        assert _one(expr) is None
