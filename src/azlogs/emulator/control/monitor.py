"""Data collection endpoints and data collection rules.

A DCE gets a ``logsIngestion.endpoint`` of ``{https}/dce/{name}-{4 chars}``; a ``kind: Direct`` DCR
gets ``endpoints.logsIngestion`` of ``{https}/dcr/{name}-{4 chars}``. Path keys and immutable ids
(``dce-``/``dcr-`` + 32 lowercase hex) are kept across updates and new after delete and recreate.

DCRs are validated by :func:`azlogs.schema.validate_dcr` with the output tables of the workspaces
their destinations name; on top of it the control plane checks what needs ARM state: the DCE named by
``dataCollectionEndpointId`` exists and is in the rule's region, and with several workspaces, each
flow's output table exists in each of its destinations' workspaces.
"""

from __future__ import annotations

import secrets
import string
from collections.abc import Mapping
from typing import Any, Final

from azlogs.emulator.control import ids
from azlogs.emulator.control.auth import Caller
from azlogs.emulator.control.common import (
    check_name,
    keep_or_new,
    new_etag,
    normalize_location,
    require_location,
    require_object,
    system_data,
    tags_of,
)
from azlogs.emulator.control.errors import ArmError, resource_not_found
from azlogs.emulator.control.state import ArmState
from azlogs.emulator.control.transforms import check_transform
from azlogs.emulator.control.workspaces import Result, location_conflict
from azlogs.schema import ArmErrorDetail, ArmValidationError, DataCollectionRule, TableSchema, validate_dcr
from azlogs.schema.errors import INVALID_OUTPUT_TABLE

# Our name for a detail whose real code is not published. [U]
INVALID_DCE: Final = "InvalidDataCollectionEndpoint"
_KEY_ALPHABET: Final = string.ascii_lowercase + string.digits
_PUBLIC_ACCESS: Final = ("Enabled", "Disabled", "SecuredByPerimeter")


def new_immutable_id(prefix: str) -> str:
    """``dcr-`` or ``dce-`` followed by 32 lowercase hex digits, as Azure writes them."""
    return f"{prefix}-{secrets.token_hex(16)}"


def new_path_key(state: ArmState, name: str) -> str:
    """``{name}-{4 random chars}``, unique among the emulator's endpoints."""
    used = state.path_keys()
    while True:
        key = f"{name.lower()}-{''.join(secrets.choice(_KEY_ALPHABET) for _ in range(4))}"
        if key not in used:
            return key


def _unused_immutable_id(state: ArmState, prefix: str) -> str:
    while True:
        candidate = new_immutable_id(prefix)
        if prefix != "dcr" or state.dcr_by_immutable_id(candidate) is None:
            return candidate


def _kind_change(existing: Mapping[str, Any], kind: str | None) -> None:
    if (existing.get("kind") or "").lower() != (kind or "").lower():
        raise ArmError(
            400,
            "PropertyChangeNotAllowed",
            f"Changing property 'kind' is not allowed (from '{existing.get('kind')}' to '{kind}'); "
            "delete the resource and create it again.",
            target="kind",
        )


# --- data collection endpoints -------------------------------------------------------------------


