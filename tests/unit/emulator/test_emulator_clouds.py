"""The emulator as US Government in-process: identity, ARM, query and metadata speak that cloud's audiences only."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette

from azlogs._exceptions import ConfigError
from azlogs.auth.clouds import AZURE_CHINA, AZURE_PUBLIC, AZURE_US_GOVERNMENT
from azlogs.emulator.config import Settings, apply_config
from azlogs.emulator.context import Context
from azlogs.emulator.control.provision import create_control_plane
from azlogs.emulator.control.routes import routes as arm_routes
from azlogs.emulator.identity.issuer import SigningKey
from azlogs.emulator.identity.managed import routes as identity_routes
from azlogs.emulator.query.plane import routes as query_routes
from azlogs.emulator.server import settings_from
from tests.unit.emulator.test_control_state import make_ctx

GOV = AZURE_US_GOVERNMENT


@pytest.fixture
def gov(tmp_path: Path, key: SigningKey) -> Context:
    ctx = make_ctx(tmp_path, key)
    ctx.settings.cloud = GOV
    ctx.control = create_control_plane(ctx, [])
    return ctx


@pytest.fixture
async def client(gov: Context) -> AsyncIterator[httpx.AsyncClient]:
    app = Starlette(routes=[*identity_routes(), *query_routes(gov), *arm_routes(gov)])
    app.state.ctx = gov
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="https://127.0.0.1:9") as c:
        yield c


def bearer(ctx: Context, resource: str) -> dict[str, str]:
    token, _ = ctx.issuer.mint(ctx.tenant.admin, resource, 3600)
    return {"Authorization": f"Bearer {token}"}


async def imds(client: httpx.AsyncClient, resource: str) -> httpx.Response:
    return await client.get(
        "/metadata/identity/oauth2/token",
        params={"api-version": "2018-02-01", "resource": resource},
        headers={"Metadata": "true"},
    )


class TestUsGovernmentEmulator:
    async def test_imds_grants_only_this_clouds_audiences(self, client: httpx.AsyncClient) -> None:
        """IMDS issues monitor.azure.us, api.loganalytics.us and management.usgovcloudapi.net tokens, and
        answers AADSTS500011 for the public and China clouds' audiences."""
        for resource in (GOV.monitor_audience, GOV.query_audience, GOV.arm_endpoint, GOV.arm_audience + "/"):
            r = await imds(client, resource)
            assert r.status_code == 200, (resource, r.text)
        for resource in (
            AZURE_PUBLIC.monitor_audience,
            AZURE_PUBLIC.arm_endpoint,
            AZURE_CHINA.query_audience,
        ):
            r = await imds(client, resource)
            assert r.status_code == 400 and "AADSTS500011" in r.text, resource

    async def test_arm_accepts_its_audiences_and_lists_them(
        self, client: httpx.AsyncClient, gov: Context
    ) -> None:
        """ARM takes a management.usgovcloudapi.net token; a management.azure.com one is refused, naming the
        cloud's allowed audiences."""
        rg = f"/subscriptions/{gov.tenant.subscription_id}/resourceGroups/{gov.tenant.resource_group}"
        ok = await client.get(rg, params={"api-version": "2021-04-01"}, headers=bearer(gov, GOV.arm_endpoint))
        assert ok.status_code == 200, ok.text
        bad = await client.get(
            rg, params={"api-version": "2021-04-01"}, headers=bearer(gov, AZURE_PUBLIC.arm_endpoint)
        )
        err = bad.json()["error"]
        assert bad.status_code == 401 and err["code"] == "InvalidAuthenticationTokenAudience"
        assert (
            "'https://management.usgovcloudapi.net/'" in err["message"]
            and "management.azure.com/'" not in err["message"]
        )

    async def test_query_refuses_the_public_audience(self, client: httpx.AsyncClient, gov: Context) -> None:
        """The query API answers a public-cloud token with InvalidAuthenticationTokenAudience naming api.loganalytics.us."""
        url = f"/query/v1/workspaces/{gov.tenant.workspace_id}/query"
        r = await client.post(
            url, json={"query": "print 1"}, headers=bearer(gov, AZURE_PUBLIC.query_audience)
        )
        assert r.status_code == 403 and r.json()["error"]["code"] == "InvalidAuthenticationTokenAudience"
        assert "'https://api.loganalytics.us'" in r.json()["error"]["message"]

    async def test_cloud_metadata_lists_the_arm_audiences(self, client: httpx.AsyncClient) -> None:
        """ARM's /metadata/endpoints names the emulated cloud's ARM audiences (what az cloud register reads)."""
        r = await client.get("/metadata/endpoints", params={"api-version": "2022-09-01"})
        assert r.json()["authentication"]["audiences"] == [
            "https://management.core.usgovcloudapi.net/",
            "https://management.usgovcloudapi.net/",
        ]


class TestChoosingTheCloud:
    def test_config_file_and_flag(self, tmp_path: Path) -> None:
        """emulator.cloud in the config file chooses the cloud; --cloud wins over it; an unknown name is a ConfigError."""
        settings = Settings(data_dir=tmp_path)
        apply_config(settings, {"emulator": {"cloud": "AzureChinaCloud"}})
        assert settings.cloud is AZURE_CHINA
        flagged = settings_from(tmp_path, cloud="usgov")
        apply_config(flagged, {"emulator": {"cloud": "AzureChinaCloud"}})
        assert flagged.cloud is GOV
        with pytest.raises(ConfigError, match=r"emulator\.cloud"):
            apply_config(Settings(data_dir=tmp_path), {"emulator": {"cloud": "Atlantis"}})
        assert AZURE_PUBLIC.monitor_audience not in flagged.token_resources
