"""Template deployments in-process: ARM's async protocol, the schema template deployed unchanged, refusals.

Shapes from the Go SDK's recorded live session
(Azure/azure-sdk-assets ``go/sdk/resourcemanager/resources/armresources/testdata/recordings/TestDeploymentsClient.json``):
PUT 201 ``provisioningState: Accepted`` + ``Azure-AsyncOperation: .../operationStatuses/{id}``, the status
``{"status": "Succeeded"}``, GET with typed ``parameters``/``outputs`` and ``outputResources``, POST
``validate`` 200 with ``validatedResources``, DELETE 202 + ``Location`` (``/operationresults/``) +
``Retry-After: 15``, then 204.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from azlogs.emulator.context import Context
from azlogs.emulator.control import ids, rbac
from azlogs.emulator.control.auth import Caller
from azlogs.schema import PipelineSpec, arm_template
from azlogs.schema.model import Column, StreamDeclaration, TableSchema
from azlogs.schema.types import ColumnType as T
from tests.unit.emulator.test_control_routes import bearer, rg

V = {"api-version": "2024-03-01"}
DCR_V = {"api-version": "2023-03-11"}
CONTRIBUTOR = "b24988ac-6180-42a0-ab88-20f7382dd24c"


def pipeline_template() -> dict[str, Any]:
    cols = (Column("TimeGenerated", T.DATETIME), Column("Msg", T.STRING), Column("Level", T.INT))
    spec = PipelineSpec(
        table=TableSchema(name="Deploy_CL", columns=cols),
        stream=StreamDeclaration(name="Custom-Deploy", columns=cols),
        transform_kql="source",
        dcr_name="dcr-deploy",
    )
    return arm_template(spec)


def params(ctx: Context, **extra: Any) -> dict[str, Any]:
    values = {
        "workspaceName": ctx.tenant.workspace_resource_id.rsplit("/", 1)[-1],
        "principalId": ctx.tenant.identities[0].principal_id,
        **extra,
    }
    return {k: {"value": v} for k, v in values.items()}


def deployment_url(ctx: Context, name: str = "dep1") -> str:
    return f"{rg(ctx)}/providers/Microsoft.Resources/deployments/{name}"


def body(template: dict[str, Any], parameters: dict[str, Any]) -> dict[str, Any]:
    return {"properties": {"mode": "Incremental", "template": template, "parameters": parameters}}


async def deploy(
    client: httpx.AsyncClient,
    ctx: Context,
    template: dict[str, Any],
    parameters: dict[str, Any],
    name: str = "dep1",
) -> httpx.Response:
    h = bearer(ctx, ctx.tenant.admin)
    return await client.put(deployment_url(ctx, name), params=V, json=body(template, parameters), headers=h)


class TestProtocol:
    async def test_schema_template_deploys_unchanged(self, client: httpx.AsyncClient, ctx: Context) -> None:
        """The template `schema infer --format arm` writes: 201 Accepted, the status says Succeeded, GET has the outputs."""
        h = bearer(ctx, ctx.tenant.admin)
        r = await deploy(client, ctx, pipeline_template(), params(ctx))
        assert r.status_code == 201, r.text
        assert r.json()["properties"]["provisioningState"] == "Accepted"
        assert r.json()["type"] == "Microsoft.Resources/deployments"
        status_url = r.headers["azure-asyncoperation"]
        assert status_url.startswith(f"{ctx.urls.arm}{deployment_url(ctx)}/operationStatuses/")
        assert status_url.endswith("?api-version=2024-03-01")
        s = await client.get(status_url.removeprefix(ctx.urls.arm), headers=h)
        assert (s.status_code, s.json()) == (200, {"status": "Succeeded"})
        g = await client.get(deployment_url(ctx), params=V, headers=h)
        props = g.json()["properties"]
        assert props["provisioningState"] == "Succeeded"
        assert props["parameters"]["principalType"] == {"type": "String", "value": "ServicePrincipal"}
        dcr = await client.get(
            rg(ctx) + "/providers/Microsoft.Insights/dataCollectionRules/dcr-deploy", params=DCR_V, headers=h
        )
        assert dcr.status_code == 200
        outputs = props["outputs"]
        assert outputs["immutableId"] == {"type": "String", "value": dcr.json()["properties"]["immutableId"]}
        assert (
            outputs["logsIngestionEndpoint"]["value"]
            == dcr.json()["properties"]["endpoints"]["logsIngestion"]
        )
        assert outputs["streamName"]["value"] == "Custom-Deploy"
        assert len(props["outputResources"]) == 3
        table = await client.get(
            f"{ctx.tenant.workspace_resource_id}/tables/Deploy_CL",
            params={"api-version": "2022-10-01"},
            headers=h,
        )
        assert table.status_code == 200
        ras = await client.get(
            dcr.json()["id"] + "/providers/Microsoft.Authorization/roleAssignments",
            params={"api-version": "2022-04-01"},
            headers=h,
        )
        principals = [a["properties"]["principalId"] for a in ras.json()["value"]]
        assert ctx.tenant.identities[0].principal_id in principals

    async def test_redeploy_is_200_and_operations_listed(
        self, client: httpx.AsyncClient, ctx: Context
    ) -> None:
        """A second PUT of the same deployment answers 200; operations list one Create per resource."""
        assert (await deploy(client, ctx, pipeline_template(), params(ctx))).status_code == 201
        again = await deploy(client, ctx, pipeline_template(), params(ctx))
        assert again.status_code == 200, again.text
        h = bearer(ctx, ctx.tenant.admin)
        ops = (await client.get(deployment_url(ctx) + "/operations", params=V, headers=h)).json()["value"]
        assert [o["properties"]["provisioningOperation"] for o in ops] == ["Create"] * 3
        assert {o["properties"]["statusCode"] for o in ops} <= {"OK", "Created"}
        types = [o["properties"]["targetResource"]["resourceType"] for o in ops]
        assert types[0] == "Microsoft.OperationalInsights/workspaces/tables"  # dependsOn honoured
        assert types[-1] == "Microsoft.Authorization/roleAssignments"

    async def test_validate_lists_resources_and_creates_nothing(
        self, client: httpx.AsyncClient, ctx: Context
    ) -> None:
        """POST validate (what `az deployment group create` sends first) is 200 with validatedResources, no writes."""
        h = bearer(ctx, ctx.tenant.admin)
        r = await client.post(
            deployment_url(ctx) + "/validate",
            params=V,
            json=body(pipeline_template(), params(ctx)),
            headers=h,
        )
        assert r.status_code == 200, r.text
        props = r.json()["properties"]
        assert props["provisioningState"] == "Succeeded"
        assert len(props["validatedResources"]) == 3
        dcr = await client.get(
            rg(ctx) + "/providers/Microsoft.Insights/dataCollectionRules/dcr-deploy", params=DCR_V, headers=h
        )
        assert dcr.status_code == 404
        assert (await client.get(deployment_url(ctx), params=V, headers=h)).status_code == 404

    async def test_delete_is_202_then_204(self, client: httpx.AsyncClient, ctx: Context) -> None:
        """DELETE answers 202 with Location and Retry-After 15; the location answers 204; the deployment is gone."""
        assert (await deploy(client, ctx, pipeline_template(), params(ctx))).status_code == 201
        h = bearer(ctx, ctx.tenant.admin)
        d = await client.delete(deployment_url(ctx), params=V, headers=h)
        assert d.status_code == 202
        assert d.headers["retry-after"] == "15"
        location = d.headers["location"]
        assert f"/subscriptions/{ctx.tenant.subscription_id}/operationresults/" in location
        done = await client.get(location.removeprefix(ctx.urls.arm), headers=h)
        assert done.status_code == 204
        gone = await client.get(deployment_url(ctx), params=V, headers=h)
        assert (gone.status_code, gone.json()["error"]["code"]) == (404, "DeploymentNotFound")
        assert (await client.delete(deployment_url(ctx), params=V, headers=h)).status_code == 204
        head = await client.head(deployment_url(ctx), params=V, headers=h)
        assert head.status_code == 404

    async def test_cancel_of_a_finished_deployment(self, client: httpx.AsyncClient, ctx: Context) -> None:
        """POST cancel: a finished deployment cannot be cancelled (409), an unknown one is DeploymentNotFound."""
        assert (await deploy(client, ctx, pipeline_template(), params(ctx))).status_code == 201
        h = bearer(ctx, ctx.tenant.admin)
        r = await client.post(deployment_url(ctx) + "/cancel", params=V, headers=h)
        assert (r.status_code, r.json()["error"]["code"]) == (409, "DeploymentCannotBeCancelled")
        r = await client.post(deployment_url(ctx, "nope") + "/cancel", params=V, headers=h)
        assert (r.status_code, r.json()["error"]["code"]) == (404, "DeploymentNotFound")


class TestRefusals:
    @pytest.mark.parametrize(
        ("change", "words"),
        [
            (lambda p: p.pop("principalId"), "'principalId' is not provided"),
            (lambda p: p.update(nope={"value": 1}), "'nope' in the parameters file are not valid"),
            (lambda p: p.update(principalType={"value": "Robot"}), "not valid. The value must be one of"),
            (lambda p: p.update(workspaceName={"value": 7}), "Expected a value of type 'String'"),
        ],
    )
    async def test_parameter_problems_are_invalid_template(
        self, client: httpx.AsyncClient, ctx: Context, change: Any, words: str
    ) -> None:
        """Missing, unknown, disallowed or mistyped parameters: 400 InvalidTemplate, no deployment recorded."""
        p = params(ctx)
        change(p)
        r = await deploy(client, ctx, pipeline_template(), p)
        assert r.status_code == 400, r.text
        assert r.json()["error"]["code"] == "InvalidTemplate"
        assert words in r.json()["error"]["message"]
        h = bearer(ctx, ctx.tenant.admin)
        assert (await client.get(deployment_url(ctx), params=V, headers=h)).status_code == 404

    async def test_unknown_function_and_cycle(self, client: httpx.AsyncClient, ctx: Context) -> None:
        """An unknown function and a dependsOn cycle are InvalidTemplate before anything is written."""
        tpl = pipeline_template()
        tpl["resources"][1]["name"] = "[nosuch('x')]"
        r = await deploy(client, ctx, tpl, params(ctx))
        assert (r.status_code, r.json()["error"]["code"]) == (400, "InvalidTemplate")
        assert "The template function 'nosuch' is not valid" in r.json()["error"]["message"]
        tpl = pipeline_template()
        tpl["resources"][0]["dependsOn"] = [
            "[resourceId('Microsoft.Insights/dataCollectionRules', parameters('dataCollectionRuleName'))]"
        ]
        r = await deploy(client, ctx, tpl, params(ctx))
        assert (r.status_code, r.json()["error"]["code"]) == (400, "InvalidTemplate")
        assert "Circular dependency" in r.json()["error"]["message"]

    async def test_unsupported_type_is_invalid_template_deployment(
        self, client: httpx.AsyncClient, ctx: Context
    ) -> None:
        """A resource type the emulator does not serve: 400 InvalidTemplateDeployment naming it; nothing deployed."""
        tpl = pipeline_template()
        tpl["resources"].append(
            {
                "type": "Microsoft.Storage/storageAccounts",
                "apiVersion": "2023-01-01",
                "name": "st1",
                "location": "eastus",
            }
        )
        r = await deploy(client, ctx, tpl, params(ctx))
        assert r.status_code == 400, r.text
        err = r.json()["error"]
        assert err["code"] == "InvalidTemplateDeployment"
        assert err["details"][0]["code"] == "InvalidResourceType"
        assert "Microsoft.Storage/storageAccounts" in err["details"][0]["message"]
        h = bearer(ctx, ctx.tenant.admin)
        t = await client.get(
            f"{ctx.tenant.workspace_resource_id}/tables/Deploy_CL",
            params={"api-version": "2022-10-01"},
            headers=h,
        )
        assert t.status_code == 404

    async def test_unserved_resource_api_version(self, client: httpx.AsyncClient, ctx: Context) -> None:
        """A resource apiVersion the provider does not serve is refused before deploying, in the words of a direct PUT."""
        tpl = pipeline_template()
        tpl["resources"][1]["apiVersion"] = "2099-01-01"
        r = await deploy(client, ctx, tpl, params(ctx))
        assert r.status_code == 400, r.text
        (detail,) = r.json()["error"]["details"]
        assert detail["code"] == "NoRegisteredProviderFound"
        assert "API version '2099-01-01' for type 'dataCollectionRules'" in detail["message"]

    async def test_linked_template_refused(self, client: httpx.AsyncClient, ctx: Context) -> None:
        """templateLink (which ARM downloads) is refused clearly: the emulator never reaches the network."""
        h = bearer(ctx, ctx.tenant.admin)
        sent = {
            "properties": {"mode": "Incremental", "templateLink": {"uri": "https://example.invalid/t.json"}}
        }
        r = await client.put(deployment_url(ctx), params=V, json=sent, headers=h)
        assert (r.status_code, r.json()["error"]["code"]) == (400, "InvalidContentLink")

    async def test_each_resource_needs_write_permission(
        self, client: httpx.AsyncClient, ctx: Context
    ) -> None:
        """Contributor may deploy but not write role assignments: 403 AuthorizationFailed, and nothing is deployed."""
        who = ctx.tenant.identities[1]
        state = ctx.control
        with state.transaction():
            target_path = f"{rg(ctx)}/providers/Microsoft.Authorization/roleAssignments/5d8f3a1e-0000-4000-8000-00000000c0de"
            rbac.put_role_assignment(
                state,
                ids.parse_path(target_path),
                {
                    "properties": {
                        "roleDefinitionId": rbac.role_definition_id(ctx.tenant.subscription_id, CONTRIBUTOR),
                        "principalId": who.principal_id,
                        "principalType": "ServicePrincipal",
                    }
                },
                _caller(ctx),
                granted_at=0.0,
            )
        h = bearer(ctx, who)
        r = await client.put(
            deployment_url(ctx), params=V, json=body(pipeline_template(), params(ctx)), headers=h
        )
        assert r.status_code == 403, r.text
        assert r.json()["error"]["code"] == "AuthorizationFailed"
        assert "Microsoft.Authorization/roleAssignments/write" in r.json()["error"]["message"]
        admin = bearer(ctx, ctx.tenant.admin)
        t = await client.get(
            f"{ctx.tenant.workspace_resource_id}/tables/Deploy_CL",
            params={"api-version": "2022-10-01"},
            headers=admin,
        )
        assert t.status_code == 404

    async def test_provider_refusal_fails_the_deployment(
        self, client: httpx.AsyncClient, ctx: Context
    ) -> None:
        """A DCR the provider refuses: status Failed with DeploymentFailed and the provider's error; dependents skipped."""
        tpl = pipeline_template()
        del tpl["resources"][0]  # no table: the DCR's output table is missing
        tpl["resources"][0]["dependsOn"] = []
        r = await deploy(client, ctx, tpl, params(ctx))
        assert r.status_code == 201, r.text
        h = bearer(ctx, ctx.tenant.admin)
        s = (await client.get(r.headers["azure-asyncoperation"].removeprefix(ctx.urls.arm), headers=h)).json()
        assert s["status"] == "Failed"
        assert s["error"]["code"] == "DeploymentFailed"
        detail = s["error"]["details"][0]
        assert detail["code"] == "InvalidPayload"
        assert detail["target"].endswith("/dataCollectionRules/dcr-deploy")
        assert any(d["code"] == "InvalidOutputTable" for d in detail["details"])
        g = (await client.get(deployment_url(ctx), params=V, headers=h)).json()["properties"]
        assert g["provisioningState"] == "Failed"
        assert "outputs" not in g
        ops = (await client.get(deployment_url(ctx) + "/operations", params=V, headers=h)).json()["value"]
        assert [(o["properties"]["provisioningState"], o["properties"]["statusCode"]) for o in ops] == [
            ("Failed", "BadRequest")
        ]


