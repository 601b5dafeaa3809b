"""The control plane's state and handlers without HTTP: Protocol lookups, RBAC, ids, validation, config, files."""

from __future__ import annotations

import copy
import json
import threading
from pathlib import Path
from typing import Any

import pytest

from azlogs._exceptions import ConfigError, EmulatorError
from azlogs.emulator.config import Settings, default_tenant
from azlogs.emulator.context import Context, Urls
from azlogs.emulator.control import api, ids, monitor, rbac, workspaces
from azlogs.emulator.control.api import ChangeEvent
from azlogs.emulator.control.auth import Caller
from azlogs.emulator.control.errors import ArmError
from azlogs.emulator.control.provision import apply_resources, create_control_plane
from azlogs.emulator.control.state import STATE_FILE, ArmState
from azlogs.emulator.faults import FaultRegistry
from azlogs.emulator.identity.issuer import Issuer, ServiceAccountIssuer, SigningKey, load_or_create_key
from azlogs.schema.builtin_tables import builtin_tables

BASE = "https://127.0.0.1:8443"


@pytest.fixture(scope="module")
def key() -> SigningKey:
    return load_or_create_key(None)


def make_ctx(tmp: Path, key: SigningKey, *, in_memory: bool = True) -> Context:
    """A real emulator Context (random tenant) whose HTTPS base is fixed, without listeners."""
    tenant = default_tenant()
    return Context(
        settings=Settings(data_dir=tmp, in_memory=in_memory),
        tenant=tenant,
        issuer=Issuer(tenant.tenant_id, key),
        sa_issuer=ServiceAccountIssuer("", key),
        faults=FaultRegistry(),
        urls=Urls(https=BASE),
        arc_key_dir=tmp,
    )


@pytest.fixture
def ctx(tmp_path: Path, key: SigningKey) -> Context:
    return make_ctx(tmp_path, key)


@pytest.fixture
def state(ctx: Context) -> ArmState:
    return create_control_plane(ctx, [])


def admin(ctx: Context) -> Caller:
    return Caller(ctx.tenant.admin.principal_id, ctx.tenant.admin.client_id)


def rg(ctx: Context) -> str:
    return ids.rg_id(ctx.tenant.subscription_id, ctx.tenant.resource_group)


def table_body(name: str, *extra: tuple[str, str]) -> dict[str, Any]:
    cols = [{"name": "TimeGenerated", "type": "dateTime"}, *({"name": n, "type": t} for n, t in extra)]
    return {"properties": {"schema": {"name": name, "columns": cols}}}


def dcr_body(
    ws: str, *, table: str = "App_CL", kind: str | None = "Direct", dce: str | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "location": "eastus",
        "properties": {
            "streamDeclarations": {
                "Custom-App": {
                    "columns": [
                        {"name": "TimeGenerated", "type": "datetime"},
                        {"name": "Msg", "type": "string"},
                    ]
                }
            },
            "destinations": {"logAnalytics": [{"name": "la", "workspaceResourceId": ws}]},
            "dataFlows": [
                {
                    "streams": ["Custom-App"],
                    "destinations": ["la"],
                    "transformKql": "source",
                    "outputStream": f"Custom-{table}",
                }
            ],
        },
    }
    if kind:
        body["kind"] = kind
    if dce:
        body["properties"]["dataCollectionEndpointId"] = dce
    return body


def put(
    state: ArmState, rid: str, body: dict[str, Any], caller: Caller | None = None
) -> tuple[int, dict[str, Any]]:
    """PUT through the same handlers the routes use, inside a transaction."""
    from azlogs.emulator.control.handlers import PUT_HANDLERS

    target = ids.parse_path(rid)
    with state.transaction():
        status, doc = PUT_HANDLERS[target.rtype](state, target, body, caller or admin(state.ctx))
    assert doc is not None
    return status, doc


def delete(state: ArmState, rid: str) -> None:
    target = ids.parse_path(rid)
    with state.transaction():
        monitor.delete_plain(state, target)


