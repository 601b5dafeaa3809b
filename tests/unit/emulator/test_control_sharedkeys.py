"""The workspace sharedKeys and regenerateSharedKey actions on the ARM routes, in-process."""

from __future__ import annotations

import base64

import httpx

from azlogs.emulator.context import Context
from azlogs.emulator.control import api
from tests.unit.emulator.test_control_routes import bearer, grant, rg

V = {"api-version": "2020-08-01"}


def keys_url(ctx: Context, action: str = "sharedKeys") -> str:
    return f"{ctx.tenant.workspace_resource_id}/{action}"


class TestSharedKeys:
    async def test_admin_gets_two_stable_keys_never_in_a_get(
        self, client: httpx.AsyncClient, ctx: Context
    ) -> None:
        """sharedKeys answers two 64-byte base64 keys, the same each time; the workspace GET shows neither."""
        h = bearer(ctx, ctx.tenant.admin)
        r = await client.post(keys_url(ctx), params=V, headers=h)
        assert r.status_code == 200, r.text
        keys = r.json()
        assert set(keys) == {"primarySharedKey", "secondarySharedKey"}
        assert all(len(base64.b64decode(k)) == 64 for k in keys.values())
        assert (await client.post(keys_url(ctx), params=V, headers=h)).json() == keys
        ws = await client.get(ctx.tenant.workspace_resource_id, params=V, headers=h)
        assert keys["primarySharedKey"] not in ws.text

    async def test_reader_is_refused(self, client: httpx.AsyncClient, ctx: Context) -> None:
        """A Reader has no workspaces/sharedKeys/action: 403 AuthorizationFailed naming it."""
        vm = ctx.tenant.identity("vm")
        await grant(client, ctx, api.READER, vm.principal_id, "0b3a8a5e-0000-4000-8000-00000000000a")
        r = await client.post(keys_url(ctx), params=V, headers=bearer(ctx, vm))
        assert (r.status_code, r.json()["error"]["code"]) == (403, "AuthorizationFailed")
        assert "Microsoft.OperationalInsights/workspaces/sharedKeys/action" in r.json()["error"]["message"]

    async def test_regenerate_replaces_one_key(self, client: httpx.AsyncClient, ctx: Context) -> None:
        """regenerateSharedKey with keyName secondary changes only the secondary key; another keyName is 400."""
        h = bearer(ctx, ctx.tenant.admin)
        old = (await client.post(keys_url(ctx), params=V, headers=h)).json()
        r = await client.post(
            keys_url(ctx, "regenerateSharedKey"), params=V, json={"keyName": "secondary"}, headers=h
        )
        assert r.status_code == 200, r.text
        assert r.json()["primarySharedKey"] == old["primarySharedKey"]
        assert r.json()["secondarySharedKey"] != old["secondarySharedKey"]
        bad = await client.post(
            keys_url(ctx, "regenerateSharedKey"), params=V, json={"keyName": "x"}, headers=h
        )
        assert bad.status_code == 400

    async def test_arm_checks(self, client: httpx.AsyncClient, ctx: Context) -> None:
        """No api-version is 400, no such workspace 404, a GET 405, no token 401."""
        h = bearer(ctx, ctx.tenant.admin)
        r = await client.post(keys_url(ctx), headers=h)
        assert (r.status_code, r.json()["error"]["code"]) == (400, "MissingApiVersionParameter")
        other = f"{rg(ctx)}/providers/Microsoft.OperationalInsights/workspaces/nope/sharedKeys"
        assert (await client.post(other, params=V, headers=h)).status_code == 404
        assert (await client.get(keys_url(ctx), params=V, headers=h)).status_code == 405
        assert (await client.post(keys_url(ctx), params=V)).status_code == 401
