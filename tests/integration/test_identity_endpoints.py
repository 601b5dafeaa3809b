"""The identity endpoints answer like Azure's: the plain REST flows, and every bad request with the service's error."""

from __future__ import annotations

import json
import subprocess
import time
import uuid
from pathlib import Path

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.emulator_proc import EmulatorProcess

IMDS_PATH = "/metadata/identity/oauth2/token"
ARC_PATH = "/arc/metadata/identity/oauth2/token"
MONITOR = "https://monitor.azure.com"


def _verify(emulator: EmulatorProcess, token: str) -> dict[str, object]:
    tenant = emulator.info.tenant_id
    with emulator.https() as client:
        keys = client.get(f"/{tenant}/discovery/v2.0/keys").json()
    key = jwt.PyJWK(keys["keys"][0]).key
    return jwt.decode(
        token,
        key,
        algorithms=["RS256"],
        audience=[MONITOR, MONITOR + "/"],
        issuer=f"https://sts.windows.net/{tenant}/",
    )


class TestImdsRest:
    def test_curl_gets_a_verifiable_token(self, emulator: EmulatorProcess) -> None:
        """A script's curl with Metadata: true gets IMDS's JSON, all values strings, and a valid token."""
        url = f"{emulator.info.endpoints.imds}{IMDS_PATH}?api-version=2018-02-01&resource={MONITOR}"
        out = subprocess.run(
            ["curl", "-sS", "-H", "Metadata: true", url], capture_output=True, text=True, check=True
        )
        body = json.loads(out.stdout)
        assert set(body) >= {
            "access_token",
            "expires_in",
            "expires_on",
            "not_before",
            "resource",
            "token_type",
        }
        assert all(isinstance(v, str) for v in body.values())
        assert body["resource"] == MONITOR and body["token_type"] == "Bearer"
        claims = _verify(emulator, body["access_token"])
        assert claims["oid"] == emulator.identity("vm").principal_id
        assert int(body["expires_on"]) == claims["exp"]

    def test_curl_without_metadata_header_is_refused(self, emulator: EmulatorProcess) -> None:
        """Without Metadata: true, IMDS answers 400 bad_request_102 and no token."""
        url = f"{emulator.info.endpoints.imds}{IMDS_PATH}?api-version=2018-02-01&resource={MONITOR}"
        out = subprocess.run(
            ["curl", "-sS", "-w", "\n%{http_code}", url], capture_output=True, text=True, check=True
        )
        body, status = out.stdout.rsplit("\n", 1)
        assert status == "400"
        assert json.loads(body) == {
            "error": "bad_request_102",
            "error_description": "Required metadata header not specified",
        }

    def test_trailing_slash_resource_is_kept_in_aud(self, emulator: EmulatorProcess) -> None:
        """The audience is the resource exactly as requested (the SDK sometimes asks with a trailing slash)."""
        with emulator.http() as client:
            r = client.get(
                IMDS_PATH,
                params={"api-version": "2018-02-01", "resource": MONITOR + "/"},
                headers={"Metadata": "true"},
            )
        assert r.status_code == 200
        assert _verify(emulator, r.json()["access_token"])["aud"] == MONITOR + "/"

    @pytest.mark.parametrize(
        ("params", "headers", "status", "error"),
        [
            ({"api-version": "2018-02-01", "resource": MONITOR}, {}, 400, "bad_request_102"),
            (
                {"api-version": "2018-02-01", "resource": MONITOR},
                {"Metadata": "true", "X-Forwarded-For": "10.0.0.1"},
                400,
                "invalid_request",
            ),
            (
                {"api-version": "2018-02-01", "resource": MONITOR, "client_id": str(uuid.uuid4())},
                {"Metadata": "true"},
                400,
                "invalid_request",
            ),
            (
                {"api-version": "2018-02-01", "resource": "https://unknown.example"},
                {"Metadata": "true"},
                400,
                "invalid_resource",
            ),
            ({"api-version": "2018-02-01"}, {"Metadata": "true"}, 400, "invalid_request"),
            (
                {"api-version": "2018-02-01", "resource": MONITOR},
                {"Metadata": "True"},
                400,
                "bad_request_102",
            ),
        ],
        ids=[
            "no-metadata",
            "x-forwarded-for",
            "unknown-client-id",
            "unknown-resource",
            "no-resource",
            "metadata-not-lowercase",
        ],
    )
    def test_bad_requests_get_imds_errors(
        self,
        emulator: EmulatorProcess,
        params: dict[str, str],
        headers: dict[str, str],
        status: int,
        error: str,
    ) -> None:
        """Each bad IMDS request gets IMDS's status and error shape, never a 500."""
        with emulator.http() as client:
            r = client.get(IMDS_PATH, params=params, headers=headers)
        assert r.status_code == status
        body = r.json()
        assert body["error"] == error
        assert "access_token" not in body

    def test_missing_api_version_lists_newest_versions(self, emulator: EmulatorProcess) -> None:
        """A missing api-version gets IMDS's answer with newest-versions."""
        with emulator.http() as client:
            r = client.get(IMDS_PATH, params={"resource": MONITOR}, headers={"Metadata": "true"})
        assert r.status_code == 400
        assert "newest-versions" in r.json()

    def test_user_assigned_by_object_id_and_resource_id(self, emulator: EmulatorProcess) -> None:
        """object_id and msi_res_id select the user-assigned identity and are echoed back."""
        ident = emulator.identity("vm-user")
        with emulator.http() as client:
            for key, value in (("object_id", ident.principal_id), ("msi_res_id", ident.resource_id)):
                r = client.get(
                    IMDS_PATH,
                    params={"api-version": "2018-02-01", "resource": MONITOR, key: value},
                    headers={"Metadata": "true"},
                )
                assert r.status_code == 200, r.text
                assert r.json()[key] == value
                assert _verify(emulator, r.json()["access_token"])["oid"] == ident.principal_id


