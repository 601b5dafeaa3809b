"""The ARM routes in-process (ASGI): auth answers, api-versions, RBAC, not-found shapes, lists, casing."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from azlogs.emulator.config import Identity
from azlogs.emulator.context import Context
from azlogs.emulator.control import api, rbac, roles
from tests.unit.emulator.test_control_state import table_body

ARM = "https://management.azure.com"


def bearer(ctx: Context, ident: Identity, resource: str = ARM, lifetime: int = 3600) -> dict[str, str]:
    token, _ = ctx.issuer.mint(ident, resource, lifetime)
    return {"Authorization": f"Bearer {token}"}


def rg(ctx: Context) -> str:
    return f"/subscriptions/{ctx.tenant.subscription_id}/resourceGroups/{ctx.tenant.resource_group}"


V = {"api-version": "2023-03-11"}


async def grant(client: httpx.AsyncClient, ctx: Context, role_id: str, principal: str, name: str) -> None:
    """Assign ``role_id`` to ``principal`` on the tenant's resource group (assignment ``name``), as the admin."""
    body = {
        "properties": {
            "roleDefinitionId": rbac.role_definition_id(ctx.tenant.subscription_id, role_id),
            "principalId": principal,
        }
    }
    r = await client.put(
        f"{rg(ctx)}/providers/Microsoft.Authorization/roleAssignments/{name}",
        params={"api-version": "2022-04-01"},
        json=body,
        headers=bearer(ctx, ctx.tenant.admin),
    )
    assert r.status_code == 201, r.text


class TestAuthentication:
    async def test_missing_header(self, client: httpx.AsyncClient, ctx: Context) -> None:
        """No Authorization header: 401 AuthenticationFailed with ARM's Bearer challenge."""
        r = await client.get(rg(ctx) + "/providers/Microsoft.Insights/dataCollectionRules", params=V)
        assert r.status_code == 401
        assert r.json()["error"]["code"] == "AuthenticationFailed"
        challenge = r.headers["www-authenticate"]
        assert challenge.startswith(f'Bearer authorization_uri="{ctx.urls.authority}/{ctx.tenant.tenant_id}"')
        assert 'error="invalid_token"' in challenge

    async def test_wrong_audience(self, client: httpx.AsyncClient, ctx: Context) -> None:
        """A monitor.azure.com token is refused: InvalidAuthenticationTokenAudience naming the audience."""
        h = bearer(ctx, ctx.tenant.admin, "https://monitor.azure.com")
        r = await client.get(
            rg(ctx) + "/providers/Microsoft.Insights/dataCollectionRules", params=V, headers=h
        )
        assert r.status_code == 401
        err = r.json()["error"]
        assert err["code"] == "InvalidAuthenticationTokenAudience"
        assert (
            "'https://monitor.azure.com'" in err["message"]
            and "'https://management.azure.com/'" in err["message"]
        )

    async def test_expired_and_garbage(self, client: httpx.AsyncClient, ctx: Context) -> None:
        """Expired tokens are ExpiredAuthenticationToken; malformed ones InvalidAuthenticationToken."""
        url = rg(ctx) + "/providers/Microsoft.Insights/dataCollectionRules"
        r = await client.get(url, params=V, headers=bearer(ctx, ctx.tenant.admin, lifetime=-3600))
        assert (r.status_code, r.json()["error"]["code"]) == (401, "ExpiredAuthenticationToken")
        assert "is earlier than current UTC time" in r.json()["error"]["message"]
        r = await client.get(url, params=V, headers={"Authorization": "Bearer not.a.jwt"})
        assert (r.status_code, r.json()["error"]["code"]) == (401, "InvalidAuthenticationToken")
        r = await client.get(url, params=V, headers={"Authorization": "Basic abc"})
        assert (r.status_code, r.json()["error"]["code"]) == (401, "AuthenticationFailed")

    async def test_both_arm_audiences_accepted(self, client: httpx.AsyncClient, ctx: Context) -> None:
        """management.azure.com and management.core.windows.net, with or without slash, are ARM audiences."""
        for aud in (ARM, ARM + "/", "https://management.core.windows.net/"):
            r = await client.get(
                rg(ctx), params={"api-version": "2021-04-01"}, headers=bearer(ctx, ctx.tenant.admin, aud)
            )
            assert r.status_code == 200, r.text


