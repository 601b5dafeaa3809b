"""The emulator runs as each Azure cloud; azlogs and Microsoft's SDK send through it; other clouds' audiences are refused."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from azlogs.auth.clouds import CLOUDS, Cloud, get_cloud
from tests.emulator_proc import AZLOGS, EmulatorProcess, run_with_env
from tests.integration.test_pipeline_tools import rows

NOW = dt.datetime.now(dt.timezone.utc).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")
CLOUD_NAMES = [c.name for c in CLOUDS]
# One worker runs the whole module, so each cloud's emulator starts once (module-scoped fixture).
pytestmark = pytest.mark.xdist_group("clouds")


@pytest.fixture(scope="module", params=CLOUD_NAMES)
def cloud_emulator(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[EmulatorProcess]:
    """One emulator per cloud (`azlogs emulator start --cloud NAME`), shared by the tests of that cloud."""
    emu = EmulatorProcess(
        tmp_path_factory.mktemp(f"cloud-{request.param}") / "data", "--cloud", request.param
    )
    emu.start()
    yield emu
    emu.stop()


@pytest.fixture(scope="module")
def pipeline(cloud_emulator: EmulatorProcess, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A table, DCR and role provisioned with `azlogs provision` under `azlogs emulator env` (no --cloud given)."""
    sample = tmp_path_factory.mktemp("sample") / "sample.ndjson"
    sample.write_text(json.dumps({"TimeGenerated": NOW, "Message": "sample", "Level": 1}) + "\n")
    out = cli(cloud_emulator, "provision", "--table", "Clouds_CL", str(sample), "--assign-self", "--json")
    assert out.returncode == 0, out.stderr
    result: dict[str, Any] = json.loads(out.stdout)
    return result


def cli(emu: EmulatorProcess, *argv: str, **kw: Any) -> subprocess.CompletedProcess[str]:
    return run_with_env(emu, "vm", [AZLOGS, *argv], **kw)


def cloud_of(emu: EmulatorProcess) -> Cloud:
    return get_cloud(emu.info.cloud)


def target(pipeline: dict[str, Any]) -> list[str]:
    return [
        "--endpoint",
        pipeline["endpoint"],
        "--dcr",
        pipeline["dcr_immutable_id"],
        "--stream",
        pipeline["stream"],
    ]


def imds_token(emu: EmulatorProcess, resource: str) -> httpx.Response:
    with emu.http() as client:
        return client.get(
            "/metadata/identity/oauth2/token",
            params={"api-version": "2018-02-01", "resource": resource},
            headers={"Metadata": "true"},
        )


SDK_SEND = """
import json, sys
from azure.identity import ManagedIdentityCredential
from azure.monitor.ingestion import LogsIngestionClient
endpoint, rule, stream, scope, message, now = sys.argv[1:]
with LogsIngestionClient(endpoint, ManagedIdentityCredential(), credential_scopes=[scope]) as client:
    client.upload(rule, stream, [{"TimeGenerated": now, "Message": message, "Level": 2}])
print("sent")
"""


SDK_QUERY = """
import json, os, sys
from pathlib import Path
from azure.identity import ClientSecretCredential
from azure.monitor.query import LogsQueryClient
from azlogs.discovery import Discovery
audience = sys.argv[1]
info = Discovery.from_file(Path(os.environ["AZLOGS_EMULATOR_FILE"]))
cred = ClientSecretCredential(info.tenant_id, info.admin.client_id, info.admin.client_secret,
    authority=info.endpoints.authority, disable_instance_discovery=True)
client = LogsQueryClient(cred, endpoint=info.endpoints.query, audience=audience)
result = client.query_workspace(info.workspace.id, "Clouds_CL | count", timespan=None)
print(json.dumps(result.tables[0].rows[0][0]))
"""


