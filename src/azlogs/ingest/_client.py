"""LogsClient: the sync face. Only the I/O lives here; the rest is in _core, _flow and _batching."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ALL_COMPLETED, FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from types import TracebackType
from typing import Any

import httpx
from azure.core.credentials import TokenProvider

from azlogs._exceptions import AuthError, TransportError, UsageError
from azlogs._http import DEFAULT_TIMEOUT, RetryPolicy, Verify, client, mapped_errors
from azlogs.auth import TokenCache
from azlogs.auth.clouds import Cloud
from azlogs.facts import MAX_BODY_BYTES
from azlogs.ingest._batching import iter_batches
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

_local = threading.local()


def in_client_thread() -> bool:
    """True in a thread that is doing a LogsClient upload (the logging handler skips its records)."""
    return bool(getattr(_local, "active", False))


def _mark_worker() -> None:
    _local.active = True


def _managed_identity(**kwargs: Any) -> Any:
    """azure-identity's ManagedIdentityCredential (its identity endpoint never proxied), made only when no
    credential is given."""
    from azlogs.auth.credential import managed_identity

    return managed_identity(asynchronous=False, **kwargs)


class LogsClient(ClientBase):
    """Sends records to a DCR stream through the Logs Ingestion API.

    Args:
        endpoint: the DCE logs-ingestion endpoint or the DCR's own ``endpoints.logsIngestion``.
        rule_id: the DCR immutable id (``dcr-`` and 32 hex digits).
        credential: any azure-core ``TokenCredential``; None means the managed identity of the
            host (azure-identity ``ManagedIdentityCredential``), closed with this client.
        client_id, object_id, resource_id: select a user-assigned managed identity (at most one;
            only with ``credential=None``).
        api_version: ``2023-01-01`` (GA) or ``2021-11-01-preview``.
        max_concurrency: requests in flight (threads over one keep-alive connection pool).
        timeout: seconds (or an ``httpx.Timeout``) for each network operation of a request.
        deadline: seconds one ``upload`` call may take; after it no request is started and the
            records not sent are reported as failed. None: no overall limit.
        http2: use HTTP/2 (one multiplexed connection).
        transport: an ``httpx.BaseTransport`` (tests use ``httpx.MockTransport``).
        verify: TLS trust: True (SSL_CERT_FILE / REQUESTS_CA_BUNDLE / SSL_CERT_DIR if set, else
            the default bundle), False, a CA bundle path, or an ``ssl.SSLContext``.
        retry: the RetryPolicy (attempts, backoff, per-request time limit).
        clock, sleep: monotonic clock and sleep, injectable so that tests never wait.
        seed: seeds the backoff jitter (for reproducible simulations).
        max_request_bytes: the body limit per request, at most (and by default) 1 MiB; lower it
            only to stay under a proxy's limit.
        cloud: the Azure cloud (a ``Cloud`` or its name); None: ``AZURE_CLOUD``, else the endpoint's
            host, else the public cloud. Its Logs Ingestion audience is the token's scope.

    The requests honour HTTPS_PROXY / NO_PROXY (httpx reads them); the managed identity's own
    endpoint (IMDS, Arc, App Service, Automation) never goes through a proxy.
    """

    def __init__(
        self,
        endpoint: str,
        rule_id: str,
        credential: TokenProvider | None = None,
        *,
        client_id: str | None = None,
        object_id: str | None = None,
        resource_id: str | None = None,
        api_version: str = DEFAULT_API_VERSION,
        max_concurrency: int = DEFAULT_MAX_CONCURRENCY,
        timeout: float | httpx.Timeout | None = DEFAULT_TIMEOUT,
        deadline: float | None = None,
        http2: bool = False,
        transport: httpx.BaseTransport | None = None,
        verify: Verify = True,
        retry: RetryPolicy | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
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
        self._tokens = TokenCache(credential, self.cloud.monitor_scope)
        self._http = client(transport=transport, **self._client_options(http2))
        self._sleep = sleep
        self._pool: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()
        self._closed = False

    def upload(
        self,
        stream: str,
        records: Iterable[Any],
        *,
        on_error: ErrorCallback | None = None,
        fail_fast: bool = False,
    ) -> UploadResult:
        """Send every record of ``records`` to ``stream``; report what happened to each.

        Args:
            stream: the DCR stream name (``Custom-...``).
            records: dicts (or mappings, dataclasses) or pre-serialised JSON objects (bytes/str),
                from any iterable; read one at a time.
            on_error: called in this thread for each failed request or record; if it raises, the
                upload stops (requests in flight finish) and the exception propagates.
            fail_fast: stop at the first failure; records not sent are reported as failed.
            An exception raised while reading ``records`` propagates once the requests in
            flight have finished.

        Returns:
            The UploadResult: counts, and every failed record with its index and reason.
        """
        if self._closed:
            raise UsageError("this LogsClient is closed")
        state = self._state(on_error, fail_fast)
        ctx = self._context(stream, state.deadline_at)
        url = self._url(stream)
        was_active = in_client_thread()
        _local.active = True
        pending: set[Future[BatchReport]] = set()
        try:
            for item in iter_batches(records, state.batcher):
                if isinstance(item, FailedRecord):
                    state.record_failed(item)
                elif self.max_concurrency == 1:
                    if state.stopped or state.check_deadline():
                        state.not_sent(item)
                    else:
                        state.batch_done(self._drive(batch_flow(item, ctx), url))
                else:
                    while len(pending) >= self.max_concurrency:
                        pending = self._collect(pending, state, FIRST_COMPLETED)
                    if state.stopped or state.check_deadline():
                        state.not_sent(item)
                    else:
                        pending.add(self._get_pool().submit(self._drive, batch_flow(item, ctx), url))
                if state.stopped:
                    break
            while pending:
                pending = self._collect(pending, state, ALL_COMPLETED)
        except BaseException:
            wait(pending)  # requests in flight finish before the exception leaves
            raise
        finally:
            _local.active = was_active
        return state.finish()

    @staticmethod
    def _collect(
        pending: set[Future[BatchReport]], state: UploadState, when: str
    ) -> set[Future[BatchReport]]:
        done, rest = wait(pending, return_when=when)
        for future in done:
            state.batch_done(future.result())
        return rest

    def _get_pool(self) -> ThreadPoolExecutor:
        with self._lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(
                    max_workers=self.max_concurrency,
                    thread_name_prefix="azlogs-send",
                    initializer=_mark_worker,
                )
            return self._pool

    def _drive(self, flow: Any, url: str) -> BatchReport:
        reply: Reply | None = None
        while True:
            try:
                action = flow.send(reply)
            except StopIteration as stop:
                report: BatchReport = stop.value
                return report
            if isinstance(action, Sleep):
                self._sleep(action.seconds)
                reply = None
            else:
                reply = self._exchange(action, url)

    def _exchange(self, action: Send, url: str) -> Reply:
        try:
            token = self._tokens.get(action.rejected)
        except AuthError as exc:
            return Failure(exc)
        body = action.batch.body()
        gz = gzip_body(body)
        oversize = self._oversize(len(gz))
        if oversize is not None:
            return oversize
        request = build_request(url, self.api_version, token.value, gz)
        try:
            with mapped_errors(url):
                response = self._http.send(request)
        except TransportError as exc:
            return Failure(exc)
        return self._answer(response, len(body), len(gz), token)

    @property
    def token_fetches(self) -> int:
        """How many tokens the credential was asked for (for diagnostics and tests)."""
        return self._tokens.fetches

    def close(self) -> None:
        """Close connections, worker threads and a credential this client created."""
        if self._closed:
            return
        self._closed = True
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True)
        self._http.close()
        if self._owns_credential:
            close = getattr(self.credential, "close", None)
            if callable(close):
                close()

    def __enter__(self) -> LogsClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
