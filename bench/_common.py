"""Shared pieces of the benchmarks: realistic records, a running emulator, a minimal HTTPS sink."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from azlogs.discovery import Discovery
from azlogs.emulator.sample import COLUMNS as DEMO_COLUMNS
from azlogs.emulator.sample import make_records

__all__ = ["DEMO_COLUMNS", "make_records"]

ROOT = Path(__file__).resolve().parent.parent
AZLOGS = str(Path(sys.executable).parent / "azlogs")


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
        self.doc: dict[str, Any] = json.loads(ready_file.read_text())

    @property
    def info(self) -> Discovery:
        """The ready-file read as the emulator's emulator.json."""
        return Discovery.from_dict(self.doc, self.ready_file)

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


def vm_env(info: Discovery) -> dict[str, str]:
    """The environment of a process on the emulated VM (managed identity through IMDS)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AZURE_", "IDENTITY_", "IMDS_", "MSI_"))}
    env.update(
        {
            "AZURE_POD_IDENTITY_AUTHORITY_HOST": info.endpoints.imds,
            "REQUESTS_CA_BUNDLE": info.ca_cert,
            "SSL_CERT_FILE": info.ca_cert,
        }
    )
    return env