@pytest.fixture
def app_table(state: ArmState) -> str:
    ws = state.ctx.tenant.workspace_resource_id
    put(state, f"{ws}/tables/App_CL", table_body("App_CL", ("Msg", "string")))
    return ws


class TestTenantResources:
    def test_default_workspace_and_owner(self, state: ArmState, ctx: Context) -> None:
        """At start emulator.json's workspace exists (its customer id) and the admin is Owner of the subscription."""
        ws = state.workspace_by_customer_id(ctx.tenant.workspace_id.upper())
        assert ws is not None and ids.fold(ws.resource_id) == ids.fold(ctx.tenant.workspace_resource_id)
        assert state.workspace_by_resource_id(ctx.tenant.workspace_resource_id.lower()) == ws
        assert [w.name for w in state.workspaces()] == [ctx.tenant.workspace_name]
        dcr = f"{rg(ctx)}/providers/Microsoft.Insights/dataCollectionRules/x"
        assert state.has_permission(
            ctx.tenant.admin.principal_id, dcr, "Microsoft.Insights/dataCollectionRules/write"
        )
        assert not state.has_permission(ctx.tenant.admin.principal_id, dcr, api.INGEST_DATA_ACTION)

    def test_bootstrap_is_idempotent(self, tmp_path: Path, key: SigningKey) -> None:
        """Starting twice on the same data dir creates no second workspace or Owner assignment."""
        ctx = make_ctx(tmp_path, key, in_memory=False)
        first = create_control_plane(ctx, [])
        second = create_control_plane(ctx, [])
        assert len(second.docs(ids.ROLE_ASSIGNMENTS)) == len(first.docs(ids.ROLE_ASSIGNMENTS)) == 1
        assert len(second.docs(ids.WORKSPACES)) == 1


