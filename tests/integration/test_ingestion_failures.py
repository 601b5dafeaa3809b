"""The ingestion endpoint's failure matrix over real HTTPS: each answered as Azure answers, each recorded."""

from __future__ import annotations

import gzip
import json
import queue
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any

import httpx
import jwt
import orjson
import pytest

from azlogs.emulator.config import Identity
from azlogs.emulator.identity.issuer import Issuer, load_or_create_key
from tests.emulator_proc import AZLOGS, EmulatorProcess, ThreadedEmulator
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
pytestmark = pytest.mark.xdist_group("ingestion_failures")

MONITOR = "https://monitor.azure.com"


@pytest.fixture(scope="module")
def emu(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatorProcess]:
    proc = ThreadedEmulator(tmp_path_factory.mktemp("ingest-matrix") / "data")
    proc.start()
    yield proc
    proc.stop()


class Setup:
    """One table, two DCEs, a DCE-based and a Direct DCR; the VM identity may ingest into both."""

    def __init__(self, emu: EmulatorProcess) -> None:
        prov = Provision(emu)
        self.prov = prov
        self.table = prov.table("Matrix_CL")
        self.dce_id, self.endpoint = prov.dce("matrix")
        _, self.other_endpoint = prov.dce("matrix-other")
        self.dcr = prov.dcr("matrix", self.table, dce_id=self.dce_id)
        self.direct = prov.dcr("matrix-direct", self.table, kind="Direct")
        vm = emu.identity("vm").principal_id
        prov.grant(vm, self.dcr["id"])
        prov.grant(vm, self.direct["id"])
        self.url = ingest_url(self.endpoint, self.dcr)
        self.iid = self.dcr["properties"]["immutableId"]
        self.token = imds_token(emu)


@pytest.fixture(scope="module")
def setup(emu: EmulatorProcess) -> Iterator[Setup]:
    s = Setup(emu)
    yield s
    s.prov.close()


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _error(r: httpx.Response, status: int, code: str | None = None) -> str:
    """Check the service's error shape; return the message."""
    assert r.status_code == status, r.text
    body = r.json()["error"]
    assert r.headers["x-ms-error-code"] == body["code"]
    if code is not None:
        assert body["code"] == code
    if status != 429:
        assert "retry-after" not in r.headers  # azure-core would retry it
    return str(body["message"])


def _identity(emu: EmulatorProcess, name: str) -> Identity:
    i = emu.identity(name)
    return Identity(i.name, i.kind, i.host, i.principal_id, i.client_id, i.resource_id)


def _tenant_key(emu: EmulatorProcess) -> Any:
    return load_or_create_key(emu.data_dir / "keys" / f"{emu.info.tenant_id}.pem")


def _latest(emu: EmulatorProcess, iid: str, kind: str) -> list[dict[str, Any]]:
    return [d for d in diagnostics(emu, dcr=iid) if d["kind"] == kind]


class TestApiVersion:
    def test_missing_and_unknown_versions_are_refused(self, emu: EmulatorProcess, setup: Setup) -> None:
        """No api-version, or one the service does not have, is a 400 naming the supported ones."""
        base = setup.url.split("?")[0]
        msg = _error(post(emu, base, [], setup.token), 400, "MissingApiVersionParameter")
        assert "2023-01-01" in msg
        msg = _error(
            post(emu, base + "?api-version=2020-01-01", [], setup.token), 400, "UnsupportedApiVersion"
        )
        assert "'2020-01-01'" in msg

    @pytest.mark.parametrize("version", ["2021-11-01-preview", "2023-01-01", "2023-04-01-preview"])
    def test_known_versions_are_accepted(self, emu: EmulatorProcess, setup: Setup, version: str) -> None:
        """Every api-version of the service's specs is served."""
        url = ingest_url(setup.endpoint, setup.dcr, api_version=version)
        assert post(emu, url, [record(1, _now())], setup.token).status_code == 204


