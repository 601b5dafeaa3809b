"""`azlogs token` says which source and why, shows claims, and never the token (unless --raw)."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from tests.emulator_proc import AZLOGS, EmulatorProcess, run_with_env

JWT = re.compile(r"eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}")


class TestTokenCommand:
    @pytest.mark.parametrize(
        ("source", "name"),
        [
            ("vm", "vm"),
            ("arc", "arc"),
            ("appservice", "appservice"),
            ("automation", "automation"),
            ("workload", "workload"),
            ("sp", "sp"),
        ],
    )
    def test_reports_source_reason_and_claims(
        self, emulator: EmulatorProcess, source: str, name: str
    ) -> None:
        """Auto-detection names the source the environment selects, why, and the identity's claims."""
        result = run_with_env(emulator, source, [AZLOGS, "token"])
        assert result.returncode == 0, result.stderr
        out = result.stdout
        assert re.search(rf"^source:\s+{source}$", out, re.M)
        assert "because:" in out
        ident = emulator.identity(name)
        assert ident.principal_id in out and ident.client_id in out
        assert "https://monitor.azure.com" in out
        assert "expires:" in out
        assert not JWT.search(out + result.stderr)

    def test_user_assigned_by_client_id(self, emulator: EmulatorProcess) -> None:
        """--client-id selects the user-assigned identity on the VM."""
        ident = emulator.identity("vm-user")
        result = run_with_env(emulator, "vm", [AZLOGS, "token", "--client-id", ident.client_id, "--json"])
        assert result.returncode == 0, result.stderr
        data = json.loads(result.stdout)
        assert data["claims"]["oid"] == ident.principal_id
        assert data["claims"]["xms_mirid"] == ident.resource_id
        assert "access_token" not in data

    def test_raw_shows_the_token_only_when_asked(self, emulator: EmulatorProcess) -> None:
        """--raw prints the token; that is the only way to see it."""
        result = run_with_env(emulator, "vm", [AZLOGS, "token", "--raw"])
        assert result.returncode == 0
        assert JWT.search(result.stdout)

    def test_other_resource(self, emulator: EmulatorProcess) -> None:
        """--resource asks for another audience."""
        result = run_with_env(
            emulator, "vm", [AZLOGS, "token", "--resource", "https://management.azure.com", "--json"]
        )
        assert json.loads(result.stdout)["claims"]["aud"] == "https://management.azure.com"

    def test_no_source_at_all_says_what_was_looked_for(self, emulator: EmulatorProcess) -> None:
        """With no identity endpoint answering, the error lists the sources looked for and the fix; exit 1."""
        env = {
            k: v for k, v in os.environ.items() if not k.startswith(("AZURE_", "IDENTITY_", "IMDS_", "MSI_"))
        }
        # A closed loopback port stands in for "not on an Azure VM" (no traffic leaves the machine).
        env["AZURE_POD_IDENTITY_AUTHORITY_HOST"] = "http://127.0.0.1:9"
        result = subprocess.run(
            [AZLOGS, "token"], capture_output=True, text=True, env=env, timeout=120, check=False
        )
        assert result.returncode == 1
        assert "no managed identity is available here" in result.stderr
        assert "IDENTITY_ENDPOINT + IDENTITY_HEADER" in result.stderr
        assert "fix:" in result.stderr

    @pytest.mark.parametrize("command", ["token", "send"])
    def test_outside_azure_one_paragraph_and_no_sdk_log_lines(self, command: str, tmp_path: Path) -> None:
        """Outside Azure, `azlogs token` and `azlogs send` say in one paragraph what was looked for, that
        the host does not look like Azure and how to try locally; azure-identity's own warning lines
        ("ImdsCredential.get_token failed: ...") do not leak onto the terminal."""
        env = {
            k: v for k, v in os.environ.items() if not k.startswith(("AZURE_", "IDENTITY_", "IMDS_", "MSI_"))
        }
        env["AZURE_POD_IDENTITY_AUTHORITY_HOST"] = "http://127.0.0.1:9"  # closed: "not on an Azure VM"
        records = tmp_path / "one.ndjson"
        records.write_text('{"a": 1}\n')
        args = {
            "token": [AZLOGS, "token"],
            "send": [AZLOGS, "send", "--endpoint", "https://127.0.0.1:9", "--dcr", "dcr-1", "--stream", "Custom-T",
                     "--dead-letter", str(tmp_path / "dead.ndjson"), str(records)],
        }[command]  # fmt: skip
        result = subprocess.run(args, capture_output=True, text=True, env=env, timeout=120, check=False)
        assert result.returncode == 1
        out = result.stdout + result.stderr
        assert "get_token" not in out and "get_token_info failed" not in out, out
        assert "this host does not look like an Azure machine" in out
        assert "azlogs emulator start" in out

    def test_forced_source_without_its_environment(self, emulator: EmulatorProcess) -> None:
        """--source arc where the Arc variables are not set says which ones are missing."""
        result = run_with_env(emulator, "vm", [AZLOGS, "token", "--source", "arc"])
        assert result.returncode == 1
        assert "IDENTITY_ENDPOINT" in result.stderr and "IMDS_ENDPOINT" in result.stderr

    def test_unknown_user_assigned_identity(self, emulator: EmulatorProcess) -> None:
        """An unknown --client-id is explained as an identity not attached to this resource."""
        result = run_with_env(
            emulator, "vm", [AZLOGS, "token", "--client-id", "00000000-0000-0000-0000-000000000001"]
        )
        assert result.returncode == 1
        assert "does not know the requested identity" in result.stderr

    def test_arc_key_file_unreadable_names_the_himds_group(self, tmp_path: Path) -> None:
        """On Arc, a user who may not read the key file is told to join the himds group."""
        config = tmp_path / "config.json"
        config.write_text(json.dumps({"emulator": {"arc_key_owner": "65534:65534"}}))
        emulator = EmulatorProcess(tmp_path / "data", "--config", str(config))
        emulator.start()
        try:
            result = run_with_env(emulator, "arc", [AZLOGS, "token"], drop_file_override=True)
        finally:
            emulator.stop()
        assert result.returncode == 1, result.stdout + result.stderr
        assert "himds" in result.stderr, result.stderr
        assert not JWT.search(result.stdout + result.stderr)
