"""The resource providers' write handlers by type, and the RBAC action each ARM request needs.

Shared by the HTTP routes, start-up provisioning and template deployments, so a resource written by any
of them goes through the same validation.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from azlogs.emulator.control import diagnostic_settings, ids, monitor, rbac, workspaces

Handler = Callable[..., tuple[int, dict[str, Any] | None]]

VERBS: Final = {"GET": "read", "HEAD": "read", "PUT": "write", "PATCH": "write", "DELETE": "delete"}

PUT_HANDLERS: Final[dict[str, Handler]] = {
    ids.RESOURCE_GROUPS: workspaces.put_resource_group,
    ids.WORKSPACES: workspaces.put_workspace,
    ids.TABLES: workspaces.put_table,
    ids.DCES: monitor.put_dce,
    ids.DCRS: monitor.put_dcr,
    ids.ROLE_ASSIGNMENTS: rbac.put_role_assignment,
    ids.DIAGNOSTIC_SETTINGS: diagnostic_settings.put_diagnostic_setting,
}
DELETE_HANDLERS: Final[dict[str, Handler]] = {
    ids.RESOURCE_GROUPS: workspaces.delete_resource_group,
    ids.WORKSPACES: workspaces.delete_workspace,
    ids.TABLES: workspaces.delete_table,
    ids.DCES: monitor.delete_plain,
    ids.DCRS: monitor.delete_plain,
    ids.ROLE_ASSIGNMENTS: rbac.delete_role_assignment,
    ids.DIAGNOSTIC_SETTINGS: diagnostic_settings.delete_diagnostic_setting,
}


def action_for(target: ids.Target, method: str) -> str:
    """The RBAC action ARM checks for ``method`` on ``target``."""
    base = (
        "Microsoft.Resources/subscriptions/resourceGroups"
        if target.rtype == ids.RESOURCE_GROUPS
        else target.rtype
    )
    if target.rtype == ids.PROVIDERS and target.tail:  # register / unregister
        return f"{target.name}/{target.tail[0].lower()}/action"
    if target.rtype == ids.DEPLOYMENTS and target.tail:
        # validate and exportTemplate are actions; operations and operationStatuses are reads.
        child = target.tail[0]
        return f"{base}/{child}/{'action' if method == 'POST' else 'read'}"
    return f"{base}/{VERBS[method]}"
