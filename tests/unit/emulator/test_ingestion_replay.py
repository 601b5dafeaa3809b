"""Replay of Azure's recorded ingestion answers: the emulator answers each one as the service did.

The interactions are written here from the facts in Azure's own recordings and spec examples (the
``Azure/azure-sdk-assets`` recordings of the SDKs' live tests, the REST spec's example), not copied:
the request that matters (encoding, path, body), and what the service answered (status, error code
in body and ``x-ms-error-code``, message, key headers). Recorded answers the emulator does not give
are listed in docs/differences.md ("Recorded answers the emulator does not give"), with the reason.
"""

from __future__ import annotations

import gzip
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx
import orjson
import pytest

from azlogs import facts
from tests.unit.emulator.test_ingestion_endpoint import Env, env  # noqa: F401  (the fixture)
from tests.unit.emulator.test_ingestion_helpers import token

# The recorded 204 and NotFound carried this request id echo (Java, 2024-03-28); any GUID does.
CLIENT_REQUEST_ID = "b8e3bfa3-6503-40f3-9688-fe0421f88fdf"
# The records of the REST spec's example (2023-01-01, post_IngestUsingDataCollectionRule), mapped
# onto the test DCR's stream: two records, gzip.
SPEC_RECORDS = [
    {"Computer": "Computer1", "Code": 4, "Props": {"InstanceName": "user1", "CounterValue": 15.3}},
    {"Computer": "Computer2", "Code": 3, "Props": {"InstanceName": "user2", "CounterValue": 23.5}},
]


@dataclass
class Recorded:
    """One recorded interaction: what was sent and what Azure answered."""

    source: str
    body: bytes
    gzip: bool = True
    dcr: str | None = None  # None: the test DCR's immutable id
    stream: str = "Custom-App"
    client_request_id: str | None = None
    who: str = "vm"  # the identity whose token is sent ("vm-user" holds no role)
    status: int = 204
    code: str | None = None
    message: Callable[[Env], str] | None = None
    message_prefix: str | None = None
    headers: dict[str, str] = field(default_factory=dict)


RECORDED = [
    Recorded(
        "java LogsIngestionClientTest.testUploadLogsProtocolMethod (2024-03-28): gzip records, 204",
        orjson.dumps([{"Computer": f"test{i}", "Code": i} for i in range(10)]),
        client_request_id=CLIENT_REQUEST_ID,
        headers={"x-ms-client-request-id": CLIENT_REQUEST_ID},
    ),
    Recorded(
        "REST spec example post_IngestUsingDataCollectionRule (2023-01-01): gzip, 204 empty",
        orjson.dumps(SPEC_RECORDS),
    ),
    Recorded(
        "go TestUploadWithError (2024-02-02): uncompressed, unknown stream, 400 InvalidStream",
        orjson.dumps([{"Computer": f"Computer{i}", "Code": i} for i in range(10)]),
        gzip=False,
        stream="incorrect%20stream",
        status=400,
        code="InvalidStream",
        message=lambda e: (
            "The stream incorrect%20stream was not configured in the data collection rule with immutable "
            f"Id {e.dcr.immutable_id}."
        ),
    ),
    Recorded(
        "python test_send_logs_error (2023-02-10): gzip, unknown DCR, 404 NotFound",
        b'[{"foo": "bar"}]',
        dcr="bad-rule",
        stream="test-stream",
        status=404,
        code="NotFound",
        message=lambda e: "Data collection rule with immutable Id 'bad-rule' not found.",
    ),
    Recorded(
        "java LogsIngestionClientTest.testUploadLogsStopOnFirstError (2024-03-28): 404 NotFound, ids echoed",
        orjson.dumps([{"Computer": "test0", "Code": 0}]),
        dcr="dcr-id",
        client_request_id="8fbe3c50-d4c4-4c42-9c59-f3d85d0cad88",
        status=404,
        code="NotFound",
        message=lambda e: "Data collection rule with immutable Id 'dcr-id' not found.",
        headers={"x-ms-client-request-id": "8fbe3c50-d4c4-4c42-9c59-f3d85d0cad88"},
    ),
    Recorded(
        "TROUBLESHOOTING guides (Java, .NET, Python): no role on the DCR, 403 OperationFailed, no advice",
        orjson.dumps([{"Computer": "vm", "Code": 1}]),
        who="vm-user",
        status=403,
        code="OperationFailed",
        message=lambda e: (
            "The authentication token provided does not have access to ingest data for the data collection "
            f"rule with immutable Id '{e.dcr.immutable_id}' PipelineAccessResult: AccessGranted: False, "
            f"IsRbacPresent: False, IsDcrDceBindingValid: , DcrArmId: {e.dcr.resource_id}, Message: Required "
            f"authorization action was not found for tenantId {e.ctx.tenant.tenant_id} objectId "
            f"{e.ctx.tenant.identity('vm-user').principal_id} on resourceId {e.dcr.resource_id} "
            f"ConfigurationId: {e.dcr.immutable_id}."
        ),
    ),
    Recorded(
        ".NET IngestionClientLiveTest.GreaterThan1MbData: uncompressed 1 MiB + 5 bytes, 413",
        b"*" * (facts.MAX_BODY_BYTES + 5),
        gzip=False,
        status=413,
        code="ContentLengthLimitExceeded",
        message_prefix="Maximum allowed content length: 1048576 bytes (1 MB).",
    ),
]


@pytest.mark.parametrize("rec", RECORDED, ids=[r.source.split(":")[0] for r in RECORDED])
async def test_recorded_answer(env: Env, rec: Recorded) -> None:  # noqa: F811
    """The emulator's status, error code (body and header), message and key headers are the recording's."""
    dcr = rec.dcr or env.dcr.immutable_id
    url = f"/dce/{env.dce.path_key}/dataCollectionRules/{dcr}/streams/{rec.stream}?api-version=2023-01-01"
    headers = {"Authorization": f"Bearer {token(env.ctx, rec.who)}", "Content-Type": "application/json"}
    if rec.gzip:
        headers["Content-Encoding"] = "gzip"
    if rec.client_request_id:
        headers["x-ms-client-request-id"] = rec.client_request_id
    r: httpx.Response = await env.http.post(
        url, content=gzip.compress(rec.body) if rec.gzip else rec.body, headers=headers
    )
    assert r.status_code == rec.status, r.text
    assert r.headers["x-ms-request-id"]
    for name, value in rec.headers.items():
        assert r.headers.get(name) == value
    if rec.status == 204:
        assert r.content == b""
        return
    assert r.headers["content-type"].startswith("application/json")
    error = r.json()["error"]
    assert error["code"] == rec.code and r.headers["x-ms-error-code"] == rec.code
    assert "retry-after" not in r.headers
    if rec.message is not None:
        assert error["message"] == rec.message(env)
    if rec.message_prefix is not None:
        assert error["message"].startswith(rec.message_prefix)
