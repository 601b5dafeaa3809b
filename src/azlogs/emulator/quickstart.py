"""Provision a custom table, a DCR and the role assignment on a running emulator through its ARM API.

Used by ``azlogs demo``, the benchmarks and the tests: the same ARM calls a user (or ``azlogs
provision``) makes against Azure, with the emulator's admin service principal.
"""

from __future__ import annotations

import ssl
import time
import uuid
from dataclasses import dataclass
from typing import Any

import httpx

from azlogs import facts
from azlogs._exceptions import EmulatorError
from azlogs.auth.clouds import get_cloud

TABLES_API = "2022-10-01"
DCR_API = "2023-03-11"
ROLES_API = "2022-04-01"
MONITORING_METRICS_PUBLISHER = facts.MONITORING_METRICS_PUBLISHER_ROLE_ID


@dataclass(frozen=True)
class Pipeline:
    """What a sender needs: endpoint, DCR immutable id, stream; and the DCR's ARM id."""

    endpoint: str
    rule_id: str
    stream: str
    dcr_resource_id: str
    table: str


def admin_token(info: dict[str, Any], resource: str | None = None) -> str:
    """A token of the emulator's admin service principal, from its Entra endpoint (client credentials);
    by default for ARM of the cloud the emulator runs as."""
    resource = resource or get_cloud(str(info.get("cloud") or "AzurePublic")).arm_endpoint
    with httpx.Client(verify=ssl.create_default_context(cafile=info["ca_cert"]), timeout=30) as client:
        r = client.post(
            f"{info['endpoints']['authority']}/{info['tenant_id']}/oauth2/v2.0/token",
            data={
                "grant_type": "client_credentials",
                "client_id": info["admin"]["client_id"],
                "client_secret": info["admin"]["client_secret"],
                "scope": f"{resource}/.default",
            },
        )
    if r.status_code != 200:
        raise EmulatorError(f"the emulator refused the admin token request: {r.status_code} {r.text[:300]}")
    token: str = r.json()["access_token"]
    return token


class Arm:
    """A minimal ARM client for the emulator's control plane."""

    def __init__(self, info: dict[str, Any]) -> None:
        self.info = info
        self.base = info["endpoints"]["arm"]
        self._client = httpx.Client(
            verify=ssl.create_default_context(cafile=info["ca_cert"]),
            timeout=60,
            headers={"Authorization": f"Bearer {admin_token(info)}"},
        )

    def put(self, resource_id: str, api_version: str, body: dict[str, Any]) -> dict[str, Any]:
        r = self._client.put(f"{self.base}{resource_id}", params={"api-version": api_version}, json=body)
        if r.status_code not in (200, 201, 202):
            raise EmulatorError(f"PUT {resource_id} failed: {r.status_code} {r.text[:500]}")
        data: dict[str, Any] = r.json() if r.content else {}
        return data

    def get(self, resource_id: str, api_version: str) -> dict[str, Any]:
        r = self._client.get(f"{self.base}{resource_id}", params={"api-version": api_version})
        if r.status_code != 200:
            raise EmulatorError(f"GET {resource_id} failed: {r.status_code} {r.text[:500]}")
        data: dict[str, Any] = r.json()
        return data

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Arm:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def grant(arm: Arm, scope: str, principal_id: str, role: str = MONITORING_METRICS_PUBLISHER) -> None:
    """Assign ``role`` (default Monitoring Metrics Publisher) to ``principal_id`` at ``scope``."""
    sub = arm.info["subscription_id"]
    assignment = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{scope}|{principal_id}|{role}"))
    arm.put(
        f"{scope}/providers/Microsoft.Authorization/roleAssignments/{assignment}",
        ROLES_API,
        {
            "properties": {
                "roleDefinitionId": f"/subscriptions/{sub}/providers/Microsoft.Authorization/roleDefinitions/{role}",
                "principalId": principal_id,
                "principalType": "ServicePrincipal",
            }
        },
    )


def provision(
    info: dict[str, Any],
    table: str,
    columns: list[dict[str, str]],
    *,
    principal_id: str | None = None,
    transform: str = "source",
    dcr_name: str | None = None,
    stream_columns: list[dict[str, str]] | None = None,
) -> Pipeline:
    """Create ``table`` (custom, ``_CL``), a Direct DCR whose stream matches it, and grant ``principal_id``
    (default: the VM's system-assigned identity) Monitoring Metrics Publisher on the DCR."""
    sub, rg = info["subscription_id"], info["resource_group"]
    ws_id = info["workspace"]["resource_id"]
    if principal_id is None:
        principal_id = next(i["principal_id"] for i in info["identities"] if i["name"] == "vm")
    base_name = table[:-3] if table.endswith("_CL") else table
    stream = f"Custom-{base_name}"
    dcr_name = dcr_name or f"dcr-{base_name.lower()}"
    dcr_id = f"/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Insights/dataCollectionRules/{dcr_name}"
    with Arm(info) as arm:
        arm.put(
            f"{ws_id}/tables/{table}",
            TABLES_API,
            {"properties": {"schema": {"name": table, "columns": columns}}},
        )
        dcr = arm.put(
            dcr_id,
            DCR_API,
            {
                "location": info.get("location", "eastus"),
                "kind": "Direct",
                "properties": {
                    "streamDeclarations": {
                        stream: {
                            "columns": stream_columns
                            or [
                                {
                                    "name": c["name"],
                                    "type": "datetime" if c["type"].lower() == "datetime" else c["type"],
                                }
                                for c in columns
                            ]
                        }
                    },
                    "destinations": {"logAnalytics": [{"workspaceResourceId": ws_id, "name": "workspace"}]},
                    "dataFlows": [
                        {
                            "streams": [stream],
                            "destinations": ["workspace"],
                            "transformKql": transform,
                            "outputStream": f"Custom-{table}",
                        }
                    ],
                },
            },
        )
        grant(arm, dcr_id, principal_id)
        deadline = time.monotonic() + 30
        while not dcr.get("properties", {}).get("immutableId") and time.monotonic() < deadline:
            time.sleep(0.1)
            dcr = arm.get(dcr_id, DCR_API)
    props = dcr["properties"]
    return Pipeline(props["endpoints"]["logsIngestion"], props["immutableId"], stream, dcr_id, table)
