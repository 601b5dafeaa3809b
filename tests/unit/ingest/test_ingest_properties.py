"""Properties of an upload under random record sizes and random failures (hypothesis).

Whatever the service does, every record is sent exactly once or reported failed, no body exceeds
the limit, and order within the stream is kept.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, event, given, settings
from ingest_fakes import LIMIT, STREAM, FakeClock, FakeCredential, Sink, make_client, responder, workloads

from azlogs.ingest import RetryPolicy


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(workloads())
def test_every_record_once_or_failed_within_limit_in_order(work: tuple[list[Any], list[str], int]) -> None:
    """Exactly-once-or-failed, body limit and order hold under random sizes and failures."""
    recs, outcomes, concurrency = work
    sink = Sink(respond=responder(outcomes))
    clock = FakeClock()
    policy = RetryPolicy(max_attempts=4, backoff_base=0.5, backoff_cap=5.0)
    with make_client(
        sink, FakeCredential(), clock, max_request_bytes=LIMIT, max_concurrency=concurrency, retry=policy
    ) as client:
        result = client.upload(STREAM, recs)

    event(f"concurrency {concurrency}")
    event("some failed" if result.failed else "all landed")
    if result.splits:
        event("split after 413")
    if result.retries:
        event("retried")
    landed = [r["i"] for r in sink.accepted]
    failed = [f.index for f in result.failed]
    # exactly once or failed: no duplicates, no overlap, nothing missing; only a stop (a refused
    # destination: two 401s in a row) leaves records unread, and then every record read is accounted for
    assert len(landed) == len(set(landed))
    assert not set(landed) & set(failed)
    assert sorted(landed + failed) == list(range(result.records_read))
    assert result.records_read == len(recs) or result.stopped is not None
    assert result.records_sent == len(landed)
    assert result.ok == (not failed)
    # no body over the limit, raw or gzip
    assert all(len(b) <= LIMIT for b in sink.bodies)
    assert all(len(r.content) <= LIMIT for r in sink.requests)
    # order: within each request always; across the stream when sent one request at a time
    for batch in sink.accepted_batches:
        ids = [r["i"] for r in batch]
        assert ids == sorted(ids)
    if concurrency == 1:
        assert landed == sorted(landed)
    # each failure says why
    assert all(f.reason for f in result.failed)
    assert result.requests == len(sink.requests)
