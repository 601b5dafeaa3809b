"""The control plane over real HTTPS: ARM round trips (httpx and azure-mgmt-monitor), validation, authz, config, restart."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.emulator_proc import EmulatorProcess, ThreadedEmulator
from tests.provisioning import monitor_client

# its module-scoped emulator is started once: every test of the file on one xdist worker
pytestmark = pytest.mark.xdist_group("control_plane")

MONITORING_MMP = "3913510d-42f4-4e42-8a64-420c390055eb"
READER = "acdd72a7-3b82-48ba-85a4-b61c42bc1b44"
DCR_V = {"api-version": "2023-03-11"}
TABLE_V = {"api-version": "2022-10-01"}
RA_V = {"api-version": "2022-04-01"}


def admin_token(emu: EmulatorProcess, scope: str = "https://management.azure.com/.default") -> str:
    """Client credentials of the admin service principal against the emulator's authority."""
    info = emu.info
    with emu.https() as c:
        r = c.post(
            f"/{info.tenant_id}/oauth2/v2.0/token",
            data={
                "grant_type": "client_credentials",
                "client_id": info.admin.client_id,
                "client_secret": info.admin.client_secret,
                "scope": scope,
            },
        )
    r.raise_for_status()
    return str(r.json()["access_token"])


def imds_token(emu: EmulatorProcess, resource: str = "https://management.azure.com/") -> str:
    """The VM's system-assigned identity token from the emulated IMDS."""
    with emu.http() as c:
        r = c.get(
            "/metadata/identity/oauth2/token",
            params={"api-version": "2018-02-01", "resource": resource},
            headers={"Metadata": "true"},
        )
    r.raise_for_status()
    return str(r.json()["access_token"])


class Arm:
    """Plain ARM JSON through httpx with one bearer token."""

    def __init__(self, emu: EmulatorProcess, token: str | None) -> None:
        self.emu = emu
        self.client = emu.https()
        if token is not None:
            self.client.headers["Authorization"] = f"Bearer {token}"
        info = emu.info
        self.sub = info.subscription_id
        self.rg = f"/subscriptions/{self.sub}/resourceGroups/{info.resource_group}"
        self.ws = info.workspace.resource_id

    def put(self, path: str, body: Any, params: dict[str, str]) -> httpx.Response:
        return self.client.put(path, json=body, params=params)

    def get(self, path: str, params: dict[str, str]) -> httpx.Response:
        return self.client.get(path, params=params)

    def close(self) -> None:
        self.client.close()


def table_body(name: str, columns: list[tuple[str, str]]) -> dict[str, Any]:
    cols = [{"name": "TimeGenerated", "type": "dateTime"}, *({"name": n, "type": t} for n, t in columns)]
    return {"properties": {"schema": {"name": name, "columns": cols}, "plan": "Analytics"}}


def dcr_body(ws: str, table: str, *, kind: str | None = None, dce: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "location": "eastus",
        "properties": {
            "streamDeclarations": {
                "Custom-Events": {
                    "columns": [
                        {"name": "TimeGenerated", "type": "datetime"},
                        {"name": "Computer", "type": "string"},
                        {"name": "Level", "type": "int"},
                    ]
                }
            },
            "destinations": {"logAnalytics": [{"name": "la", "workspaceResourceId": ws}]},
            "dataFlows": [
                {
                    "streams": ["Custom-Events"],
                    "destinations": ["la"],
                    "transformKql": "source",
                    "outputStream": f"Custom-{table}",
                }
            ],
        },
    }
    if kind is not None:
        body["kind"] = kind
    if dce is not None:
        body["properties"]["dataCollectionEndpointId"] = dce
    return body


@pytest.fixture(scope="module")
def emu(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatorProcess]:
    """An emulator of this module's own: its role assignments must not leak into other tests."""
    proc = ThreadedEmulator(tmp_path_factory.mktemp("control") / "data")
    proc.start()
    yield proc
    proc.stop()


@pytest.fixture(scope="module")
def arm(emu: EmulatorProcess) -> Iterator[Arm]:
    client = Arm(emu, admin_token(emu))
    yield client
    client.close()


@pytest.fixture(scope="module")
def events_table(arm: Arm) -> str:
    r = arm.put(
        f"{arm.ws}/tables/Events_CL",
        table_body("Events_CL", [("Computer", "string"), ("Level", "int")]),
        TABLE_V,
    )
    assert r.status_code == 200, r.text
    return "Events_CL"


