"""Resource groups, Log Analytics workspaces and their custom tables.

Tables are validated by :func:`azlogs.schema.validate_table` (custom ``_CL`` tables only: name rules,
``TimeGenerated``, column names and types, 500 columns). A table PUT completes at once and answers
200 with ``provisioningState: Succeeded``, the synchronous form of the tables API's answer.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from azlogs.emulator.control import ids
from azlogs.emulator.control.auth import Caller
from azlogs.emulator.control.common import (
    check_name,
    keep_or_new,
    new_etag,
    now_iso,
    require_location,
    require_object,
    system_data,
    tags_of,
)
from azlogs.emulator.control.errors import ArmError, parent_not_found
from azlogs.emulator.control.state import ArmState
from azlogs.schema import ArmErrorDetail, ArmValidationError, TableSchema, Vocabulary, validate_table
from azlogs.schema.builtin_tables import builtin_tables
from azlogs.schema.errors import INVALID_TABLE, TABLE_INVALID_MESSAGE
from azlogs.schema.names import STANDARD_COLUMNS

Result = tuple[int, dict[str, Any] | None]

DEFAULT_RETENTION_DAYS = 30
_STANDARD_COLUMN_TYPES = {"TenantId": "guid", "Type": "string", "_ResourceId": "string"}


def location_conflict(name: str, old: str, new: str, resource_group: str) -> ArmError:
    return ArmError(
        409,
        "InvalidResourceLocation",
        f"The resource '{name}' already exists in location '{old}' in resource group '{resource_group}'. "
        f"A resource with the same name cannot be created in location '{new}'. Please select a new "
        "resource name.",
    )


# --- resource groups ---------------------------------------------------------------------------


def put_resource_group(state: ArmState, target: ids.Target, body: Any, caller: Caller) -> Result:
    body = require_object(body)
    assert target.resource_group is not None
    check_name(ids.RESOURCE_GROUPS, target.resource_group)
    location = require_location(body)
    existing = state.get(target.id)
    if existing is not None and existing["location"] != location:
        raise ArmError(
            409,
            "InvalidResourceGroupLocation",
            f"Invalid resource group location '{location}'. The Resource group already exists in "
            f"location '{existing['location']}'.",
        )
    doc: dict[str, Any] = {
        "id": existing["id"]
        if existing
        else ids.rg_id(state.ctx.tenant.subscription_id, target.resource_group),
        "name": existing["name"] if existing else target.resource_group,
        "type": ids.RESOURCE_GROUPS,
        "location": location,
        "properties": {"provisioningState": "Succeeded"},
    }
    tags = tags_of(body)
    if tags is not None:
        doc["tags"] = tags
    state.put(doc)
    return (200 if existing else 201), state.render(doc)


def delete_resource_group(state: ArmState, target: ids.Target) -> Result:
    """Delete the group and what it holds: 202 (Azure's answer; the job is already done), 204 when absent."""
    existing = state.get(target.id)
    if existing is None:
        return 204, None
    for rtype in (ids.DCRS, ids.TABLES, ids.DCES, ids.WORKSPACES, ids.DEPLOYMENTS):
        for doc in state.docs(rtype, under=existing["id"]):
            state.delete(doc["id"])
    state.delete(existing["id"])
    return 202, None


# --- workspaces ----------------------------------------------------------------------------------


def workspace_doc(
    rid: str,
    name: str,
    location: str,
    body: dict[str, Any],
    existing: dict[str, Any] | None,
    caller: Caller,
    customer_id: str | None = None,
) -> dict[str, Any]:
    """The stored document of a workspace created or updated from ``body``."""
    raw = body.get("properties") or {}
    if not isinstance(raw, dict):
        raise ArmError(400, "InvalidRequestContent", "'properties' must be an object.")
    old = existing["properties"] if existing else {}
    now = now_iso()
    props: dict[str, Any] = {**old, **raw}
    sku = raw.get("sku") or old.get("sku") or {"name": "PerGB2018"}
    props.update(
        {
            "customerId": old.get("customerId") or customer_id or str(uuid.uuid4()),
            "provisioningState": "Succeeded",
            "sku": {"name": sku.get("name", "PerGB2018"), "lastSkuUpdate": old.get("createdDate", now)},
            "retentionInDays": raw.get("retentionInDays", old.get("retentionInDays", DEFAULT_RETENTION_DAYS)),
            "createdDate": old.get("createdDate", now),
            "modifiedDate": now,
        }
    )
    # What Azure answers for a workspace without a daily cap (Learn's workspace GET samples).
    cap = props.get("workspaceCapping")
    props["workspaceCapping"] = {
        "dailyQuotaGb": -1.0,
        "quotaNextResetTime": _next_reset(now),
        "dataIngestionStatus": "RespectQuota",
        **(cap if isinstance(cap, dict) else {}),
    }
    props.setdefault("source", "Azure")
    props.setdefault("publicNetworkAccessForIngestion", "Enabled")
    props.setdefault("publicNetworkAccessForQuery", "Enabled")
    props.setdefault(
        "features", {"legacy": 0, "searchVersion": 1, "enableLogAccessUsingOnlyResourcePermissions": True}
    )
    doc: dict[str, Any] = {
        "id": rid,
        "name": name,
        "type": ids.WORKSPACES,
        "location": location,
        "etag": new_etag(),
        "properties": props,
        "systemData": system_data(caller, existing.get("systemData") if existing else None),
    }
    tags = tags_of(body)
    if tags is not None:
        doc["tags"] = tags
    elif existing and "tags" in existing:
        doc["tags"] = existing["tags"]
    if existing and "_sharedKeys" in existing:  # an update keeps the keys (control/sharedkeys.py)
        doc["_sharedKeys"] = existing["_sharedKeys"]
    return doc


def _next_reset(now: str) -> str:
    """The next midnight UTC after ``now``, in the workspace API's RFC 1123 form."""
    t = dt.datetime.strptime(now[:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=dt.timezone.utc)
    reset = (t + dt.timedelta(days=1)).replace(hour=0, minute=0, second=0)
    return reset.strftime("%a, %d %b %Y %H:%M:%S GMT")


def put_workspace(state: ArmState, target: ids.Target, body: Any, caller: Caller) -> Result:
    body = require_object(body)
    check_name(ids.WORKSPACES, target.name)
    location = require_location(body)
    existing = state.get(target.id)
    rid = keep_or_new(existing, target, state)
    if existing is not None and existing["location"] != location:
        raise location_conflict(target.name, existing["location"], location, target.resource_group or "")
    tenant = state.ctx.tenant
    # The tenant's own workspace keeps the customer id written in emulator.json, even when recreated.
    default = ids.fold(rid) == ids.fold(tenant.workspace_resource_id)
    doc = workspace_doc(
        rid,
        existing["name"] if existing else target.name,
        location,
        body,
        existing,
        caller,
        customer_id=tenant.workspace_id if default else None,
    )
    state.put(doc)
    return (200 if existing else 201), state.render(doc)


def delete_workspace(state: ArmState, target: ids.Target) -> Result:
    existing = state.get(target.id)
    if existing is None:
        return 204, None
    for table in state.docs(ids.TABLES, under=existing["id"]):
        state.delete(table["id"])
    state.delete(existing["id"])
    return 200, None


# --- tables ----------------------------------------------------------------------------------


def _column_docs(table: TableSchema) -> list[dict[str, Any]]:
    return [
        {**c.to_arm(Vocabulary.TABLE), "isDefaultDisplay": False, "isHidden": False} for c in table.columns
    ]


def _standard_column(name: str) -> dict[str, Any]:
    # Learn's tables GET sample and the Python SDK's recorded tables list: TenantId is hidden. [U for the others]
    return {
        "name": name,
        "type": _STANDARD_COLUMN_TYPES.get(name, "string"),
        "isDefaultDisplay": False,
        "isHidden": name == "TenantId",
    }


def table_doc(rid: str, table: TableSchema, workspace: dict[str, Any]) -> dict[str, Any]:
    """The stored document of a custom table (what a GET of the tables API returns)."""
    ws_retention = int(workspace["properties"].get("retentionInDays", DEFAULT_RETENTION_DAYS))
    retention = table.retention_in_days if table.retention_in_days not in (None, -1) else ws_retention
    total = table.total_retention_in_days if table.total_retention_in_days not in (None, -1) else retention
    schema: dict[str, Any] = {
        "name": table.name,
        "tableType": "CustomLog",
        "tableSubType": "DataCollectionRuleBased",
        "columns": _column_docs(table),
        "standardColumns": [_standard_column(n) for n in STANDARD_COLUMNS],
        "solutions": ["LogManagement"],
        "isTroubleshootingAllowed": True,
    }
    if table.description is not None:
        schema["description"] = table.description
    return {
        "id": rid,
        "name": table.name,
        "type": ids.TABLES,
        "properties": {
            "totalRetentionInDays": total,
            "archiveRetentionInDays": max(0, int(total or 0) - int(retention or 0)),
            "plan": table.plan or "Analytics",
            "retentionInDaysAsDefault": table.retention_in_days in (None, -1),
            "totalRetentionInDaysAsDefault": table.total_retention_in_days in (None, -1),
            "schema": schema,
            "provisioningState": "Succeeded",
            "retentionInDays": retention,
        },
    }


def builtin_table_doc(state: ArmState, target: ids.Target) -> dict[str, Any] | None:
    """GET of a built-in table every workspace has (``Syslog``...): Azure answers it with ``tableType: Microsoft``.

    A Microsoft table's own columns are its ``standardColumns``; ``columns`` holds only custom ones (none here).
    """
    ws = state.get(target.id.rsplit("/tables/", 1)[0])
    schema = builtin_tables().get(target.name.lower())
    if ws is None or ws["type"] != ids.WORKSPACES or schema is None:
        return None
    doc = table_doc(f"{ws['id']}/tables/{schema.name}", schema, ws)
    s = doc["properties"]["schema"]
    s["tableType"] = "Microsoft"
    s["tableSubType"] = "Any"  # Learn's sample GET of tables/Heartbeat
    s["standardColumns"] = [*s["columns"], *s["standardColumns"]]
    s["columns"] = []
    return doc


def _type_changes(old: TableSchema, new: TableSchema) -> list[ArmErrorDetail]:
    before = {c.name.lower(): c for c in old.columns}
    out = []
    for i, col in enumerate(new.columns):
        prev = before.get(col.name.lower())
        if prev is not None and prev.type is not col.type:
            out.append(
                ArmErrorDetail(
                    INVALID_TABLE,
                    f"column '{col.name}' exists with type '{prev.to_arm(Vocabulary.TABLE)['type']}'; the "
                    "type of an existing column cannot be changed",
                    f"properties.schema.columns[{i}]",
                )
            )
    return out


def put_table(state: ArmState, target: ids.Target, body: Any, caller: Caller) -> Result:
    ws_id = target.id.rsplit("/tables/", 1)[0]
    workspace = state.get(ws_id)
    if workspace is None:
        raise parent_not_found("write", ids.TABLES, ws_id)
    try:
        table = validate_table(body, name=target.name)
    except ArmValidationError as exc:
        raise ArmError.from_validation(exc) from exc
    existing = state.get(target.id)
    if existing is not None:
        old = state.table_schema(existing["id"])
        problems = _type_changes(old, table) if old is not None else []
        if problems:
            raise ArmError.from_validation(ArmValidationError(problems, message=TABLE_INVALID_MESSAGE))
    rid = existing["id"] if existing else f"{workspace['id']}/tables/{target.name}"
    doc = table_doc(rid, table, workspace)
    state.put(doc, table)
    return 200, state.render(doc)


def delete_table(state: ArmState, target: ids.Target) -> Result:
    return (200, None) if state.delete(target.id) is not None else (204, None)
