"""Provisioning through ARM: creates, waits until readable, is idempotent, merges, assigns the role once."""

from __future__ import annotations

from typing import Any

import httpx
import orjson
import pytest

from azlogs import PermanentServiceError, SchemaError, UsageError
from azlogs._exceptions import ArmRequestError
from azlogs.provision import ArmTarget, ProvisionRequest, Spec, assign_role, provision
from azlogs.schema.infer import infer_schema
from azlogs.schema.template import LOG_ANALYTICS_READER_ROLE_ID, role_assignment_name
from tests.unit.provision.fake_arm import MMP, OID, RG, SUB, TARGET, WS, FakeArm

RECORDS = [
    {"time": "2024-06-01T10:00:00Z", "user-name": "bob", "count": 1, "ctx": {"k": [1]}},
    {"time": "2024-06-01T10:00:01Z", "user-name": "amy", "count": 2, "ctx": {"k": 2}},
]
DCR_ID = (
    f"/subscriptions/{SUB}/resourceGroups/{RG}/providers/Microsoft.Insights/dataCollectionRules/dcr-app-cl"
)


def request(records: list[dict[str, Any]] = RECORDS, **kw: Any) -> ProvisionRequest:
    return ProvisionRequest(Spec.from_inferred(infer_schema(records, table="App_CL")), **kw)


def run(arm: FakeArm, req: ProvisionRequest, target: ArmTarget = TARGET, **kw: Any) -> Any:
    sleeps: list[float] = []
    with arm.client() as client:
        result = provision(client, target, req, interval=1.0, sleep=sleeps.append, **kw)
    result.sleeps = sleeps
    return result


def put_bodies(arm: FakeArm, rtype: str) -> list[dict[str, Any]]:
    """Bodies of the PUTs of resources of type ``rtype`` (the last type segment of the path)."""
    return [orjson.loads(r.content) for r in arm.puts if r.url.path.lower().rsplit("/", 2)[-2] == rtype]


class TestFirstRun:
    def test_creates_table_dcr_and_role(self) -> None:
        """A first run creates the table, a Direct DCR and the role assignment, and returns what send needs."""
        arm = FakeArm()
        result = run(arm, request(principal_id=OID))
        assert [(c.kind, c.action) for c in result.changes] == [
            ("table", "created"),
            ("dcr", "created"),
            ("role", "created"),
        ]
        dcr = arm.docs[DCR_ID.lower()]
        assert result.immutable_id == dcr["properties"]["immutableId"]
        assert result.endpoint == dcr["properties"]["endpoints"]["logsIngestion"]
        assert result.stream == "Custom-App_CL" and result.table == "App_CL"
        assert result.env() == {
            "AZLOGS_ENDPOINT": result.endpoint,
            "AZLOGS_DCR": result.immutable_id,
            "AZLOGS_STREAM": "Custom-App_CL",
        }

    def test_api_versions_and_bodies(self) -> None:
        """Table 2022-10-01, DCR 2023-03-11 kind Direct in the workspace's region, role 2022-04-01."""
        arm = FakeArm()
        run(arm, request(principal_id=OID))
        versions = {
            r.url.path.split("/providers/")[-1].split("/")[0]: r.url.params["api-version"] for r in arm.puts
        }
        assert versions == {
            "Microsoft.OperationalInsights": "2022-10-01",
            "Microsoft.Insights": "2023-03-11",
            "Microsoft.Authorization": "2022-04-01",
        }
        (dcr,) = put_bodies(arm, "datacollectionrules")
        assert dcr["kind"] == "Direct" and dcr["location"] == "westeurope"
        assert dcr["properties"]["destinations"]["logAnalytics"] == [
            {"workspaceResourceId": WS, "name": "workspace"}
        ]
        (role,) = put_bodies(arm, "roleassignments")
        assert role["properties"]["principalId"] == OID
        assert role["properties"]["roleDefinitionId"].endswith(MMP)

    def test_role_assignment_name_is_deterministic(self) -> None:
        """The assignment's name is derived from scope and principal, so a rerun finds it."""
        arm = FakeArm()
        result = run(arm, request(principal_id=OID))
        assert result.role_assignment_id.endswith("/" + role_assignment_name(DCR_ID, OID))

    def test_waits_until_readable(self) -> None:
        """After each PUT the resource is read until ARM says Succeeded."""
        arm = FakeArm(updating_reads=2)
        result = run(arm, request())
        assert result.sleeps == [1.0] * 4  # two extra reads of the table, two of the DCR

    def test_gives_up_when_never_readable(self) -> None:
        """A resource that never completes is reported after the timeout with its state."""
        arm = FakeArm(updating_reads=10_000)
        with pytest.raises(PermanentServiceError, match="Updating"):
            run(arm, request(), timeout=0.0)

    def test_missing_workspace(self) -> None:
        """A workspace that does not exist is named, with the option to fix."""
        arm = FakeArm()
        target = ArmTarget(TARGET.arm_endpoint, SUB, RG, WS + "x")
        with pytest.raises(UsageError, match="--workspace"):
            run(arm, request(), target)

    def test_dce_when_asked(self) -> None:
        """--dce creates a DCE, links the DCR to it and prints the DCE's endpoint."""
        arm = FakeArm()
        result = run(arm, request(dce=True))
        assert result.dce_id is not None and "datacollectionendpoints" in result.dce_id.lower()
        assert result.endpoint == arm.docs[result.dce_id.lower()]["properties"]["logsIngestion"]["endpoint"]
        (dcr,) = put_bodies(arm, "datacollectionrules")
        assert dcr["properties"]["dataCollectionEndpointId"] == result.dce_id


