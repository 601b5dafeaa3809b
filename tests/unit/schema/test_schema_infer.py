"""Schema inference from sample records: types, widening, renames, TimeGenerated, transformation."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timezone
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schema_bodies import WORKSPACE

from azlogs import SchemaError
from azlogs.schema.coerce import StreamCoercer
from azlogs.schema.infer import csv_row_to_record, infer_schema, kql_identifier, sanitize_column_name
from azlogs.schema.names import column_name_problem
from azlogs.schema.types import ColumnType
from azlogs.schema.validate import validate_dcr, validate_table

T = ColumnType
GUID = "3f2504e0-4f89-11d3-9a0c-0305e82c3301"
_RECEIVED = datetime(2024, 1, 1, 12, tzinfo=timezone.utc)


def _types(records: list[dict[str, Any]], **kwargs: Any) -> dict[str, ColumnType]:
    inferred = infer_schema(records, table="T_CL", **kwargs)
    return {c.name: c.type for c in inferred.stream.columns}


def _csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


class TestJsonTypes:
    def test_scalar_types(self) -> None:
        """Each JSON value kind gets its table type; the stream writes guid as string."""
        inferred = infer_schema(
            [{"b": True, "i": 1, "l": 2**40, "r": 1.5, "o": {"a": 1}, "a": [1], "d": "2024-01-01T00:00:00Z",
              "g": GUID, "s": "text"}],
            table="T_CL",
        )  # fmt: skip
        table = {c.name: c.type for c in inferred.table.columns}
        assert table["b_col"] is T.BOOL
        assert table["i_col"] is T.INT
        assert table["l_col"] is T.LONG
        assert table["r_col"] is T.REAL
        assert table["o_col"] is T.DYNAMIC
        assert table["a_col"] is T.DYNAMIC
        assert table["d_col"] is T.DATETIME
        assert table["g_col"] is T.GUID
        assert table["s_col"] is T.STRING
        assert inferred.stream.column("g") is not None
        assert inferred.stream.column_types["g"] is T.STRING

    @pytest.mark.parametrize(
        ("values", "expected", "noted"),
        [
            ([1, 2**40], T.LONG, True),
            ([1, 2.5], T.REAL, True),
            ([2**40, 0.5], T.REAL, True),
            ([2**63], T.REAL, False),
            ([1, "x"], T.STRING, True),
            ([True, 1], T.STRING, True),
            (["2024-01-01", "soon"], T.STRING, True),
            ([GUID, "x"], T.STRING, True),
            ([{"a": 1}, "x", 3], T.DYNAMIC, True),
            ([None, None], T.STRING, True),
            ([None, 5], T.INT, False),
            (["12"], T.STRING, False),
        ],
    )
    def test_widening(self, values: list[Any], expected: ColumnType, noted: bool) -> None:
        """int -> long -> real; dynamic absorbs all; other mixes and all-null columns are string."""
        inferred = infer_schema([{"value": v} for v in values], table="T_CL")
        assert inferred.stream.column_types["value"] is expected
        assert bool(inferred.notes) is noted

    def test_missing_keys_are_fine(self) -> None:
        """A key absent from some records is still a column, typed from where it appears."""
        assert _types([{"a1": 1}, {"b1": "x"}]) == {"a1": T.INT, "b1": T.STRING}


class TestCsvTypes:
    def test_cells_read_as_the_ingestion_reads_text(self) -> None:
        """CSV text gives booleans, numbers, datetimes and GUIDs; empty cells say nothing."""
        rows = _csv(
            "flag,count,big,amount,when,id2,zip,word,huge\n"
            f"true,1,5000000000,1.5,2024-01-01 10:00,{GUID},02134,x,123456789012345678901234567890\n"
            f'FALSE,,7,2,"Sat, 8 Nov 14 15:05:02 GMT",{GUID},90210,y,1\n'
        )
        assert _types(rows, source_format="csv") == {
            "flag": T.BOOL,
            "count": T.INT,
            "big": T.LONG,
            "amount": T.REAL,
            "when": T.DATETIME,
            "id2": T.STRING,  # guid in the table, string in the stream
            "zip": T.STRING,
            "word": T.STRING,
            "huge": T.STRING,
        }

    def test_empty_cells_ignored(self) -> None:
        """An empty cell neither types nor widens a column."""
        rows = _csv("count,flag\n1,\n,true\n3,false\n")
        assert _types(rows, source_format="csv") == {"count": T.INT, "flag": T.BOOL}

    def test_csv_row_to_record(self) -> None:
        """Empty cells become absent values; text stays text."""
        assert csv_row_to_record({"a": "1", "b": "", "c": None}) == {"a": "1"}


class TestRenames:
    @pytest.mark.parametrize(
        ("name", "column_type", "expected"),
        [
            ("user-name", T.STRING, "user_name"),
            ("user  name", T.STRING, "user_name"),
            ("a.b.c", T.STRING, "a_b_c"),
            ("@timestamp", T.DATETIME, "timestamp"),
            ("_private", T.STRING, "private"),
            ("1st", T.STRING, "c1st"),
            ("x", T.STRING, "x_col"),
            ("-", T.STRING, "c_col"),
            ("größe", T.STRING, "gr_e"),
            ("Type", T.STRING, "Type_s"),
            ("id", T.LONG, "id_d"),
            ("TenantId", T.GUID, "TenantId_g"),
            ("Title", T.BOOL, "Title_b"),
            ("type-", T.DATETIME, "type_t"),
            ("valid_name", T.STRING, "valid_name"),
        ],
    )
    def test_rule(self, name: str, column_type: ColumnType, expected: str) -> None:
        """The documented rename rule gives valid names."""
        out = sanitize_column_name(name, column_type)
        assert out == expected
        assert column_name_problem(out) is None

    def test_long_names_cut(self) -> None:
        """Names over 45 characters are cut to 45."""
        assert sanitize_column_name("a-" + "b" * 60) == ("a_" + "b" * 60)[:45]

    def test_renames_reported_and_applied(self) -> None:
        """Each rename is reported with a reason and done by project-rename in the transformation."""
        inferred = infer_schema([{"user-name": "bob", "Type": "x", "ok_col": 1}], table="T_CL")
        assert [(r.original, r.column) for r in inferred.renames] == [
            ("user-name", "user_name"),
            ("Type", "Type_s"),
        ]
        assert "letters, digits and underscores" in inferred.renames[0].reason
        assert "reserved" in inferred.renames[1].reason
        assert inferred.transform_kql.startswith(
            "source | project-rename user_name = ['user-name'], Type_s = Type"
        )
        assert [c.name for c in inferred.stream.columns] == ["user-name", "Type", "ok_col"]

    def test_collisions(self) -> None:
        """Renames never take an existing name, compared case-insensitively."""
        inferred = infer_schema([{"user-name": 1, "user_name": 2, "Host": "a", "host": "b"}], table="T_CL")
        names = [c.name for c in inferred.table.columns]
        assert names == ["TimeGenerated", "user_name_2", "user_name", "Host", "host_2"]
        assert len({n.lower() for n in names}) == len(names)

    def test_time_generated_of_wrong_type_renamed(self) -> None:
        """A TimeGenerated key that is not a datetime is kept under a suffixed name."""
        inferred = infer_schema([{"TimeGenerated": 1700000000}], table="T_CL")
        assert [(r.original, r.column) for r in inferred.renames] == [("TimeGenerated", "TimeGenerated_d")]
        assert inferred.table.column_types == {"TimeGenerated": T.DATETIME, "TimeGenerated_d": T.INT}
        assert inferred.transform_kql.endswith("| extend TimeGenerated = now()")


class TestTimeGenerated:
    def test_kept_when_present(self) -> None:
        """Records that carry TimeGenerated as datetimes keep it; nothing to transform."""
        inferred = infer_schema([{"TimeGenerated": "2024-01-01T00:00:00Z", "msg": "m"}], table="T_CL")
        assert inferred.transform_kql == "source"
        assert inferred.time_column == "TimeGenerated"
        assert "own TimeGenerated" in inferred.time_generated

    def test_named_time_column_preferred(self) -> None:
        """A column named like a timestamp wins over other datetime columns."""
        inferred = infer_schema(
            [{"expires": "2030-01-01T00:00:00Z", "@timestamp": "2024-01-01T00:00:00Z"}], table="T_CL"
        )
        assert inferred.time_column == "@timestamp"
        assert "extend TimeGenerated = iff(isnull(timestamp), now(), timestamp)" in inferred.transform_kql

    def test_only_datetime_column(self) -> None:
        """With one datetime column of any name, it fills TimeGenerated."""
        inferred = infer_schema([{"expires": "2030-01-01T00:00:00Z", "n1": 1}], table="T_CL")
        assert inferred.time_column == "expires"

    def test_now_when_no_time(self) -> None:
        """Without a time column TimeGenerated is the ingestion time, and the user is told."""
        inferred = infer_schema([{"a1": "2030-01-01T00:00:00Z", "b1": "2031-01-01T00:00:00Z"}], table="T_CL")
        assert inferred.time_column is None
        assert inferred.transform_kql == "source | extend TimeGenerated = now()"
        assert "now()" in inferred.time_generated

    def test_explicit_time_column(self) -> None:
        """time_column picks the column; one that is not a datetime is refused."""
        records = [{"a1": "2030-01-01T00:00:00Z", "b1": "2031-01-01T00:00:00Z", "n1": 1}]
        assert infer_schema(records, table="T_CL", time_column="b1").time_column == "b1"
        with pytest.raises(SchemaError, match="not datetimes"):
            infer_schema(records, table="T_CL", time_column="n1")
        with pytest.raises(SchemaError, match="not a key"):
            infer_schema(records, table="T_CL", time_column="zz")

    def test_explicit_time_column_conflicts_with_own(self) -> None:
        """Asking for a time column when records carry TimeGenerated is refused."""
        records = [{"TimeGenerated": "2024-01-01T00:00:00Z", "b1": "2031-01-01T00:00:00Z"}]
        with pytest.raises(SchemaError, match="overwrite"):
            infer_schema(records, table="T_CL", time_column="b1")
        assert infer_schema(records, table="T_CL", time_column="TimeGenerated").transform_kql == "source"


class TestOutputs:
    def test_dcr_validates_against_table(self) -> None:
        """The inferred table and DCR pass the service's rules, pass-through included."""
        for records in (
            [{"TimeGenerated": "2024-01-01T00:00:00Z", "Computer": "a", "Id": GUID}],
            [{"user-name": "bob", "when": "2024-01-01T00:00:00Z"}],
        ):
            inferred = infer_schema(records, table="App_CL")
            table = validate_table(inferred.table.to_arm())
            dcr = inferred.dcr(location="eastus", workspace_resource_id=WORKSPACE)
            validate_dcr(dcr.to_arm(), tables={"App_CL": table}, workspaces=[WORKSPACE])
            assert dcr.data_flows[0].output_stream == "Custom-App_CL"
            assert dcr.stream_declarations[0].name == "Custom-App_CL"

    def test_stream_name_option(self) -> None:
        """stream_name names the stream declaration."""
        assert infer_schema([{"ab": 1}], table="T_CL", stream_name="Custom-Raw").stream.name == "Custom-Raw"

    @pytest.mark.parametrize(
        ("name", "expected"),
        [
            ("abc", "abc"),
            ("a-b", "['a-b']"),
            ("it's", "['it\\'s']"),
            ("where", "['where']"),
            ("a\\b", "['a\\\\b']"),
        ],
    )
    def test_kql_identifier(self, name: str, expected: str) -> None:
        """Column references are bare when possible, else bracket-quoted with escapes."""
        assert kql_identifier(name) == expected

    @pytest.mark.parametrize(
        ("records", "table", "words"),
        [
            ([], "T_CL", "no sample records"),
            ([{"a1": 1}], "Table", "_CL"),
            ([[1, 2]], "T_CL", "not a JSON object"),
            ([{}, {"": 1}], "T_CL", "no columns"),
            ([{f"c{i}": 1 for i in range(500)}], "T_CL", "at most 500"),
        ],
    )
    def test_errors(self, records: list[Any], table: str, words: str) -> None:
        """Unusable input is a SchemaError that says why."""
        with pytest.raises(SchemaError, match=words):
            infer_schema(records, table=table)


