"""A complete ``emulator.json`` for tests that need one without a running emulator."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from azlogs.discovery import (
    Discovery,
    DiscoveryAdmin,
    DiscoveryEndpoints,
    DiscoveryIdentity,
    DiscoveryWorkspace,
)

TENANT = "11111111-1111-1111-1111-111111111111"
SUBSCRIPTION = "22222222-2222-2222-2222-222222222222"
WORKSPACE_ID = "33333333-3333-3333-3333-333333333333"


def sample_discovery(
    data_dir: Path = Path("/d"),
    *,
    http: str = "http://127.0.0.1:1",
    https: str = "https://127.0.0.1:2",
    **fields: Any,
) -> Discovery:
    """The discovery of an emulator in ``data_dir`` with listeners ``http`` and ``https``; ``fields``
    replace top-level fields (``endpoints=``, ``admin=``, ...)."""
    rg = "azlogs-emulator"
    ws_rid = f"/subscriptions/{SUBSCRIPTION}/resourceGroups/{rg}/providers/Microsoft.OperationalInsights/workspaces/ws"
    vm_rid = (
        f"/subscriptions/{SUBSCRIPTION}/resourceGroups/{rg}/providers/Microsoft.Compute/virtualMachines/vm"
    )
    info = Discovery(
        pid=1234,
        started_at=1_700_000_000.5,
        data_dir=str(data_dir),
        in_memory=False,
        cloud="AzureCloud",
        tenant_id=TENANT,
        subscription_id=SUBSCRIPTION,
        resource_group=rg,
        location="eastus",
        ca_cert=str(data_dir / "tls" / "ca.pem"),
        endpoints=DiscoveryEndpoints(
            imds=http,
            arc=f"{http}/arc",
            arc_identity_endpoint=f"{http}/arc/metadata/identity/oauth2/token",
            app_service=f"{http}/appservice/msi/token",
            automation=f"{http}/automation/msi/token",
            authority=https,
            arm=https,
            dce=f"{https}/dce",
            data_collector=f"{https}/ods/{WORKSPACE_ID}",
            query=f"{https}/query",
            graph=f"{https}/graph",
            cluster_issuer=f"{https}/oidc/cluster",
            admin=f"{https}/_emulator",
            portal=f"{https}/portal/",
        ),
        workspace=DiscoveryWorkspace(id=WORKSPACE_ID, name="ws", resource_id=ws_rid),
        identities=(
            DiscoveryIdentity("vm", "system-assigned", "vm", "p-vm", "c-vm", vm_rid),
            DiscoveryIdentity(
                "sp", "service-principal", "none", "p-sp", "c-sp", "", client_secret="sp-secret-value"
            ),
            DiscoveryIdentity(
                "workload",
                "workload",
                "aks",
                "p-w",
                "w",
                "",
                federated={"issuer": f"{https}/oidc/cluster", "subject": "system:serviceaccount:default:app"},
            ),
        ),
        admin=DiscoveryAdmin(
            client_id="44444444-4444-4444-4444-444444444444",
            client_secret="admin-secret-value",
            principal_id="55555555-5555-5555-5555-555555555555",
            key="admin-key-value",
        ),
        identity_headers={"appservice": "h1", "automation": "h2"},
        federated_token_file=str(data_dir / "workload" / "azure-identity-token"),
        arc_key_dir=str(data_dir / "arc-tokens"),
        path=data_dir / "emulator.json",
    )
    return dataclasses.replace(info, **fields)


def write_discovery(data_dir: Path, **fields: Any) -> Discovery:
    """Write :func:`sample_discovery` as ``data_dir/emulator.json``."""
    info = sample_discovery(data_dir, **fields)
    data_dir.mkdir(parents=True, exist_ok=True)
    info.write(data_dir / "emulator.json")
    return info