class TestAuthentication:
    def test_no_token(self, emu: EmulatorProcess, setup: Setup) -> None:
        """Without a bearer token: 401 with a Bearer challenge."""
        r = post(emu, setup.url, [record(1, _now())], None)
        assert "missing" in _error(r, 401, "AuthenticationFailed")
        assert r.headers["www-authenticate"].startswith("Bearer authorization_uri=")

    def test_expired_token(self, emu: EmulatorProcess, setup: Setup) -> None:
        """A token of the tenant's own key that expired an hour ago (past the 5-minute leeway): 401."""
        token, _ = Issuer(emu.info.tenant_id, _tenant_key(emu)).mint(_identity(emu, "vm"), MONITOR, -3600)
        _error(post(emu, setup.url, [record(1, _now())], token), 401, "ExpiredAuthenticationToken")

    def test_token_for_another_audience(self, emu: EmulatorProcess, setup: Setup) -> None:
        """An ARM token from IMDS is refused: 401 InvalidAudience naming the audience it has."""
        token = imds_token(emu, "https://management.azure.com/")
        msg = _error(post(emu, setup.url, [record(1, _now())], token), 401, "InvalidAudience")
        assert "https://management.azure.com/" in msg

    def test_both_monitor_audience_spellings_are_accepted(self, emu: EmulatorProcess, setup: Setup) -> None:
        """aud https://monitor.azure.com and https://monitor.azure.com/ both work."""
        for resource in (MONITOR, MONITOR + "/"):
            assert post(emu, setup.url, [record(1, _now())], imds_token(emu, resource)).status_code == 204

    def test_token_signed_by_another_key(self, emu: EmulatorProcess, setup: Setup) -> None:
        """Another key, with its own key id or with the tenant's key id, is refused."""
        other = load_or_create_key(None)
        own_kid, _ = Issuer(emu.info.tenant_id, other).mint(_identity(emu, "vm"), MONITOR, 3600)
        _error(post(emu, setup.url, [record(1, _now())], own_kid), 401, "InvalidAuthenticationToken")
        _, claims = Issuer(emu.info.tenant_id, other).mint(_identity(emu, "vm"), MONITOR, 3600)
        forged = jwt.encode(
            claims, other.private_key, algorithm="RS256", headers={"kid": _tenant_key(emu).kid}
        )
        msg = _error(post(emu, setup.url, [record(1, _now())], forged), 401, "InvalidAuthenticationToken")
        assert "signature" in msg

    def test_alg_none(self, emu: EmulatorProcess, setup: Setup) -> None:
        """An unsigned token (alg none) with perfect claims is refused."""
        _, claims = Issuer(emu.info.tenant_id, _tenant_key(emu)).mint(_identity(emu, "vm"), MONITOR, 3600)
        unsigned = jwt.encode(claims, None, algorithm="none")  # type: ignore[arg-type]
        msg = _error(post(emu, setup.url, [record(1, _now())], unsigned), 401, "InvalidAuthenticationToken")
        assert "'none'" in msg


class TestAuthorization:
    def test_principal_without_the_role(self, emu: EmulatorProcess, setup: Setup) -> None:
        """The user-assigned identity holds no role: 403 OperationFailed naming the DCR, tenant and object id."""
        user = emu.identity("vm-user")
        token = imds_token(emu, client_id=user.client_id)
        msg = _error(post(emu, setup.url, [record(1, _now())], token), 403, "OperationFailed")
        assert msg.startswith(
            "The authentication token provided does not have access to ingest data for the data collection "
            f"rule with immutable Id '{setup.iid}' PipelineAccessResult: AccessGranted: False, IsRbacPresent: False"
        )
        assert f"DcrArmId: {setup.dcr['id']}" in msg
        assert f"tenantId {emu.info.tenant_id} objectId {user.principal_id}" in msg
        assert msg.endswith(f"on resourceId {setup.dcr['id']} ConfigurationId: {setup.iid}.")  # no advice

    def test_role_on_the_resource_group_is_enough(self, emu: EmulatorProcess, setup: Setup) -> None:
        """A service principal with the role on the resource group (a parent scope) may ingest."""
        sp = emu.identity("sp")
        setup.prov.grant(sp.principal_id, setup.prov.rg)
        with emu.https() as c:
            r = c.post(
                f"/{emu.info.tenant_id}/oauth2/v2.0/token",
                data={
                    "grant_type": "client_credentials",
                    "client_id": sp.client_id,
                    "client_secret": sp.client_secret,
                    "scope": "https://monitor.azure.com//.default",
                },
            )
        r.raise_for_status()
        assert post(emu, setup.url, [record(1, _now())], r.json()["access_token"]).status_code == 204

    def test_dcr_through_a_dce_it_is_not_bound_to(self, emu: EmulatorProcess, setup: Setup) -> None:
        """A DCR reached through another DCE's endpoint: 403 with IsDcrDceBindingValid: False."""
        url = ingest_url(setup.other_endpoint, setup.dcr)
        msg = _error(post(emu, url, [record(1, _now())], setup.token), 403, "OperationFailed")
        assert "IsRbacPresent: True, IsDcrDceBindingValid: False" in msg
        assert setup.endpoint in msg

    def test_direct_dcr_serves_only_on_its_own_endpoint(self, emu: EmulatorProcess, setup: Setup) -> None:
        """A Direct DCR answers on its own endpoint; another DCR's id there is a binding failure."""
        own = setup.direct["properties"]["endpoints"]["logsIngestion"]
        assert post(emu, ingest_url(own, setup.direct), [record(1, _now())], setup.token).status_code == 204
        msg = _error(
            post(emu, ingest_url(own, setup.dcr), [record(1, _now())], setup.token), 403, "OperationFailed"
        )
        assert "IsDcrDceBindingValid: False" in msg


