"""Unchanged azure-identity gets tokens from every emulated source, after `eval "$(azlogs emulator env)"`."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from tests.emulator_proc import EmulatorProcess, run_with_env

SCRIPT = str(Path(__file__).parent / "scripts" / "get_token.py")

# (emulator env source, credential kind, identity name, pass the client id explicitly)
CASES = [
    ("vm", "managed", "vm", False),
    ("vm", "managed", "vm-user", True),
    ("arc", "managed", "arc", False),
    ("appservice", "managed", "appservice", False),
    ("automation", "managed", "automation", False),
    ("workload", "workload", "workload", False),
    ("sp", "secret", "sp", False),
    ("vm", "default", "vm", False),
    ("appservice", "default", "appservice", False),
]


def _claims(
    emulator: EmulatorProcess, source: str, kind: str, mode: str, client_id: str | None
) -> dict[str, str]:
    argv = [sys.executable, SCRIPT, kind, mode]
    if client_id:
        argv.append(client_id)
    result = run_with_env(emulator, source, argv)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


class TestEverySource:
    @pytest.mark.parametrize("mode", ["sync", "async"])
    @pytest.mark.parametrize(
        ("source", "kind", "name", "explicit"), CASES, ids=[f"{c[0]}-{c[1]}-{c[2]}" for c in CASES]
    )
    def test_token_verifies_and_names_the_identity(
        self, emulator: EmulatorProcess, source: str, kind: str, name: str, explicit: bool, mode: str
    ) -> None:
        """The SDK's token verifies against the JWKS, has aud monitor.azure.com and the identity's object id."""
        ident = emulator.identity(name)
        claims = _claims(emulator, source, kind, mode, ident.client_id if explicit else None)
        assert claims["aud"].rstrip("/") == "https://monitor.azure.com"
        assert claims["oid"] == ident.principal_id
        assert claims["appid"] == ident.client_id
        assert claims["tid"] == emulator.info.tenant_id
        assert claims["idtyp"] == "app"
        if ident.kind in ("system-assigned", "user-assigned"):
            assert claims["xms_mirid"] == ident.resource_id
        else:
            assert claims["xms_mirid"] is None

    def test_default_credential_uses_user_assigned_from_azure_client_id(
        self, emulator: EmulatorProcess
    ) -> None:
        """DefaultAzureCredential turns AZURE_CLIENT_ID (from `env --client-id`) into the user-assigned identity."""
        ident = emulator.identity("vm-user")
        argv = [sys.executable, SCRIPT, "default", "sync"]
        result = run_with_env(emulator, "vm", argv, client_id=ident.client_id)
        assert result.returncode == 0, result.stderr[-3000:]
        assert json.loads(result.stdout.strip().splitlines()[-1])["oid"] == ident.principal_id