class TestArc:
    def _challenge(self, client: httpx.Client) -> Path:
        r = client.get(
            ARC_PATH, params={"api-version": "2020-06-01", "resource": MONITOR}, headers={"Metadata": "true"}
        )
        assert r.status_code == 401
        scheme, _, path = r.headers["www-authenticate"].partition("=")
        assert scheme == "Basic realm"
        return Path(path)

    def test_challenge_then_secret_gives_token(self, emulator: EmulatorProcess) -> None:
        """The 401 names a fresh key file; its content in Authorization: Basic gets the Arc identity's token."""
        with emulator.http() as client:
            key_file = self._challenge(client)
            assert key_file.suffix == ".key"
            assert str(key_file.parent) == emulator.info.arc_key_dir
            secret = key_file.read_text()
            r = client.get(
                ARC_PATH,
                params={"api-version": "2020-06-01", "resource": MONITOR},
                headers={"Metadata": "true", "Authorization": f"Basic {secret}"},
            )
        assert r.status_code == 200
        assert _verify(emulator, r.json()["access_token"])["oid"] == emulator.identity("arc").principal_id
        assert not key_file.exists(), "a redeemed key file is removed"

    def test_each_challenge_has_a_fresh_file(self, emulator: EmulatorProcess) -> None:
        """Two challenges name two different key files with different secrets."""
        with emulator.http() as client:
            a, b = self._challenge(client), self._challenge(client)
        assert a != b and a.read_text() != b.read_text()

    def test_stale_and_wrong_secrets_are_refused(self, emulator: EmulatorProcess) -> None:
        """A secret used once, or never issued, is refused with 401 and no token."""
        with emulator.http() as client:
            key_file = self._challenge(client)
            secret = key_file.read_text()
            params = {"api-version": "2020-06-01", "resource": MONITOR}
            ok = client.get(
                ARC_PATH, params=params, headers={"Metadata": "true", "Authorization": f"Basic {secret}"}
            )
            assert ok.status_code == 200
            stale = client.get(
                ARC_PATH, params=params, headers={"Metadata": "true", "Authorization": f"Basic {secret}"}
            )
            wrong = client.get(
                ARC_PATH, params=params, headers={"Metadata": "true", "Authorization": "Basic 00ff"}
            )
        for r in (stale, wrong):
            assert r.status_code == 401
            assert r.json()["error"] == "unauthorized_client"
            assert "access_token" not in r.json()

    def test_non_ascii_secret_is_refused_not_a_crash(self, emulator: EmulatorProcess) -> None:
        """A Basic secret holding a byte above 0x7F is a wrong secret: 401, not a 500 (issue 12)."""
        with emulator.http() as client:
            self._challenge(client)
            r = client.get(
                ARC_PATH,
                params={"api-version": "2020-06-01", "resource": MONITOR},
                headers={"Metadata": "true", "Authorization": b"Basic \xe9\xff00"},
            )
        assert r.status_code == 401
        assert r.json()["error"] == "unauthorized_client"

    def test_arc_requires_metadata_header(self, emulator: EmulatorProcess) -> None:
        """HIMDS, like IMDS, refuses a request without Metadata: true."""
        with emulator.http() as client:
            r = client.get(ARC_PATH, params={"api-version": "2020-06-01", "resource": MONITOR})
        assert r.status_code == 400