class TestNotFound:
    def test_unknown_dcr(self, emu: EmulatorProcess, setup: Setup) -> None:
        """An immutable id no DCR has: 404 NotFound with the service's text (Python and Java recordings)."""
        url = setup.url.replace(setup.iid, "dcr-00000000000000000000000000000000")
        msg = _error(post(emu, url, [record(1, _now())], setup.token), 404, "NotFound")
        assert (
            msg == "Data collection rule with immutable Id 'dcr-00000000000000000000000000000000' not found."
        )

    def test_unknown_stream(self, emu: EmulatorProcess, setup: Setup) -> None:
        """A stream the DCR does not declare: 400 InvalidStream with the service's text (Go recording)."""
        url = setup.url.replace("/streams/Custom-Events", "/streams/Custom-Nope")
        msg = _error(post(emu, url, [record(1, _now())], setup.token), 400, "InvalidStream")
        assert msg == (
            f"The stream Custom-Nope was not configured in the data collection rule with immutable Id {setup.iid}."
        )

    def test_unknown_endpoint(self, emu: EmulatorProcess, setup: Setup) -> None:
        """A DCE path no DCE has: 404."""
        url = setup.url.replace(setup.endpoint, emu.info.endpoints.dce + "/nothing-here")
        _error(post(emu, url, [record(1, _now())], setup.token), 404, "EndpointNotFound")


class TestBody:
    def test_compressed_body_over_the_limit(self, emu: EmulatorProcess, setup: Setup) -> None:
        """Small on the wire but more than 1 MiB of records: 413 with the service's message."""
        logs = [dict(record(i, _now()), Message="x" * 2000) for i in range(600)]
        r = post(emu, setup.url, logs, setup.token)
        msg = _error(r, 413, "ContentLengthLimitExceeded")
        assert msg.startswith(
            "Maximum allowed content length: 1048576 bytes (1 MB). Provided content length: "
        )

    def test_uncompressed_body_over_the_limit(self, emu: EmulatorProcess, setup: Setup) -> None:
        """A plain body over 1 MiB on the wire: 413."""
        logs = [dict(record(i, _now()), Message="x" * 2000) for i in range(600)]
        _error(post(emu, setup.url, logs, setup.token, compress=False), 413, "ContentLengthLimitExceeded")

    def test_sdk_separators_are_not_counted(self, emu: EmulatorProcess, setup: Setup) -> None:
        """Records of 1 MiB in compact JSON, sent with json.dumps' ', ' and ': ' (over 1 MiB raw), are accepted."""
        now = _now()
        logs: list[dict[str, Any]] = []
        size = 0
        while True:
            rec = dict(record(len(logs), now), Computer="sep-check")
            n = len(json.dumps(rec))  # what azure-monitor-ingestion counts per record
            if size + n > 1_048_576:
                break
            logs.append(rec)
            size += n
        raw = json.dumps(logs).encode()
        assert len(raw) > 1_048_576
        assert post(emu, setup.url, None, setup.token, raw=raw).status_code == 204

    def test_malformed_json(self, emu: EmulatorProcess, setup: Setup) -> None:
        """Not JSON: 400 saying so."""
        msg = _error(post(emu, setup.url, None, setup.token, raw=b'[{"a": 1},'), 400, "InvalidRequestBody")
        assert "malformed JSON" in msg

    def test_gzip_without_content_encoding(self, emu: EmulatorProcess, setup: Setup) -> None:
        """A gzip body sent without Content-Encoding: 400 with the hint."""
        raw = gzip.compress(b"[]")
        msg = _error(
            post(emu, setup.url, None, setup.token, raw=raw, compress=False), 400, "InvalidRequestBody"
        )
        assert "Content-Encoding: gzip" in msg

    def test_object_body_is_accepted_and_dropped(self, emu: EmulatorProcess, setup: Setup) -> None:
        """A JSON object instead of an array: 204 as in Azure, nothing written, and a diagnostic says why."""
        table = setup.prov.table("ObjectBody_CL")
        dcr = setup.prov.dcr("object-body", table, dce_id=setup.dce_id)
        setup.prov.grant(emu.identity("vm").principal_id, dcr["id"])
        r = post(emu, ingest_url(setup.endpoint, dcr), record(1, _now()), setup.token)
        assert r.status_code == 204
        assert stored_rows(emu, table) == []
        (entry,) = _latest(emu, dcr["properties"]["immutableId"], "object_body")
        assert entry["request_id"] == r.headers["x-ms-request-id"] and "not an array" in entry["reason"]


