"""Syslog and CEF benchmark: lines per CPU-second of the agent, TCP sender -> agent -> emulator, against the
published Azure Monitor pipeline figures; and the agent's RSS under a backlog.

The real agent (`azlogs agent run`, a subprocess with the emulated VM's identity) serves a syslog (then a
cef) input over TCP; one sender streams --lines realistic lines (sshd, sudo, kernel, cron in RFC 3164
and RFC 5424; firewall CEF) as fast as the agent takes them; the run ends when the agent's status counts
every line as accepted by the emulator's Syslog (CommonSecurityLog) table. The agent's CPU seconds
(utime + stime from /proc) give lines per CPU-second, compared with the sizing guidance of the Azure
Monitor pipeline (Learn, azure-monitor/data-collection/pipeline-*, as issue 16 quotes it): about 11,000 syslog messages/s per vCPU parsed into the Syslog table (25,000/s received
raw) and about 5,500 CEF messages/s per vCPU. The backlog run refuses every request (503) while
--backlog lines arrive, and reads the agent's RSS with them spooled.

Usage: python bench/syslog.py [--lines 200000] [--backlog 500000]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import AZLOGS, Background, vm_env
from bench.agent import faults, proc_figures

PIPELINE_SYSLOG_PARSED = 11_000  # messages/s per vCPU into Syslog (Azure Monitor pipeline sizing)
PIPELINE_SYSLOG_RAW = 25_000
PIPELINE_CEF = 5_500

_USERS = ["root", "ops", "deploy", "alice", "bob", "backup"]
_HOSTS = [f"web-{i:02d}" for i in range(12)] + ["db-01", "bastion", "lb-02"]


def syslog_lines(count: int, seed: int = 1) -> list[bytes]:
    """Realistic syslog lines, three of four RFC 3164 and one RFC 5424, LF-framed."""
    rnd = random.Random(seed)
    out = []
    for i in range(count):
        host = rnd.choice(_HOSTS)
        user = rnd.choice(_USERS)
        ip = f"10.{rnd.randint(0, 255)}.{rnd.randint(0, 255)}.{rnd.randint(1, 254)}"
        kind = i % 4
        if kind == 0:
            text = f"<38>Dec  4 05:{i % 60:02d}:{i % 60:02d} {host} sshd[{1000 + i % 30000}]: Accepted publickey for {user} from {ip} port {rnd.randint(1024, 65535)} ssh2: ED25519 SHA256:{rnd.getrandbits(64):016x}"
        elif kind == 1:
            text = f"<85>Dec  4 05:{i % 60:02d}:{i % 60:02d} {host} sudo[{2000 + i % 30000}]: {user} : TTY=pts/{i % 8} ; PWD=/home/{user} ; USER=root ; COMMAND=/usr/bin/systemctl restart nginx"
        elif kind == 2:
            text = f"<4>Dec  4 05:{i % 60:02d}:{i % 60:02d} {host} kernel: [{i * 0.37:.6f}] nf_conntrack: table full, dropping packet from {ip}"
        else:
            text = f'<78>1 2026-12-04T05:{i % 60:02d}:{i % 60:02d}.{i % 1000:03d}Z {host} CRON {3000 + i % 30000} - [meta sequenceId="{i}"] ({user}) CMD (/usr/local/bin/backup --incremental)'
        out.append(text.encode() + b"\n")
    return out


def cef_lines(count: int, seed: int = 2) -> list[bytes]:
    """Firewall CEF lines over RFC 3164 syslog, LF-framed."""
    rnd = random.Random(seed)
    out = []
    for i in range(count):
        src = f"10.{rnd.randint(0, 255)}.{rnd.randint(0, 255)}.{rnd.randint(1, 254)}"
        dst = f"198.51.100.{rnd.randint(1, 254)}"
        act = rnd.choice(("allow", "deny", "drop"))
        text = (
            f"<134>Dec  4 05:{i % 60:02d}:{i % 60:02d} fw-{i % 4} CEF:0|Palo Alto Networks|PAN-OS|11.1.2|end|TRAFFIC|3|"
            f"rt=Dec 04 2026 05:{i % 60:02d}:{i % 60:02d} GMT deviceExternalId=0123456789 src={src} dst={dst} "
            f"sourceTranslatedAddress=203.0.113.{i % 250} spt={rnd.randint(1024, 65535)} dpt={rnd.choice((443, 80, 53, 22))} "
            f"proto=TCP act={act} suser=corp\\\\{rnd.choice(_USERS)} cs1Label=Rule cs1=allow-web cs2Label=App cs2=ssl "
            f"in={rnd.randint(100, 99999)} out={rnd.randint(100, 99999)} cnt=1 PanOSSessionID={i}"
        )
        out.append(text.encode() + b"\n")
    return out


class SyslogAgent:
    """The agent subprocess with one TCP input of ``kind`` into ``pipe``."""

    def __init__(self, work: Path, info: Any, kind: str, pipe: dict[str, str], workers: int) -> None:
        self.state = work / "state"
        config = work / "agent.toml"
        config.write_text(
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
name = "net"
type = "{kind}"
protocol = "tcp"
listen = "127.0.0.1:0"
endpoint = "{pipe["endpoint"]}"
dcr = "{pipe["dcr"]}"
stream = "{pipe["stream"]}"
"""
        )
        self.err = open(work / "agent.log", "ab")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [AZLOGS, "agent", "run", "--config", str(config)],
            env=vm_env(info),
            stdout=subprocess.DEVNULL,
            stderr=self.err,
        )

    def status(self) -> dict[str, Any]:
        try:
            doc: dict[str, Any] = json.loads((self.state / "status.json").read_text())
        except (FileNotFoundError, json.JSONDecodeError):
            return {}
        return doc if doc.get("pid") == self.proc.pid else {}

    def address(self) -> tuple[str, int]:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            listen = self.status().get("inputs", {}).get("net", {}).get("listen")
            if listen:
                host, port = listen.split("://", 1)[1].rsplit(":", 1)
                return host, int(port)
            if self.proc.poll() is not None:
                raise RuntimeError(f"the agent exited with {self.proc.returncode}")
            time.sleep(0.05)
        raise RuntimeError("the agent did not listen")

    def wait(self, section: str, key: str, value: int, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            doc = self.status()
            got = (
                doc.get(section, {}).get(key)
                if section != "input"
                else doc.get("inputs", {}).get("net", {}).get(key)
            )
            if (got or 0) >= value:
                return
            if self.proc.poll() is not None:
                raise RuntimeError(f"the agent exited with {self.proc.returncode}")
            time.sleep(0.05)
        raise RuntimeError(f"timed out: {section}.{key} did not reach {value}")

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(120)
        self.err.close()


def send_all(address: tuple[str, int], lines: list[bytes]) -> None:
    with socket.create_connection(address) as s:
        for i in range(0, len(lines), 500):
            s.sendall(b"".join(lines[i : i + 500]))


def run(info: Any, work: Path, kind: str, lines: list[bytes], workers: int) -> dict[str, float]:
    from tests.provisioning import builtin_table_pipeline

    table = "Syslog" if kind == "syslog" else "CommonSecurityLog"
    pipe = builtin_table_pipeline(info, table)
    work.mkdir()
    agent = SyslogAgent(work, info, kind, pipe, workers)
    address = agent.address()
    cpu0 = proc_figures(agent.proc.pid).get("cpu", 0.0)
    t0 = time.perf_counter()
    sender = threading.Thread(target=send_all, args=(address, lines))
    sender.start()
    agent.wait("totals", "sent", len(lines), timeout=3600)
    seconds = time.perf_counter() - t0
    sender.join()
    fig = proc_figures(agent.proc.pid)
    agent.stop()
    cpu = fig.get("cpu", 0.0) - cpu0
    return {"seconds": seconds, "cpu": cpu, "rss": fig.get("VmHWM", 0.0), "bytes": sum(map(len, lines))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=200_000, help="lines per run")
    parser.add_argument(
        "--backlog", type=int, default=500_000, help="lines spooled while the service refuses"
    )
    parser.add_argument("--workers", type=int, default=4, help="sender threads of the agent")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="azlogs-bench-syslog-") as tmp:
        work = Path(tmp)
        emu = Background(
            [AZLOGS, "emulator", "start", "--in-memory", "--data-dir", str(work / "emu")],
            work / "emu" / "emulator.json",
        )
        try:
            info = emu.info
            print(
                f"syslog benchmark: {os.cpu_count()} CPUs, python {sys.version.split()[0]}, {args.lines:,} lines a run"
            )
            for kind, lines, published in (
                ("syslog", syslog_lines(args.lines), PIPELINE_SYSLOG_PARSED),
                ("cef", cef_lines(args.lines), PIPELINE_CEF),
            ):
                r = run(info, work / kind, kind, lines, args.workers)
                per_cpu = args.lines / r["cpu"] if r["cpu"] else float("inf")
                print(
                    f"{kind}: {args.lines:,} lines ({r['bytes'] / 2**20:.0f} MiB) TCP -> agent -> emulator in "
                    f"{r['seconds']:.1f} s = {args.lines / r['seconds']:,.0f} lines/s; agent CPU {r['cpu']:.1f} s = "
                    f"{per_cpu:,.0f} lines per CPU-second; ratio to the pipeline's {published:,}/s per vCPU: "
                    f"{per_cpu / published:.2f}"
                    + (
                        f" (raw receive: {per_cpu / PIPELINE_SYSLOG_RAW:.2f} of 25,000)"
                        if kind == "syslog"
                        else ""
                    )
                    + f"; peak RSS {r['rss']:.0f} MiB"
                )

            # backlog: the service refuses while lines arrive; RSS with them spooled
            from tests.provisioning import builtin_table_pipeline

            pipe = builtin_table_pipeline(info, "Syslog")
            (work / "backlog").mkdir()
            faults(info, {"endpoint": "ingestion", "status": 503})
            agent = SyslogAgent(work / "backlog", info, "syslog", pipe, args.workers)
            lines = syslog_lines(args.backlog, seed=3)
            t0 = time.perf_counter()
            send_all(agent.address(), lines)
            agent.wait("input", "records_in", args.backlog, timeout=3600)
            spooled_s = time.perf_counter() - t0
            fig = proc_figures(agent.proc.pid)
            faults(info, None)
            agent.stop()
            print(
                f"backlog: {args.backlog:,} lines ({sum(map(len, lines)) / 2**20:.0f} MiB) spooled in {spooled_s:.1f} s "
                f"while the service refused; agent RSS {fig.get('VmRSS', 0):.0f} MiB (peak {fig.get('VmHWM', 0):.0f} MiB)"
            )
        finally:
            emu.stop()


if __name__ == "__main__":
    main()
