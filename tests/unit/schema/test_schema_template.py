"""Deployable templates: ARM JSON and the same resource set in Bicep."""

from __future__ import annotations

import re
from typing import Any

import pytest
from schema_bodies import WORKSPACE

from azlogs import SchemaError
from azlogs.schema.infer import infer_schema
from azlogs.schema.model import Column, StreamDeclaration, TableSchema
from azlogs.schema.template import (
    MONITORING_METRICS_PUBLISHER_ROLE_ID,
    PipelineSpec,
    arm_template,
    bicep_string,
    bicep_template,
    role_assignment,
    role_assignment_name,
)
from azlogs.schema.types import ColumnType
from azlogs.schema.validate import validate_dcr, validate_table

RECORDS = [
    {"@timestamp": "2024-01-01T00:00:00Z", "user-name": "bob", "Type": "login", "ctx": {"ip": "10.0.0.1"}},
    {"@timestamp": "2024-01-01T00:00:01Z", "user-name": "it's ${x}", "Type": "logout", "n1": 2},
]


class _Expr(str):
    """A Bicep expression read back by the test parser."""


class _BicepReader:
    """Reads back the subset of Bicep values the generator writes (objects, arrays, literals, expressions)."""

    def __init__(self, text: str, pos: int) -> None:
        self.text = text
        self.pos = pos

    def _skip(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos] in " \n":
            self.pos += 1

    def value(self) -> Any:
        self._skip()
        ch = self.text[self.pos]
        if ch == "{":
            return self._object()
        if ch == "[":
            return self._array()
        if ch == "'":
            return self._string()
        end = self.text.index("\n", self.pos)
        token = self.text[self.pos : end]
        self.pos = end
        if re.fullmatch(r"-?\d+", token):
            return int(token)
        return {"true": True, "false": False, "null": None}.get(token, _Expr(token))

    def _string(self) -> str:
        out: list[str] = []
        self.pos += 1
        escapes = {"\\": "\\", "'": "'", "n": "\n", "r": "\r", "t": "\t", "$": "$"}
        while self.text[self.pos] != "'":
            ch = self.text[self.pos]
            if ch == "\\":
                nxt = self.text[self.pos + 1]
                if nxt == "u":
                    close = self.text.index("}", self.pos)
                    out.append(chr(int(self.text[self.pos + 3 : close], 16)))
                    self.pos = close + 1
                    continue
                out.append(escapes[nxt])
                self.pos += 2
                continue
            out.append(ch)
            self.pos += 1
        self.pos += 1
        return "".join(out)

    def _object(self) -> dict[str, Any]:
        self.pos += 1
        out: dict[str, Any] = {}
        while True:
            self._skip()
            if self.text[self.pos] == "}":
                self.pos += 1
                return out
            if self.text[self.pos] == "'":
                key = self._string()
            else:
                m = re.compile(r"[A-Za-z_][A-Za-z0-9_]*").match(self.text, self.pos)
                assert m is not None
                key = m.group()
                self.pos = m.end()
            assert self.text[self.pos] == ":"
            self.pos += 1
            out[key] = self.value()

    def _array(self) -> list[Any]:
        self.pos += 1
        out: list[Any] = []
        while True:
            self._skip()
            if self.text[self.pos] == "]":
                self.pos += 1
                return out
            out.append(self.value())


def _bicep_resources(text: str) -> dict[str, dict[str, Any]]:
    resources = {}
    for m in re.finditer(r"^resource (\w+) '([^']+)'(?: existing)? = ", text, re.MULTILINE):
        body = _BicepReader(text, m.end()).value()
        body["_type"] = m.group(2)
        resources[m.group(1)] = body
    return resources