# --- properties --------------------------------------------------------------------------------------

_awkward_keys = st.sampled_from(
    ["msg", "user-name", "user_name", "Type", "id", "@timestamp", "x", "1st", "TimeGenerated", "Host", "host",
     "a.b", "größe", "where", "time"]
)  # fmt: skip
_scalar = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**64 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from(["2024-01-01T00:00:00Z", "Sat, 8 Nov 14 15:05:02 GMT", GUID, "", "true", "12", "x"])
    | st.text(max_size=10)
)
_value = _scalar | st.lists(_scalar, max_size=3) | st.dictionaries(st.text(max_size=4), _scalar, max_size=3)
_cell = st.sampled_from(["", "1", "-7", "5000000000", "1.5", "1e3", "007", "true", "False", "x", GUID,
                         "2024-01-01 10:00", "99999999999999999999"]) | st.text(max_size=6)  # fmt: skip


class TestProperties:
    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(st.dictionaries(_awkward_keys, _value, min_size=1, max_size=6), min_size=1, max_size=6))
    def test_inferred_schema_accepts_json_samples(self, records: list[dict[str, Any]]) -> None:
        """Every sample record coerces to the inferred stream with no failure; table and DCR are valid."""
        records = [orjson.loads(orjson.dumps(r)) for r in records]
        inferred = infer_schema(records, table="App_CL")
        coercer = StreamCoercer(inferred.stream)
        for record in records:
            out = coercer.coerce(record, _RECEIVED)
            assert [e for e in out.events if e.kind in ("coercion_failed", "dropped_undeclared")] == []
        table = validate_table(inferred.table.to_arm())
        dcr = inferred.dcr(location="eastus", workspace_resource_id=WORKSPACE)
        validate_dcr(dcr.to_arm(), tables={"App_CL": table})
        # renames are a one-to-one map from record keys to table columns
        renamed = {r.original: r.column for r in inferred.renames}
        targets = [renamed.get(c.name, c.name) for c in inferred.stream.columns]
        assert len({t.lower() for t in targets}) == len(targets)
        assert {t for t in targets} <= {c.name for c in inferred.table.columns}

    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(st.fixed_dictionaries({"c1": _cell, "c2": _cell, "c-3": _cell}), min_size=1, max_size=6))
    def test_inferred_schema_accepts_csv_samples(self, rows: list[dict[str, str]]) -> None:
        """Every CSV row, sent as text without its empty cells, coerces with no failure."""
        inferred = infer_schema(rows, table="App_CL", source_format="csv")
        coercer = StreamCoercer(inferred.stream)
        for row in rows:
            out = coercer.coerce(csv_row_to_record(row), _RECEIVED)
            assert [e for e in out.events if e.kind == "coercion_failed"] == []
