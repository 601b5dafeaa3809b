"""A process that appends to and drains a spool until it is killed (driven by test_spool_sigkill.py).

Protocol on stdout, one flushed line per event::

    open <records recovered> <corrupt records>
    durable <id> <id> ...        after append() returned: these records are durable
    acking <id> <id> ...         before ack(): these records may or may not be acked after a crash
    acked <id> <id> ...          after ack() returned: these records must never come back
"""

from __future__ import annotations

import random
import sys

from azlogs.spool import Spool


def main() -> None:
    directory, run, seed = sys.argv[1], sys.argv[2], int(sys.argv[3])
    rng = random.Random(seed)
    spool = Spool.open(directory, max_bytes=64 << 20, segment_bytes=16 << 10)
    stats = spool.stats()
    print(f"open {stats.records_recovered} {stats.corrupt_records}", flush=True)
    n = 0
    while True:
        key = rng.choice(["nginx", "syslog"])
        ids = [f"{run}.{n + i}" for i in range(rng.randint(1, 40))]
        n += len(ids)
        spool.append(key, [i.encode() + b"|" + b"x" * rng.randint(0, 600) for i in ids])
        print("durable " + " ".join(ids), flush=True)
        if rng.random() < 0.4:
            batch = spool.lease(max_records=rng.randint(1, 60))
            if batch is None:
                continue
            leased = " ".join(r.split(b"|", 1)[0].decode() for r in batch.records)
            if rng.random() < 0.2:
                spool.nack(batch)
                continue
            print("acking " + leased, flush=True)
            spool.ack(batch)
            print("acked " + leased, flush=True)


if __name__ == "__main__":
    main()