def _arm_to_bicep_exprs(value: Any) -> Any:
    """Replace the ARM expressions the generator uses by their Bicep twins, for comparison."""
    mapping = {
        "[resourceId('Microsoft.OperationalInsights/workspaces', parameters('workspaceName'))]": "workspace.id",
        "[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', variables('metricsPublisherRoleId'))]": (
            "subscriptionResourceId('Microsoft.Authorization/roleDefinitions', metricsPublisherRoleId)"
        ),
        "[parameters('principalId')]": "principalId",
        "[parameters('principalType')]": "principalType",
    }
    if isinstance(value, dict):
        return {k: _arm_to_bicep_exprs(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_arm_to_bicep_exprs(v) for v in value]
    return mapping.get(value, value) if isinstance(value, str) else value


class TestArmTemplate:
    def test_resource_set(self) -> None:
        """Table, Direct DCR and role assignment, in dependency order, with the published api-versions."""
        template = arm_template(infer_schema(RECORDS, table="App_CL"))
        types = [(r["type"], r["apiVersion"]) for r in template["resources"]]
        assert types == [
            ("Microsoft.OperationalInsights/workspaces/tables", "2022-10-01"),
            ("Microsoft.Insights/dataCollectionRules", "2023-03-11"),
            ("Microsoft.Authorization/roleAssignments", "2022-04-01"),
        ]
        table, dcr, role = template["resources"]
        assert table["name"] == "[format('{0}/{1}', parameters('workspaceName'), 'App_CL')]"
        assert dcr["kind"] == "Direct"
        assert dcr["dependsOn"] == [
            "[resourceId('Microsoft.OperationalInsights/workspaces/tables', parameters('workspaceName'), 'App_CL')]"
        ]
        assert role["properties"]["principalId"] == "[parameters('principalId')]"
        assert MONITORING_METRICS_PUBLISHER_ROLE_ID in str(template["variables"])
        assert set(template["parameters"]) == {
            "workspaceName",
            "location",
            "dataCollectionRuleName",
            "principalId",
            "principalType",
        }
        assert set(template["outputs"]) == {
            "dataCollectionRuleId",
            "immutableId",
            "logsIngestionEndpoint",
            "streamName",
        }

    def test_bodies_pass_the_service_rules(self) -> None:
        """The table and DCR inside the template are valid once the workspace id is filled in."""
        template = arm_template(infer_schema(RECORDS, table="App_CL"))
        table_res, dcr_res, _ = template["resources"]
        table = validate_table({"properties": table_res["properties"]}, name="App_CL")
        dcr_props = _arm_to_bicep_exprs(dcr_res["properties"])
        dcr_props["destinations"]["logAnalytics"][0]["workspaceResourceId"] = WORKSPACE
        dcr = validate_dcr(
            {"location": "eastus", "kind": "Direct", "properties": dcr_props}, tables={"App_CL": table}
        )
        assert dcr.data_flows[0].transform_kql is not None
        assert "project-rename" in dcr.data_flows[0].transform_kql

    def test_literal_brackets_escaped(self) -> None:
        """A literal string in brackets is escaped with '[[' so ARM does not evaluate it."""
        spec = PipelineSpec(
            table=TableSchema("T_CL", (Column("TimeGenerated", ColumnType.DATETIME),)),
            stream=StreamDeclaration("Custom-T_CL", (Column("TimeGenerated", ColumnType.DATETIME),)),
            transform_kql="[not an expression]",
            dcr_name="dcr-t",
        )
        dcr = arm_template(spec)["resources"][1]
        assert dcr["properties"]["dataFlows"][0]["transformKql"] == "[[not an expression]"

    def test_default_dcr_name(self) -> None:
        """The DCR name parameter defaults to dcr-<table> in ARM's allowed characters."""
        template = arm_template(infer_schema(RECORDS, table="My_App_CL"))
        assert template["parameters"]["dataCollectionRuleName"]["defaultValue"] == "dcr-my-app-cl"


class TestBicep:
    def test_same_resource_set_as_arm(self) -> None:
        """Bicep declares the same resources with the same properties as the ARM template."""
        inferred = infer_schema(RECORDS, table="App_CL")
        arm = arm_template(inferred)
        bicep = _bicep_resources(bicep_template(inferred))
        assert [r["_type"] for r in bicep.values()] == [
            "Microsoft.OperationalInsights/workspaces@2022-10-01",
            "Microsoft.OperationalInsights/workspaces/tables@2022-10-01",
            "Microsoft.Insights/dataCollectionRules@2023-03-11",
            "Microsoft.Authorization/roleAssignments@2022-04-01",
        ]
        arm_table, arm_dcr, arm_role = arm["resources"]
        assert bicep["table"]["properties"] == _arm_to_bicep_exprs(arm_table["properties"])
        assert bicep["dcr"]["properties"] == _arm_to_bicep_exprs(arm_dcr["properties"])
        assert bicep["metricsPublisher"]["properties"] == _arm_to_bicep_exprs(arm_role["properties"])
        assert bicep["dcr"]["kind"] == "Direct"
        assert bicep["metricsPublisher"]["scope"] == "dcr"

    def test_awkward_text_survives(self) -> None:
        """Quotes, backslashes, ${ and newlines in values read back unchanged."""
        text = "it's a \\ path ${x} $y\nnext\ttab \x01"
        assert _BicepReader(bicep_string(text) + "\n", 0).value() == text
        assert "\\${" in bicep_string("${x}")

    def test_outputs(self) -> None:
        """The Bicep outputs name what azlogs send needs."""
        text = bicep_template(infer_schema(RECORDS, table="App_CL"))
        assert "output immutableId string = dcr.properties.immutableId" in text
        assert "output logsIngestionEndpoint string = dcr.properties.endpoints.logsIngestion" in text
        assert "output streamName string = 'Custom-App_CL'" in text


class TestRoleAssignment:
    def test_body(self) -> None:
        """The concrete PUT body names Monitoring Metrics Publisher in the subscription."""
        scope = "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Insights/dataCollectionRules/d"
        name, body = role_assignment(scope=scope, principal_id="p1", subscription_id="s1")
        assert body["properties"] == {
            "roleDefinitionId": "/subscriptions/s1/providers/Microsoft.Authorization/roleDefinitions/"
            + MONITORING_METRICS_PUBLISHER_ROLE_ID,
            "principalId": "p1",
            "principalType": "ServicePrincipal",
        }
        assert name == role_assignment_name(scope.upper(), "P1")
        assert name != role_assignment_name(scope, "p2")

    def test_bad_principal_type(self) -> None:
        """An unknown principal type is refused."""
        with pytest.raises(SchemaError):
            role_assignment(scope="/s", principal_id="p", subscription_id="s", principal_type="Robot")
