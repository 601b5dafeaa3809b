"""The ARM JSON model: tables, stream declarations, data flows and DCRs read and written back."""

from __future__ import annotations

from typing import Any

import pytest
from schema_bodies import WORKSPACE

from azlogs.schema.errors import ArmValidationError
from azlogs.schema.model import (
    Column,
    DataCollectionRule,
    DataFlow,
    StreamDeclaration,
    TableSchema,
    has_time_generated,
)
from azlogs.schema.types import ColumnType


class TestTableSchema:
    def test_reads_docs_table(self, table_body: dict[str, Any]) -> None:
        """The docs' table body reads into name, typed columns and plan."""
        table = TableSchema.from_arm(table_body)
        assert table.name == "MyTable_CL"
        assert table.column_types == {
            "TimeGenerated": ColumnType.DATETIME,
            "Computer": ColumnType.STRING,
            "AdditionalContext": ColumnType.DYNAMIC,
            "Level": ColumnType.INT,
        }
        assert table.plan == "Analytics"
        assert table.total_retention_in_days == 365

    def test_round_trip(self, table_body: dict[str, Any]) -> None:
        """to_arm writes back what from_arm read, types in the table spelling."""
        table = TableSchema.from_arm(table_body)
        assert table.to_arm() == table_body
        assert TableSchema.from_arm(table.to_arm()) == table

    def test_column_extras_round_trip(self, table_body: dict[str, Any]) -> None:
        """description, displayName and dataTypeHint survive a round trip."""
        table_body["properties"]["schema"]["columns"][1].update(
            {"description": "host", "displayName": "Host", "dataTypeHint": "uri"}
        )
        assert TableSchema.from_arm(table_body).to_arm() == table_body

    def test_name_from_url(self, table_body: dict[str, Any]) -> None:
        """Without schema.name the URL's table name is used."""
        del table_body["properties"]["schema"]["name"]
        assert TableSchema.from_arm(table_body, name="MyTable_CL").name == "MyTable_CL"

    def test_name_mismatch(self, table_body: dict[str, Any]) -> None:
        """A schema name that differs from the URL's is refused."""
        with pytest.raises(ArmValidationError, match="differs"):
            TableSchema.from_arm(table_body, name="Other_CL")

    @pytest.mark.parametrize(
        "body",
        [
            [],
            {},
            {"properties": []},
            {"properties": {"schema": {"name": "T_CL", "columns": {}}}},
            {"properties": {"schema": {"name": "T_CL", "columns": [{"name": "A1", "type": "text"}]}}},
            {"properties": {"schema": {"name": "T_CL", "columns": [{"type": "string"}]}}},
            {"properties": {"schema": {"name": "T_CL", "columns": [3]}}},
            {"properties": {"schema": {"name": "T_CL", "columns": []}, "retentionInDays": "30"}},
        ],
    )
    def test_shape_errors(self, body: object) -> None:
        """A body without the table shape is an ArmValidationError, never a crash."""
        with pytest.raises(ArmValidationError) as info:
            TableSchema.from_arm(body)
        assert info.value.details

    def test_unknown_type_names_column(self) -> None:
        """An unknown column type names the column and the type path."""
        body = {"properties": {"schema": {"name": "T_CL", "columns": [{"name": "Size", "type": "number"}]}}}
        with pytest.raises(ArmValidationError) as info:
            TableSchema.from_arm(body)
        (detail,) = info.value.details
        assert "Size" in detail.message
        assert detail.target == "properties.schema.columns[0].type"

    def test_column_lookup(self, table_body: dict[str, Any]) -> None:
        """column() finds by exact name only."""
        table = TableSchema.from_arm(table_body)
        assert table.column("Level") == Column("Level", ColumnType.INT)
        assert table.column("level") is None


class TestDataFlow:
    def test_passthrough(self) -> None:
        """None, empty and 'source' transformations pass records through."""
        assert DataFlow(("Custom-A",), ("d",)).is_passthrough
        assert DataFlow(("Custom-A",), ("d",), transform_kql="  source ").is_passthrough
        assert DataFlow(("Custom-A",), ("d",), transform_kql="").is_passthrough
        assert not DataFlow(("Custom-A",), ("d",), transform_kql="source | where true").is_passthrough

    def test_effective_output_stream(self) -> None:
        """Without outputStream, a Custom-X_CL input stream names its own table."""
        assert DataFlow(("Custom-T_CL",), ("d",)).output_table == "T_CL"
        assert DataFlow(("Custom-T",), ("d",)).output_table is None
        assert DataFlow(("Custom-T",), ("d",), output_stream="Custom-U_CL").output_table == "U_CL"
        assert DataFlow(("Microsoft-Syslog",), ("d",)).output_table == "Syslog"


