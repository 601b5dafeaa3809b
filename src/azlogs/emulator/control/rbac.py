"""Role assignments at any scope, and the built-in role definitions.

Conflicts and refusals answer as ARM does: a second assignment of the same role to the same principal
at the same scope is ``409 RoleAssignmentExists``; changing an assignment's principal, role or scope
is ``RoleAssignmentUpdateNotPermitted``; an unknown principal without ``principalType`` is
``PrincipalNotFound`` (the message that points to replication delay); an unknown role is
``RoleDefinitionDoesNotExist``. An assignment counts for authorization only after
``limits.role_propagation_seconds`` (default 0), like Azure's propagation delay.
"""

from __future__ import annotations

import re
from typing import Any, Final

from azlogs.emulator.control import ids, roles
from azlogs.emulator.control.auth import Caller
from azlogs.emulator.control.common import now_iso, require_object
from azlogs.emulator.control.errors import ArmError, bad_request, resource_group_not_found
from azlogs.emulator.control.state import ArmState
from azlogs.emulator.control.workspaces import Result
from azlogs.schema.template import role_assignment_name

PRINCIPAL_TYPES: Final = ("User", "Group", "ServicePrincipal", "ForeignGroup", "Device")
_ROLE_DEF_RE: Final = re.compile(
    r"(?:/subscriptions/(?P<sub>[^/]+))?/providers/Microsoft\.Authorization/roleDefinitions/(?P<id>[^/]+)\Z",
    re.IGNORECASE,
)
_GUID_RE: Final = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\Z")
_FILTER_PRINCIPAL: Final = re.compile(r"principalId\s+eq\s+'([^']+)'", re.IGNORECASE)
_FILTER_ASSIGNED: Final = re.compile(r"assignedTo\('([^']+)'\)", re.IGNORECASE)
_FILTER_ROLE_NAME: Final = re.compile(r"roleName\s+eq\s+'([^']+)'", re.IGNORECASE)


def role_definition_id(subscription: str, role_id: str) -> str:
    return f"/subscriptions/{subscription}/providers/{ids.ROLE_DEFINITIONS}/{role_id}"


def _scope_of(state: ArmState, target: ids.Target) -> str:
    """The assignment's scope as written in the path (``/`` at the tenant root)."""
    scope = target.scope or "/"
    rg, sub = target.resource_group, target.subscription
    if rg is not None and sub is not None and state.get(ids.rg_id(sub, rg)) is None:
        raise resource_group_not_found(rg)
    return scope


def _principal_type(state: ArmState, principal_id: str, given: Any) -> str:
    if given is not None:
        if given not in PRINCIPAL_TYPES:
            raise bad_request(
                "InvalidPrincipalType",
                f"The principal type '{given}' is not valid; use one of {', '.join(PRINCIPAL_TYPES)}.",
            )
        return str(given)
    if state.ctx.tenant.find(principal_id=principal_id) is None:
        raise bad_request(
            "PrincipalNotFound",
            f"Principal {principal_id.replace('-', '')} does not exist in the directory "
            f"{state.ctx.tenant.tenant_id}. Check that you have the correct principal ID. If you are "
            "creating this principal and then immediately assigning a role, this error might be related "
            "to a replication delay. In this case, set the role assignment principalType property to a "
            "value, such as ServicePrincipal, User, or Group.  See https://aka.ms/docs-principaltype",
        )
    return "ServicePrincipal"


def _role_of(state: ArmState, value: Any) -> roles.RoleDefinition:
    m = _ROLE_DEF_RE.match(value) if isinstance(value, str) else None
    if m is None:
        raise bad_request(
            "InvalidRoleDefinitionId",
            f"The role definition ID '{value}' is not valid; use "
            f"/subscriptions/{{subscriptionId}}/providers/{ids.ROLE_DEFINITIONS}/{{roleDefinitionGuid}}.",
        )
    sub = m.group("sub")
    r = roles.role(m.group("id"))
    if r is None or (sub is not None and sub.lower() != state.ctx.tenant.subscription_id.lower()):
        raise bad_request(
            "RoleDefinitionDoesNotExist",
            f"The specified role definition with ID '{m.group('id')}' does not exist.",
        )
    return r


