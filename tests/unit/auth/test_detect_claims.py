"""Source detection mirrors azure-identity's order; claims decoding shows claims, never tokens."""

from __future__ import annotations

import base64
import datetime as dt
import json
from pathlib import Path

import pytest

from azlogs._exceptions import AuthError, IdentitySourceError
from azlogs.auth.claims import decode_claims, describe_expiry, shown_claims
from azlogs.auth.credential import _check_forced, explain_failure
from azlogs.auth.detect import Detection, detect

NO_ARC = Path("/nonexistent/himds")


def _jwt(payload: dict[str, object]) -> str:
    enc = base64.urlsafe_b64encode(json.dumps(payload).encode()).rstrip(b"=").decode()
    return f"eyJhbGciOiJSUzI1NiJ9.{enc}.c2ln"


class TestDetect:
    @pytest.mark.parametrize(
        ("env", "source"),
        [
            ({"AZURE_CLIENT_ID": "a", "AZURE_TENANT_ID": "t", "AZURE_CLIENT_SECRET": "s"}, "sp"),
            (
                {"AZURE_FEDERATED_TOKEN_FILE": "/f", "AZURE_TENANT_ID": "t", "AZURE_CLIENT_ID": "c"},
                "workload",
            ),
            ({"IDENTITY_ENDPOINT": "http://x/msi/token", "IDENTITY_HEADER": "h"}, "appservice"),
            ({"IDENTITY_ENDPOINT": "http://x/automation/msi/token", "IDENTITY_HEADER": "h"}, "automation"),
            (
                {
                    "IDENTITY_ENDPOINT": "http://localhost:40342/metadata/identity/oauth2/token",
                    "IMDS_ENDPOINT": "http://localhost:40342",
                },
                "arc",
            ),
            ({"AZURE_POD_IDENTITY_AUTHORITY_HOST": "http://127.0.0.1:1"}, "vm"),
            ({}, "vm"),
        ],
    )
    def test_source_by_environment(self, env: dict[str, str], source: str) -> None:
        """Each environment selects the source azure-identity would use, with a reason naming the variables."""
        d = detect(env, arc_binary=NO_ARC)
        assert d.source == source
        assert d.reason
        assert len(d.looked_for) == 5

    def test_service_principal_wins_over_managed_identity(self) -> None:
        """EnvironmentCredential comes first in DefaultAzureCredential, so a service principal wins."""
        env = {
            "AZURE_CLIENT_ID": "a",
            "AZURE_TENANT_ID": "t",
            "AZURE_CLIENT_SECRET": "s",
            "IDENTITY_ENDPOINT": "x",
            "IDENTITY_HEADER": "h",
        }
        assert detect(env, arc_binary=NO_ARC).source == "sp"

    def test_arc_agent_binary(self, tmp_path: Path) -> None:
        """The Arc agent binary alone selects Arc, as MSAL does."""
        binary = tmp_path / "himds"
        binary.write_text("")
        assert detect({}, arc_binary=binary).source == "arc"

    def test_forced_source_missing_variables(self) -> None:
        """Forcing a source whose variables are missing names them."""
        with pytest.raises(IdentitySourceError, match="IDENTITY_HEADER"):
            _check_forced("appservice", {"IDENTITY_ENDPOINT": "x"}, detect({}, arc_binary=NO_ARC))


class TestClaims:
    def test_shown_claims_are_allow_listed(self) -> None:
        """Only identifying claims are shown; anything else in the payload is left out."""
        token = _jwt({"oid": "o", "aud": "a", "exp": 1, "secret_thing": "x", "uti": "u"})
        assert shown_claims(token) == {"oid": "o", "aud": "a", "exp": 1}

    @pytest.mark.parametrize(
        "junk", ["", "abc", "a.b.c", "a.!!!.c", "a." + base64.urlsafe_b64encode(b"[1]").decode() + ".c"]
    )
    def test_not_a_jwt_gives_empty_claims(self, junk: str) -> None:
        """Garbage decodes to no claims rather than an exception."""
        assert decode_claims(junk) == {}

    def test_expiry_description(self) -> None:
        """Expiry is shown as a UTC time with the time left, or EXPIRED."""
        now = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
        exp = int((now + dt.timedelta(hours=1, minutes=30)).timestamp())
        assert describe_expiry({"exp": exp}, now) == "2026-01-01 01:30:00 UTC (in 1 h 30 min)"
        assert "EXPIRED" in describe_expiry({"exp": exp - 7200}, now)
        assert describe_expiry({}, now) == "unknown"


class TestExplainFailure:
    def test_no_endpoint(self) -> None:
        """An unreachable IMDS becomes 'no managed identity is available here' with what was looked for."""
        d = detect({}, arc_binary=NO_ARC)
        err = explain_failure(ConnectionError("Connection refused"), d, {})
        assert isinstance(err, IdentitySourceError)
        assert "no managed identity is available here" in err.message
        assert err.hint

    def test_arc_permission(self) -> None:
        """A permission error on Arc names the himds group."""
        d = Detection("arc", "because", [], None)
        err = explain_failure(PermissionError(13, "Permission denied"), d, {})
        assert isinstance(err, AuthError)
        assert "himds" in str(err)
