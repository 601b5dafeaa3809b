"""LogsClient at the transport seam: requests, every status path, tokens, deadline, concurrency."""

from __future__ import annotations

import ssl
import threading
import time
import uuid
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from typing import Any

import certifi
import httpx
import orjson
import pytest
from azure.identity import CredentialUnavailableError, ManagedIdentityCredential
from ingest_fakes import (
    CONFIGURATION_ANSWERS,
    ENDPOINT,
    OID,
    RULE_ID,
    STREAM,
    FakeClock,
    FakeCredential,
    FakeInfoCredential,
    Sink,
    collect_records,
    error_json,
    make_client,
    records,
)

from azlogs._exceptions import UsageError
from azlogs._http import resolve_verify
from azlogs.ingest import LogsClient, RetryPolicy, UploadError
from tests.unit import azure_answers as azure


def always(status: int, content: bytes = b"", **headers: str) -> Any:
    def respond(sink: Sink, request: httpx.Request, recs: list[Any]) -> httpx.Response:
        return httpx.Response(status, content=content, headers=headers)

    return respond


def first(n: int, status: int, content: bytes = b"", **headers: str) -> Any:
    """Answer ``status`` to the first n requests, then 204."""
    count = 0
    lock = threading.Lock()

    def respond(sink: Sink, request: httpx.Request, recs: list[Any]) -> httpx.Response | None:
        nonlocal count
        with lock:
            count += 1
            mine = count
        return httpx.Response(status, content=content, headers=headers) if mine <= n else None

    return respond


class TestRequestShape:
    def test_post_url_headers_and_body(self) -> None:
        """One POST to the DCR stream URL, gzip JSON array, bearer token, Content-Type, request id."""
        sink = Sink()
        cred = FakeCredential()
        with make_client(sink, cred) as client:
            result = client.upload(STREAM, records(3))
        assert result.ok and result.records_sent == 3 and result.requests == 1
        (req,) = sink.requests
        assert req.method == "POST"
        assert str(req.url) == (
            f"{ENDPOINT}/dataCollectionRules/{RULE_ID}/streams/{STREAM}?api-version=2023-01-01"
        )
        assert req.headers["content-encoding"] == "gzip"
        assert req.headers["content-type"] == "application/json"
        assert req.headers["authorization"] == f"Bearer {cred.issued[0]}"
        assert uuid.UUID(req.headers["x-ms-client-request-id"]).version == 4
        assert orjson.loads(sink.bodies[0]) == records(3)
        assert cred.scopes == [("https://monitor.azure.com/.default",)]

    def test_request_id_differs_per_attempt(self) -> None:
        """Each attempt, retries included, carries its own x-ms-client-request-id."""
        sink = Sink(respond=first(2, 503))
        with make_client(sink) as client:
            client.upload(STREAM, records(3))
        ids = [r.headers["x-ms-client-request-id"] for r in sink.requests]
        assert len(ids) == 3 and len(set(ids)) == 3

    def test_api_version_and_stream_quoting(self) -> None:
        """api_version is used as given and the stream name is a quoted path segment."""
        sink = Sink()
        with make_client(sink, api_version="2021-11-01-preview") as client:
            client.upload("Custom-A B", records(1))
        url = sink.requests[0].url
        assert url.params["api-version"] == "2021-11-01-preview"
        assert url.raw_path.decode().endswith("/streams/Custom-A%20B?api-version=2021-11-01-preview")

    def test_bytes_counted(self) -> None:
        """bytes_sent is the uncompressed body, bytes_sent_gzip the wire body, of accepted requests."""
        sink = Sink()
        with make_client(sink) as client:
            result = client.upload(STREAM, records(100))
        assert result.bytes_sent == sum(len(b) for b in sink.bodies)
        assert result.bytes_sent_gzip == sum(len(r.content) for r in sink.requests)


