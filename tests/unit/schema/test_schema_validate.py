"""The service's table and DCR rules, answered in ARM's error shape."""

from __future__ import annotations

from typing import Any

import pytest
from schema_bodies import WORKSPACE

from azlogs import SchemaError
from azlogs.schema.errors import ArmErrorDetail, ArmValidationError, to_arm_error
from azlogs.schema.model import TableSchema
from azlogs.schema.validate import FlowContext, validate_dcr, validate_table


def _codes(err: ArmValidationError) -> list[str]:
    return [d.code for d in err.details]


def _refused(body: Any, **kwargs: Any) -> ArmValidationError:
    with pytest.raises(ArmValidationError) as info:
        validate_dcr(body, **kwargs)
    return info.value


class TestValidateTable:
    def test_valid_table(self, table_body: dict[str, Any]) -> None:
        """The docs' table passes and comes back as a TableSchema."""
        assert validate_table(table_body).name == "MyTable_CL"

    def test_time_generated_required(self, table_body: dict[str, Any]) -> None:
        """A table without TimeGenerated is refused."""
        table_body["properties"]["schema"]["columns"].pop(0)
        with pytest.raises(ArmValidationError, match="TimeGenerated"):
            validate_table(table_body)

    def test_time_generated_must_be_datetime(self, table_body: dict[str, Any]) -> None:
        """TimeGenerated of another type is refused."""
        table_body["properties"]["schema"]["columns"][0]["type"] = "string"
        with pytest.raises(ArmValidationError, match="dateTime"):
            validate_table(table_body)

    def test_every_bad_column_listed(self, table_body: dict[str, Any]) -> None:
        """Each invalid, reserved or duplicate column is a detail of its own, with its target."""
        cols = table_body["properties"]["schema"]["columns"]
        cols += [
            {"name": "user-name", "type": "string"},
            {"name": "Type", "type": "string"},
            {"name": "computer", "type": "string"},
        ]
        with pytest.raises(ArmValidationError) as info:
            validate_table(table_body)
        targets = [d.target for d in info.value.details]
        assert targets == [
            "properties.schema.columns[4]",
            "properties.schema.columns[5]",
            "properties.schema.columns[6]",
        ]
        assert "duplicates" in info.value.details[2].message

    def test_column_limit(self) -> None:
        """More than 500 columns is refused; exactly 500 is fine."""
        cols = [{"name": "TimeGenerated", "type": "dateTime"}] + [
            {"name": f"c{i}", "type": "string"} for i in range(499)
        ]
        body = {"properties": {"schema": {"name": "T_CL", "columns": cols}}}
        assert len(validate_table(body).columns) == 500
        cols.append({"name": "extra", "type": "string"})
        with pytest.raises(ArmValidationError, match="at most 500"):
            validate_table(body)

    def test_table_name_rules(self, table_body: dict[str, Any]) -> None:
        """A custom table must end in _CL."""
        table_body["properties"]["schema"]["name"] = "MyTable"
        with pytest.raises(ArmValidationError, match="_CL"):
            validate_table(table_body)

    def test_plan_and_retention(self, table_body: dict[str, Any]) -> None:
        """Unknown plans and out-of-range retention are refused; -1 means default."""
        table_body["properties"]["plan"] = "Premium"
        table_body["properties"]["retentionInDays"] = 1
        table_body["properties"]["totalRetentionInDays"] = -1
        with pytest.raises(ArmValidationError) as info:
            validate_table(table_body)
        assert [d.target for d in info.value.details] == ["properties.plan", "properties.retentionInDays"]

    def test_is_a_schema_error(self, table_body: dict[str, Any]) -> None:
        """ArmValidationError is a SchemaError, so the CLI maps it like one."""
        table_body["properties"]["schema"]["columns"] = []
        with pytest.raises(SchemaError):
            validate_table(table_body)


