"""Bridge benchmark: records/s from legacy Data Collector API senders through the agent's bridge (HTTP,
SharedKey check, durable spool append, Logs Ingestion API) into the emulator, against ``azlogs send``
(the library path it takes: RecordReader -> LogsClient.upload) on the same records and emulator.

1. ``azlogs send``: the records as an NDJSON file, uploaded to a DCR (median of --runs);
2. the bridge: ``azlogs agent run`` with a data-collector input on 127.0.0.1 (plain HTTP, fsync per
   append); --senders threads post signed batches of --batch records, each waiting for its 200 (durable
   in the spool) before the next. The clock stops when the agent's status counts every record as sent
   (accepted by the emulator). The senders' own rate (every 200 received) is printed too.

Both runs send the same records (the demo's, without TimeGenerated, which the Data Collector API
refuses as a reserved property) to twin tables through twin DCRs whose transformKql sets TimeGenerated.

Usage: python bench/bridge.py [--records 100000] [--batch 500] [--senders 4] [--runs 3]
"""

from __future__ import annotations

import argparse
import email.utils
import json
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import AZLOGS, DEMO_COLUMNS, make_records, start_emulator, vm_env, write_ndjson
from bench.agent import Agent as _AgentStatus
from bench.agent import proc_figures
from bench.send import run_client


def pipeline(info: dict[str, Any], table: str) -> Any:
    from tests.provisioning import provision_document

    stream = [c for c in DEMO_COLUMNS if c["name"] != "TimeGenerated"]
    stream = [{**c, "type": "long"} if c["type"] == "int" else c for c in stream]
    doc = {
        "table": {"properties": {"schema": {"name": table, "columns": DEMO_COLUMNS}}},
        "stream": {"name": f"Custom-{table}", "columns": stream},
        "transformKql": "source | extend TimeGenerated = now()",
    }
    return provision_document(info, table, doc)


def shared_key(info: dict[str, Any]) -> str:
    import ssl

    import httpx

    from tests.provisioning import admin_token

    token = admin_token(info)
    with httpx.Client(verify=ssl.create_default_context(cafile=info.ca_cert), timeout=30) as c:
        r = c.post(
            f"{info.endpoints.arm}{info.workspace.resource_id}/sharedKeys",
            params={"api-version": "2020-08-01"},
            headers={"Authorization": f"Bearer {token}"},
        )
    r.raise_for_status()
    return str(r.json()["primarySharedKey"])


class Bridge(_AgentStatus):
    """The agent with one data-collector input (the status helpers of bench/agent.py)."""

    def __init__(self, work: Path, info: dict[str, Any], pipe: Any, key: str, port: int) -> None:
        import subprocess

        (work / "key").write_text(key)
        self.state = work / "state"
        self.config = work / "agent.toml"
        self.config.write_text(
            f"""
[agent]
state_dir = "{self.state}"
status_interval = 0.1
drain_timeout = 5
log_level = "warning"

[spool]
max_size = "4GiB"
segment_size = "64MiB"

[sender]
workers = 4

[[inputs]]
name = "legacy"
type = "data-collector"
listen = "127.0.0.1:{port}"
workspace_id = "{info.workspace.id}"
shared_key_file = "key"
max_requests = 8
log_types = {{ Bench = {{ endpoint = "{pipe.endpoint}", dcr = "{pipe.immutable_id}", stream = "{pipe.stream}" }} }}
"""
        )
        self.err = open(work / "agent.log", "ab")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [AZLOGS, "agent", "run", "--config", str(self.config)],
            env=vm_env(info),
            stdout=subprocess.DEVNULL,
            stderr=self.err,
        )
        self.started = time.perf_counter()


def post_all(port: int, workspace: str, key: str, bodies: list[bytes], senders: int) -> float:
    """Post every body with ``senders`` threads (each its own keep-alive connection); seconds taken."""
    import httpx

    from azlogs.schema.datacollector import authorization

    todo = list(reversed(bodies))
    lock = threading.Lock()
    errors: list[str] = []

    def work() -> None:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", trust_env=False, timeout=120) as c:
            while True:
                with lock:
                    if not todo or errors:
                        return
                    body = todo.pop()
                date = email.utils.formatdate(usegmt=True)
                headers = {
                    "Content-Type": "application/json",
                    "Log-Type": "Bench",
                    "x-ms-date": date,
                    "Authorization": authorization(workspace, key, len(body), date),
                }
                r = c.post("/api/logs?api-version=2016-04-01", content=body, headers=headers)
                if r.status_code != 200:
                    errors.append(f"{r.status_code} {r.text[:200]}")

    threads = [threading.Thread(target=work) for _ in range(senders)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise SystemExit(f"the bridge refused a post: {errors[0]}")
    return time.perf_counter() - t0


def wait_listening(port: int, timeout: float = 60) -> None:
    import socket

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise SystemExit("the bridge did not start listening")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=500, help="records per Data Collector post")
    parser.add_argument("--senders", type=int, default=4, help="concurrent legacy senders")
    parser.add_argument("--runs", type=int, default=3, help="runs of azlogs send (median)")
    args = parser.parse_args()
    n = args.records
    records = [{k: v for k, v in r.items() if k != "TimeGenerated"} for r in make_records(n)]
    with tempfile.TemporaryDirectory(prefix="azlogs-bench-bridge-") as tmp:
        work = Path(tmp)
        data = work / "records.ndjson"
        write_ndjson(data, records)
        bodies = [json.dumps(records[i : i + args.batch]).encode() for i in range(0, n, args.batch)]
        print(f"{n:,} records, {data.stat().st_size / n:.0f} bytes each; posts of {args.batch} records")
        emu = start_emulator(work / "emu")
        try:
            info = emu.info
            env = vm_env(info)
            send_pipe = pipeline(info, "BenchBridgeSend_CL")
            runs = [
                run_client("azlogs", env, send_pipe.endpoint, send_pipe.immutable_id, send_pipe.stream, data)
                for _ in range(args.runs)
            ]
            send_wall = statistics.median(r["wall"] for r in runs)
            send_cpu = statistics.median(r["cpu"] for r in runs)
            print(
                f"  azlogs send : {n / send_wall:>9,.0f} records/s, client CPU {send_cpu:.2f} s (median of {args.runs})"
            )

            bridge_pipe = pipeline(info, "BenchBridge_CL")
            from tests.integration.test_agent_harness import free_port

            port = free_port()
            bridge = Bridge(work, info, bridge_pipe, shared_key(info), port)
            try:
                wait_listening(port)
                t0 = time.perf_counter()
                posted = post_all(port, info.workspace.id, shared_key(info), bodies, args.senders)
                bridge.started = t0
                total = bridge.wait("sent", n, timeout=3600)
                figures = proc_figures(bridge.proc.pid)
            finally:
                bridge.stop()
            print(
                f"  bridge      : {n / total:>9,.0f} records/s through the spool into the emulator "
                f"({args.senders} senders; every 200 after {posted:.1f} s = {n / posted:,.0f} records/s accepted); "
                f"agent CPU {figures.get('cpu', 0):.2f} s, peak RSS {figures.get('VmHWM', 0):.0f} MiB"
            )
            print(f"  ratio       : the bridge is {send_wall / total:.2f}x azlogs send's records/s")
        finally:
            emu.stop()


if __name__ == "__main__":
    main()