def _caller(ctx: Context) -> Caller:
    return Caller(object_id=ctx.tenant.admin.principal_id, app_id=ctx.tenant.admin.client_id)


class TestAzureCliShapes:
    async def test_jsonc_body_as_the_cli_splices_it(self, client: httpx.AsyncClient, ctx: Context) -> None:
        """The CLI's body: template after an unquoted key, the file's comments kept (azure-cli JsonCTemplatePolicy)."""
        text = json.dumps(pipeline_template(), indent=2)
        text = text.replace('"resources": [', '// the resources\n  "resources": [ /* three */', 1)
        head = json.dumps({"properties": {"mode": "Incremental", "parameters": params(ctx)}})
        raw = head[:-2] + ", template:" + text + "}}"
        h = {**bearer(ctx, ctx.tenant.admin), "Content-Type": "application/json"}
        r = await client.put(
            deployment_url(ctx), params={"api-version": "2025-04-01"}, content=raw, headers=h
        )
        assert r.status_code == 201, r.text
        bad = await client.put(deployment_url(ctx, "bad"), params=V, content=b"{nope", headers=h)
        assert (bad.status_code, bad.json()["error"]["code"]) == (400, "InvalidRequestContent")
        nested: Any = "x"
        for _ in range(200):
            nested = {"k": nested}
        tpl = {**pipeline_template(), "metadata": nested}
        r = await client.put(deployment_url(ctx, "deep"), params=V, json=body(tpl, params(ctx)), headers=h)
        assert (r.status_code, r.json()["error"]["code"]) == (400, "InvalidTemplate")
        built = {
            "resources": [],
            "outputs": {"o": {"type": "array", "value": "[json('" + "[" * 300 + "]" * 300 + "')]"}},
        }
        r = await client.put(deployment_url(ctx, "built"), params=V, json=body(built, {}), headers=h)
        s = (await client.get(r.headers["azure-asyncoperation"].removeprefix(ctx.urls.arm), headers=h)).json()
        assert (s["status"], s["error"]["details"][0]["code"]) == (
            "Failed",
            "DeploymentOutputEvaluationFailed",
        )
        deep = b"{a:" + b"[" * 100_000 + b"]" * 100_000 + b"}"
        bad = await client.put(deployment_url(ctx, "bad"), params=V, content=deep, headers=h)
        assert (bad.status_code, bad.json()["error"]["code"]) == (400, "InvalidRequestContent")

    async def test_operations_path_without_providers(self, client: httpx.AsyncClient, ctx: Context) -> None:
        """`az deployment operation group list` asks .../resourcegroups/{rg}/deployments/{name}/operations (the spec's path)."""
        assert (await deploy(client, ctx, pipeline_template(), params(ctx))).status_code == 201
        h = bearer(ctx, ctx.tenant.admin)
        url = f"{rg(ctx)}/deployments/dep1/operations"
        r = await client.get(url, params=V, headers=h)
        assert r.status_code == 200, r.text
        ops = r.json()["value"]
        assert len(ops) == 3
        one = await client.get(f"{url}/{ops[0]['operationId']}", params=V, headers=h)
        assert one.json()["operationId"] == ops[0]["operationId"]

    async def test_head_of_a_resource_group(self, client: httpx.AsyncClient, ctx: Context) -> None:
        """HEAD of a resource group (`az group exists`) is 204 when it exists, 404 when not, without a body."""
        h = bearer(ctx, ctx.tenant.admin)
        v = {"api-version": "2024-11-01"}
        sub = f"/subscriptions/{ctx.tenant.subscription_id}/resourcegroups"
        assert (
            await client.head(f"{sub}/{ctx.tenant.resource_group}", params=v, headers=h)
        ).status_code == 204
        missing = await client.head(f"{sub}/nope", params=v, headers=h)
        assert (missing.status_code, missing.content) == (404, b"")


