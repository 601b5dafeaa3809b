"""Tenant-level ARM reads in-process: subscriptions list/get, tenants list, cloud metadata.

The expected shapes are Azure's: the subscriptions spec (2022-12-01, ``GetTenants.json``) and live
answers of ``GET /subscriptions?api-version=2022-12-01`` (``authorizationSource``,
``managedByTenants``, ``subscriptionPolicies``, ``count``); the cloud metadata keys are the ones the
Azure CLI's ``_arm_to_cli_mapper`` reads.
"""

from __future__ import annotations

import httpx

from azlogs.emulator.context import Context
from azlogs.emulator.control import api, ids, rbac
from azlogs.emulator.control.auth import Caller
from azlogs.emulator.control.state import ArmState
from tests.unit.emulator.test_control_routes import bearer, rg

SUBS_V = {"api-version": "2022-12-01"}


def grant(ctx: Context, principal: str, role_id: str, scope: str) -> None:
    """A role assignment effective at once (written as the admin would)."""
    state: ArmState = ctx.control
    name = rbac.deterministic_name(scope, principal, role_id)
    target = ids.parse_path(f"{scope}/providers/{ids.ROLE_ASSIGNMENTS}/{name}")
    body = {
        "properties": {
            "roleDefinitionId": rbac.role_definition_id(ctx.tenant.subscription_id, role_id),
            "principalId": principal,
            "principalType": "ServicePrincipal",
        }
    }
    admin = Caller(ctx.tenant.admin.principal_id, ctx.tenant.admin.client_id)
    with state.transaction():
        rbac.put_role_assignment(state, target, body, admin, granted_at=0.0)


def expected_subscription(ctx: Context) -> dict[str, object]:
    sub = ctx.tenant.subscription_id
    return {
        "id": f"/subscriptions/{sub}",
        "authorizationSource": "RoleBased",
        "managedByTenants": [],
        "subscriptionId": sub,
        "tenantId": ctx.tenant.tenant_id,
        "displayName": "azlogs emulator",
        "state": "Enabled",
        "subscriptionPolicies": {
            "locationPlacementId": "Public_2014-09-01",
            "quotaId": "PayAsYouGo_2014-09-01",
            "spendingLimit": "Off",
        },
    }


class TestSubscriptions:
    async def test_owner_lists_the_subscription(self, client: httpx.AsyncClient, ctx: Context) -> None:
        """`az login`'s call: the subscription Owner sees it, in Azure's list shape with a count."""
        r = await client.get("/subscriptions", params=SUBS_V, headers=bearer(ctx, ctx.tenant.admin))
        assert r.status_code == 200, r.text
        assert r.json() == {"value": [expected_subscription(ctx)], "count": {"type": "Total", "value": 1}}

    async def test_get_subscription(self, client: httpx.AsyncClient, ctx: Context) -> None:
        """.NET Azure.ResourceManager's first call: GET /subscriptions/{id} is 200 in Azure's shape."""
        sub = ctx.tenant.subscription_id
        r = await client.get(f"/subscriptions/{sub}", params=SUBS_V, headers=bearer(ctx, ctx.tenant.admin))
        assert r.status_code == 200, r.text
        assert r.json() == expected_subscription(ctx)
        assert r.headers["content-type"].startswith("application/json")

    async def test_role_only_on_a_dcr_sees_no_subscription(
        self, client: httpx.AsyncClient, ctx: Context
    ) -> None:
        """An identity whose only role is on a DCR lists none and gets SubscriptionNotFound for the id."""
        vm = ctx.tenant.identity("vm")
        dcr = f"{rg(ctx)}/providers/Microsoft.Insights/dataCollectionRules/dcr1"
        grant(ctx, vm.principal_id, api.MONITORING_METRICS_PUBLISHER, dcr)
        r = await client.get("/subscriptions", params=SUBS_V, headers=bearer(ctx, vm))
        assert r.status_code == 200, r.text
        assert r.json() == {"value": [], "count": {"type": "Total", "value": 0}}
        sub = ctx.tenant.subscription_id
        r = await client.get(f"/subscriptions/{sub}", params=SUBS_V, headers=bearer(ctx, vm))
        assert r.status_code == 404
        assert r.json()["error"] == {
            "code": "SubscriptionNotFound",
            "message": f"The subscription '{sub}' could not be found.",
        }

    async def test_role_on_resource_group_reaches_subscription(
        self, client: httpx.AsyncClient, ctx: Context
    ) -> None:
        """A Reader of one resource group sees its subscription."""
        vm = ctx.tenant.identity("vm")
        grant(ctx, vm.principal_id, api.READER, rg(ctx))
        r = await client.get("/subscriptions/", params=SUBS_V, headers=bearer(ctx, vm))
        assert [s["subscriptionId"] for s in r.json()["value"]] == [ctx.tenant.subscription_id]

    async def test_unknown_subscription_and_errors(self, client: httpx.AsyncClient, ctx: Context) -> None:
        """Another subscription is 404; no token is 401; a bad api-version is 400; PUT is 405."""
        h = bearer(ctx, ctx.tenant.admin)
        other = "00000000-0000-0000-0000-0000000000aa"
        r = await client.get(f"/subscriptions/{other}", params=SUBS_V, headers=h)
        assert (r.status_code, r.json()["error"]["code"]) == (404, "SubscriptionNotFound")
        r = await client.get("/subscriptions", params=SUBS_V)
        assert (r.status_code, r.json()["error"]["code"]) == (401, "AuthenticationFailed")
        r = await client.get("/subscriptions", params={"api-version": "2099-01-01"}, headers=h)
        assert (r.status_code, r.json()["error"]["code"]) == (400, "InvalidApiVersionParameter")
        sub = ctx.tenant.subscription_id
        r = await client.put(f"/subscriptions/{sub}", params=SUBS_V, headers=h, json={})
        assert (r.status_code, r.json()["error"]["code"]) == (405, "MethodNotAllowed")


