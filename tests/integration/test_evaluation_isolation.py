"""A runaway transformation and a runaway query cannot stop the emulator's other planes (issue 12).

The real emulator in a subprocess: while a DCR transformation that would run for minutes and a query
that would run for hours are in flight, IMDS and Entra keep issuing tokens, ARM keeps answering and
``/_emulator/health`` keeps saying ok; then each runaway ends with what Azure answers: the ingestion
request 204 with its records dropped and recorded (a failing transformation), the query 504
GatewayTimeout at its ``Prefer: wait``. Bounds are request counts and client timeouts, never a
duration of the work itself.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import httpx
import pytest

from azlogs.facts import LOG_ANALYTICS_READER_ROLE_ID
from azlogs.schema.template import TABLE_API_VERSION as TABLES_API
from bench._common import DEMO_COLUMNS
from tests.emulator_proc import EmulatorProcess
from tests.provisioning import admin_token, arm_client, grant, provision_table

# 16 * 2**19 calls per record, many seconds each: even the first record cannot finish within the 4 s limit
# (with 2**19 alone, about a second, a quiet machine finished one record and the count was off by one).
DOUBLING = " ".join(
    ["let f0 = (x:long) { x + 1 };"]
    + [f"let f{i} = (x:long) {{ f{i - 1}(x) + f{i - 1}(x) }};" for i in range(1, 20)]
)
RUNAWAY_TRANSFORM = (
    DOUBLING
    + " source | extend StatusCode = toint("
    + " + ".join(f"f19(StatusCode + {k})" for k in range(16))
    + ")"
)
RUNAWAY_QUERY = "range x from 1 to 10000000000 step 1 | count"
RECORDS = 300
# Each runaway must end well within this (its limit is 4 s); on code without limits it never does.
RUNAWAY_CLIENT_TIMEOUT = 90.0


@pytest.fixture
def emu(tmp_path: Path) -> Any:
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"limits": {"transform_timeout_seconds": 4}}))
    emu = EmulatorProcess(tmp_path / "data", "--config", str(config))
    emu.start()
    yield emu
    emu.stop()


def _imds_token(emu: EmulatorProcess, resource: str, timeout: float = 10.0) -> httpx.Response:
    with httpx.Client(base_url=emu.info.endpoints.imds, timeout=timeout) as client:
        return client.get(
            "/metadata/identity/oauth2/token",
            params={"api-version": "2018-02-01", "resource": resource},
            headers={"Metadata": "true"},
        )


class Runaway(threading.Thread):
    """One request in a thread of its own; keeps the answer or the exception."""

    def __init__(self, send: Any) -> None:
        super().__init__(daemon=True)
        self.send = send
        self.answer: httpx.Response | None = None
        self.failure: BaseException | None = None

    def run(self) -> None:
        try:
            self.answer = self.send()
        except BaseException as exc:  # reported by the test
            self.failure = exc


class TestRunawaysCannotBlock:
    def test_imds_arm_and_health_answer_while_runaways_run_and_each_ends_as_azure_does(
        self, emu: EmulatorProcess
    ) -> None:
        """IMDS, Entra, ARM and health answer during a runaway transformation and query; they end 204/dropped and 504."""
        info = emu.info
        pipe = provision_table(info, "Runaway_CL", DEMO_COLUMNS, transform=RUNAWAY_TRANSFORM)
        vm = emu.identity("vm").principal_id
        grant(info, info.workspace.resource_id, vm, LOG_ANALYTICS_READER_ROLE_ID)
        monitor = _imds_token(emu, "https://monitor.azure.com").json()["access_token"]
        query_token = _imds_token(emu, "https://api.loganalytics.io").json()["access_token"]
        ca = emu.ssl_context()
        records = [
            {"TimeGenerated": "2026-01-01T00:00:00Z", "Computer": "vm", "StatusCode": i}
            for i in range(RECORDS)
        ]

        def ingest() -> httpx.Response:
            with httpx.Client(verify=ca, timeout=RUNAWAY_CLIENT_TIMEOUT) as client:
                return client.post(
                    f"{pipe.endpoint}/dataCollectionRules/{pipe.immutable_id}/streams/{pipe.stream}",
                    params={"api-version": "2023-01-01"},
                    json=records,
                    headers={"Authorization": f"Bearer {monitor}"},
                )

        def query() -> httpx.Response:
            with httpx.Client(verify=ca, timeout=RUNAWAY_CLIENT_TIMEOUT) as client:
                return client.post(
                    f"{info.endpoints.query}/v1/workspaces/{info.workspace.id}/query",
                    json={"query": RUNAWAY_QUERY},
                    headers={"Authorization": f"Bearer {query_token}", "Prefer": "wait=4"},
                )

        runaways = [Runaway(ingest), Runaway(query)]
        for r in runaways:
            r.start()
        answered_during = 0
        with emu.admin() as admin, arm_client(info) as arm:
            for _ in range(400):  # a bound by count: each round is four requests with timeouts
                if not any(r.is_alive() for r in runaways):
                    break
                token = _imds_token(emu, "https://management.azure.com")
                entra = admin_token(info)  # client credentials at the Entra token endpoint
                health = admin.get("/_emulator/health", timeout=10)
                workspace = arm.get(f"{info.workspace.resource_id}/tables/{pipe.table}", TABLES_API)
                assert token.status_code == 200 and token.json()["access_token"] and entra
                assert health.status_code == 200 and health.json() == {"status": "ok"}
                assert workspace["name"] == pipe.table
                if all(r.is_alive() for r in runaways):
                    answered_during += 1
        for r in runaways:
            r.join(RUNAWAY_CLIENT_TIMEOUT + 10)
        assert answered_during >= 2, "the other planes were not reached while both runaways ran"

        ingested, queried = (r.answer for r in runaways)
        assert runaways[0].failure is None and ingested is not None, runaways[0].failure
        assert ingested.status_code == 204, ingested.text
        assert runaways[1].failure is None and queried is not None, runaways[1].failure
        assert queried.status_code == 504, queried.text
        assert queried.json()["error"]["code"] == "GatewayTimeout"
        assert queried.headers["preference-applied"] == "wait=4"

        with emu.admin() as admin:
            entries = admin.get("/_emulator/diagnostics", params={"dcr": pipe.immutable_id}).json()["value"]
            rows = admin.get("/_emulator/rows", params={"table": pipe.table, "limit": 0})
        dropped = [e for e in entries if e["kind"] == "transform_error"]
        assert dropped and sum(e["count"] for e in dropped) == RECORDS
        assert "time limit" in dropped[0]["reason"]
        assert rows.status_code == 200 and rows.content == b""  # every record dropped, none half-written
