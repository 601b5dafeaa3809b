"""azlogs.discovery: the one typed owner of emulator.json, byte for byte the file other tools read."""

from __future__ import annotations

import ast
import json
import sys
from pathlib import Path

import pytest

from azlogs._exceptions import EmulatorError
from azlogs.discovery import DISCOVERY_NAME, Discovery, find_discovery
from tests.discovery_sample import sample_discovery, write_discovery

# emulator.json as the emulator wrote it before the typed owner (json.dump(dict, indent=2), keys in
# this order): the published format that docs/emulator.md lists and other tools read.
WRITTEN_BEFORE = {
    "version": 1,
    "pid": 4242,
    "started_at": 1764820000.123456,
    "data_dir": "/state/emu",
    "in_memory": False,
    "cloud": "AzureUSGovernment",
    "tenant_id": "t-1",
    "subscription_id": "s-1",
    "resource_group": "rg",
    "location": "eastus",
    "ca_cert": "/state/emu/tls/ca.pem",
    "endpoints": {
        "imds": "http://127.0.0.1:5001",
        "arc": "http://127.0.0.1:5001/arc",
        "arc_identity_endpoint": "http://127.0.0.1:5001/arc/metadata/identity/oauth2/token",
        "app_service": "http://127.0.0.1:5001/appservice/msi/token",
        "automation": "http://127.0.0.1:5001/automation/msi/token",
        "authority": "https://127.0.0.1:5002",
        "arm": "https://127.0.0.1:5002",
        "dce": "https://127.0.0.1:5002/dce",
        "data_collector": "https://127.0.0.1:5002/ods/w-1",
        "query": "https://127.0.0.1:5002/query",
        "graph": "https://127.0.0.1:5002/graph",
        "cluster_issuer": "https://127.0.0.1:5002/oidc/cluster",
        "admin": "https://127.0.0.1:5002/_emulator",
        "portal": "https://127.0.0.1:5002/portal/",
    },
    "workspace": {"id": "w-1", "name": "ws", "resource_id": "/subscriptions/s-1/resourceGroups/rg/x/ws"},
    "identities": [
        {
            "name": "vm",
            "kind": "system-assigned",
            "host": "vm",
            "principal_id": "p",
            "client_id": "c",
            "resource_id": "/r",
        },
        {
            "name": "sp",
            "kind": "service-principal",
            "host": "none",
            "principal_id": "p2",
            "client_id": "c2",
            "resource_id": "",
            "client_secret": "s3cret",
        },
        {
            "name": "workload",
            "kind": "workload",
            "host": "aks",
            "principal_id": "p3",
            "client_id": "c3",
            "resource_id": "",
            "federated": {
                "issuer": "https://i",
                "subject": "system:serviceaccount:a:b",
                "audience": "api://x",
            },
        },
    ],
    "admin": {"client_id": "a", "client_secret": "as", "principal_id": "ap", "key": "k"},
    "identity_headers": {"appservice": "h1", "automation": "h2"},
    "federated_token_file": "/state/emu/workload/azure-identity-token",
    "arc_key_dir": "/var/opt/azcmagent/tokens",
    "warnings": ["a warning"],
}


