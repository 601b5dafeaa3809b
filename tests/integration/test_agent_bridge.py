"""The agent's data-collector bridge as a real subprocess against the emulator: unchanged legacy senders
(a PyPI client, Learn's Python sample, a curl/openssl script) land rows in a DCR-based table through the Logs Ingestion
API with the VM's managed identity; the API's refusals match the emulator's own Data Collector API;
SIGKILL and an outage lose nothing a sender was told was accepted.

The DCR is the one ``azlogs migrate`` makes for a classic table (until that command is on main, set up
here with ``azlogs.provision``): its stream declares the legacy field names and types, its transformKql
maps them onto the API's suffixed columns.
"""

from __future__ import annotations

import base64
import datetime
import json
import os
import random
import subprocess
import threading
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import requests
from datacollectorapi.client import DataCollectorAPIClient  # azure-log-analytics-data-collector-api

from azlogs.emulator.tls import ensure_tls
from azlogs.provision import ProvisionResult
from tests.emulator_proc import EmulatorProcess
from tests.integration.test_agent_harness import (
    AgentProcess,
    emulator_env,
    free_port,
    new_pipeline,
    reap_agents,  # noqa: F401 - autouse: no agent outlives its test
    rows,
    wait_rows,
)
from tests.integration.test_data_collector import SCRIPT, build_signature, query, shared_keys
from tests.provisioning import provision_document
from tests.proxy import LoopbackProxy

# The legacy payload's fields, as the Data Collector API typed them, and the table's suffixed columns.
LEGACY_STREAM = [
    {"name": "Host", "type": "string"},
    {"name": "Latency", "type": "real"},
    {"name": "Ok", "type": "boolean"},
    {"name": "Seq", "type": "long"},
    {"name": "RequestId", "type": "string"},
]
CLASSIC_COLUMNS = [
    {"name": "TimeGenerated", "type": "datetime"},
    {"name": "Host_s", "type": "string"},
    {"name": "Latency_d", "type": "real"},
    {"name": "Ok_b", "type": "boolean"},
    {"name": "Seq_d", "type": "real"},
    {"name": "RequestId_g", "type": "guid"},
]
TRANSFORM = (
    "source | project TimeGenerated = now(), Host_s = Host, Latency_d = todouble(Latency), Ok_b = Ok, "
    "Seq_d = todouble(Seq), RequestId_g = toguid(RequestId)"
)


def migrated_table(emu: EmulatorProcess, log_type: str) -> ProvisionResult:
    """``{log_type}_CL`` with the classic columns, and the DCR a migration gives it."""
    table = f"{log_type}_CL"
    doc = {
        "table": {"properties": {"schema": {"name": table, "columns": CLASSIC_COLUMNS}}},
        "stream": {"name": f"Custom-{table}", "columns": LEGACY_STREAM},
        "transformKql": TRANSFORM,
    }
    return provision_document(emu.info, table, doc)


def azure_host(workspace: str) -> str:
    """The Data Collector API's host for a workspace, the one legacy clients build."""
    return f"{workspace}.ods.opinsights.azure.com"


class Bridge:
    """An agent with one data-collector input over TLS (its own certificate, for 127.0.0.1 and the
    workspace's Azure host name), mapped by a migrate file (``mapping_file``, else one made of ``routes``)."""

    def __init__(
        self,
        emu: EmulatorProcess,
        tmp: Path,
        routes: dict[str, ProvisionResult],
        *,
        mapping_file: Path | None = None,
        **spool: str,
    ) -> None:
        self.emu = emu
        self.key = shared_keys(emu)["primarySharedKey"]
        self.workspace = emu.info.workspace.id
        self.port = free_port()
        tls = ensure_tls(tmp / "tls", ["127.0.0.1", azure_host(self.workspace)])
        self.ca = str(tls.ca_cert)
        (tmp / "key").write_text(self.key + "\n")
        mapping = {
            "version": 1,
            "workspace_id": self.workspace,
            "log_types": {
                lt: {
                    "table": p.table,
                    "endpoint": p.endpoint,
                    "dcr_immutable_id": p.immutable_id,
                    "stream": p.stream,
                    "time_generated_field": None,
                }
                for lt, p in routes.items()
            },
        }
        if mapping_file is None:  # else azlogs migrate's document, as it wrote it
            mapping_file = tmp / "migration.json"
            mapping_file.write_text(json.dumps(mapping))
        spool_keys = {"max_size": '"64MiB"', "block_timeout": "1", **spool}
        config = tmp / "agent.toml"
        config.write_text(
            f"""
[agent]
state_dir = {json.dumps(str(tmp / "state"))}
drain_timeout = 10
status_interval = 0.2

[spool]
{chr(10).join(f"{k} = {v}" for k, v in spool_keys.items())}

[sender]
workers = 2
upload_timeout = 10
backoff_initial = 0.2
backoff_max = 1

[[inputs]]
name = "legacy"
type = "data-collector"
listen = "127.0.0.1:{self.port}"
tls_cert = {json.dumps(str(tls.server_cert))}
tls_key = {json.dumps(str(tls.server_key))}
shared_key_file = "key"
mapping = {json.dumps(str(mapping_file))}
"""
        )
        self.agent = AgentProcess(config, emulator_env(emu), tmp / "agent.log")
        self.base = f"https://127.0.0.1:{self.port}"

    def start(self) -> Bridge:
        self.agent.start()
        self.agent.wait_status(lambda d: d["state"] == "running", what="the bridge to listen")
        return self

    def post(self, body: str, log_type: str, **kw: Any) -> requests.Response:
        return post_data(self.base, self.workspace, self.key, body, log_type, ca=self.ca, **kw)


