"""Where ARM calls go: the emulator (its discovery info) or Azure (subscription, resource group, ARM URL).

Nothing here imports the emulator: its discovery file is plain JSON, passed in as a dict by the CLI.
Also here: reading a DCR by immutable id or ARM id, and its destination table, for validate and doctor.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from azure.core.credentials import TokenProvider

from azlogs._exceptions import UsageError
from azlogs._http import Verify
from azlogs.auth.clouds import AZURE_PUBLIC, Cloud, get_cloud
from azlogs.discovery import Discovery
from azlogs.provision._arm import ARM_AUDIENCE, ArmClient
from azlogs.schema.model import DataCollectionRule, TableSchema
from azlogs.schema.template import DCR_API_VERSION, TABLE_API_VERSION

__all__ = [
    "ArmTarget",
    "DcrLookup",
    "arm_credential",
    "dcr_resource_id",
    "emulator_arm",
    "emulator_credential",
    "find_dcr",
    "is_immutable_id",
    "output_tables",
    "parse_resource_id",
    "subscription_from_claims",
]

_IMMUTABLE_ID: Final = re.compile(r"dcr-[0-9a-f]{32}\Z", re.IGNORECASE)
_RID: Final = re.compile(r"/subscriptions/(?P<sub>[^/]+)/resourceGroups/(?P<rg>[^/]+)(?:/|\Z)", re.IGNORECASE)
_MI_RID: Final = re.compile(r"/subscriptions/(?P<sub>[^/]+)/", re.IGNORECASE)


def is_immutable_id(text: str) -> bool:
    """Whether ``text`` is a DCR immutable id (``dcr-`` and 32 hex digits)."""
    return _IMMUTABLE_ID.match(text) is not None


def parse_resource_id(rid: str) -> tuple[str, str] | None:
    """(subscription, resource group) of an ARM resource id, or None when it is not one."""
    m = _RID.match(rid)
    return (m.group("sub"), m.group("rg")) if m else None


@dataclass(frozen=True)
class ArmTarget:
    """Where provisioning writes: ARM endpoint, subscription, resource group, workspace.

    ``location`` None means the workspace's region (read from ARM).
    """

    arm_endpoint: str
    subscription_id: str
    resource_group: str
    workspace_resource_id: str
    location: str | None = None
    verify: Verify = True
    audience: str = ARM_AUDIENCE

    @classmethod
    def from_emulator(cls, info: Discovery, *, workspace: str | None = None) -> ArmTarget:
        """The emulator's ARM, subscription, resource group and workspace (``emulator.json``); the
        token audience is ARM's in the cloud the emulator runs as."""
        cloud = get_cloud(info.cloud)
        return cls(
            arm_endpoint=info.endpoints.arm,
            subscription_id=info.subscription_id,
            resource_group=info.resource_group,
            workspace_resource_id=workspace or info.workspace.resource_id,
            location=info.location,
            verify=info.ca_cert,
            audience=cloud.arm_endpoint,
        )

    @classmethod
    def for_azure(
        cls,
        *,
        workspace: str | None,
        subscription: str | None = None,
        resource_group: str | None = None,
        arm_endpoint: str | None = None,
        location: str | None = None,
        require_workspace: bool = True,
        cloud: Cloud = AZURE_PUBLIC,
    ) -> ArmTarget:
        """Azure: the DCR goes to ``resource_group`` (default: the workspace's).

        ``require_workspace=False`` is for reading only (validate): then the subscription is needed
        to find a DCR by immutable id, and nothing else.

        Raises:
            UsageError: no workspace, or a workspace id that is not an ARM id.
        """
        arm_endpoint = (arm_endpoint or cloud.arm_endpoint).rstrip("/")
        audience = cloud.arm_endpoint
        if not workspace and not require_workspace:
            return cls(
                arm_endpoint, subscription or "", resource_group or "", "", location, audience=audience
            )
        if not workspace:
            raise UsageError(
                "--workspace is required against Azure",
                hint="the resource id of the Log Analytics workspace: /subscriptions/<sub>/resourceGroups/<rg>/"
                "providers/Microsoft.OperationalInsights/workspaces/<name>",
            )
        parts = parse_resource_id(workspace)
        if parts is None or "/microsoft.operationalinsights/workspaces/" not in workspace.lower():
            raise UsageError(f"--workspace {workspace!r} is not a Log Analytics workspace resource id")
        return cls(
            arm_endpoint=arm_endpoint,
            subscription_id=subscription or parts[0],
            resource_group=resource_group or parts[1],
            workspace_resource_id=workspace,
            location=location,
            audience=audience,
        )


