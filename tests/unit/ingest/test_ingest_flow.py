"""The per-batch flow driven by hand: the sans-I/O generator both clients share."""

from __future__ import annotations

import random
from collections.abc import Callable, Generator

import httpx
from ingest_fakes import ENDPOINT, RULE_ID, STREAM

from azlogs.ingest import RetryPolicy
from azlogs.ingest._batching import Batch, Batcher, iter_batches
from azlogs.ingest._diagnose import Target
from azlogs.ingest._flow import (
    Action,
    Answer,
    BatchReport,
    FlowContext,
    Reply,
    Send,
    Sleep,
    batch_flow,
    oversize_failure,
)


def one_batch(n: int) -> Batch:
    (batch,) = list(iter_batches([{"i": i} for i in range(n)], Batcher()))
    assert isinstance(batch, Batch)
    return batch


def drive(
    flow: Generator[Action, Reply | None, BatchReport],
    answer: Callable[[Send], Reply],
    reply: Reply | None = None,
) -> BatchReport:
    """A minimal driver: what LogsClient does, without HTTP."""
    while True:
        try:
            action = flow.send(reply)
        except StopIteration as stop:
            report: BatchReport = stop.value
            return report
        reply = None if isinstance(action, Sleep) else answer(action)


def ctx() -> FlowContext:
    return FlowContext(
        Target(ENDPOINT, RULE_ID, STREAM), RetryPolicy(), lambda: 0.0, lambda: 0.0, random.Random(1)
    )


def ok(action: Send) -> Reply:
    return Answer(204, httpx.Headers(), b"", action.batch.size, 10, None)


class TestOversizeGzip:
    def test_gzip_over_limit_splits_without_a_request(self) -> None:
        """A gzip body over the limit is split before sending and counts no request."""
        seen: list[int] = []

        def answer(action: Send) -> Reply:
            seen.append(len(action.batch))
            return oversize_failure(2_000_000, 1_048_576) if len(action.batch) > 2 else ok(action)

        report = drive(batch_flow(one_batch(8), ctx()), answer)
        assert seen == [8, 4, 2, 2, 4, 2, 2]
        assert report.sent == 8 and report.splits == 3 and report.requests == 4 and not report.failures

    def test_single_record_over_limit_fails_as_too_large(self) -> None:
        """One record whose gzip body is still over the limit fails with RecordTooLarge."""

        def answer(action: Send) -> Reply:
            return oversize_failure(1_100_000, 1_048_576) if 1 in action.batch.indexes else ok(action)

        report = drive(batch_flow(one_batch(2), ctx()), answer)
        assert report.sent == 1
        (failure,) = report.failures
        assert failure.batch.indexes == [1] and failure.code == "RecordTooLarge"
        assert "even gzipped" in failure.error.message


class TestFlowShape:
    def test_sleep_only_between_sends(self) -> None:
        """Retries yield Sleep then Send; success ends the flow with one report."""
        flow = batch_flow(one_batch(3), ctx())
        first = next(flow)
        assert isinstance(first, Send) and first.rejected is None
        second = flow.send(Answer(503, httpx.Headers({"Retry-After": "2"}), b"", 0, 0, None))
        assert isinstance(second, Sleep) and 2.0 <= second.seconds <= 2.25
        third = flow.send(None)
        assert isinstance(third, Send)
        report = drive(flow, ok, ok(third))
        assert report.sent == 3 and report.retries == 1 and report.requests == 2