class TestValidateDcr:
    def test_docs_dcr_valid(self, dcr_body: dict[str, Any], table_body: dict[str, Any]) -> None:
        """The docs' Direct DCR is valid against a workspace that has the table."""
        table = TableSchema.from_arm(table_body)
        dcr = validate_dcr(dcr_body, tables={"MyTable_CL": table}, workspaces=[WORKSPACE.upper()])
        assert dcr.data_flows[0].output_table == "MyTable_CL"

    def test_tables_as_callable(self, dcr_body: dict[str, Any], table_body: dict[str, Any]) -> None:
        """The table lookup may be a function of the table name."""
        table = TableSchema.from_arm(table_body)
        asked: list[str] = []

        def lookup(name: str) -> TableSchema | None:
            asked.append(name)
            return table if name == "MyTable_CL" else None

        validate_dcr(dcr_body, tables=lookup)
        assert asked == ["MyTable_CL"]

    def test_undeclared_stream(self, dcr_body: dict[str, Any]) -> None:
        """A data flow reading an undeclared Custom- stream is InvalidStream at its path."""
        dcr_body["properties"]["dataFlows"][0]["streams"] = ["Custom-Other"]
        err = _refused(dcr_body, tables=None)
        assert err.code == "InvalidPayload"
        assert err.message == "Data collection rule is invalid"
        assert err.details == [
            ArmErrorDetail(
                "InvalidStream",
                "'Streams' stream 'Custom-Other' is not declared in 'streamDeclarations'",
                "Properties.DataFlows[0].Streams[0]",
            )
        ]

    def test_stream_not_custom(self, dcr_body: dict[str, Any]) -> None:
        """A flow stream that is neither Custom- nor a known Microsoft- stream is InvalidStream."""
        dcr_body["properties"]["dataFlows"][0]["streams"] = ["Microsoft-WindowsEvents"]
        err = _refused(dcr_body, tables=None)
        assert _codes(err) == ["InvalidStream"]
        assert "must be a custom stream" in err.details[0].message

    def test_declaration_not_custom(self, dcr_body: dict[str, Any]) -> None:
        """A stream declaration without the Custom- prefix is InvalidStream."""
        decls = dcr_body["properties"]["streamDeclarations"]
        decls["MyTable"] = decls.pop("Custom-MyTable")
        dcr_body["properties"]["dataFlows"][0]["streams"] = ["MyTable"]
        err = _refused(dcr_body, tables=None)
        assert set(_codes(err)) == {"InvalidStream"}
        assert err.details[0].target == "Properties.StreamDeclarations.MyTable"

    def test_unknown_destination(self, dcr_body: dict[str, Any]) -> None:
        """A flow naming an undefined destination is InvalidDataFlow at the flow, as Azure answers (issue 10)."""
        dcr_body["properties"]["dataFlows"][0]["destinations"] = ["nope"]
        err = _refused(dcr_body, tables=None)
        assert err.details == [
            ArmErrorDetail(
                "InvalidDataFlow",
                "Destinations[0]: destination 'nope' is not defined in 'destinations'",
                "Properties.DataFlows[0]",
            )
        ]

    def test_destination_checks(self, dcr_body: dict[str, Any]) -> None:
        """Bad workspace ids, unknown workspaces and duplicate names are InvalidDestination."""
        las = dcr_body["properties"]["destinations"]["logAnalytics"]
        las.append({"workspaceResourceId": "/subscriptions/x/resourceGroups/y", "name": "LogAnalyticsDest"})
        err = _refused(dcr_body, tables=None, workspaces=lambda ws: False)
        assert _codes(err) == ["InvalidDestination", "InvalidDestination", "InvalidDestination"]
        messages = " ".join(d.message for d in err.details)
        assert "not found" in messages
        assert "used twice" in messages
        assert "not a Log Analytics workspace resource id" in messages

    def test_missing_output_table(self, dcr_body: dict[str, Any]) -> None:
        """An output table that the workspace lacks is InvalidOutputTable, in Azure's words."""
        err = _refused(dcr_body, tables={})
        assert err.details == [
            ArmErrorDetail(
                "InvalidOutputTable",
                "Table for output stream 'Custom-MyTable_CL' is not available for destination "
                "'LogAnalyticsDest'.",
                "Properties.DataFlows[0].OutputStream",
            )
        ]

    def test_bare_table_as_output_stream(self, dcr_body: dict[str, Any]) -> None:
        """outputStream 'MyTable_CL' without Custom- is InvalidOutputTable."""
        dcr_body["properties"]["dataFlows"][0]["outputStream"] = "MyTable_CL"
        assert _codes(_refused(dcr_body, tables=None)) == ["InvalidOutputTable"]

    def test_output_stream_required(self, dcr_body: dict[str, Any]) -> None:
        """A Custom-X stream (no _CL) without outputStream has nowhere to go."""
        del dcr_body["properties"]["dataFlows"][0]["outputStream"]
        assert _codes(_refused(dcr_body, tables=None)) == ["InvalidOutputTable"]

    def test_unknown_column_type(self, dcr_body: dict[str, Any]) -> None:
        """An unknown stream column type is refused, naming the column."""
        dcr_body["properties"]["streamDeclarations"]["Custom-MyTable"]["columns"][1]["type"] = "guid"
        err = _refused(dcr_body, tables=None)
        assert _codes(err) == ["InvalidStreamDeclaration"]
        assert "Computer" in err.details[0].message

    def test_duplicate_stream_column(self, dcr_body: dict[str, Any]) -> None:
        """A stream declaring a column twice is refused."""
        cols = dcr_body["properties"]["streamDeclarations"]["Custom-MyTable"]["columns"]
        cols.append({"name": "Computer", "type": "string"})
        err = _refused(dcr_body, tables=None)
        assert _codes(err) == ["InvalidStreamDeclaration"]
        assert err.details[0].target == "Properties.StreamDeclarations.Custom-MyTable.Columns[3]"

    def test_limits(self, dcr_body: dict[str, Any]) -> None:
        """More than 10 data flows, more than 10 streams and a transform over 15,360 chars are refused."""
        props = dcr_body["properties"]
        base = props["streamDeclarations"]["Custom-MyTable"]
        for i in range(10):
            props["streamDeclarations"][f"Custom-S{i}"] = base
        flow = props["dataFlows"][0]
        props["dataFlows"] = [dict(flow) for _ in range(11)]
        props["dataFlows"][0]["transformKql"] = "source" + " " * 15_355
        err = _refused(dcr_body, tables=None)
        messages = {d.code: d.message for d in err.details}
        assert "at most 10 streams" in messages["InvalidStream"]
        assert "at most 10 data flows" in messages["InvalidDataFlow"]
        assert "15361" in messages["InvalidTransformQuery"]

    def test_transform_limit_edge(self, dcr_body: dict[str, Any]) -> None:
        """A transformation of exactly 15,360 characters is allowed."""
        dcr_body["properties"]["dataFlows"][0]["transformKql"] = "source" + " " * 15_354
        validate_dcr(dcr_body, tables=None)

    def test_transformation_reads_one_stream(self, dcr_body: dict[str, Any]) -> None:
        """A data flow with a transformation must read a single stream."""
        props = dcr_body["properties"]
        props["streamDeclarations"]["Custom-B"] = props["streamDeclarations"]["Custom-MyTable"]
        props["dataFlows"][0]["streams"] = ["Custom-MyTable", "Custom-B"]
        assert _codes(_refused(dcr_body, tables=None)) == ["InvalidDataFlow"]

    def test_one_workspace_per_stream(self, dcr_body: dict[str, Any]) -> None:
        """One stream cannot go to two workspaces in one DCR."""
        props = dcr_body["properties"]
        props["destinations"]["logAnalytics"].append(
            {"workspaceResourceId": WORKSPACE + "2", "name": "second"}
        )
        props["dataFlows"][0]["destinations"] = ["LogAnalyticsDest", "second"]
        err = _refused(dcr_body, tables=None)
        assert _codes(err) == ["InvalidDataFlow"]
        assert "only one workspace" in err.details[0].message

    def test_no_data_flows(self, dcr_body: dict[str, Any]) -> None:
        """A DCR without data flows is refused."""
        dcr_body["properties"]["dataFlows"] = []
        assert _codes(_refused(dcr_body, tables=None)) == ["InvalidDataFlow"]

    def test_all_problems_reported(self, dcr_body: dict[str, Any]) -> None:
        """Several problems give several details, not only the first."""
        flow = dcr_body["properties"]["dataFlows"][0]
        flow["streams"] = ["Custom-Nope"]
        flow["destinations"] = ["nope"]
        err = _refused(dcr_body, tables={})
        assert _codes(err) == ["InvalidStream", "InvalidDataFlow"]


