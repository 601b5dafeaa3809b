"""The emulator process: discovery file, side-by-side instances, restarts, in-memory mode, shutdown, request log."""

from __future__ import annotations

import json
import re
import signal
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import httpx
import pytest

from tests.emulator_proc import EmulatorProcess, run_with_env

JWT = re.compile(r"eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}")


class TestLifecycle:
    def test_discovery_file_has_the_contract(self, emulator: EmulatorProcess) -> None:
        """emulator.json carries every field of DESIGN.md's interface contract (read as plain JSON, as
        other tools read it), and azlogs.discovery reads back exactly what the file holds."""
        info = emulator.info
        raw = json.loads(Path(info.where).read_text())
        for key in (
            "tenant_id",
            "subscription_id",
            "resource_group",
            "ca_cert",
            "endpoints",
            "workspace",
            "identities",
            "admin",
        ):
            assert key in raw
        assert set(raw["endpoints"]) >= {"imds", "arc", "app_service", "authority", "arm", "dce", "query"}
        assert set(raw["workspace"]) >= {"id", "resource_id"}
        assert info.workspace.resource_id.startswith(f"/subscriptions/{info.subscription_id}/resourceGroups/")
        kinds = {(i.kind, i.host) for i in info.identities}
        assert {
            ("system-assigned", "vm"),
            ("user-assigned", "vm"),
            ("system-assigned", "arc"),
            ("system-assigned", "automation"),
            ("system-assigned", "appservice"),
            ("service-principal", "none"),
            ("workload", "aks"),
        } <= kinds
        for ident in raw["identities"]:
            assert set(ident) >= {"name", "kind", "host", "principal_id", "client_id", "resource_id"}
        assert set(raw["admin"]) >= {"client_id", "client_secret", "principal_id"}
        assert info.to_json() == Path(info.where).read_text()
        assert Path(info.ca_cert).read_text().startswith("-----BEGIN CERTIFICATE-----")
        assert (Path(info.where).stat().st_mode & 0o077) == 0, "emulator.json holds secrets: owner-only"

    def test_sigterm_is_a_clean_shutdown_and_restart_keeps_the_tenant(self, tmp_path: Path) -> None:
        """SIGTERM exits 0 and removes emulator.json; a restart keeps tenant, identities and signing key."""
        emu = EmulatorProcess(tmp_path / "data")
        first = emu.start()
        with emu.https() as client:
            kid = client.get(f"/{first.tenant_id}/discovery/keys").json()["keys"][0]["kid"]
        assert emu.stop(signal.SIGTERM) == 0
        assert not (tmp_path / "data" / "emulator.json").exists()
        second = emu.start()
        try:
            assert second.tenant_id == first.tenant_id
            ids = lambda info: [(i.name, i.principal_id, i.client_id) for i in info.identities]  # noqa: E731
            assert ids(second) == ids(first)
            assert replace(second.admin, key="") == replace(first.admin, key="")
            assert second.admin.key != first.admin.key, "the admin key is per start"
            with emu.https() as client:
                assert client.get(f"/{second.tenant_id}/discovery/keys").json()["keys"][0]["kid"] == kid
        finally:
            assert emu.stop(signal.SIGINT) == 0

    def test_two_emulators_side_by_side(self, tmp_path: Path) -> None:
        """Port 0 means any free port: two emulators run at once with distinct ports and tenants."""
        a, b = EmulatorProcess(tmp_path / "a"), EmulatorProcess(tmp_path / "b")
        ia, ib = a.start(), b.start()
        try:
            assert ia.endpoints.imds != ib.endpoints.imds
            assert ia.endpoints.arm != ib.endpoints.arm
            assert ia.tenant_id != ib.tenant_id
            for emu in (a, b):
                with emu.http() as client:
                    r = client.get(
                        "/metadata/identity/oauth2/token",
                        params={"api-version": "2018-02-01", "resource": "https://monitor.azure.com"},
                        headers={"Metadata": "true"},
                    )
                    assert r.status_code == 200
        finally:
            a.stop()
            b.stop()

    def test_in_memory_keeps_only_discovery_and_certificates(self, tmp_path: Path) -> None:
        """--in-memory writes no state, keys or log to the data dir; a restart is a new tenant."""
        data = tmp_path / "data"
        emu = EmulatorProcess(data, "--in-memory", log_file=tmp_path / "requests.log")
        first = emu.start()
        files = {str(p.relative_to(data)) for p in data.rglob("*") if p.is_file()}
        assert files <= {
            "emulator.json",
            "tls/ca.pem",
            "tls/ca-key.pem",
            "tls/server.pem",
            "tls/server-key.pem",
            "workload/azure-identity-token",
        }
        emu.stop()
        second = emu.start()
        emu.stop()
        assert first.tenant_id != second.tenant_id


