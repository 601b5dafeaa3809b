"""AsyncLogsClient: the asyncio face. The same core as LogsClient; only the I/O is awaited."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterable, Awaitable, Callable, Iterable
from types import TracebackType
from typing import Any

import httpx
from azure.core.credentials import TokenProvider
from azure.core.credentials_async import AsyncTokenProvider

from azlogs._exceptions import AuthError, TransportError, UsageError
from azlogs._http import DEFAULT_TIMEOUT, RetryPolicy, Verify, async_client, mapped_errors
from azlogs.auth import AsyncTokenCache
from azlogs.auth.clouds import Cloud
from azlogs.facts import MAX_BODY_BYTES
from azlogs.ingest._batching import aiter_batches
from azlogs.ingest._core import (
    DEFAULT_API_VERSION,
    DEFAULT_MAX_CONCURRENCY,
    ClientBase,
    ErrorCallback,
    UploadState,
    resolve_credential,
)
from azlogs.ingest._encoding import gzip_body
from azlogs.ingest._flow import BatchReport, Failure, Reply, Send, Sleep, batch_flow
from azlogs.ingest._result import FailedRecord, UploadResult
from azlogs.ingest._transport import build_request

# Bodies larger than this are gzipped in a worker thread (zlib releases the GIL), so the event
# loop keeps serving other requests and a second core does the compression.
_THREAD_GZIP_BYTES = 64 * 1024

Task = asyncio.Task[BatchReport]


def _managed_identity(**kwargs: Any) -> Any:
    """azure-identity's async ManagedIdentityCredential (its identity endpoint never proxied), made only when no
    credential is given."""
    from azlogs.auth.credential import managed_identity

    return managed_identity(asynchronous=True, **kwargs)


class AsyncLogsClient(ClientBase):
    """The asyncio twin of LogsClient: same arguments, ``await client.upload(...)``.

    ``credential`` is an ``AsyncTokenCredential`` (a sync one is called in a thread); None means
    ``azure.identity.aio.ManagedIdentityCredential``. ``records`` may also be an async iterable.
    ``sleep`` is an async function (``asyncio.sleep`` by default).
    """

    def __init__(
        self,
        endpoint: str,
        rule_id: str,
        credential: AsyncTokenProvider | TokenProvider | None = None,
        *,
        client_id: str | None = None,
        object_id: str | None = None,
        resource_id: str | None = None,
        api_version: str = DEFAULT_API_VERSION,
        max_concurrency: int = DEFAULT_MAX_CONCURRENCY,
        timeout: float | httpx.Timeout | None = DEFAULT_TIMEOUT,
        deadline: float | None = None,
        http2: bool = False,
        transport: httpx.AsyncBaseTransport | None = None,
        verify: Verify = True,
        retry: RetryPolicy | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        seed: int | None = None,
        max_request_bytes: int = MAX_BODY_BYTES,
        cloud: Cloud | str | None = None,
    ) -> None:
        super().__init__(
            endpoint,
            rule_id,
            cloud=cloud,
            api_version=api_version,
            max_concurrency=max_concurrency,
            timeout=timeout,
            deadline=deadline,
            verify=verify,
            retry=retry,
            clock=clock,
            wall=time.time,
            seed=seed,
            max_request_bytes=max_request_bytes,
        )
        self.credential, self._owns_credential = resolve_credential(
            credential, client_id, object_id, resource_id, _managed_identity
        )
        credential = self.credential
        self._tokens = AsyncTokenCache(credential, self.cloud.monitor_scope)
        self._http = async_client(transport=transport, **self._client_options(http2))
        self._sleep = sleep
        self._closed = False

    async def upload(
        self,
        stream: str,
        records: Iterable[Any] | AsyncIterable[Any],
        *,
        on_error: ErrorCallback | None = None,
        fail_fast: bool = False,
    ) -> UploadResult:
        """Send every record to ``stream``; see ``LogsClient.upload``. If the call is cancelled,
        requests in flight are cancelled too."""
        if self._closed:
            raise UsageError("this AsyncLogsClient is closed")
        state = self._state(on_error, fail_fast)
        ctx = self._context(stream, state.deadline_at)
        url = self._url(stream)
        pending: set[Task] = set()
        try:
            async for item in aiter_batches(records, state.batcher):
                if isinstance(item, FailedRecord):
                    state.record_failed(item)
                else:
                    while len(pending) >= self.max_concurrency:
                        pending = await self._collect(pending, state, asyncio.FIRST_COMPLETED)
                    if state.stopped or state.check_deadline():
                        state.not_sent(item)
                    else:
                        pending.add(asyncio.create_task(self._drive(batch_flow(item, ctx), url)))
                        await asyncio.sleep(0)  # let the new request start while the next batch is built
                if state.stopped:
                    break
            while pending:
                pending = await self._collect(pending, state, asyncio.ALL_COMPLETED)
        except BaseException:
            for task in pending:
                task.cancel()
            if pending:
                await asyncio.wait(pending)
            raise
        return state.finish()

    @staticmethod
    async def _collect(pending: set[Task], state: UploadState, when: str) -> set[Task]:
        done, rest = await asyncio.wait(pending, return_when=when)
        for task in done:
            state.batch_done(task.result())
        return rest

    async def _drive(self, flow: Any, url: str) -> BatchReport:
        reply: Reply | None = None
        while True:
            try:
                action = flow.send(reply)
            except StopIteration as stop:
                report: BatchReport = stop.value
                return report
            if isinstance(action, Sleep):
                await self._sleep(action.seconds)
                reply = None
            else:
                reply = await self._exchange(action, url)

    async def _exchange(self, action: Send, url: str) -> Reply:
        try:
            token = await self._tokens.get(action.rejected)
        except AuthError as exc:
            return Failure(exc)
        body = action.batch.body()
        if len(body) > _THREAD_GZIP_BYTES:
            gz = await asyncio.to_thread(gzip_body, body)
        else:
            gz = gzip_body(body)
        oversize = self._oversize(len(gz))
        if oversize is not None:
            return oversize
        request = build_request(url, self.api_version, token.value, gz)
        try:
            with mapped_errors(url):
                response = await self._http.send(request)
        except TransportError as exc:
            return Failure(exc)
        return self._answer(response, len(body), len(gz), token)

    @property
    def token_fetches(self) -> int:
        """How many tokens the credential was asked for (for diagnostics and tests)."""
        return self._tokens.fetches

    async def close(self) -> None:
        """Close connections and a credential this client created."""
        if self._closed:
            return
        self._closed = True
        await self._http.aclose()
        if self._owns_credential:
            close = getattr(self.credential, "close", None)
            if callable(close):
                result = close()
                if asyncio.iscoroutine(result):
                    await result

    async def __aenter__(self) -> AsyncLogsClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()