class TestRbac:
    def _assign(self, state: ArmState, scope: str, role: str, principal: str) -> None:
        name = rbac.deterministic_name(scope, principal, role)
        body = {
            "properties": {
                "roleDefinitionId": rbac.role_definition_id(state.ctx.tenant.subscription_id, role),
                "principalId": principal,
            }
        }
        put(state, f"{scope}/providers/Microsoft.Authorization/roleAssignments/{name}", body)

    def test_role_on_parent_scope_counts(self, state: ArmState, ctx: Context) -> None:
        """Monitoring Metrics Publisher on the resource group grants ingestion on a DCR inside it, not outside."""
        vm = ctx.tenant.identity("vm").principal_id
        dcr = f"{rg(ctx)}/providers/Microsoft.Insights/dataCollectionRules/d"
        assert not state.has_permission(vm, dcr, api.INGEST_DATA_ACTION)
        self._assign(state, rg(ctx), api.MONITORING_METRICS_PUBLISHER, vm)
        assert state.has_permission(vm.upper(), dcr.lower(), api.INGEST_DATA_ACTION)
        other_rg = (
            ids.rg_id(ctx.tenant.subscription_id, "elsewhere")
            + "/providers/Microsoft.Insights/dataCollectionRules/d"
        )
        assert not state.has_permission(vm, other_rg, api.INGEST_DATA_ACTION)
        assert not state.has_permission(vm, dcr, "Microsoft.Insights/dataCollectionRules/write")

    def test_propagation_delay(self, state: ArmState, ctx: Context) -> None:
        """An assignment grants nothing until role_propagation_seconds have passed since it was made."""
        now = [1_000_000.0]
        state.clock = lambda: now[0]
        ctx.settings.limits.role_propagation_seconds = 60
        vm = ctx.tenant.identity("vm").principal_id
        self._assign(state, rg(ctx), api.READER, vm)
        action = "Microsoft.Insights/dataCollectionRules/read"
        assert not state.has_permission(vm, rg(ctx), action)
        now[0] += 59
        assert not state.has_permission(vm, rg(ctx), action)
        now[0] += 1
        assert state.has_permission(vm, rg(ctx), action)
        # The bootstrap Owner assignment is effective at once whatever the delay.
        assert state.has_permission(ctx.tenant.admin.principal_id, rg(ctx), action)

    def test_deleting_an_assignment_revokes(self, state: ArmState, ctx: Context) -> None:
        """After DELETE of the role assignment the permission is gone."""
        vm = ctx.tenant.identity("vm").principal_id
        self._assign(state, rg(ctx), api.READER, vm)
        (doc,) = [d for d in state.docs(ids.ROLE_ASSIGNMENTS) if d["properties"]["principalId"] == vm]
        with state.transaction():
            rbac.delete_role_assignment(state, ids.parse_path(doc["id"]))
        assert not state.has_permission(vm, rg(ctx), "Microsoft.Insights/dataCollectionRules/read")

    @pytest.mark.parametrize(
        ("mutate", "code"),
        [
            (
                lambda b, ctx: b["properties"].update(principalId="0b3a8a5e-0000-4000-8000-00000000abcd"),
                "PrincipalNotFound",
            ),
            (
                lambda b, ctx: b["properties"].update(
                    roleDefinitionId=rbac.role_definition_id(
                        ctx.tenant.subscription_id, "0b3a8a5e-0000-4000-8000-00000000abcd"
                    )
                ),
                "RoleDefinitionDoesNotExist",
            ),
            (lambda b, ctx: b["properties"].update(roleDefinitionId="Owner"), "InvalidRoleDefinitionId"),
            (lambda b, ctx: b["properties"].update(principalType="Robot"), "InvalidPrincipalType"),
        ],
    )
    def test_refusals(self, state: ArmState, ctx: Context, mutate: Any, code: str) -> None:
        """Unknown principals (without principalType), unknown roles and malformed ids are refused with ARM's codes."""
        body = {
            "properties": {
                "roleDefinitionId": rbac.role_definition_id(ctx.tenant.subscription_id, api.READER),
                "principalId": ctx.tenant.identity("vm").principal_id,
            }
        }
        mutate(body, ctx)
        with pytest.raises(ArmError) as err:
            put(
                state,
                f"{rg(ctx)}/providers/Microsoft.Authorization/roleAssignments/0b3a8a5e-0000-4000-8000-000000000001",
                body,
            )
        assert (err.value.status, err.value.code) == (400, code)

    def test_unknown_principal_with_type_is_accepted(self, state: ArmState, ctx: Context) -> None:
        """With principalType set, a principal the directory does not know is accepted (replication-delay escape hatch)."""
        body = {
            "properties": {
                "roleDefinitionId": rbac.role_definition_id(ctx.tenant.subscription_id, api.READER),
                "principalId": "0b3a8a5e-0000-4000-8000-00000000abcd",
                "principalType": "Group",
            }
        }
        status, doc = put(
            state,
            f"{rg(ctx)}/providers/Microsoft.Authorization/roleAssignments/0b3a8a5e-0000-4000-8000-000000000001",
            body,
        )
        assert status == 201 and doc["properties"]["principalType"] == "Group"

    def test_conflicts(self, state: ArmState, ctx: Context) -> None:
        """Same grant under a new name is 409 RoleAssignmentExists; changing an existing one is refused; same PUT again is fine."""
        sub = ctx.tenant.subscription_id
        body = {
            "properties": {
                "roleDefinitionId": rbac.role_definition_id(sub, api.READER),
                "principalId": ctx.tenant.identity("vm").principal_id,
            }
        }
        first = f"{rg(ctx)}/providers/Microsoft.Authorization/roleAssignments/0b3a8a5e-0000-4000-8000-000000000001"
        assert put(state, first, body)[0] == 201
        assert put(state, first, copy.deepcopy(body))[0] == 201
        with pytest.raises(ArmError) as err:
            put(state, first.replace("0001", "0002"), body)
        assert (err.value.status, err.value.code) == (409, "RoleAssignmentExists")
        changed = copy.deepcopy(body)
        changed["properties"]["roleDefinitionId"] = rbac.role_definition_id(sub, api.CONTRIBUTOR)
        with pytest.raises(ArmError) as err:
            put(state, first, changed)
        assert err.value.code == "RoleAssignmentUpdateNotPermitted"
        with pytest.raises(ArmError) as err:
            put(state, f"{rg(ctx)}/providers/Microsoft.Authorization/roleAssignments/not-a-guid", body)
        assert err.value.code == "InvalidRoleAssignmentId"


