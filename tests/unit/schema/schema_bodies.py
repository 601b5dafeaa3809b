"""ARM bodies shared by the schema tests: the docs' minimal custom table and Direct DCR."""

from __future__ import annotations

from typing import Any

WORKSPACE = (
    "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg"
    "/providers/Microsoft.OperationalInsights/workspaces/ws"
)

TABLE_BODY: dict[str, Any] = {
    "properties": {
        "schema": {
            "name": "MyTable_CL",
            "columns": [
                {"name": "TimeGenerated", "type": "dateTime"},
                {"name": "Computer", "type": "string"},
                {"name": "AdditionalContext", "type": "dynamic"},
                {"name": "Level", "type": "int"},
            ],
        },
        "plan": "Analytics",
        "totalRetentionInDays": 365,
    }
}

# protocols.md §2.2, with the transformation that the docs sample uses.
DCR_BODY: dict[str, Any] = {
    "location": "eastus",
    "kind": "Direct",
    "properties": {
        "streamDeclarations": {
            "Custom-MyTable": {
                "columns": [
                    {"name": "Time", "type": "datetime"},
                    {"name": "Computer", "type": "string"},
                    {"name": "AdditionalContext", "type": "dynamic"},
                ]
            }
        },
        "destinations": {"logAnalytics": [{"workspaceResourceId": WORKSPACE, "name": "LogAnalyticsDest"}]},
        "dataFlows": [
            {
                "streams": ["Custom-MyTable"],
                "destinations": ["LogAnalyticsDest"],
                "transformKql": "source | extend TimeGenerated = todatetime(Time) | project-away Time",
                "outputStream": "Custom-MyTable_CL",
            }
        ],
    },
}

# A pass-through DCR whose stream matches the table column for column.
PASSTHROUGH_DCR_BODY: dict[str, Any] = {
    "location": "eastus",
    "kind": "Direct",
    "properties": {
        "streamDeclarations": {
            "Custom-MyTable_CL": {
                "columns": [
                    {"name": "TimeGenerated", "type": "datetime"},
                    {"name": "Computer", "type": "string"},
                    {"name": "AdditionalContext", "type": "dynamic"},
                    {"name": "Level", "type": "int"},
                ]
            }
        },
        "destinations": {"logAnalytics": [{"workspaceResourceId": WORKSPACE, "name": "la"}]},
        "dataFlows": [
            {
                "streams": ["Custom-MyTable_CL"],
                "destinations": ["la"],
                "transformKql": "source",
                "outputStream": "Custom-MyTable_CL",
            }
        ],
    },
}
