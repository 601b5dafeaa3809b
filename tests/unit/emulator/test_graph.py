"""The Microsoft Graph subset and the emulator's own token resources, in-process (Entra + Graph routes).

The shapes are Graph's: the servicePrincipal resource and ``directoryObject: getByIds`` of the Graph
v1.0 reference (microsoftgraph/microsoft-graph-docs-contrib), errors as Graph answers them
(``Request_ResourceNotFound`` ... ``innerError`` with ``request-id``/``client-request-id``,
microsoft-graph-explorer-v4#3330; ``InvalidAuthenticationToken`` "Access token validation failure.
Invalid audience.", microsoft-graph-docs-contrib#2362). The calls are the ones the Azure CLI 2.91's
``_msgrpah/_graph_client.py`` makes.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import jwt
import pytest
from starlette.applications import Starlette

from azlogs.emulator.config import Identity
from azlogs.emulator.context import Context
from azlogs.emulator.control import graph
from azlogs.emulator.control.routes import routes as arm_routes
from azlogs.emulator.identity import entra
from tests.unit.emulator.test_control_routes import bearer
from tests.unit.emulator.test_control_state import BASE

ORIGIN = BASE.rstrip("/")


@pytest.fixture
async def client(ctx: Context) -> AsyncIterator[httpx.AsyncClient]:
    app = Starlette(routes=[*arm_routes(ctx), *graph.routes(ctx), *entra.routes()])
    app.state.ctx = ctx
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=ORIGIN) as c:
        yield c


async def _token(client: httpx.AsyncClient, ctx: Context, ident: Identity, scope: str) -> httpx.Response:
    return await client.post(
        f"/{ctx.tenant.tenant_id}/oauth2/v2.0/token",
        data={
            "grant_type": "client_credentials",
            "client_id": ident.client_id,
            "client_secret": ident.client_secret or "",
            "scope": scope,
        },
    )


async def _admin_graph(client: httpx.AsyncClient, ctx: Context) -> dict[str, str]:
    # What the CLI asks for: resource_to_scopes(microsoftGraphResourceId) keeps the trailing slash.
    r = await _token(client, ctx, ctx.tenant.admin, f"{ORIGIN}//.default")
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def _claims(response: httpx.Response) -> dict[str, Any]:
    return jwt.decode(response.json()["access_token"], options={"verify_signature": False})


class TestOwnResources:
    async def test_the_origin_is_graphs_resource_and_the_admin_holds_directory_read(
        self, client: httpx.AsyncClient, ctx: Context
    ) -> None:
        """A token for the emulator's origin (the cloud's microsoftGraphResourceId) is issued, with the
        admin's Graph permission in ``roles``; another service principal's has no ``roles`` claim."""
        admin = await _token(client, ctx, ctx.tenant.admin, f"{ORIGIN}//.default")
        other = await _token(client, ctx, ctx.tenant.identity("sp"), f"{ORIGIN}/.default")
        assert admin.status_code == other.status_code == 200
        assert _claims(admin)["aud"] == f"{ORIGIN}/"
        assert _claims(admin)["roles"] == ["Directory.Read.All"]
        assert _claims(other)["aud"] == ORIGIN
        assert "roles" not in _claims(other)

    async def test_the_query_resource_under_the_origin_is_issued(
        self, client: httpx.AsyncClient, ctx: Context
    ) -> None:
        """``{origin}/query`` (the cloud's logAnalyticsResourceId) is a resource the authority knows."""
        r = await _token(client, ctx, ctx.tenant.admin, f"{ORIGIN}/query/.default")
        assert r.status_code == 200, r.text
        assert _claims(r)["aud"] == f"{ORIGIN}/query"

    @pytest.mark.parametrize("resource", [f"{ORIGIN}/other", "https://127.0.0.2:1", "https://evil.example"])
    async def test_other_resources_are_still_aadsts500011(
        self, client: httpx.AsyncClient, ctx: Context, resource: str
    ) -> None:
        """Any other path under the origin, another origin, or a foreign host: invalid_resource 500011."""
        r = await _token(client, ctx, ctx.tenant.admin, f"{resource}/.default")
        assert r.status_code == 400
        assert r.json()["error"] == "invalid_resource"
        assert r.json()["error_codes"] == [500011]

    @pytest.mark.parametrize("audience", [ORIGIN, f"{ORIGIN}/", "https://localhost:8443"])
    async def test_arm_accepts_the_origin(
        self, client: httpx.AsyncClient, ctx: Context, audience: str
    ) -> None:
        """ARM takes a token for its own origin (what a JS ``@azure/arm-*`` client given only an
        endpoint asks for) and still checks roles: the admin sees the subscription, the ``sp`` none."""
        v = {"api-version": "2022-12-01"}
        admin = await client.get("/subscriptions", params=v, headers=bearer(ctx, ctx.tenant.admin, audience))
        other = await client.get(
            "/subscriptions", params=v, headers=bearer(ctx, ctx.tenant.identity("sp"), audience)
        )
        assert admin.status_code == other.status_code == 200
        assert [s["subscriptionId"] for s in admin.json()["value"]] == [ctx.tenant.subscription_id]
        assert other.json()["value"] == []

    async def test_arm_refuses_the_query_resource(self, client: httpx.AsyncClient, ctx: Context) -> None:
        """A token for ``{origin}/query`` is no ARM token: 401 InvalidAuthenticationTokenAudience."""
        r = await client.get(
            "/subscriptions",
            params={"api-version": "2022-12-01"},
            headers=bearer(ctx, ctx.tenant.admin, f"{ORIGIN}/query"),
        )
        assert r.status_code == 401
        assert r.json()["error"]["code"] == "InvalidAuthenticationTokenAudience"


class TestGraphAuth:
    async def test_no_token_is_401_with_graphs_error_shape(self, client: httpx.AsyncClient) -> None:
        """No bearer token: 401 InvalidAuthenticationToken "Access token is empty." with innerError."""
        r = await client.get("/v1.0/servicePrincipals", headers={"client-request-id": "abc"})
        assert r.status_code == 401
        err = r.json()["error"]
        assert err["code"] == "InvalidAuthenticationToken"
        assert err["message"] == "Access token is empty."
        assert err["innerError"]["client-request-id"] == "abc"
        assert err["innerError"]["request-id"] == r.headers["request-id"]
        assert r.headers["client-request-id"] == "abc"
        assert "www-authenticate" in r.headers

    async def test_an_arm_token_is_the_wrong_audience(self, client: httpx.AsyncClient, ctx: Context) -> None:
        """A token for ARM is refused by Graph: 401 "Access token validation failure. Invalid audience."."""
        r = await client.get("/v1.0/servicePrincipals", headers=bearer(ctx, ctx.tenant.admin))
        assert r.status_code == 401
        assert r.json()["error"]["message"] == "Access token validation failure. Invalid audience."

    async def test_a_forged_token_is_refused(self, client: httpx.AsyncClient, ctx: Context) -> None:
        """A token signed by another key, claiming Graph's audience and roles: 401."""
        from azlogs.emulator.identity.issuer import Issuer, load_or_create_key

        forger = Issuer(ctx.tenant.tenant_id, load_or_create_key(None))
        token, _ = forger.mint(ctx.tenant.admin, f"{ORIGIN}/", 3600, roles=["Directory.Read.All"])
        r = await client.get("/v1.0/servicePrincipals", headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 401
        assert r.json()["error"]["code"] == "InvalidAuthenticationToken"

    async def test_a_principal_without_graph_permissions_is_403(
        self, client: httpx.AsyncClient, ctx: Context
    ) -> None:
        """A valid Graph token without a directory-read permission: 403 Authorization_RequestDenied."""
        r = await client.get(
            "/v1.0/servicePrincipals", headers=bearer(ctx, ctx.tenant.identity("vm"), f"{ORIGIN}/")
        )
        assert r.status_code == 403
        assert r.json()["error"]["code"] == "Authorization_RequestDenied"
        assert r.json()["error"]["message"] == "Insufficient privileges to complete the operation."

    async def test_graph_microsoft_com_audience_is_accepted(
        self, client: httpx.AsyncClient, ctx: Context
    ) -> None:
        """A token for Azure's Graph App ID URI (with the admin's permission) reads the directory too."""
        r = await _token(client, ctx, ctx.tenant.admin, "https://graph.microsoft.com/.default")
        headers = {"Authorization": f"Bearer {r.json()['access_token']}"}
        listed = await client.get("/v1.0/servicePrincipals", headers=headers)
        assert listed.status_code == 200


class TestDirectoryReads:
    async def test_get_by_ids_answers_service_principals_with_their_odata_type(
        self, client: httpx.AsyncClient, ctx: Context
    ) -> None:
        """getByIds with the CLI's types finds the tenant's principals; unknown ids are left out."""
        vm, sp = ctx.tenant.identity("vm"), ctx.tenant.identity("sp")
        body = {
            "ids": [vm.principal_id, sp.principal_id, "00000000-0000-0000-0000-000000000000"],
            "types": ["user", "group", "servicePrincipal", "directoryObjectPartnerReference"],
        }
        r = await client.post(
            "/v1.0/directoryObjects/getByIds", json=body, headers=await _admin_graph(client, ctx)
        )
        assert r.status_code == 200
        data = r.json()
        assert data["@odata.context"] == f"{ORIGIN}/v1.0/$metadata#directoryObjects"
        by_id = {o["id"]: o for o in data["value"]}
        assert set(by_id) == {vm.principal_id, sp.principal_id}
        assert {o["@odata.type"] for o in data["value"]} == {"#microsoft.graph.servicePrincipal"}
        assert by_id[vm.principal_id]["servicePrincipalType"] == "ManagedIdentity"
        assert by_id[vm.principal_id]["alternativeNames"] == ["isExplicit=False", vm.resource_id]
        assert by_id[sp.principal_id]["servicePrincipalType"] == "Application"
        assert by_id[sp.principal_id]["appOwnerOrganizationId"] == ctx.tenant.tenant_id

    async def test_get_by_ids_of_users_only_finds_nothing(
        self, client: httpx.AsyncClient, ctx: Context
    ) -> None:
        """``types: [user]`` excludes service principals (the directory holds no users)."""
        body = {"ids": [ctx.tenant.identity("vm").principal_id], "types": ["user"]}
        r = await client.post(
            "/v1.0/directoryObjects/getByIds", json=body, headers=await _admin_graph(client, ctx)
        )
        assert r.status_code == 200
        assert r.json()["value"] == []

    async def test_get_by_ids_refuses_a_missing_ids_and_too_many(
        self, client: httpx.AsyncClient, ctx: Context
    ) -> None:
        """No ``ids``, or more than 1000 of them: 400 Request_BadRequest."""
        headers = await _admin_graph(client, ctx)
        missing = await client.post(
            "/v1.0/directoryObjects/getByIds", json={"types": ["user"]}, headers=headers
        )
        many = await client.post(
            "/v1.0/directoryObjects/getByIds",
            json={"ids": [f"00000000-0000-0000-0000-{i:012d}" for i in range(1001)]},
            headers=headers,
        )
        assert missing.status_code == many.status_code == 400
        assert missing.json()["error"]["code"] == "Request_BadRequest"

    async def test_filter_by_service_principal_name(self, client: httpx.AsyncClient, ctx: Context) -> None:
        """``servicePrincipalNames/any(c:c eq 'APPID')``, percent-encoded as the CLI sends it, finds one."""
        user = ctx.tenant.identity("vm-user")
        r = await client.get(
            "/v1.0/servicePrincipals",
            params={"$filter": f"servicePrincipalNames/any(c:c eq '{user.client_id.upper()}')"},
            headers=await _admin_graph(client, ctx),
        )
        assert r.status_code == 200
        assert [o["id"] for o in r.json()["value"]] == [user.principal_id]
        assert r.json()["value"][0]["alternativeNames"][0] == "isExplicit=True"

    async def test_filters_by_app_id_and_display_name(self, client: httpx.AsyncClient, ctx: Context) -> None:
        """``appId eq``, ``displayName eq`` and ``startswith(displayName, ...)``, joined by ``and``."""
        vm = ctx.tenant.identity("vm")
        headers = await _admin_graph(client, ctx)
        flt = f"appId eq '{vm.client_id}' and startswith(displayName,'vm-')"
        r = await client.get("/v1.0/servicePrincipals", params={"$filter": flt}, headers=headers)
        none = await client.get(
            "/v1.0/servicePrincipals", params={"$filter": "displayName eq 'nobody''s'"}, headers=headers
        )
        assert [o["displayName"] for o in r.json()["value"]] == ["vm-azlogs"]
        assert none.json()["value"] == []

    async def test_an_unsupported_filter_is_400(self, client: httpx.AsyncClient, ctx: Context) -> None:
        """A filter outside the subset is refused, never ignored (which would list everyone)."""
        r = await client.get(
            "/v1.0/servicePrincipals",
            params={"$filter": "tags/any(t:t eq 'x')"},
            headers=await _admin_graph(client, ctx),
        )
        assert r.status_code == 400
        assert r.json()["error"]["code"] == "Request_UnsupportedQuery"

    async def test_get_by_object_id_and_by_app_id(self, client: httpx.AsyncClient, ctx: Context) -> None:
        """``/servicePrincipals/{id}`` and ``/servicePrincipals(appId='...')`` answer the same entity."""
        ident = ctx.tenant.identity("arc")
        headers = await _admin_graph(client, ctx)
        by_id = await client.get(f"/v1.0/servicePrincipals/{ident.principal_id}", headers=headers)
        by_app = await client.get(f"/v1.0/servicePrincipals(appId='{ident.client_id}')", headers=headers)
        assert by_id.status_code == by_app.status_code == 200
        assert by_id.json() == by_app.json()
        assert by_id.json()["@odata.context"] == f"{ORIGIN}/v1.0/$metadata#servicePrincipals/$entity"
        assert by_id.json()["appId"] == ident.client_id
        assert by_id.json()["displayName"] == "arc-azlogs"

    async def test_unknown_and_malformed_ids(self, client: httpx.AsyncClient, ctx: Context) -> None:
        """An unknown object id is 404 Request_ResourceNotFound naming it; a non-GUID is 400."""
        headers = await _admin_graph(client, ctx)
        missing = "11111111-2222-3333-4444-555555555555"
        r = await client.get(f"/v1.0/servicePrincipals/{missing}", headers=headers)
        bad = await client.get("/v1.0/servicePrincipals/not-a-guid", headers=headers)
        assert r.status_code == 404
        assert r.json()["error"]["code"] == "Request_ResourceNotFound"
        assert r.json()["error"]["message"] == (
            f"Resource '{missing}' does not exist or one of its queried reference-property objects are not present."
        )
        assert bad.status_code == 400
        assert bad.json()["error"]["message"] == "Invalid object identifier 'not-a-guid'."

    async def test_me_and_unknown_segments(self, client: httpx.AsyncClient, ctx: Context) -> None:
        """``/me`` with an app-only token is 400 (delegated only); an unknown segment is 400 BadRequest."""
        headers = await _admin_graph(client, ctx)
        me = await client.get("/v1.0/me", headers=headers)
        other = await client.get("/v1.0/sites/root", headers=headers)
        users = await client.get(
            "/v1.0/users", params={"$filter": "userPrincipalName eq 'a@b'"}, headers=headers
        )
        assert me.status_code == other.status_code == 400
        assert other.json()["error"]["message"] == "Resource not found for the segment 'sites'."
        assert users.status_code == 200
        assert users.json()["value"] == []

    async def test_select_projects_the_entity(self, client: httpx.AsyncClient, ctx: Context) -> None:
        """``$select=appId,displayName`` keeps those and the id (and the OData annotations)."""
        ident = ctx.tenant.identity("automation")
        r = await client.get(
            f"/v1.0/servicePrincipals/{ident.principal_id}",
            params={"$select": "appId,displayName"},
            headers=await _admin_graph(client, ctx),
        )
        assert set(r.json()) == {"@odata.context", "id", "appId", "displayName"}
