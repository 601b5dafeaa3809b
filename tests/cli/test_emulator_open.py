"""`azlogs emulator open` opens the running emulator's portal (endpoints.portal) with Python's webbrowser."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from azlogs.cli import main
from tests.discovery_sample import sample_discovery
from tests.emulator_proc import AZLOGS


def _discovery(tmp_path: Path) -> str:
    info = sample_discovery(tmp_path, http="http://127.0.0.1:8080", https="https://127.0.0.1:8443")
    info.write(tmp_path / "emulator.json")
    return info.endpoints.portal


class TestOpen:
    def test_opens_the_portal_in_the_browser_named_by_BROWSER(self, tmp_path: Path) -> None:
        """The browser $BROWSER names is started with the portal's URL; no key or secret is printed."""
        url = _discovery(tmp_path)
        seen = tmp_path / "opened"
        browser = tmp_path / "browser.sh"
        browser.write_text(f'#!/bin/sh\nprintf "%s" "$1" > {seen}\n')
        browser.chmod(browser.stat().st_mode | stat.S_IXUSR)
        env = {**os.environ, "BROWSER": str(browser), "PYTHONPATH": os.pathsep.join(sys.path)}
        result = subprocess.run(
            [AZLOGS, "emulator", "open", "--data-dir", str(tmp_path)],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == url == "https://127.0.0.1:8443/portal/"
        assert seen.read_text() == url  # webbrowser waits for a $BROWSER command to exit
        assert "admin.key" in result.stderr
        admin = sample_discovery(tmp_path, http="http://127.0.0.1:8080", https="https://127.0.0.1:8443").admin
        assert admin.key not in result.stdout + result.stderr
        assert admin.client_secret not in result.stdout + result.stderr

    def test_print_url_opens_nothing(self, tmp_path: Path) -> None:
        """--print-url prints the URL only."""
        url = _discovery(tmp_path)
        result = CliRunner().invoke(main, ["emulator", "open", "--print-url", "--data-dir", str(tmp_path)])
        assert result.exit_code == 0, result.output
        assert result.output == url + "\n"

    def test_without_a_running_emulator_says_how_to_start_one(self, tmp_path: Path) -> None:
        """No emulator.json: exit 1 and the hint to start one."""
        result = CliRunner().invoke(main, ["emulator", "open", "--data-dir", str(tmp_path)])
        assert result.exit_code == 1
        assert "azlogs emulator start" in result.output
