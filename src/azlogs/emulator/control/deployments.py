"""Template deployments at resource-group scope: ``.../providers/Microsoft.Resources/deployments/{name}``.

The protocol is ARM's, as the Go SDK's recorded live session shows it
(``go/sdk/resourcemanager/resources/armresources/testdata/recordings/TestDeploymentsClient.json`` in
Azure/azure-sdk-assets, api-version 2021-04-01):

- ``PUT`` answers ``201`` (``200`` when the deployment existed) with ``provisioningState: Accepted`` and an
  ``Azure-AsyncOperation`` header ``{deployment}/operationStatuses/{20 digits}``; that status answers
  ``{"status": "Succeeded"}`` or ``{"status": "Failed", "error": {...}}``; ``GET`` of the deployment
  then shows ``provisioningState``, typed ``parameters`` and ``outputs`` (``"type": "String"``) and
  ``outputResources``. The emulator deploys during the PUT, so the first poll already sees the end.
- ``POST .../validate`` answers ``200`` with ``validatedResources`` (what ``az deployment group create``
  calls first), or ``400`` with the error.
- ``DELETE`` answers ``202`` with ``Location: /subscriptions/{sub}/operationresults/{token}`` and
  ``Retry-After``; that location answers ``204`` when the job is done.
- ``GET .../operations`` lists one operation per resource.
- ``POST .../whatIf`` answers ``202`` with ``Location`` (``operationresults``, as recorded); that location
  answers ``{"status": "Succeeded", "properties": {"changes": [...]}}``: ``Create`` for a resource that
  does not exist (``after``: what would be written), ``Deploy`` for one that does (``before`` and
  ``after``; the emulator does not diff properties), nothing written.

Refusals: a template ARM would refuse is ``400 InvalidTemplate`` (``templates.plan``); a resource type
the emulator does not serve is ``400 InvalidTemplateDeployment`` with an ``InvalidResourceType`` detail;
a caller without write permission on a resource is ``403 AuthorizationFailed`` before anything is
deployed, as ARM's preflight does. A resource the provider refuses (a DCR naming a missing table) fails
the deployment: ``DeploymentFailed`` with the provider's error as detail, resources before it stay.
Each resource is written by the same handler as a direct PUT, with the same validation.
"""

from __future__ import annotations

import base64
import json
import secrets
import time
import uuid
from collections.abc import Callable, Mapping
from typing import Any, Final

from azlogs.emulator.control import ids, subscriptions
from azlogs.emulator.control.auth import Caller, authorization_failed
from azlogs.emulator.control.common import now_iso, require_object, require_resource_group
from azlogs.emulator.control.errors import ArmError, bad_request
from azlogs.emulator.control.handlers import PUT_HANDLERS, action_for
from azlogs.emulator.control.state import ArmState
from azlogs.emulator.control.templates import Plan, PlannedResource, Scope, TemplateError, plan, template_hash

Answer = tuple[int, dict[str, Any] | None, dict[str, str]]

DEPLOYMENT_FAILED_MESSAGE: Final = (
    "At least one resource deployment operation failed. Please list deployment operations for details. "
    "Please see https://aka.ms/arm-deployment-operations for usage details."
)
NAME_MAX: Final = 64
# Bounds of what a deployment may hold [U]: ARM's own are not all published (templates: 4 MB).
MAX_DEPTH: Final = 64
MAX_VALUES: Final = 200_000
MAX_CHARS: Final = 8_000_000
# The recorded DELETE of a deployment and of a resource group answer Retry-After: 15.
RETRY_AFTER_SECONDS: Final = "15"
# Resource types a template may deploy here: those with a PUT handler (resource groups are not
# resources of a resource-group deployment).
DEPLOYABLE: Final = tuple(t for t in PUT_HANDLERS if t != ids.RESOURCE_GROUPS)
# What-if results wait here for their poll (kept in memory, the last few only).
WHAT_IF_KEPT: Final = 64
_STATUS_WORDS: Final = {200: "OK", 201: "Created", 202: "Accepted", 400: "BadRequest", 403: "Forbidden",
                        404: "NotFound", 409: "Conflict"}  # fmt: skip


def _deployment_not_found(name: str) -> ArmError:
    return ArmError(404, "DeploymentNotFound", f"Deployment '{name}' could not be found.")


def _duration(seconds: float) -> str:
    return f"PT{seconds:.7f}".rstrip("0").rstrip(".") + "S"


def _operation_id() -> str:
    # ARM's operation ids are 20 decimal digits (08585217050934457885 in the recording).
    return "0858" + "".join(secrets.choice("0123456789") for _ in range(16))


