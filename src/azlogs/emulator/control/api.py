"""What the control plane offers the other planes (ingestion, query, store): a read-only view of ARM state.

The control plane (``azlogs.emulator.control``) implements :class:`ControlPlane` and puts it on
``ctx.control``. The ingestion and query planes only use this Protocol, so either
side can change its internals freely.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final, Literal, Protocol

from azlogs import facts
from azlogs.schema.model import DataCollectionRule, TableSchema

# Built-in role definition ids (the GUID part of /providers/Microsoft.Authorization/roleDefinitions/{id}).
OWNER = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"
CONTRIBUTOR = "b24988ac-6180-42a0-ab88-20f7382dd24c"
READER = "acdd72a7-3b82-48ba-85a4-b61c42bc1b44"
MONITORING_METRICS_PUBLISHER = facts.MONITORING_METRICS_PUBLISHER_ROLE_ID
LOG_ANALYTICS_READER = facts.LOG_ANALYTICS_READER_ROLE_ID
LOG_ANALYTICS_CONTRIBUTOR = "92aaf0da-9dab-42b6-94a3-d43ce8d16293"
MONITORING_READER = "43d0d8ad-25c7-4714-9337-8ba259a9fe05"

# A DCR's one diagnostic log category, and the category groups that hold it [U: the groups].
LOG_ERRORS: Final = "LogErrors"
CATEGORY_GROUPS: Final = ("allLogs", "audit")


def sends_log_errors(doc: dict[str, Any]) -> bool:
    """Whether a diagnostic setting document has LogErrors (or a group holding it) enabled."""
    for entry in doc.get("properties", {}).get("logs", []):
        if not entry.get("enabled"):
            continue
        if str(entry.get("category") or "").lower() == LOG_ERRORS.lower():
            return True
        if str(entry.get("categoryGroup") or "").lower() in (g.lower() for g in CATEGORY_GROUPS):
            return True
    return False


# Data actions the planes check.
INGEST_DATA_ACTION = "Microsoft.Insights/Telemetry/Write"
METRICS_READ_ACTION = "Microsoft.Insights/metrics/read"
QUERY_ACTION = "Microsoft.OperationalInsights/workspaces/query/read"


@dataclass(frozen=True)
class WorkspaceRecord:
    resource_id: str  # ARM id, canonical casing as created
    name: str
    customer_id: str  # the workspace GUID used by the query API
    location: str


@dataclass(frozen=True)
class TableRecord:
    workspace: WorkspaceRecord
    schema: TableSchema


@dataclass(frozen=True)
class DceRecord:
    resource_id: str
    name: str
    path_key: str  # the path segment after /dce/ in its logsIngestion endpoint
    logs_ingestion_endpoint: str


@dataclass(frozen=True)
class DcrRecord:
    resource_id: str
    name: str
    immutable_id: str
    rule: DataCollectionRule
    kind: str | None
    dce: DceRecord | None  # from properties.dataCollectionEndpointId
    direct_path_key: str | None  # for kind Direct: the path segment after /dcr/ of its own endpoint
    logs_ingestion_endpoint: str | None  # for kind Direct: properties.endpoints.logsIngestion
    # Workspaces its diagnostic settings send the LogErrors category to (DCRLogErrors rows).
    log_errors_workspaces: tuple[WorkspaceRecord, ...] = ()
    location: str = ""


@dataclass(frozen=True)
class ChangeEvent:
    kind: Literal["table", "dcr", "dce", "workspace", "role"]
    action: Literal["put", "delete"]
    resource_id: str


class ControlPlane(Protocol):
    def workspace_by_resource_id(self, resource_id: str) -> WorkspaceRecord | None: ...

    def workspace_by_customer_id(self, customer_id: str) -> WorkspaceRecord | None: ...

    def workspaces(self) -> list[WorkspaceRecord]: ...

    def table(self, workspace_resource_id: str, name: str) -> TableRecord | None: ...

    def tables(self, workspace_resource_id: str) -> list[TableRecord]: ...

    def dcr_by_immutable_id(self, immutable_id: str) -> DcrRecord | None: ...

    def dcr_by_resource_id(self, resource_id: str) -> DcrRecord | None: ...

    def dce_by_path_key(self, path_key: str) -> DceRecord | None: ...

    def dcr_by_direct_path_key(self, path_key: str) -> DcrRecord | None: ...

    def resource_exists(self, resource_id: str) -> bool:
        """True for the tenant's subscription, a resource ARM holds (a resource group, a workspace,
        a DCR ...), and a resource an emulated identity is attached to (its ``resource_id``)."""
        ...

    def has_permission(self, principal_id: str, scope: str, action: str) -> bool:
        """True when a role assignment at ``scope`` or a parent scope grants ``action`` (an action or a
        data action, wildcards as in the role definitions) to ``principal_id``, counting only
        assignments older than the configured propagation delay."""
        ...

    def subscribe(self, listener: Callable[[ChangeEvent], None]) -> None: ...
