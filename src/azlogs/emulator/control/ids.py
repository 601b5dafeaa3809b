"""ARM resource ids: parsing request paths, case-insensitive keys, canonical casing, scope ancestry.

ARM compares ids case-insensitively (``resourceGroups`` and ``resourcegroups`` name the same thing)
and answers with the casing a resource was created with. The emulator keys everything by
:func:`fold` and keeps the canonical id in the stored document.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from azlogs.emulator.control.errors import ArmError

# Resource types the control plane serves, folded -> canonical spelling.
WORKSPACES: Final = "Microsoft.OperationalInsights/workspaces"
TABLES: Final = "Microsoft.OperationalInsights/workspaces/tables"
DCES: Final = "Microsoft.Insights/dataCollectionEndpoints"
DCRS: Final = "Microsoft.Insights/dataCollectionRules"
ROLE_ASSIGNMENTS: Final = "Microsoft.Authorization/roleAssignments"
ROLE_DEFINITIONS: Final = "Microsoft.Authorization/roleDefinitions"
# An extension resource of a DCR: where its LogErrors category goes (a workspace).
DIAGNOSTIC_SETTINGS: Final = "Microsoft.Insights/diagnosticSettings"
RESOURCE_GROUPS: Final = "Microsoft.Resources/resourceGroups"
# Tenant-level ARM collections: GET /subscriptions, GET /subscriptions/{id}, GET /tenants.
SUBSCRIPTIONS: Final = "Microsoft.Resources/subscriptions"
TENANTS: Final = "Microsoft.Resources/tenants"
# Template deployments at resource-group scope, and the status of ARM's own async jobs (deletes).
DEPLOYMENTS: Final = "Microsoft.Resources/deployments"
OPERATION_RESULTS: Final = "Microsoft.Resources/operationResults"
# Resource providers of the subscription: GET /subscriptions/{sub}/providers[/{namespace}], POST .../register.
PROVIDERS: Final = "Microsoft.Resources/providers"
# What may follow .../deployments/{name}: (segment, takes a name) as ARM serves them.
DEPLOYMENT_TAILS: Final = {
    "validate": False,
    "exporttemplate": False,
    "whatif": False,
    "cancel": False,
    "operations": True,
    "operationstatuses": True,
}

_CANONICAL_TYPES: Final = {t.lower(): t for t in (WORKSPACES, TABLES, DCES, DCRS)}
_EXTENSION_TYPES: Final = {t.lower(): t for t in (ROLE_ASSIGNMENTS, ROLE_DEFINITIONS, DIAGNOSTIC_SETTINGS)}


def fold(resource_id: str) -> str:
    """The comparison key of an ARM id or scope: lower case, no trailing slash (``/`` stays ``/``)."""
    folded = resource_id.lower().rstrip("/")
    return folded or "/"


def parent_scopes(scope: str) -> list[str]:
    """``scope`` and every ancestor scope, folded, most specific first, ending with ``/``.

    Every segment boundary counts: prefixes that are not real scopes (``/subscriptions``) simply
    never hold an assignment, which keeps this a cheap string operation.
    """
    parts = [p for p in fold(scope).split("/") if p]
    out = ["/" + "/".join(parts[:n]) for n in range(len(parts), 0, -1)]
    out.append("/")
    return out


def is_within(scope: str, ancestor: str) -> bool:
    """Whether ``scope`` equals ``ancestor`` or lies below it (case-insensitive)."""
    s, a = fold(scope), fold(ancestor)
    return a == "/" or s == a or s.startswith(a + "/")


def rg_id(subscription: str, resource_group: str) -> str:
    return f"/subscriptions/{subscription}/resourceGroups/{resource_group}"


def resource_id(subscription: str, resource_group: str, rtype: str, *names: str) -> str:
    """The canonical id of a resource of type ``rtype`` (``Ns/type[/child]``) with ``names``."""
    namespace, *types = rtype.split("/")
    tail = "/".join(f"{t}/{n}" for t, n in zip(types, names, strict=False))
    return f"{rg_id(subscription, resource_group)}/providers/{namespace}/{tail}"


@dataclass(frozen=True)
class Target:
    """What an ARM request path addresses.

    Attributes:
        rtype: canonical resource type (``Microsoft.Insights/dataCollectionRules``); for the
            resource-group routes ``Microsoft.Resources/resourceGroups``.
        subscription: the subscription in the path, as written (None for tenant-level scopes).
        resource_group: as written, or None.
        names: the names along the type chain (a workspace, then a table); empty for a list.
        is_list: the path names a collection, not one resource.
        scope: for role assignments and definitions, the scope before ``/providers/Microsoft.Authorization``
            (``""`` at the tenant root); otherwise the id of the resource or of the collection's parent.
        tail: for deployments, the path after ``deployments/{name}`` (``("validate",)``,
            ``("operationStatuses", "{id}")``); empty otherwise.
    """

    rtype: str
    subscription: str | None
    resource_group: str | None
    names: tuple[str, ...]
    is_list: bool
    scope: str
    tail: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return self.names[-1]

    @property
    def is_extension(self) -> bool:
        return self.rtype in (ROLE_ASSIGNMENTS, ROLE_DEFINITIONS, DIAGNOSTIC_SETTINGS)

    @property
    def id(self) -> str:
        """The canonical id of the addressed resource (casing of fixed parts normalised)."""
        if self.is_extension:
            return f"{self.scope}/providers/{self.rtype}/{self.name}"
        if self.rtype == RESOURCE_GROUPS:
            assert self.subscription is not None and self.resource_group is not None
            return rg_id(self.subscription, self.resource_group)
        if self.rtype in (SUBSCRIPTIONS, TENANTS, OPERATION_RESULTS):
            return self.scope
        if self.rtype == PROVIDERS:
            return f"{self.scope}/providers/{self.name}" if self.names else f"{self.scope}/providers"
        assert self.subscription is not None and self.resource_group is not None
        return resource_id(self.subscription, self.resource_group, self.rtype, *self.names)

    @property
    def rbac_scope(self) -> str:
        """The scope ARM authorizes the request against: the resource, or the collection's parent."""
        if self.is_extension:
            return self.scope or "/"
        if self.is_list:
            return self.scope
        return self.id