class TestAppService:
    @pytest.mark.parametrize("host", ["appservice", "automation"])
    def test_header_required_and_checked(self, emulator: EmulatorProcess, host: str) -> None:
        """A missing or wrong X-IDENTITY-HEADER is refused; the right one gets a token with numeric expires_on."""
        url = (
            emulator.info.endpoints.app_service
            if host == "appservice"
            else emulator.info.endpoints.automation
        )
        params = {"api-version": "2019-08-01", "resource": MONITOR}
        secret = emulator.info.identity_headers[host]
        with httpx.Client() as client:
            missing = client.get(url, params=params)
            wrong = client.get(url, params=params, headers={"X-IDENTITY-HEADER": "not-it"})
            other = client.get(
                url,
                params=params,
                headers={
                    "X-IDENTITY-HEADER": emulator.info.identity_headers[
                        "automation" if host == "appservice" else "appservice"
                    ]
                },
            )
            good = client.get(url, params=params, headers={"X-IDENTITY-HEADER": secret})
            old_version = client.get(
                url, params={**params, "api-version": "2017-09-01"}, headers={"X-IDENTITY-HEADER": secret}
            )
        for r in (missing, wrong, other):
            assert r.status_code == 401
            assert r.json()["statusCode"] == 401
        assert good.status_code == 200
        body = good.json()
        assert int(body["expires_on"]) > time.time()
        assert _verify(emulator, body["access_token"])["oid"] == emulator.identity(host).principal_id
        assert old_version.status_code == 400

    @pytest.mark.parametrize("host", ["appservice", "automation"])
    def test_non_ascii_header_is_refused_not_a_crash(self, emulator: EmulatorProcess, host: str) -> None:
        """An X-IDENTITY-HEADER with a byte above 0x7F is a wrong header: 401, not a 500 (issue 12)."""
        url = (
            emulator.info.endpoints.app_service
            if host == "appservice"
            else emulator.info.endpoints.automation
        )
        with httpx.Client() as client:
            r = client.get(
                url,
                params={"api-version": "2019-08-01", "resource": MONITOR},
                headers={"X-IDENTITY-HEADER": b"caf\xe9"},
            )
        assert r.status_code == 401
        assert r.json()["statusCode"] == 401


def _entra_post(emulator: EmulatorProcess, data: dict[str, str]) -> httpx.Response:
    with emulator.https() as client:
        return client.post(f"/{emulator.info.tenant_id}/oauth2/v2.0/token", data=data)


