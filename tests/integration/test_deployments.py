"""A template deployment over real HTTPS with Microsoft's own ARM long-running-operation poller.

The template is what ``azlogs schema infer --format arm`` writes, deployed unchanged the way
``az deployment group create`` does it (POST validate, then PUT and poll): azure-identity gets the admin's
ARM token, azure-mgmt-core's ``ARMPolling`` follows ``Azure-AsyncOperation`` to the end, and the
deployment's outputs feed ``azlogs send`` with the VM's managed identity, whose role the template granted.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from azure.core import PipelineClient
from azure.core.pipeline.policies import RequestIdPolicy
from azure.core.pipeline.transport import RequestsTransport
from azure.core.polling import LROPoller
from azure.core.rest import HttpRequest
from azure.mgmt.core.policies import ARMChallengeAuthenticationPolicy
from azure.mgmt.core.polling.arm_polling import ARMPolling

from azlogs.provision import emulator_credential
from tests.emulator_proc import AZLOGS, EmulatorProcess, run_with_env

API = "2024-03-01"


def _client(emu: EmulatorProcess, credential: Any) -> PipelineClient[Any, Any]:
    info = emu.info
    policy = ARMChallengeAuthenticationPolicy(credential, "https://management.azure.com/.default")
    return PipelineClient(
        base_url=info.endpoints.arm,
        policies=[RequestIdPolicy(), policy],  # as the generated management clients build it
        transport=RequestsTransport(connection_verify=info.ca_cert),
    )


def _json(response: Any) -> Any:
    return json.loads(response.http_response.text())


def test_schema_template_deploys_and_records_land(fresh_emulator: EmulatorProcess, tmp_path: Path) -> None:
    """validate 200, PUT 201 polled to Succeeded by ARMPolling, outputs give a DCR that `azlogs send` lands records through."""
    emu = fresh_emulator
    info = emu.info
    sample = tmp_path / "sample.ndjson"
    sample.write_text("".join(json.dumps({"msg": f"m{i}", "n": i}) + "\n" for i in range(3)))
    vm = emu.identity("vm").principal_id
    inferred = run_with_env(
        emu,
        "vm",
        [
            AZLOGS,
            "schema",
            "infer",
            str(sample),
            "--table",
            "Deployed_CL",
            "--format",
            "arm",
            "--principal-id",
            vm,
        ],
    )
    assert inferred.returncode == 0, inferred.stderr
    template = json.loads(inferred.stdout)
    path = (
        info.endpoints.arm
        + f"/subscriptions/{info.subscription_id}/resourcegroups/{info.resource_group}/providers/Microsoft.Resources/deployments/azlogs-deploy"
    )
    body = {
        "properties": {
            "mode": "Incremental",
            "template": template,
            "parameters": {
                "workspaceName": {"value": info.workspace.name},
                "principalId": {"value": vm},
            },
        }
    }
    # Closed after the deployment, as the client is: an open credential keeps its connection to the
    # emulator, whose stop then waits out its graceful-shutdown limit for it (a leaked socket).
    credential = emulator_credential(info)
    client = _client(emu, credential)
    with client, credential:
        validate = HttpRequest("POST", f"{path}/validate", params={"api-version": API}, json=body)
        checked = client.send_request(validate)
        assert checked.status_code == 200, checked.text()
        assert len(checked.json()["properties"]["validatedResources"]) == 3

        put = HttpRequest("PUT", path, params={"api-version": API}, json=body)
        first = client._pipeline.run(put, stream=False)
        assert first.http_response.status_code == 201
        poller: LROPoller[Any] = LROPoller(client, first, _json, ARMPolling(0))
        done = poller.result(timeout=60)
    assert done["properties"]["provisioningState"] == "Succeeded", done
    outputs = {k: v["value"] for k, v in done["properties"]["outputs"].items()}
    assert outputs["immutableId"].startswith("dcr-")

    sent = run_with_env(
        emu,
        "vm",
        [
            AZLOGS,
            "send",
            str(sample),
            "--endpoint",
            outputs["logsIngestionEndpoint"],
            "--dcr",
            outputs["immutableId"],
            "--stream",
            outputs["streamName"],
            "--json",
        ],
    )
    assert sent.returncode == 0, sent.stderr
    assert json.loads(sent.stdout)["records_sent"] == 3
    rows = run_with_env(
        emu,
        "vm",
        [AZLOGS, "emulator", "rows", "Deployed_CL", "--limit", "0", "--data-dir", str(emu.data_dir)],
    )
    assert rows.returncode == 0, rows.stderr
    landed = [json.loads(line) for line in rows.stdout.splitlines() if line.strip()]
    assert sorted(r["msg"] for r in landed) == ["m0", "m1", "m2"]
