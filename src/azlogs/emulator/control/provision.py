"""Start-up: the tenant's own resources, and the ``resources`` of a ``--config`` file.

At every start the emulator makes sure its resource group, its workspace (the one in ``emulator.json``)
and the admin principal's Owner assignment on the subscription exist. Then it applies the config
file's ``resources`` in order, through the same handlers and validation as a PUT. A resource that
fails stops the start with an error naming it. Applying is idempotent, so the same file can be
given at every start: existing resources are updated in place (immutable ids and endpoints kept).

Entry forms (see docs/control-plane.md)::

    {"id": "/subscriptions/.../dataCollectionRules/my-dcr", "location": ..., "properties": {...}}
    {"type": "Microsoft.Insights/dataCollectionRules", "name": "my-dcr", "location": ..., ...}
    {"type": "Microsoft.OperationalInsights/workspaces/tables", "workspace": "law-azlogs", "name": "T_CL", ...}
    {"type": "Microsoft.Authorization/roleAssignments", "scope": "...", "properties":
        {"roleDefinitionId": "Monitoring Metrics Publisher", "principalId": "vm"}}

Strings may use ``${subscription_id}``, ``${resource_group}``, ``${tenant_id}``, ``${location}``,
``${workspace_name}``, ``${workspace_id}`` and ``${workspace_resource_id}``.
"""

from __future__ import annotations

import re
from typing import Any, Final

from azlogs._exceptions import ConfigError
from azlogs.emulator.context import Context
from azlogs.emulator.control import api, ids, rbac, roles, workspaces
from azlogs.emulator.control.auth import Caller
from azlogs.emulator.control.common import require_resource_group
from azlogs.emulator.control.errors import ArmError
from azlogs.emulator.control.handlers import PUT_HANDLERS
from azlogs.emulator.control.state import STATE_FILE, ArmState

_META_KEYS: Final = frozenset({"id", "type", "name", "workspace", "resourceGroup", "scope"})
_PLACEHOLDER: Final = re.compile(r"\$\{([a-z_]+)\}")
_TYPES: Final = {
    t.lower(): t
    for t in (ids.RESOURCE_GROUPS, ids.WORKSPACES, ids.TABLES, ids.DCES, ids.DCRS, ids.ROLE_ASSIGNMENTS)
}


def create_control_plane(ctx: Context, resources: list[Any], *, source: str = "config") -> ArmState:
    """Open (or create) the ARM state, ensure the tenant's resources, apply ``resources``.

    Raises:
        ConfigError: a resource of the config file is invalid (the message names it and says why).
    """
    path = None if ctx.settings.in_memory else ctx.settings.data_dir / STATE_FILE
    state = ArmState(ctx, path)
    ensure_tenant_resources(state)
    apply_resources(state, resources, source)
    return state


def _admin(ctx: Context) -> Caller:
    return Caller(ctx.tenant.admin.principal_id, ctx.tenant.admin.client_id)


def ensure_tenant_resources(state: ArmState) -> None:
    """The resource group, workspace and admin Owner assignment of emulator.json, created if missing."""
    ctx = state.ctx
    t = ctx.tenant
    admin = _admin(ctx)
    with state.transaction():
        if state.get(ids.rg_id(t.subscription_id, t.resource_group)) is None:
            target = ids.parse_path(ids.rg_id(t.subscription_id, t.resource_group))
            workspaces.put_resource_group(state, target, {"location": t.location}, admin)
        if state.get(t.workspace_resource_id) is None:
            target = ids.parse_path(t.workspace_resource_id)
            body = {"location": t.location, "properties": {"sku": {"name": "PerGB2018"}}}
            workspaces.put_workspace(state, target, body, admin)
        scope = f"/subscriptions/{t.subscription_id}"
        name = rbac.deterministic_name(scope, t.admin.principal_id, api.OWNER)
        target = ids.parse_path(f"{scope}/providers/{ids.ROLE_ASSIGNMENTS}/{name}")
        if state.get(target.id) is None and not _has_assignment(
            state, t.admin.principal_id, api.OWNER, scope
        ):
            body = {
                "properties": {
                    "roleDefinitionId": rbac.role_definition_id(t.subscription_id, api.OWNER),
                    "principalId": t.admin.principal_id,
                    "principalType": "ServicePrincipal",
                }
            }
            rbac.put_role_assignment(state, target, body, admin, granted_at=0.0)


def _has_assignment(state: ArmState, principal: str, role_id: str, scope: str) -> bool:
    for doc in state.docs(ids.ROLE_ASSIGNMENTS):
        p = doc["properties"]
        if (
            p["principalId"].lower() == principal.lower()
            and p["roleDefinitionId"].lower().endswith(role_id)
            and ids.fold(p["scope"]) == ids.fold(scope)
        ):
            return True
    return False


def _substitute(value: Any, names: dict[str, str], where: str) -> Any:
    if isinstance(value, str):

        def repl(m: re.Match[str]) -> str:
            if m.group(1) not in names:
                raise ConfigError(
                    f"{where}: unknown placeholder ${{{m.group(1)}}}; known: "
                    + ", ".join(f"${{{k}}}" for k in sorted(names))
                )
            return names[m.group(1)]

        return _PLACEHOLDER.sub(repl, value)
    if isinstance(value, list):
        return [_substitute(v, names, where) for v in value]
    if isinstance(value, dict):
        return {k: _substitute(v, names, where) for k, v in value.items()}
    return value


