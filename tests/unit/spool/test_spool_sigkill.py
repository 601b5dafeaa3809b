"""SIGKILL a real writer process at random moments; every record it reported durable survives."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from azlogs.spool import Spool

WRITER = Path(__file__).with_name("sigkill_writer.py")
RUNS = 4


def _kill_after(proc: subprocess.Popen[str], lines: int) -> list[str]:
    """Read ``lines`` protocol lines, SIGKILL the writer, and return every complete line it wrote."""
    assert proc.stdout is not None
    seen: list[str] = []
    while len(seen) < lines:
        line = proc.stdout.readline()
        if not line:
            break
        seen.append(line)
    os.kill(proc.pid, signal.SIGKILL)
    rest = proc.stdout.read()
    proc.wait(30)
    seen.extend(rest.splitlines(keepends=True))
    return [line.rstrip("\n") for line in seen if line.endswith("\n")]


@pytest.mark.slow
def test_sigkill_at_random_moments_loses_no_durable_record(tmp_path: Path) -> None:
    """Across several SIGKILLs and restarts, durable unacked records all come back, acked ones never."""
    rng = random.Random(20260501)
    spool_dir = tmp_path / "spool"
    durable: set[str] = set()
    acked: set[str] = set()
    acking: set[str] = set()
    for run in range(RUNS):
        proc = subprocess.Popen(
            [sys.executable, str(WRITER), str(spool_dir), str(run), str(rng.randrange(2**32))],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            lines = _kill_after(proc, rng.randint(20, 300))
        finally:
            if proc.poll() is None:  # pragma: no cover - only if reading failed
                proc.kill()
                proc.wait(30)
            assert proc.stderr is not None and proc.stdout is not None
            stderr = proc.stderr.read()
            proc.stderr.close()
            proc.stdout.close()
        assert lines and lines[0].startswith("open "), stderr
        assert lines[0].split()[2] == "0", "the writer found corrupt records after a SIGKILL"
        for line in lines[1:]:
            kind, *ids = line.split()
            if kind == "durable":
                durable.update(ids)
            elif kind == "acking":
                acking.update(ids)
            elif kind == "acked":
                acked.update(ids)
        assert proc.returncode == -signal.SIGKILL

    with Spool.open(spool_dir, max_bytes=64 << 20, segment_bytes=16 << 10) as spool:
        stats = spool.stats()
        delivered: list[str] = []
        while (batch := spool.lease()) is not None:
            delivered.extend(r.split(b"|", 1)[0].decode() for r in batch.records)
            spool.ack(batch)
    got = set(delivered)
    assert len(got) == len(delivered), "a record came back twice"
    assert not got & acked, "an acked record came back"
    assert durable - acked - acking <= got, f"lost: {sorted(durable - acked - acking - got)[:5]}"
    # Only records of the append each kill interrupted may appear without a "durable" line: in
    # each run, at most one batch (<= 40 records) right after the last one reported durable.
    for run in range(RUNS):
        reported = [int(i.split(".")[1]) for i in durable if i.startswith(f"{run}.")]
        extra = sorted(int(i.split(".")[1]) for i in got - durable if i.startswith(f"{run}."))
        assert all(max(reported, default=-1) < n <= max(reported, default=-1) + 40 for n in extra)
    assert stats.corrupt_records == 0
    assert len(durable) > RUNS * 20
