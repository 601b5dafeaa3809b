"""AsyncLogsClient at the transport seam: the same paths as the sync face, awaited."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import orjson
import pytest
from azure.identity.aio import ManagedIdentityCredential
from hypothesis import HealthCheck, given, settings
from ingest_fakes import (
    CONFIGURATION_ANSWERS,
    ENDPOINT,
    OID,
    RULE_ID,
    STREAM,
    FakeAsyncCredential,
    FakeClock,
    Sink,
    collect_records,
    error_json,
    records,
    responder,
    workloads,
)

from azlogs._exceptions import UsageError
from azlogs.ingest import AsyncLogsClient, RetryPolicy, UploadError
from tests.unit import azure_answers as azure


class AsyncSink(Sink):
    """The Sink behind an async handler that yields to the loop while a request is in flight."""

    pause: float = 0.0
    busy: asyncio.Event | None = None  # set once two requests are in flight

    async def handle(self, request: httpx.Request) -> httpx.Response:
        with self._lock:
            self.in_flight += 1
            self.peak = max(self.peak, self.in_flight)
            if self.busy is not None and self.in_flight >= 2:
                self.busy.set()
        try:
            await asyncio.sleep(self.pause)
        finally:
            with self._lock:
                self.in_flight -= 1
        return self(request)

    def async_transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)


def make(
    sink: AsyncSink, credential: Any | None = None, clock: FakeClock | None = None, **kw: Any
) -> AsyncLogsClient:
    clock = clock or FakeClock()
    kw.setdefault("seed", 3)
    return AsyncLogsClient(
        ENDPOINT,
        RULE_ID,
        credential if credential is not None else FakeAsyncCredential(),
        transport=sink.async_transport(),
        clock=clock,
        sleep=clock.asleep,
        **kw,
    )


def script(*answers: httpx.Response | Exception | None) -> Any:
    queue = list(answers)

    def respond(sink: Sink, request: httpx.Request, recs: list[Any]) -> httpx.Response | Exception | None:
        return queue.pop(0) if queue else None

    return respond


class TestAsyncPaths:
    async def test_request_shape_and_success(self) -> None:
        """POST to the stream URL with gzip, bearer token and a request id; records land."""
        sink = AsyncSink()
        cred = FakeAsyncCredential()
        async with make(sink, cred) as client:
            result = await client.upload(STREAM, records(5))
        assert result.ok and result.records_sent == 5
        req = sink.requests[0]
        assert req.url.path == f"/dataCollectionRules/{RULE_ID}/streams/{STREAM}"
        assert req.headers["authorization"] == f"Bearer {cred.issued[0]}"
        assert req.headers["content-encoding"] == "gzip" and "x-ms-client-request-id" in req.headers
        assert orjson.loads(sink.bodies[0]) == records(5)

    async def test_retry_after_and_5xx(self) -> None:
        """429 with Retry-After and 503 are retried, the waits go through the injected sleep."""
        sink = AsyncSink(
            respond=script(httpx.Response(429, headers={"Retry-After": "4"}), httpx.Response(503))
        )
        clock = FakeClock()
        async with make(sink, clock=clock) as client:
            result = await client.upload(STREAM, records(2))
        assert result.ok and result.retries == 2 and result.requests == 3
        assert 4.0 <= clock.slept[0] <= 4.25

    async def test_401_refreshes_once(self) -> None:
        """One 401 fetches one new token and the retry succeeds."""
        sink = AsyncSink(respond=script(httpx.Response(401)))
        cred = FakeAsyncCredential()
        async with make(sink, cred) as client:
            result = await client.upload(STREAM, records(1))
        assert result.ok and cred.calls == 2

    async def test_403_diagnosed(self) -> None:
        """403 carries the object id and the role fix."""
        sink = AsyncSink(
            respond=lambda s, r, recs: httpx.Response(403, content=error_json("OperationFailed", "x"))
        )
        async with make(sink) as client:
            result = await client.upload(STREAM, records(1))
        assert f"principal {OID}" in result.failed[0].reason

    @pytest.mark.parametrize(("answer", "code", "names"), CONFIGURATION_ANSWERS)
    async def test_recorded_configuration_error_stops_and_names_the_fix(
        self, answer: Any, code: str | None, names: list[str]
    ) -> None:
        """Azure's answer for a wrong stream, DCR, role or token: the async face stops after it, names
        the fix, and hands every record read back through on_error."""
        sink = AsyncSink(respond=lambda s, r, recs: answer())
        seen: list[UploadError] = []
        async with make(sink, max_request_bytes=250, max_concurrency=1) as client:
            result = await client.upload(STREAM, records(30), on_error=seen.append)
        assert len(sink.requests) == (2 if code is None else 1)
        read = result.records_read
        assert 0 < read < 30 and [f.index for f in result.failed] == list(range(read))
        assert collect_records(seen) == list(range(read))
        assert result.failed[0].code == code
        for name in names:
            assert name in result.failed[0].reason
        assert result.stopped is not None and names[0] in result.stopped

    async def test_recorded_throttle_and_5xx_then_all_land(self) -> None:
        """Azure's 429 with Retry-After and a 5xx without a code are retried; the records land once."""
        sink = AsyncSink(respond=script(azure.throttled(4), azure.server_error(503), azure.unauthorized()))
        clock = FakeClock()
        async with make(sink, clock=clock) as client:
            result = await client.upload(STREAM, records(3))
        assert result.ok and [r["i"] for r in sink.accepted] == [0, 1, 2] and result.requests == 4
        assert 4.0 <= clock.slept[0] <= 4.25

    async def test_413_split_in_order(self) -> None:
        """413 splits until accepted, order kept with one request at a time."""
        sink = AsyncSink(respond=lambda s, r, recs: httpx.Response(413) if len(recs) > 2 else None)
        async with make(sink, max_concurrency=1) as client:
            result = await client.upload(STREAM, records(11))
        assert result.ok and result.splits > 0
        assert [r["i"] for r in sink.accepted] == list(range(11))

    async def test_transport_error_retried(self) -> None:
        """A connection error is retried."""
        sink = AsyncSink(respond=script(httpx.ConnectError("refused")))
        async with make(sink) as client:
            result = await client.upload(STREAM, records(1))
        assert result.ok and result.retries == 1

    async def test_async_iterable_records(self) -> None:
        """Records may come from an async generator."""

        async def gen() -> AsyncIterator[dict[str, Any]]:
            for r in records(30):
                yield r

        sink = AsyncSink()
        async with make(sink, max_request_bytes=300) as client:
            result = await client.upload(STREAM, gen())
        assert result.ok and sorted(r["i"] for r in sink.accepted) == list(range(30))

    async def test_deadline(self) -> None:
        """The overall deadline stops retries and reports unsent records."""
        sink = AsyncSink(respond=lambda s, r, recs: httpx.Response(503, headers={"Retry-After": "10"}))
        clock = FakeClock()
        async with make(sink, clock=clock, deadline=25.0, max_request_bytes=300) as client:
            result = await client.upload(STREAM, records(40))
        assert sum(clock.slept) <= 25.0
        assert result.stopped is not None and result.failed_count == result.records_read