def put_dce(state: ArmState, target: ids.Target, body: Any, caller: Caller) -> Result:
    body = require_object(body)
    check_name(ids.DCES, target.name)
    location = require_location(body)
    existing = state.get(target.id)
    if existing is not None and existing["location"] != location:
        raise location_conflict(target.name, existing["location"], location, target.resource_group or "")
    raw = body.get("properties") or {}
    if not isinstance(raw, dict):
        raise ArmError(400, "InvalidRequestContent", "'properties' must be an object.")
    acls = raw.get("networkAcls") or {"publicNetworkAccess": "Enabled"}
    if not isinstance(acls, dict) or acls.get("publicNetworkAccess", "Enabled") not in _PUBLIC_ACCESS:
        raise ArmError(
            400,
            "InvalidPayload",
            f"'networkAcls.publicNetworkAccess' must be one of {', '.join(_PUBLIC_ACCESS)}.",
            target="properties.networkAcls.publicNetworkAccess",
        )
    kind = body.get("kind")
    if existing is not None:
        _kind_change(existing, kind)
    props: dict[str, Any] = {
        "immutableId": existing["properties"]["immutableId"]
        if existing
        else _unused_immutable_id(state, "dce"),
        "networkAcls": {"publicNetworkAccess": acls.get("publicNetworkAccess", "Enabled")},
        "provisioningState": "Succeeded",
    }
    if isinstance(raw.get("description"), str):
        props["description"] = raw["description"]
    doc: dict[str, Any] = {
        "id": keep_or_new(existing, target, state),
        "name": existing["name"] if existing else target.name,
        "type": ids.DCES,
        "location": location,
        "etag": new_etag(),
        "properties": props,
        "systemData": system_data(caller, existing.get("systemData") if existing else None),
        "_pathKey": existing["_pathKey"] if existing else new_path_key(state, target.name),
    }
    if kind is not None:
        doc["kind"] = kind
    tags = tags_of(body)
    if tags is not None:
        doc["tags"] = tags
    state.put(doc)
    # Azure answers 200 to a fresh PUT of a DCE or DCR too (recorded live sessions, 2024-03-11).
    return 200, state.render(doc)


# --- data collection rules ----------------------------------------------------------------------


def _raw_props(body: Mapping[str, Any]) -> Mapping[str, Any]:
    props = body.get("properties")
    return props if isinstance(props, Mapping) else {}


def _la_workspaces(body: Mapping[str, Any]) -> dict[str, str]:
    """Log Analytics destination name -> workspace resource id, read leniently from the raw body."""
    dests = _raw_props(body).get("destinations")
    la = dests.get("logAnalytics") if isinstance(dests, Mapping) else None
    out: dict[str, str] = {}
    for d in la if isinstance(la, list) else []:
        if (
            isinstance(d, Mapping)
            and isinstance(d.get("name"), str)
            and isinstance(d.get("workspaceResourceId"), str)
        ):
            out[d["name"]] = d["workspaceResourceId"]
    return out


def _dce_problems(state: ArmState, body: Mapping[str, Any], location: str | None) -> list[ArmErrorDetail]:
    dce_id = _raw_props(body).get("dataCollectionEndpointId")
    if dce_id is None:
        return []
    where = "Properties.DataCollectionEndpointId"
    dce = state.get(dce_id) if isinstance(dce_id, str) else None
    if dce is None or dce["type"] != ids.DCES:
        return [
            ArmErrorDetail(
                INVALID_DCE,
                f"Data collection endpoint '{dce_id}' was not found; create it first or fix the id "
                "(/subscriptions/.../resourceGroups/.../providers/Microsoft.Insights/dataCollectionEndpoints/...)",
                where,
            )
        ]
    if location is not None and dce["location"] != location:
        return [
            ArmErrorDetail(
                INVALID_DCE,
                f"Data collection endpoint '{dce['name']}' is in '{dce['location']}'; a data collection "
                f"rule in '{location}' can only use an endpoint in the same region",
                where,
            )
        ]
    return []


def _table_in(state: ArmState, workspace_id: str, name: str) -> TableSchema | None:
    record = state.table(workspace_id, name)
    return record.schema if record is not None else None


def _per_workspace_problems(
    state: ArmState, rule: DataCollectionRule, workspaces: Mapping[str, str]
) -> list[ArmErrorDetail]:
    # validate_dcr looks tables up by name only; with one workspace that is exact, with several a flow's
    # table must exist in the workspace of each of its own destinations.
    out = []
    for i, flow in enumerate(rule.data_flows):
        table = flow.output_table
        for dest in flow.destinations:
            ws = workspaces.get(dest)
            if table is None or ws is None or _table_in(state, ws, table) is not None:
                continue
            out.append(
                ArmErrorDetail(
                    INVALID_OUTPUT_TABLE,
                    f"Table for output stream '{flow.effective_output_stream}' is not available for "
                    f"destination '{dest}'.",
                    f"Properties.DataFlows[{i}].OutputStream",
                )
            )
    return out


