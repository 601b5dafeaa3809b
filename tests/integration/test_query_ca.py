"""azlogs query trusts the CA settings that azlogs send trusts: SSL_CERT_FILE, REQUESTS_CA_BUNDLE."""

from __future__ import annotations

import json

import pytest

from azlogs.facts import LOG_ANALYTICS_READER_ROLE_ID
from tests.emulator_proc import AZLOGS, EmulatorProcess, run_with_env
from tests.provisioning import grant


@pytest.mark.parametrize("kept", ["REQUESTS_CA_BUNDLE", "SSL_CERT_FILE"])
def test_query_trusts_either_ca_variable(emulator: EmulatorProcess, kept: str) -> None:
    """With only one of the CA variables set (the other unset), azlogs query --workspace reaches the
    emulator's HTTPS query API as the VM identity and prints the answer."""
    info = emulator.info
    grant(
        info,
        info.workspace.resource_id,
        emulator.identity("vm").principal_id,
        LOG_ANALYTICS_READER_ROLE_ID,
    )
    dropped = "SSL_CERT_FILE" if kept == "REQUESTS_CA_BUNDLE" else "REQUESTS_CA_BUNDLE"
    argv = ["env", "-u", dropped, "-u", "SSL_CERT_DIR", AZLOGS, "query", "print x=1"]
    argv += [
        "--workspace",
        info.workspace.id,
        "--endpoint",
        info.endpoints.query,
        "--format",
        "json",
    ]
    out = run_with_env(emulator, "vm", argv)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["tables"][0]["rows"] == [[1]]
