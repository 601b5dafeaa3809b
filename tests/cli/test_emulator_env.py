"""`azlogs emulator env --az` prints what points an unchanged Azure CLI at the emulator; --source is unchanged."""

from __future__ import annotations

import shlex
from dataclasses import replace
from pathlib import Path

from click.testing import CliRunner

from azlogs.cli import main
from azlogs.discovery import Discovery
from tests.discovery_sample import sample_discovery

SECRET = "admin-secret-value"


def _discovery(tmp_path: Path) -> Discovery:
    info = sample_discovery(tmp_path, http="http://127.0.0.1:8080", https="https://127.0.0.1:8443")
    info = replace(
        info, ca_cert=str(tmp_path / "tls dir" / "ca.pem"), admin=replace(info.admin, client_secret=SECRET)
    )
    info.write(tmp_path / "emulator.json")
    return info


class TestEnvAz:
    def test_prints_the_cli_setup_without_secrets(self, tmp_path: Path) -> None:
        """The CA export (quoted), the cloud registration by autodetect, cloud set, instance discovery off;
        the admin's secret is never printed."""
        _discovery(tmp_path)
        result = CliRunner().invoke(main, ["emulator", "env", "--az", "--data-dir", str(tmp_path)])
        assert result.exit_code == 0, result.output
        commands = [line for line in result.output.splitlines() if not line.startswith("#")]
        assert shlex.split(commands[0]) == ["export", f"REQUESTS_CA_BUNDLE={tmp_path / 'tls dir' / 'ca.pem'}"]
        register = shlex.split(commands[1].split(" 2>/dev/null")[0])
        assert register == [
            "az", "cloud", "register", "--name", "AzlogsEmulator",
            "--endpoint-resource-manager", "https://127.0.0.1:8443", "--only-show-errors",
        ]  # fmt: skip
        assert "|| az cloud update --name AzlogsEmulator --endpoint-resource-manager" in commands[1]
        assert shlex.split(commands[2]) == [
            "az",
            "cloud",
            "set",
            "--name",
            "AzlogsEmulator",
            "--only-show-errors",
        ]
        assert shlex.split(commands[3])[:4] == ["az", "config", "set", "core.instance_discovery=false"]
        assert SECRET not in result.output

    def test_source_and_az_are_exclusive(self, tmp_path: Path) -> None:
        """Neither or both of --source and --az is a usage error (exit 2); --client-id goes with --source."""
        _discovery(tmp_path)
        runner = CliRunner()
        neither = runner.invoke(main, ["emulator", "env", "--data-dir", str(tmp_path)])
        both = runner.invoke(main, ["emulator", "env", "--az", "--source", "vm", "--data-dir", str(tmp_path)])
        client = runner.invoke(
            main, ["emulator", "env", "--az", "--client-id", "x", "--data-dir", str(tmp_path)]
        )
        assert (neither.exit_code, both.exit_code, client.exit_code) == (2, 2, 2)
        assert "exactly one of --source or --az" in neither.output

    def test_source_still_prints_exports(self, tmp_path: Path) -> None:
        """`--source vm` prints the VM's exports as before (the IMDS host for azure-identity and MSAL)."""
        info = _discovery(tmp_path)
        result = CliRunner().invoke(main, ["emulator", "env", "--source", "vm", "--data-dir", str(tmp_path)])
        assert result.exit_code == 0, result.output
        assert f"export AZURE_POD_IDENTITY_AUTHORITY_HOST={info.endpoints.imds}" in result.output
