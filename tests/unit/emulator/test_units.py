"""Pure parts of the emulator: fault rules, request-log redaction, discovery env, token issuing and validation."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import httpx
import jwt
import pytest
from starlette.applications import Starlette

from azlogs._exceptions import UsageError
from azlogs.emulator.config import Identity, default_tenant
from azlogs.emulator.discovery import environment, render_exports
from azlogs.emulator.faults import FaultRegistry, FaultRule, endpoint_group
from azlogs.emulator.identity import entra
from azlogs.emulator.identity.issuer import Issuer, TokenRejected, load_or_create_key
from azlogs.emulator.requestlog import redact_query
from tests.discovery_sample import sample_discovery
from tests.unit.emulator.test_control_state import make_ctx

MONITOR = ["https://monitor.azure.com", "https://monitor.azure.com/"]


@pytest.fixture(scope="module")
def issuer() -> Issuer:
    return Issuer("11111111-1111-1111-1111-111111111111", load_or_create_key(None))


@pytest.fixture
def ident() -> Identity:
    return default_tenant().identities[0]


class TestFaults:
    def test_groups(self) -> None:
        """Paths map to their endpoint group; the emulator's own endpoints to none."""
        assert endpoint_group("/metadata/identity/oauth2/token") == "imds"
        assert endpoint_group("/arc/metadata/identity/oauth2/token") == "arc"
        assert endpoint_group("/11111111-1111-1111-1111-111111111111/oauth2/v2.0/token") == "entra"
        assert endpoint_group("/subscriptions/x/resourceGroups/y") == "arm"
        assert endpoint_group("/dce/x/dataCollectionRules/d/streams/s") == "ingestion"
        assert endpoint_group("/v1.0/directoryObjects/getByIds") == "graph"
        assert endpoint_group("/beta/servicePrincipals") == "graph"
        assert endpoint_group("/_emulator/faults") is None

    def test_count_consumes_then_disappears(self) -> None:
        """A rule with count N fires N times and is removed."""
        reg = FaultRegistry()
        reg.add(FaultRule("imds", status=500, count=2))
        assert [reg.pick("imds") is not None for _ in range(3)] == [True, True, False]
        assert reg.list() == []

    def test_fraction_fires_sometimes(self) -> None:
        """A fraction rule fires for about that share of requests and stays."""
        reg = FaultRegistry()
        reg.add(FaultRule("*", status=503, fraction=0.5))
        fired = sum(reg.pick("ingestion") is not None for _ in range(2000))
        assert 800 < fired < 1200
        assert len(reg.list()) == 1

    @pytest.mark.parametrize(
        "rule",
        [
            FaultRule("nowhere", status=500),
            FaultRule("imds"),
            FaultRule("imds", status=500, fraction=1.5),
            FaultRule("imds", status=500, count=0),
        ],
    )
    def test_invalid_rules(self, rule: FaultRule) -> None:
        """Rules that cannot fire sensibly are refused."""
        with pytest.raises(UsageError):
            FaultRegistry().add(rule)


class TestRedaction:
    def test_secret_parameters_are_masked(self) -> None:
        """Values of secret-looking query parameters never reach the request log."""
        out = redact_query(
            "api-version=2018-02-01&resource=https://monitor.azure.com&client_secret=abc&sig=xyz"
        )
        assert "abc" not in out and "xyz" not in out
        assert "resource=https://monitor.azure.com" in out