class TestAsyncSharing:
    async def test_token_once_and_concurrency_bound(self) -> None:
        """Many batches: one token fetch, and never more than max_concurrency in flight."""
        sink = AsyncSink()
        sink.pause = 0.005
        cred = FakeAsyncCredential()
        async with make(sink, cred, max_concurrency=3, max_request_bytes=250) as client:
            result = await client.upload(STREAM, records(120))
        assert result.ok and result.requests > 10
        assert cred.calls == 1
        assert sink.peak == 3

    async def test_cancel_cancels_requests_in_flight(self) -> None:
        """Cancelling upload cancels its requests and leaves no task behind."""
        sink = AsyncSink()
        sink.pause = 30.0
        sink.busy = asyncio.Event()
        async with make(sink, max_concurrency=2, max_request_bytes=250) as client:
            task = asyncio.create_task(client.upload(STREAM, records(50)))
            await sink.busy.wait()
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
        assert sink.in_flight == 0
        assert not sink.accepted


class TestAsyncConstruction:
    async def test_default_credential_is_async_managed_identity(self) -> None:
        """No credential: azure.identity.aio.ManagedIdentityCredential, closed with the client."""
        client = AsyncLogsClient(ENDPOINT, RULE_ID, object_id="11111111-2222-3333-4444-555555555555")
        assert isinstance(client.credential, ManagedIdentityCredential)
        await client.close()
        with pytest.raises(UsageError):
            await client.upload(STREAM, records(1))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(workloads())
def test_async_properties(work: tuple[list[Any], list[str], int]) -> None:
    """Exactly-once-or-failed, limit and order hold for the async face too."""
    recs, outcomes, concurrency = work
    sink = AsyncSink(respond=responder(outcomes))

    async def run() -> Any:
        async with make(
            sink,
            max_request_bytes=700,
            max_concurrency=concurrency,
            retry=RetryPolicy(max_attempts=4, backoff_cap=5.0),
        ) as client:
            return await client.upload(STREAM, recs)

    result = asyncio.run(run())
    landed = [r["i"] for r in sink.accepted]
    failed = [f.index for f in result.failed]
    assert len(landed) == len(set(landed)) and not set(landed) & set(failed)
    # As the sync face (test_ingest_properties): a stopped upload reads no further; every record read
    # is landed or failed, and records are unread only when the upload stopped (a 401, say).
    assert sorted(landed + failed) == list(range(result.records_read))
    assert result.records_read == len(recs) or result.stopped is not None
    assert all(len(b) <= 700 for b in sink.bodies)
    for batch in sink.accepted_batches:
        assert [r["i"] for r in batch] == sorted(r["i"] for r in batch)
    if concurrency == 1:
        assert landed == sorted(landed)