class TestEachCloud:
    def test_discovery_and_env_name_the_cloud(self, cloud_emulator: EmulatorProcess) -> None:
        """emulator.json records the cloud; `azlogs emulator env` exports it as AZURE_CLOUD for azlogs."""
        name = cloud_emulator.info.cloud
        assert name in CLOUD_NAMES
        out = subprocess.run(
            [AZLOGS, "emulator", "env", "--source", "vm", "--data-dir", str(cloud_emulator.data_dir)],
            capture_output=True,
            text=True,
            check=True,
        )
        assert f"export AZURE_CLOUD={name}" in out.stdout.splitlines()

    def test_azlogs_and_the_sdk_send_through_the_cloud(
        self, cloud_emulator: EmulatorProcess, pipeline: dict[str, Any], tmp_path: Path
    ) -> None:
        """azlogs send (cloud from AZURE_CLOUD) and LogsIngestionClient with the cloud's credential_scopes both land
        their records; azlogs query reads them back through the cloud's query audience."""
        cloud = cloud_of(cloud_emulator)
        data = tmp_path / "records.ndjson"
        data.write_text(
            json.dumps({"TimeGenerated": NOW, "Message": f"azlogs in {cloud.name}", "Level": 3}) + "\n"
        )
        sent = cli(cloud_emulator, "send", str(data), *target(pipeline), "--json")
        assert sent.returncode == 0, sent.stdout + sent.stderr
        sdk = run_with_env(
            cloud_emulator,
            "vm",
            [
                sys.executable,
                "-c",
                SDK_SEND,
                pipeline["endpoint"],
                pipeline["dcr_immutable_id"],
                pipeline["stream"],
                cloud.monitor_scope,
                f"sdk in {cloud.name}",
                NOW,
            ],
        )
        assert sdk.returncode == 0, sdk.stderr
        messages = {r["Message"] for r in rows(cloud_emulator, "Clouds_CL")}
        assert {f"azlogs in {cloud.name}", f"sdk in {cloud.name}"} <= messages
        queried = cli(cloud_emulator, "query", "Clouds_CL | count", "--format", "json")
        assert queried.returncode == 0, queried.stderr
        assert json.loads(queried.stdout)["tables"][0]["rows"][0][0] >= 2

    def test_only_the_clouds_own_audiences_are_granted(self, cloud_emulator: EmulatorProcess) -> None:
        """IMDS grants the cloud's Monitor, Log Analytics and ARM audiences, and refuses every other cloud's
        with AADSTS500011, as that cloud's Entra would."""
        cloud = cloud_of(cloud_emulator)
        for resource in (cloud.monitor_audience, cloud.query_audience, cloud.arm_endpoint):
            assert imds_token(cloud_emulator, resource).status_code == 200, resource
        for other in CLOUDS:
            if other == cloud:
                continue
            for resource in (other.monitor_audience, other.query_audience, other.arm_endpoint):
                answer = imds_token(cloud_emulator, resource)
                assert answer.status_code == 400 and "AADSTS500011" in answer.text, resource

    def test_the_data_plane_refuses_another_audience(
        self, cloud_emulator: EmulatorProcess, pipeline: dict[str, Any]
    ) -> None:
        """A token of the right tenant but not for the cloud's Monitor audience is 401 InvalidAudience."""
        cloud = cloud_of(cloud_emulator)
        token = imds_token(cloud_emulator, cloud.arm_endpoint).json()["access_token"]
        url = f"{pipeline['endpoint']}/dataCollectionRules/{pipeline['dcr_immutable_id']}/streams/{pipeline['stream']}"
        with httpx.Client(verify=cloud_emulator.ssl_context(), timeout=30) as client:
            answer = client.post(
                url,
                params={"api-version": "2023-01-01"},
                headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
                content=b"[]",
            )
        assert answer.status_code == 401 and answer.json()["error"]["code"] == "InvalidAudience"
        assert cloud.monitor_audience in answer.json()["error"]["message"]

    def test_doctor_diagnoses_a_mismatched_cloud(
        self, cloud_emulator: EmulatorProcess, pipeline: dict[str, Any]
    ) -> None:
        """doctor with another cloud than the emulator's: the cloud and token steps fail and the fix names --cloud;
        with the emulator's own cloud (from AZURE_CLOUD) every step passes."""
        cloud = cloud_of(cloud_emulator)
        wrong = next(c for c in CLOUDS if c != cloud)
        bad = cli(cloud_emulator, "doctor", *target(pipeline), "--cloud", wrong.name, "--json")
        assert bad.returncode == 1, bad.stdout + bad.stderr
        steps = {s["step"]: s for s in json.loads(bad.stdout)["steps"]}
        assert steps["cloud"]["status"] == "failed" and f"--cloud {cloud.name}" in steps["cloud"]["fix"]
        assert steps["token"]["status"] == "failed" and "AADSTS500011" in steps["token"]["detail"]
        good = cli(cloud_emulator, "doctor", *target(pipeline), "--json")
        assert good.returncode == 0, good.stdout + good.stderr
        assert {s["step"]: s["status"] for s in json.loads(good.stdout)["steps"]}["cloud"] == "ok"

    def test_token_follows_the_cloud(self, cloud_emulator: EmulatorProcess) -> None:
        """azlogs token asks for the cloud's Logs Ingestion audience (from AZURE_CLOUD), and --cloud of another
        cloud fails with AADSTS500011 and the fix."""
        cloud = cloud_of(cloud_emulator)
        out = cli(cloud_emulator, "token", "--json")
        assert out.returncode == 0, out.stderr
        assert json.loads(out.stdout)["claims"]["aud"] == cloud.monitor_audience
        wrong = next(c for c in CLOUDS if c != cloud)
        refused = cli(cloud_emulator, "token", "--cloud", wrong.name)
        assert refused.returncode != 0 and "AADSTS500011" in refused.stderr
        assert "--cloud" in refused.stderr

    def test_sdk_query_with_the_clouds_audience(
        self, cloud_emulator: EmulatorProcess, pipeline: dict[str, Any]
    ) -> None:
        """LogsQueryClient with the cloud's audience reads the workspace; with another cloud's it is refused."""
        cloud = cloud_of(cloud_emulator)
        ok = run_with_env(cloud_emulator, "vm", [sys.executable, "-c", SDK_QUERY, cloud.query_audience])
        assert ok.returncode == 0, ok.stderr
        assert int(ok.stdout.strip()) >= 0
        wrong = next(c for c in CLOUDS if c != cloud)
        refused = run_with_env(cloud_emulator, "vm", [sys.executable, "-c", SDK_QUERY, wrong.query_audience])
        assert refused.returncode != 0 and "AADSTS500011" in refused.stderr
