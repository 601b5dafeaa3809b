"""One credential-error explainer: send, the agent, query, provision and `azlogs token` say the same thing."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from azure.core.exceptions import ClientAuthenticationError
from azure.identity import CredentialUnavailableError

from azlogs._exceptions import AuthError, IdentitySourceError, TokenRequestError
from azlogs.auth import TokenCache
from azlogs.auth.credential import explain_failure
from azlogs.auth.detect import Detection
from azlogs.ingest import LogsClient
from azlogs.provision import ArmClient
from azlogs.query import query_workspace

SECRET_REFUSED = ClientAuthenticationError(
    "ClientSecretCredential.get_token failed: AADSTS7000215: Invalid client secret provided."
)


class Failing:
    """A credential whose every token request raises ``exc``; ``detection`` says it is a managed identity."""

    def __init__(self, exc: BaseException, detection: Detection | None = None) -> None:
        self.exc = exc
        self.detection = detection

    def get_token(self, *scopes: str, **kwargs: Any) -> Any:
        raise self.exc


def _no_http(request: httpx.Request) -> httpx.Response:
    raise AssertionError("no request may be made without a token")


def _send(cred: Failing) -> str:
    with LogsClient("https://dce.example", "dcr-x", cred, transport=httpx.MockTransport(_no_http)) as client:
        result = client.upload("Custom-T", [{"a": 1}])
    assert result.failed and result.failed[0].code == "AuthError"
    return result.failed[0].reason


def _raised(call: Any) -> str:
    with pytest.raises(AuthError) as caught:
        call()
    assert not caught.value.retryable
    return str(caught.value)


@pytest.mark.parametrize("face", ["token cache", "send", "query", "arm"])
def test_a_refused_secret_is_explained_the_same_on_every_path(face: str) -> None:
    """AADSTS7000215 becomes 'the client secret was refused' with its fix, on every path that gets a token
    (before, send and the agent showed the SDK's first line, query and provision their own wording)."""
    cred = Failing(SECRET_REFUSED)
    mock = httpx.MockTransport(_no_http)
    if face == "token cache":
        text = _raised(lambda: TokenCache(cred).get())
    elif face == "send":
        text = _send(cred)
    elif face == "query":
        text = _raised(
            lambda: query_workspace("ws", "T", cred, endpoint="https://api.example", transport=mock)
        )
    else:
        text = _raised(lambda: ArmClient("https://arm.example", cred, transport=mock).get("/x", "1"))
    assert "the client secret was refused (AADSTS7000215)" in text
    assert "use the secret's value, not its id" in text


def test_arc_key_file_problem_reaches_the_sender() -> None:
    """On Arc, a key file this user may not read names the himds group through send's token cache too."""
    cred = Failing(
        PermissionError(13, "Permission denied: '/var/opt/azcmagent/tokens/x.key'"), Detection("arc", "r")
    )
    with pytest.raises(AuthError) as caught:
        TokenCache(cred).get()
    assert "himds" in str(caught.value)


def test_no_identity_names_what_was_looked_for() -> None:
    """A managed identity that is unavailable says what was looked for and how to try locally."""
    detection = Detection("vm", "no other source is configured", ["IDENTITY_ENDPOINT (App Service)"], None)
    err = explain_failure(CredentialUnavailableError("no response from the IMDS endpoint"), detection)
    assert isinstance(err, IdentitySourceError)
    assert "IDENTITY_ENDPOINT (App Service)" in err.message
    assert err.hint is not None and "azlogs emulator start" in err.hint


def test_a_passing_outage_stays_retryable() -> None:
    """A token endpoint that failed this time (no known permanent cause) is retryable, with the source named."""
    err = explain_failure(ClientAuthenticationError("500 Internal Server Error"), Detection("arc", "r"))
    assert isinstance(err, TokenRequestError) and err.retryable
    assert err.message.startswith("the arc identity source failed")
    plain = explain_failure(ClientAuthenticationError("boom"))
    assert plain.message.startswith("the credential failed")
