"""The emulator's admin surface and data directory belong to the user who started it (issues 12, 19).

A real emulator subprocess: the ``/_emulator/`` endpoints on both listeners answer 401 without the
per-start admin key (or an admin token), and everything written under the data directory is
owner-only whatever the umask.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import httpx
import pytest

from tests.emulator_proc import EmulatorProcess
from tests.integration.test_ingestion_helpers import admin_token, imds_token, post, stored_rows
from tests.provisioning import provision_table

ADMIN_CALLS = [
    ("GET", "/_emulator/rows?table=Sec_CL&limit=0"),
    ("GET", "/_emulator/diagnostics"),
    ("GET", "/_emulator/faults"),
    ("POST", "/_emulator/faults"),
    ("DELETE", "/_emulator/faults"),
    ("GET", "/_emulator/health"),
]
RULE = {"endpoint": "imds", "status": 503}
COLUMNS = [{"name": "TimeGenerated", "type": "datetime"}, {"name": "Msg", "type": "string"}]


def _call(client: httpx.Client, method: str, path: str, headers: dict[str, str]) -> httpx.Response:
    body = RULE if method == "POST" else None
    return client.request(method, path, json=body, headers=headers)


class TestAdminSurfaceNeedsACredential:
    @pytest.mark.parametrize("listener", ["http", "https"])
    @pytest.mark.parametrize(("method", "path"), ADMIN_CALLS)
    def test_no_wrong_or_foreign_credential_is_refused(
        self, emulator: EmulatorProcess, listener: str, method: str, path: str
    ) -> None:
        """Every admin endpoint on both listeners: no credential, a wrong key, a non-admin token: 401."""
        vm_arm_token = imds_token(emulator, "https://management.azure.com")
        with emulator.http() if listener == "http" else emulator.https() as client:
            for headers in (
                {},
                {"Authorization": "Bearer not-the-key"},
                {"Authorization": f"Bearer {vm_arm_token}"},
                {"Authorization": f"Basic {emulator.info.admin.key}"},
            ):
                r = _call(client, method, path, headers)
                assert r.status_code == 401, (headers.keys(), r.status_code, r.text)
                assert r.json()["error"]["code"] == "AuthenticationFailed"
                assert "www-authenticate" in r.headers
        with emulator.admin() as admin:
            assert admin.get("/_emulator/faults").json()["faults"] == [], "a refused POST added no rule"

    def test_admin_key_and_admin_token_are_accepted_on_both_listeners(
        self, fresh_emulator: EmulatorProcess
    ) -> None:
        """The key from emulator.json, or the admin principal's ARM token, opens every admin endpoint."""
        emu = fresh_emulator
        provision_table(emu.info, "Sec_CL", COLUMNS)
        for credential in (emu.info.admin.key, admin_token(emu)):
            headers = {"Authorization": f"Bearer {credential}"}
            for listener, client in (("http", emu.http()), ("https", emu.https())):
                with client:
                    for method, path in ADMIN_CALLS:
                        r = _call(client, method, path, headers)
                        # The data plane's rows and diagnostics are served on the HTTPS listener only.
                        https_only = path.startswith(("/_emulator/rows", "/_emulator/diagnostics"))
                        expected = (404,) if listener == "http" and https_only else (200, 201)
                        assert r.status_code in expected, (listener, method, path, r.status_code, r.text)

    def test_imds_faults_cannot_be_planted_without_the_key(self, emulator: EmulatorProcess) -> None:
        """A local process cannot make IMDS fail for everyone through the plain-HTTP listener."""
        with emulator.http() as client:
            assert (
                client.post("/_emulator/faults", json={"endpoint": "imds", "status": 500}).status_code == 401
            )
        imds_token(emulator)  # still answers 200


def _modes(root: Path) -> dict[str, int]:
    found = {}
    for current, dirs, files in os.walk(root):
        for name in [*dirs, *files]:
            path = Path(current) / name
            found[str(path.relative_to(root))] = stat.S_IMODE(path.lstat().st_mode)
    found["."] = stat.S_IMODE(root.stat().st_mode)
    return found


@pytest.fixture
def umask(request: pytest.FixtureRequest) -> Iterator[int]:
    old = os.umask(request.param)
    try:
        yield request.param
    finally:
        os.umask(old)


class TestDataDirIsPrivate:
    @pytest.mark.parametrize("umask", [0o022, 0o000], indirect=True, ids=["umask022", "umask000"])
    def test_every_file_0600_every_dir_0700(self, tmp_path: Path, umask: int) -> None:
        """After start, ingestion (WAL written), a restart and a CLI read: dirs 0700, files 0600."""
        emu = EmulatorProcess(tmp_path / "data")
        info = emu.start()
        try:
            vm = emu.identity("vm")
            pipe = provision_table(
                info,
                "Perm_CL",
                COLUMNS,
                principal_id=vm.principal_id,
            )
            url = f"{pipe.endpoint}/dataCollectionRules/{pipe.immutable_id}/streams/{pipe.stream}?api-version=2023-01-01"
            now = datetime.now(timezone.utc).isoformat()
            assert (
                post(emu, url, [{"TimeGenerated": now, "Msg": "secret row"}], imds_token(emu)).status_code
                == 204
            )
            assert len(stored_rows(emu, "Perm_CL")) == 1
            modes = _modes(emu.data_dir)
            assert {
                "workspaces.db",
                "workspaces.db-wal",
                "requests.log",
                "emulator.json",
                "state.json",
            } <= set(modes)
        finally:
            emu.stop()
        emu.start()
        try:
            modes |= _modes(emu.data_dir)
        finally:
            emu.stop()
        loose = {
            name: oct(mode)
            for name, mode in modes.items()
            if mode != (0o700 if (emu.data_dir / name).is_dir() else 0o600)
        }
        assert loose == {}, f"under umask {umask:03o}"

    def test_a_data_dir_left_open_by_an_older_version_is_tightened(self, tmp_path: Path) -> None:
        """An existing data dir 0755 with a 0644 store and state is made 0700/0600 at start."""
        emu = EmulatorProcess(tmp_path / "data")
        emu.start()
        emu.stop()
        os.chmod(emu.data_dir, 0o755)
        for name in ("workspaces.db", "state.json", "tls/ca.pem"):
            os.chmod(emu.data_dir / name, 0o644)
        emu.start()
        try:
            modes = _modes(emu.data_dir)
        finally:
            emu.stop()
        assert modes["."] == 0o700
        assert modes["workspaces.db"] == modes["state.json"] == modes["tls/ca.pem"] == 0o600