def post_data(
    base: str,
    customer_id: str,
    shared_key: str,
    body: str,
    log_type: str,
    *,
    ca: str | bool,
    date: str | None = None,
    timeout: float = 30,
) -> requests.Response:
    """Learn's sample ``post_data``, its URI made from ``base`` (the bridge's, or the emulator's endpoint)."""
    rfc1123date = date or datetime.datetime.now(datetime.timezone.utc).strftime("%a, %d %b %Y %H:%M:%S GMT")
    signature = build_signature(
        customer_id, shared_key, rfc1123date, len(body), "POST", "application/json", "/api/logs"
    )
    headers = {
        "content-type": "application/json",
        "Authorization": signature,
        "Log-Type": log_type,
        "x-ms-date": rfc1123date,
    }
    return requests.post(
        base + "/api/logs?api-version=2016-04-01", data=body, headers=headers, verify=ca, timeout=timeout
    )


def log_type(prefix: str) -> str:
    return prefix + uuid.uuid4().hex[:8]


class TestLegacySenders:
    def test_python_sample_and_curl_script_land_rows_through_the_bridge(
        self, emulator: EmulatorProcess, tmp_path: Path
    ) -> None:
        """Learn's Python sample and a curl/openssl script, pointed at the bridge, land typed rows in the
        suffixed columns through the Logs Ingestion API; a KQL query for the old columns reads them."""
        lt = log_type("Bridge")
        pipe = migrated_table(emulator, lt)
        bridge = Bridge(emulator, tmp_path, {lt: pipe}).start()
        rid = str(uuid.uuid4())
        records = [
            {"Host": "web1", "Latency": 12.5, "Ok": True, "Seq": 1, "RequestId": rid},
            {"Host": "web2", "Latency": 3, "Ok": False, "Seq": 2, "RequestId": rid},
        ]
        r = bridge.post(json.dumps(records), lt)
        assert r.status_code == 200, r.text
        body = tmp_path / "body.json"
        body.write_text(
            json.dumps([{"Host": "web3", "Latency": 0.5, "Ok": True, "Seq": 3, "RequestId": rid}])
        )
        env = {"PATH": os.environ["PATH"], "SHARED_KEY": bridge.key}
        args = ["sh", str(SCRIPT), bridge.base, bridge.workspace, lt, bridge.ca, str(body)]
        script = subprocess.run(args, env=env, capture_output=True, text=True, check=True, timeout=60)
        assert script.stdout == "200", script.stderr
        wait_rows(emulator, pipe.table, 3, agent=bridge.agent)
        got = query(
            emulator,
            f"{pipe.table} | order by Seq_d asc | project Host_s, Latency_d, Ok_b, Seq_d, RequestId_g",
        )
        assert got == [
            {"Host_s": "web1", "Latency_d": 12.5, "Ok_b": True, "Seq_d": 1.0, "RequestId_g": rid},
            {"Host_s": "web2", "Latency_d": 3.0, "Ok_b": False, "Seq_d": 2.0, "RequestId_g": rid},
            {"Host_s": "web3", "Latency_d": 0.5, "Ok_b": True, "Seq_d": 3.0, "RequestId_g": rid},
        ]
        status = bridge.agent.status()
        assert status["inputs"]["legacy"]["listen"] == bridge.base
        assert bridge.agent.stop() == 0
        assert bridge.key not in (tmp_path / "agent.log").read_text()

    def test_unchanged_pypi_client_lands_rows_through_the_bridge(
        self, emulator: EmulatorProcess, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """azure-log-analytics-data-collector-api, unchanged, posting to its hard-coded
        ``https://{workspace}.ods.opinsights.azure.com/api/logs``, lands rows through the bridge when that
        host name leads to the bridge (a hosts-file entry; here a CONNECT proxy that redirects it)."""
        lt = log_type("PyPi")
        pipe = migrated_table(emulator, lt)
        bridge = Bridge(emulator, tmp_path, {lt: pipe}).start()
        target = f"{azure_host(bridge.workspace)}:443"
        proxy = LoopbackProxy(redirect={target: ("127.0.0.1", bridge.port)})
        with proxy, monkeypatch.context() as env:  # the environment of the client's process only
            env.setenv("HTTPS_PROXY", proxy.url)
            env.delenv("NO_PROXY", raising=False)
            env.delenv("no_proxy", raising=False)
            env.setenv("REQUESTS_CA_BUNDLE", bridge.ca)
            client = DataCollectorAPIClient(bridge.workspace, bridge.key)
            rid = str(uuid.uuid4())
            r = client.post_data(lt, [{"Host": "pypi", "Latency": 7, "Ok": True, "Seq": 1, "RequestId": rid}])
            assert r.status_code == 200, r.text
            assert proxy.seen.connects == [target]
        wait_rows(emulator, pipe.table, 1, agent=bridge.agent)
        got = query(emulator, f"{pipe.table} | project Host_s, Latency_d, Ok_b, Seq_d, RequestId_g")
        assert got == [{"Host_s": "pypi", "Latency_d": 7.0, "Ok_b": True, "Seq_d": 1.0, "RequestId_g": rid}]
        assert bridge.agent.stop() == 0

    def test_refusals_match_the_data_collector_apis(self, emulator: EmulatorProcess, tmp_path: Path) -> None:
        """Bad signature, wrong workspace, old date, oversized body and bad Log-Type: the bridge answers
        what the emulator's Data Collector API answers (status and error code)."""
        lt = log_type("Refuse")
        bridge = Bridge(emulator, tmp_path, {lt: migrated_table(emulator, lt)}).start()
        wrong_key = base64.b64encode(b"q" * 64).decode()
        old = (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(hours=2)).strftime(
            "%a, %d %b %Y %H:%M:%S GMT"
        )
        big = json.dumps([{"Host": "x" * 1000}] * 31 * 1024)  # over 30 MB
        body = json.dumps({"Host": "h"})
        cases: dict[str, tuple[str, str, str, str | None]] = {
            "bad signature": (bridge.workspace, wrong_key, body, None),
            "wrong workspace": (str(uuid.uuid4()), bridge.key, body, None),
            "old x-ms-date": (bridge.workspace, bridge.key, body, old),
            "oversized body": (bridge.workspace, bridge.key, big, None),
        }

        def answer(r: requests.Response) -> tuple[int, str | None]:
            return r.status_code, (r.json() or {}).get("Error") if r.content else None

        seen = {}
        for what, (ws, key, data, date) in cases.items():
            mine = post_data(bridge.base, ws, key, data, lt, ca=bridge.ca, date=date, timeout=120)
            ods = emulator.info.endpoints.data_collector
            theirs = post_data(ods, ws, key, data, lt, ca=emulator.info.ca_cert, date=date, timeout=120)
            seen[what] = answer(mine)
            assert answer(mine) == answer(theirs), what
        bad_type = bridge.post(body, "Bad-Type")
        emu_bad = post_data(
            emulator.info.endpoints.data_collector,
            bridge.workspace,
            bridge.key,
            body,
            "Bad-Type",
            ca=emulator.info.ca_cert,
        )
        assert answer(bad_type) == answer(emu_bad) == (400, "InvalidLogType")
        assert seen == {
            "bad signature": (403, "InvalidAuthorization"),
            "wrong workspace": (403, "InvalidAuthorization"),
            "old x-ms-date": (403, "InvalidAuthorization"),
            "oversized body": (404, None),
        }
        assert bridge.agent.stop() == 0
        assert bridge.agent.status()["totals"]["records_in"] == 0


class Sender(threading.Thread):
    """A legacy sender posting numbered batches in order; a batch without a 200 is sent again."""

    def __init__(self, bridge: Bridge, lt: str, batches: int, size: int) -> None:
        super().__init__(daemon=True)
        self.bridge, self.lt, self.batches, self.size = bridge, lt, batches, size
        self.acked: list[int] = []
        self.failures = 0
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            for b in range(self.batches):
                body = json.dumps(
                    [{"Host": "h", "Seq": b * self.size + i, "Ok": True} for i in range(self.size)]
                )
                while True:
                    try:
                        if self.bridge.post(body, self.lt, timeout=10).status_code == 200:
                            self.acked.extend(range(b * self.size, (b + 1) * self.size))
                            break
                    except requests.RequestException:
                        pass
                    self.failures += 1
                    time.sleep(0.1)
        except BaseException as exc:
            self.error = exc


class TestDurability:
    @pytest.mark.slow
    def test_sigkill_mid_stream_loses_nothing_acknowledged(
        self, emulator: EmulatorProcess, tmp_path: Path
    ) -> None:
        """Three SIGKILLs while a sender posts: every record the sender got a 200 for lands; records of
        posts cut short are sent again by the sender (duplicates, never losses)."""
        lt = log_type("Kill")
        pipe = migrated_table(emulator, lt)
        bridge = Bridge(emulator, tmp_path, {lt: pipe}).start()
        sender = Sender(bridge, lt, batches=60, size=50)
        sender.start()
        rng = random.Random(int(os.environ.get("AZLOGS_CRASH_SEED", "0")) or None)
        for _ in range(3):
            time.sleep(rng.uniform(0.3, 1.5))
            bridge.agent.kill()
            bridge.start()
        sender.join(180)
        assert sender.error is None and not sender.is_alive()
        assert sorted(sender.acked) == list(range(3000))
        bridge.agent.wait_status(
            lambda d: d["totals"]["spooled"] == 0, timeout=120, what="the spool to drain"
        )
        assert bridge.agent.stop() == 0
        counts = Counter(int(r["Seq_d"]) for r in rows(emulator, pipe.table))
        lost = sorted(set(sender.acked) - set(counts))
        assert not lost, f"{len(lost)} acknowledged records lost, e.g. {lost[:10]}"
        assert sender.failures > 0  # the kills did cut posts short

    def test_destination_down_spools_then_full_spool_answers_503_then_all_delivered(
        self, fresh_emulator: EmulatorProcess, tmp_path: Path
    ) -> None:
        """With the ingestion endpoint answering 503, posts are accepted into the spool until it is full,
        then answered 503 with Retry-After; once the endpoint is back every accepted record lands once
        and no record of a refused post does."""
        emu = fresh_emulator
        lt = log_type("Down")
        pipe = migrated_table(emu, lt)
        bridge = Bridge(emu, tmp_path, {lt: pipe}, max_size='"256KiB"', segment_size='"64KiB"').start()
        with emu.admin() as admin:
            admin.post("/_emulator/faults", json={"endpoint": "ingestion", "status": 503})
        accepted: list[int] = []
        refused = 0
        for b in range(200):
            seqs = range(b * 100, (b + 1) * 100)
            r = bridge.post(json.dumps([{"Host": "h", "Seq": s} for s in seqs]), lt)
            assert r.status_code in (200, 503), r.text
            if r.status_code == 200:
                accepted.extend(seqs)
                continue
            assert r.headers["Retry-After"] == "5"
            assert r.json()["Error"] == "ServiceUnavailable"
            refused += 1
            if refused == 2:
                break
        assert refused == 2 and accepted
        assert rows(emu, pipe.table) == []
        with emu.admin() as admin:
            admin.delete("/_emulator/faults")
        wait_rows(emu, pipe.table, len(accepted), agent=bridge.agent)
        bridge.agent.wait_status(lambda d: d["totals"]["spooled"] == 0, what="the spool to drain")
        assert sorted(int(r["Seq_d"]) for r in rows(emu, pipe.table)) == accepted
        assert bridge.agent.stop() == 0


class TestHttpInput:
    def test_ndjson_posts_land_in_the_table(self, emulator: EmulatorProcess, tmp_path: Path) -> None:
        """NDJSON POSTed with a bearer token lands through the Logs Ingestion API; a bad line is dead-lettered."""
        pipe = new_pipeline(emulator, "Http")
        port = free_port()
        (tmp_path / "token").write_text("hook-secret\n")
        config = tmp_path / "agent.toml"
        config.write_text(
            f"""
[agent]
state_dir = {json.dumps(str(tmp_path / "state"))}
status_interval = 0.2

[[inputs]]
name = "hook"
type = "http"
listen = "127.0.0.1:{port}"
path = "/logs"
secret_file = "token"
endpoint = "{pipe.endpoint}"
dcr = "{pipe.immutable_id}"
stream = "{pipe.stream}"
id_column = "AzlogsId"
fields = {{ Computer = "hook-test" }}
"""
        )
        agent = AgentProcess(config, emulator_env(emulator), tmp_path / "agent.log").start()
        agent.wait_status(lambda d: d["state"] == "running", what="the listener")
        body = "".join(json.dumps({"Seq": i, "Message": f"m{i}"}) + "\n" for i in range(100)) + "oops\n"
        r = requests.post(
            f"http://127.0.0.1:{port}/logs",
            data=body,
            headers={"Authorization": "Bearer hook-secret"},
            timeout=30,
        )
        assert r.status_code == 200 and r.json() == {"accepted": 100, "dead_lettered": 1}
        landed = wait_rows(emulator, pipe.table, 100, agent=agent)
        assert sorted(int(x["Seq"]) for x in landed) == list(range(100))
        assert {x["Computer"] for x in landed} == {"hook-test"}
        assert agent.stop() == 0
