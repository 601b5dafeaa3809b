"""Emulator ingestion throughput: records/s accepted end to end, against Azure's per-DCR ceiling.

A script, not a test: ``.venv/bin/python bench/emulator_ingest.py [--records N] [--senders 4] [--runs 3]``.

It starts ``azlogs emulator start`` in a subprocess (its own data dir, the durable SQLite store),
provisions a table, a DCE, a DCR and the Monitoring Metrics Publisher role for the VM identity
through azlogs.provision against the emulator's ARM, gets the VM's token from IMDS, builds gzip
batches of about 1 MB of realistic ~350-byte records (azlogs.emulator.sample) before the clock
starts, then runs ``--senders`` threads, each an httpx client with keep-alive, posting the batches
over HTTPS. The clock covers HTTPS, gunzip, parse, authorization, coercion and the committed
SQLite transaction of every request (each 204 means the rows are durable). It prints records/s and
MB/s (uncompressed JSON) per run, the median, its ratio to the 100,000 records/s goal and to Azure's
documented per-DCR ceiling of 2 GB per minute, and checks that the store holds every record.

The emulator's byte-rate limit is raised for the run (``--config``) so a long run measures the
emulator, not the throttle it emulates.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from azlogs.discovery import Discovery
from bench._common import AZLOGS, DEMO_COLUMNS, Background, make_records

GOAL = 100_000
AZURE_DCR_BYTES_PER_MINUTE = 2 * 1024**3
TABLE = "Bench_CL"


def provision(info: Discovery) -> tuple[str, str]:
    """Table, DCE, DCR and role assignment through azlogs.provision; returns (ingestion URL, VM token)."""
    from tests.provisioning import provision_table

    pipe = provision_table(info, TABLE, DEMO_COLUMNS, dce=True)
    with httpx.Client(base_url=info.endpoints.imds, timeout=30) as c:
        r = c.get(
            "/metadata/identity/oauth2/token",
            params={"api-version": "2018-02-01", "resource": "https://monitor.azure.com"},
            headers={"Metadata": "true"},
        )
        r.raise_for_status()
        vm_token = r.json()["access_token"]
    url = f"{pipe.endpoint}/dataCollectionRules/{pipe.immutable_id}/streams/{pipe.stream}?api-version=2023-01-01"
    return url, vm_token


def build_batches(records: list[dict[str, Any]], batch_bytes: int) -> list[tuple[int, int, bytes]]:
    """(records, uncompressed bytes, gzip body) per batch of at most ``batch_bytes`` of JSON array."""
    batches = []
    current: list[bytes] = []
    size = 2
    for rec in records:
        raw = orjson.dumps(rec)
        if current and size + len(raw) + 1 > batch_bytes:
            body = b"[" + b",".join(current) + b"]"
            batches.append((len(current), len(body), gzip.compress(body, 6)))
            current, size = [], 2
        current.append(raw)
        size += len(raw) + 1
    if current:
        body = b"[" + b",".join(current) + b"]"
        batches.append((len(current), len(body), gzip.compress(body, 6)))
    return batches


def send_all(
    url: str, token: str, ca: str, batches: list[tuple[int, int, bytes]], senders: int
) -> tuple[float, int, int]:
    """Post every batch with ``senders`` keep-alive clients; (seconds, records, bytes) accepted."""
    headers = {
        "Authorization": f"Bearer {token}",
        "Content-Type": "application/json",
        "Content-Encoding": "gzip",
    }
    lock = threading.Lock()
    queue = iter(batches)
    done = [0, 0]
    failures: list[str] = []

    def sender() -> None:
        with httpx.Client(verify=ca, timeout=120) as client:
            while True:
                with lock:
                    batch = next(queue, None)
                if batch is None:
                    return
                n, raw, body = batch
                r = client.post(url, content=body, headers=headers)
                with lock:
                    if r.status_code == 204:
                        done[0] += n
                        done[1] += raw
                    else:
                        failures.append(f"{r.status_code} {r.text[:200]}")

    threads = [threading.Thread(target=sender) for _ in range(senders)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    if failures:
        raise SystemExit(f"{len(failures)} requests failed, first: {failures[0]}")
    return elapsed, done[0], done[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=600_000, help="records per run")
    parser.add_argument("--senders", type=int, default=4)
    parser.add_argument("--batch-bytes", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    records = make_records(args.records)
    batches = build_batches(records, args.batch_bytes)
    raw_total = sum(b[1] for b in batches)
    print(
        f"{len(records):,} records of {raw_total / len(records):.0f} bytes in {len(batches)} gzip batches "
        f"of ~{raw_total / len(batches) / 1e6:.2f} MB ({sum(len(b[2]) for b in batches) / len(batches) / 1e3:.0f} KB gzip); "
        f"{args.senders} senders"
    )
    rates = []
    with tempfile.TemporaryDirectory(prefix="azlogs-bench-") as tmp:
        for run in range(args.runs):
            data_dir = Path(tmp) / f"run{run}"
            data_dir.mkdir()
            config = data_dir.parent / "bench-config.json"
            config.write_text(json.dumps({"limits": {"bytes_per_minute": 1024**4}}))
            emu = Background(
                [AZLOGS, "emulator", "start", "--data-dir", str(data_dir), "--config", str(config)],
                data_dir / "emulator.json",
            )
            try:
                url, token = provision(emu.info)
                elapsed, accepted, nbytes = send_all(url, token, emu.info.ca_cert, batches, args.senders)
            finally:
                emu.stop()
            with sqlite3.connect(data_dir / "workspaces.db") as db:
                (name,) = db.execute(
                    "SELECT sqlite_name FROM _azlogs_tables WHERE table_key = ?", (TABLE.lower(),)
                ).fetchone()
                (stored,) = db.execute(f'SELECT count(*) FROM "{name}"').fetchone()
            rate = accepted / elapsed
            rates.append(rate)
            print(
                f"run {run + 1}: {accepted:,} records in {elapsed:.2f} s = {rate:,.0f} records/s, "
                f"{nbytes / elapsed / 1e6:.1f} MB/s; stored {stored:,}"
            )
            if stored != accepted:
                raise SystemExit(f"the store holds {stored:,} rows, {accepted:,} were accepted")
    median = statistics.median(rates)
    per_record = raw_total / len(records)
    azure_records = AZURE_DCR_BYTES_PER_MINUTE / 60 / per_record
    print(
        f"median {median:,.0f} records/s = {median / GOAL:.2f}x the {GOAL:,} records/s goal, "
        f"{median / azure_records:.2f}x Azure's per-DCR ceiling (2 GB/min = {azure_records:,.0f} records/s of this size)"
    )


if __name__ == "__main__":
    main()
