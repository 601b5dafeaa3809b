"""Diagnosis of failed answers: the service's words kept, the fix added."""

from __future__ import annotations

import httpx
import orjson
from ingest_fakes import ENDPOINT, OID, RULE_ID, STREAM

from azlogs._exceptions import PermanentServiceError, RetryableServiceError
from azlogs.ingest._diagnose import Target, diagnose, read_answer
from tests.unit import azure_answers as azure

TARGET = Target(ENDPOINT, RULE_ID, STREAM)


class TestReadAnswer:
    def test_error_shape_with_details(self) -> None:
        """code, message and details of {"error": ...} are kept."""
        body = orjson.dumps(
            {
                "error": {
                    "code": "InvalidPayload",
                    "message": "bad",
                    "details": [{"code": "X", "message": "y"}],
                }
            }
        )
        answer = read_answer(400, httpx.Headers(), body)
        assert answer.code == "InvalidPayload" and answer.message == "bad (X: y)" and answer.structured

    def test_code_from_header(self) -> None:
        """x-ms-error-code is used when the body has no code."""
        answer = read_answer(429, httpx.Headers({"x-ms-error-code": "Throttled"}), b"")
        assert answer.code == "Throttled" and answer.message == "" and not answer.structured

    def test_text_body_is_shortened(self) -> None:
        """A non-JSON body is kept as short plain text."""
        answer = read_answer(502, httpx.Headers(), b"<html>\n  Bad   gateway " + b"x" * 1000)
        assert answer.message.startswith("<html> Bad gateway") and len(answer.message) <= 300


class TestDiagnose:
    def test_403_without_oid_claim(self) -> None:
        """A token without oid still gets the role fix, with a placeholder principal."""
        err = diagnose(read_answer(403, httpx.Headers(), b""), TARGET, {"appid": "app-1"})
        assert isinstance(err, PermanentServiceError)
        assert "client id app-1" in err.message
        assert err.hint is not None and "Monitoring Metrics Publisher" in err.hint

    def test_403_with_oid(self) -> None:
        """403 names the principal by object id in both message and fix."""
        err = diagnose(read_answer(403, httpx.Headers(), b""), TARGET, {"oid": OID})
        assert OID in err.message and err.hint is not None and f"principal {OID}" in err.hint
        assert RULE_ID in err.message

    def test_400_time_range_hint(self) -> None:
        """RecordsTimeRangeIsMoreThan30Minutes gets the Auxiliary-plan explanation."""
        body = orjson.dumps({"error": {"code": "RecordsTimeRangeIsMoreThan30Minutes", "message": "span"}})
        err = diagnose(read_answer(400, httpx.Headers(), body), TARGET)
        assert err.hint is not None and "30 minutes" in err.hint

    def test_exhausted_429_is_retryable_class(self) -> None:
        """A 429 that ran out of retries is a RetryableServiceError with a throttling hint."""
        err = diagnose(read_answer(429, httpx.Headers(), b""), TARGET)
        assert isinstance(err, RetryableServiceError) and err.status == 429
        assert err.hint is not None and "throttled" in err.hint

    def test_404_structured_but_unclear(self) -> None:
        """A 404 whose code names nothing known lists all three suspects."""
        body = orjson.dumps({"error": {"code": "ResourceNotFound", "message": "Not found"}})
        err = diagnose(read_answer(404, httpx.Headers(), body), TARGET)
        assert RULE_ID in err.message and STREAM in err.message and ENDPOINT in err.message

    def test_azure_unknown_stream_is_not_blamed_on_the_records(self) -> None:
        """Azure's 400 InvalidStream names the stream and the DCR to fix, not the records."""
        r = azure.invalid_stream(STREAM, RULE_ID)
        err = diagnose(read_answer(r.status_code, r.headers, r.content), TARGET)
        assert f"the stream '{STREAM}' is not declared in DCR {RULE_ID}" in err.message
        assert "was not configured in the data collection rule" in err.message  # the service's words kept
        assert err.hint is not None and "streamDeclarations" in err.hint and "records" not in err.hint

    def test_azure_unknown_dcr_by_code_alone(self) -> None:
        """Azure's 404 NotFound is the DCR, even when its message were to say nothing."""
        r = azure.dcr_not_found(RULE_ID)
        err = diagnose(read_answer(r.status_code, r.headers, b""), TARGET)
        assert err.message.startswith(f"DCR {RULE_ID} is not known at this endpoint")

    def test_403_binding_names_the_endpoint(self) -> None:
        """A 403 whose RBAC holds but whose DCR is not bound to the endpoint says which endpoint to use."""
        body = orjson.dumps(
            {
                "error": {
                    "code": "OperationFailed",
                    "message": "... IsRbacPresent: True, IsDcrDceBindingValid: False, DcrArmId: x",
                }
            }
        )
        err = diagnose(read_answer(403, httpx.Headers(), body), TARGET, {"oid": OID})
        assert f"not associated with the endpoint {ENDPOINT}" in err.message
        assert err.hint is not None and "endpoints.logsIngestion" in err.hint