class TestPassthrough:
    def test_matching_stream_valid(
        self, passthrough_body: dict[str, Any], table_body: dict[str, Any]
    ) -> None:
        """A pass-through stream that matches the table column for column is valid."""
        tables = {"MyTable_CL": TableSchema.from_arm(table_body)}
        validate_dcr(passthrough_body, tables=tables)

    def test_missing_and_mismatched_columns(
        self, passthrough_body: dict[str, Any], table_body: dict[str, Any]
    ) -> None:
        """A stream column the table lacks, or of another type, is InvalidTransformOutput."""
        cols = passthrough_body["properties"]["streamDeclarations"]["Custom-MyTable_CL"]["columns"]
        cols[3]["type"] = "long"
        cols.append({"name": "Extra", "type": "string"})
        err = _refused(passthrough_body, tables={"MyTable_CL": TableSchema.from_arm(table_body)})
        assert _codes(err) == ["InvalidTransformOutput", "InvalidTransformOutput"]
        assert "'Level' produced 'long' output" in err.details[0].message
        assert "'Extra' does not exist" in err.details[1].message

    def test_string_feeds_guid(self, passthrough_body: dict[str, Any], table_body: dict[str, Any]) -> None:
        """A string stream column may feed a guid table column."""
        table_body["properties"]["schema"]["columns"].append({"name": "Id", "type": "guid"})
        cols = passthrough_body["properties"]["streamDeclarations"]["Custom-MyTable_CL"]["columns"]
        cols.append({"name": "Id", "type": "string"})
        validate_dcr(passthrough_body, tables={"MyTable_CL": TableSchema.from_arm(table_body)})

    def test_time_generated_needed(
        self, passthrough_body: dict[str, Any], table_body: dict[str, Any]
    ) -> None:
        """A pass-through stream without TimeGenerated is refused unless the check is relaxed."""
        cols = passthrough_body["properties"]["streamDeclarations"]["Custom-MyTable_CL"]["columns"]
        cols.pop(0)
        tables = {"MyTable_CL": TableSchema.from_arm(table_body)}
        err = _refused(passthrough_body, tables=tables)
        assert "TimeGenerated" in err.details[0].message
        validate_dcr(passthrough_body, tables=tables, require_time_generated=False)

    def test_no_output_stream_uses_input(
        self, passthrough_body: dict[str, Any], table_body: dict[str, Any]
    ) -> None:
        """An older DCR without outputStream writes Custom-X_CL to X_CL."""
        del passthrough_body["properties"]["dataFlows"][0]["outputStream"]
        del passthrough_body["properties"]["dataFlows"][0]["transformKql"]
        dcr = validate_dcr(passthrough_body, tables={"MyTable_CL": TableSchema.from_arm(table_body)})
        assert dcr.data_flows[0].output_table == "MyTable_CL"


