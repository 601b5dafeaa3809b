"""Specs from sample files and from schema documents (our JSON, an ARM table body, our ARM template)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from azlogs import SchemaError, UsageError
from azlogs.provision import (
    read_samples,
    schema_document,
    spec_from_columns,
    spec_from_document,
    spec_from_samples,
)
from azlogs.schema.infer import infer_schema
from azlogs.schema.template import arm_template
from azlogs.schema.types import ColumnType

RECORDS = [
    {
        "time": "2024-06-01T10:00:00Z",
        "user-name": "bob",
        "n": 1,
        "id": "1b4e28ba-2fa1-11d2-883f-0016d3cca427",
    },
    {
        "time": "2024-06-01T10:00:01Z",
        "user-name": "amy",
        "n": 2,
        "id": "2b4e28ba-2fa1-11d2-883f-0016d3cca427",
    },
]


class TestSamples:
    def test_ndjson_and_json_array_read_alike(self, tmp_path: Path) -> None:
        """NDJSON and a JSON array of the same records give the same records."""
        nd = tmp_path / "a.ndjson"
        nd.write_text("\n".join(json.dumps(r) for r in RECORDS) + "\n")
        arr = tmp_path / "b.json"
        arr.write_text(json.dumps(RECORDS))
        assert read_samples([str(nd)]).records == read_samples([str(arr)]).records == RECORDS

    def test_csv_cells_are_text_and_empty_cells_absent(self, tmp_path: Path) -> None:
        """CSV rows stay text for inference to read; an empty cell is an absent value."""
        f = tmp_path / "a.csv"
        f.write_text("a,b\n1,\n2,x\n")
        samples = read_samples([str(f)])
        assert samples.source_format == "csv"
        assert samples.records == [{"a": "1"}, {"a": "2", "b": "x"}]

    def test_bad_lines_are_reported_not_dropped(self, tmp_path: Path) -> None:
        """A line that is not JSON is returned with its file and line."""
        f = tmp_path / "a.ndjson"
        f.write_text('{"a": 1}\nnot json\n{"a": 2}\n')
        samples = read_samples([str(f)])
        assert len(samples.records) == 2
        assert [(b.source, b.line) for b in samples.bad] == [(str(f), 2)]

    def test_csv_with_json_is_refused(self, tmp_path: Path) -> None:
        """CSV and JSON samples are inferred differently: mixing them is a usage error."""
        (tmp_path / "a.csv").write_text("a\n1\n")
        (tmp_path / "b.ndjson").write_text('{"a": 1}\n')
        with pytest.raises(UsageError, match="mix CSV"):
            read_samples([str(tmp_path / "a.csv"), str(tmp_path / "b.ndjson")])

    def test_spec_from_samples_with_transform_override(self, tmp_path: Path) -> None:
        """--transform replaces the inferred transformation and is marked as given."""
        f = tmp_path / "a.json"
        f.write_text(json.dumps(RECORDS))
        spec, inferred, bad = spec_from_samples([str(f)], table="App_CL", transform="source")
        assert spec.transform_kql == "source" and spec.transform_given and bad == []
        assert inferred.table.column("user_name") is not None


class TestDocuments:
    def test_schema_json_round_trip(self) -> None:
        """What schema infer --format json writes reads back as the same table, stream and transformation."""
        inferred = infer_schema(RECORDS, table="App_CL")
        spec = spec_from_document(json.loads(json.dumps(schema_document(inferred))), table="App_CL")
        assert spec.table == inferred.table and spec.stream == inferred.stream
        assert spec.transform_kql == inferred.transform_kql

    def test_arm_template_round_trip(self) -> None:
        """Our ARM template reads back as the same table, stream and transformation."""
        inferred = infer_schema(RECORDS, table="App_CL")
        spec = spec_from_document(arm_template(inferred), table="App_CL")
        assert spec.table.columns == inferred.table.columns
        assert spec.stream == inferred.stream and spec.transform_kql == inferred.transform_kql

    def test_arm_table_body_gives_a_passthrough_stream(self) -> None:
        """A bare ARM table body: the stream declares its columns (guid as string), no transformation."""
        body = {
            "properties": {
                "schema": {
                    "name": "T_CL",
                    "columns": [
                        {"name": "TimeGenerated", "type": "dateTime"},
                        {"name": "Id", "type": "guid"},
                    ],
                }
            }
        }
        spec = spec_from_document(body, table="T_CL")
        assert spec.transform_kql == "source" and spec.stream.name == "Custom-T_CL"
        assert spec.stream.column_types == {"TimeGenerated": ColumnType.DATETIME, "Id": ColumnType.STRING}

    def test_other_table_name_is_refused(self) -> None:
        """A document for another table than --table is refused."""
        doc = schema_document(infer_schema(RECORDS, table="App_CL"))
        with pytest.raises(UsageError, match="not --table Other_CL"):
            spec_from_document(doc, table="Other_CL")

    def test_unknown_shape(self) -> None:
        """A document of no known shape says which shapes are read."""
        with pytest.raises(SchemaError, match="neither"):
            spec_from_document({"hello": 1}, table="App_CL")

    def test_columns_give_the_table_and_a_stream_of_the_same_columns(self) -> None:
        """ARM columns (as the demo and the tests give them): table, stream Custom-<table>, source."""
        spec = spec_from_columns(
            "Demo_CL", [{"name": "TimeGenerated", "type": "datetime"}, {"name": "N", "type": "int"}]
        )
        assert spec.table.name == "Demo_CL" and spec.stream.name == "Custom-Demo_CL"
        assert spec.stream.column_types == {"TimeGenerated": ColumnType.DATETIME, "N": ColumnType.INT}
        assert spec.transform_kql == "source"
        assert spec_from_columns(
            "Demo_CL", [{"name": "TimeGenerated", "type": "datetime"}], transform="source | take 1"
        ).transform_given