class TestPermanentStatuses:
    def test_400_is_reported_with_service_message(self) -> None:
        """400 is not retried; each record reports status, code and the service's message."""
        body = error_json("InvalidPayload", "malformed JSON")
        sink = Sink(respond=always(400, body))
        with make_client(sink) as client:
            result = client.upload(STREAM, records(4))
        assert result.requests == 1 and result.retries == 0 and result.records_sent == 0
        assert [f.index for f in result.failed] == [0, 1, 2, 3]
        f = result.failed[0]
        assert (f.status, f.code) == (400, "InvalidPayload")
        assert "malformed JSON" in f.reason and "dynamic" in f.reason

    def test_403_names_object_id_dcr_and_role(self) -> None:
        """403 says which principal lacks which role on which DCR, and the propagation delay."""
        body = error_json("OperationFailed", "The authentication token provided does not have access")
        sink = Sink(respond=always(403, body))
        with make_client(sink) as client:
            result = client.upload(STREAM, records(2))
        assert result.requests == 1
        reason = result.failed[0].reason
        assert OID in reason and RULE_ID in reason and "does not have access" in reason
        assert (
            f"assign the Monitoring Metrics Publisher role on the DCR to principal {OID} "
            "(role propagation can take up to 30 minutes)"
        ) in reason
        assert result.failed[0].code == "OperationFailed"

    def test_token_never_appears_in_failures(self) -> None:
        """The bearer token appears in no reason and no error message."""
        sink = Sink(respond=always(403, error_json("OperationFailed", "no")))
        cred = FakeCredential()
        seen: list[UploadError] = []
        with make_client(sink, cred) as client:
            result = client.upload(STREAM, records(1), on_error=seen.append)
        text = repr(result) + str(result.to_dict()) + "".join(str(e) + repr(e) for e in seen)
        assert cred.issued and cred.issued[0] not in text
        assert cred.issued[0].split(".")[1] not in text

    @pytest.mark.parametrize(
        ("body", "expect"),
        [
            (
                error_json("InvalidStream", "Stream 'Custom-X' not found"),
                "stream 'Custom-MyTable_CL' is not declared",
            ),
            (error_json("NotFound", "Data collection rule not found"), f"DCR {RULE_ID} is not known"),
            (b"<html>404 Not Found</html>", "does not serve the Logs Ingestion API"),
        ],
    )
    def test_404_says_which_part_is_wrong(self, body: bytes, expect: str) -> None:
        """404 names the stream, the DCR or the endpoint from the service's answer."""
        sink = Sink(respond=always(404, body))
        with make_client(sink) as client:
            result = client.upload(STREAM, records(1))
        assert result.requests == 1
        assert expect in result.failed[0].reason
        assert result.failed[0].status == 404

    def test_404_with_a_dcr_name_instead_of_immutable_id(self) -> None:
        """A rule id that is not an immutable id is named as the likely mistake."""
        sink = Sink(respond=always(404, error_json("NotFound", "Not found")))
        client = LogsClient(ENDPOINT, "my-dcr", FakeCredential(), transport=sink.transport())
        with client:
            result = client.upload(STREAM, records(1))
        assert "'my-dcr' is not an immutable id" in result.failed[0].reason

    def test_unexpected_success_status_is_a_failure(self) -> None:
        """A 200 is not what the Logs Ingestion API answers: the records are reported, not counted sent."""
        sink = Sink(respond=always(200, b"<html>portal</html>"))
        with make_client(sink) as client:
            result = client.upload(STREAM, records(2))
        assert result.records_sent == 0 and result.failed_count == 2
        assert "answers 204" in result.failed[0].reason

    @pytest.mark.parametrize("status", [405, 409, 410, 422])
    def test_other_4xx_are_permanent(self, status: int) -> None:
        """Other 4xx answers are reported without retrying."""
        sink = Sink(respond=always(status))
        with make_client(sink) as client:
            result = client.upload(STREAM, records(1))
        assert result.requests == 1 and result.failed[0].status == status