class TestRoundTrip:
    def test_table_dce_dcr_role_assignment(self, arm: Arm, events_table: str) -> None:
        """Table, DCE, DCE-based and Direct DCRs and a role assignment read back exactly as created."""
        table = arm.get(f"{arm.ws}/tables/{events_table}", TABLE_V)
        assert table.status_code == 200
        cols = table.json()["properties"]["schema"]["columns"]
        assert [(c["name"], c["type"]) for c in cols] == [
            ("TimeGenerated", "dateTime"),
            ("Computer", "string"),
            ("Level", "int"),
        ]
        assert table.json()["properties"]["provisioningState"] == "Succeeded"

        dce_id = f"{arm.rg}/providers/Microsoft.Insights/dataCollectionEndpoints/rt-dce"
        dce = arm.put(
            dce_id,
            {"location": "eastus", "properties": {"networkAcls": {"publicNetworkAccess": "Enabled"}}},
            DCR_V,
        )
        assert dce.status_code == 200, dce.text
        endpoint = dce.json()["properties"]["logsIngestion"]["endpoint"]
        assert endpoint.startswith(arm.emu.info.endpoints.dce + "/rt-dce-")
        assert arm.get(dce_id, DCR_V).json() == dce.json()

        for name, kwargs in (("rt-dcr", {"dce": dce_id}), ("rt-direct", {"kind": "Direct"})):
            sent = dcr_body(arm.ws, events_table, **kwargs)  # type: ignore[arg-type]
            created = arm.put(
                f"{arm.rg}/providers/Microsoft.Insights/dataCollectionRules/{name}", sent, DCR_V
            )
            assert created.status_code == 200, created.text
            body = created.json()
            props = body["properties"]
            assert props["immutableId"].startswith("dcr-") and len(props["immutableId"]) == 36
            assert props["streamDeclarations"] == sent["properties"]["streamDeclarations"]
            assert props["dataFlows"] == sent["properties"]["dataFlows"]
            assert props["destinations"]["logAnalytics"][0]["workspaceId"] == arm.emu.info.workspace.id
            if "dce" in kwargs:
                assert props["dataCollectionEndpointId"] == dce_id and "endpoints" not in props
            else:
                assert body["kind"] == "Direct"
                assert props["endpoints"]["logsIngestion"].startswith(
                    arm.emu.info.endpoints.arm + "/dcr/rt-direct-"
                )
            assert arm.get(body["id"], DCR_V).json() == body

        direct_id = f"{arm.rg}/providers/Microsoft.Insights/dataCollectionRules/rt-direct"
        vm = arm.emu.identity("vm")
        ra_id = f"{direct_id}/providers/Microsoft.Authorization/roleAssignments/6f3c1d2e-8a4b-4c5d-9e0f-1a2b3c4d5e6f"
        ra_body = {
            "properties": {
                "roleDefinitionId": f"/subscriptions/{arm.sub}/providers/Microsoft.Authorization/roleDefinitions/{MONITORING_MMP}",
                "principalId": vm.principal_id,
                "principalType": "ServicePrincipal",
            }
        }
        ra = arm.put(ra_id, ra_body, RA_V)
        assert ra.status_code == 201, ra.text
        got = arm.get(ra_id, RA_V).json()
        assert got == ra.json()
        assert {k: got["properties"][k] for k in ra_body["properties"]} == ra_body["properties"]
        assert got["properties"]["scope"] == direct_id

    def test_update_keeps_immutable_id_recreate_changes_it(self, arm: Arm, events_table: str) -> None:
        """PUT again keeps immutableId; DELETE then PUT gives a new one."""
        rid = f"{arm.rg}/providers/Microsoft.Insights/dataCollectionRules/rt-recreate"
        first = arm.put(rid, dcr_body(arm.ws, events_table, kind="Direct"), DCR_V).json()["properties"][
            "immutableId"
        ]
        updated = arm.put(rid, {**dcr_body(arm.ws, events_table, kind="Direct"), "tags": {"v": "2"}}, DCR_V)
        assert updated.status_code == 200 and updated.json()["properties"]["immutableId"] == first
        assert arm.client.delete(rid, params=DCR_V).status_code == 200
        assert arm.get(rid, DCR_V).status_code == 404
        again = arm.put(rid, dcr_body(arm.ws, events_table, kind="Direct"), DCR_V).json()["properties"][
            "immutableId"
        ]
        assert again != first


