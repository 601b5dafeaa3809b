"""Agent benchmark: lines/s tailed from a file to the emulator, and the agent's RSS under a backlog.

Two runs of the real agent (`azlogs agent run`, a subprocess with the emulated VM's identity):

1. tail -> emulator: a file of --lines NDJSON lines (~350 bytes each) is tailed, spooled and sent;
   the time until the agent's status counts every line as sent gives lines/s end to end.
2. backlog: the emulator refuses every request (503) while the agent tails --backlog-gb of lines into
   its spool (the agent's own tail+spool rate), then the refusals stop and the backlog drains. The
   agent's peak RSS (VmHWM) and CPU seconds are read from /proc for each phase.

Usage: python bench/agent.py [--lines 300000] [--backlog-gb 0.25] [--workers 4]
       python bench/agent.py --backlog-gb 1        # the 1 GB backlog of the README figure
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from azlogs.discovery import Discovery
from bench._common import AZLOGS, DEMO_COLUMNS, Background, vm_env

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
    "pool",
    "query",
    "slow",
    "flush",
]


def write_lines(path: Path, count: int, start: int = 0) -> int:
    """Append ``count`` realistic NDJSON lines; returns the bytes written."""
    rnd = random.Random(start)
    size = 0
    with open(path, "a") as fh:
        buf = []
        for i in range(start, start + count):
            rec = {
                "Level": rnd.choice(("Information", "Information", "Warning", "Error")),
                "Component": rnd.choice(("api", "worker", "scheduler", "ingest")),
                "Message": " ".join(rnd.choice(_WORDS) for _ in range(rnd.randint(20, 40))),
                "DurationMs": round(rnd.expovariate(1 / 40), 3),
                "StatusCode": rnd.choice((200, 200, 204, 404, 500)),
                "RequestId": f"{i:012d}",
                "Properties": {"seq": i, "shard": i % 16},
            }
            text = json.dumps(rec, separators=(",", ":")) + "\n"
            size += len(text)
            buf.append(text)
            if len(buf) >= 10_000:
                fh.write("".join(buf))
                buf.clear()
        fh.write("".join(buf))
    return size


def proc_figures(pid: int) -> dict[str, float]:
    """Peak and current RSS (MiB) and CPU seconds of a process, from /proc."""
    out: dict[str, float] = {}
    try:
        for row in Path(f"/proc/{pid}/status").read_text().splitlines():
            if row.startswith(("VmHWM:", "VmRSS:")):
                out[row.split(":")[0]] = int(row.split()[1]) / 1024
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        out["cpu"] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        pass
    return out


class Agent:
    """The agent subprocess and its status file."""

    def __init__(self, workdir: Path, info: Discovery, pipe: Any, logs: Path, workers: int) -> None:
        self.state = workdir / "state"
        self.config = workdir / "agent.toml"
        self.config.write_text(
            f"""
[agent]
state_dir = "{self.state}"
status_interval = 0.2
drain_timeout = 5
log_level = "warning"

[spool]
max_size = "8GiB"
segment_size = "64MiB"

[sender]
workers = {workers}

[[inputs]]
name = "bench"
paths = ["{logs}"]
endpoint = "{pipe.endpoint}"
dcr = "{pipe.immutable_id}"
stream = "{pipe.stream}"
id_column = "AzlogsId"
fields = {{ Computer = "bench-vm" }}
poll_interval = 0.05
"""
        )
        self.err = open(workdir / "agent.log", "ab")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [AZLOGS, "agent", "run", "--config", str(self.config)],
            env=vm_env(info),
            stdout=subprocess.DEVNULL,
            stderr=self.err,
        )
        self.started = time.perf_counter()

    def status(self) -> dict[str, Any]:
        try:
            doc: dict[str, Any] = json.loads((self.state / "status.json").read_text())
            return doc
        except (FileNotFoundError, json.JSONDecodeError):
            return {}

    def wait(self, key: str, value: int, timeout: float) -> float:
        """Seconds from start until ``totals[key] >= value``; samples RSS meanwhile."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            doc = self.status()
            if doc.get("pid") == self.proc.pid and (doc["totals"].get(key) or 0) >= value:
                return time.perf_counter() - self.started
            if self.proc.poll() is not None:
                raise RuntimeError(f"the agent exited with {self.proc.returncode}")
            time.sleep(0.1)
        raise RuntimeError(f"timed out: {key} did not reach {value}: {self.status().get('totals')}")

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(120)
        self.err.close()


