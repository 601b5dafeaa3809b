"""What LogsClient and AsyncLogsClient share: configuration, the exchange's pure parts, and the
bookkeeping of one upload. Neither face repeats any of this; they only do the I/O."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping
from typing import Any

import httpx
from azure.core.credentials import TokenProvider
from azure.core.credentials_async import AsyncTokenProvider

from azlogs._exceptions import AzlogsError, InputError, NotSentError, UsageError
from azlogs._http import ClientOptions, RetryPolicy, Verify, check_endpoint
from azlogs.auth import Token
from azlogs.auth.clouds import Cloud, resolve_cloud
from azlogs.facts import MAX_BODY_BYTES
from azlogs.ingest._batching import Batch, Batcher
from azlogs.ingest._diagnose import Target
from azlogs.ingest._flow import Answer, BatchReport, Failure, FlowContext, oversize_failure
from azlogs.ingest._result import NOT_SENT, FailedRecord, UploadError, UploadResult
from azlogs.ingest._transport import ingestion_url

DEFAULT_API_VERSION = "2023-01-01"
# Requests in flight per upload, chosen with `bench/send_floor.py --sweep` (100,000 records of ~350
# bytes on 2 cores into a loopback sink subprocess): with no latency 1/2/4/8/16 gave 182k/236k/271k/
# 263k/216k records/s (the client is CPU-bound by 4); with 50 ms per request, as over a real network,
# 39k/75k/138k/219k/223k. 8 is near the best in both, at ~1.25 MiB of memory per request in flight.
DEFAULT_MAX_CONCURRENCY = 8

ErrorCallback = Callable[[UploadError], None]


def reason_text(error: AzlogsError) -> str:
    """One line: the message, then the fix."""
    return f"{error.message}; fix: {error.hint}" if error.hint else error.message


class ClientBase:
    """Configuration and pure helpers common to the sync and async clients."""

    def __init__(
        self,
        endpoint: str,
        rule_id: str,
        *,
        api_version: str,
        max_concurrency: int,
        timeout: float | httpx.Timeout | None,
        deadline: float | None,
        verify: Verify,
        retry: RetryPolicy | None,
        clock: Callable[[], float],
        wall: Callable[[], float],
        seed: int | None,
        max_request_bytes: int,
        cloud: Cloud | str | None = None,
    ) -> None:
        if not 3 <= max_request_bytes <= MAX_BODY_BYTES:
            raise UsageError(
                f"max_request_bytes must be between 3 and {MAX_BODY_BYTES}, got {max_request_bytes}"
            )
        if not rule_id or not rule_id.strip():
            raise UsageError("rule_id (the DCR immutable id, dcr-...) is required")
        if max_concurrency < 1:
            raise UsageError(f"max_concurrency must be at least 1, got {max_concurrency}")
        if deadline is not None and deadline <= 0:
            raise UsageError(f"deadline must be positive seconds or None, got {deadline}")
        self.endpoint = check_endpoint(endpoint)
        self.cloud = resolve_cloud(cloud, endpoint=self.endpoint)
        self.rule_id = rule_id.strip()
        self.api_version = api_version
        self.max_concurrency = max_concurrency
        self.deadline = deadline
        self.retry = retry or RetryPolicy()
        self._timeout = timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)
        self._verify = verify
        self._clock = clock
        self._wall = wall
        self._rng = random.Random(seed)
        self.max_request_bytes = max_request_bytes

    def _client_options(self, http2: bool) -> ClientOptions:
        """What both faces ask of azlogs._http's client factory (besides their transport)."""
        limits = httpx.Limits(
            max_connections=self.max_concurrency, max_keepalive_connections=self.max_concurrency
        )
        return {"verify": self._verify, "timeout": self._timeout, "http2": http2, "limits": limits}

    def _context(self, stream: str, deadline_at: float | None) -> FlowContext:
        if not stream or not stream.strip():
            raise UsageError("stream (the DCR stream name, e.g. Custom-MyTable_CL) is required")
        return FlowContext(
            target=Target(self.endpoint, self.rule_id, stream, self.cloud),
            policy=self.retry,
            clock=self._clock,
            wall=self._wall,
            rng=self._rng,
            deadline_at=deadline_at,
        )

    def _url(self, stream: str) -> str:
        return ingestion_url(self.endpoint, self.rule_id, stream)

    @staticmethod
    def _answer(response: httpx.Response, body_size: int, gzip_size: int, token: Token) -> Answer:
        return Answer(response.status_code, response.headers, response.content, body_size, gzip_size, token)

    def _oversize(self, gzip_size: int) -> Failure | None:
        limit = self.max_request_bytes
        return oversize_failure(gzip_size, limit) if gzip_size > limit else None

    def _state(self, on_error: ErrorCallback | None, fail_fast: bool) -> UploadState:
        return UploadState(
            on_error=on_error,
            fail_fast=fail_fast,
            deadline=self.deadline,
            clock=self._clock,
            batcher=Batcher(self.max_request_bytes),
        )