def full_template() -> dict[str, Any]:
    """A hand-written template: workspace with a nested table, a DCE, a DCR using both, outputs by reference()."""
    return {
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "parameters": {
            "prefix": {"type": "string", "minLength": 3},
            "retention": {"type": "int", "defaultValue": 45},
        },
        "variables": {
            "ws": "[toLower(concat(parameters('prefix'), '-law-', uniqueString(resourceGroup().id)))]",
            "dce": "[format('{0}-dce', parameters('prefix'))]",
        },
        "resources": [
            {
                "type": "Microsoft.Insights/dataCollectionRules",
                "apiVersion": "2023-03-11",
                "name": "[concat(parameters('prefix'), '-dcr')]",
                "location": "[resourceGroup().location]",
                "dependsOn": [
                    "[resourceId('Microsoft.Insights/dataCollectionEndpoints', variables('dce'))]",
                    "[resourceId('Microsoft.OperationalInsights/workspaces/tables', variables('ws'), 'Full_CL')]",
                ],
                "properties": {
                    "dataCollectionEndpointId": "[resourceId('Microsoft.Insights/dataCollectionEndpoints', variables('dce'))]",
                    "streamDeclarations": {
                        "Custom-Full": {
                            "columns": [
                                {"name": "TimeGenerated", "type": "datetime"},
                                {"name": "Msg", "type": "string"},
                            ]
                        }
                    },
                    "destinations": {
                        "logAnalytics": [
                            {
                                "name": "la",
                                "workspaceResourceId": "[resourceId('Microsoft.OperationalInsights/workspaces', variables('ws'))]",
                            }
                        ]
                    },
                    "dataFlows": [
                        {"streams": ["Custom-Full"], "destinations": ["la"], "outputStream": "Custom-Full_CL"}
                    ],
                },
            },
            {
                "type": "Microsoft.OperationalInsights/workspaces",
                "apiVersion": "2022-10-01",
                "name": "[variables('ws')]",
                "location": "[resourceGroup().location]",
                "properties": {"retentionInDays": "[parameters('retention')]"},
                "resources": [
                    {
                        "type": "tables",
                        "apiVersion": "2022-10-01",
                        "name": "Full_CL",
                        "dependsOn": [
                            "[resourceId('Microsoft.OperationalInsights/workspaces', variables('ws'))]"
                        ],
                        "properties": {
                            "schema": {
                                "name": "Full_CL",
                                "columns": [
                                    {"name": "TimeGenerated", "type": "dateTime"},
                                    {"name": "Msg", "type": "string"},
                                ],
                            }
                        },
                    }
                ],
            },
            {
                "type": "Microsoft.Insights/dataCollectionEndpoints",
                "apiVersion": "2023-03-11",
                "name": "[variables('dce')]",
                "location": "[resourceGroup().location]",
                "properties": {},
            },
        ],
        "outputs": {
            "endpoint": {
                "type": "string",
                "value": "[reference(resourceId('Microsoft.Insights/dataCollectionEndpoints', variables('dce'))).logsIngestion.endpoint]",
            },
            "retention": {
                "type": "int",
                "value": "[reference(resourceId('Microsoft.OperationalInsights/workspaces', variables('ws')), '2022-10-01', 'Full').properties.retentionInDays]",
            },
            "workspace": {"type": "string", "value": "[variables('ws')]"},
        },
    }