class TestFormat:
    def test_reads_and_writes_the_published_file_byte_for_byte(self, tmp_path: Path) -> None:
        """A file in the published format reads into typed fields and writes back as the same text."""
        text = json.dumps(WRITTEN_BEFORE, indent=2)
        path = tmp_path / DISCOVERY_NAME
        path.write_text(text)
        info = Discovery.from_file(path)
        assert info.endpoints.data_collector == "https://127.0.0.1:5002/ods/w-1"
        assert info.identity("sp").client_secret == "s3cret"
        assert info.identity("workload").federated == WRITTEN_BEFORE["identities"][2]["federated"]  # type: ignore[index]
        assert (info.path, info.where, info.admin_headers) == (path, str(path), {"Authorization": "Bearer k"})
        assert info.to_json() == text
        again = tmp_path / "again.json"
        info.write(again)
        assert again.read_text() == text

    def test_the_metrics_endpoint_is_read_and_written_where_present(self, tmp_path: Path) -> None:
        """endpoints.metrics (newer emulators) reads and writes back byte for byte; absent, it stays absent."""
        data = json.loads(json.dumps(WRITTEN_BEFORE))
        data["endpoints"]["metrics"] = "https://127.0.0.1:5002/metrics"
        text = json.dumps(data, indent=2)
        path = tmp_path / DISCOVERY_NAME
        path.write_text(text)
        info = Discovery.from_file(path)
        assert info.endpoints.metrics == "https://127.0.0.1:5002/metrics"
        assert info.to_json() == text
        path.write_text(json.dumps(WRITTEN_BEFORE, indent=2))
        assert Discovery.from_file(path).endpoints.metrics == ""

    def test_write_is_owner_only_and_leaves_no_temporary_file(self, tmp_path: Path) -> None:
        """The file holds the admin's secret: mode 0600, replaced whole, no temporary file left."""
        path = tmp_path / DISCOVERY_NAME
        path.write_text("old")
        path.chmod(0o644)
        sample_discovery(tmp_path).write(path)
        assert path.stat().st_mode & 0o777 == 0o600
        assert sorted(p.name for p in tmp_path.iterdir()) == [DISCOVERY_NAME]
        assert Discovery.from_file(path) == sample_discovery(tmp_path)

    @pytest.mark.parametrize("drop", ["admin", "endpoints", "cloud", "identities"])
    def test_a_file_missing_a_field_is_refused_with_the_fix(self, tmp_path: Path, drop: str) -> None:
        """A file of another version names itself and says to restart the emulator, never a KeyError."""
        path = tmp_path / DISCOVERY_NAME
        path.write_text(json.dumps({k: v for k, v in WRITTEN_BEFORE.items() if k != drop}))
        with pytest.raises(EmulatorError) as err:
            Discovery.from_file(path)
        assert str(path) in str(err.value) and drop in str(err.value)
        assert "azlogs emulator start" in str(err.value.hint)

    def test_no_file_and_bad_json_say_what_is_wrong(self, tmp_path: Path) -> None:
        """No file: no emulator runs there; not JSON, or not an object: the file is named."""
        with pytest.raises(EmulatorError, match="no running emulator found"):
            Discovery.from_file(tmp_path / DISCOVERY_NAME)
        for text in ("{", "[]"):
            (tmp_path / DISCOVERY_NAME).write_text(text)
            with pytest.raises(EmulatorError, match=str(tmp_path)):
                Discovery.from_file(tmp_path / DISCOVERY_NAME)

    def test_an_unknown_identity_is_an_emulator_error(self) -> None:
        """Asking for an identity the emulator does not have names it."""
        with pytest.raises(EmulatorError, match="'mars'"):
            sample_discovery().identity("mars")


class TestFind:
    def test_data_dir_wins_over_the_environment_and_the_environment_over_the_default(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """--data-dir names the emulator; without it AZLOGS_EMULATOR_FILE, then AZLOGS_EMULATOR_DIR's file."""
        for name in ("a", "b", "c"):
            write_discovery(tmp_path / name, tenant_id=name)
        monkeypatch.setenv("AZLOGS_EMULATOR_FILE", str(tmp_path / "b" / DISCOVERY_NAME))
        monkeypatch.setenv("AZLOGS_EMULATOR_DIR", str(tmp_path / "c"))
        assert find_discovery(tmp_path / "a").tenant_id == "a"
        assert find_discovery().tenant_id == "b"
        monkeypatch.delenv("AZLOGS_EMULATOR_FILE")
        assert find_discovery().tenant_id == "c"


def test_the_owner_imports_nothing_of_the_emulator() -> None:
    """Both sides import azlogs.discovery, so it imports only the standard library and the error tree
    (doctor and provision read emulator.json without installing azlogs[emulator])."""
    source = Path(__import__("azlogs.discovery").discovery.__file__).read_text()
    imported = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            imported |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module)
    outside = {m for m in imported if m.split(".")[0] not in sys.stdlib_module_names and m != "__future__"}
    assert outside == {"azlogs._exceptions"}