class TestDataCollection:
    def test_direct_dcr_ids_and_endpoint(self, state: ArmState, ctx: Context, app_table: str) -> None:
        """A Direct DCR gets dcr-+32 hex and its own endpoint; both are kept on update and new after delete+recreate."""
        rid = f"{rg(ctx)}/providers/Microsoft.Insights/dataCollectionRules/my-dcr"
        status, doc = put(state, rid, dcr_body(app_table))
        immutable = doc["properties"]["immutableId"]
        endpoint = doc["properties"]["endpoints"]["logsIngestion"]
        assert status == 200
        assert immutable.startswith("dcr-") and len(immutable) == 36 and int(immutable[4:], 16) >= 0
        assert immutable[4:] == immutable[4:].lower()
        assert (
            endpoint.startswith(f"{BASE}/dcr/my-dcr-")
            and len(endpoint.rsplit("/", 1)[1]) == len("my-dcr-") + 4
        )
        record = state.dcr_by_immutable_id(immutable.upper())
        assert record is not None and record.logs_ingestion_endpoint == endpoint and record.kind == "Direct"
        assert state.dcr_by_direct_path_key(endpoint.rsplit("/", 1)[1]) == record
        assert record.rule.destinations[0].workspace_id == ctx.tenant.workspace_id

        again = dcr_body(app_table)
        again["tags"] = {"v": "2"}
        status, doc2 = put(state, rid, again)
        assert status == 200
        assert doc2["properties"]["immutableId"] == immutable
        assert doc2["properties"]["endpoints"]["logsIngestion"] == endpoint

        delete(state, rid)
        assert state.dcr_by_immutable_id(immutable) is None
        _, doc3 = put(state, rid, dcr_body(app_table))
        assert doc3["properties"]["immutableId"] != immutable
        assert doc3["properties"]["endpoints"]["logsIngestion"] != endpoint

    def test_dce_based_dcr(self, state: ArmState, ctx: Context, app_table: str) -> None:
        """A DCR bound to a DCE resolves it; the DCE's logsIngestion endpoint maps back by path key."""
        dce_id = f"{rg(ctx)}/providers/Microsoft.Insights/dataCollectionEndpoints/my-dce"
        status, dce = put(state, dce_id, {"location": "East US", "properties": {}})
        assert status == 200 and dce["location"] == "eastus"
        endpoint = dce["properties"]["logsIngestion"]["endpoint"]
        assert endpoint.startswith(f"{BASE}/dce/my-dce-")
        assert dce["properties"]["immutableId"].startswith("dce-")
        key = endpoint.rsplit("/", 1)[1]
        assert state.dce_by_path_key(key) is not None
        _, dcr = put(
            state,
            f"{rg(ctx)}/providers/Microsoft.Insights/dataCollectionRules/bound",
            dcr_body(app_table, kind=None, dce=dce_id.lower()),
        )
        assert "endpoints" not in dcr["properties"]
        record = state.dcr_by_immutable_id(dcr["properties"]["immutableId"])
        assert record is not None and record.dce is not None and record.dce.path_key == key
        assert record.direct_path_key is None and record.logs_ingestion_endpoint is None

    @pytest.mark.parametrize(
        ("case", "code"),
        [("missing", monitor.INVALID_DCE), ("region", monitor.INVALID_DCE)],
    )
    def test_dce_must_exist_in_region(
        self, state: ArmState, ctx: Context, app_table: str, case: str, code: str
    ) -> None:
        """dataCollectionEndpointId must name an existing DCE in the rule's region."""
        dce_id = f"{rg(ctx)}/providers/Microsoft.Insights/dataCollectionEndpoints/far"
        if case == "region":
            put(state, dce_id, {"location": "westeurope"})
        with pytest.raises(ArmError) as err:
            put(
                state,
                f"{rg(ctx)}/providers/Microsoft.Insights/dataCollectionRules/d",
                dcr_body(app_table, dce=dce_id),
            )
        assert (err.value.status, err.value.code) == (400, "InvalidPayload")
        assert [d["code"] for d in err.value.details or []] == [code]

    def test_each_destination_workspace_needs_the_table(
        self, state: ArmState, ctx: Context, app_table: str
    ) -> None:
        """With two workspaces, a flow's table must exist in the workspace of each of its destinations."""
        other = f"{rg(ctx)}/providers/Microsoft.OperationalInsights/workspaces/second"
        put(state, other, {"location": "eastus"})
        body = dcr_body(app_table)
        body["properties"]["streamDeclarations"]["Custom-Other"] = copy.deepcopy(
            body["properties"]["streamDeclarations"]["Custom-App"]
        )
        body["properties"]["destinations"]["logAnalytics"].append(
            {"name": "la2", "workspaceResourceId": other}
        )
        body["properties"]["dataFlows"].append(
            {"streams": ["Custom-Other"], "destinations": ["la2"], "outputStream": "Custom-App_CL"}
        )
        with pytest.raises(ArmError) as err:
            put(state, f"{rg(ctx)}/providers/Microsoft.Insights/dataCollectionRules/two", body)
        assert [(d["code"], d["target"]) for d in err.value.details or []] == [
            ("InvalidOutputTable", "Properties.DataFlows[1].OutputStream")
        ]
        put(state, f"{other}/tables/App_CL", table_body("App_CL", ("Msg", "string")))
        assert put(state, f"{rg(ctx)}/providers/Microsoft.Insights/dataCollectionRules/two", body)[0] == 200

    def test_kind_cannot_change(self, state: ArmState, ctx: Context, app_table: str) -> None:
        """A DCR cannot become Direct (or stop being Direct) by update."""
        rid = f"{rg(ctx)}/providers/Microsoft.Insights/dataCollectionRules/k"
        put(state, rid, dcr_body(app_table, kind=None))
        with pytest.raises(ArmError) as err:
            put(state, rid, dcr_body(app_table))
        assert err.value.code == "PropertyChangeNotAllowed"

    def test_transform_other_than_source_is_stored(
        self, state: ArmState, ctx: Context, app_table: str
    ) -> None:
        """A real transformKql is accepted and kept verbatim (running it is the ingestion plane's business)."""
        body = dcr_body(app_table)
        body["properties"]["dataFlows"][0]["transformKql"] = "source | extend Msg = toupper(Msg)"
        _, doc = put(state, f"{rg(ctx)}/providers/Microsoft.Insights/dataCollectionRules/t", body)
        record = state.dcr_by_immutable_id(doc["properties"]["immutableId"])
        assert (
            record is not None
            and record.rule.data_flows[0].transform_kql == "source | extend Msg = toupper(Msg)"
        )