class TestIdempotence:
    def test_second_run_changes_nothing(self) -> None:
        """Running twice with the same input writes nothing the second time."""
        arm = FakeArm()
        run(arm, request(principal_id=OID, dce=True))
        writes = len(arm.puts)
        again = run(arm, request(principal_id=OID, dce=True))
        assert not again.changed and len(arm.puts) == writes
        assert {c.action for c in again.changes} == {"unchanged"}

    def test_existing_assignment_elsewhere_is_reused(self) -> None:
        """Monitoring Metrics Publisher already granted at the resource group is not assigned again."""
        arm = FakeArm()
        rid = arm.add_assignment(f"/subscriptions/{SUB}/resourceGroups/{RG}", OID)
        result = run(arm, request(principal_id=OID))
        assert result.role_assignment_id == rid
        assert put_bodies(arm, "roleassignments") == []

    def test_conflicting_assignment_counts_as_existing(self) -> None:
        """ARM's 409 RoleAssignmentExists means the role is there: no error."""
        arm = FakeArm()
        arm.forbid_list = True  # the principal's assignments cannot be listed, the PUT answers 409
        arm.add_assignment(DCR_ID, OID)
        result = run(arm, request(principal_id=OID))
        assert result.changes[-1].kind == "role" and result.changes[-1].action == "unchanged"


class TestMerge:
    def test_merge_adds_columns(self) -> None:
        """Merge adds the new sample columns to table and stream and updates both."""
        arm = FakeArm()
        run(arm, request())
        more = [{**RECORDS[0], "new col": 3.5}]
        result = run(arm, request(more, mode="merge"))
        assert [(c.kind, c.action) for c in result.changes] == [("table", "updated"), ("dcr", "updated")]
        table = put_bodies(arm, "tables")[-1]
        names = [c["name"] for c in table["properties"]["schema"]["columns"]]
        assert names[-1] == "new_col" and "user_name" in names
        assert "new_col = ['new col']" in result.transform_kql

    def test_type_change_writes_nothing(self) -> None:
        """A refused type change fails before any write."""
        arm = FakeArm()
        run(arm, request())
        writes = len(arm.puts)
        with pytest.raises(SchemaError, match="never changes a column's type"):
            run(arm, request([{**RECORDS[0], "count": "many"}], mode="merge"))
        assert len(arm.puts) == writes

    def test_create_mode_refuses_a_changed_schema(self) -> None:
        """Create mode leaves an existing, different table alone and says to use merge."""
        arm = FakeArm()
        run(arm, request())
        with pytest.raises(SchemaError, match="--mode merge"):
            run(arm, request([{**RECORDS[0], "other": 1}]))

    def test_set_retention_is_kept(self) -> None:
        """A merge does not reset a table's retention that was set on purpose."""
        arm = FakeArm()
        run(arm, request())
        table_key = f"{WS}/tables/App_CL".lower()
        arm.docs[table_key]["properties"].update(retentionInDays=90, retentionInDaysAsDefault=False)
        run(arm, request([{**RECORDS[0], "more": 1}], mode="merge"))
        assert put_bodies(arm, "tables")[-1]["properties"]["retentionInDays"] == 90


class TestArmRefusals:
    def test_arm_error_is_reported_with_details(self) -> None:
        """ARM's validation error reaches the caller with its details."""
        arm = FakeArm()
        body = {
            "error": {
                "code": "InvalidPayload",
                "message": "Data collection rule is invalid",
                "details": [{"code": "InvalidOutputTable", "message": "no table"}],
            }
        }

        original = arm.handler

        def handler(req: httpx.Request) -> httpx.Response:
            if req.method == "PUT" and "datacollectionrules" in req.url.path.lower():
                arm.requests.append(req)
                return httpx.Response(400, json=body)
            return original(req)

        arm.handler = handler  # type: ignore[method-assign]
        with pytest.raises(ArmRequestError, match="InvalidOutputTable: no table"):
            run(arm, request())


class TestAssignRole:
    def test_other_role_at_a_scope_is_assigned_once(self) -> None:
        """Log Analytics Reader on the workspace: created with provision's naming, unchanged the second time."""
        arm = FakeArm()
        with arm.client() as client:
            first = assign_role(
                client, TARGET, WS, OID, role_id=LOG_ANALYTICS_READER_ROLE_ID, sleep=lambda s: None
            )
            again = assign_role(
                client, TARGET, WS, OID, role_id=LOG_ANALYTICS_READER_ROLE_ID, sleep=lambda s: None
            )
        name = role_assignment_name(WS, OID, LOG_ANALYTICS_READER_ROLE_ID)
        assert (first.action, again.action) == ("created", "unchanged")
        assert (
            first.resource_id
            == again.resource_id
            == f"{WS}/providers/Microsoft.Authorization/roleAssignments/{name}"
        )
        assert first.detail == f"Log Analytics Reader for {OID}"
        (body,) = put_bodies(arm, "roleassignments")
        assert body["properties"]["roleDefinitionId"].endswith(LOG_ANALYTICS_READER_ROLE_ID)

    def test_another_role_at_the_scope_does_not_count(self) -> None:
        """Monitoring Metrics Publisher granted above the scope does not stand in for another role."""
        arm = FakeArm()
        arm.add_assignment(f"/subscriptions/{SUB}/resourceGroups/{RG}", OID)
        with arm.client() as client:
            change = assign_role(
                client, TARGET, WS, OID, role_id=LOG_ANALYTICS_READER_ROLE_ID, sleep=lambda s: None
            )
        assert change.action == "created"

    def test_names_ignore_case_as_arm_does(self) -> None:
        """The same grant written with other letter cases has the same name (one assignment)."""
        assert role_assignment_name(DCR_ID.upper(), OID.upper(), MMP.upper()) == role_assignment_name(
            DCR_ID, OID
        )