class TestLanguage:
    async def test_hand_written_template(self, client: httpx.AsyncClient, ctx: Context) -> None:
        """Nested child resources, variables, uniqueString, dependsOn out of template order, reference() outputs."""
        r = await deploy(client, ctx, full_template(), {"prefix": {"value": "Full"}})
        assert r.status_code == 201, r.text
        h = bearer(ctx, ctx.tenant.admin)
        props = (await client.get(deployment_url(ctx), params=V, headers=h)).json()["properties"]
        assert props["provisioningState"] == "Succeeded", props.get("error")
        out = {k: v["value"] for k, v in props["outputs"].items()}
        assert out["workspace"].startswith("full-law-") and len(out["workspace"]) == len("full-law-") + 13
        assert out["retention"] == 45
        dce = await client.get(
            rg(ctx) + "/providers/Microsoft.Insights/dataCollectionEndpoints/Full-dce",
            params=DCR_V,
            headers=h,
        )
        assert out["endpoint"] == dce.json()["properties"]["logsIngestion"]["endpoint"]
        ops = (await client.get(deployment_url(ctx) + "/operations", params=V, headers=h)).json()["value"]
        order = [o["properties"]["targetResource"]["resourceType"].rsplit("/", 1)[-1] for o in ops]
        assert order.index("tables") < order.index("dataCollectionRules")
        assert order.index("dataCollectionEndpoints") < order.index("dataCollectionRules")
        short = await deploy(client, ctx, full_template(), {"prefix": {"value": "ab"}}, name="dep2")
        assert (short.status_code, short.json()["error"]["code"]) == (400, "InvalidTemplate")