def _placeholders(ctx: Context) -> dict[str, str]:
    t = ctx.tenant
    return {
        "subscription_id": t.subscription_id,
        "resource_group": t.resource_group,
        "tenant_id": t.tenant_id,
        "location": t.location,
        "workspace_name": t.workspace_name,
        "workspace_id": t.workspace_id,
        "workspace_resource_id": t.workspace_resource_id,
    }


def _target(ctx: Context, entry: dict[str, Any], where: str) -> ids.Target:
    t = ctx.tenant
    if "id" in entry:
        target = ids.parse_resource_id(str(entry["id"]))
        if target is None:
            raise ConfigError(
                f"{where}: 'id' {entry['id']!r} is not the id of a resource the emulator serves"
            )
        return target
    rtype = _TYPES.get(str(entry.get("type", "")).lower())
    if rtype is None:
        raise ConfigError(
            f"{where}: give 'id' (a full ARM id) or 'type' (one of {', '.join(sorted(_TYPES.values()))}) and 'name'"
        )
    sub, rg = t.subscription_id, str(entry.get("resourceGroup") or t.resource_group)
    name = entry.get("name")
    if rtype == ids.ROLE_ASSIGNMENTS:
        scope = str(entry.get("scope") or f"/subscriptions/{sub}").rstrip("/")
        if not name:
            props = entry.get("properties") or {}
            name = rbac.deterministic_name(
                scope, str(props.get("principalId")), str(props.get("roleDefinitionId"))
            )
        return ids.parse_path(f"{scope}/providers/{ids.ROLE_ASSIGNMENTS}/{name}")
    if not isinstance(name, str) or not name:
        raise ConfigError(f"{where}: 'name' is required with 'type'")
    if rtype == ids.RESOURCE_GROUPS:
        return ids.parse_path(ids.rg_id(sub, name))
    if rtype == ids.TABLES:
        ws = str(entry.get("workspace") or t.workspace_name)
        ws_id = ws if ws.startswith("/") else ids.resource_id(sub, rg, ids.WORKSPACES, ws)
        return ids.parse_path(f"{ws_id}/tables/{name}")
    return ids.parse_path(ids.resource_id(sub, rg, rtype, name))


def _role_assignment_body(ctx: Context, body: dict[str, Any], where: str) -> dict[str, Any]:
    """Config conveniences: a role by name or GUID, a principal by identity name."""
    props = dict(body.get("properties") or {})
    role_ref = str(props.get("roleDefinitionId", ""))
    if "/" not in role_ref:
        role = roles.role_by_name(role_ref) or roles.role(role_ref)
        if role is None:
            raise ConfigError(f"{where}: unknown role {role_ref!r}")
        props["roleDefinitionId"] = rbac.role_definition_id(ctx.tenant.subscription_id, role.id)
    principal = str(props.get("principalId", ""))
    try:
        ident = ctx.tenant.identity(principal)
    except KeyError:
        ident = None
    if ident is not None:
        props["principalId"] = ident.principal_id
    return {**body, "properties": props}


def apply_resources(state: ArmState, resources: list[Any], source: str) -> None:
    """Apply config resources in order; the first failure raises ConfigError naming the resource."""
    ctx = state.ctx
    admin = _admin(ctx)
    names = _placeholders(ctx)
    if not isinstance(resources, list):
        raise ConfigError(f"{source}: 'resources' must be a list of ARM resources")
    for i, raw in enumerate(resources):
        where = f"{source}: resources[{i}]"
        if not isinstance(raw, dict):
            raise ConfigError(f"{where}: each resource must be an object")
        entry = _substitute(raw, names, where)
        target = _target(ctx, entry, where)
        where = f"{where} ({target.rtype.rsplit('/', 1)[-1]} {target.id})"
        body = {k: v for k, v in entry.items() if k not in _META_KEYS}
        try:
            with state.transaction():
                if target.rtype != ids.RESOURCE_GROUPS and target.rtype != ids.ROLE_ASSIGNMENTS:
                    _require_rg(state, target)
                if target.rtype == ids.ROLE_ASSIGNMENTS:
                    body = _role_assignment_body(ctx, body, where)
                    _put_role_assignment(state, target, body, admin)
                else:
                    PUT_HANDLERS[target.rtype](state, target, body, admin)
        except ArmError as exc:
            raise ConfigError(
                f"{where} is invalid:\n{exc.describe()}", hint="fix the resource in the config file"
            ) from exc


def _require_rg(state: ArmState, target: ids.Target) -> None:
    require_resource_group(state, target.subscription or "", target.resource_group or "")


def _put_role_assignment(state: ArmState, target: ids.Target, body: dict[str, Any], admin: Caller) -> None:
    try:
        rbac.put_role_assignment(state, target, body, admin, granted_at=0.0)
    except ArmError as exc:
        # The same grant under another name (made through the API earlier) already satisfies the file.
        if exc.code != "RoleAssignmentExists":
            raise