class TestMonitorManagementClient:
    def test_dce_and_dcr_round_trip(self, emu: EmulatorProcess, events_table: str) -> None:
        """Unchanged azure-mgmt-monitor creates, reads, lists and deletes a DCE and a DCR against the emulator."""
        from azure.mgmt.monitor import models as m

        info = emu.info
        rg = info.resource_group
        with monitor_client(info) as client:
            dce = client.data_collection_endpoints.create(
                rg, "sdk-dce", m.DataCollectionEndpointResource(location="eastus")
            )
            assert dce.logs_ingestion is not None and dce.logs_ingestion.endpoint.startswith(
                info.endpoints.dce
            )
            rule = m.DataCollectionRuleResource(
                location="eastus",
                data_collection_endpoint_id=dce.id,
                stream_declarations={
                    "Custom-Events": m.StreamDeclaration(
                        columns=[
                            m.ColumnDefinition(name="TimeGenerated", type="datetime"),
                            m.ColumnDefinition(name="Computer", type="string"),
                        ]
                    )
                },
                destinations=m.DataCollectionRuleDestinations(
                    log_analytics=[
                        m.LogAnalyticsDestination(workspace_resource_id=info.workspace.resource_id, name="la")
                    ]
                ),
                data_flows=[
                    m.DataFlow(
                        streams=["Custom-Events"],
                        destinations=["la"],
                        transform_kql="source",
                        output_stream=f"Custom-{events_table}",
                    )
                ],
            )
            created = client.data_collection_rules.create(rg, "sdk-dcr", rule)
            got = client.data_collection_rules.get(rg, "sdk-dcr")
            assert got.as_dict() == created.as_dict()
            assert got.immutable_id is not None and got.immutable_id.startswith("dcr-")
            assert got.data_collection_endpoint_id == dce.id
            assert [c.name for c in got.stream_declarations["Custom-Events"].columns] == [
                "TimeGenerated",
                "Computer",
            ]
            assert got.data_flows[0].output_stream == f"Custom-{events_table}"
            assert "sdk-dcr" in [r.name for r in client.data_collection_rules.list_by_resource_group(rg)]
            assert client.data_collection_endpoints.get(rg, "sdk-dce").as_dict() == dce.as_dict()
            client.data_collection_rules.delete(rg, "sdk-dcr")
            assert "sdk-dcr" not in [r.name for r in client.data_collection_rules.list_by_subscription()]


class TestValidation:
    def _details(self, arm: Arm, name: str, body: dict[str, Any]) -> list[str]:
        r = arm.put(f"{arm.rg}/providers/Microsoft.Insights/dataCollectionRules/{name}", body, DCR_V)
        assert r.status_code == 400, r.text
        err = r.json()["error"]
        assert (err["code"], err["message"]) == ("InvalidPayload", "Data collection rule is invalid")
        return [d["code"] for d in err["details"]]

    def test_undeclared_stream(self, arm: Arm, events_table: str) -> None:
        """A data flow reading a stream that is not declared: InvalidStream."""
        body = dcr_body(arm.ws, events_table)
        body["properties"]["dataFlows"][0]["streams"] = ["Custom-Nope"]
        assert "InvalidStream" in self._details(arm, "bad-stream", body)

    def test_missing_output_table(self, arm: Arm) -> None:
        """An output stream whose table does not exist in the workspace: InvalidOutputTable."""
        assert self._details(arm, "bad-table", dcr_body(arm.ws, "Missing_CL")) == ["InvalidOutputTable"]

    def test_unknown_column_type(self, arm: Arm, events_table: str) -> None:
        """A stream column of a type that does not exist is refused."""
        body = dcr_body(arm.ws, events_table)
        body["properties"]["streamDeclarations"]["Custom-Events"]["columns"][1]["type"] = "varchar"
        assert self._details(arm, "bad-type", body) == ["InvalidStreamDeclaration"]

    def test_stream_column_the_table_lacks(self, arm: Arm, events_table: str) -> None:
        """A pass-through flow whose stream has a column the table lacks: InvalidTransformOutput."""
        body = dcr_body(arm.ws, events_table)
        body["properties"]["streamDeclarations"]["Custom-Events"]["columns"].append(
            {"name": "Extra", "type": "string"}
        )
        assert self._details(arm, "bad-col", body) == ["InvalidTransformOutput"]

    def test_table_without_time_generated(self, arm: Arm) -> None:
        """A table without TimeGenerated is a 400 InvalidPayload from the tables API."""
        body = {
            "properties": {"schema": {"name": "NoTime_CL", "columns": [{"name": "Msg", "type": "string"}]}}
        }
        r = arm.put(f"{arm.ws}/tables/NoTime_CL", body, TABLE_V)
        assert r.status_code == 400 and r.json()["error"]["code"] == "InvalidPayload"
        assert "TimeGenerated" in json.dumps(r.json()["error"]["details"])