class TestRecordedReplay:
    async def test_workspace_deployment_as_recorded(self, client: httpx.AsyncClient, ctx: Context) -> None:
        """The Go SDK's recorded ``WorkSpaces_Create`` deployment (armmonitor TestDatacollectionrulesTestSuite.json,
        2021-04-01), replayed: 201 Accepted with its providers and no dependencies, then Succeeded with the
        output typed String and the workspace in outputResources."""
        sent = {
            "properties": {
                "mode": "Incremental",
                "parameters": {"location": {"value": "eastus"}},
                "template": {
                    "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
                    "contentVersion": "1.0.0.0",
                    "outputs": {
                        "workspaceId": {
                            "type": "string",
                            "value": "[resourceId('Microsoft.OperationalInsights/workspaces','workspacena')]",
                        }
                    },
                    "parameters": {"location": {"defaultValue": "$(location)", "type": "string"}},
                    "resources": [
                        {
                            "apiVersion": "2021-12-01-preview",
                            "location": "[parameters('location')]",
                            "name": "workspacena",
                            "properties": {"retentionInDays": 30, "sku": {"name": "PerNode"}},
                            "tags": {"tag1": "value1"},
                            "type": "Microsoft.OperationalInsights/workspaces",
                        }
                    ],
                },
            }
        }
        h = bearer(ctx, ctx.tenant.admin)
        url = deployment_url(ctx, "WorkSpaces_Create")
        v = {"api-version": "2021-04-01"}
        r = await client.put(url, params=v, json=sent, headers=h)
        assert r.status_code == 201, r.text
        first = r.json()["properties"]
        assert first["provisioningState"] == "Accepted"
        assert first["parameters"] == {"location": {"type": "String", "value": "eastus"}}
        assert first["dependencies"] == []
        assert first["providers"] == [
            {
                "namespace": "Microsoft.OperationalInsights",
                "resourceTypes": [{"resourceType": "workspaces", "locations": [ctx.tenant.location]}],
            }
        ]
        assert set(first) >= {"templateHash", "mode", "timestamp", "duration", "correlationId"}
        status = await client.get(r.headers["azure-asyncoperation"].removeprefix(ctx.urls.arm), headers=h)
        assert status.json() == {"status": "Succeeded"}
        done = (await client.get(url, params=v, headers=h)).json()["properties"]
        ws_id = f"{rg(ctx)}/providers/Microsoft.OperationalInsights/workspaces/workspacena"
        assert done["outputs"] == {"workspaceId": {"type": "String", "value": ws_id}}
        assert done["outputResources"] == [{"id": ws_id}]
        ws = await client.get(ws_id, params={"api-version": "2021-12-01-preview"}, headers=h)
        assert (ws.json()["tags"], ws.json()["properties"]["sku"]["name"]) == ({"tag1": "value1"}, "PerNode")


