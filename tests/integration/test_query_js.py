"""The JavaScript query clients, unchanged (``@azure/monitor-query`` 1.3.3 and
``@azure/monitor-query-logs`` 1.0.0 with ``@azure/identity``), against a running emulator.

``tests/js/query.mjs`` runs a workspace query with statistics and visualization, a batch, a
``set truncationmaxrecords`` partial result, a resource query and a syntax error; this test checks
what each client read. ``@azure/monitor-query`` 1.x always sends the API at the origin
(``/v1/workspaces/...``), which answered a plain 404 before this change.

Skipped only when ``node`` is absent; the packages come from ``make tests/js/node_modules``
(``npm ci`` of the pinned lock file), and their absence fails the test.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from azure.monitor.ingestion import LogsIngestionClient

from azlogs.provision import emulator_credential
from tests.emulator_proc import EmulatorProcess
from tests.provisioning import provision_table

JS = Path(__file__).resolve().parent.parent / "js"
NODE = shutil.which("node")
TABLE = "QueryJs_CL"
COLUMNS = [
    {"name": "TimeGenerated", "type": "datetime"},
    {"name": "Computer", "type": "string"},
    {"name": "Code", "type": "int"},
]

# Both clients read the module's rows: one worker runs them under xdist, so they are uploaded once.
pytestmark = [
    pytest.mark.skipif(NODE is None, reason="node is not installed"),
    pytest.mark.xdist_group("query_js"),
]


@pytest.fixture(scope="module")
def loaded(emulator: EmulatorProcess) -> EmulatorProcess:
    """Four rows in QueryJs_CL (two per computer), uploaded by the admin principal."""
    assert (JS / "node_modules" / "@azure" / "monitor-query").is_dir(), (
        "the JavaScript clients are not installed: run `make tests/js/node_modules` (npm ci in tests/js)"
    )
    info = emulator.info
    pipe = provision_table(info, TABLE, COLUMNS, principal_id=info.admin.principal_id)
    credential = emulator_credential(info)
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    logs = [
        {"TimeGenerated": (now - dt.timedelta(minutes=i)).isoformat(), "Computer": f"vm-{i % 2}", "Code": i}
        for i in range(4)
    ]
    LogsIngestionClient(pipe.endpoint, credential, connection_verify=info.ca_cert).upload(
        rule_id=pipe.immutable_id, stream_name=pipe.stream, logs=logs
    )
    return emulator


def run_client(emu: EmulatorProcess, client: str) -> dict[str, Any]:
    assert NODE is not None
    env = {**os.environ, "NODE_EXTRA_CA_CERTS": emu.info.ca_cert}
    for name in ("HTTPS_PROXY", "HTTP_PROXY", "https_proxy", "http_proxy"):
        env.pop(name, None)
    result = subprocess.run(
        [NODE, str(JS / "query.mjs"), client, str(emu.data_dir / "emulator.json"), TABLE],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=JS,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    out: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return out


@pytest.mark.parametrize("client", ["monitor-query", "monitor-query-logs"])
def test_javascript_clients_read_azure_shaped_answers(loaded: EmulatorProcess, client: str) -> None:
    """Workspace query with statistics and render, batch, partial result, resource query, error, server timeout."""
    out = run_client(loaded, client)
    ws = out["workspace"]
    assert ws.get("thrown") is None, ws
    assert ws["status"] == "Success"
    assert ws["tables"][0]["rows"] == [["vm-0", 2], ["vm-1", 2]]
    assert ws["statistics"]["query"]["inputDatasetStatistics"]["rows"]["scanned"] == 4
    assert ws["visualization"]["visualization"] == "barchart" and ws["visualization"]["title"] == "by vm"

    batch = out["batch"]
    assert [b["status"] for b in batch] == ["Success", "Success"]
    assert batch[0]["tables"][0]["rows"] == [[4]] and batch[0]["statistics"]["query"]["executionTime"] >= 0
    assert batch[1]["tables"][0]["rows"] == [["two"]]

    partial = out["partial"]
    assert partial["status"] == "PartialFailure"
    assert len(partial["tables"][0]["rows"]) == 1
    assert partial["error"]["code"] == "PartialError"

    assert out["resource"]["tables"][0]["rows"] == [[4]]

    timeout = out["timeout"]
    assert timeout["thrown"] and timeout["statusCode"] == 504, timeout
    assert "GatewayTimeout" in (str(timeout["code"]) + timeout["message"])

    err = out["error"]
    assert err["thrown"] and err["statusCode"] == 400
    assert "BadArgumentError" in (str(err["code"]) + err["message"])
