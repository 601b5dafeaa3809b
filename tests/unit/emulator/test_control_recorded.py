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


class TestTableShapes:
    async def test_standard_columns_flags(self, client: httpx.AsyncClient, ctx: Context) -> None:
        """standardColumns carry isDefaultDisplay and isHidden, TenantId hidden (Learn's tables GET sample,
        azure-monitor docs ``manage-logs-tables``; the Python SDK's recorded tables list)."""
        ws = ctx.tenant.workspace_resource_id
        h = bearer(ctx, ctx.tenant.admin)
        body = {
            "properties": {
                "schema": {"name": "Shape_CL", "columns": [{"name": "TimeGenerated", "type": "dateTime"}]}
            }
        }
        r = await client.put(
            f"{ws}/tables/Shape_CL", params={"api-version": "2022-10-01"}, json=body, headers=h
        )
        assert r.status_code == 200, r.text
        std = {c["name"]: c for c in r.json()["properties"]["schema"]["standardColumns"]}
        assert std["TenantId"] == {
            "name": "TenantId",
            "type": "guid",
            "isDefaultDisplay": False,
            "isHidden": True,
        }
        assert std["Type"]["isHidden"] is False

    async def test_alert_is_a_builtin_table(self, client: httpx.AsyncClient, ctx: Context) -> None:
        """GET tables/Alert is 200 with tableType Microsoft and tableSubType Any, as Azure answers built-in tables."""
        ws = ctx.tenant.workspace_resource_id
        r = await client.get(
            f"{ws}/tables/Alert", params={"api-version": "2022-10-01"}, headers=bearer(ctx, ctx.tenant.admin)
        )
        assert r.status_code == 200, r.text
        schema = r.json()["properties"]["schema"]
        assert (schema["name"], schema["tableType"], schema["tableSubType"]) == ("Alert", "Microsoft", "Any")
        assert "AlertName" in [c["name"] for c in schema["standardColumns"]]


class TestWorkspaceShapes:
    async def test_create_is_201_with_location_and_capping(
        self, client: httpx.AsyncClient, ctx: Context
    ) -> None:
        """A new workspace: 201 with a Location header and workspaceCapping (no daily cap: -1, RespectQuota);
        an update: 200 without Location (Learn's workspace GET samples; issue 10's measured answers)."""
        url = rg(ctx) + "/providers/Microsoft.OperationalInsights/workspaces/law-shape"
        v = {"api-version": "2022-10-01"}
        h = bearer(ctx, ctx.tenant.admin)
        first = await client.put(url, params=v, json={"location": "eastus"}, headers=h)
        assert first.status_code == 201, first.text
        assert first.headers["location"] == f"{ctx.urls.arm}{url}?api-version=2022-10-01"
        cap = first.json()["properties"]["workspaceCapping"]
        assert (cap["dailyQuotaGb"], cap["dataIngestionStatus"]) == (-1.0, "RespectQuota")
        assert cap["quotaNextResetTime"].endswith(" GMT")
        again = await client.put(url, params=v, json={"location": "eastus"}, headers=h)
        assert again.status_code == 200
        assert "location" not in again.headers


class TestResourceGroupDelete:
    async def test_delete_is_202_with_a_job(self, client: httpx.AsyncClient, ctx: Context) -> None:
        """DELETE of a resource group is 202 with Location (.../operationresults/...) and Retry-After 15, as the
        Go SDK's recording (armresources TestResourceGroupsClient.json) shows; the job answers 200, the group is gone."""
        h = bearer(ctx, ctx.tenant.admin)
        url = f"/subscriptions/{ctx.tenant.subscription_id}/resourcegroups/rg-gone"
        v = {"api-version": "2021-04-01"}
        assert (await client.put(url, params=v, json={"location": "eastus"}, headers=h)).status_code == 201
        d = await client.delete(url, params=v, headers=h)
        assert d.status_code == 202
        assert d.headers["retry-after"] == "15"
        assert f"/subscriptions/{ctx.tenant.subscription_id}/operationresults/" in d.headers["location"]
        job = await client.get(d.headers["location"].removeprefix(ctx.urls.arm), headers=h)
        assert job.status_code == 200
        assert (await client.get(url, params=v, headers=h)).status_code == 404
        assert (await client.delete(url, params=v, headers=h)).status_code == 204


class TestResourceProviders:
    async def test_list_get_register(self, client: httpx.AsyncClient, ctx: Context) -> None:
        """GET /providers lists the served namespaces as Registered with their types and api-versions (the REST
        spec's GetProvider.json shape); GET of one, POST register answer it; an unknown one is InvalidResourceNamespace."""
        sub = f"/subscriptions/{ctx.tenant.subscription_id}/providers"
        v = {"api-version": "2021-04-01"}
        h = bearer(ctx, ctx.tenant.admin)
        listed = await client.get(sub, params=v, headers=h)
        assert listed.status_code == 200, listed.text
        names = {p["namespace"] for p in listed.json()["value"]}
        assert {"Microsoft.Insights", "Microsoft.OperationalInsights", "Microsoft.Authorization"} <= names
        one = await client.get(f"{sub}/microsoft.insights", params=v, headers=h)
        doc = one.json()
        assert (doc["id"], doc["registrationState"]) == (f"{sub}/Microsoft.Insights", "Registered")
        dcr = next(t for t in doc["resourceTypes"] if t["resourceType"] == "dataCollectionRules")
        assert "2023-03-11" in dcr["apiVersions"]
        reg = await client.post(f"{sub}/Microsoft.Insights/register", params=v, headers=h)
        assert (reg.status_code, reg.json()["namespace"]) == (200, "Microsoft.Insights")
        bad = await client.get(f"{sub}/Microsoft.Nope", params=v, headers=h)
        assert (bad.status_code, bad.json()["error"]["code"]) == (404, "InvalidResourceNamespace")
        unserved = await client.get(
            f"{sub}/Microsoft.Insights/dataCollectionRules", params={"api-version": "2023-03-11"}, headers=h
        )
        assert unserved.status_code == 200  # the subscription-level list still works