class TestEntra:
    def test_wrong_client_secret(self, emulator: EmulatorProcess) -> None:
        """A wrong client secret gets 401 invalid_client with AADSTS7000215 and Entra's error shape."""
        sp = emulator.identity("sp")
        r = _entra_post(
            emulator,
            {
                "grant_type": "client_credentials",
                "client_id": sp.client_id,
                "client_secret": "nope",
                "scope": MONITOR + "/.default",
            },
        )
        assert r.status_code == 401
        body = r.json()
        assert body["error"] == "invalid_client"
        assert body["error_codes"] == [7000215]
        assert body["error_description"].startswith("AADSTS7000215")
        assert {"trace_id", "correlation_id", "timestamp"} <= set(body)

    def test_non_ascii_client_secret_is_a_wrong_secret(self, emulator: EmulatorProcess) -> None:
        """A client secret with non-ASCII characters gets 401 invalid_client, not a 500 (issue 12)."""
        sp = emulator.identity("sp")
        r = _entra_post(
            emulator,
            {
                "grant_type": "client_credentials",
                "client_id": sp.client_id,
                "client_secret": "caf\u00e9-\u2603",
                "scope": MONITOR + "/.default",
            },
        )
        assert r.status_code == 401
        assert r.json()["error_codes"] == [7000215]

    def test_unknown_client_and_bad_scope(self, emulator: EmulatorProcess) -> None:
        """An unknown client id and a scope without /.default get Entra's 400 errors."""
        sp = emulator.identity("sp")
        unknown = _entra_post(
            emulator,
            {
                "grant_type": "client_credentials",
                "client_id": str(uuid.uuid4()),
                "client_secret": "x",
                "scope": MONITOR + "/.default",
            },
        )
        assert unknown.status_code == 400 and unknown.json()["error_codes"] == [700016]
        scope = _entra_post(
            emulator,
            {
                "grant_type": "client_credentials",
                "client_id": sp.client_id,
                "client_secret": sp.client_secret,
                "scope": MONITOR,
            },
        )
        assert scope.status_code == 400 and scope.json()["error"] == "invalid_scope"

    def _assertion(
        self,
        emulator: EmulatorProcess,
        *,
        key: rsa.RSAPrivateKey | None = None,
        exp_delta: int = 600,
        issuer: str | None = None,
    ) -> str:
        federated = emulator.identity("workload").federated
        assert federated is not None
        if key is None:
            pem = (Path(emulator.info.data_dir) / "keys" / "cluster-oidc.pem").read_bytes()
            loaded = serialization.load_pem_private_key(pem, password=None)
            assert isinstance(loaded, rsa.RSAPrivateKey)
            key = loaded
        now = int(time.time())
        claims = {
            "iss": issuer or federated["issuer"],
            "sub": federated["subject"],
            "aud": [federated["audience"]],
            "iat": now - 7200,
            "nbf": now - 7200,
            "exp": now + exp_delta,
        }
        return jwt.encode(claims, key, algorithm="RS256")

    def _federated(self, emulator: EmulatorProcess, assertion: str) -> httpx.Response:
        return _entra_post(
            emulator,
            {
                "grant_type": "client_credentials",
                "client_id": emulator.identity("workload").client_id,
                "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                "client_assertion": assertion,
                "scope": MONITOR + "/.default",
            },
        )

    def test_valid_federated_assertion(self, emulator: EmulatorProcess) -> None:
        """The cluster-signed service-account token is exchanged for the workload identity's token."""
        r = self._federated(emulator, self._assertion(emulator))
        assert r.status_code == 200, r.text
        assert (
            _verify(emulator, r.json()["access_token"])["oid"] == emulator.identity("workload").principal_id
        )

    def test_expired_federated_token(self, emulator: EmulatorProcess) -> None:
        """An expired federated token gets AADSTS700024."""
        r = self._federated(emulator, self._assertion(emulator, exp_delta=-60))
        assert r.status_code == 400
        assert r.json()["error_codes"] == [700024]

    def test_foreign_federated_tokens(self, emulator: EmulatorProcess) -> None:
        """A token signed by another key, or from another issuer, is refused; neither gets a token."""
        other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        forged = self._federated(emulator, self._assertion(emulator, key=other))
        assert forged.status_code == 400 and forged.json()["error_codes"] == [700027]
        foreign = self._federated(emulator, self._assertion(emulator, issuer="https://oidc.example/other/"))
        assert foreign.status_code == 400 and foreign.json()["error_codes"] == [70021]

    def test_openid_configuration_and_jwks(self, emulator: EmulatorProcess) -> None:
        """The authority publishes OpenID metadata whose jwks_uri serves the signing key."""
        tenant = emulator.info.tenant_id
        with emulator.https() as client:
            v2 = client.get(f"/{tenant}/v2.0/.well-known/openid-configuration").json()
            v1 = client.get(f"/{tenant}/.well-known/openid-configuration").json()
            keys = client.get(v2["jwks_uri"]).json()
        assert v2["issuer"] == f"{emulator.info.endpoints.authority}/{tenant}/v2.0"
        assert v1["issuer"] == f"https://sts.windows.net/{tenant}/"
        assert keys["keys"][0]["kty"] == "RSA" and keys["keys"][0]["kid"]
