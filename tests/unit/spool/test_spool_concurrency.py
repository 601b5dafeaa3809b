"""Input threads appending while sender threads lease, ack and nack: nothing lost, nothing doubled."""

from __future__ import annotations

import random
import threading
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from azlogs.spool import Batch, Spool

Drain = Callable[..., list[tuple[str, bytes]]]

KiB = 1024
APPENDERS = 4
BATCHES = 40
PER_BATCH = 25
SENDERS = 3


def test_concurrent_appenders_and_senders_lose_and_duplicate_nothing(spool_dir: Path, drain: Drain) -> None:
    """Every record is acked exactly once, first handed out in append order, under a small max_bytes."""
    spool = Spool.open(spool_dir, max_bytes=64 * KiB, segment_bytes=8 * KiB, block_timeout=60)
    total = APPENDERS * BATCHES * PER_BATCH
    acked: Counter[bytes] = Counter()
    leased_now: set[bytes] = set()
    first_leases: list[tuple[int, str, list[bytes]]] = []
    failures: list[str] = []
    lock = threading.Lock()
    appenders_done = threading.Event()

    def appender(n: int) -> None:
        for b in range(BATCHES):
            spool.append(
                f"input-{n}", [b"%d:%05d:" % (n, b * PER_BATCH + i) + b"x" * 60 for i in range(PER_BATCH)]
            )

    def sender(seed: int) -> None:
        rng = random.Random(seed)
        while True:
            batch: Batch | None = spool.lease(max_records=rng.randint(1, 40), wait=0.05)
            if batch is None:
                with lock:
                    if appenders_done.is_set() and sum(acked.values()) >= total:
                        return
                continue
            with lock:
                overlap = leased_now.intersection(batch.records)
                if overlap:
                    failures.append(f"leased twice at once: {sorted(overlap)[:3]}")
                leased_now.update(batch.records)
                first_leases.append((batch.lease_id, batch.stream_key, list(batch.records)))
            if rng.random() < 0.2:
                with lock:
                    leased_now.difference_update(batch.records)
                spool.nack(batch)
                continue
            with lock:
                leased_now.difference_update(batch.records)
                acked.update(batch.records)
            spool.ack(batch)

    threads = [threading.Thread(target=appender, args=(n,)) for n in range(APPENDERS)]
    threads += [threading.Thread(target=sender, args=(s,)) for s in range(SENDERS)]
    for thread in threads:
        thread.start()
    for thread in threads[:APPENDERS]:
        thread.join(120)
    appenders_done.set()
    for thread in threads[APPENDERS:]:
        thread.join(120)
    assert not any(t.is_alive() for t in threads)
    assert failures == []
    assert len(acked) == total
    assert set(acked.values()) == {1}
    stats = spool.stats()
    assert (stats.records_appended, stats.records_acked, stats.records_pending) == (total, total, 0)
    spool.close()

    # Order per stream key: the first time each record is handed out follows append order.
    seen: set[bytes] = set()
    order: dict[str, list[int]] = {}
    for _, key, records in sorted(first_leases):
        for record in records:
            if record not in seen:
                seen.add(record)
                order.setdefault(key, []).append(int(record.split(b":")[1]))
    assert all(numbers == sorted(numbers) for numbers in order.values())

    with Spool.open(spool_dir, max_bytes=64 * KiB, segment_bytes=8 * KiB) as spool:
        assert spool.stats().records_recovered == 0
        assert drain(spool) == []
