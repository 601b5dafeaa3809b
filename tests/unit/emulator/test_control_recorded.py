"""DCE and DCR writes answered as Azure's recorded live sessions show them; built-in tables through the tables API.

Source: the Go SDK's recordings in Azure/azure-sdk-assets
(``go/sdk/resourcemanager/monitor/armmonitor/testdata/recordings/TestDatacollectionendpointsTestSuite.json``
and ``TestDatacollectionrulesTestSuite.json``, api-version 2024-03-11): a PUT that creates a DCE or a
DCR answers ``200``, not ``201``. A body without ``location`` is ARM's ``LocationRequired``.
"""

from __future__ import annotations

import httpx

from azlogs.emulator.context import Context
from tests.unit.emulator.test_control_routes import bearer, rg

V = {"api-version": "2024-03-11"}


def dcr_body(ctx: Context) -> dict[str, object]:
    """The recorded agent DCR's shape, reduced to a custom stream this emulator serves."""
    return {
        "location": "eastus",
        "properties": {
            "streamDeclarations": {
                "Custom-Rec": {
                    "columns": [
                        {"name": "TimeGenerated", "type": "datetime"},
                        {"name": "Msg", "type": "string"},
                    ]
                }
            },
            "destinations": {
                "logAnalytics": [
                    {"name": "centralWorkspace", "workspaceResourceId": ctx.tenant.workspace_resource_id}
                ]
            },
            "dataFlows": [
                {
                    "streams": ["Custom-Rec"],
                    "destinations": ["centralWorkspace"],
                    "outputStream": "Microsoft-Syslog",
                    "transformKql": "source | extend SyslogMessage = Msg | project TimeGenerated, SyslogMessage",
                }
            ],
        },
    }


class TestFreshPut:
    async def test_new_dce_is_200(self, client: httpx.AsyncClient, ctx: Context) -> None:
        """The recorded DCE create (networkAcls body) answers 200 on first and second PUT."""
        url = rg(ctx) + "/providers/Microsoft.Insights/dataCollectionEndpoints/rec-dce"
        body = {"location": "eastus", "properties": {"networkAcls": {"publicNetworkAccess": "Enabled"}}}
        h = bearer(ctx, ctx.tenant.admin)
        first = await client.put(url, params=V, json=body, headers=h)
        assert first.status_code == 200, first.text
        assert first.json()["properties"]["provisioningState"] == "Succeeded"
        assert (await client.put(url, params=V, json=body, headers=h)).status_code == 200

    async def test_new_dcr_is_200(self, client: httpx.AsyncClient, ctx: Context) -> None:
        """A DCR create answers 200 with its immutableId, as recorded."""
        url = rg(ctx) + "/providers/Microsoft.Insights/dataCollectionRules/rec-dcr"
        r = await client.put(url, params=V, json=dcr_body(ctx), headers=bearer(ctx, ctx.tenant.admin))
        assert r.status_code == 200, r.text
        assert r.json()["properties"]["immutableId"].startswith("dcr-")

    async def test_missing_location_is_location_required(
        self,
        client: httpx.AsyncClient,
        ctx: Context,
    ) -> None:
        """DCE and DCR bodies without a location answer ARM's 400 LocationRequired."""
        h = bearer(ctx, ctx.tenant.admin)
        body = dcr_body(ctx)
        del body["location"]
        for url, sent in (
            (rg(ctx) + "/providers/Microsoft.Insights/dataCollectionRules/no-loc", body),
            (rg(ctx) + "/providers/Microsoft.Insights/dataCollectionEndpoints/no-loc", {"properties": {}}),
        ):
            r = await client.put(url, params=V, json=sent, headers=h)
            assert r.status_code == 400, r.text
            assert r.json()["error"] == {
                "code": "LocationRequired",
                "message": "The location property is required for this definition.",
            }


class TestBuiltinTables:
    async def test_get_builtin_table(self, client: httpx.AsyncClient, ctx: Context) -> None:
        """GET of a built-in table is 200 with tableType Microsoft, its columns under standardColumns."""
        ws = ctx.tenant.workspace_resource_id
        h = bearer(ctx, ctx.tenant.admin)
        r = await client.get(f"{ws}/tables/syslog", params={"api-version": "2022-10-01"}, headers=h)
        assert r.status_code == 200, r.text
        doc = r.json()
        assert (doc["id"], doc["name"]) == (f"{ws}/tables/Syslog", "Syslog")
        schema = doc["properties"]["schema"]
        assert (schema["name"], schema["tableType"], schema["columns"]) == ("Syslog", "Microsoft", [])
        names = [c["name"] for c in schema["standardColumns"]]
        assert {"TimeGenerated", "SyslogMessage", "TenantId"} <= set(names)
        r = await client.get(f"{ws}/tables/NoSuchTable", params={"api-version": "2022-10-01"}, headers=h)
        assert (r.status_code, r.json()["error"]["code"]) == (404, "ResourceNotFound")
