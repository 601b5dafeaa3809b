"""Logs Ingestion through the emulator: Microsoft's SDK and curl land every record; concurrency; restart."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from tests.emulator_proc import EmulatorProcess, run_with_env
from tests.integration.test_ingestion_helpers import (
    Provision,
    diagnostics,
    imds_token,
    ingest_url,
    post,
    record,
    stored_rows,
)

# its module-scoped emulator is started once: every test of the file on one xdist worker
pytestmark = pytest.mark.xdist_group("ingestion")

UPLOAD = """
import json, sys
from azure.identity import ManagedIdentityCredential
from azure.monitor.ingestion import LogsIngestionClient

endpoint, rule_id, stream, path, ca = sys.argv[1:6]
with open(path) as fh:
    logs = json.load(fh)
with ManagedIdentityCredential() as credential:
    client = LogsIngestionClient(endpoint, credential, connection_verify=ca)
    with client:
        client.upload(rule_id=rule_id, stream_name=stream, logs=logs)
print("uploaded", len(logs))
"""


@pytest.fixture(scope="module")
def emu(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatorProcess]:
    proc = EmulatorProcess(tmp_path_factory.mktemp("ingestion") / "data")
    proc.start()
    yield proc
    proc.stop()


@pytest.fixture(scope="module")
def prov(emu: EmulatorProcess) -> Iterator[Provision]:
    p = Provision(emu)
    yield p
    p.close()


def _iso(now: datetime) -> str:
    return now.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _stored_time(now: datetime) -> str:
    """How the store renders ``now``: 7 fractional digits, Z."""
    return now.strftime("%Y-%m-%dT%H:%M:%S.%f") + "0Z"


def _check_rows(
    rows: list[dict[str, Any]],
    expected: dict[int, dict[str, Any]],
    now: datetime,
    emu: EmulatorProcess,
    table: str,
) -> None:
    assert len(rows) == len(expected)
    seen = Counter(r["Seq"] for r in rows)
    assert set(seen) == set(expected) and max(seen.values()) == 1
    for row in rows:
        want = expected[row["Seq"]]
        got = {k: row[k] for k in want if k != "TimeGenerated"}
        assert got == {k: v for k, v in want.items() if k != "TimeGenerated"}
        assert row["TimeGenerated"] == _stored_time(now)
        assert row["TenantId"] == emu.info.workspace.id
        assert row["Type"] == table
        assert row["_ResourceId"] == ""
        assert row["_ItemId"] and row["_TimeReceived"].endswith("Z")


class TestAzureMonitorIngestionSdk:
    # The SDK's chunking and parallel uploads do not depend on the endpoint: 50,000 records go through
    # the Direct DCR; 20,000 (about 5.7 MB, so still several 1 MB chunks) through the DCE.
    @pytest.mark.parametrize(("kind", "count"), [("dce", 20_000), ("direct", 50_000)])
    def test_upload_lands_every_record(
        self, emu: EmulatorProcess, prov: Provision, tmp_path: Path, kind: str, count: int
    ) -> None:
        """LogsIngestionClient.upload, unchanged, with the VM's managed identity lands every record as
        sent (50,000 through a Direct DCR, several MB through a DCE)."""
        table = prov.table(f"Sdk{kind.title()}_CL")
        if kind == "dce":
            dce_id, endpoint = prov.dce(f"sdk-{kind}")
            dcr = prov.dcr(f"sdk-{kind}", table, dce_id=dce_id)
        else:
            dcr = prov.dcr(f"sdk-{kind}", table, kind="Direct")
            endpoint = dcr["properties"]["endpoints"]["logsIngestion"]
        prov.grant(emu.identity("vm").principal_id, dcr["id"])
        now = datetime.now(timezone.utc)
        logs = [record(i, _iso(now)) for i in range(count)]
        path = tmp_path / "logs.json"
        path.write_text(json.dumps(logs))
        argv = [
            sys.executable,
            "-c",
            UPLOAD,
            endpoint,
            dcr["properties"]["immutableId"],
            "Custom-Events",
            str(path),
            emu.info.ca_cert,
        ]
        result = run_with_env(emu, "vm", argv, timeout=300)
        assert result.returncode == 0, result.stderr[-3000:]
        assert f"uploaded {count}" in result.stdout
        _check_rows(stored_rows(emu, table), {r["Seq"]: r for r in logs}, now, emu, table)


class TestPlainHttp:
    def test_curl_with_imds_token_and_preview_api_version(
        self, emu: EmulatorProcess, prov: Provision, tmp_path: Path
    ) -> None:
        """curl with a bearer token from IMDS and api-version 2021-11-01-preview gets 204 and the rows appear."""
        table = prov.table("Curl_CL")
        dce_id, endpoint = prov.dce("curl")
        dcr = prov.dcr("curl", table, dce_id=dce_id)
        prov.grant(emu.identity("vm").principal_id, dcr["id"])
        now = datetime.now(timezone.utc)
        logs = [record(i, _iso(now)) for i in range(3)]
        body = tmp_path / "body.json"
        body.write_text(json.dumps(logs))
        url = ingest_url(endpoint, dcr, api_version="2021-11-01-preview")
        result = subprocess.run(
            [
                "curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "--cacert", emu.info.ca_cert,
                "-X", "POST", "-H", f"Authorization: Bearer {imds_token(emu)}", "-H", "Content-Type: application/json",
                "--data-binary", f"@{body}", url,
            ],
            capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
        assert result.stdout == "204", result.stderr
        _check_rows(stored_rows(emu, table), {r["Seq"]: r for r in logs}, now, emu, table)


class TestConcurrency:
    def test_eight_clients_into_one_table_lose_and_duplicate_nothing(
        self, emu: EmulatorProcess, prov: Provision
    ) -> None:
        """8 clients posting at once into one table: every record is there exactly once."""
        table = prov.table("Concurrent_CL")
        dce_id, endpoint = prov.dce("concurrent")
        dcr = prov.dcr("concurrent", table, dce_id=dce_id)
        prov.grant(emu.identity("vm").principal_id, dcr["id"])
        url = ingest_url(endpoint, dcr)
        token = imds_token(emu)
        now = _iso(datetime.now(timezone.utc))
        statuses: list[int] = []
        lock = threading.Lock()

        def client(k: int) -> None:
            for batch in range(8):
                logs = [record(batch * 400 + i, now, marker=f"/c{k}") for i in range(400)]
                status = post(emu, url, logs, token).status_code
                with lock:
                    statuses.append(status)

        threads = [threading.Thread(target=client, args=(k,)) for k in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert statuses == [204] * 64
        rows = stored_rows(emu, table)
        keys = Counter((r["Computer"].split("/")[1], r["Seq"]) for r in rows)
        assert len(rows) == 8 * 8 * 400
        assert set(keys) == {(f"c{k}", s) for k in range(8) for s in range(3200)}
        assert max(keys.values()) == 1


class TestTablesFollowArm:
    def test_table_put_creates_and_delete_drops(self, emu: EmulatorProcess, prov: Provision) -> None:
        """A table PUT through ARM is in the store before any write; after DELETE its rows are gone."""
        table = prov.table("Lifecycle_CL")
        with emu.admin() as c:
            created = c.get("/_emulator/rows", params={"table": table})
            assert created.status_code == 200 and created.content == b""
            dce_id, endpoint = prov.dce("lifecycle")
            dcr = prov.dcr("lifecycle", table, dce_id=dce_id)
            prov.grant(emu.identity("vm").principal_id, dcr["id"])
            now = _iso(datetime.now(timezone.utc))
            assert post(emu, ingest_url(endpoint, dcr), [record(1, now)], imds_token(emu)).status_code == 204
            assert len(stored_rows(emu, table)) == 1
            prov.delete_table(table)
            assert c.get("/_emulator/rows", params={"table": table}).status_code == 404


class TestRestart:
    def test_rows_and_diagnostics_survive_a_restart(self, tmp_path: Path) -> None:
        """Rows written before a stop are there after a start on the same data dir, and ingestion goes on."""
        emu = EmulatorProcess(tmp_path / "data")
        emu.start()
        try:
            prov = Provision(emu)
            table = prov.table("Restart_CL")
            dce_id, endpoint = prov.dce("restart")
            dcr = prov.dcr("restart", table, dce_id=dce_id)
            prov.grant(emu.identity("vm").principal_id, dcr["id"])
            prov.close()
            now = datetime.now(timezone.utc)
            first = [dict(record(i, _iso(now)), Extra=1) for i in range(1000)]
            assert post(emu, ingest_url(endpoint, dcr), first, imds_token(emu)).status_code == 204
        finally:
            emu.stop()
        emu.start()
        try:
            prov = Provision(emu)
            _, endpoint = prov.dce("restart")  # the same DCE (PUT is idempotent), on the new port
            prov.close()
            before = stored_rows(emu, table)
            assert sorted(r["Seq"] for r in before) == list(range(1000))
            assert any(d["kind"] == "dropped_undeclared" and d["column"] == "Extra" for d in diagnostics(emu))
            second = [record(i, _iso(now)) for i in range(1000, 1500)]
            assert post(emu, ingest_url(endpoint, dcr), second, imds_token(emu)).status_code == 204
            expected = {r["Seq"]: {k: v for k, v in r.items() if k != "Extra"} for r in first + second}
            _check_rows(stored_rows(emu, table), expected, now, emu, table)
        finally:
            emu.stop()