class TestRecordedAzureAnswers:
    @pytest.mark.parametrize(("answer", "code", "names"), CONFIGURATION_ANSWERS)
    def test_configuration_error_stops_names_the_fix_and_loses_nothing(
        self, answer: Any, code: str | None, names: list[str]
    ) -> None:
        """A wrong stream, DCR, role or token: one refused request (two for 401), the diagnosis names
        what to fix, the upload stops; every record read comes back to the caller, the rest stay unread."""
        sink = Sink(respond=lambda s, r, recs: answer())
        seen: list[UploadError] = []
        with make_client(sink, max_request_bytes=250, max_concurrency=1) as client:
            result = client.upload(STREAM, records(30), on_error=seen.append)
        assert len(sink.requests) == (2 if code is None else 1)
        read = result.records_read
        assert 0 < read < 30 and result.records_sent == 0
        assert [f.index for f in result.failed] == list(range(read))
        assert collect_records(seen) == list(range(read))
        refused = result.failed[0]
        assert refused.code == code and refused.status == answer().status_code
        for name in names:
            assert name in refused.reason
        assert result.stopped is not None and names[0] in result.stopped
        assert {f.code for f in result.failed[1:]} <= {code, "NotSent"}

    def test_recorded_session_throttle_5xx_413_then_unknown_stream(self) -> None:
        """429 (Retry-After), 5xx and 413 are retried or split until the records land, once; the
        unknown stream then stops the upload and every other record is reported, none lost."""
        lock = threading.Lock()
        script = [azure.throttled(3), azure.server_error(503), None, azure.invalid_stream(STREAM, RULE_ID)]

        def respond(sink: Sink, request: httpx.Request, recs: list[Any]) -> httpx.Response | None:
            if len(sink.bodies[-1]) > 300 and len(recs) > 1:
                return azure.too_large(len(sink.bodies[-1]))
            with lock:
                return script.pop(0) if script else None

        sink = Sink(respond=respond)
        clock = FakeClock()
        seen: list[UploadError] = []
        with make_client(sink, clock=clock, max_request_bytes=600, max_concurrency=1) as client:
            result = client.upload(STREAM, records(60), on_error=seen.append)
        landed = [r["i"] for r in sink.accepted]
        failed = [f.index for f in result.failed]
        assert landed and landed == sorted(landed) and len(landed) == len(set(landed))
        assert sorted(landed + failed) == list(range(result.records_read)) and result.records_read < 60
        assert collect_records(seen) == sorted(failed)
        assert result.splits >= 1 and result.retries == 2 and 3.0 <= clock.slept[0] <= 3.25
        refused = next(f for f in result.failed if f.code == "InvalidStream")
        assert f"the stream '{STREAM}' is not declared in DCR {RULE_ID}" in refused.reason
        assert not script  # nothing was sent after the refusal

    def test_recorded_413_for_one_record_keeps_the_service_text(self) -> None:
        """A single record the service refuses as too large fails alone, with Azure's text kept."""

        def respond(sink: Sink, request: httpx.Request, recs: list[Any]) -> httpx.Response | None:
            return azure.too_large(len(sink.bodies[-1])) if any(r["i"] == 3 for r in recs) else None

        sink = Sink(respond=respond)
        with make_client(sink, max_concurrency=1) as client:
            result = client.upload(STREAM, records(8))
        assert [f.index for f in result.failed] == [3] and result.stopped is None
        assert sorted(r["i"] for r in sink.accepted) == [0, 1, 2, 4, 5, 6, 7]
        assert "Maximum allowed content length: 1048576 bytes (1 MB)" in result.failed[0].reason
        assert result.failed[0].code == "ContentLengthLimitExceeded"


class TestUnauthorized:
    def test_401_refreshes_token_once_and_retries(self) -> None:
        """A 401 gets one fresh token and one retry; the records then land."""
        sink = Sink(respond=first(1, 401))
        cred = FakeCredential()
        with make_client(sink, cred) as client:
            result = client.upload(STREAM, records(2))
        assert result.ok and result.retries == 1 and result.requests == 2
        assert cred.calls == 2
        assert sink.requests[1].headers["authorization"] == f"Bearer {cred.issued[1]}"

    def test_second_401_is_permanent(self) -> None:
        """A refreshed token refused again is reported with the token's audience; no third try."""
        sink = Sink(respond=always(401, error_json("InvalidAudience", "bad audience")))
        cred = FakeCredential()
        with make_client(sink, cred, max_concurrency=1) as client:
            result = client.upload(STREAM, records(2))
        assert result.requests == 2 and cred.calls == 2
        f = result.failed[0]
        assert (f.status, f.code) == (401, "InvalidAudience")
        assert "https://monitor.azure.com" in f.reason