class TestAuthz:
    def test_no_token(self, emu: EmulatorProcess) -> None:
        """No bearer token: 401 with a Bearer challenge."""
        anon = Arm(emu, None)
        try:
            r = anon.get(anon.ws, TABLE_V)
        finally:
            anon.close()
        assert r.status_code == 401 and r.json()["error"]["code"] == "AuthenticationFailed"
        assert r.headers["www-authenticate"].startswith("Bearer authorization_uri=")

    def test_wrong_audience(self, emu: EmulatorProcess) -> None:
        """A token for https://monitor.azure.com is refused by ARM with InvalidAuthenticationTokenAudience."""
        wrong = Arm(emu, admin_token(emu, "https://monitor.azure.com/.default"))
        try:
            r = wrong.get(wrong.ws, TABLE_V)
        finally:
            wrong.close()
        assert r.status_code == 401 and r.json()["error"]["code"] == "InvalidAuthenticationTokenAudience"

    def test_vm_identity_without_role(self, emu: EmulatorProcess) -> None:
        """The VM's managed identity holds no role: 403 AuthorizationFailed naming its ids, action and scope."""
        vm = emu.identity("vm")
        client = Arm(emu, imds_token(emu))
        try:
            rid = f"{client.rg}/providers/Microsoft.Insights/dataCollectionRules/vm-made"
            r = client.put(rid, dcr_body(client.ws, "Events_CL"), DCR_V)
        finally:
            client.close()
        assert r.status_code == 403
        message = r.json()["error"]["message"]
        assert r.json()["error"]["code"] == "AuthorizationFailed"
        assert f"The client '{vm.client_id}' with object id '{vm.principal_id}'" in message
        assert f"'Microsoft.Insights/dataCollectionRules/write' over scope '{rid}'" in message


def _write_config(path: Path, cfg: dict[str, Any]) -> Path:
    path.write_text(json.dumps(cfg))
    return path


class TestPropagationDelay:
    def test_role_assignment_takes_effect_after_the_delay(self, tmp_path: Path) -> None:
        """With limits.role_propagation_seconds set, a new Reader assignment is refused at first, granted later."""
        cfg = _write_config(tmp_path / "cfg.json", {"limits": {"role_propagation_seconds": 2}})
        emu = ThreadedEmulator(tmp_path / "data", config=cfg)
        emu.start()
        admin, vm_client = Arm(emu, admin_token(emu)), Arm(emu, imds_token(emu))
        try:
            body = {
                "properties": {
                    "roleDefinitionId": f"/subscriptions/{admin.sub}/providers/Microsoft.Authorization/roleDefinitions/{READER}",
                    "principalId": emu.identity("vm").principal_id,
                }
            }
            ra = admin.put(
                f"{admin.rg}/providers/Microsoft.Authorization/roleAssignments/0f1e2d3c-4b5a-4968-8776-655443322110",
                body,
                RA_V,
            )
            assert ra.status_code == 201, ra.text
            assert vm_client.get(vm_client.ws, TABLE_V).status_code == 403
            deadline = time.monotonic() + 60
            status = 403
            while status == 403 and time.monotonic() < deadline:
                time.sleep(0.25)
                status = vm_client.get(vm_client.ws, TABLE_V).status_code
            assert status == 200
        finally:
            admin.close()
            vm_client.close()
            emu.stop()


