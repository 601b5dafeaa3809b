"""On a client-only install (no emulator extra) the emulator commands say what to install."""

from __future__ import annotations

import subprocess
import sys

CODE = """
import sys
sys.modules["uvicorn"] = None  # as if azlogs[emulator] were not installed
from click.testing import CliRunner
from azlogs.cli import main
for args in (["emulator", "start", "--in-memory", "--data-dir", sys.argv[1]], ["demo"]):
    r = CliRunner().invoke(main, args)
    print(r.exit_code, r.output.replace("\\n", " "))
"""


def test_emulator_commands_name_the_extra(tmp_path: object) -> None:
    """emulator start and demo exit 1 with the package that is missing and `pip install 'azlogs[emulator]'`."""
    out = subprocess.run(
        [sys.executable, "-c", CODE, str(tmp_path)], capture_output=True, text=True, check=True
    )
    lines = out.stdout.strip().splitlines()
    assert len(lines) == 2
    for line in lines:
        assert line.startswith("1 ")
        assert "uvicorn" in line
        assert "azlogs[emulator]" in line