class TestImplicitDependencies:
    async def test_reference_orders_and_resolves_names(self, client: httpx.AsyncClient, ctx: Context) -> None:
        """reference() of a template resource in a body makes it wait for that resource (no dependsOn), and
        reference('name') finds a template resource by its name, as ARM does."""
        dce_id = "[resourceId('Microsoft.Insights/dataCollectionEndpoints', 'imp-dce')]"
        tpl = {
            "resources": [
                {
                    "type": "Microsoft.Insights/dataCollectionEndpoints",
                    "apiVersion": "2023-03-11",
                    "name": "imp-dce2",
                    "location": "eastus",
                    "properties": {"description": f"[reference({dce_id[1:-1]}).immutableId]"},
                },
                {
                    "type": "Microsoft.Insights/dataCollectionEndpoints",
                    "apiVersion": "2023-03-11",
                    "name": "imp-dce",
                    "location": "eastus",
                    "properties": {},
                },
            ],
            "outputs": {"first": {"type": "string", "value": "[reference('imp-dce').immutableId]"}},
        }
        r = await deploy(client, ctx, tpl, {})
        assert r.status_code == 201, r.text
        h = bearer(ctx, ctx.tenant.admin)
        props = (await client.get(deployment_url(ctx), params=V, headers=h)).json()["properties"]
        assert props["provisioningState"] == "Succeeded", props.get("error")
        first = await client.get(
            rg(ctx) + "/providers/Microsoft.Insights/dataCollectionEndpoints/imp-dce", params=DCR_V, headers=h
        )
        second = await client.get(
            rg(ctx) + "/providers/Microsoft.Insights/dataCollectionEndpoints/imp-dce2",
            params=DCR_V,
            headers=h,
        )
        immutable = first.json()["properties"]["immutableId"]
        assert second.json()["properties"]["description"] == immutable
        assert props["outputs"]["first"]["value"] == immutable