class TestIssuer:
    def test_round_trip(self, issuer: Issuer, ident: Identity) -> None:
        """A minted token validates and carries the identity's ids and xms_mirid."""
        token, _ = issuer.mint(ident, "https://monitor.azure.com", 3600)
        claims = issuer.validate(token, MONITOR)
        assert claims["oid"] == ident.principal_id
        assert claims["xms_mirid"] == ident.resource_id
        assert jwt.get_unverified_header(token)["kid"] == issuer.key.kid

    def test_wrong_audience(self, issuer: Issuer, ident: Identity) -> None:
        """A management token is refused by a monitor validator (InvalidAudience)."""
        token, _ = issuer.mint(ident, "https://management.azure.com", 3600)
        with pytest.raises(TokenRejected) as exc:
            issuer.validate(token, MONITOR)
        assert exc.value.code == "InvalidAudience"

    def test_expired(self, ident: Identity) -> None:
        """A token past exp plus leeway is refused as expired."""
        old = Issuer("t", load_or_create_key(None), clock=lambda: time.time() - 7200)
        token, _ = old.mint(ident, "https://monitor.azure.com", 600)
        with pytest.raises(TokenRejected) as exc:
            Issuer("t", old.key).validate(token, MONITOR)
        assert exc.value.code == "ExpiredAuthenticationToken"

    def test_alg_none_and_foreign_key(self, issuer: Issuer, ident: Identity) -> None:
        """alg=none and a token signed by another key are both refused, whatever the header claims."""
        _, claims = issuer.mint(ident, "https://monitor.azure.com", 3600)
        unsigned = jwt.encode(claims, key=None, algorithm="none", headers={"kid": issuer.key.kid})
        with pytest.raises(TokenRejected):
            issuer.validate(unsigned, MONITOR)
        other = Issuer(issuer.tenant_id, load_or_create_key(None))
        forged, _ = other.mint(ident, "https://monitor.azure.com", 3600)
        with pytest.raises(TokenRejected):
            issuer.validate(forged, MONITOR)
        hs = jwt.encode(
            claims, "secret-key-of-32-bytes-or-more-xx", algorithm="HS256", headers={"kid": issuer.key.kid}
        )
        with pytest.raises(TokenRejected):
            issuer.validate(hs, MONITOR)


class TestDiscoveryEnv:
    def test_each_source_sets_its_variables_and_unsets_the_others(self) -> None:
        """`emulator env` output selects exactly one azure-identity source."""
        info = sample_discovery(Path("/d"), federated_token_file="/d/workload/token")
        vm = environment(info, "vm")
        assert vm["AZURE_POD_IDENTITY_AUTHORITY_HOST"] == "http://127.0.0.1:1"
        assert vm["IDENTITY_ENDPOINT"] is None and vm["REQUESTS_CA_BUNDLE"] == "/d/tls/ca.pem"
        arc = environment(info, "arc")
        assert (
            arc["IMDS_ENDPOINT"] == "http://127.0.0.1:1/arc"
            and arc["AZURE_POD_IDENTITY_AUTHORITY_HOST"] is None
        )
        assert environment(info, "automation")["IDENTITY_HEADER"] == "h2"
        assert environment(info, "workload")["AZURE_FEDERATED_TOKEN_FILE"] == "/d/workload/token"
        assert environment(info, "vm", client_id="c")["AZURE_CLIENT_ID"] == "c"
        text = render_exports(arc)
        assert "export IMDS_ENDPOINT=" in text and "unset IDENTITY_HEADER" in text
        with pytest.raises(UsageError):
            environment(info, "mars")


class TestEntraDiscoveryDocuments:
    @pytest.mark.parametrize(
        "path", ["/v2.0/.well-known/openid-configuration", "/.well-known/openid-configuration"]
    )
    def test_another_tenant_is_invalid_tenant_and_the_own_one_is_served(
        self, tmp_path: Path, path: str
    ) -> None:
        """Both OpenID documents answer a tenant that is not the emulator's with Entra's 400 invalid_tenant
        (AADSTS90002, naming the tenant), and serve the emulator's own tenant."""
        ctx = make_ctx(tmp_path, load_or_create_key(None))
        app = Starlette(routes=entra.routes())
        app.state.ctx = ctx

        async def get(url: str) -> httpx.Response:
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="https://emulator.test") as client:
                return await client.get(url)

        other = asyncio.run(get(f"/00000000-0000-0000-0000-00000000dead{path}"))
        assert other.status_code == 400
        body = other.json()
        assert (body["error"], body["error_codes"]) == ("invalid_tenant", [90002])
        assert "Tenant '00000000-0000-0000-0000-00000000dead' not found." in body["error_description"]
        own = asyncio.run(get(f"/{ctx.tenant.tenant_id}{path}"))
        assert own.status_code == 200 and own.json()["token_endpoint"].startswith("https://")