def result_token(kind: str, job: str) -> str:
    """The opaque ``operationresults`` token of a finished job (base64url JSON, as ARM's are)."""
    raw = json.dumps({"jobId": job, "jobKind": kind}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def result_location(state: ArmState, kind: str, job: str, api_version: str) -> dict[str, str]:
    """``Location`` and ``Retry-After`` of a 202 whose job the emulator already finished."""
    sub = state.ctx.tenant.subscription_id
    url = f"{state.ctx.urls.arm}/subscriptions/{sub}/operationresults/{result_token(kind, job)}"
    return {"Location": f"{url}?api-version={api_version}", "Retry-After": RETRY_AFTER_SECONDS}


# --- reads ------------------------------------------------------------------------------------


def read(state: ArmState, target: ids.Target, method: str) -> Answer:
    """GET (and HEAD) of deployments, their operations and statuses, and ``operationresults``."""
    if target.rtype == ids.OPERATION_RESULTS:
        return _operation_result(state, target)
    assert target.subscription is not None and target.resource_group is not None
    require_resource_group(state, target.subscription, target.resource_group)
    if target.is_list:
        docs = state.docs(ids.DEPLOYMENTS, under=target.scope)
        return 200, {"value": [state.render(d) for d in docs]}, {}
    doc = state.get(target.id)
    if method == "HEAD":
        return (204 if doc is not None else 404), None, {}
    if doc is None:
        raise _deployment_not_found(target.name)
    if not target.tail:
        return 200, state.render(doc), {}
    child = target.tail[0].lower()
    if child == "operationstatuses":
        if len(target.tail) != 2 or target.tail[1] != doc.get("_operationId"):
            raise ArmError(404, "OperationNotFound", f"The operation '{target.tail[-1]}' could not be found.")
        props = doc["properties"]
        status: dict[str, Any] = {"status": props["provisioningState"]}
        if "error" in props:
            status["error"] = props["error"]
        return 200, status, {}
    ops: list[dict[str, Any]] = list(doc.get("_operations", []))
    if len(target.tail) == 1:
        return 200, {"value": ops}, {}
    for op in ops:
        if op["operationId"] == target.tail[1]:
            return 200, op, {}
    raise ArmError(
        404, "DeploymentOperationNotFound", f"The deployment operation '{target.tail[1]}' could not be found."
    )


def _what_if_results(state: ArmState) -> dict[str, dict[str, Any]]:
    results: dict[str, dict[str, Any]] = state.ctx.what_if
    return results


def _operation_result(state: ArmState, target: ids.Target) -> Answer:
    token = target.name + "=" * (-len(target.name) % 4)
    not_found = ArmError(404, "NotFound", f"The operation result '{target.name}' could not be found.")
    try:
        job = json.loads(base64.urlsafe_b64decode(token))
        kind = job["jobKind"]
    except (ValueError, KeyError, TypeError) as exc:
        raise not_found from exc
    if kind == "whatIf":
        result = _what_if_results(state).get(str(job.get("jobId")))
        if result is None:
            raise not_found
        return 200, result, {}
    # Both jobs finish before their 202 is sent. A finished deployment delete answers 204 (recorded);
    # a resource-group delete answers 200. [U]
    return (204 if kind == "deployment" else 200), None, {}


# --- writes -----------------------------------------------------------------------------------


# (resource type, api-version, location) -> ARM's error for an api-version the provider does not serve.
VersionCheck = Callable[[str, str, str], ArmError | None]


def write(
    state: ArmState,
    target: ids.Target,
    method: str,
    body: Any,
    caller: Caller,
    api_version: str,
    check_version: VersionCheck | None = None,
) -> Answer:
    """PUT/DELETE of a deployment, ``POST .../validate``, ``.../whatIf`` and ``.../exportTemplate``.

    ``check_version`` checks each template resource's ``apiVersion`` as the routes check a request's.
    """
    assert target.subscription is not None and target.resource_group is not None
    require_resource_group(state, target.subscription, target.resource_group)
    if method == "DELETE":
        with state.transaction():
            gone = state.delete(target.id)
        if gone is None:
            return 204, None, {}
        return 202, None, result_location(state, "deployment", target.name, api_version)
    if target.tail and target.tail[0].lower() == "cancel":
        doc = state.get(target.id)
        if doc is None:
            raise _deployment_not_found(target.name)
        # Every deployment here has finished by the time anyone can ask. [U: Azure's code for this]
        state_now = doc["properties"]["provisioningState"]
        raise ArmError(
            409,
            "DeploymentCannotBeCancelled",
            f"The deployment '{target.name}' cannot be cancelled: it is in '{state_now}' state.",
        )
    if target.tail and target.tail[0].lower() == "exporttemplate":
        doc = state.get(target.id)
        if doc is None:
            raise _deployment_not_found(target.name)
        return 200, {"template": doc.get("_template", {})}, {}
    _check_name(target.name)
    props = _properties(body)
    checked = _plan(state, target, props)
    steps = _preflight(state, checked, caller, check_version)
    if target.tail and target.tail[0].lower() == "whatif":
        return _what_if(state, checked, steps, api_version)
    if target.tail:  # validate
        return 200, _validated(state, target, props, checked, steps), {}
    return _deploy(state, target, props, checked, steps, caller, api_version)


def _check_name(name: str) -> None:
    if len(name) > NAME_MAX:
        raise bad_request(
            "DeploymentNameLengthLimitExceeded",
            f"The provided deployment name '{name}' has a length of '{len(name)}' which exceeds the maximum "
            f"length of '{NAME_MAX}'. Please see https://aka.ms/arm-deploy-resources for usage details.",
        )


def _too_big(value: Any) -> str | None:
    """Why ``value`` is too big to keep (too deep, or too many values or characters), or None.

    Iterative and budgeted: evaluated values may share parts (``createArray(v, v)``), so a small template
    can describe a huge document.
    """
    nodes, chars, stack = 0, 0, [(value, 1)]
    while stack:
        v, d = stack.pop()
        nodes += 1
        if d > MAX_DEPTH:
            return f"it nests deeper than {MAX_DEPTH} levels"
        if nodes > MAX_VALUES:
            return f"it holds more than {MAX_VALUES} values"
        if isinstance(v, str):
            chars += len(v)
            if chars > MAX_CHARS:
                return f"it holds more than {MAX_CHARS} characters"
        elif isinstance(v, Mapping):
            stack.extend((x, d + 1) for x in v.values())
        elif isinstance(v, list):
            stack.extend((x, d + 1) for x in v)
    return None


def _properties(body: Any) -> Mapping[str, Any]:
    props = require_object(body).get("properties")
    if not isinstance(props, Mapping):
        raise bad_request("InvalidRequestContent", "The request content must have 'properties'.")
    problem = _too_big(props)
    if problem:
        # Kept in the state file and rendered back: bounded so that neither can overflow.
        raise ArmError(400, "InvalidTemplate", f"The deployment is too big for the emulator: {problem}.")
    for link in ("templateLink", "parametersLink"):
        if props.get(link) is not None:
            raise bad_request(
                "InvalidContentLink",
                f"The azlogs emulator does not download linked content ('{link}'): send the template in "
                "'properties.template' and the parameters in 'properties.parameters'.",
            )
    mode = props.get("mode", "Incremental")
    if not isinstance(mode, str) or mode.lower() != "incremental":
        raise bad_request(
            "InvalidDeploymentMode",
            f"The deployment mode '{mode}' is not supported by the azlogs emulator; use 'Incremental'.",
        )
    return props


def _scope(state: ArmState, target: ids.Target) -> Scope:
    assert target.subscription is not None and target.resource_group is not None
    rg = require_resource_group(state, target.subscription, target.resource_group)
    t = state.ctx.tenant
    return Scope(
        t.subscription_id, t.tenant_id, rg["name"], rg["location"], target.name, subscriptions.DISPLAY_NAME
    )


def _plan(state: ArmState, target: ids.Target, props: Mapping[str, Any]) -> Plan:
    try:
        return plan(props.get("template"), props.get("parameters"), _scope(state, target))
    except TemplateError as exc:
        raise ArmError(400, "InvalidTemplate", exc.message) from exc


def _preflight(
    state: ArmState, checked: Plan, caller: Caller, check_version: VersionCheck | None
) -> list[tuple[PlannedResource, ids.Target]]:
    """Each planned resource with its target; unsupported types and api-versions refused, permission checked."""
    steps: list[tuple[PlannedResource, ids.Target]] = []
    refused: list[dict[str, Any]] = []
    for r in checked.resources:
        t = ids.parse_resource_id(r.resource_id)
        if t is None or t.rtype not in DEPLOYABLE or t.rtype.lower() != r.type.lower():
            refused.append(
                {
                    "code": "InvalidResourceType",
                    "target": r.resource_id,
                    "message": f"The resource type '{r.type}' is not deployed by the azlogs emulator. It deploys "
                    "Log Analytics workspaces and tables, data collection endpoints and rules, and role "
                    "assignments.",
                }
            )
            continue
        wrong = check_version(t.rtype, r.api_version, checked.scope.location) if check_version else None
        if wrong is not None:
            refused.append({"code": wrong.code, "target": r.resource_id, "message": wrong.message})
            continue
        steps.append((r, t))
    if refused:
        raise ArmError(
            400,
            "InvalidTemplateDeployment",
            "The template deployment is not valid according to the validation procedure. See inner errors "
            "for details.",
            details=refused,
        )
    for _, t in steps:
        action = action_for(t, "PUT")
        if not state.has_permission(caller.object_id, t.rbac_scope, action):
            raise authorization_failed(caller, action, t.rbac_scope)
    return steps


def _providers(checked: Plan) -> list[dict[str, Any]]:
    by_ns: dict[str, list[str]] = {}
    for r in checked.resources:
        namespace, _, rtype = r.type.partition("/")
        if rtype not in by_ns.setdefault(namespace, []):
            by_ns[namespace].append(rtype)
    return [
        {
            "namespace": ns,
            "resourceTypes": [{"resourceType": t, "locations": [checked.scope.location]} for t in types],
        }
        for ns, types in by_ns.items()
    ]


def _dependencies(checked: Plan) -> list[dict[str, Any]]:
    by_id = {r.resource_id.lower(): r for r in checked.resources}

    def ref(r: PlannedResource) -> dict[str, str]:
        return {"id": r.resource_id, "resourceType": r.type, "resourceName": r.name}

    return [
        {"dependsOn": [ref(by_id[d]) for d in r.depends_on], **ref(r)}
        for r in checked.resources
        if r.depends_on
    ]


def _base(state: ArmState, target: ids.Target, checked: Plan, props: Mapping[str, Any]) -> dict[str, Any]:
    rg = require_resource_group(state, target.subscription or "", target.resource_group or "")
    return {
        "id": ids.resource_id(state.ctx.tenant.subscription_id, rg["name"], ids.DEPLOYMENTS, target.name),
        "name": target.name,
        "type": ids.DEPLOYMENTS,
        "properties": {
            "templateHash": template_hash(props.get("template")),
            "parameters": checked.rendered_parameters(),
            "mode": "Incremental",
            "provisioningState": "Succeeded",
            "timestamp": now_iso(),
            "duration": "PT0S",
            "correlationId": str(uuid.uuid4()),
            "providers": _providers(checked),
            "dependencies": _dependencies(checked),
        },
    }


def _validated(
    state: ArmState,
    target: ids.Target,
    props: Mapping[str, Any],
    checked: Plan,
    steps: list[tuple[PlannedResource, ids.Target]],
) -> dict[str, Any]:
    doc = _base(state, target, checked, props)
    doc["properties"].update(
        timestamp="0001-01-01T00:00:00Z", validatedResources=[{"id": r.resource_id} for r, _ in steps]
    )
    return doc


def _reference(state: ArmState, resource_group: str) -> Any:
    def reference(resource_id: str, api_version: str | None, full: bool) -> Any:
        doc = state.get(resource_id)
        if doc is None:
            raise TemplateError(
                f"The Resource '{resource_id}' under resource group '{resource_group}' was not found. For more "
                "details please go to https://aka.ms/ARMResourceNotFoundFix"
            )
        rendered = state.render(doc)
        return rendered if full else rendered.get("properties", {})

    return reference


def _operation(dep_id: str, r: PlannedResource, status: int, message: Any, started: float) -> dict[str, Any]:
    op_id = uuid.uuid4().hex[:16].upper()
    return {
        "id": f"{dep_id}/operations/{op_id}",
        "operationId": op_id,
        "properties": {
            "provisioningOperation": "Create",
            "provisioningState": "Succeeded" if status < 300 else "Failed",
            "timestamp": now_iso(),
            "duration": _duration(time.monotonic() - started),
            "trackingId": str(uuid.uuid4()),
            "serviceRequestId": str(uuid.uuid4()),
            "statusCode": _STATUS_WORDS.get(status, str(status)),
            "statusMessage": message,
            "targetResource": {"id": r.resource_id, "resourceType": r.type, "resourceName": r.name},
        },
    }


def _run(
    state: ArmState,
    dep_id: str,
    checked: Plan,
    steps: list[tuple[PlannedResource, ids.Target]],
    caller: Caller,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """Deploy in order: (operations, failures, output resources). A failed resource's dependents are skipped."""
    reference = _reference(state, checked.scope.resource_group)
    ops: list[dict[str, Any]] = []
    failures: list[dict[str, Any]] = []
    created: list[dict[str, Any]] = []
    broken: set[str] = set()
    for r, t in steps:
        key = r.resource_id.lower()
        if any(d in broken for d in r.depends_on):
            broken.add(key)
            continue
        started = time.monotonic()
        try:
            body = checked.body(r, reference)
            problem = _too_big(body)  # expressions can build what the template itself could not hold
            if problem:
                raise TemplateError(f"The resource's evaluated body is too big: {problem}.")
            with state.transaction():
                if t.subscription is not None and t.resource_group is not None:
                    require_resource_group(state, t.subscription, t.resource_group)
                status, _ = PUT_HANDLERS[t.rtype](state, t, body, caller)
        except TemplateError as exc:
            err = {"code": "InvalidTemplate", "target": r.resource_id, "message": exc.message}
            ops.append(_operation(dep_id, r, 400, {"error": err}, started))
            failures.append(err)
            broken.add(key)
            continue
        except ArmError as exc:
            err = {"target": r.resource_id, **exc.body()["error"]}
            ops.append(_operation(dep_id, r, exc.status, {"error": err}, started))
            failures.append(err)
            broken.add(key)
            continue
        ops.append(_operation(dep_id, r, status, {"status": "Succeeded"}, started))
        created.append({"id": r.resource_id})
    return ops, failures, created


def _deploy(
    state: ArmState,
    target: ids.Target,
    props: Mapping[str, Any],
    checked: Plan,
    steps: list[tuple[PlannedResource, ids.Target]],
    caller: Caller,
    api_version: str,
) -> Answer:
    started = time.monotonic()
    doc = _base(state, target, checked, props)
    existed = state.get(doc["id"]) is not None
    ops, failures, created = _run(state, doc["id"], checked, steps, caller)
    p = doc["properties"]
    if not failures:
        try:
            outputs = checked.outputs(_reference(state, checked.scope.resource_group))
            problem = _too_big(outputs)
            if problem:
                raise TemplateError(f"The deployment's outputs are too big: {problem}.")
        except TemplateError as exc:
            failures.append(
                {"code": "DeploymentOutputEvaluationFailed", "target": doc["id"], "message": exc.message}
            )
        else:
            if outputs:
                p["outputs"] = outputs
    if failures:
        p["provisioningState"] = "Failed"
        p["error"] = {
            "code": "DeploymentFailed",
            "target": doc["id"],
            "message": DEPLOYMENT_FAILED_MESSAGE,
            "details": failures,
        }
    p["outputResources"] = created
    p["duration"] = _duration(time.monotonic() - started)
    doc["_operationId"] = _operation_id()
    doc["_operations"] = ops
    doc["_template"] = props.get("template")
    with state.transaction():
        state.put(doc)
    # The PUT's own answer is the recorded one: Accepted, no outputs yet; the status URL tells the end.
    accepted = state.render(doc)
    accepted["properties"] = {
        k: v for k, v in p.items() if k not in ("outputs", "outputResources", "error")
    } | {"provisioningState": "Accepted", "duration": "PT0S"}
    status_url = (
        f"{state.ctx.urls.arm}{doc['id']}/operationStatuses/{doc['_operationId']}?api-version={api_version}"
    )
    return (200 if existed else 201), accepted, {"Azure-AsyncOperation": status_url}


def _what_if(
    state: ArmState, checked: Plan, steps: list[tuple[PlannedResource, ids.Target]], api_version: str
) -> Answer:
    """The changes a deployment would make, as a finished what-if job (202 + Location)."""
    reference = _reference(state, checked.scope.resource_group)
    changes: list[dict[str, Any]] = []
    for r, _ in steps:
        try:
            body = checked.body(r, reference)
        except TemplateError:
            # A value that needs a resource this deployment creates: shown as the template wrote it.
            body = {
                k: v for k, v in r.raw.items() if k not in ("dependsOn", "condition", "comments", "resources")
            }
        after = {"id": r.resource_id, "name": r.name.rsplit("/", 1)[-1], "type": r.type, **body}
        existing = state.get(r.resource_id)
        if existing is None:
            changes.append(
                {"resourceId": r.resource_id, "changeType": "Create", "before": None, "after": after}
            )
        else:
            changes.append(
                {
                    "resourceId": r.resource_id,
                    "changeType": "Deploy",
                    "before": state.render(existing),
                    "after": after,
                }
            )
    job = uuid.uuid4().hex
    results = _what_if_results(state)
    results[job] = {"status": "Succeeded", "properties": {"changes": changes}}
    for old in list(results)[:-WHAT_IF_KEPT]:
        del results[old]
    return 202, None, result_location(state, "whatIf", job, api_version)
