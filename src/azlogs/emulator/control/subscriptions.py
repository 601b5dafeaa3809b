"""Tenant-level ARM reads: ``GET /subscriptions``, ``GET /subscriptions/{id}``, ``GET /tenants``.

These are the first calls of ``az login`` (the subscription list) and of .NET ``Azure.ResourceManager``
code (``GET /subscriptions/{id}``). The list shows what the caller's role assignments reach, as in
Azure: a role at the tenant root, on the subscription or on one of its resource groups makes the
subscription visible; an identity whose only role is on a single resource (a DCR) sees none, which
is why Azure's docs tell such identities to ``az login --allow-no-subscriptions``. A subscription
the caller cannot see answers ``404 SubscriptionNotFound``, as ARM does.

Shapes follow the 2022-12-01 spec examples (``GetTenants.json``) and live answers of
``GET /subscriptions?api-version=2022-12-01``: ``authorizationSource``, ``managedByTenants``,
``subscriptionPolicies`` and a ``count`` of the list.
"""

from __future__ import annotations

from typing import Any, Final

from azlogs.emulator.control import ids
from azlogs.emulator.control.auth import Caller
from azlogs.emulator.control.errors import subscription_not_found
from azlogs.emulator.control.state import ArmState

DISPLAY_NAME: Final = "azlogs emulator"
# The emulated tenant has no verified domain; a reserved TLD keeps the name from ever resolving.
DEFAULT_DOMAIN: Final = "azlogs-emulator.invalid"

Result = tuple[int, dict[str, Any]]


def _reaches(state: ArmState, principal_id: str, subscription: str) -> bool:
    """Whether a settled role assignment at ``/``, the subscription or one of its resource groups names the principal."""
    sub = ids.fold(f"/subscriptions/{subscription}")
    settled = state.clock() - state.ctx.settings.limits.role_propagation_seconds
    principal = principal_id.lower()
    for doc in state.docs(ids.ROLE_ASSIGNMENTS):
        if doc["properties"]["principalId"].lower() != principal:
            continue
        if float(doc.get("_grantedAt", 0.0)) > settled:
            continue
        scope = ids.fold(doc["properties"]["scope"])
        depth = len([p for p in scope.split("/") if p])
        if scope == "/" or (ids.is_within(scope, sub) and depth <= 4):
            return True
    return False


def subscription_doc(state: ArmState) -> dict[str, Any]:
    """The emulated subscription as ARM renders it."""
    t = state.ctx.tenant
    return {
        "id": f"/subscriptions/{t.subscription_id}",
        "authorizationSource": "RoleBased",
        "managedByTenants": [],
        "subscriptionId": t.subscription_id,
        "tenantId": t.tenant_id,
        "displayName": DISPLAY_NAME,
        "state": "Enabled",
        "subscriptionPolicies": {
            "locationPlacementId": "Public_2014-09-01",
            "quotaId": "PayAsYouGo_2014-09-01",
            "spendingLimit": "Off",
        },
    }


def list_subscriptions(state: ArmState, caller: Caller) -> Result:
    visible = _reaches(state, caller.object_id, state.ctx.tenant.subscription_id)
    value = [subscription_doc(state)] if visible else []
    return 200, {"value": value, "count": {"type": "Total", "value": len(value)}}


def get_subscription(state: ArmState, target: ids.Target, caller: Caller) -> Result:
    assert target.subscription is not None
    if not _reaches(state, caller.object_id, state.ctx.tenant.subscription_id):
        raise subscription_not_found(target.subscription)
    return 200, subscription_doc(state)


def list_tenants(state: ArmState, caller: Caller) -> Result:
    """The caller's home tenant: the only tenant the emulator has."""
    t = state.ctx.tenant
    tenant = {
        "id": f"/tenants/{t.tenant_id}",
        "tenantId": t.tenant_id,
        "countryCode": "US",
        "displayName": DISPLAY_NAME,
        "domains": [DEFAULT_DOMAIN],
        "tenantCategory": "Home",
        "defaultDomain": DEFAULT_DOMAIN,
        "tenantType": "AAD",
    }
    return 200, {"value": [tenant]}