class UploadState:
    """Bookkeeping of one ``upload`` call: merges batch reports, calls ``on_error``, decides to stop."""

    def __init__(
        self,
        *,
        on_error: ErrorCallback | None,
        fail_fast: bool,
        deadline: float | None,
        clock: Callable[[], float],
        batcher: Batcher,
    ) -> None:
        self.result = UploadResult()
        self._on_error = on_error
        self._fail_fast = fail_fast
        self._clock = clock
        self._t0 = clock()
        self._perf0 = time.perf_counter()
        self.deadline_at = self._t0 + deadline if deadline is not None else None
        self.batcher = batcher

    @property
    def stopped(self) -> bool:
        """True once no further batch should be started."""
        return self.result.stopped is not None

    def stop(self, why: str) -> None:
        """Record why the upload stops (the first reason wins)."""
        if self.result.stopped is None:
            self.result.stopped = why

    def check_deadline(self) -> bool:
        """Stop when the deadline passed; True if the upload is stopped."""
        if self.deadline_at is not None and self._clock() >= self.deadline_at:
            self.stop("the upload deadline passed")
        return self.stopped

    def record_failed(self, item: FailedRecord) -> None:
        """A record the batcher refused (not serialisable, too large)."""
        self.result.failed.append(item)
        self._notify(UploadError(InputError(f"record {item.index}: {item.reason}"), [item]))
        if self._fail_fast:
            self.stop(f"fail_fast: record {item.index} failed")

    def batch_done(self, report: BatchReport) -> None:
        """Merge one batch's report."""
        res = self.result
        res.records_sent += report.sent
        res.bytes_sent += report.bytes_sent
        res.bytes_sent_gzip += report.bytes_gzip
        res.requests += report.requests
        res.retries += report.retries
        res.splits += report.splits
        if report.stop is not None:
            self.stop(report.stop)
        for failure in report.failures:
            reason = reason_text(failure.error)
            items = [FailedRecord(i, reason, failure.status, failure.code) for i in failure.batch.indexes]
            res.failed.extend(items)
            if self._fail_fast and failure.code != NOT_SENT:
                self.stop(f"fail_fast: {failure.error.message}")
            self._notify(UploadError(failure.error, items, list(failure.batch.parts)))

    def not_sent(self, batch: Batch) -> None:
        """A batch that was built but not started because the upload stopped."""
        why = self.result.stopped or "the upload stopped"
        reason = f"not sent: {why}"
        items = [FailedRecord(i, reason, None, NOT_SENT) for i in batch.indexes]
        self.result.failed.extend(items)
        self._notify(UploadError(NotSentError(reason), items, list(batch.parts)))

    def finish(self) -> UploadResult:
        """Account for records read but never batched, and close the books."""
        res = self.result
        if self.stopped:
            open_batch = self.batcher.flush()
            if open_batch is not None:
                self.not_sent(open_batch)
        res.records_read = self.batcher.read
        res.failed.sort(key=_index)
        res.duration = time.perf_counter() - self._perf0
        return res

    def _notify(self, error: UploadError) -> None:
        if self._on_error is not None:
            self._on_error(error)


def _index(item: FailedRecord) -> int:
    return item.index


def identity_config(
    client_id: str | None, object_id: str | None, resource_id: str | None
) -> Mapping[str, str] | None:
    """The ``identity_config`` of ManagedIdentityCredential for a user-assigned identity, or None.

    Raises:
        UsageError: more than one of the three was given.
    """
    given = {k: v for k, v in (("object_id", object_id), ("resource_id", resource_id)) if v}
    if (client_id and given) or len(given) > 1:
        raise UsageError("give at most one of client_id, object_id, resource_id")
    return given or None


def resolve_credential(
    credential: AsyncTokenProvider | TokenProvider | None,
    client_id: str | None,
    object_id: str | None,
    resource_id: str | None,
    managed_identity: Callable[..., Any],
) -> tuple[Any, bool]:
    """The credential to use and whether the client owns it (made here, closed with the client).

    ``None`` means the host's managed identity: ``managed_identity`` is azure-identity's sync or
    async ``ManagedIdentityCredential``, called with the user-assigned selection if one was given.

    Raises:
        UsageError: a user-assigned selection together with an explicit credential, or two selections.
    """
    config = identity_config(client_id, object_id, resource_id)
    if credential is None:
        return managed_identity(client_id=client_id, identity_config=config), True
    if client_id or config:
        raise UsageError("client_id/object_id/resource_id select a managed identity: pass no credential")
    return credential, False
