"""azlogs migrate's pure part: the stream that accepts the legacy payload and the transformation onto classic columns."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest

from azlogs._exceptions import SchemaError
from azlogs.kql import compile_transformation
from azlogs.provision import legacy_mapping
from azlogs.schema.model import Column, TableSchema
from azlogs.schema.types import ColumnType as T
from azlogs.schema.types import Vocabulary

CLASSIC = TableSchema(
    "MyApp_CL",
    (
        Column("TimeGenerated", T.DATETIME),
        Column("Name_s", T.STRING),
        Column("Count_d", T.REAL),
        Column("Ok_b", T.BOOL),
        Column("When_t", T.DATETIME),
        Column("Id_g", T.GUID),
    ),
)
NOW = datetime(2026, 12, 4, 4, 0, tzinfo=timezone.utc)


def run(mapping: Any, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    cols = {c.name: c.to_arm(Vocabulary.STREAM)["type"] for c in mapping.stream.columns}
    tr = compile_transformation(mapping.transform_kql, cols, clock=lambda: NOW)
    result = tr.apply(records)
    assert result.errors == []
    return result.rows


class TestLegacyStream:
    def test_suffixes_are_reversed_to_the_legacy_properties(self) -> None:
        """Name_s/Count_d/Ok_b/When_t/Id_g become stream columns Name string, Count real, Ok boolean,
        When datetime, Id string (streams have no guid)."""
        m = legacy_mapping(CLASSIC)
        assert m.stream.name == "Custom-MyApp_CL"
        assert [(c.name, c.type) for c in m.stream.columns] == [
            ("Name", T.STRING),
            ("Count", T.REAL),
            ("Ok", T.BOOL),
            ("When", T.DATETIME),
            ("Id", T.STRING),
        ]
        assert m.fields == {
            "Name": ["Name_s"],
            "Count": ["Count_d"],
            "Ok": ["Ok_b"],
            "When": ["When_t"],
            "Id": ["Id_g"],
        }

    def test_transformation_lands_a_legacy_record_in_the_suffixed_columns(self) -> None:
        """The transformKql turns a legacy record into the classic columns; TimeGenerated is now() by default."""
        rows = run(
            legacy_mapping(CLASSIC),
            [{"Name": "a", "Count": 2.0, "Ok": True, "Id": "5CDAD72F-C848-4DF0-8AAA-FFE033E75D57"}],
        )
        assert rows[0]["Name_s"] == "a" and rows[0]["Count_d"] == 2.0 and rows[0]["Ok_b"] is True
        assert rows[0]["TimeGenerated"] == NOW
        assert str(rows[0]["Id_g"]).lower() == "5cdad72f-c848-4df0-8aaa-ffe033e75d57"
        assert set(rows[0]) == {"TimeGenerated", "Name_s", "Count_d", "Ok_b", "When_t", "Id_g"}

    def test_time_generated_field_feeds_time_generated_else_now(self) -> None:
        """With --time-generated-field When, TimeGenerated is When where present, now() where not."""
        when = datetime(2026, 12, 3, 10, 0, tzinfo=timezone.utc)
        rows = run(legacy_mapping(CLASSIC, time_generated_field="When"), [{"When": when}, {"Name": "x"}])
        assert [r["TimeGenerated"] for r in rows] == [when, NOW]

    def test_a_property_stored_under_two_types_is_refused_with_the_columns_named(self) -> None:
        """Name_s and Name_d: one stream column cannot have two types; the error names both and the fix."""
        table = TableSchema("T_CL", (*CLASSIC.columns, Column("Name_d", T.REAL)))
        with pytest.raises(SchemaError) as err:
            legacy_mapping(table)
        said = str(err.value)
        assert "Name_s (string)" in said and "Name_d (real)" in said and "--field-type Name=dynamic" in said

    def test_dynamic_routes_each_value_by_its_json_type(self) -> None:
        """--field-type Name=dynamic sends strings to Name_s and numbers to Name_d, as the API did."""
        table = TableSchema("T_CL", (*CLASSIC.columns, Column("Name_d", T.REAL)))
        m = legacy_mapping(table, field_types={"Name": "dynamic"})
        rows = run(m, [{"Name": "a"}, {"Name": 5}])
        assert [(r["Name_s"], r["Name_d"]) for r in rows] == [("a", None), ("", 5.0)]

    def test_one_type_kept_leaves_the_other_column_unmapped(self) -> None:
        """--field-type Name=string keeps Name_s and says Name_d gets no new values."""
        table = TableSchema("T_CL", (*CLASSIC.columns, Column("Name_d", T.REAL)))
        m = legacy_mapping(table, field_types={"Name": "string"})
        assert m.fields["Name"] == ["Name_s"] and "Name_d" in m.unmapped

    def test_a_column_without_a_suffix_is_refused_unless_skipped(self) -> None:
        """A column no suffix rule explains cannot be mapped: refused by name, accepted with --skip-column."""
        table = TableSchema("T_CL", (*CLASSIC.columns, Column("Extra", T.STRING)))
        with pytest.raises(SchemaError, match="--skip-column Extra"):
            legacy_mapping(table)
        assert "Extra" in legacy_mapping(table, skip_columns=["Extra"]).unmapped

    def test_names_that_are_not_bare_kql_identifiers_are_quoted(self) -> None:
        """A property that is a KQL keyword or starts with a digit is quoted on both sides, and the
        transformation compiles and runs in the engine the emulator uses."""
        table = TableSchema(
            "X_CL",
            (Column("TimeGenerated", T.DATETIME), Column("where_s", T.STRING), Column("1abc_d", T.REAL)),
        )
        m = legacy_mapping(table)
        assert "['1abc_d'] = todouble(['1abc'])" in m.transform_kql
        assert run(m, [{"where": "w", "1abc": 2.0}])[0] | {"TimeGenerated": None} == {
            "TimeGenerated": None,
            "where_s": "w",
            "1abc_d": 2.0,
        }

    def test_dynamic_sends_a_value_to_the_first_column_it_fits(self) -> None:
        """With Name_s before Name_t, a datetime-like string goes to Name_s only (the API tried the
        existing columns in order); a bool fits neither and lands nowhere."""
        table = TableSchema(
            "T_CL",
            (Column("TimeGenerated", T.DATETIME), Column("Name_s", T.STRING), Column("Name_t", T.DATETIME)),
        )
        m = legacy_mapping(table, field_types={"Name": "dynamic"})
        rows = run(m, [{"Name": "2026-12-01T10:00:00Z"}, {"Name": True}])
        assert [(r["Name_s"], r["Name_t"]) for r in rows] == [("2026-12-01T10:00:00Z", None), ("", None)]