def _validate(state: ArmState, body: Mapping[str, Any]) -> DataCollectionRule:
    workspaces = _la_workspaces(body)
    distinct = {ids.fold(w): w for w in workspaces.values()}

    def lookup(name: str) -> TableSchema | None:
        for ws in distinct.values():
            found = _table_in(state, ws, name)
            if found is not None:
                return found
        return None

    def workspace_exists(rid: str) -> bool:
        return state.workspace_by_resource_id(rid) is not None

    location = body.get("location")
    extra = _dce_problems(state, body, normalize_location(location) if isinstance(location, str) else None)
    try:
        rule = validate_dcr(body, tables=lookup, workspaces=workspace_exists, flow_checks=(check_transform,))
    except ArmValidationError as exc:
        exc.details.extend(extra)
        raise
    if len(distinct) > 1:
        extra.extend(_per_workspace_problems(state, rule, workspaces))
    if extra:
        raise ArmValidationError(extra)
    return rule


def put_dcr(state: ArmState, target: ids.Target, body: Any, caller: Caller) -> Result:
    body = require_object(body)
    check_name(ids.DCRS, target.name)
    require_location(body)  # ARM's own LocationRequired, before the provider validates the rule
    try:
        rule = _validate(state, body)
    except ArmValidationError as exc:
        raise ArmError.from_validation(exc) from exc
    location = normalize_location(rule.location)
    existing = state.get(target.id)
    if existing is not None:
        if existing["location"] != location:
            raise location_conflict(target.name, existing["location"], location, target.resource_group or "")
        _kind_change(existing, rule.kind)
    written = rule.to_arm()
    props: dict[str, Any] = dict(written["properties"])
    props["immutableId"] = (
        existing["properties"]["immutableId"] if existing else _unused_immutable_id(state, "dcr")
    )
    for dest in props.get("destinations", {}).get("logAnalytics", []):
        ws = state.workspace_by_resource_id(dest["workspaceResourceId"])
        if ws is not None:
            dest["workspaceId"] = ws.customer_id
    props["provisioningState"] = "Succeeded"
    doc: dict[str, Any] = {
        "id": keep_or_new(existing, target, state),
        "name": existing["name"] if existing else target.name,
        "type": ids.DCRS,
        "location": location,
        "etag": new_etag(),
        "properties": props,
        "systemData": system_data(caller, existing.get("systemData") if existing else None),
    }
    if rule.kind is not None:
        doc["kind"] = rule.kind
    if rule.tags is not None:
        doc["tags"] = dict(rule.tags)
    if rule.is_direct:
        doc["_pathKey"] = (existing or {}).get("_pathKey") or new_path_key(state, target.name)
    state.put(doc, DataCollectionRule.from_arm(doc))
    # Azure answers 200 to a fresh PUT of a DCE or DCR too (recorded live sessions, 2024-03-11).
    return 200, state.render(doc)


def delete_plain(state: ArmState, target: ids.Target) -> Result:
    """DELETE of a resource without children: 200 when it existed, 204 when it did not."""
    return (200, None) if state.delete(target.id) is not None else (204, None)


def patch_tags(state: ArmState, target: ids.Target, body: Any, caller: Caller) -> Result:
    """PATCH ``{"tags": {...}}`` of a tracked resource (the SDKs' ``update``)."""
    body = require_object(body)
    existing = state.get(target.id)
    if existing is None:
        raise resource_not_found(target.rtype, target.names, target.resource_group or "")
    doc = dict(existing)
    tags = tags_of(body)
    if tags is not None:
        doc["tags"] = tags
    if "etag" in doc:
        doc["etag"] = new_etag()
    doc["systemData"] = system_data(caller, existing.get("systemData"))
    state.put(doc, state.rule(doc["id"]) or state.table_schema(doc["id"]))
    return 200, state.render(doc)
