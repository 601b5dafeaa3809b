"""Diagnostic settings of data collection rules: ``{dcr}/providers/Microsoft.Insights/diagnosticSettings/{name}``.

The shape is ``Microsoft.Insights/diagnosticSettings`` of api-version 2021-05-01-preview
(azure-rest-api-specs ``monitor/resource-manager/Microsoft.Insights/preview/2021-05-01-preview/
diagnosticsSettings_API.json``): ``properties.workspaceId``, ``logs[]`` of ``{category | categoryGroup,
enabled}``, ``metrics[]``. A DCR has one log category, ``LogErrors`` (Microsoft Learn, "Supported
logs for Microsoft.Insights/datacollectionrules"), in the groups ``allLogs`` and ``audit`` [U: the
group membership]. With it enabled and a Log Analytics workspace as destination, the emulator's
ingestion plane writes ``DCRLogErrors`` rows into that workspace (:func:`azlogs.emulator.control.api.sends_log_errors`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from azlogs.emulator.control import ids
from azlogs.emulator.control.api import CATEGORY_GROUPS, LOG_ERRORS
from azlogs.emulator.control.common import require_object
from azlogs.emulator.control.errors import bad_request, resource_not_found

if TYPE_CHECKING:
    from azlogs.emulator.control.auth import Caller
    from azlogs.emulator.control.state import ArmState

Result = tuple[int, dict[str, Any] | None]

METRIC_CATEGORIES: Final = ("AllMetrics",)
API_VERSIONS: Final = ("2017-05-01-preview", "2021-05-01-preview")
_DESTINATIONS: Final = (
    "workspaceId",
    "storageAccountId",
    "eventHubAuthorizationRuleId",
    "marketplacePartnerId",
)


def _entries(raw: Any, kind: str, allowed: tuple[str, ...], groups: tuple[str, ...]) -> list[dict[str, Any]]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise bad_request("InvalidRequestContent", f"'{kind}' must be an array.", kind)
    out: list[dict[str, Any]] = []
    for entry in raw:
        if not isinstance(entry, dict):
            raise bad_request("InvalidRequestContent", f"Each entry of '{kind}' must be an object.", kind)
        category, group = entry.get("category"), entry.get("categoryGroup")
        if group is not None:
            if not isinstance(group, str) or group.lower() not in (g.lower() for g in groups):
                raise bad_request("BadRequest", f"Category group '{group}' is not supported.")
        elif not isinstance(category, str) or category.lower() not in (a.lower() for a in allowed):
            raise bad_request("BadRequest", f"Category '{category}' is not supported.")
        enabled = entry.get("enabled")
        if not isinstance(enabled, bool):
            raise bad_request(
                "InvalidRequestContent", f"Each entry of '{kind}' needs 'enabled' (true or false)."
            )
        item: dict[str, Any] = {"category": category, "categoryGroup": group, "enabled": enabled}
        if kind == "metrics":
            item.pop("categoryGroup")
        item["retentionPolicy"] = entry.get("retentionPolicy") or {"enabled": False, "days": 0}
        out.append(item)
    return out


def put_diagnostic_setting(state: ArmState, target: ids.Target, body: Any, caller: Caller) -> Result:
    """Create or replace a DCR's diagnostic setting (200, as Azure answers both)."""
    body = require_object(body)
    dcr = state.get(target.scope)
    if dcr is None or dcr["type"] != ids.DCRS:
        parent = ids.parse_path(target.scope)
        raise resource_not_found(ids.DCRS, parent.names, parent.resource_group or "")
    props = body.get("properties")
    if not isinstance(props, dict):
        raise bad_request("InvalidRequestContent", "The request content must have 'properties'.")
    if not any(isinstance(props.get(d), str) and props.get(d) for d in _DESTINATIONS):
        raise bad_request(
            "BadRequest",
            "At least one destination (workspaceId, storageAccountId, eventHubAuthorizationRuleId or "
            "marketplacePartnerId) is required.",
        )
    workspace = props.get("workspaceId")
    if workspace is not None:
        ws = state.get(workspace) if isinstance(workspace, str) else None
        if ws is None or ws["type"] != ids.WORKSPACES:
            raise bad_request(
                "LinkedResourceNotFound", f"The Log Analytics workspace '{workspace}' was not found."
            )
        workspace = ws["id"]
    logs = _entries(props.get("logs"), "logs", (LOG_ERRORS,), CATEGORY_GROUPS)
    metrics = _entries(props.get("metrics"), "metrics", METRIC_CATEGORIES, ())
    out_props: dict[str, Any] = {
        k: v for k, v in props.items() if k not in ("logs", "metrics", "workspaceId")
    }
    out_props.update({"workspaceId": workspace, "logs": logs, "metrics": metrics})
    out_props.setdefault("logAnalyticsDestinationType", None)
    doc = {
        "id": f"{dcr['id']}/providers/{ids.DIAGNOSTIC_SETTINGS}/{target.name}",
        "type": ids.DIAGNOSTIC_SETTINGS,
        "name": target.name,
        "properties": out_props,
    }
    state.put(doc)
    return 200, state.render(doc)


def delete_diagnostic_setting(state: ArmState, target: ids.Target) -> Result:
    """DELETE: 200 when it existed, 204 when it did not."""
    return (200, None) if state.delete(target.id) is not None else (204, None)


def categories(dcr_id: str) -> dict[str, Any]:
    """``GET {dcr}/providers/Microsoft.Insights/diagnosticSettingsCategories``: LogErrors and AllMetrics."""
    base = f"{dcr_id}/providers/Microsoft.Insights/diagnosticSettingsCategories"
    kinds: tuple[tuple[str, str, list[str]], ...] = (
        (LOG_ERRORS, "Logs", list(CATEGORY_GROUPS)),
        (METRIC_CATEGORIES[0], "Metrics", []),
    )
    return {
        "value": [
            {
                "id": f"{base}/{name}",
                "name": name,
                "type": "Microsoft.Insights/diagnosticSettingsCategories",
                "properties": {"categoryType": kind, "categoryGroups": groups},
            }
            for name, kind, groups in kinds
        ]
    }