class TestWhatIf:
    async def test_what_if_create_then_deploy(self, client: httpx.AsyncClient, ctx: Context) -> None:
        """POST whatIf: 202 + Location (operationresults) + Retry-After, as recorded; the job lists Create for
        new resources, Deploy once they exist; nothing is written by it."""
        h = bearer(ctx, ctx.tenant.admin)
        sent = body(pipeline_template(), params(ctx))
        r = await client.post(deployment_url(ctx) + "/whatIf", params=V, json=sent, headers=h)
        assert r.status_code == 202, r.text
        assert r.headers["retry-after"] == "15"
        job = await client.get(r.headers["location"].removeprefix(ctx.urls.arm), headers=h)
        assert job.status_code == 200
        result = job.json()
        assert result["status"] == "Succeeded"
        changes = result["properties"]["changes"]
        assert [c["changeType"] for c in changes] == ["Create"] * 3
        dcr = next(c for c in changes if c["resourceId"].endswith("/dataCollectionRules/dcr-deploy"))
        assert dcr["after"]["kind"] == "Direct" and dcr["before"] is None
        assert (await client.get(deployment_url(ctx), params=V, headers=h)).status_code == 404
        assert (await deploy(client, ctx, pipeline_template(), params(ctx))).status_code == 201
        r = await client.post(deployment_url(ctx) + "/whatIf", params=V, json=sent, headers=h)
        again = (await client.get(r.headers["location"].removeprefix(ctx.urls.arm), headers=h)).json()
        assert [c["changeType"] for c in again["properties"]["changes"]] == ["Deploy"] * 3
