"""Targets (emulator or Azure) and reading a DCR and its tables back through ARM."""

from __future__ import annotations

from dataclasses import replace

import pytest

from azlogs import UsageError
from azlogs.provision import ArmTarget, find_dcr, output_tables, subscription_from_claims
from tests.discovery_sample import sample_discovery
from tests.unit.provision.fake_arm import RG, SUB, WS, FakeArm

DCR_ID = f"/subscriptions/{SUB}/resourceGroups/{RG}/providers/Microsoft.Insights/dataCollectionRules/dcr-x"
RULE = "dcr-" + "a" * 32


def _arm_with_dcr() -> FakeArm:
    arm = FakeArm()
    arm.docs[DCR_ID.lower()] = {
        "id": DCR_ID,
        "location": "westeurope",
        "kind": "Direct",
        "properties": {
            "immutableId": RULE,
            "streamDeclarations": {"Custom-X": {"columns": [{"name": "a", "type": "string"}]}},
            "destinations": {"logAnalytics": [{"name": "la", "workspaceResourceId": WS}]},
            "dataFlows": [{"streams": ["Custom-X"], "destinations": ["la"], "outputStream": "Custom-X_CL"}],
        },
    }
    arm.docs[f"{WS}/tables/X_CL".lower()] = {
        "id": f"{WS}/tables/X_CL",
        "properties": {
            "schema": {"name": "X_CL", "columns": [{"name": "TimeGenerated", "type": "dateTime"}]}
        },
    }
    return arm


class TestTargets:
    def test_azure_defaults_come_from_the_workspace(self) -> None:
        """Against Azure the DCR goes to the workspace's subscription and resource group by default."""
        target = ArmTarget.for_azure(workspace=WS)
        assert (target.subscription_id, target.resource_group) == (SUB, RG)
        assert target.arm_endpoint == "https://management.azure.com"

    def test_workspace_is_required_for_writing(self) -> None:
        """Provisioning against Azure needs --workspace; reading (validate) does not."""
        with pytest.raises(UsageError, match="--workspace"):
            ArmTarget.for_azure(workspace=None)
        assert (
            ArmTarget.for_azure(workspace=None, subscription="s", require_workspace=False).subscription_id
            == "s"
        )

    def test_not_a_workspace_id(self) -> None:
        """A workspace argument that is not a workspace resource id is refused."""
        with pytest.raises(UsageError, match="not a Log Analytics workspace"):
            ArmTarget.for_azure(workspace="law")

    def test_emulator_target(self) -> None:
        """The emulator's discovery info gives ARM URL, subscription, group, workspace, region and CA."""
        base = sample_discovery(https="https://127.0.0.1:1", subscription_id=SUB, resource_group=RG)
        info = replace(base, workspace=replace(base.workspace, resource_id=WS), ca_cert="/tmp/ca.pem")
        target = ArmTarget.from_emulator(info)
        assert (target.arm_endpoint, target.subscription_id, target.resource_group) == (
            "https://127.0.0.1:1",
            SUB,
            RG,
        )
        assert (
            target.workspace_resource_id == WS
            and target.verify == "/tmp/ca.pem"
            and target.location == "eastus"
        )

    def test_subscription_from_managed_identity_claims(self) -> None:
        """A managed identity's xms_mirid names its own subscription."""
        mirid = f"/subscriptions/{SUB}/resourcegroups/rg/providers/Microsoft.Compute/virtualMachines/vm"
        assert subscription_from_claims({"xms_mirid": mirid}) == SUB
        assert subscription_from_claims({}) is None


class TestFindDcr:
    def test_by_immutable_id(self) -> None:
        """An immutable id is found by listing the subscription's DCRs."""
        found = find_dcr(_arm_with_dcr().client(), RULE, subscription=SUB)
        assert found is not None and found.resource_id == DCR_ID and found.immutable_id == RULE

    def test_by_resource_id(self) -> None:
        """A resource id is read directly."""
        found = find_dcr(_arm_with_dcr().client(), DCR_ID, subscription=None)
        assert found is not None and found.rule.stream("Custom-X") is not None

    def test_unknown(self) -> None:
        """An immutable id no DCR has is None."""
        assert find_dcr(_arm_with_dcr().client(), "dcr-" + "b" * 32, subscription=SUB) is None

    def test_refusals(self) -> None:
        """A name is neither kind of id; an immutable id needs a subscription to look in."""
        client = _arm_with_dcr().client()
        with pytest.raises(UsageError, match="neither"):
            find_dcr(client, "my-dcr", subscription=SUB)
        with pytest.raises(UsageError, match="--subscription"):
            find_dcr(client, RULE, subscription=None)

    def test_output_tables(self) -> None:
        """The stream's destination tables are read from their workspaces."""
        arm = _arm_with_dcr()
        found = find_dcr(arm.client(), DCR_ID, subscription=None)
        assert found is not None
        tables = output_tables(arm.client(), found.rule, "Custom-X")
        assert list(tables) == ["X_CL"] and tables["X_CL"].column("TimeGenerated") is not None