def dcr_resource_id(target: ArmTarget, name: str) -> str:
    """The ARM id of DCR ``name`` in the target's subscription and resource group."""
    return (
        f"/subscriptions/{target.subscription_id}/resourceGroups/{target.resource_group}"
        f"/providers/Microsoft.Insights/dataCollectionRules/{name}"
    )


def emulator_credential(info: Discovery) -> TokenProvider:
    """The emulator's admin service principal (Owner of its subscription), as an azure-identity credential."""
    from azure.identity import ClientSecretCredential

    return ClientSecretCredential(
        info.tenant_id,
        info.admin.client_id,
        info.admin.client_secret,
        authority=info.endpoints.authority,
        disable_instance_discovery=True,
        connection_verify=info.ca_cert,
    )


def emulator_arm(info: Discovery, *, workspace: str | None = None) -> tuple[ArmClient, ArmTarget]:
    """An ARM client of the emulator's admin principal and the emulator as the target (``emulator.json``)."""
    target = ArmTarget.from_emulator(info, workspace=workspace)
    credential = emulator_credential(info)
    arm = ArmClient(
        target.arm_endpoint,
        credential,
        verify=target.verify,
        audience=target.audience,
        close_credential=True,
    )
    return arm, target


def arm_credential(
    source: str = "auto", client_id: str | None = None, cloud: Cloud | None = None
) -> TokenProvider:
    """A credential for ARM: ``cli`` is the Azure CLI's login; anything else is azlogs.auth's choice
    (``cloud`` gives a service principal's authority)."""
    if source == "cli":
        from azure.identity import AzureCliCredential

        return AzureCliCredential()
    from azlogs.auth import choose

    return choose(source, client_id, cloud=cloud).credential


@dataclass(frozen=True)
class DcrLookup:
    """A DCR read from ARM: its document (as ARM returns it) and the parsed rule."""

    doc: dict[str, Any]
    rule: DataCollectionRule

    @property
    def resource_id(self) -> str:
        return str(self.doc.get("id") or "")

    @property
    def immutable_id(self) -> str:
        return str((self.doc.get("properties") or {}).get("immutableId") or "")

    @property
    def logs_ingestion_endpoint(self) -> str | None:
        value = ((self.doc.get("properties") or {}).get("endpoints") or {}).get("logsIngestion")
        return str(value) if value else None


def subscription_from_claims(claims: Mapping[str, Any]) -> str | None:
    """The subscription in a managed identity's ``xms_mirid`` claim (its own resource id), if any."""
    m = _MI_RID.match(str(claims.get("xms_mirid") or ""))
    return m.group("sub") if m else None


def find_dcr(arm: ArmClient, dcr: str, *, subscription: str | None) -> DcrLookup | None:
    """Read a DCR by ARM id, or by immutable id (listing the subscription's DCRs); None if not there.

    Raises:
        UsageError: an immutable id with no subscription to look in, or an id of neither kind.
        ArmRequestError: ARM refused (403: the identity may not read DCRs).
    """
    if dcr.lower().startswith("/subscriptions/"):
        doc = arm.get(dcr, DCR_API_VERSION)
        return None if doc is None else DcrLookup(doc, DataCollectionRule.from_arm(doc))
    if not is_immutable_id(dcr):
        raise UsageError(
            f"{dcr!r} is neither a DCR immutable id (dcr-<32 hex>) nor a DCR resource id (/subscriptions/...)"
        )
    if not subscription:
        raise UsageError(
            f"to find DCR {dcr} by its immutable id, azlogs lists the DCRs of a subscription",
            hint="pass --subscription, or the DCR's resource id instead of its immutable id",
        )
    for doc in arm.list(
        f"/subscriptions/{subscription}/providers/Microsoft.Insights/dataCollectionRules", DCR_API_VERSION
    ):
        if str((doc.get("properties") or {}).get("immutableId", "")).lower() == dcr.lower():
            return DcrLookup(doc, DataCollectionRule.from_arm(doc))
    return None


def output_tables(arm: ArmClient, rule: DataCollectionRule, stream: str) -> dict[str, TableSchema]:
    """The destination tables of the data flows that read ``stream``, read from their workspaces."""
    tables: dict[str, TableSchema] = {}
    for flow in rule.flows_for_stream(stream):
        name = flow.output_table
        if name is None or name in tables:
            continue
        for dest_name in flow.destinations:
            dest = rule.destination(dest_name)
            if dest is None:
                continue
            doc = arm.get(f"{dest.workspace_resource_id}/tables/{name}", TABLE_API_VERSION)
            if doc is not None:
                tables[name] = TableSchema.from_arm(doc, name=name)
                break
    return tables
