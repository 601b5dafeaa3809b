"""plan_migration / migrate_table against an Azure-shaped ARM (MockTransport): the calls, idempotence, refusals."""

from __future__ import annotations

import copy
from typing import Any

import httpx
import orjson
import pytest

from azlogs import SchemaError, UsageError
from azlogs.provision import MigrationResult, migrate_table, plan_migration
from tests.unit.provision.fake_arm import OID, RG, SUB, TARGET, WS, FakeArm

TABLE_ID = f"{WS}/tables/MyApp_CL"
DCR_ID = (
    f"/subscriptions/{SUB}/resourceGroups/{RG}/providers/Microsoft.Insights/dataCollectionRules/dcr-myapp-cl"
)
CUSTOMER_ID = "0b4e5f2a-0000-4000-8000-000000000001"
# A classic table as the tables API shows one (custom columns; the rest under standardColumns).
CLASSIC_DOC: dict[str, Any] = {
    "id": TABLE_ID,
    "name": "MyApp_CL",
    "properties": {
        "retentionInDays": 30,
        "schema": {
            "name": "MyApp_CL",
            "tableType": "CustomLog",
            "tableSubType": "Classic",
            "columns": [
                {"name": "Name_s", "type": "string"},
                {"name": "Count_d", "type": "real"},
                {"name": "When_t", "type": "dateTime"},
            ],
            "standardColumns": [
                {"name": "TenantId", "type": "guid"},
                {"name": "TimeGenerated", "type": "dateTime"},
                {"name": "SourceSystem", "type": "string"},
                {"name": "Type", "type": "string"},
                {"name": "_ResourceId", "type": "string"},
            ],
        },
        "provisioningState": "Succeeded",
    },
}


class MigratingArm(FakeArm):
    """The fake ARM plus ``POST {table}/migrate`` (the subtype becomes DataCollectionRuleBased)."""

    def handler(self, request: httpx.Request) -> httpx.Response:
        key = request.url.path.lower()
        if request.method == "POST" and key.endswith("/migrate"):
            self.requests.append(request)
            doc = self.docs[key.removesuffix("/migrate")]
            doc["properties"]["schema"]["tableSubType"] = "DataCollectionRuleBased"
            return httpx.Response(200)
        return super().handler(request)


def make_arm(doc: dict[str, Any] | None = None) -> MigratingArm:
    arm = MigratingArm()
    arm.docs[WS.lower()]["properties"]["customerId"] = CUSTOMER_ID
    arm.docs[TABLE_ID.lower()] = copy.deepcopy(doc or CLASSIC_DOC)
    return arm


def run(arm: MigratingArm, **kw: Any) -> MigrationResult:
    with arm.client() as client:
        plan = plan_migration(client, TARGET, "MyApp_CL", time_generated_field="When")
        return migrate_table(client, TARGET, plan, principal_id=OID, interval=0.0, sleep=lambda s: None, **kw)


def writes(arm: FakeArm) -> list[tuple[str, str]]:
    return [(r.method, r.url.path) for r in arm.requests if r.method in ("PUT", "POST", "DELETE")]


class TestMigrate:
    def test_migrates_then_creates_the_dcr_and_role_and_leaves_the_table(self) -> None:
        """POST tables/migrate (the table's api-version), then a Direct DCR taking the legacy stream, then
        the role; the table itself is never PUT (its columns stay)."""
        arm = make_arm()
        result = run(arm)
        assert [m for m, _ in writes(arm)] == ["POST", "PUT", "PUT"]
        post = next(r for r in arm.requests if r.method == "POST")
        assert post.url.path == f"{TABLE_ID}/migrate" and post.url.params["api-version"] == "2022-10-01"
        assert writes(arm)[1][1] == DCR_ID and "/roleAssignments/" in writes(arm)[2][1]
        body = orjson.loads(next(r for r in arm.puts if r.url.path == DCR_ID).content)
        assert body["kind"] == "Direct"
        assert body["properties"]["streamDeclarations"] == {
            "Custom-MyApp_CL": {
                "columns": [
                    {"name": "Name", "type": "string"},
                    {"name": "Count", "type": "real"},
                    {"name": "When", "type": "datetime"},
                ]
            }
        }
        flow = body["properties"]["dataFlows"][0]
        assert flow["outputStream"] == "Custom-MyApp_CL"
        assert flow["transformKql"].startswith(
            "source | extend TimeGenerated = iff(isnull(When), now(), When)"
        )
        assert result.migrated and not result.already_migrated
        route = result.route()
        assert (route.table, route.stream, route.time_generated_field) == (
            "MyApp_CL",
            "Custom-MyApp_CL",
            "When",
        )
        assert route.dcr_immutable_id == arm.docs[DCR_ID.lower()]["properties"]["immutableId"]
        assert result.plan.workspace_id == CUSTOMER_ID and result.plan.log_type == "MyApp"

    def test_second_run_writes_nothing(self) -> None:
        """After a migration a second run makes no POST or PUT and says already migrated, same DCR."""
        arm = make_arm()
        first = run(arm)
        arm.requests.clear()
        second = run(arm)
        assert writes(arm) == []
        assert second.already_migrated and second.route() == first.route()

    def test_plan_only_reads(self) -> None:
        """plan_migration (--dry-run) sends GETs only."""
        arm = make_arm()
        with arm.client() as client:
            plan = plan_migration(client, TARGET, "MyApp_CL")
        assert writes(arm) == [] and plan.classic and plan.dcr_state == "absent"
        assert plan.steps[0].startswith("migrate table MyApp_CL")

    def test_a_dcr_of_that_name_with_another_stream_is_refused_before_anything_changes(self) -> None:
        """An existing DCR whose stream differs is not rewritten; the table is not migrated either."""
        arm = make_arm()
        with arm.client() as client:
            client.put(
                DCR_ID,
                "2023-03-11",
                {
                    "location": "westeurope",
                    "kind": "Direct",
                    "properties": {
                        "streamDeclarations": {
                            "Custom-MyApp_CL": {"columns": [{"name": "x", "type": "string"}]}
                        },
                        "destinations": {"logAnalytics": [{"name": "workspace", "workspaceResourceId": WS}]},
                        "dataFlows": [
                            {
                                "streams": ["Custom-MyApp_CL"],
                                "destinations": ["workspace"],
                                "transformKql": "source",
                                "outputStream": "Custom-MyApp_CL",
                            }
                        ],
                    },
                },
            )
        arm.requests.clear()
        with pytest.raises(SchemaError, match="--dcr-name"):
            run(arm)
        assert writes(arm) == []

    @pytest.mark.parametrize(
        ("table", "subtype", "said"),
        [("MyApp", "Classic", "not a custom log table"), ("MyApp_CL", "Any", "not a classic custom table")],
    )
    def test_tables_that_do_not_migrate_are_usage_errors(self, table: str, subtype: str, said: str) -> None:
        """A name without _CL, or a table that is neither classic nor migrated, is refused by name."""
        doc = copy.deepcopy(CLASSIC_DOC)
        doc["properties"]["schema"]["tableSubType"] = subtype
        arm = make_arm(doc)
        with arm.client() as client, pytest.raises(UsageError, match=said):
            plan_migration(client, TARGET, table)
        assert writes(arm) == []
