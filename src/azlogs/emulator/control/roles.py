"""Built-in Azure role definitions and how a role grants an action or a data action.

Definitions are copied from Microsoft's published built-in roles (actions, notActions, dataActions,
notDataActions). Matching follows Azure RBAC: case-insensitive, ``*`` matches any run of characters
(``*/read`` covers ``Microsoft.Insights/dataCollectionRules/read``), an action is granted when some
``actions`` pattern matches and no ``notActions`` pattern does. Control-plane actions and data
actions are separate: ``*`` in ``actions`` (Owner) never grants a data action such as
``Microsoft.Insights/Telemetry/Write``, which is why an Owner still gets 403 from the ingestion API.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any, Final

from azlogs.emulator.control import api
from azlogs.emulator.control.ids import ROLE_DEFINITIONS

USER_ACCESS_ADMINISTRATOR: Final = "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9"
MONITORING_CONTRIBUTOR: Final = "749f88d5-cbae-40b8-bcfc-e573ddc772fa"

# Operations the emulated services mark as data actions (Azure decides this per operation in each
# provider's operation list; these are the ones the emulator's planes check).
DATA_ACTIONS: Final = frozenset(
    a.lower()
    for a in (
        api.INGEST_DATA_ACTION,
        "Microsoft.Insights/Metrics/Write",
        "Microsoft.OperationalInsights/workspaces/tables/data/read",
    )
)


@dataclass(frozen=True)
class RoleDefinition:
    """One built-in role: its GUID, name, description and permission lists."""

    id: str
    name: str
    description: str
    actions: tuple[str, ...] = ()
    not_actions: tuple[str, ...] = ()
    data_actions: tuple[str, ...] = ()
    not_data_actions: tuple[str, ...] = ()

    def grants(self, action: str) -> bool:
        """Whether this role grants ``action`` (a data action when it is one of :data:`DATA_ACTIONS`)."""
        return _grants(self.id, action.lower())

    def to_arm(self, subscription: str | None) -> dict[str, Any]:
        """The role definition as ARM returns it, with its id under ``subscription`` when given."""
        prefix = f"/subscriptions/{subscription}" if subscription else ""
        return {
            "properties": {
                "roleName": self.name,
                "type": "BuiltInRole",
                "description": self.description,
                "assignableScopes": ["/"],
                "permissions": [
                    {
                        "actions": list(self.actions),
                        "notActions": list(self.not_actions),
                        "dataActions": list(self.data_actions),
                        "notDataActions": list(self.not_data_actions),
                    }
                ],
                "createdOn": "2015-02-02T21:55:09.8806423Z",
                "updatedOn": "2024-04-25T00:00:00.0000000Z",
                "createdBy": None,
                "updatedBy": None,
            },
            "id": f"{prefix}/providers/{ROLE_DEFINITIONS}/{self.id}",
            "type": ROLE_DEFINITIONS,
            "name": self.id,
        }


_READ_ALL: Final = "*/read"
_SUPPORT: Final = "Microsoft.Support/*"

BUILTIN_ROLES: Final[dict[str, RoleDefinition]] = {
    r.id: r
    for r in (
        RoleDefinition(
            api.OWNER,
            "Owner",
            "Grants full access to manage all resources, including the ability to assign roles in Azure RBAC.",
            actions=("*",),
        ),
        RoleDefinition(
            api.CONTRIBUTOR,
            "Contributor",
            "Grants full access to manage all resources, but does not allow you to assign roles in Azure "
            "RBAC, manage assignments in Azure Blueprints, or share image galleries.",
            actions=("*",),
            not_actions=(
                "Microsoft.Authorization/*/Delete",
                "Microsoft.Authorization/*/Write",
                "Microsoft.Authorization/elevateAccess/Action",
                "Microsoft.Blueprint/blueprintAssignments/write",
                "Microsoft.Blueprint/blueprintAssignments/delete",
                "Microsoft.Compute/galleries/share/action",
                "Microsoft.Purview/consents/write",
                "Microsoft.Purview/consents/delete",
                "Microsoft.Resources/deploymentStacks/manageDenySetting/action",
                "Microsoft.Subscription/cancel/action",
                "Microsoft.Subscription/enable/action",
            ),
        ),
        RoleDefinition(
            api.READER,
            "Reader",
            "View all resources, but does not allow you to make any changes.",
            actions=(_READ_ALL,),
        ),
        RoleDefinition(
            USER_ACCESS_ADMINISTRATOR,
            "User Access Administrator",
            "Lets you manage user access to Azure resources.",
            actions=(_READ_ALL, "Microsoft.Authorization/*", _SUPPORT),
        ),
        RoleDefinition(
            api.MONITORING_METRICS_PUBLISHER,
            "Monitoring Metrics Publisher",
            "Enables publishing metrics against Azure resources",
            actions=(
                "Microsoft.Insights/Register/Action",
                _SUPPORT,
                "Microsoft.Resources/subscriptions/resourceGroups/read",
            ),
            data_actions=("Microsoft.Insights/Metrics/Write", "Microsoft.Insights/Telemetry/Write"),
        ),
        RoleDefinition(
            api.MONITORING_READER,
            "Monitoring Reader",
            "Can read all monitoring data.",
            actions=(_READ_ALL, "Microsoft.OperationalInsights/workspaces/search/action", _SUPPORT),
        ),
        RoleDefinition(
            MONITORING_CONTRIBUTOR,
            "Monitoring Contributor",
            "Can read all monitoring data and update monitoring settings.",
            actions=(
                "*/read",
                "Microsoft.AlertsManagement/alerts/*",
                "Microsoft.AlertsManagement/alertsSummary/*",
                "Microsoft.Insights/actiongroups/*",
                "Microsoft.Insights/activityLogAlerts/*",
                "Microsoft.Insights/AlertRules/*",
                "Microsoft.Insights/components/*",
                "Microsoft.Insights/createNotifications/*",
                "Microsoft.Insights/dataCollectionEndpoints/*",
                "Microsoft.Insights/dataCollectionRules/*",
                "Microsoft.Insights/dataCollectionRuleAssociations/*",
                "Microsoft.Insights/DiagnosticSettings/*",
                "Microsoft.Insights/eventtypes/*",
                "Microsoft.Insights/LogDefinitions/*",
                "Microsoft.Insights/metricalerts/*",
                "Microsoft.Insights/MetricDefinitions/*",
                "Microsoft.Insights/Metrics/*",
                "Microsoft.Insights/notificationStatus/*",
                "Microsoft.Insights/Register/Action",
                "Microsoft.Insights/scheduledqueryrules/*",
                "Microsoft.Insights/webtests/*",
                "Microsoft.Insights/workbooks/*",
                "Microsoft.Insights/workbooktemplates/*",
                "Microsoft.Insights/privateLinkScopes/*",
                "Microsoft.Insights/privateLinkScopeOperationStatuses/*",
                "Microsoft.OperationalInsights/workspaces/write",
                "Microsoft.OperationalInsights/workspaces/intelligencepacks/*",
                "Microsoft.OperationalInsights/workspaces/savedSearches/*",
                "Microsoft.OperationalInsights/workspaces/search/action",
                "Microsoft.OperationalInsights/workspaces/sharedKeys/action",
                "Microsoft.OperationalInsights/workspaces/storageinsightconfigs/*",
                "Microsoft.Support/*",
                "Microsoft.AlertsManagement/smartDetectorAlertRules/*",
                "Microsoft.AlertsManagement/actionRules/*",
                "Microsoft.AlertsManagement/smartGroups/*",
                "Microsoft.AlertsManagement/migrateFromSmartDetection/*",
                "Microsoft.AlertsManagement/investigations/*",
                "Microsoft.Monitor/investigations/*",
            ),
        ),
        RoleDefinition(
            api.LOG_ANALYTICS_READER,
            "Log Analytics Reader",
            "Log Analytics Reader can view and search all monitoring data as well as and view monitoring "
            "settings, including viewing the configuration of Azure diagnostics on all Azure resources.",
            actions=(
                _READ_ALL,
                "Microsoft.OperationalInsights/workspaces/analytics/query/action",
                "Microsoft.OperationalInsights/workspaces/search/action",
                _SUPPORT,
            ),
            not_actions=("Microsoft.OperationalInsights/workspaces/sharedKeys/read",),
        ),
        RoleDefinition(
            api.LOG_ANALYTICS_CONTRIBUTOR,
            "Log Analytics Contributor",
            "Log Analytics Contributor can read all monitoring data and edit monitoring settings. Editing "
            "monitoring settings includes adding the VM extension to VMs; reading storage account keys to "
            "be able to configure collection of logs from Azure Storage; adding solutions; and configuring "
            "Azure diagnostics on all Azure resources.",
            actions=(
                _READ_ALL,
                "Microsoft.ClassicCompute/virtualMachines/extensions/*",
                "Microsoft.ClassicStorage/storageAccounts/listKeys/action",
                "Microsoft.Compute/virtualMachines/extensions/*",
                "Microsoft.HybridCompute/machines/extensions/write",
                "Microsoft.Insights/alertRules/*",
                "Microsoft.Insights/diagnosticSettings/*",
                "Microsoft.OperationalInsights/*",
                "Microsoft.OperationsManagement/*",
                "Microsoft.Resources/deployments/*",
                "Microsoft.Resources/subscriptions/resourcegroups/deployments/*",
                "Microsoft.Storage/storageAccounts/listKeys/action",
                _SUPPORT,
            ),
        ),
    )
}

_BY_NAME: Final = {r.name.lower(): r for r in BUILTIN_ROLES.values()}


def role(role_id: str) -> RoleDefinition | None:
    """The built-in role with GUID ``role_id`` (any case), or None."""
    return BUILTIN_ROLES.get(role_id.lower())


def role_by_name(name: str) -> RoleDefinition | None:
    """The built-in role called ``name`` (``Monitoring Metrics Publisher``, any case), or None."""
    return _BY_NAME.get(name.lower())


def is_data_action(action: str) -> bool:
    return action.lower() in DATA_ACTIONS


@functools.lru_cache(maxsize=256)
def _pattern(pattern: str) -> re.Pattern[str]:
    return re.compile(".*".join(re.escape(p) for p in pattern.lower().split("*")) + r"\Z")


def pattern_matches(pattern: str, action: str) -> bool:
    """Whether an RBAC permission pattern (``*``, ``*/read``, ``Microsoft.Insights/*``) covers ``action``."""
    return _pattern(pattern).match(action.lower()) is not None


@functools.lru_cache(maxsize=4096)
def _grants(role_id: str, action: str) -> bool:
    r = BUILTIN_ROLES[role_id]
    allow, deny = (
        (r.data_actions, r.not_data_actions) if action in DATA_ACTIONS else (r.actions, r.not_actions)
    )
    return any(pattern_matches(p, action) for p in allow) and not any(
        pattern_matches(p, action) for p in deny
    )