def _unsupported(path: str, detail: str) -> ArmError:
    return ArmError(
        404,
        "InvalidResourceType",
        f"The emulator's control plane does not serve '{path}': {detail}. It serves resource groups, "
        "Log Analytics workspaces and tables, data collection endpoints and rules, role assignments "
        "and role definitions.",
    )


def parse_path(path: str) -> Target:
    """Parse a request path into a :class:`Target`.

    Raises:
        ArmError: 404 ``InvalidResourceType`` for paths outside the emulated subset.
    """
    segs = [s for s in path.split("/") if s]
    low = [s.lower() for s in segs]
    # Extension resources hang off any scope: {scope}/providers/Microsoft.Authorization/{type}[/{name}],
    # and a DCR's {dcr}/providers/Microsoft.Insights/diagnosticSettings[/{name}].
    for i in range(len(segs) - 2, -1, -1):
        if low[i] != "providers" or i + 2 >= len(segs):
            continue
        if low[i + 1] == "microsoft.insights" and low[i + 2] == "diagnosticsettings" and i > 0:
            if len(segs) > i + 4:
                raise _unsupported(path, "unknown diagnostic settings path")
            scope = "/" + "/".join(segs[:i])
            owner = parse_path(scope)
            if owner.rtype != DCRS or owner.is_list:
                raise _unsupported(
                    path, "the emulator serves diagnostic settings of data collection rules only"
                )
            names_ = (segs[i + 3],) if len(segs) == i + 4 else ()
            return Target(DIAGNOSTIC_SETTINGS, segs[1], segs[3], names_, not names_, owner.id)
        if low[i + 1] == "microsoft.authorization":
            rtype = _EXTENSION_TYPES.get(f"{low[i + 1]}/{low[i + 2]}")
            if rtype is None or len(segs) > i + 4:
                raise _unsupported(path, "unknown Microsoft.Authorization resource type")
            scope = "/" + "/".join(segs[:i]) if i else ""
            sub = segs[1] if len(segs) > 1 and low[0] == "subscriptions" else None
            rg = segs[3] if len(segs) > 3 and i > 3 and low[2] == "resourcegroups" else None
            ext_names: tuple[str, ...] = (segs[i + 3],) if len(segs) == i + 4 else ()
            return Target(rtype, sub, rg, ext_names, not ext_names, scope)
    if low == ["tenants"]:
        return Target(TENANTS, None, None, (), True, "")
    if low[:1] == ["subscriptions"] and len(segs) <= 2:
        if len(segs) == 1:
            return Target(SUBSCRIPTIONS, None, None, (), True, "")
        return Target(SUBSCRIPTIONS, segs[1], None, (segs[1],), False, f"/subscriptions/{segs[1]}")
    if len(segs) < 3 or low[0] != "subscriptions":
        raise _unsupported(path, "not an ARM path under /subscriptions/{id}")
    sub = segs[1]
    if low[2] == "providers" and (
        len(segs) in (3, 4) or (len(segs) == 5 and low[4] in ("register", "unregister"))
    ):
        ns: tuple[str, ...] = (segs[3],) if len(segs) >= 4 else ()
        return Target(PROVIDERS, sub, None, ns, not ns, f"/subscriptions/{sub}", tuple(segs[4:5]))
    if low[2] == "operationresults" and len(segs) == 4:
        return Target(OPERATION_RESULTS, sub, None, (segs[3],), False, f"/subscriptions/{sub}")
    if low[2] == "resourcegroups":
        if len(segs) == 3:
            return Target(RESOURCE_GROUPS, sub, None, (), True, f"/subscriptions/{sub}")
        rg = segs[3]
        if len(segs) == 4:
            return Target(RESOURCE_GROUPS, sub, rg, (rg,), False, rg_id(sub, rg))
        if low[4] == "deployments" and len(segs) >= 6:
            # The deployment operations' own path: .../resourcegroups/{rg}/deployments/{name}/operations.
            return _deployment_target(path, sub, rg, ["Microsoft.Resources", *segs[4:]])
        if low[4] != "providers" or len(segs) < 7:
            raise _unsupported(path, "expected /providers/{namespace}/{type} after the resource group")
        rest, rest_low = segs[5:], low[5:]
        if rest_low[:2] == ["microsoft.resources", "deployments"]:
            return _deployment_target(path, sub, rg, rest)
    elif low[2] == "providers" and len(segs) == 5:
        rg = None
        rest, rest_low = segs[3:], low[3:]
    else:
        raise _unsupported(path, "unknown subscription-level route")
    types = rest_low[1::2]
    names = tuple(rest[2::2])
    rtype = _CANONICAL_TYPES.get("/".join([rest_low[0], *types]))
    if rtype is None:
        raise _unsupported(path, f"resource type '{rest[0]}/{'/'.join(rest[1::2])}' is not emulated")
    is_list = len(names) < len(types)
    if rg is None:
        return Target(rtype, sub, None, (), True, f"/subscriptions/{sub}")
    parent = resource_id(sub, rg, rtype.rsplit("/", 1)[0], *names) if is_list and names else rg_id(sub, rg)
    return Target(rtype, sub, rg, names, is_list, parent)


def _deployment_target(path: str, sub: str, rg: str, rest: list[str]) -> Target:
    if len(rest) == 2:
        return Target(DEPLOYMENTS, sub, rg, (), True, rg_id(sub, rg))
    tail = tuple(rest[3:])
    takes_name = DEPLOYMENT_TAILS.get(tail[0].lower()) if tail else None
    if tail and (takes_name is None or len(tail) > (2 if takes_name else 1)):
        raise _unsupported(path, f"'{'/'.join(tail)}' is not a deployment operation the emulator serves")
    return Target(DEPLOYMENTS, sub, rg, (rest[2],), False, rg_id(sub, rg), tail)


def parse_resource_id(rid: str) -> Target | None:
    """Parse a full ARM id of an emulated, writable resource type; None when it is not one."""
    try:
        target = parse_path(rid)
    except ArmError:
        return None
    # Subscriptions and tenants are read-only here: they are not resources a caller creates.
    if target.is_list or target.rtype in (SUBSCRIPTIONS, TENANTS, DEPLOYMENTS, OPERATION_RESULTS, PROVIDERS):
        return None
    return target
