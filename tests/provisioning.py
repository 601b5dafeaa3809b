"""Provisioning for the tests and benchmarks: ``azlogs.provision`` against the emulator's ARM.

The same calls ``azlogs provision`` and ``azlogs demo`` make (one naming of DCRs, streams and role
assignments), with the emulator's admin service principal. Nothing here writes an ARM body itself,
except :func:`builtin_table_pipeline` (``azlogs.provision`` makes custom tables; a DCR into a built-in
table is PUT whole): other tests that need a body of their own PUT it with :func:`arm_client`.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import httpx

from azlogs.discovery import Discovery
from azlogs.provision import (
    ArmClient,
    ProvisionRequest,
    ProvisionResult,
    Spec,
    assign_role,
    emulator_arm,
    emulator_credential,
    provision,
    spec_from_columns,
    spec_from_document,
)
from azlogs.schema.template import MONITORING_METRICS_PUBLISHER_ROLE_ID

__all__ = [
    "admin_token",
    "arm_client",
    "builtin_table_pipeline",
    "grant",
    "monitor_client",
    "provision_document",
    "provision_table",
    "query_table",
]

# The emulator serves what it was sent at once: a short poll keeps a missed read from costing 2 s.
_POLL = 0.05


@contextmanager
def arm_client(info: Discovery) -> Iterator[ArmClient]:
    """azlogs' ARM client on the emulator, as its admin service principal (Owner of the subscription)."""
    arm, _ = emulator_arm(info)
    with arm:
        yield arm


@contextmanager
def monitor_client(info: Discovery) -> Iterator[Any]:
    """azure-mgmt-monitor's ``MonitorManagementClient``, unchanged, on the emulator's ARM as its admin."""
    from azure.mgmt.monitor import MonitorManagementClient

    credential = emulator_credential(info)
    client = MonitorManagementClient(
        credential,
        info.subscription_id,
        base_url=info.endpoints.arm,
        credential_scopes=["https://management.azure.com/.default"],
        connection_verify=info.ca_cert,
    )
    with client, credential:
        yield client


def provision_table(
    info: Discovery,
    table: str,
    columns: Sequence[Mapping[str, str]],
    *,
    principal_id: str | None = None,
    transform: str | None = None,
    dce: bool = False,
) -> ProvisionResult:
    """``table`` (``_CL``), its Direct DCR (stream ``Custom-<table>``; with ``dce``, a DCE too) and
    Monitoring Metrics Publisher on the DCR for ``principal_id`` (default: the VM's identity)."""
    return _provision(info, spec_from_columns(table, columns, transform=transform), principal_id, dce)


def provision_document(
    info: Mapping[str, Any], table: str, document: Mapping[str, Any], *, principal_id: str | None = None
) -> ProvisionResult:
    """Like :func:`provision_table` from a schema document (``{table, stream, transformKql}``): a stream
    declaration that differs from the table's columns, and the transformKql between them."""
    return _provision(info, spec_from_document(document, table=table), principal_id, False)


def _provision(info: Mapping[str, Any], spec: Spec, principal_id: str | None, dce: bool) -> ProvisionResult:
    if principal_id is None:
        principal_id = info.identity("vm").principal_id
    arm, target = emulator_arm(info)
    with arm:
        request = ProvisionRequest(spec, dce=dce, principal_id=principal_id)
        return provision(arm, target, request, interval=_POLL)


def grant(
    info: Discovery,
    scope: str,
    principal_id: str,
    role_id: str = MONITORING_METRICS_PUBLISHER_ROLE_ID,
) -> None:
    """Assign ``role_id`` (default Monitoring Metrics Publisher) to ``principal_id`` at ``scope``."""
    arm, target = emulator_arm(info)
    with arm:
        assign_role(arm, target, scope, principal_id, role_id=role_id, interval=_POLL)


def admin_token(info: Discovery, resource: str = "https://management.azure.com") -> str:
    """A token of the emulator's admin service principal for ``resource`` (client credentials)."""
    credential = emulator_credential(info)
    try:
        return str(credential.get_token(f"{resource}/.default").token)
    finally:
        credential.close()


def query_table(info: Discovery, kql: str) -> dict[str, Any]:
    """The first table of the query API's answer to ``kql`` over the tenant's workspace (admin's token)."""
    token = admin_token(info, "https://api.loganalytics.io")
    with httpx.Client(
        base_url=info.endpoints.arm,
        verify=ssl.create_default_context(cafile=info.ca_cert),
        timeout=30,
    ) as client:
        r = client.post(
            f"/query/v1/workspaces/{info.workspace.id}/query",
            json={"query": kql},
            headers={"Authorization": f"Bearer {token}"},
        )
    assert r.status_code == 200, r.text
    table: dict[str, Any] = r.json()["tables"][0]
    return table


def builtin_table_pipeline(info: Discovery, table: str, principal_id: str | None = None) -> dict[str, str]:
    """A Direct DCR whose ``Custom-<table>In`` stream declares the built-in table's columns and flows to
    ``Microsoft-<table>`` (how the Logs Ingestion API writes Syslog or CommonSecurityLog), granted to
    ``principal_id`` (default: the VM's identity). Returns ``endpoint``, ``dcr`` (immutable id), ``stream``."""
    from azlogs.schema.builtin_tables import builtin_tables
    from azlogs.schema.template import DCR_API_VERSION
    from azlogs.schema.types import Vocabulary, type_name

    stream = f"Custom-{table}In"
    columns = [
        {"name": c.name, "type": type_name(c.type, Vocabulary.STREAM)}
        for c in builtin_tables()[table.lower()].columns
        if c.name not in ("TenantId", "Type", "_ResourceId")
    ]
    rg = f"/subscriptions/{info.subscription_id}/resourceGroups/{info.resource_group}"
    dcr_id = f"{rg}/providers/Microsoft.Insights/dataCollectionRules/dcr-builtin-{table.lower()}"
    flow = {
        "streams": [stream],
        "destinations": ["ws"],
        "transformKql": "source",
        "outputStream": f"Microsoft-{table}",
    }
    body = {
        "location": info.location,
        "kind": "Direct",
        "properties": {
            "streamDeclarations": {stream: {"columns": columns}},
            "destinations": {
                "logAnalytics": [{"workspaceResourceId": info.workspace.resource_id, "name": "ws"}]
            },
            "dataFlows": [flow],
        },
    }
    with arm_client(info) as arm:
        dcr: dict[str, Any] = arm.put(dcr_id, DCR_API_VERSION, body)
    grant(info, dcr_id, principal_id or info.identity("vm").principal_id)
    props = dcr["properties"]
    return {"endpoint": props["endpoints"]["logsIngestion"], "dcr": props["immutableId"], "stream": stream}
