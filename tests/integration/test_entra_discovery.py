"""The Entra authority over real HTTPS: instance discovery (with the real msal), client-request-id, error_uri, claims_supported.

Instance discovery's shape is Entra's as Azure's JS SDK recordings hold it
(``{"tenant_discovery_endpoint", "api-version": "1.1", "metadata": [{"preferred_network",
"preferred_cache", "aliases"}]}``).
"""

from __future__ import annotations

from urllib.parse import urlsplit

import msal
import pytest
import requests

from tests.emulator_proc import EmulatorProcess


@pytest.fixture
def authority(emulator: EmulatorProcess) -> str:
    return f"{emulator.info.endpoints.authority}/{emulator.info.tenant_id}"


class TestInstanceDiscovery:
    def test_msal_with_instance_discovery_on(self, emulator: EmulatorProcess, authority: str) -> None:
        """Real msal validates the emulator's authority through its discovery endpoint, then gets a token.

        msal sends instance discovery for a non-Microsoft host to login.microsoftonline.com unless the
        discovery URL is given; it is given here (discovery stays on), nothing else is changed.
        """
        info = emulator.info
        base = info.endpoints.authority
        session = requests.Session()
        session.verify = info.ca_cert
        app = msal.ConfidentialClientApplication(
            info.admin.client_id,
            client_credential=info.admin.client_secret,
            authority=authority,
            instance_discovery=f"{base}/common/discovery/instance",
            http_client=session,
        )
        result = app.acquire_token_for_client(scopes=["https://monitor.azure.com/.default"])
        assert "access_token" in result, {k: v for k, v in result.items() if k != "access_token"}

    def test_shape(self, emulator: EmulatorProcess, authority: str) -> None:
        """The answer names the tenant's v2.0 discovery document and the authority's host as alias."""
        base = emulator.info.endpoints.authority
        with emulator.https() as c:
            r = c.get(
                "/common/discovery/instance",
                params={"api-version": "1.1", "authorization_endpoint": f"{authority}/oauth2/v2.0/authorize"},
            )
        assert r.status_code == 200, r.text
        doc = r.json()
        assert doc["tenant_discovery_endpoint"] == (
            f"{base}/{emulator.info.tenant_id}/v2.0/.well-known/openid-configuration"
        )
        assert doc["api-version"] == "1.1"
        (meta,) = doc["metadata"]
        assert meta["preferred_network"] == urlsplit(base).netloc
        assert urlsplit(base).netloc in meta["aliases"]

    def test_other_host_is_invalid_instance(self, emulator: EmulatorProcess) -> None:
        """An authorization endpoint on another host is invalid_instance (AADSTS50049), as msal expects."""
        with emulator.https() as c:
            r = c.get(
                "/common/discovery/instance",
                params={
                    "api-version": "1.1",
                    "authorization_endpoint": "https://elsewhere.invalid/t/oauth2/v2.0/authorize",
                },
            )
        assert r.status_code == 400
        assert r.json()["error"] == "invalid_instance"
        assert r.json()["error_codes"] == [50049]


class TestTokenEndpoint:
    def test_client_request_id_echoed_and_error_uri(self, emulator: EmulatorProcess) -> None:
        """Token answers (success and error) carry the caller's client-request-id; errors carry error_uri."""
        info = emulator.info
        crid = "4f9a7c1e-2b3d-4e5f-8a9b-0c1d2e3f4a5b"
        form = {
            "grant_type": "client_credentials",
            "client_id": info.admin.client_id,
            "client_secret": info.admin.client_secret,
            "scope": "https://monitor.azure.com/.default",
        }
        with emulator.https() as c:
            ok = c.post(
                f"/{info.tenant_id}/oauth2/v2.0/token", data=form, headers={"client-request-id": crid}
            )
            bad = c.post(
                f"/{info.tenant_id}/oauth2/v2.0/token",
                data={**form, "client_secret": "wrong"},
                headers={"client-request-id": crid},
            )
        assert ok.status_code == 200
        assert ok.headers["client-request-id"] == crid
        assert bad.status_code == 401
        assert bad.headers["client-request-id"] == crid
        assert bad.json()["error_uri"] == "https://login.microsoftonline.com/error?code=7000215"

    @pytest.mark.parametrize(
        "path", ["/v2.0/.well-known/openid-configuration", "/.well-known/openid-configuration"]
    )
    def test_claims_supported(self, emulator: EmulatorProcess, path: str) -> None:
        """Both OpenID configurations list claims_supported, including the tenant and subject claims."""
        with emulator.https() as c:
            r = c.get(f"/{emulator.info.tenant_id}{path}")
        assert r.status_code == 200
        assert {"sub", "iss", "aud"} <= set(r.json()["claims_supported"])