def faults(info: Discovery, rule: dict[str, Any] | None) -> None:
    import ssl

    import httpx

    with httpx.Client(
        verify=ssl.create_default_context(cafile=info.ca_cert), timeout=30, headers=info.admin_headers
    ) as c:
        if rule is None:
            c.delete(f"{info.endpoints.arm}/_emulator/faults")
        else:
            c.post(f"{info.endpoints.arm}/_emulator/faults", json=rule).raise_for_status()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=300_000, help="lines for the tail -> emulator run")
    parser.add_argument(
        "--backlog-gb", type=float, default=0.25, help="backlog size for the RSS run (1 = 1 GB)"
    )
    parser.add_argument("--workers", type=int, default=4, help="sender threads")
    args = parser.parse_args()

    from tests.provisioning import provision_table

    columns = [*DEMO_COLUMNS, {"name": "AzlogsId", "type": "string"}]
    with tempfile.TemporaryDirectory(prefix="azlogs-bench-agent-") as tmp:
        work = Path(tmp)
        emu = Background(
            [AZLOGS, "emulator", "start", "--data-dir", str(work / "emu")], work / "emu" / "emulator.json"
        )
        try:
            info = emu.info
            print(f"agent benchmark: {os.cpu_count()} CPUs, python {sys.version.split()[0]}")

            # 1. tail -> emulator, end to end
            run1 = work / "run1"
            run1.mkdir()
            size = write_lines(run1 / "app.log", args.lines)
            pipe = provision_table(info, "BenchAgent_CL", columns)
            agent = Agent(run1, info, pipe, run1 / "app.log", args.workers)
            seconds = agent.wait("sent", args.lines, timeout=3600)
            figures = proc_figures(agent.proc.pid)
            agent.stop()
            print(
                f"tail -> emulator: {args.lines:,} lines ({size / 2**20:,.0f} MiB) in {seconds:.1f} s = "
                f"{args.lines / seconds:,.0f} lines/s ({size / 2**20 / seconds:.1f} MiB/s); agent CPU "
                f"{figures.get('cpu', 0):.1f} s, peak RSS {figures.get('VmHWM', 0):.0f} MiB"
            )

            # 2. a backlog while the service refuses, then the drain
            run2 = work / "run2"
            run2.mkdir()
            target = int(args.backlog_gb * 2**30)
            written = lines = 0
            while written < target:
                step = 200_000
                written += write_lines(run2 / "app.log", step, lines)
                lines += step
            pipe2 = provision_table(info, "BenchBacklog_CL", columns)
            faults(info, {"endpoint": "ingestion", "status": 503})
            agent = Agent(run2, info, pipe2, run2 / "app.log", args.workers)
            spooled_s = agent.wait("records_in", lines, timeout=7200)
            during = proc_figures(agent.proc.pid)
            faults(info, None)
            t0 = time.perf_counter()
            agent.wait("sent", lines, timeout=7200)
            drain_s = time.perf_counter() - t0
            after = proc_figures(agent.proc.pid)
            agent.stop()
            print(
                f"backlog: {lines:,} lines ({written / 2**30:.2f} GiB) tailed into the spool in {spooled_s:.1f} s = "
                f"{lines / spooled_s:,.0f} lines/s; RSS {during.get('VmRSS', 0):.0f} MiB with the backlog spooled"
            )
            print(
                f"drain: {lines:,} spooled lines sent in {drain_s:.1f} s = {lines / drain_s:,.0f} lines/s; "
                f"agent peak RSS over the whole run {after.get('VmHWM', 0):.0f} MiB, CPU {after.get('cpu', 0):.1f} s"
            )
        finally:
            emu.stop()


if __name__ == "__main__":
    main()