class TestSilentChangesAreRecorded:
    def test_undeclared_column_is_dropped_and_recorded(self, emu: EmulatorProcess, setup: Setup) -> None:
        """A column the stream does not declare is not stored; the diagnostic names it, the record and the count."""
        logs = [dict(record(i, _now(), marker="-undeclared"), Surprise=f"s{i}") for i in range(5)]
        r = post(
            emu,
            setup.url,
            logs,
            setup.token,
            headers={"x-ms-client-request-id": "11111111-0000-0000-0000-000000000001"},
        )
        assert r.status_code == 204
        rows = [row for row in stored_rows(emu, setup.table) if row["Computer"].endswith("-undeclared")]
        assert len(rows) == 5 and all("Surprise" not in row for row in rows)
        entry = next(
            d
            for d in _latest(emu, setup.iid, "dropped_undeclared")
            if d["request_id"] == r.headers["x-ms-request-id"]
        )
        assert (entry["column"], entry["record_index"], entry["count"], entry["sample"]) == (
            "Surprise",
            0,
            5,
            "s0",
        )
        assert entry["client_request_id"] == "11111111-0000-0000-0000-000000000001"
        assert entry["stream"] == "Custom-Events" and entry["status"] == 204

    def test_type_mismatch_is_nulled_and_recorded(self, emu: EmulatorProcess, setup: Setup) -> None:
        """A value that cannot be read as the declared type is stored as null and recorded with its record index."""
        logs = [
            record(0, _now(), marker="-mismatch"),
            dict(record(1, _now(), marker="-mismatch"), Level="high"),
        ]
        r = post(emu, setup.url, logs, setup.token)
        assert r.status_code == 204
        rows = {
            row["Seq"]: row for row in stored_rows(emu, setup.table) if row["Computer"].endswith("-mismatch")
        }
        assert rows[0]["Level"] == 0 and rows[1]["Level"] is None
        entry = next(
            d
            for d in _latest(emu, setup.iid, "coercion_failed")
            if d["request_id"] == r.headers["x-ms-request-id"]
        )
        assert (entry["column"], entry["record_index"], entry["sample"]) == ("Level", 1, "high")

    def test_refusals_are_in_the_feed_and_the_cli(self, emu: EmulatorProcess, setup: Setup) -> None:
        """A refused request is recorded; `azlogs emulator diagnostics --json` prints it."""
        r = post(emu, setup.url, None, setup.token, raw=b"{{")
        assert r.status_code == 400
        result = subprocess.run(
            [AZLOGS, "emulator", "diagnostics", "--json", "--dcr", setup.iid, "--data-dir", str(emu.data_dir)],
            capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        entries = [json.loads(line) for line in result.stdout.splitlines()]
        refused = next(e for e in entries if e["request_id"] == r.headers["x-ms-request-id"])
        assert (
            refused["kind"] == "refused"
            and refused["status"] == 400
            and "InvalidRequestBody" in refused["reason"]
        )

    def test_diagnostics_follow_prints_new_entries(self, emu: EmulatorProcess, setup: Setup) -> None:
        """`diagnostics --follow --limit 0` prints only entries newer than its start, as they arrive, readably."""
        earlier = post(emu, setup.url, [dict(record(0, _now()), Earlier=1)], setup.token).headers[
            "x-ms-request-id"
        ]
        proc = subprocess.Popen(
            [AZLOGS, "emulator", "diagnostics", "--follow", "--limit", "0", "--dcr", setup.iid, "--data-dir", str(emu.data_dir)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        lines: queue.Queue[str] = queue.Queue()
        reader = threading.Thread(target=lambda: [lines.put(x) for x in proc.stdout or []], daemon=True)
        reader.start()
        try:
            seen: list[str] = []
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                # Post until one lands after the follower's first look (it starts in its own time).
                followed = post(emu, setup.url, [dict(record(0, _now()), Followed=1)], setup.token)
                try:
                    seen.append(lines.get(timeout=1.5))
                    break
                except queue.Empty:
                    continue
            line = seen[-1]
            assert followed.headers["x-ms-request-id"] in line or "Followed" in line
            assert "dropped_undeclared" in line and "column Followed record #0" in line and "value: 1" in line
            assert all(earlier not in x for x in seen)
        finally:
            proc.send_signal(signal.SIGINT)
            code = proc.wait(30)
            reader.join(10)  # at the end of the follower's output
            for pipe in (proc.stdout, proc.stderr):
                if pipe is not None:
                    pipe.close()
            assert code == 0


class TestTransformation:
    def test_kql_transformation_runs(self, emu: EmulatorProcess, setup: Setup) -> None:
        """A DCR whose transformKql filters records writes only the records it keeps."""
        table = setup.prov.table("Transformed_CL")
        dcr = setup.prov.dcr("transformed", table, dce_id=setup.dce_id, transform="source | where Level >= 3")
        setup.prov.grant(emu.identity("vm").principal_id, dcr["id"])
        logs = [record(i, _now()) for i in range(10)]
        assert post(emu, ingest_url(setup.endpoint, dcr), logs, setup.token).status_code == 204
        assert sorted(row["Seq"] for row in stored_rows(emu, table)) == [3, 4, 8, 9]


@pytest.fixture(scope="module")
def limited(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatorProcess]:
    """An emulator with 2 requests per minute per DCR and a 4-second role propagation delay."""
    tmp = tmp_path_factory.mktemp("ingest-limits")
    config = tmp / "limits.json"
    config.write_text(json.dumps({"limits": {"requests_per_minute": 2, "role_propagation_seconds": 4}}))
    proc = ThreadedEmulator(tmp / "data", config=config)
    proc.start()
    yield proc
    proc.stop()


def _limited_dcr(emu: EmulatorProcess, name: str) -> tuple[str, str, dict[str, Any]]:
    prov = Provision(emu)
    try:
        table = prov.table(f"{name.title()}_CL")
        dce_id, endpoint = prov.dce(name)
        dcr = prov.dcr(name, table, dce_id=dce_id)
        prov.grant(emu.identity("vm").principal_id, dcr["id"])
    finally:
        prov.close()
    return table, ingest_url(endpoint, dcr), dcr


def _until_accepted(emu: EmulatorProcess, url: str, token: str) -> list[int]:
    statuses: list[int] = []
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        statuses.append(post(emu, url, [record(0, _now())], token).status_code)
        if statuses[-1] != 403:
            return statuses
        time.sleep(0.25)
    return statuses


class TestLimits:
    def test_role_assignments_take_effect_after_the_propagation_delay(self, limited: EmulatorProcess) -> None:
        """Right after the grant the principal is refused (403, no RBAC yet); once propagated it may ingest."""
        _, url, _ = _limited_dcr(limited, "propagation")
        statuses = _until_accepted(limited, url, imds_token(limited))
        assert statuses[0] == 403 and statuses[-1] == 204
        assert set(statuses[:-1]) == {403}

    def test_requests_over_the_rate_get_429_with_retry_after(self, limited: EmulatorProcess) -> None:
        """With a limit of 2 requests per minute, the third answers 429 with Retry-After in seconds."""
        table, url, dcr = _limited_dcr(limited, "throttle")
        token = imds_token(limited)
        assert _until_accepted(limited, url, token)[-1] == 204  # the first admitted request
        started = time.monotonic()
        assert post(limited, url, [record(1, _now())], token).status_code == 204
        r = post(limited, url, [record(2, _now())], token)
        msg = _error(r, 429, "TooManyRequests")
        wait = int(r.headers["retry-after"])
        assert 1 <= wait <= 60 - int(time.monotonic() - started) + 1
        assert dcr["properties"]["immutableId"] in msg
        assert len(stored_rows(limited, table)) == 2


def test_diagnostics_endpoint_filters(emu: EmulatorProcess, setup: Setup) -> None:
    """/_emulator/diagnostics filters by DCR and stream and pages with after."""
    post(emu, setup.url, None, setup.token, raw=orjson.dumps({"one": "object"}))
    mine = diagnostics(emu, dcr=setup.iid, stream="Custom-Events")
    assert mine and all(d["dcr"] == setup.iid and d["stream"] == "Custom-Events" for d in mine)
    last = mine[-1]["id"]
    assert diagnostics(emu, dcr=setup.iid, after=last) == []
    assert diagnostics(emu, stream="Custom-Nothing") == []