class TestTenants:
    async def test_list(self, client: httpx.AsyncClient, ctx: Context) -> None:
        """GET /tenants lists the emulator's tenant in the 2022-12-01 spec example's shape."""
        vm = ctx.tenant.identity("vm")
        r = await client.get("/tenants", params=SUBS_V, headers=bearer(ctx, vm))
        assert r.status_code == 200, r.text
        (tenant,) = r.json()["value"]
        assert tenant["id"] == f"/tenants/{ctx.tenant.tenant_id}"
        assert tenant["tenantId"] == ctx.tenant.tenant_id
        assert (tenant["tenantCategory"], tenant["tenantType"]) == ("Home", "AAD")
        assert tenant["defaultDomain"] in tenant["domains"]


class TestCloudMetadata:
    async def test_cli_autodetect_shape(self, client: httpx.AsyncClient, ctx: Context) -> None:
        """`az cloud register` autodetect: 2022-09-01 answers one cloud, every endpoint on the emulator, no token needed."""
        r = await client.get("/metadata/endpoints", params={"api-version": "2022-09-01"})
        assert r.status_code == 200, r.text
        doc = r.json()
        base = ctx.urls.https
        assert doc["name"]
        assert doc["resourceManager"] == f"{ctx.urls.arm}/"
        auth = doc["authentication"]
        assert auth["loginEndpoint"] == ctx.urls.authority
        # audiences[0] is the token resource the CLI uses for ARM: ARM must accept it.
        assert auth["audiences"][0] == "https://management.core.windows.net/"
        assert (auth["tenant"], auth["identityProvider"]) == ("common", "AAD")
        assert doc["logAnalyticsResourceId"] == ctx.urls.query
        for key in (
            "graph",
            "graphAudience",
            "microsoftGraphResourceId",
            "batch",
            "gallery",
            "sqlManagement",
        ):
            assert doc[key].startswith(base), key
        for key in ("storage", "keyVaultDns", "sqlServerHostname", "acrLoginServer"):
            assert doc["suffixes"][key], key

    async def test_versions(self, client: httpx.AsyncClient, ctx: Context) -> None:
        """2019-05-01 answers a list of clouds, 2015-01-01 the flat shape, others 400."""
        r = await client.get("/metadata/endpoints", params={"api-version": "2019-05-01"})
        (cloud,) = r.json()
        assert cloud["resourceManager"] == f"{ctx.urls.arm}/"
        r = await client.get("/metadata/endpoints", params={"api-version": "2015-01-01"})
        assert r.json()["authentication"]["loginEndpoint"] == ctx.urls.authority
        assert r.json()["graphEndpoint"].startswith(ctx.urls.https)
        r = await client.get("/metadata/endpoints", params={"api-version": "2001-01-01"})
        assert (r.status_code, r.json()["error"]["code"]) == (400, "InvalidApiVersionParameter")
        r = await client.get("/metadata/endpoints")
        assert (r.status_code, r.json()["error"]["code"]) == (400, "MissingApiVersionParameter")
