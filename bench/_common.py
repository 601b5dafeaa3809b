"""Shared pieces of the benchmarks: realistic records, a running emulator, a minimal HTTPS sink."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
AZLOGS = str(Path(sys.executable).parent / "azlogs")

DEMO_COLUMNS = [
    {"name": "TimeGenerated", "type": "datetime"},
    {"name": "Computer", "type": "string"},
    {"name": "Level", "type": "string"},
    {"name": "Component", "type": "string"},
    {"name": "Message", "type": "string"},
    {"name": "DurationMs", "type": "real"},
    {"name": "StatusCode", "type": "int"},
    {"name": "RequestId", "type": "string"},
    {"name": "Properties", "type": "dynamic"},
]

_WORDS = [
    "request",
    "processed",
    "user",
    "session",
    "cache",
    "miss",
    "hit",
    "retry",
    "upstream",
    "timeout",
    "connection",
    "pool",
    "database",
    "query",
    "slow",
    "fast",
    "token",
    "refresh",
    "disk",
    "queue",
    "worker",
    "batch",
    "flush",
    "commit",
    "rollback",
    "config",
    "reload",
    "health",
]


def make_records(n: int, seed: int = 7) -> list[dict[str, Any]]:
    """Realistic mixed-width log records of about 350 bytes as JSON."""
    rnd = random.Random(seed)
    base = time.time() - 3600
    out = []
    for i in range(n):
        words = rnd.randint(6, 30)
        out.append(
            {
                "TimeGenerated": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(base + i * 0.01))
                + f".{i % 1000:03d}Z",
                "Computer": f"vm-{rnd.randint(1, 40):03d}.contoso.internal",
                "Level": rnd.choice(
                    ("Information", "Information", "Information", "Warning", "Error", "Debug")
                ),
                "Component": rnd.choice(("api", "worker", "scheduler", "ingest", "auth")),
                "Message": " ".join(rnd.choice(_WORDS) for _ in range(words)),
                "DurationMs": round(rnd.expovariate(1 / 40), 3),
                "StatusCode": rnd.choice((200, 200, 200, 201, 204, 400, 404, 429, 500)),
                "RequestId": f"{rnd.getrandbits(128):032x}",
                "Properties": {"region": rnd.choice(("eastus", "westeurope")), "attempt": rnd.randint(1, 3)},
            }
        )
    return out


def write_ndjson(path: Path, records: list[dict[str, Any]]) -> None:
    with open(path, "w") as fh:
        for r in records:
            fh.write(json.dumps(r, separators=(",", ":")) + "\n")


class Background:
    """A subprocess that writes a JSON ready-file; stopped with SIGTERM."""

    def __init__(self, argv: list[str], ready_file: Path, env: dict[str, str] | None = None) -> None:
        self.ready_file = ready_file
        if ready_file.exists():
            ready_file.unlink()
        self.proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        deadline = time.monotonic() + 60
        while not ready_file.exists():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{argv[:3]} did not start")
            time.sleep(0.05)
        time.sleep(0.05)
        self.info: dict[str, Any] = json.loads(ready_file.read_text())
        self.info["_path"] = str(ready_file)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def start_emulator(data_dir: Path) -> Background:
    return Background(
        [AZLOGS, "emulator", "start", "--in-memory", "--data-dir", str(data_dir)], data_dir / "emulator.json"
    )


def vm_env(info: dict[str, Any]) -> dict[str, str]:
    """The environment of a process on the emulated VM (managed identity through IMDS)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AZURE_", "IDENTITY_", "IMDS_", "MSI_"))}
    env.update(
        {
            "AZURE_POD_IDENTITY_AUTHORITY_HOST": info["endpoints"]["imds"],
            "REQUESTS_CA_BUNDLE": info["ca_cert"],
            "SSL_CERT_FILE": info["ca_cert"],
        }
    )
    return env
