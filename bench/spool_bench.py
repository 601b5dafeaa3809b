"""Spool throughput: records/s appended, and leased + acked, for ~350-byte records.

A script, not a test: ``.venv/bin/python bench/spool_bench.py [--records N] [--batch N] [--dir DIR]``.
It prints one line per phase and the fsync count, with ``fsync="batch"`` (the default) and, for
comparison side by side in the same run, ``fsync="never"`` (the page-cache-only ceiling).
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import tempfile
import time

from azlogs.spool import OsStorage, Spool, StorageFile
from azlogs.spool._storage import OpenMode, OsFile


class CountingStorage(OsStorage):
    """The real disk, counting fsyncs."""

    def __init__(self) -> None:
        self.syncs = 0

    def open(self, path: str, mode: OpenMode) -> StorageFile:
        inner = super().open(path, mode)
        assert isinstance(inner, OsFile)
        storage = self

        class _Counted(OsFile):
            def sync(self) -> None:
                storage.syncs += 1
                super().sync()

        return _Counted(inner.fd, inner.path)


def make_records(count: int) -> list[bytes]:
    rng = random.Random(7)
    words = ["GET", "POST", "/api/orders", "/health", "200", "404", "503", "eastus", "westeurope"]
    out = []
    for i in range(count):
        body = " ".join(rng.choice(words) for _ in range(30))
        line = (
            f'{{"TimeGenerated":"2026-01-01T00:00:{i % 60:02d}Z","Computer":"vm-{i % 17}",'
            f'"RawData":"{body}","Seq":{i}}}'
        )
        out.append(line[:350].ljust(350).encode())
    return out


def run(directory: str, records: list[bytes], batch: int, fsync: str) -> None:
    shutil.rmtree(directory, ignore_errors=True)
    storage = CountingStorage()
    spool = Spool.open(directory, max_bytes=4 << 30, fsync=fsync, storage=storage)  # type: ignore[arg-type]
    keys = ["nginx", "syslog", "app"]
    start = time.perf_counter()
    for n, i in enumerate(range(0, len(records), batch)):
        spool.append(keys[n % len(keys)], records[i : i + batch])
    appended = time.perf_counter() - start
    syncs = storage.syncs
    start = time.perf_counter()
    drained = 0
    while (leased := spool.lease(max_records=1000, max_bytes=900_000)) is not None:
        drained += len(leased.records)
        spool.ack(leased)
    acked = time.perf_counter() - start
    assert drained == len(records), (drained, len(records))
    spool.close()
    mib = len(records) * 350 / 2**20
    print(
        f"fsync={fsync:<6} append  {len(records) / appended:>10,.0f} records/s  {mib / appended:7.1f} MiB/s"
        f"  ({len(records):,} records in batches of {batch}, {syncs} fsyncs)"
    )
    print(
        f"fsync={fsync:<6} lease+ack {drained / acked:>8,.0f} records/s  {mib / acked:7.1f} MiB/s"
        f"  (leases of <= 1000 records / 900 kB, {storage.syncs - syncs} fsyncs)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=200_000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--dir", default=None, help="spool directory (default: a temporary one)")
    args = parser.parse_args()
    records = make_records(args.records)
    base = args.dir or tempfile.mkdtemp(prefix="azlogs-spool-bench-")
    try:
        for fsync in ("batch", "never"):
            run(os.path.join(base, f"spool-{fsync}"), records, args.batch, fsync)
    finally:
        if args.dir is None:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