class TestTables:
    def test_table_record_and_case(self, state: ArmState, app_table: str) -> None:
        """Tables are found by workspace id and name, case-insensitively, with their declared schema."""
        record = state.table(app_table.upper(), "app_cl")
        assert record is not None and record.schema.name == "App_CL"
        assert [c.name for c in record.schema.columns] == ["TimeGenerated", "Msg"]
        builtin = [t.name for t in builtin_tables().values()]
        assert [t.schema.name for t in state.tables(app_table)] == [*builtin, "App_CL"]
        assert builtin[:2] == ["Syslog", "CommonSecurityLog"]

    def test_column_type_cannot_change(self, state: ArmState, app_table: str) -> None:
        """Adding a column is allowed; changing an existing column's type is a 400."""
        assert (
            put(
                state,
                f"{app_table}/tables/App_CL",
                table_body("App_CL", ("Msg", "string"), ("Extra", "long")),
            )[0]
            == 200
        )
        with pytest.raises(ArmError) as err:
            put(state, f"{app_table}/tables/App_CL", table_body("App_CL", ("Msg", "long")))
        assert err.value.code == "InvalidPayload"
        assert "cannot be changed" in (err.value.details or [{}])[0]["message"]

    def test_deleting_workspace_drops_its_tables(self, state: ArmState, ctx: Context) -> None:
        """DELETE of a workspace removes its tables too."""
        ws = f"{rg(ctx)}/providers/Microsoft.OperationalInsights/workspaces/temp-ws"
        put(state, ws, {"location": "eastus"})
        put(state, f"{ws}/tables/T_CL", table_body("T_CL"))
        with state.transaction():
            workspaces.delete_workspace(state, ids.parse_path(ws))
        assert state.table(ws, "T_CL") is None and state.get(f"{ws}/tables/T_CL") is None