class TestRetries:
    @pytest.mark.parametrize("status", [408, 429, 500, 502, 503, 504])
    def test_retryable_status_then_success(self, status: int) -> None:
        """408, 429 and 5xx are retried with backoff until they succeed."""
        sink = Sink(respond=first(3, status))
        clock = FakeClock()
        with make_client(sink, clock=clock) as client:
            result = client.upload(STREAM, records(5))
        assert result.ok and result.records_sent == 5
        assert result.requests == 4 and result.retries == 3
        assert len(clock.slept) == 3
        assert sink.accepted == records(5)

    @pytest.mark.parametrize(
        ("headers", "low", "high"),
        [
            ({"Retry-After": "17"}, 17.0, 17.25),
            ({"retry-after-ms": "1500"}, 1.5, 1.75),
            ({"x-ms-retry-after-ms": "2500"}, 2.5, 2.75),
        ],
    )
    def test_429_waits_as_told(self, headers: dict[str, str], low: float, high: float) -> None:
        """429 waits what Retry-After / retry-after-ms / x-ms-retry-after-ms say (plus small jitter)."""
        sink = Sink(respond=first(1, 429, **headers))
        clock = FakeClock()
        with make_client(sink, clock=clock) as client:
            result = client.upload(STREAM, records(1))
        assert result.ok
        assert len(clock.slept) == 1 and low <= clock.slept[0] <= high

    def test_429_with_http_date(self) -> None:
        """Retry-After as an HTTP-date is honoured."""
        when = format_datetime(datetime.now(timezone.utc) + timedelta(seconds=120), usegmt=True)
        sink = Sink(respond=first(1, 429, **{"Retry-After": when}))
        clock = FakeClock()
        with make_client(sink, clock=clock) as client:
            assert client.upload(STREAM, records(1)).ok
        assert 110 <= clock.slept[0] <= 121

    def test_429_without_retry_after_backs_off(self) -> None:
        """429 without Retry-After is still retried (azure-core would not), with jittered backoff."""
        sink = Sink(respond=first(4, 429))
        clock = FakeClock()
        policy = RetryPolicy(backoff_base=1.0, backoff_cap=30.0)
        with make_client(sink, clock=clock, retry=policy) as client:
            assert client.upload(STREAM, records(1)).ok
        assert [s <= 2.0**i for i, s in enumerate(clock.slept)] == [True] * 4

    def test_gives_up_after_max_attempts(self) -> None:
        """A status that never clears fails after max_attempts, with the last answer in the reason."""
        sink = Sink(respond=always(503, error_json("ServiceUnavailable", "try later")))
        with make_client(sink, retry=RetryPolicy(max_attempts=4)) as client:
            result = client.upload(STREAM, records(2))
        assert result.requests == 4 and result.retries == 3
        f = result.failed[0]
        assert (f.status, f.code) == (503, "ServiceUnavailable")
        assert "gave up after 4 attempts" in f.reason and "try later" in f.reason

    @pytest.mark.parametrize(
        "exc",
        [
            httpx.ConnectError("connection refused"),
            httpx.ReadTimeout("read timed out"),
            httpx.ConnectTimeout("connect timed out"),
            httpx.RemoteProtocolError("server disconnected"),
            httpx.ReadError("connection reset"),
        ],
    )
    def test_transport_errors_are_retried(self, exc: Exception) -> None:
        """Connection errors and timeouts are retried; the records land."""
        calls = 0

        def respond(sink: Sink, request: httpx.Request, recs: list[Any]) -> Exception | None:
            nonlocal calls
            calls += 1
            return exc if calls <= 2 else None

        sink = Sink(respond=respond)
        with make_client(sink) as client:
            result = client.upload(STREAM, records(3))
        assert result.ok and result.retries == 2 and result.requests == 3

    def test_transport_errors_exhausted(self) -> None:
        """A connection that never succeeds is reported as TransportError per record."""
        sink = Sink(respond=lambda s, r, recs: httpx.ConnectError("connection refused"))
        with make_client(sink, retry=RetryPolicy(max_attempts=3)) as client:
            result = client.upload(STREAM, records(2))
        assert result.requests == 3
        assert {f.code for f in result.failed} == {"TransportError"}
        assert "cannot connect" in result.failed[0].reason

    def test_tls_verification_failure_is_not_retried(self) -> None:
        """An untrusted certificate fails at once, with the CA hint."""
        cause = ssl.SSLCertVerificationError("certificate verify failed: self-signed certificate")

        def respond(sink: Sink, request: httpx.Request, recs: list[Any]) -> Exception:
            try:
                raise httpx.ConnectError("[SSL: CERTIFICATE_VERIFY_FAILED]") from cause
            except httpx.ConnectError as exc:
                return exc

        sink = Sink(respond=respond)
        with make_client(sink) as client:
            result = client.upload(STREAM, records(1))
        assert result.requests == 1
        assert "not trusted" in result.failed[0].reason and "SSL_CERT_FILE" in result.failed[0].reason


