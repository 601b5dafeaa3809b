"""Deployable templates for a custom-log pipeline: table + Direct DCR + role assignment.

One resource set, written two ways: an ARM deployment template (JSON) and the same resources in
Bicep. Both take the workspace name, location, DCR name and the ingesting identity's principal id as
parameters, and output the DCR id, its immutable id, its logs-ingestion endpoint and the stream name:
what ``azlogs send`` needs. :func:`role_assignment` gives the concrete role-assignment PUT for
``azlogs provision``, which writes table and DCR bodies from the model directly.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass
from typing import Any, Final

from azlogs import facts
from azlogs._exceptions import SchemaError
from azlogs.schema.infer import InferredSchema
from azlogs.schema.model import DataFlow, StreamDeclaration, TableSchema
from azlogs.schema.names import output_stream_for_table

__all__ = [
    "DCR_API_VERSION",
    "LOG_ANALYTICS_READER_ROLE_ID",
    "MONITORING_METRICS_PUBLISHER_ROLE_ID",
    "ROLE_ASSIGNMENT_API_VERSION",
    "TABLE_API_VERSION",
    "PipelineSpec",
    "arm_template",
    "bicep_template",
    "role_assignment",
    "role_assignment_name",
]

# Monitoring Metrics Publisher, a built-in role with the same id in every tenant (azlogs.facts owns it).
MONITORING_METRICS_PUBLISHER_ROLE_ID: Final = facts.MONITORING_METRICS_PUBLISHER_ROLE_ID
# Log Analytics Reader: reads every table of a workspace (the demo's read-back identity).
LOG_ANALYTICS_READER_ROLE_ID: Final = facts.LOG_ANALYTICS_READER_ROLE_ID
TABLE_API_VERSION: Final = "2022-10-01"
DCR_API_VERSION: Final = "2023-03-11"
ROLE_ASSIGNMENT_API_VERSION: Final = "2022-04-01"
_PRINCIPAL_TYPES: Final = ("ServicePrincipal", "User", "Group")
_DESTINATION: Final = "workspace"


@dataclass(frozen=True)
class PipelineSpec:
    """What a template deploys: the table, the stream feeding it and the transformation between."""

    table: TableSchema
    stream: StreamDeclaration
    transform_kql: str
    dcr_name: str

    @classmethod
    def from_inferred(cls, inferred: InferredSchema, *, dcr_name: str | None = None) -> PipelineSpec:
        """The spec for an inferred schema; the DCR is named ``dcr-<table>`` unless given."""
        return cls(
            table=inferred.table,
            stream=inferred.stream,
            transform_kql=inferred.transform_kql,
            dcr_name=dcr_name or default_dcr_name(inferred.table.name),
        )

    @property
    def output_stream(self) -> str:
        """The data flow's output stream."""
        return output_stream_for_table(self.table.name)


def default_dcr_name(table: str) -> str:
    """``dcr-<table>`` in lowercase letters, digits and dashes (valid as an ARM resource name)."""
    return "dcr-" + re.sub(r"[^a-z0-9-]+", "-", table.lower()).strip("-")


# --- shared resource content ----------------------------------------------------------------------------


class _Ref:
    """A value that is an expression: ARM writes ``[arm]``, Bicep writes ``bicep``."""

    __slots__ = ("arm", "bicep")

    def __init__(self, arm: str, bicep: str) -> None:
        self.arm = arm
        self.bicep = bicep


_WORKSPACE_ID = _Ref(
    "resourceId('Microsoft.OperationalInsights/workspaces', parameters('workspaceName'))", "workspace.id"
)
_DCR_ID_ARM: Final = (
    "resourceId('Microsoft.Insights/dataCollectionRules', parameters('dataCollectionRuleName'))"
)


def _table_properties(spec: PipelineSpec) -> dict[str, Any]:
    props: dict[str, Any] = spec.table.to_arm()["properties"]
    return props


def _dcr_properties(spec: PipelineSpec) -> dict[str, Any]:
    flow = DataFlow(
        streams=(spec.stream.name,),
        destinations=(_DESTINATION,),
        transform_kql=spec.transform_kql,
        output_stream=spec.output_stream,
    )
    return {
        "streamDeclarations": {spec.stream.name: spec.stream.to_arm()},
        "destinations": {"logAnalytics": [{"workspaceResourceId": _WORKSPACE_ID, "name": _DESTINATION}]},
        "dataFlows": [flow.to_arm()],
    }


def _role_properties() -> dict[str, Any]:
    return {
        "roleDefinitionId": _Ref(
            "subscriptionResourceId('Microsoft.Authorization/roleDefinitions', variables('metricsPublisherRoleId'))",
            "subscriptionResourceId('Microsoft.Authorization/roleDefinitions', metricsPublisherRoleId)",
        ),
        "principalId": _Ref("parameters('principalId')", "principalId"),
        "principalType": _Ref("parameters('principalType')", "principalType"),
    }