class TestEvents:
    def test_listeners_hear_commits(self, state: ArmState, ctx: Context, app_table: str) -> None:
        """subscribe() listeners get one event per change after commit, and a failing listener harms nothing."""
        seen: list[ChangeEvent] = []

        def broken(event: ChangeEvent) -> None:
            raise RuntimeError("listener bug")

        state.subscribe(broken)
        state.subscribe(seen.append)
        rid = f"{rg(ctx)}/providers/Microsoft.Insights/dataCollectionRules/ev"
        put(state, rid, dcr_body(app_table))
        delete(state, rid)
        assert [(e.kind, e.action, e.resource_id) for e in seen] == [
            ("dcr", "put", rid),
            ("dcr", "delete", rid),
        ]

    def test_concurrent_writers_lose_nothing(self, state: ArmState, ctx: Context) -> None:
        """Tables written from 8 threads at once are all there afterwards."""
        ws = ctx.tenant.workspace_resource_id

        def write(i: int) -> None:
            put(state, f"{ws}/tables/T{i}_CL", table_body(f"T{i}_CL"))

        threads = [threading.Thread(target=write, args=(i,)) for i in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        custom = sorted(t.schema.name for t in state.tables(ws) if t.schema.name.endswith("_CL"))
        assert custom == sorted(f"T{i}_CL" for i in range(8))


class TestPersistence:
    def test_state_survives_restart(self, tmp_path: Path, key: SigningKey) -> None:
        """Resources written to the state file are there, with the same ids and endpoints, in a new ArmState."""
        ctx = make_ctx(tmp_path, key, in_memory=False)
        state = create_control_plane(ctx, [])
        ws = ctx.tenant.workspace_resource_id
        put(state, f"{ws}/tables/App_CL", table_body("App_CL", ("Msg", "string")))
        _, doc = put(state, f"{rg(ctx)}/providers/Microsoft.Insights/dataCollectionRules/p", dcr_body(ws))
        assert (tmp_path / STATE_FILE).exists()
        reopened = ArmState(ctx, tmp_path / STATE_FILE)
        record = reopened.dcr_by_immutable_id(doc["properties"]["immutableId"])
        assert record is not None
        assert record.logs_ingestion_endpoint == doc["properties"]["endpoints"]["logsIngestion"]
        assert reopened.table(ws, "App_CL") is not None

    def test_in_memory_writes_no_file(self, state: ArmState, tmp_path: Path) -> None:
        """Under --in-memory no state file is written."""
        put(state, f"{state.ctx.tenant.workspace_resource_id}/tables/M_CL", table_body("M_CL"))
        assert not (tmp_path / STATE_FILE).exists()

    def test_corrupt_file_is_a_clear_error(self, tmp_path: Path, key: SigningKey) -> None:
        """An unreadable state file stops the start with an EmulatorError naming the file."""
        ctx = make_ctx(tmp_path, key, in_memory=False)
        (tmp_path / STATE_FILE).write_text("{not json")
        with pytest.raises(EmulatorError) as err:
            create_control_plane(ctx, [])
        assert str(tmp_path / STATE_FILE) in str(err.value)

    def test_file_of_another_subscription_is_ignored(self, tmp_path: Path, key: SigningKey) -> None:
        """A state file left by another tenant is not mixed into this one."""
        ctx = make_ctx(tmp_path, key, in_memory=False)
        (tmp_path / STATE_FILE).write_text(
            json.dumps(
                {
                    "version": 1,
                    "subscription_id": "other",
                    "resources": {"/x": {"id": "/x", "type": ids.DCRS}},
                }
            )
        )
        state = create_control_plane(ctx, [])
        assert state.get("/x") is None


class TestConfigResources:
    def _config(self) -> list[dict[str, Any]]:
        return [
            {
                "type": "Microsoft.OperationalInsights/workspaces/tables",
                "name": "Cfg_CL",
                **table_body("Cfg_CL", ("Msg", "string")),
            },
            {
                "type": "Microsoft.Insights/dataCollectionEndpoints",
                "name": "cfg-dce",
                "location": "${location}",
            },
            {
                "type": "Microsoft.Insights/dataCollectionRules",
                "name": "cfg-dcr",
                **dcr_body("${workspace_resource_id}", table="Cfg_CL"),
            },
            {
                "type": "Microsoft.Authorization/roleAssignments",
                "scope": "/subscriptions/${subscription_id}/resourceGroups/${resource_group}",
                "properties": {"roleDefinitionId": "Monitoring Metrics Publisher", "principalId": "vm"},
            },
        ]

    def test_applied_in_order_and_idempotent(self, state: ArmState, ctx: Context) -> None:
        """Config resources (placeholders, role by name, principal by identity name) apply; applying again changes no id."""
        apply_resources(state, self._config(), "cfg")
        record = state.dcr_by_immutable_id(
            state.get(f"{rg(ctx)}/providers/Microsoft.Insights/dataCollectionRules/cfg-dcr")["properties"][
                "immutableId"
            ]  # type: ignore[index]
        )
        assert record is not None and record.rule.data_flows[0].output_table == "Cfg_CL"
        vm = ctx.tenant.identity("vm").principal_id
        assert state.has_permission(vm, record.resource_id, api.INGEST_DATA_ACTION)
        apply_resources(state, self._config(), "cfg")
        assert state.dcr_by_immutable_id(record.immutable_id) is not None
        assert len([d for d in state.docs(ids.ROLE_ASSIGNMENTS) if d["properties"]["principalId"] == vm]) == 1

    def test_error_names_the_resource(self, state: ArmState) -> None:
        """An invalid resource stops with a ConfigError naming its index, type, id and ARM's details."""
        cfg = self._config()
        cfg[2]["properties"]["dataFlows"][0]["streams"] = ["Custom-Undeclared"]
        with pytest.raises(ConfigError) as err:
            apply_resources(state, cfg, "config file x.json")
        text = str(err.value)
        assert "config file x.json: resources[2] (dataCollectionRules /subscriptions/" in text
        assert "InvalidStream" in text and "cfg-dcr" in text

    @pytest.mark.parametrize(
        ("entry", "fragment"),
        [
            ({"name": "x"}, "give 'id'"),
            ({"type": "Microsoft.Insights/dataCollectionRules"}, "'name' is required"),
            (
                {"id": "/subscriptions/x/resourceGroups/y/providers/Microsoft.Compute/virtualMachines/v"},
                "not the id of a resource",
            ),
            (
                {
                    "type": "Microsoft.Insights/dataCollectionEndpoints",
                    "name": "${nope}",
                    "location": "eastus",
                },
                "unknown placeholder ${nope}",
            ),
            (
                {
                    "type": "Microsoft.Authorization/roleAssignments",
                    "properties": {"roleDefinitionId": "Janitor", "principalId": "vm"},
                },
                "unknown role 'Janitor'",
            ),
        ],
    )
    def test_malformed_entries(self, state: ArmState, entry: dict[str, Any], fragment: str) -> None:
        """Entries that name no resource, use unknown placeholders or roles are refused with a clear message."""
        with pytest.raises(ConfigError, match=None) as err:
            apply_resources(state, [entry], "cfg")
        assert fragment in str(err.value)
