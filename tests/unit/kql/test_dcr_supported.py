"""The DCR transformation feature list of the Azure Monitor docs, item by item (issue 14).

Every documented statement, operator and function is compiled as a strict transformation and run
through ``compile_transformation(...).apply(...)`` (what ``azlogs transform test`` and the emulator's
ingestion do); its value and its output column type are checked. What the page leaves out or replaces
is refused at compile time, and the emulator refuses such a DCR with ARM's ``InvalidTransformQuery``.
Data and sources: tests/unit/kql/_dcr_supported.py.
"""

from __future__ import annotations

from typing import Any

import pytest

from azlogs import KqlError
from azlogs.emulator.control.transforms import check_transform
from azlogs.kql import MemoryProvider, compile_transformation, run_query
from azlogs.kql._values import type_of_value
from azlogs.schema.errors import INVALID_TRANSFORM_QUERY, ArmValidationError
from azlogs.schema.validate import validate_dcr
from tests.unit.kql._dcr_supported import COLUMNS, DOCUMENTED_FUNCTIONS, REFUSED, ROW, SCALARS, TABULAR
from tests.unit.kql._helpers import FIXED_NOW, coerce, plain
from tests.unit.kql._sentinel_dcrs import SENTINEL_DCRS

# Types whose runtime values share a Python type with another KQL type.
_SAME_VALUES = {"int": "long", "guid": "string"}


def _clock() -> Any:
    return FIXED_NOW


class TestDocumentedScalars:
    """Each documented scalar operator and function gives Kusto's value and type in a transformation."""

    def test_every_documented_function_has_a_case(self) -> None:
        """Each function the page lists, in its group, is a case here (geo_location has its own test)."""
        covered = {(g, i) for g, i, *_ in SCALARS} | {("special functions", "geo_location")}
        missing = [
            (g, f) for g, names in DOCUMENTED_FUNCTIONS.items() for f in names if (g, f) not in covered
        ]
        assert missing == []

    @pytest.mark.parametrize("name", DOCUMENTED_FUNCTIONS["special functions"])
    def test_special_functions_refused_in_log_queries(self, name: str) -> None:
        """The page: the special functions "cannot be used in other log queries"."""
        with pytest.raises(KqlError, match="only be used in DCR transformations"):
            run_query(f"print r = {name}('1.0.0.5')", MemoryProvider())

    @pytest.mark.parametrize(
        ("expr", "value", "typ"),
        [pytest.param(e, v, t, id=f"{g}: {i}") for g, i, e, v, t in SCALARS],
    )
    def test_value_and_type(self, expr: str, value: Any, typ: str) -> None:
        """The strict transformation compiles without warnings, and r has the value and the type."""
        t = compile_transformation(f"source | extend r = {expr} | project r", COLUMNS, clock=_clock)
        assert t.warnings == []
        assert t.output_columns == {"r": typ}
        result = t.apply(coerce([ROW], COLUMNS))
        assert result.errors == []
        (row,) = result.rows
        assert (str(row["r"]) if typ == "guid" else plain(row["r"])) == value
        runtime = type_of_value(row["r"])
        assert runtime == typ or runtime == _SAME_VALUES.get(typ)

    def test_geo_location(self) -> None:
        """geo_location (the page's example address) gives a dynamic bag with the documented keys."""
        t = compile_transformation('source | extend GeoLocation = geo_location("1.0.0.5")', {"n": "long"})
        assert t.output_columns["GeoLocation"] == "dynamic"
        (row,) = t.apply([{"n": 1}]).rows
        assert isinstance(row["GeoLocation"], dict)
        assert {"country", "state", "city", "latitude", "longitude"} <= {
            k.lower() for k in row["GeoLocation"]
        }


class TestDocumentedTabular:
    """Each documented statement, data source and tabular operator runs as the page describes."""

    @pytest.mark.parametrize(
        ("kql", "columns", "records", "expect"),
        [pytest.param(k, c, r, e, id=f"{g}: {i}") for g, i, k, c, r, e in TABULAR],
    )
    def test_rows(
        self, kql: str, columns: dict[str, str], records: list[dict[str, Any]], expect: list[dict[str, Any]]
    ) -> None:
        """The transformation compiles and gives the expected rows."""
        t = compile_transformation(kql, columns, clock=_clock)
        result = t.apply(coerce(records, columns))
        assert result.errors == []
        assert [plain(r) for r in result.rows] == expect


class TestDocumentedExclusions:
    """What the page leaves out, replaces or limits is refused when the transformation is compiled."""

    @pytest.mark.parametrize(
        ("kql", "message"),
        [pytest.param(k, m, id=f"{g}: {i}") for g, i, k, m in REFUSED],
    )
    def test_refused(self, kql: str, message: str) -> None:
        """compile_transformation raises KqlError naming the construct, with a position."""
        with pytest.raises(KqlError) as info:
            compile_transformation(kql, COLUMNS)
        assert message in info.value.message
        assert info.value.line is not None

    @pytest.mark.parametrize(
        ("kql", "message"),
        [pytest.param(k, m, id=f"{g}: {i}") for g, i, k, m in REFUSED],
    )
    def test_dcr_put_refused(self, kql: str, message: str) -> None:
        """The emulator's DCR PUT check refuses the same transformation with ARM's InvalidTransformQuery."""
        with pytest.raises(ArmValidationError) as info:
            validate_dcr(_dcr(kql), tables=None, flow_checks=(check_transform,))
        (detail,) = info.value.details
        assert detail.code == INVALID_TRANSFORM_QUERY
        assert detail.target == "Properties.DataFlows[0].TransformKql"
        assert message in detail.message


def _dcr(kql: str) -> dict[str, Any]:
    # Stream declarations spell bool "boolean".
    columns = [{"name": n, "type": "boolean" if t == "bool" else t} for n, t in COLUMNS.items()]
    return {
        "location": "eastus",
        "kind": "Direct",
        "properties": {
            "streamDeclarations": {
                "Custom-In": {"columns": [{"name": "TimeGenerated", "type": "datetime"}, *columns]}
            },
            "destinations": {"logAnalytics": [{"workspaceResourceId": _WORKSPACE, "name": "la"}]},
            "dataFlows": [
                {
                    "streams": ["Custom-In"],
                    "destinations": ["la"],
                    "transformKql": kql,
                    "outputStream": "Custom-Out_CL",
                }
            ],
        },
    }


_WORKSPACE = (
    "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg"
    "/providers/Microsoft.OperationalInsights/workspaces/ws"
)


class TestSentinelConnectorTransformations:
    """Microsoft's own connector DCRs (tests/unit/kql/_sentinel_dcrs.py) stay accepted and run."""

    @pytest.mark.parametrize(
        ("columns", "kql"),
        [pytest.param(c, k, id=f"{i}:{p.split('/')[1]}") for i, (p, c, k) in enumerate(SENTINEL_DCRS)],
    )
    def test_accepted_and_runs(self, columns: dict[str, str], kql: str) -> None:
        """The strict dialect compiles it, it gives a datetime TimeGenerated, and a record of nulls runs."""
        t = compile_transformation(kql, columns, clock=_clock)
        assert t.output_columns["TimeGenerated"] == "datetime"
        result = t.apply([dict.fromkeys(columns)])
        assert result.errors == []
        assert len(result.rows) == 1
