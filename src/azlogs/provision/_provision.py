"""Provision a custom-log pipeline through ARM: table, (DCE,) Direct DCR, role assignment.

Each resource is read first and written only when it must change, so a second run with the same
input reports "unchanged" everywhere. After each write the resource is read back until ARM serves
it complete (``provisioningState`` Succeeded, the DCR's immutable id and endpoint present): what is
printed at the end is ready to paste into ``azlogs send``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from azlogs._exceptions import PermanentServiceError, SchemaError, UsageError
from azlogs.facts import MONITORING_METRICS_PUBLISHER_ROLE
from azlogs.provision._arm import ArmClient, ArmRequestError
from azlogs.provision._merge import Mode, Spec, existing_flow, plan_dcr, plan_pipeline, same_table
from azlogs.provision._target import ArmTarget, dcr_resource_id
from azlogs.schema.model import DataCollectionRule, TableSchema
from azlogs.schema.template import (
    DCR_API_VERSION,
    LOG_ANALYTICS_READER_ROLE_ID,
    MONITORING_METRICS_PUBLISHER_ROLE_ID,
    ROLE_ASSIGNMENT_API_VERSION,
    TABLE_API_VERSION,
    default_dcr_name,
    role_assignment,
)

__all__ = ["Change", "ProvisionRequest", "ProvisionResult", "assign_role", "provision"]

DCE_API_VERSION: Final = DCR_API_VERSION
WORKSPACE_API_VERSION: Final = "2022-10-01"
Action = Literal["created", "updated", "unchanged"]
# How a change names the roles azlogs grants (any other role is named by its id).
_ROLE_NAMES: Final = {
    MONITORING_METRICS_PUBLISHER_ROLE_ID: MONITORING_METRICS_PUBLISHER_ROLE,
    LOG_ANALYTICS_READER_ROLE_ID: "Log Analytics Reader",
}


@dataclass(frozen=True)
class ProvisionRequest:
    """What to provision.

    Attributes:
        spec: table, stream and transformation (from samples, a schema file, and ``--transform``).
        mode: ``create`` (never change what exists) or ``merge`` (add columns, never drop).
        dcr_name: the DCR's resource name; ``dcr-<table>`` by default.
        dce: also create a data collection endpoint and link the DCR to it.
        principal_id: the object id to grant Monitoring Metrics Publisher on the DCR, if any.
        principal_type: ``ServicePrincipal`` (managed identities), ``User`` or ``Group``.
    """

    spec: Spec
    mode: Mode = "create"
    dcr_name: str | None = None
    dce: bool = False
    principal_id: str | None = None
    principal_type: str = "ServicePrincipal"


@dataclass(frozen=True)
class Change:
    """What happened to one resource."""

    kind: Literal["table", "dce", "dcr", "role"]
    action: Action
    resource_id: str
    detail: str = ""

    def to_json(self) -> dict[str, str]:
        """The change as a JSON object."""
        return {"kind": self.kind, "action": self.action, "id": self.resource_id, "detail": self.detail}


@dataclass
class ProvisionResult:
    """What ``azlogs send`` needs, and what was done to get it."""

    endpoint: str
    immutable_id: str
    stream: str
    table: str
    dcr_id: str
    dce_id: str | None
    role_assignment_id: str | None
    transform_kql: str
    changes: list[Change] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        """Whether any resource was created or updated."""
        return any(c.action != "unchanged" for c in self.changes)

    def env(self) -> dict[str, str]:
        """The variables ``azlogs send`` reads."""
        return {
            "AZLOGS_ENDPOINT": self.endpoint,
            "AZLOGS_DCR": self.immutable_id,
            "AZLOGS_STREAM": self.stream,
        }

    def to_json(self) -> dict[str, Any]:
        """The result as a JSON object."""
        return {
            "endpoint": self.endpoint,
            "dcr_immutable_id": self.immutable_id,
            "stream": self.stream,
            "table": self.table,
            "dcr_id": self.dcr_id,
            "dce_id": self.dce_id,
            "role_assignment_id": self.role_assignment_id,
            "transform_kql": self.transform_kql,
            "changed": self.changed,
            "changes": [c.to_json() for c in self.changes],
            "notes": list(self.notes),
        }


class _Waiter:
    def __init__(self, timeout: float, interval: float, sleep: Callable[[float], None]) -> None:
        self.timeout = timeout
        self.interval = interval
        self.sleep = sleep

    def until(
        self, what: str, read: Callable[[], dict[str, Any] | None], ready: Callable[[dict[str, Any]], bool]
    ) -> dict[str, Any]:
        deadline = time.monotonic() + self.timeout
        while True:
            doc = read()
            if doc is not None and ready(doc):
                return doc
            if time.monotonic() >= deadline:
                state = (doc or {}).get("properties", {}).get("provisioningState", "not found")
                raise PermanentServiceError(
                    f"{what} was not readable and complete within {self.timeout:.0f} s (state: {state})",
                    status=0,
                    hint="ARM may still be working on it: run the same command again in a few minutes",
                )
            self.sleep(self.interval)


def _succeeded(doc: dict[str, Any]) -> bool:
    state = (doc.get("properties") or {}).get("provisioningState")
    if state is not None and str(state).lower() == "failed":
        raise PermanentServiceError(f"ARM reports provisioningState Failed for {doc.get('id')}", status=0)
    return state is None or str(state).lower() == "succeeded"


def _read_table(doc: dict[str, Any] | None, name: str) -> TableSchema | None:
    return None if doc is None else TableSchema.from_arm(doc, name=name)


def _table_body(table: TableSchema, existing: dict[str, Any] | None) -> dict[str, Any]:
    body = TableSchema(table.name, table.columns, plan=table.plan, description=table.description).to_arm()
    props = (existing or {}).get("properties") or {}
    # A PUT without retention resets it to the workspace default: keep what was set on purpose.
    if props.get("retentionInDays") is not None and props.get("retentionInDaysAsDefault") is False:
        body["properties"]["retentionInDays"] = props["retentionInDays"]
    if props.get("totalRetentionInDays") is not None and props.get("totalRetentionInDaysAsDefault") is False:
        body["properties"]["totalRetentionInDays"] = props["totalRetentionInDays"]
    if props.get("plan") and "plan" not in body["properties"]:
        body["properties"]["plan"] = props["plan"]
    return body


def _same_dcr(a: DataCollectionRule, b: DataCollectionRule) -> bool:
    def norm(rule: DataCollectionRule) -> Any:
        props = rule.to_arm()["properties"]
        for dest in props.get("destinations", {}).get("logAnalytics", []):
            dest["workspaceResourceId"] = dest["workspaceResourceId"].lower()
            dest.pop("workspaceId", None)
        if props.get("dataCollectionEndpointId"):
            props["dataCollectionEndpointId"] = props["dataCollectionEndpointId"].lower()
        return props, (rule.kind or "").lower()

    return bool(norm(a) == norm(b))


def provision(
    arm: ArmClient,
    target: ArmTarget,
    request: ProvisionRequest,
    *,
    timeout: float = 300.0,
    interval: float = 2.0,
    sleep: Callable[[float], None] = time.sleep,
) -> ProvisionResult:
    """Create or update table, DCE (when asked), DCR and role assignment; idempotent.

    Raises:
        SchemaError: the request conflicts with what exists (see :func:`plan_pipeline`).
        ArmRequestError: ARM refused a call (its code, message and details are in the error).
    """
    wait = _Waiter(timeout, interval, sleep)
    spec = request.spec
    changes: list[Change] = []
    ws = arm.get(target.workspace_resource_id, WORKSPACE_API_VERSION)
    if ws is None:
        raise UsageError(
            f"the workspace {target.workspace_resource_id} does not exist (or is not visible to this identity)",
            hint="pass --workspace with the resource id of an existing Log Analytics workspace",
        )
    location = target.location or str(ws.get("location") or "")
    table_id = f"{ws.get('id') or target.workspace_resource_id}/tables/{spec.table.name}"
    dcr_id = dcr_resource_id(target, request.dcr_name or default_dcr_name(spec.table.name))

    table_doc = arm.get(table_id, TABLE_API_VERSION)
    table = _read_table(table_doc, spec.table.name)
    dcr_doc = arm.get(dcr_id, DCR_API_VERSION)
    dcr = DataCollectionRule.from_arm(dcr_doc) if dcr_doc is not None else None
    flow = existing_flow(dcr, spec.stream.name, spec.table.name)
    stream = dcr.stream(spec.stream.name) if dcr is not None else None
    plan = plan_pipeline(
        spec,
        request.mode,
        table=table,
        stream=stream,
        transform_kql=(flow.transform_kql or "source") if flow is not None else None,
    )

    if table is not None and same_table(table, plan.table):
        changes.append(Change("table", "unchanged", table_id))
    else:
        arm.put(table_id, TABLE_API_VERSION, _table_body(plan.table, table_doc))
        wanted = {c.name.lower() for c in plan.table.columns}

        def table_ready(doc: dict[str, Any]) -> bool:
            got = _read_table(doc, spec.table.name)
            return _succeeded(doc) and got is not None and wanted <= {c.name.lower() for c in got.columns}

        wait.until(f"table {spec.table.name}", lambda: arm.get(table_id, TABLE_API_VERSION), table_ready)
        detail = "" if table is None else f"added columns {', '.join(plan.table_added)}"
        changes.append(Change("table", "created" if table is None else "updated", table_id, detail))

    dce_id = None
    dce_endpoint = None
    if request.dce:
        dce_id, dce_endpoint = _ensure_dce(arm, target, dcr_id, location, changes, wait)

    wanted_rule = plan_dcr(
        dcr, plan, location=location, workspace_resource_id=target.workspace_resource_id, dce_id=dce_id
    )
    if dcr is not None and _same_dcr(dcr, wanted_rule):
        changes.append(Change("dcr", "unchanged", dcr_id))
    else:
        if (
            dcr is not None
            and (dcr.kind or "").lower() != "direct"
            and dce_id is None
            and not dcr.data_collection_endpoint_id
        ):
            raise SchemaError(
                f"DCR {dcr_id} is of kind {dcr.kind!r} and has no DCE: it has no logs-ingestion endpoint",
                hint="pass --dce",
            )
        arm.put(dcr_id, DCR_API_VERSION, wanted_rule.to_arm())
        detail = (
            ""
            if dcr is None
            else f"stream {plan.stream.name}: added {', '.join(plan.stream_added) or 'no columns'}"
        )
        changes.append(Change("dcr", "created" if dcr is None else "updated", dcr_id, detail))

    def dcr_ready(doc: dict[str, Any]) -> bool:
        props = doc.get("properties") or {}
        has_endpoint = dce_id is not None or bool((props.get("endpoints") or {}).get("logsIngestion"))
        return _succeeded(doc) and bool(props.get("immutableId")) and has_endpoint

    dcr_doc = wait.until(f"DCR {dcr_id}", lambda: arm.get(dcr_id, DCR_API_VERSION), dcr_ready)
    props = dcr_doc["properties"]
    dcr_id = str(dcr_doc.get("id") or dcr_id)
    endpoint = dce_endpoint or (props.get("endpoints") or {}).get("logsIngestion")
    if not endpoint and props.get("dataCollectionEndpointId"):
        endpoint = _dce_endpoint(arm.get(props["dataCollectionEndpointId"], DCE_API_VERSION))
    if not endpoint:
        raise PermanentServiceError(
            f"DCR {dcr_id} has no logs-ingestion endpoint", status=0, hint="pass --dce to create a DCE for it"
        )

    assignment_id = None
    notes = list(plan.notes)
    if request.principal_id:
        assignment_id = _ensure_role(arm, target, dcr_id, request, changes, wait, notes)
    return ProvisionResult(
        endpoint=str(endpoint),
        immutable_id=str(props["immutableId"]),
        stream=plan.stream.name,
        table=plan.table.name,
        dcr_id=dcr_id,
        dce_id=dce_id,
        role_assignment_id=assignment_id,
        transform_kql=plan.transform_kql,
        changes=changes,
        notes=notes,
    )


def _dce_endpoint(doc: dict[str, Any] | None) -> str | None:
    props = (doc or {}).get("properties") or {}
    value = (props.get("logsIngestion") or {}).get("endpoint")
    return str(value) if value else None


def _ensure_dce(
    arm: ArmClient, target: ArmTarget, dcr_id: str, location: str, changes: list[Change], wait: _Waiter
) -> tuple[str, str]:
    name = "dce-" + dcr_id.rsplit("/", 1)[-1].removeprefix("dcr-")
    dce_id = f"/subscriptions/{target.subscription_id}/resourceGroups/{target.resource_group}/providers/Microsoft.Insights/dataCollectionEndpoints/{name[:44].rstrip('-')}"
    doc = arm.get(dce_id, DCE_API_VERSION)
    if doc is None:
        arm.put(
            dce_id,
            DCE_API_VERSION,
            {"location": location, "properties": {"networkAcls": {"publicNetworkAccess": "Enabled"}}},
        )
        changes.append(Change("dce", "created", dce_id))
    else:
        changes.append(Change("dce", "unchanged", dce_id))
    doc = wait.until(
        f"DCE {dce_id}",
        lambda: arm.get(dce_id, DCE_API_VERSION),
        lambda d: _succeeded(d) and _dce_endpoint(d) is not None,
    )
    endpoint = _dce_endpoint(doc)
    assert endpoint is not None
    return str(doc.get("id") or dce_id), endpoint


def _ensure_role(
    arm: ArmClient,
    target: ArmTarget,
    dcr_id: str,
    request: ProvisionRequest,
    changes: list[Change],
    wait: _Waiter,
    notes: list[str],
) -> str:
    principal = request.principal_id
    assert principal is not None
    change = _assign(
        arm,
        dcr_id,
        principal,
        target.subscription_id,
        MONITORING_METRICS_PUBLISHER_ROLE_ID,
        request.principal_type,
        wait,
    )
    changes.append(change)
    if change.action == "created":
        notes.append(
            "a new role assignment can take up to 30 minutes to take effect in Azure (403 until then)"
        )
    return change.resource_id


def assign_role(
    arm: ArmClient,
    target: ArmTarget,
    scope: str,
    principal_id: str,
    *,
    role_id: str = MONITORING_METRICS_PUBLISHER_ROLE_ID,
    principal_type: str = "ServicePrincipal",
    timeout: float = 300.0,
    interval: float = 2.0,
    sleep: Callable[[float], None] = time.sleep,
) -> Change:
    """Grant ``role_id`` to ``principal_id`` at ``scope`` (an ARM id) unless it is granted there or above.

    The assignment's name is :func:`azlogs.schema.template.role_assignment_name`, so a second call
    finds the first one. Returns the change (``created`` or ``unchanged``, with the assignment's id).

    Raises:
        ArmRequestError: ARM refused (403: the caller may not write role assignments at ``scope``).
    """
    wait = _Waiter(timeout, interval, sleep)
    return _assign(arm, scope, principal_id, target.subscription_id, role_id, principal_type, wait)


def _assign(
    arm: ArmClient,
    scope: str,
    principal: str,
    subscription_id: str,
    role_id: str,
    principal_type: str,
    wait: _Waiter,
) -> Change:
    role = _ROLE_NAMES.get(role_id.lower(), f"role {role_id}")
    name, body = role_assignment(
        scope=scope,
        principal_id=principal,
        subscription_id=subscription_id,
        principal_type=principal_type,
        role_id=role_id,
    )
    rid = f"{scope}/providers/Microsoft.Authorization/roleAssignments/{name}"
    if arm.get(rid, ROLE_ASSIGNMENT_API_VERSION) is not None:
        return Change("role", "unchanged", rid, f"{role} for {principal}")
    granted = _granted_elsewhere(arm, scope, principal, role_id)
    if granted is not None:
        return Change("role", "unchanged", granted, f"{role} for {principal} (existing assignment)")
    try:
        arm.put(rid, ROLE_ASSIGNMENT_API_VERSION, body)
    except ArmRequestError as exc:
        if exc.code != "RoleAssignmentExists":
            raise
        return Change("role", "unchanged", rid, f"{role} for {principal} (existing assignment)")
    wait.until(f"role assignment {name}", lambda: arm.get(rid, ROLE_ASSIGNMENT_API_VERSION), lambda d: True)
    return Change("role", "created", rid, f"{role} for {principal}")


def _granted_elsewhere(arm: ArmClient, dcr_id: str, principal: str, role_id: str) -> str | None:
    """The id of an assignment of ``role_id`` to ``principal`` at ``dcr_id`` (a scope) or above."""
    try:
        found = arm.list(
            f"{dcr_id}/providers/Microsoft.Authorization/roleAssignments",
            ROLE_ASSIGNMENT_API_VERSION,
            params={"$filter": f"principalId eq '{principal}'"},
        )
    except ArmRequestError:
        return None
    for a in found:
        p = a.get("properties") or {}
        scope = str(p.get("scope") or "").lower().rstrip("/")
        role = str(p.get("roleDefinitionId") or "").rsplit("/", 1)[-1].lower()
        covers = scope in ("", "/") or dcr_id.lower() == scope or dcr_id.lower().startswith(scope + "/")
        if str(p.get("principalId", "")).lower() == principal.lower() and role == role_id.lower() and covers:
            return str(a.get("id"))
    return None