class TestSplitting:
    def test_413_splits_until_it_fits(self) -> None:
        """413 splits the batch in halves until the service accepts; all land, in order."""

        def respond(sink: Sink, request: httpx.Request, recs: list[Any]) -> httpx.Response | None:
            return httpx.Response(413) if len(recs) > 3 else None

        sink = Sink(respond=respond)
        with make_client(sink, max_concurrency=1) as client:
            result = client.upload(STREAM, records(20))
        assert result.ok and result.records_sent == 20
        assert result.splits > 0
        assert [r["i"] for r in sink.accepted] == list(range(20))

    def test_single_record_413_is_failed_and_the_rest_land(self) -> None:
        """A single record still refused with 413 fails; the records around it land."""

        def respond(sink: Sink, request: httpx.Request, recs: list[Any]) -> httpx.Response | None:
            if any(r["i"] == 7 for r in recs):
                return httpx.Response(413, content=error_json("ContentLengthLimitExceeded", "too big"))
            return None

        sink = Sink(respond=respond)
        with make_client(sink, max_concurrency=1) as client:
            result = client.upload(STREAM, records(12))
        assert [f.index for f in result.failed] == [7]
        assert result.failed[0].status == 413 and result.failed[0].code == "ContentLengthLimitExceeded"
        assert [r["i"] for r in sink.accepted] == [i for i in range(12) if i != 7]


class TestTokenUse:
    def test_token_fetched_once_across_many_batches(self) -> None:
        """Many concurrent batches share one token: the credential is asked once."""
        sink = Sink()
        cred = FakeCredential(delay=0.01)
        with make_client(sink, cred, max_request_bytes=300, max_concurrency=6) as client:
            result = client.upload(STREAM, records(300))
        assert result.ok and result.requests > 30
        assert cred.calls == 1
        assert {r.headers["authorization"] for r in sink.requests} == {f"Bearer {cred.issued[0]}"}

    def test_token_info_credential(self) -> None:
        """A credential with get_token_info is used through it."""
        sink = Sink()
        cred = FakeInfoCredential(refresh_in=600)
        with make_client(sink, cred) as client:
            assert client.upload(STREAM, records(2)).ok
        assert cred.calls == 1

    def test_token_endpoint_outage_is_retried(self) -> None:
        """A token endpoint failing transiently is retried; nothing is lost."""
        sink = Sink()
        cred = FakeCredential(fail_first=2)
        with make_client(sink, cred) as client:
            result = client.upload(STREAM, records(3))
        assert result.ok and cred.calls == 3 and result.requests == 1

    def test_no_identity_stops_the_upload(self) -> None:
        """No managed identity: the upload stops, every record read is reported, none sent."""
        sink = Sink()
        cred = FakeCredential(fail_first=99, error=CredentialUnavailableError("no IMDS here"))
        with make_client(sink, cred, max_request_bytes=200, max_concurrency=2) as client:
            result = client.upload(STREAM, records(40))
        assert not sink.requests
        assert result.stopped is not None and "no token" in result.stopped
        assert result.failed_count == result.records_read
        assert [f.index for f in result.failed] == list(range(result.records_read))
        assert any(f.code == "AuthError" and "no managed identity" in f.reason for f in result.failed)