def put_role_assignment(
    state: ArmState, target: ids.Target, body: Any, caller: Caller, *, granted_at: float | None = None
) -> Result:
    """Create a role assignment. ``granted_at`` overrides the grant time (0: effective at once)."""
    body = require_object(body)
    if _GUID_RE.match(target.name) is None:
        raise bad_request(
            "InvalidRoleAssignmentId",
            f"The role assignment ID '{target.name}' is not valid. The role assignment ID must be a GUID.",
        )
    scope = _scope_of(state, target)
    raw = body.get("properties")
    if not isinstance(raw, dict):
        raise bad_request("InvalidRequestContent", "The request content must have 'properties'.")
    principal = raw.get("principalId")
    if not isinstance(principal, str) or _GUID_RE.match(principal) is None:
        raise bad_request(
            "InvalidPrincipalId", "A valid principal ID must be provided for role assignment.", "principalId"
        )
    role = _role_of(state, raw.get("roleDefinitionId"))
    ptype = _principal_type(state, principal, raw.get("principalType"))
    sub = state.ctx.tenant.subscription_id
    rid = f"{target.scope}/providers/{ids.ROLE_ASSIGNMENTS}/{target.name}"
    same = (principal.lower(), role.id, ids.fold(scope))
    existing = state.get(rid)
    if existing is not None:
        if _identity(existing) != same:
            raise bad_request(
                "RoleAssignmentUpdateNotPermitted",
                "Tenant ID, application ID, principal ID, and scope are not allowed to be updated.",
            )
        return 201, state.render(existing)
    for other in state.docs(ids.ROLE_ASSIGNMENTS):
        if _identity(other) == same:
            raise ArmError(409, "RoleAssignmentExists", "The role assignment already exists.")
    now = now_iso()
    doc: dict[str, Any] = {
        "properties": {
            "roleDefinitionId": role_definition_id(sub, role.id),
            "principalId": principal,
            "principalType": ptype,
            "scope": scope,
            "condition": raw.get("condition"),
            "conditionVersion": raw.get("conditionVersion"),
            "createdOn": now,
            "updatedOn": now,
            "createdBy": caller.object_id,
            "updatedBy": caller.object_id,
            "delegatedManagedIdentityResourceId": None,
            "description": raw.get("description"),
        },
        "id": rid,
        "type": ids.ROLE_ASSIGNMENTS,
        "name": target.name,
        "_grantedAt": state.clock() if granted_at is None else granted_at,
    }
    state.put(doc)
    return 201, state.render(doc)


def _identity(doc: dict[str, Any]) -> tuple[str, str, str]:
    p = doc["properties"]
    return (p["principalId"].lower(), p["roleDefinitionId"].rsplit("/", 1)[-1].lower(), ids.fold(p["scope"]))


def get_role_assignment(state: ArmState, target: ids.Target) -> Result:
    doc = state.get(f"{target.scope}/providers/{ids.ROLE_ASSIGNMENTS}/{target.name}")
    if doc is None:
        raise ArmError(404, "RoleAssignmentNotFound", f"The role assignment '{target.name}' is not found.")
    return 200, state.render(doc)


def delete_role_assignment(state: ArmState, target: ids.Target) -> Result:
    doc = state.delete(f"{target.scope}/providers/{ids.ROLE_ASSIGNMENTS}/{target.name}")
    return (200, state.render(doc)) if doc is not None else (204, None)


def list_role_assignments(state: ArmState, target: ids.Target, filter_: str | None) -> Result:
    """Assignments at, above and below the scope; ``atScope()`` keeps at and above; principal filters."""
    scope = target.scope or "/"
    at_scope = bool(filter_ and "atscope()" in filter_.replace(" ", "").lower())
    principal = None
    if filter_:
        m = _FILTER_PRINCIPAL.search(filter_) or _FILTER_ASSIGNED.search(filter_)
        principal = m.group(1).lower() if m else None
    out = []
    for doc in state.docs(ids.ROLE_ASSIGNMENTS):
        p = doc["properties"]
        above = ids.is_within(scope, p["scope"])
        below = ids.is_within(p["scope"], scope)
        if not (above or (below and not at_scope)):
            continue
        if principal is not None and p["principalId"].lower() != principal:
            continue
        out.append(state.render(doc))
    return 200, {"value": out}


def get_role_definition(state: ArmState, target: ids.Target) -> Result:
    r = roles.role(target.name)
    if r is None:
        raise ArmError(
            404,
            "RoleDefinitionDoesNotExist",
            f"The specified role definition with ID '{target.name}' does not exist.",
        )
    return 200, r.to_arm(target.subscription)


def list_role_definitions(state: ArmState, target: ids.Target, filter_: str | None) -> Result:
    name = None
    if filter_:
        m = _FILTER_ROLE_NAME.search(filter_)
        name = m.group(1).lower() if m else None
    out = [
        r.to_arm(target.subscription)
        for r in roles.BUILTIN_ROLES.values()
        if name is None or r.name.lower() == name
    ]
    return 200, {"value": out}


def deterministic_name(scope: str, principal_id: str, role_id: str) -> str:
    """A stable assignment name for config files that give none (re-applied on every start).

    The same name ``azlogs provision`` gives the same grant: one naming for both.
    """
    return role_assignment_name(scope, principal_id, role_id)