# --- ARM JSON ---------------------------------------------------------------------------------------------


def _arm_value(value: Any) -> Any:
    if isinstance(value, _Ref):
        return f"[{value.arm}]"
    if isinstance(value, str):
        # A literal string in [brackets] would be read as an expression; ARM's escape is "[[".
        return "[" + value if value.startswith("[") and value.endswith("]") else value
    if isinstance(value, dict):
        return {k: _arm_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_arm_value(v) for v in value]
    return value


def _arm_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def arm_template(source: PipelineSpec | InferredSchema) -> dict[str, Any]:
    """An ARM deployment template (resource-group scope) for table, Direct DCR and role assignment."""
    spec = source if isinstance(source, PipelineSpec) else PipelineSpec.from_inferred(source)
    table_lit = _arm_literal(spec.table.name)
    table_id = f"[resourceId('Microsoft.OperationalInsights/workspaces/tables', parameters('workspaceName'), {table_lit})]"
    dcr_ref = f"reference({_DCR_ID_ARM}, '{DCR_API_VERSION}')"
    return {
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "parameters": {
            "workspaceName": {
                "type": "string",
                "metadata": {
                    "description": "Log Analytics workspace (in this resource group) for the table."
                },
            },
            "location": {
                "type": "string",
                "defaultValue": "[resourceGroup().location]",
                "metadata": {"description": "Region of the data collection rule: the workspace's region."},
            },
            "dataCollectionRuleName": {"type": "string", "defaultValue": spec.dcr_name},
            "principalId": {
                "type": "string",
                "metadata": {"description": "Object id of the identity that sends the logs."},
            },
            "principalType": {
                "type": "string",
                "defaultValue": "ServicePrincipal",
                "allowedValues": list(_PRINCIPAL_TYPES),
            },
        },
        "variables": {"metricsPublisherRoleId": MONITORING_METRICS_PUBLISHER_ROLE_ID},
        "resources": [
            {
                "type": "Microsoft.OperationalInsights/workspaces/tables",
                "apiVersion": TABLE_API_VERSION,
                "name": f"[format('{{0}}/{{1}}', parameters('workspaceName'), {table_lit})]",
                "properties": _arm_value(_table_properties(spec)),
            },
            {
                "type": "Microsoft.Insights/dataCollectionRules",
                "apiVersion": DCR_API_VERSION,
                "name": "[parameters('dataCollectionRuleName')]",
                "location": "[parameters('location')]",
                "kind": "Direct",
                "properties": _arm_value(_dcr_properties(spec)),
                "dependsOn": [table_id],
            },
            {
                "type": "Microsoft.Authorization/roleAssignments",
                "apiVersion": ROLE_ASSIGNMENT_API_VERSION,
                "scope": "[format('Microsoft.Insights/dataCollectionRules/{0}', parameters('dataCollectionRuleName'))]",
                "name": f"[guid({_DCR_ID_ARM}, parameters('principalId'), variables('metricsPublisherRoleId'))]",
                "properties": _arm_value(_role_properties()),
                "dependsOn": [f"[{_DCR_ID_ARM}]"],
            },
        ],
        "outputs": {
            "dataCollectionRuleId": {"type": "string", "value": f"[{_DCR_ID_ARM}]"},
            "immutableId": {"type": "string", "value": f"[{dcr_ref}.immutableId]"},
            "logsIngestionEndpoint": {"type": "string", "value": f"[{dcr_ref}.endpoints.logsIngestion]"},
            "streamName": {"type": "string", "value": _arm_value(spec.stream.name)},
        },
    }


# --- Bicep --------------------------------------------------------------------------------------------------

_BICEP_IDENT: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_BICEP_ESCAPES: Final = {"\\": "\\\\", "'": "\\'", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def bicep_string(text: str) -> str:
    """``text`` as a Bicep string literal (escapes quotes, backslashes, ``${`` and controls)."""
    out: list[str] = []
    for i, ch in enumerate(text):
        if ch in _BICEP_ESCAPES:
            out.append(_BICEP_ESCAPES[ch])
        elif ch == "$" and text[i + 1 : i + 2] == "{":
            out.append("\\$")
        elif ord(ch) < 0x20 or ch == "\x7f":
            out.append(f"\\u{{{ord(ch):X}}}")
        else:
            out.append(ch)
    return "'" + "".join(out) + "'"


def _bicep_value(value: Any, indent: int) -> str:
    pad = "  " * (indent + 1)
    if isinstance(value, _Ref):
        return value.bicep
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):  # Bicep has no real literals
        return f"json({bicep_string(json.dumps(value))})"
    if isinstance(value, str):
        return bicep_string(value)
    if isinstance(value, dict):
        if not value:
            return "{}"
        lines = [f"{pad}{_bicep_key(k)}: {_bicep_value(v, indent + 1)}" for k, v in value.items()]
        return "{\n" + "\n".join(lines) + "\n" + "  " * indent + "}"
    if isinstance(value, list):
        if not value:
            return "[]"
        lines = [f"{pad}{_bicep_value(v, indent + 1)}" for v in value]
        return "[\n" + "\n".join(lines) + "\n" + "  " * indent + "]"
    raise SchemaError(f"cannot write a {type(value).__name__} in Bicep")


