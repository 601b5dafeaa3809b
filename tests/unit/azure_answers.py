"""The ingestion endpoint's answers as Azure's recorded sessions show them (status, headers, body).

Written from the recordings in Azure/azure-sdk-assets and the SDKs' live tests, for tests that drive
the client, the agent and doctor through a transport (httpx.MockTransport) as Azure would answer:

- unknown stream: go/sdk/monitor/ingestion/azlogs/testdata/recordings/TestUploadWithError.json
  (2024-02-02): 400, ``x-ms-error-code: InvalidStream``, the stream as sent in the path;
- unknown DCR: python/sdk/monitor/azure-monitor-ingestion/tests/recordings/
  test_logs_ingestion.pyTestLogsIngestionClienttest_send_logs_error.json (2023-02-10): 404 ``NotFound``;
- over 1 MiB: Azure/azure-sdk-for-net sdk/monitor/Azure.Monitor.Ingestion/tests (ErrorTest.cs,
  MonitorIngestionLiveTest.cs): 413 ``ContentLengthLimitExceeded``, "Maximum allowed content length: ...";
- no role: the 403 ``OperationFailed`` body quoted in the SDKs' TROUBLESHOOTING.md (Java, .NET);
- an empty body: 500 without an error code (MonitorIngestionLiveTest.cs, EmptyData);
- 429 with ``Retry-After`` (Microsoft Learn, service limits).
"""

from __future__ import annotations

import uuid

import httpx
import orjson


def _answer(status: int, code: str | None, message: str | None, **headers: str) -> httpx.Response:
    head = {
        "Content-Type": "application/json",
        "Server": "Microsoft-HTTPAPI/2.0",
        "Strict-Transport-Security": "max-age=31536000; includeSubDomains; preload",
        "X-Content-Type-Options": "nosniff",
        "x-ms-request-id": str(uuid.uuid4()),
        **headers,
    }
    if code is None:
        return httpx.Response(status, headers=head)
    head["x-ms-error-code"] = code
    body = orjson.dumps({"error": {"code": code, "message": message}})
    return httpx.Response(status, headers=head, content=body)


def invalid_stream(stream: str, rule_id: str) -> httpx.Response:
    """400 InvalidStream: the DCR does not declare ``stream`` (as sent in the path)."""
    return _answer(
        400,
        "InvalidStream",
        f"The stream {stream} was not configured in the data collection rule with immutable Id {rule_id}.",
    )


def dcr_not_found(rule_id: str) -> httpx.Response:
    """404 NotFound: no DCR has this immutable id."""
    return _answer(404, "NotFound", f"Data collection rule with immutable Id '{rule_id}' not found.")


def forbidden(rule_id: str, oid: str, tenant: str = "72f988bf-86f1-41af-91ab-2d7cd011db47") -> httpx.Response:
    """403 OperationFailed: the identity lacks Monitoring Metrics Publisher on the DCR."""
    dcr_arm = (
        f"/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Insights/dataCollectionRules/{rule_id}"
    )
    return _answer(
        403,
        "OperationFailed",
        "The authentication token provided does not have access to ingest data for the data collection "
        f"rule with immutable Id '{rule_id}' PipelineAccessResult: AccessGranted: False, IsRbacPresent: False, "
        f"IsDcrDceBindingValid: , DcrArmId: {dcr_arm}, Message: Required authorization action was not found "
        f"for tenantId {tenant} objectId {oid} on resourceId {dcr_arm} ConfigurationId: {rule_id}..",
    )


def too_large(provided: int) -> httpx.Response:
    """413 ContentLengthLimitExceeded for a body of ``provided`` bytes."""
    return _answer(
        413,
        "ContentLengthLimitExceeded",
        f"Maximum allowed content length: 1048576 bytes (1 MB). Provided content length: {provided} bytes.",
    )


def unauthorized() -> httpx.Response:
    """401: the token is refused (Azure's body for it is not recorded; the status is what counts)."""
    return _answer(401, None, None, **{"WWW-Authenticate": 'Bearer error="invalid_token"'})


def throttled(seconds: int) -> httpx.Response:
    """429 with Retry-After (no error code documented)."""
    return _answer(429, None, None, **{"Retry-After": str(seconds)})


def server_error(status: int = 500) -> httpx.Response:
    """A 5xx without an error code."""
    return _answer(status, None, None)
