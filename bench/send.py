"""Sender benchmark: azlogs vs azure-monitor-ingestion on the same NDJSON file, side by side.

Both clients run in their own process with the emulated VM's managed identity, once into a minimal
HTTPS sink (gunzip, count, 204: the client's own cost) and once into the emulator (end to end).
Prints records/s and client CPU seconds of each, the ratios, and the floor: the CPU cost of only
serialising and gzipping the same records in 1 MiB batches.

Usage: python bench/send.py [--records 200000] [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import DEMO_COLUMNS, Background, make_records, start_emulator, vm_env, write_ndjson


def client_main(kind: str, endpoint: str, rule_id: str, stream: str, path: str) -> None:
    """Runs in the client subprocess: read the file, upload, print wall and CPU seconds as JSON."""
    # Imports and client construction are one-time costs of any process: the clock starts after them.
    # Reading and parsing the file is inside: each client gets the records the way its users do.
    if kind == "azlogs":
        from azlogs.ingest import LogsClient
        from azlogs.ingest.readers import RecordReader

        client = LogsClient(endpoint, rule_id)
        cpu0, wall0 = time.process_time(), time.perf_counter()
        # The path `azlogs send` takes: NDJSON lines checked once by the reader, sent as they are.
        with client:
            result = client.upload(stream, RecordReader([path], "ndjson"))
        sent, failed = result.records_sent, result.failed_count
    else:
        import os

        from azure.identity import ManagedIdentityCredential
        from azure.monitor.ingestion import LogsIngestionClient

        cred = ManagedIdentityCredential()
        sdk = LogsIngestionClient(endpoint, cred, connection_verify=os.environ["SSL_CERT_FILE"])
        cpu0, wall0 = time.process_time(), time.perf_counter()
        with open(path, "rb") as fh:
            logs = [json.loads(line) for line in fh]
        sdk.upload(rule_id=rule_id, stream_name=stream, logs=logs)
        sdk.close()
        sent, failed = len(logs), 0
    print(
        json.dumps(
            {
                "wall": time.perf_counter() - wall0,
                "cpu": time.process_time() - cpu0,
                "sent": sent,
                "failed": failed,
            }
        )
    )


def run_client(
    kind: str, env: dict[str, str], endpoint: str, rule_id: str, stream: str, path: Path
) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, "--client", kind, endpoint, rule_id, stream, str(path)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        raise SystemExit(f"{kind} client failed: {out.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def floor(records: list[dict[str, Any]]) -> float:
    """CPU seconds to serialise and gzip (level 1) the records in 1 MiB batches: nothing else."""
    import orjson

    cpu0 = time.process_time()
    batch: list[bytes] = []
    size = 2
    for r in records:
        b = orjson.dumps(r)
        if size + len(b) + 1 > 1_048_576:
            zlib.compress(b"[" + b",".join(batch) + b"]", 1)
            batch, size = [], 2
        batch.append(b)
        size += len(b) + 1
    if batch:
        zlib.compress(b"[" + b",".join(batch) + b"]", 1)
    return time.process_time() - cpu0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    n = args.records
    with tempfile.TemporaryDirectory(prefix="azlogs-bench-") as tmp:
        tmpdir = Path(tmp)
        records = make_records(n)
        data = tmpdir / "records.ndjson"
        write_ndjson(data, records)
        print(f"{n:,} records, {data.stat().st_size / n:.0f} bytes each on average")
        emu = start_emulator(tmpdir / "emu")
        sink = Background(
            [
                sys.executable,
                str(Path(__file__).parent / "sink.py"),
                str(tmpdir),
                str(tmpdir / "emu" / "tls"),
            ],
            tmpdir / "sink.json",
        )
        try:
            from tests.provisioning import provision_table

            pipe = provision_table(emu.info, "BenchSend_CL", DEMO_COLUMNS)
            env = vm_env(emu.info)
            targets = {
                "sink": (sink.doc["url"], "dcr-00000000000000000000000000000000", pipe.stream),
                "emulator": (pipe.endpoint, pipe.immutable_id, pipe.stream),
            }
            floor_cpu = statistics.median(floor(records) for _ in range(args.runs))
            print(
                f"floor (orjson + gzip level 1, 1 MiB batches): {n / floor_cpu:,.0f} records/s of CPU ({floor_cpu:.2f} s)"
            )
            for target, (endpoint, rule, stream) in targets.items():
                rows = {}
                for kind in ("azlogs", "sdk"):
                    runs = [run_client(kind, env, endpoint, rule, stream, data) for _ in range(args.runs)]
                    wall = statistics.median(r["wall"] for r in runs)
                    cpu = statistics.median(r["cpu"] for r in runs)
                    rows[kind] = (wall, cpu)
                    print(
                        f"  {target:8} {kind:6}: {n / wall:>10,.0f} records/s  client CPU {cpu:6.2f} s  (median of {args.runs})"
                    )
                (aw, ac), (sw, sc) = rows["azlogs"], rows["sdk"]
                print(
                    f"  {target:8} ratio : azlogs is {sw / aw:.1f}x the SDK's records/s; "
                    f"CPU {ac / sc:.2f}x the SDK's, {ac / floor_cpu:.2f}x the floor"
                )
        finally:
            sink.stop()
            emu.stop()


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--client":
        client_main(*sys.argv[2:7])
    else:
        main()