@pytest.fixture
def faultable(emulator: EmulatorProcess) -> Iterator[EmulatorProcess]:
    """The worker's shared emulator with no fault rules before or after the test: fault rules are the
    only state the fault tests change, so they need no emulator of their own."""
    with emulator.admin() as admin:
        assert admin.delete("/_emulator/faults").status_code in (200, 204)
    yield emulator
    with emulator.admin() as admin:
        assert admin.delete("/_emulator/faults").status_code in (200, 204)


class TestFaults:
    def test_status_for_next_n_then_normal(self, faultable: EmulatorProcess) -> None:
        """A 503 fault for the next 2 IMDS requests fires twice, then IMDS answers normally."""
        params = {"api-version": "2018-02-01", "resource": "https://monitor.azure.com"}
        with faultable.admin() as admin, faultable.http() as client:
            r = admin.post(
                "/_emulator/faults", json={"endpoint": "imds", "status": 503, "count": 2, "retry_after": 1}
            )
            assert r.status_code == 201
            codes = [
                client.get("/metadata/identity/oauth2/token", params=params, headers={"Metadata": "true"})
                for _ in range(3)
            ]
            assert [c.status_code for c in codes] == [503, 503, 200]
            assert codes[0].headers["retry-after"] == "1"
            assert admin.get("/_emulator/faults").json()["faults"] == []

    def test_reset_and_delay_and_clear(self, faultable: EmulatorProcess) -> None:
        """A reset drops the connection mid-answer; a delay delays; DELETE clears the rules."""
        params = {"api-version": "2018-02-01", "resource": "https://monitor.azure.com"}
        with faultable.admin() as admin, faultable.http() as client:
            admin.post("/_emulator/faults", json={"endpoint": "imds", "reset": True, "count": 1})
            try:
                client.get("/metadata/identity/oauth2/token", params=params, headers={"Metadata": "true"})
                raise AssertionError("the connection should have been dropped")
            except httpx.HTTPError:
                pass
            admin.post("/_emulator/faults", json={"endpoint": "imds", "delay": 0.3, "count": 1})
            start = time.monotonic()
            r = client.get("/metadata/identity/oauth2/token", params=params, headers={"Metadata": "true"})
            assert r.status_code == 200 and time.monotonic() - start >= 0.3
            admin.post("/_emulator/faults", json={"endpoint": "imds", "status": 500})
            assert admin.delete("/_emulator/faults").json()["removed"] == 1
            bad = admin.post("/_emulator/faults", json={"endpoint": "nowhere", "status": 500})
            assert bad.status_code == 400

    def test_sdk_rides_out_an_imds_outage(self, faultable: EmulatorProcess) -> None:
        """azure-identity retries IMDS 503s (with Retry-After) and still gets a token."""
        import sys

        with faultable.admin() as admin:
            admin.post("/_emulator/faults", json={"endpoint": "imds", "status": 503, "count": 2})
        script = str(Path(__file__).parent / "scripts" / "get_token.py")
        result = run_with_env(faultable, "vm", [sys.executable, script, "managed", "sync"])
        assert result.returncode == 0, result.stderr[-2000:]


class TestNoSecretsInLogs:
    def test_request_log_and_cli_output_hold_no_secret(self, fresh_emulator_process: EmulatorProcess) -> None:
        """After every token flow ran, neither the request log nor CLI output contains a token, key or secret."""
        import sys

        fresh_emulator = fresh_emulator_process  # `azlogs emulator start`: its stderr is checked too

        script = str(Path(__file__).parent / "scripts" / "get_token.py")
        outputs = []
        for source, kind in (
            ("vm", "managed"),
            ("arc", "managed"),
            ("appservice", "managed"),
            ("workload", "workload"),
            ("sp", "secret"),
        ):
            r = run_with_env(fresh_emulator, source, [sys.executable, script, kind, "sync"])
            assert r.returncode == 0, r.stderr
            from tests.emulator_proc import AZLOGS

            t = run_with_env(fresh_emulator, source, [AZLOGS, "token"])
            assert t.returncode == 0, t.stderr
            outputs += [t.stdout, t.stderr]
        info = fresh_emulator.info
        secrets = [info.admin.client_secret, *info.identity_headers.values()]
        secrets += [i.client_secret for i in info.identities if i.client_secret]
        secrets.append(Path(info.federated_token_file).read_text())
        fresh_emulator.stop()
        log = fresh_emulator.log_file.read_text()
        assert log.count("\n") >= 10
        entries = [json.loads(line) for line in log.splitlines()]
        assert {e["endpoint"] for e in entries} >= {"imds", "arc", "appservice", "entra"}
        assert all({"method", "path", "status", "ms", "client_request_id"} <= set(e) for e in entries)
        stderr = fresh_emulator.stderr_path.read_text()
        for text in (log, stderr, *outputs):
            assert not JWT.search(text)
            for secret in secrets:
                assert secret not in text