class TestApiVersions:
    @pytest.mark.parametrize(
        ("path", "version", "code"),
        [
            (
                "/providers/Microsoft.Insights/dataCollectionRules/x",
                "2099-01-01",
                "NoRegisteredProviderFound",
            ),
            (
                "/providers/Microsoft.OperationalInsights/workspaces/w/tables/T_CL",
                "2023-03-11",
                "NoRegisteredProviderFound",
            ),
            (
                "/providers/Microsoft.Authorization/roleAssignments",
                "2099-01-01",
                "InvalidApiVersionParameter",
            ),
            ("", "2099-01-01", "InvalidApiVersionParameter"),
            ("/providers/Microsoft.Insights/dataCollectionRules/x", None, "MissingApiVersionParameter"),
        ],
    )
    async def test_unknown_versions(
        self, client: httpx.AsyncClient, ctx: Context, path: str, version: str | None, code: str
    ) -> None:
        """Unknown or missing api-versions answer 400 with ARM's codes and list the supported ones."""
        params = {"api-version": version} if version else {}
        r = await client.get(rg(ctx) + path, params=params, headers=bearer(ctx, ctx.tenant.admin))
        assert (r.status_code, r.json()["error"]["code"]) == (400, code)
        if version:
            assert "supported" in r.json()["error"]["message"]


class TestAuthorization:
    async def test_vm_identity_without_role(self, client: httpx.AsyncClient, ctx: Context) -> None:
        """A principal without a role gets 403 AuthorizationFailed in ARM's words, naming action and scope."""
        vm = ctx.tenant.identity("vm")
        url = rg(ctx) + "/providers/Microsoft.Insights/dataCollectionRules/x"
        r = await client.put(url, params=V, json={"location": "eastus"}, headers=bearer(ctx, vm))
        assert r.status_code == 403
        assert r.json()["error"] == {
            "code": "AuthorizationFailed",
            "message": f"The client '{vm.client_id}' with object id '{vm.principal_id}' does not have authorization "
            f"to perform action 'Microsoft.Insights/dataCollectionRules/write' over scope '{url}' or the scope is "
            "invalid. If access was recently granted, please refresh your credentials.",
        }

    async def _grant(
        self, client: httpx.AsyncClient, ctx: Context, role_id: str, principal: str, name: str
    ) -> None:
        await grant(client, ctx, role_id, principal, name)

    async def test_contributor_cannot_assign_roles_uaa_can(
        self, client: httpx.AsyncClient, ctx: Context
    ) -> None:
        """Contributor writes resources but not role assignments; User Access Administrator writes role assignments."""
        contributor, uaa, vm = (
            ctx.tenant.identity("sp"),
            ctx.tenant.identity("vm-user"),
            ctx.tenant.identity("vm"),
        )
        await self._grant(
            client, ctx, api.CONTRIBUTOR, contributor.principal_id, "0b3a8a5e-0000-4000-8000-000000000001"
        )
        await self._grant(
            client,
            ctx,
            roles.USER_ACCESS_ADMINISTRATOR,
            uaa.principal_id,
            "0b3a8a5e-0000-4000-8000-000000000002",
        )
        ra = f"{rg(ctx)}/providers/Microsoft.Authorization/roleAssignments/0b3a8a5e-0000-4000-8000-000000000003"
        body = {
            "properties": {
                "roleDefinitionId": rbac.role_definition_id(ctx.tenant.subscription_id, api.READER),
                "principalId": vm.principal_id,
            }
        }
        r = await client.put(
            ra, params={"api-version": "2022-04-01"}, json=body, headers=bearer(ctx, contributor)
        )
        assert (r.status_code, r.json()["error"]["code"]) == (403, "AuthorizationFailed")
        assert "Microsoft.Authorization/roleAssignments/write" in r.json()["error"]["message"]
        ws = ctx.tenant.workspace_resource_id
        r = await client.put(
            ws + "/tables/C_CL",
            params={"api-version": "2022-10-01"},
            json=table_body("C_CL"),
            headers=bearer(ctx, contributor),
        )
        assert r.status_code == 200, r.text
        r = await client.put(ra, params={"api-version": "2022-04-01"}, json=body, headers=bearer(ctx, uaa))
        assert r.status_code == 201, r.text
        r = await client.put(
            ws + "/tables/D_CL",
            params={"api-version": "2022-10-01"},
            json=table_body("D_CL"),
            headers=bearer(ctx, uaa),
        )
        assert r.status_code == 403