class TestDeadline:
    def test_deadline_stops_retrying_and_reports(self) -> None:
        """With an overall deadline, no wait runs past it and unsent records are reported."""
        sink = Sink(respond=always(503, **{"Retry-After": "10"}))
        clock = FakeClock()
        with make_client(
            sink, clock=clock, deadline=35.0, max_concurrency=1, max_request_bytes=300
        ) as client:
            result = client.upload(STREAM, records(40))
        assert sum(clock.slept) <= 35.0
        assert result.records_sent == 0 and result.failed_count == result.records_read
        assert result.stopped is not None and "deadline" in result.stopped
        assert result.records_read < 40

    def test_max_elapsed_per_request(self) -> None:
        """A request is not retried past RetryPolicy.max_elapsed since its first attempt."""
        sink = Sink(respond=always(429, **{"Retry-After": "20"}))
        clock = FakeClock()
        with make_client(sink, clock=clock, retry=RetryPolicy(max_elapsed=50.0)) as client:
            result = client.upload(STREAM, records(1))
        assert sum(clock.slept) <= 50.0 and result.requests == 3
        assert "50 s per request" in result.failed[0].reason


class TestConcurrency:
    @pytest.mark.parametrize("limit", [2, 4])
    def test_in_flight_requests_never_exceed_the_bound(self, limit: int) -> None:
        """At most max_concurrency requests are in flight, and the bound is reached."""
        barrier = threading.Barrier(limit, timeout=10)
        arrivals = 0
        lock = threading.Lock()

        def hold() -> None:
            nonlocal arrivals
            with lock:
                arrivals += 1
                mine = arrivals
            if mine <= limit:
                barrier.wait()  # the first wave meets here: the bound is reached
                time.sleep(0.02)  # and stays in flight, so a request over the bound would show

        sink = Sink(hold=hold)
        with make_client(sink, max_request_bytes=200, max_concurrency=limit) as client:
            result = client.upload(STREAM, records(8 * limit))
        assert result.ok
        assert sink.peak == limit

    def test_serial_client_keeps_arrival_order(self) -> None:
        """With max_concurrency=1 records arrive in input order."""
        sink = Sink()
        with make_client(sink, max_request_bytes=250, max_concurrency=1) as client:
            client.upload(STREAM, records(50))
        assert [r["i"] for r in sink.accepted] == list(range(50))
        assert len(sink.requests) > 5