class TestDataCollectionRule:
    def test_reads_docs_dcr(self, dcr_body: dict[str, Any]) -> None:
        """The docs' Direct DCR reads into streams, destinations and data flows."""
        dcr = DataCollectionRule.from_arm(dcr_body)
        assert dcr.location == "eastus"
        assert dcr.is_direct
        stream = dcr.stream("Custom-MyTable")
        assert stream is not None
        assert stream.column_types["Time"] is ColumnType.DATETIME
        dest = dcr.destination("LogAnalyticsDest")
        assert dest is not None
        assert dest.workspace_resource_id == WORKSPACE
        assert dcr.data_flows[0].output_stream == "Custom-MyTable_CL"
        assert dcr.flows_for_stream("Custom-MyTable") == [dcr.data_flows[0]]

    def test_round_trip(self, dcr_body: dict[str, Any]) -> None:
        """to_arm writes back the PUT body that from_arm read."""
        dcr = DataCollectionRule.from_arm(dcr_body)
        assert dcr.to_arm() == dcr_body

    def test_read_only_properties_ignored(self, dcr_body: dict[str, Any]) -> None:
        """immutableId, endpoints and provisioningState are left to the caller."""
        dcr_body["properties"]["immutableId"] = "dcr-" + "0" * 32
        dcr_body["properties"]["endpoints"] = {"logsIngestion": "https://x"}
        dcr_body["properties"]["provisioningState"] = "Succeeded"
        out = DataCollectionRule.from_arm(dcr_body).to_arm()
        assert "immutableId" not in out["properties"]
        assert "endpoints" not in out["properties"]

    def test_unmodelled_parts_survive(self, dcr_body: dict[str, Any]) -> None:
        """dataSources, other destination kinds, tags and the DCE id survive a round trip."""
        props = dcr_body["properties"]
        props["dataSources"] = {"syslog": [{"name": "s", "streams": ["Microsoft-Syslog"]}]}
        props["destinations"]["azureMonitorMetrics"] = {"name": "metrics"}
        props["dataCollectionEndpointId"] = "/subscriptions/s/resourceGroups/rg/providers/x/dce"
        props["description"] = "d"
        dcr_body["tags"] = {"team": "ops"}
        dcr = DataCollectionRule.from_arm(dcr_body)
        assert dcr.to_arm() == dcr_body

    @pytest.mark.parametrize(
        "mutate",
        [
            lambda b: b.pop("location"),
            lambda b: b.__setitem__("properties", "x"),
            lambda b: b["properties"].__setitem__("streamDeclarations", []),
            lambda b: b["properties"]["streamDeclarations"].__setitem__("Custom-X", {"columns": "x"}),
            lambda b: b["properties"].__setitem__("dataFlows", {}),
            lambda b: b["properties"]["dataFlows"][0].__setitem__("streams", "Custom-MyTable"),
            lambda b: b["properties"]["dataFlows"][0].__setitem__("transformKql", 3),
            lambda b: b["properties"]["destinations"].__setitem__("logAnalytics", {}),
            lambda b: b["properties"]["destinations"]["logAnalytics"][0].pop("workspaceResourceId"),
            lambda b: b.__setitem__("tags", {"a": 1}),
        ],
    )
    def test_shape_errors(self, dcr_body: dict[str, Any], mutate: Any) -> None:
        """A body without the DCR shape is refused with InvalidPayload details."""
        mutate(dcr_body)
        with pytest.raises(ArmValidationError) as info:
            DataCollectionRule.from_arm(dcr_body)
        assert info.value.code == "InvalidPayload"
        assert info.value.details

    def test_not_an_object(self) -> None:
        """A JSON array body is refused, not a crash."""
        with pytest.raises(ArmValidationError):
            DataCollectionRule.from_arm([])


class TestHelpers:
    def test_has_time_generated(self) -> None:
        """TimeGenerated counts only as a datetime column."""
        assert has_time_generated((Column("TimeGenerated", ColumnType.DATETIME),))
        assert not has_time_generated((Column("TimeGenerated", ColumnType.STRING),))

    def test_stream_to_arm(self) -> None:
        """Stream columns are written in the stream spelling (datetime, boolean)."""
        stream = StreamDeclaration(
            "Custom-A", (Column("T", ColumnType.DATETIME), Column("B", ColumnType.BOOL))
        )
        assert stream.to_arm() == {
            "columns": [{"name": "T", "type": "datetime"}, {"name": "B", "type": "boolean"}]
        }
