"""The clients ask for the cloud's Logs Ingestion scope: from cloud=, AZURE_CLOUD or the endpoint's host."""

from __future__ import annotations

import httpx
import pytest

from azlogs import AsyncLogsClient, LogsClient, UsageError
from azlogs.agent._routes import Route
from tests.unit.ingest.ingest_fakes import RULE_ID, STREAM, FakeAsyncCredential, FakeCredential, Sink

GOV_DCE = "https://my-dce-abcd.usgovvirginia-1.ingest.monitor.azure.us"
CHINA_DCR = "https://my-dcr-x1y2.chinaeast2-1.ingest.monitor.azure.cn"


def test_scope_from_the_endpoint_host(monkeypatch: pytest.MonkeyPatch) -> None:
    """A *.ingest.monitor.azure.us endpoint: the token is asked for https://monitor.azure.us/.default."""
    monkeypatch.delenv("AZURE_CLOUD", raising=False)
    credential = FakeCredential()
    with LogsClient(GOV_DCE, RULE_ID, credential, transport=Sink().transport()) as client:
        assert client.upload(STREAM, [{"a": 1}]).ok
    assert credential.scopes == [("https://monitor.azure.us/.default",)]
    assert client.cloud.name == "AzureUSGovernment"


def test_scope_from_the_cloud_argument_and_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """cloud= wins; else AZURE_CLOUD; both apply to a loopback endpoint (the emulator) whose host says nothing."""
    monkeypatch.setenv("AZURE_CLOUD", "AzureChinaCloud")
    env_cred, arg_cred = FakeCredential(), FakeCredential()
    with LogsClient(
        "https://127.0.0.1:8443/dce/x", RULE_ID, env_cred, transport=Sink().transport()
    ) as client:
        client.upload(STREAM, [{"a": 1}])
    with LogsClient(
        "https://127.0.0.1:8443/dce/x",
        RULE_ID,
        arg_cred,
        cloud="AzureUSGovernment",
        transport=Sink().transport(),
    ) as client:
        client.upload(STREAM, [{"a": 1}])
    assert env_cred.scopes == [("https://monitor.azure.cn/.default",)]
    assert arg_cred.scopes == [("https://monitor.azure.us/.default",)]


def test_contradicting_cloud_is_refused_before_sending(monkeypatch: pytest.MonkeyPatch) -> None:
    """cloud="AzurePublic" with a China endpoint: a UsageError at construction, whose fix names the right cloud."""
    monkeypatch.delenv("AZURE_CLOUD", raising=False)
    with pytest.raises(UsageError) as info:
        LogsClient(CHINA_DCR, RULE_ID, FakeCredential(), cloud="AzurePublic")
    assert "--cloud AzureChinaCloud" in (info.value.hint or "")


async def test_async_client_too(monkeypatch: pytest.MonkeyPatch) -> None:
    """AsyncLogsClient takes the same cloud and asks for the same scope."""
    monkeypatch.delenv("AZURE_CLOUD", raising=False)
    credential = FakeAsyncCredential()
    sink = Sink()

    async def handler(request: httpx.Request) -> httpx.Response:
        await request.aread()
        return sink(request)

    async with AsyncLogsClient(
        CHINA_DCR, RULE_ID, credential, transport=httpx.MockTransport(handler)
    ) as client:
        assert (await client.upload(STREAM, [{"a": 1}])).ok
    assert credential.scopes == [("https://monitor.azure.cn/.default",)]


def test_agent_route_keys_keep_their_value_without_a_cloud() -> None:
    """A route without a cloud keeps the key it had before clouds were configurable (spooled records stay
    routable); a cloud makes another route."""
    old = Route.make("https://x.ingest.monitor.azure.com", RULE_ID, STREAM, "auto", None)
    assert (
        old.key == Route.make("https://x.ingest.monitor.azure.com", RULE_ID, STREAM, "auto", None, None).key
    )
    assert (
        old.key
        != Route.make("https://x.ingest.monitor.azure.com", RULE_ID, STREAM, "auto", None, "AzurePublic").key
    )