def _bicep_key(key: str) -> str:
    return key if _BICEP_IDENT.match(key) else bicep_string(key)


def bicep_template(source: PipelineSpec | InferredSchema) -> str:
    """The same resource set as :func:`arm_template`, as Bicep text."""
    spec = source if isinstance(source, PipelineSpec) else PipelineSpec.from_inferred(source)
    table = _bicep_value(_table_properties(spec), 1)
    dcr = _bicep_value(_dcr_properties(spec), 1)
    role = _bicep_value(_role_properties(), 1)
    allowed = ", ".join(bicep_string(p) for p in _PRINCIPAL_TYPES)
    return f"""// Custom table {spec.table.name}, a Direct data collection rule feeding it from stream
// {spec.stream.name}, and Monitoring Metrics Publisher on that rule for the sending identity.
// Generated by azlogs.

@description('Log Analytics workspace (in this resource group) for the table.')
param workspaceName string

@description('Region of the data collection rule: the workspace\\'s region.')
param location string = resourceGroup().location

param dataCollectionRuleName string = {bicep_string(spec.dcr_name)}

@description('Object id of the identity that sends the logs.')
param principalId string

@allowed([{allowed}])
param principalType string = 'ServicePrincipal'

var metricsPublisherRoleId = {bicep_string(MONITORING_METRICS_PUBLISHER_ROLE_ID)}

resource workspace 'Microsoft.OperationalInsights/workspaces@{TABLE_API_VERSION}' existing = {{
  name: workspaceName
}}

resource table 'Microsoft.OperationalInsights/workspaces/tables@{TABLE_API_VERSION}' = {{
  parent: workspace
  name: {bicep_string(spec.table.name)}
  properties: {table}
}}

resource dcr 'Microsoft.Insights/dataCollectionRules@{DCR_API_VERSION}' = {{
  name: dataCollectionRuleName
  location: location
  kind: 'Direct'
  properties: {dcr}
  dependsOn: [
    table
  ]
}}

resource metricsPublisher 'Microsoft.Authorization/roleAssignments@{ROLE_ASSIGNMENT_API_VERSION}' = {{
  name: guid(dcr.id, principalId, metricsPublisherRoleId)
  scope: dcr
  properties: {role}
}}

output dataCollectionRuleId string = dcr.id
output immutableId string = dcr.properties.immutableId
output logsIngestionEndpoint string = dcr.properties.endpoints.logsIngestion
output streamName string = {bicep_string(spec.stream.name)}
"""


# --- the concrete role assignment (provision) ----------------------------------------------------------------


def role_assignment_name(
    scope: str, principal_id: str, role_id: str = MONITORING_METRICS_PUBLISHER_ROLE_ID
) -> str:
    """A stable role-assignment name (a GUID) for this scope, principal and role: PUT twice, one assignment.

    The one naming of azlogs: ``azlogs provision``, the demo and the emulator's start-up resources.
    Scope, principal and role are compared case-insensitively, as ARM compares them.
    """
    key = f"{scope.lower().rstrip('/') or '/'}|{principal_id.lower()}|{role_id.lower()}"
    return str(uuid.uuid5(uuid.NAMESPACE_URL, key))


def role_assignment(
    *,
    scope: str,
    principal_id: str,
    subscription_id: str,
    principal_type: str = "ServicePrincipal",
    role_id: str = MONITORING_METRICS_PUBLISHER_ROLE_ID,
) -> tuple[str, dict[str, Any]]:
    """The name and PUT body of role ``role_id`` (Monitoring Metrics Publisher) for ``principal_id`` on ``scope``.

    PUT it at ``{scope}/providers/Microsoft.Authorization/roleAssignments/{name}``.
    """
    if principal_type not in _PRINCIPAL_TYPES:
        raise SchemaError(f"principal type {principal_type!r} is not one of {', '.join(_PRINCIPAL_TYPES)}")
    body = {
        "properties": {
            "roleDefinitionId": f"/subscriptions/{subscription_id}/providers/Microsoft.Authorization/"
            f"roleDefinitions/{role_id}",
            "principalId": principal_id,
            "principalType": principal_type,
        }
    }
    return role_assignment_name(scope, principal_id, role_id), body