CONFIG_RESOURCES: list[dict[str, Any]] = [
    {
        "type": "Microsoft.OperationalInsights/workspaces/tables",
        "name": "Cfg_CL",
        **table_body("Cfg_CL", [("Computer", "string"), ("Level", "int")]),
    },
    {"type": "Microsoft.Insights/dataCollectionEndpoints", "name": "cfg-dce", "location": "${location}"},
    {
        "id": "/subscriptions/${subscription_id}/resourceGroups/${resource_group}/providers/Microsoft.Insights/dataCollectionRules/cfg-dcr",
        **dcr_body("${workspace_resource_id}", "Cfg_CL", kind="Direct"),
    },
    {
        "type": "Microsoft.Authorization/roleAssignments",
        "scope": "/subscriptions/${subscription_id}/resourceGroups/${resource_group}/providers/Microsoft.Insights/dataCollectionRules/cfg-dcr",
        "properties": {"roleDefinitionId": "Monitoring Metrics Publisher", "principalId": "vm"},
    },
]


class TestConfigAndRestart:
    def test_preprovisioned_and_persistent(self, tmp_path: Path) -> None:
        """--config resources exist at start; they and API-made ones survive a restart with the same ids."""
        cfg = _write_config(tmp_path / "cfg.json", {"resources": CONFIG_RESOURCES})
        emu = ThreadedEmulator(tmp_path / "data", config=cfg)
        emu.start()
        try:
            arm = Arm(emu, admin_token(emu))
            dcr_id = f"{arm.rg}/providers/Microsoft.Insights/dataCollectionRules/cfg-dcr"
            dcr = arm.get(dcr_id, DCR_V)
            assert dcr.status_code == 200, dcr.text
            assigned = arm.get(
                f"{dcr_id}/providers/Microsoft.Authorization/roleAssignments",
                {**RA_V, "$filter": "atScope()"},
            ).json()["value"]
            vm = emu.identity("vm").principal_id
            assert [
                a["properties"]["roleDefinitionId"].rsplit("/", 1)[1]
                for a in assigned
                if a["properties"]["principalId"] == vm
            ] == [MONITORING_MMP]
            made = arm.put(
                f"{arm.rg}/providers/Microsoft.Insights/dataCollectionRules/api-dcr",
                dcr_body(
                    arm.ws,
                    "Cfg_CL",
                    dce=f"{arm.rg}/providers/Microsoft.Insights/dataCollectionEndpoints/cfg-dce",
                ),
                DCR_V,
            )
            assert made.status_code == 200, made.text
            before = {
                n: arm.get(f"{arm.rg}/providers/Microsoft.Insights/dataCollectionRules/{n}", DCR_V).json()
                for n in ("cfg-dcr", "api-dcr")
            }
            arm.close()
        finally:
            emu.stop()

        emu.start()
        try:
            arm = Arm(emu, admin_token(emu))
            for name, old in before.items():
                new = arm.get(
                    f"{arm.rg}/providers/Microsoft.Insights/dataCollectionRules/{name}", DCR_V
                ).json()
                assert new["properties"]["immutableId"] == old["properties"]["immutableId"]
                assert new["properties"]["streamDeclarations"] == old["properties"]["streamDeclarations"]
            old_key = before["cfg-dcr"]["properties"]["endpoints"]["logsIngestion"].rsplit("/", 1)[1]
            new_endpoint = arm.get(
                f"{arm.rg}/providers/Microsoft.Insights/dataCollectionRules/cfg-dcr", DCR_V
            ).json()["properties"]["endpoints"]["logsIngestion"]
            assert new_endpoint == f"{emu.info.endpoints.arm}/dcr/{old_key}"
            assert arm.get(f"{arm.ws}/tables/Cfg_CL", TABLE_V).status_code == 200
            arm.close()
        finally:
            emu.stop()

    def test_invalid_resource_stops_the_start(self, tmp_path: Path) -> None:
        """A config resource ARM would refuse stops the start; the message names the resource and the problem."""
        bad = json.loads(json.dumps(CONFIG_RESOURCES))
        bad[2]["properties"]["dataFlows"][0]["outputStream"] = "Custom-Missing_CL"
        cfg = _write_config(tmp_path / "cfg.json", {"resources": bad})
        emu = EmulatorProcess(tmp_path / "data", "--config", str(cfg))
        with pytest.raises(RuntimeError) as err:
            emu.start()
        text = str(err.value)
        assert "emulator exited with 2" in text
        assert "resources[2]" in text and "cfg-dcr" in text and "InvalidOutputTable" in text
