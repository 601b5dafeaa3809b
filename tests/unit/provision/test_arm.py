"""The ARM client: bearer token, api-version, errors in the user's terms, retries, paging."""

from __future__ import annotations

import email.utils
import time

import httpx
import pytest

from azlogs import AuthError, RetryableServiceError, TransportError
from azlogs._exceptions import ArmRequestError
from azlogs.provision import ArmClient
from tests.unit.provision.fake_arm import ARM, OID, WS, FakeArm, FakeCredential


def _client(handler: object, sleeps: list[float] | None = None, **kw: object) -> ArmClient:
    record = sleeps if sleeps is not None else []
    return ArmClient(ARM, FakeCredential(), transport=httpx.MockTransport(handler), sleep=record.append, **kw)  # type: ignore[arg-type]


class TestRequests:
    def test_get_sends_token_and_api_version(self) -> None:
        """A GET carries the bearer token for ARM's audience and the api-version query."""
        arm = FakeArm()
        cred = FakeCredential()
        client = ArmClient(ARM, cred, transport=httpx.MockTransport(arm.handler))
        doc = client.get(WS, "2022-10-01")
        assert doc is not None and doc["location"] == "westeurope"
        (req,) = arm.requests
        assert req.url.params["api-version"] == "2022-10-01"
        assert req.headers["authorization"].startswith("Bearer ")
        assert cred.scopes == ["https://management.azure.com/.default"]

    def test_missing_resource_is_none(self) -> None:
        """A 404 on GET means the resource does not exist: None, not an error."""
        assert FakeArm().client().get("/subscriptions/x/resourceGroups/y/providers/A/b/c", "1") is None

    def test_token_fetched_once(self) -> None:
        """Many calls share one token."""
        arm = FakeArm()
        cred = FakeCredential()
        client = ArmClient(ARM, cred, transport=httpx.MockTransport(arm.handler))
        for _ in range(3):
            client.get("/subscriptions/x", "1")
        assert len(cred.scopes) == 1

    def test_list_follows_next_link(self) -> None:
        """A list answer is read to its end through nextLink."""
        pages = {
            "/things": {"value": [{"id": "a"}], "nextLink": f"{ARM}/things2?api-version=1&$skiptoken=x"},
            "/things2": {"value": [{"id": "b"}]},
        }

        def handler(request: httpx.Request) -> httpx.Response:
            return httpx.Response(200, json=pages[request.url.path])

        assert [d["id"] for d in _client(handler).list("/things", "1")] == ["a", "b"]

    def test_caller_claims(self) -> None:
        """The client tells whom ARM sees (the token's oid)."""
        assert FakeArm().client().caller["oid"] == OID


class TestErrors:
    def test_forbidden_names_the_role_and_principal(self) -> None:
        """A 403 keeps ARM's code and message and says which role the principal needs."""

        def handler(request: httpx.Request) -> httpx.Response:
            return httpx.Response(
                403, json={"error": {"code": "AuthorizationFailed", "message": "no access"}}
            )

        with pytest.raises(ArmRequestError) as info:
            _client(handler).put("/subscriptions/x/y", "1", {"a": 1})
        err = info.value
        assert err.status == 403 and err.code == "AuthorizationFailed" and "no access" in err.message
        assert err.hint is not None and OID in err.hint and "Contributor" in err.hint

    def test_details_are_kept(self) -> None:
        """A 400 with details lists every detail in the message and keeps them on the error."""
        body = {
            "error": {
                "code": "InvalidPayload",
                "message": "Data collection rule is invalid",
                "details": [{"code": "InvalidStream", "message": "bad stream"}],
            }
        }
        with pytest.raises(ArmRequestError) as info:
            _client(lambda r: httpx.Response(400, json=body)).put("/x", "1", {})
        assert "InvalidStream: bad stream" in info.value.message
        assert info.value.details[0]["code"] == "InvalidStream"

    def test_unauthorized_retries_once_with_a_new_token(self) -> None:
        """A 401 gets one fresh token and one more try, then an AuthError."""
        calls: list[int] = []

        def handler(request: httpx.Request) -> httpx.Response:
            calls.append(1)
            return httpx.Response(
                401, json={"error": {"code": "InvalidAuthenticationToken", "message": "bad"}}
            )

        with pytest.raises(AuthError, match="InvalidAuthenticationToken"):
            _client(handler).get("/x", "1")
        assert len(calls) == 2

    def test_throttled_request_waits_for_retry_after(self) -> None:
        """429 with Retry-After is retried after that many seconds."""
        answers = [httpx.Response(429, headers={"Retry-After": "7"}), httpx.Response(200, json={"ok": True})]
        sleeps: list[float] = []
        assert _client(lambda r: answers.pop(0), sleeps).get("/x", "1") == {"ok": True}
        assert sleeps == [7.0]

    def test_retry_after_as_an_http_date_or_milliseconds(self) -> None:
        """ARM's Retry-After is read by the one parser: an HTTP date and retry-after-ms count too
        (the old ARM parser took only seconds and fell back to blind backoff)."""
        when = email.utils.formatdate(time.time() + 20, usegmt=True)
        answers = [
            httpx.Response(429, headers={"Retry-After": when}),
            httpx.Response(503, headers={"retry-after-ms": "1500"}),
            httpx.Response(200, json={"ok": True}),
        ]
        sleeps: list[float] = []
        assert _client(lambda r: answers.pop(0), sleeps).get("/x", "1") == {"ok": True}
        assert 15.0 <= sleeps[0] <= 20.0
        assert sleeps[1] == 1.5

    def test_retry_after_as_an_http_date(self) -> None:
        """An HTTP-date Retry-After is read by the client's one parser (it used to fall back to backoff)."""
        when = email.utils.formatdate(time.time() + 3600, usegmt=True)
        answers = [httpx.Response(503, headers={"Retry-After": when}), httpx.Response(200, json={"ok": True})]
        sleeps: list[float] = []
        assert _client(lambda r: answers.pop(0), sleeps).get("/x", "1") == {"ok": True}
        assert sleeps == [60.0]  # an hour asked, ARM's cap applied

    def test_busy_service_gives_up_after_the_retries(self) -> None:
        """503 is retried a bounded number of times, then reported as retryable."""
        sleeps: list[float] = []
        with pytest.raises(RetryableServiceError, match="503"):
            _client(lambda r: httpx.Response(503), sleeps, retries=2).get("/x", "1")
        assert len(sleeps) == 2

    def test_no_answer_is_a_transport_error(self) -> None:
        """A refused connection becomes a TransportError naming the URL."""

        def handler(request: httpx.Request) -> httpx.Response:
            raise httpx.ConnectError("refused", request=request)

        with pytest.raises(TransportError, match=ARM):
            _client(handler, retries=0).get("/x", "1")

    def test_credential_failure_is_an_auth_error(self) -> None:
        """A credential that cannot get an ARM token is reported as such."""

        class Broken:
            def get_token(self, *scopes: str) -> None:
                raise RuntimeError("no identity here")

        client = ArmClient(ARM, Broken(), transport=httpx.MockTransport(lambda r: httpx.Response(200)))
        with pytest.raises(AuthError, match="no identity here"):
            client.get("/x", "1")
