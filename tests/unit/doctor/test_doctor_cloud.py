"""Doctor's cloud step: an endpoint of one cloud with a token of another is found and the fix is --cloud."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from azure.core.exceptions import ClientAuthenticationError

from azlogs.doctor import DoctorOptions, DoctorReport, run_doctor
from tests.discovery_sample import write_discovery
from tests.unit.doctor.test_doctor import RULE_ID, STREAM, chooser, forbidden_arm, ingest
from tests.unit.provision.fake_arm import SUB, FakeCredential, make_jwt


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    """A loopback port that accepts connections: the emulator's data plane, as far as doctor can tell."""
    with socket.create_server(("127.0.0.1", 0)) as server:
        yield f"http://127.0.0.1:{server.getsockname()[1]}"


def emulator_file(tmp_path: Path, endpoint: str, cloud: str) -> dict[str, str]:
    """An emulator.json that says which cloud the emulator at ``endpoint`` runs as."""
    host = endpoint.split("://", 1)[1]
    info = write_discovery(tmp_path, https=f"https://{host}", cloud=cloud, subscription_id=SUB)
    path = tmp_path / "emulator.json"
    assert info.endpoints.dce == f"https://{host}/dce"
    return {"AZLOGS_EMULATOR_FILE": str(path)}


def run(
    endpoint: str, env: dict[str, str], credential: Any, cloud: str | None = None, **kw: Any
) -> DoctorReport:
    options = DoctorOptions(endpoint=endpoint, dcr=RULE_ID, stream=STREAM, subscription=SUB, cloud=cloud)
    imds = httpx.Client(transport=httpx.MockTransport(lambda r: httpx.Response(400)))
    return run_doctor(
        options,
        env=env,
        http=imds,
        chooser=chooser(credential=credential),
        arm_factory=forbidden_arm,
        ingest_transport=kw.pop("transport", ingest(204)),
        **kw,
    )


class UnknownResource:
    """Entra of one cloud asked for another cloud's resource: AADSTS500011."""

    def get_token(self, *scopes: str, **kw: Any) -> Any:
        resource = scopes[0].removesuffix("/.default")
        raise ClientAuthenticationError(
            f"AADSTS500011: The resource principal named {resource} was not found in the tenant named t."
        )


class PublicTokens(FakeCredential):
    """A credential that hands out public-cloud tokens whatever it is asked for."""

    def get_token(self, *scopes: str, **kwargs: Any) -> Any:
        from azure.core.credentials import AccessToken

        self.scopes.extend(scopes)
        return AccessToken(make_jwt({"oid": self.oid, "aud": "https://monitor.azure.com"}), 2**31)


class TestCloudStep:
    def test_us_government_emulator_without_cloud(self, tmp_path: Path, endpoint: str) -> None:
        """The emulator runs as AzureUSGovernment and no cloud is chosen: the cloud and token steps fail with --cloud."""
        report = run(endpoint, emulator_file(tmp_path, endpoint, "AzureUSGovernment"), UnknownResource())
        cloud = report.step("cloud")
        assert cloud is not None and cloud.status == "failed", report.to_json()
        assert "AzureUSGovernment" in cloud.detail and "AzurePublic" in cloud.detail
        assert cloud.fix is not None and "--cloud AzureUSGovernment" in cloud.fix
        token = report.step("token")
        assert token is not None and token.status == "failed" and "AADSTS500011" in token.detail
        assert token.fix is not None and "--cloud AzureUSGovernment" in token.fix

    def test_us_government_emulator_with_its_cloud(self, tmp_path: Path, endpoint: str) -> None:
        """With --cloud AzureUSGovernment the token is asked for monitor.azure.us and every step passes."""
        credential = FakeCredential()
        env = emulator_file(tmp_path, endpoint, "AzureUSGovernment")
        report = run(endpoint, env, credential, cloud="AzureUSGovernment")
        assert report.ok, report.to_json()
        assert report.step("cloud").data["cloud"] == "AzureUSGovernment"
        assert "https://monitor.azure.us/.default" in credential.scopes
        assert "https://monitor.azure.com/.default" not in credential.scopes

    def test_azure_cloud_variable_chooses_too(self, tmp_path: Path, endpoint: str) -> None:
        """AZURE_CLOUD=AzureChinaCloud against an emulator running as China: ok, from AZURE_CLOUD."""
        env = {**emulator_file(tmp_path, endpoint, "AzureChinaCloud"), "AZURE_CLOUD": "AzureChinaCloud"}
        report = run(endpoint, env, FakeCredential())
        step = report.step("cloud")
        assert step is not None and step.status == "ok" and "AZURE_CLOUD" in step.detail, report.to_json()

    def test_endpoint_host_of_another_cloud(self, endpoint: str) -> None:
        """--cloud AzurePublic with a *.ingest.monitor.azure.us endpoint: the cloud step says so and names the fix."""
        gov = "https://my-dce.usgovvirginia-1.ingest.monitor.azure.us"

        def refuse(address: tuple[str, int], timeout: float) -> socket.socket:
            raise ConnectionRefusedError(111, "refused")

        report = run(
            gov,
            {},
            FakeCredential(),
            cloud="AzurePublic",
            resolve=lambda host, port: [(2, 1, 6, "", ("127.0.0.1", port))],
            connect=refuse,
        )
        step = report.step("cloud")
        assert step is not None and step.status == "failed", report.to_json()
        assert "AzureUSGovernment" in step.detail and "--cloud AzureUSGovernment" in (step.fix or "")

    def test_token_of_another_cloud(self, tmp_path: Path, endpoint: str) -> None:
        """A credential that returns a public token for a US Government endpoint: the token step names both clouds."""
        env = emulator_file(tmp_path, endpoint, "AzureUSGovernment")
        report = run(endpoint, env, PublicTokens(), cloud="AzureUSGovernment")
        token = report.step("token")
        assert token is not None and token.status == "failed", report.to_json()
        assert "AzurePublic" in token.detail and "InvalidAudience" in token.detail
        assert report.step("empty upload").status == "skipped"