class TestShapes:
    async def test_not_found_answers(self, client: httpx.AsyncClient, ctx: Context) -> None:
        """Missing resource, parent workspace, resource group and subscription answer ARM's 404 codes."""
        h = bearer(ctx, ctx.tenant.admin)
        r = await client.get(
            rg(ctx) + "/providers/Microsoft.Insights/dataCollectionRules/none", params=V, headers=h
        )
        assert (r.status_code, r.json()["error"]["code"]) == (404, "ResourceNotFound")
        assert (
            "'Microsoft.Insights/dataCollectionRules/none' under resource group"
            in r.json()["error"]["message"]
        )
        ws = rg(ctx) + "/providers/Microsoft.OperationalInsights/workspaces/none"
        r = await client.put(
            ws + "/tables/T_CL", params={"api-version": "2022-10-01"}, json=table_body("T_CL"), headers=h
        )
        assert (r.status_code, r.json()["error"]["code"]) == (404, "ParentResourceNotFound")
        other_rg = f"/subscriptions/{ctx.tenant.subscription_id}/resourceGroups/none/providers/Microsoft.Insights/dataCollectionEndpoints/e"
        r = await client.put(other_rg, params=V, json={"location": "eastus"}, headers=h)
        assert (r.status_code, r.json()["error"]["code"]) == (404, "ResourceGroupNotFound")
        r = await client.get(
            "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/x",
            params={"api-version": "2021-04-01"},
            headers=h,
        )
        assert (r.status_code, r.json()["error"]["code"]) == (404, "SubscriptionNotFound")
        r = await client.get(rg(ctx) + "/providers/Microsoft.Compute/virtualMachines/vm", params=V, headers=h)
        assert (r.status_code, r.json()["error"]["code"]) == (404, "InvalidResourceType")

    async def test_bad_json_and_delete_semantics(self, client: httpx.AsyncClient, ctx: Context) -> None:
        """Malformed JSON is 400 InvalidRequestContent; DELETE answers 200 then 204; lists are {'value': [...]}."""
        h = bearer(ctx, ctx.tenant.admin)
        url = rg(ctx) + "/providers/Microsoft.Insights/dataCollectionEndpoints/dce-e1"
        r = await client.put(
            url, params=V, content=b"{nope", headers={**h, "content-type": "application/json"}
        )
        assert (r.status_code, r.json()["error"]["code"]) == (400, "InvalidRequestContent")
        assert (await client.put(url, params=V, json={"location": "eastus"}, headers=h)).status_code == 200
        listing = await client.get(
            f"/subscriptions/{ctx.tenant.subscription_id}/providers/Microsoft.Insights/dataCollectionEndpoints",
            params=V,
            headers=h,
        )
        assert [d["name"] for d in listing.json()["value"]] == ["dce-e1"]
        assert (await client.delete(url, params=V, headers=h)).status_code == 200
        assert (await client.delete(url, params=V, headers=h)).status_code == 204
        assert (await client.post(url, params=V, headers=h)).status_code == 405

    async def test_casing(self, client: httpx.AsyncClient, ctx: Context) -> None:
        """A path in other casing finds the resource; the answer keeps the casing it was created with."""
        h = bearer(ctx, ctx.tenant.admin)
        ws = ctx.tenant.workspace_resource_id
        assert (
            await client.put(
                ws + "/tables/Mixed_CL",
                params={"api-version": "2025-07-01"},
                json=table_body("Mixed_CL"),
                headers=h,
            )
        ).status_code == 200
        lower = ws.lower() + "/TABLES/Mixed_CL"
        r = await client.get(lower, params={"api-version": "2025-07-01"}, headers=h)
        assert r.status_code == 200
        assert r.json()["id"] == ws + "/tables/Mixed_CL"
        assert r.json()["properties"]["provisioningState"] == "Succeeded"

    async def test_role_definitions_and_assignment_lists(
        self, client: httpx.AsyncClient, ctx: Context
    ) -> None:
        """Role definitions answer by id and by roleName filter; assignment lists honour atScope() and principalId."""
        h = bearer(ctx, ctx.tenant.admin)
        sub = f"/subscriptions/{ctx.tenant.subscription_id}"
        v = {"api-version": "2022-04-01"}
        r = await client.get(
            f"{sub}/providers/Microsoft.Authorization/roleDefinitions/{api.MONITORING_METRICS_PUBLISHER}",
            params=v,
            headers=h,
        )
        assert r.json()["properties"]["permissions"][0]["dataActions"] == [
            "Microsoft.Insights/Metrics/Write",
            "Microsoft.Insights/Telemetry/Write",
        ]
        r = await client.get(
            f"{sub}/providers/Microsoft.Authorization/roleDefinitions",
            params={**v, "$filter": "roleName eq 'Reader'"},
            headers=h,
        )
        assert [d["name"] for d in r.json()["value"]] == [api.READER]
        r = await client.get(
            f"{sub}/providers/Microsoft.Authorization/roleDefinitions/0b3a8a5e-0000-4000-8000-00000000abcd",
            params=v,
            headers=h,
        )
        assert (r.status_code, r.json()["error"]["code"]) == (404, "RoleDefinitionDoesNotExist")
        vm = ctx.tenant.identity("vm").principal_id
        body: dict[str, Any] = {
            "properties": {
                "roleDefinitionId": rbac.role_definition_id(ctx.tenant.subscription_id, api.READER),
                "principalId": vm,
            }
        }
        dcr_scope = rg(ctx) + "/providers/Microsoft.Insights/dataCollectionRules/d"
        r = await client.put(
            f"{dcr_scope}/providers/Microsoft.Authorization/roleAssignments/0b3a8a5e-0000-4000-8000-000000000009",
            params=v,
            json=body,
            headers=h,
        )
        assert r.status_code == 201 and r.json()["properties"]["scope"] == dcr_scope
        everything = await client.get(
            f"{rg(ctx)}/providers/Microsoft.Authorization/roleAssignments", params=v, headers=h
        )
        assert len(everything.json()["value"]) == 2  # the admin's Owner above, the VM's Reader below
        at_scope = await client.get(
            f"{rg(ctx)}/providers/Microsoft.Authorization/roleAssignments",
            params={**v, "$filter": "atScope()"},
            headers=h,
        )
        assert [a["properties"]["principalId"] for a in at_scope.json()["value"]] == [
            ctx.tenant.admin.principal_id
        ]
        mine = await client.get(
            f"{sub}/providers/Microsoft.Authorization/roleAssignments",
            params={**v, "$filter": f"principalId eq '{vm}'"},
            headers=h,
        )
        assert [a["properties"]["principalId"] for a in mine.json()["value"]] == [vm]

    async def test_role_definitions_need_no_role(self, client: httpx.AsyncClient, ctx: Context) -> None:
        """A principal without any role may still read the built-in role definitions, at the tenant root too."""
        h = bearer(ctx, ctx.tenant.identity("vm"))
        r = await client.get(
            f"/providers/Microsoft.Authorization/roleDefinitions/{api.OWNER}",
            params={"api-version": "2022-04-01"},
            headers=h,
        )
        assert r.status_code == 200 and r.json()["properties"]["roleName"] == "Owner"
        assert r.json()["id"] == f"/providers/Microsoft.Authorization/roleDefinitions/{api.OWNER}"

    async def test_patch_tags(self, client: httpx.AsyncClient, ctx: Context) -> None:
        """PATCH with tags updates a workspace's tags and keeps the rest."""
        h = bearer(ctx, ctx.tenant.admin)
        ws = ctx.tenant.workspace_resource_id
        before = (await client.get(ws, params={"api-version": "2022-10-01"}, headers=h)).json()
        r = await client.patch(
            ws, params={"api-version": "2022-10-01"}, json={"tags": {"team": "logs"}}, headers=h
        )
        assert r.status_code == 200 and r.json()["tags"] == {"team": "logs"}
        assert r.json()["properties"]["customerId"] == before["properties"]["customerId"]