class TestCallbacksAndResult:
    def test_on_error_gets_every_failure_with_records(self) -> None:
        """on_error receives each failed request with the records' JSON, and each bad record."""
        sink = Sink(respond=always(400, error_json("InvalidPayload", "nope")))
        seen: list[UploadError] = []
        with make_client(sink) as client:
            result = client.upload(STREAM, [{"a": 1}, {"bad": object()}, {"a": 2}], on_error=seen.append)
        assert result.failed_count == 3
        kinds = sorted((e.status or 0, len(e.failed)) for e in seen)
        assert kinds == [(0, 1), (400, 2)]
        req_error = next(e for e in seen if e.status == 400)
        assert [orjson.loads(r) for r in req_error.records] == [{"a": 1}, {"a": 2}]

    def test_all_batches_attempted_by_default(self) -> None:
        """Without fail_fast, a failing batch does not stop the others."""
        sink = Sink(respond=first(1, 400))
        with make_client(sink, max_request_bytes=250, max_concurrency=1) as client:
            result = client.upload(STREAM, records(30))
        assert result.stopped is None
        assert result.records_sent + result.failed_count == 30 and result.records_sent > 0

    def test_fail_fast_stops_and_reports_unsent(self) -> None:
        """fail_fast stops after the first failure; read-but-unsent records are reported NotSent."""
        sink = Sink(respond=first(1, 400))
        with make_client(sink, max_request_bytes=250, max_concurrency=1) as client:
            result = client.upload(STREAM, records(30), fail_fast=True)
        assert result.stopped is not None and "fail_fast" in result.stopped
        assert len(sink.requests) == 1
        assert result.records_read < 30
        assert {f.code for f in result.failed} == {None, "NotSent"}
        assert [f.index for f in result.failed] == list(range(result.records_read))

    def test_on_error_that_raises_propagates(self) -> None:
        """A callback that raises stops the upload and its exception reaches the caller."""

        def boom(error: UploadError) -> None:
            raise KeyboardInterrupt("user abort")

        sink = Sink(respond=always(400))
        with make_client(sink, max_request_bytes=250) as client, pytest.raises(KeyboardInterrupt):
            client.upload(STREAM, records(30), on_error=boom)

    def test_result_to_dict_is_json(self) -> None:
        """to_dict is JSON-serialisable and carries counts and failures."""
        sink = Sink(respond=always(403, error_json("OperationFailed", "x")))
        with make_client(sink) as client:
            result = client.upload(STREAM, records(2))
        doc = orjson.loads(orjson.dumps(result.to_dict()))
        assert doc["ok"] is False and doc["records_failed"] == 2 and doc["failed"][0]["status"] == 403
        assert "2 failed" in str(result)


class TestConstruction:
    def test_http_endpoint_refused_unless_loopback(self) -> None:
        """Bearer tokens never go over plain http, except to loopback."""
        with pytest.raises(UsageError, match="https"):
            LogsClient("http://dce.example.com", RULE_ID, FakeCredential())
        LogsClient("http://127.0.0.1:8080", RULE_ID, FakeCredential()).close()

    def test_managed_identity_is_the_default(self) -> None:
        """No credential means ManagedIdentityCredential, for a user-assigned identity if given."""
        client = LogsClient(ENDPOINT, RULE_ID, client_id="00000000-0000-0000-0000-000000000001")
        assert isinstance(client.credential, ManagedIdentityCredential)
        client.close()
        with pytest.raises(UsageError, match="at most one"):
            LogsClient(ENDPOINT, RULE_ID, object_id="a", resource_id="b")
        with pytest.raises(UsageError, match="pass no credential"):
            LogsClient(ENDPOINT, RULE_ID, FakeCredential(), client_id="x")

    def test_http2_client_builds(self) -> None:
        """http2=True builds a client (h2 is installed here)."""
        LogsClient(ENDPOINT, RULE_ID, FakeCredential(), http2=True).close()

    def test_closed_client_refuses_uploads(self) -> None:
        """upload after close is a UsageError."""
        client = make_client(Sink())
        client.close()
        with pytest.raises(UsageError, match="closed"):
            client.upload(STREAM, records(1))

    def test_verify_follows_ca_environment(self) -> None:
        """verify=True trusts SSL_CERT_FILE, else REQUESTS_CA_BUNDLE; explicit values win."""
        ca = certifi.where()
        assert isinstance(resolve_verify(True, {"REQUESTS_CA_BUNDLE": ca}), ssl.SSLContext)
        assert isinstance(resolve_verify(True, {"SSL_CERT_FILE": ca}), ssl.SSLContext)
        assert resolve_verify(True, {}) is True
        assert resolve_verify(False, {"SSL_CERT_FILE": ca}) is False
        with pytest.raises(UsageError, match="REQUESTS_CA_BUNDLE"):
            resolve_verify(True, {"REQUESTS_CA_BUNDLE": "/nonexistent/ca.pem"})