class TestHooksAndBody:
    def test_flow_check_adds_details(self, dcr_body: dict[str, Any], table_body: dict[str, Any]) -> None:
        """A flow check sees the flow, its input stream and output table, and adds its details."""
        seen: list[FlowContext] = []

        def kql_check(ctx: FlowContext) -> list[ArmErrorDetail]:
            seen.append(ctx)
            return [
                ArmErrorDetail("InvalidTransformQuery", "Undefined symbol: Tme", f"{ctx.target}.TransformKql")
            ]

        err = _refused(
            dcr_body, tables={"MyTable_CL": TableSchema.from_arm(table_body)}, flow_checks=[kql_check]
        )
        assert _codes(err) == ["InvalidTransformQuery"]
        (ctx,) = seen
        assert ctx.index == 0
        assert ctx.input_streams[0].name == "Custom-MyTable"
        assert ctx.output_table is not None
        assert ctx.output_table.name == "MyTable_CL"

    def test_flow_check_skipped_on_broken_flow(self, dcr_body: dict[str, Any]) -> None:
        """A flow that already failed its structural checks is not handed to the hooks."""
        dcr_body["properties"]["dataFlows"][0]["streams"] = ["Custom-Nope"]
        calls: list[FlowContext] = []
        _refused(dcr_body, tables=None, flow_checks=[lambda ctx: calls.append(ctx) or []])
        assert calls == []

    def test_to_arm_error(self, dcr_body: dict[str, Any]) -> None:
        """to_arm_error gives ARM's body; a caller may add details before answering."""
        dcr_body["properties"]["dataFlows"][0]["destinations"] = ["nope"]
        err = _refused(dcr_body, tables=None)
        err.details.append(ArmErrorDetail("InvalidTransformQuery", "bad", None))
        body = to_arm_error(err)
        assert body["error"]["code"] == "InvalidPayload"
        assert body["error"]["message"] == "Data collection rule is invalid"
        assert body["error"]["details"][0]["target"] == "Properties.DataFlows[0]"
        assert body["error"]["details"][1] == {"code": "InvalidTransformQuery", "message": "bad"}

    def test_str_lists_details(self, dcr_body: dict[str, Any]) -> None:
        """The error's text lists every detail with its code and target."""
        dcr_body["properties"]["dataFlows"][0]["destinations"] = ["nope"]
        text = str(_refused(dcr_body, tables=None))
        assert "InvalidDataFlow at Properties.DataFlows[0]" in text
