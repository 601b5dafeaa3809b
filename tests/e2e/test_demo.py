"""`make demo` does the main job on the embedded emulator and shows the rows it sent."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from tests.emulator_proc import AZLOGS

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow  # the longest single test: handed out first under xdist
def test_make_demo_sends_and_reads_back_every_record() -> None:
    """make demo: provisions, sends 100,000 records with the VM identity, reads back 100,000 rows."""
    result = subprocess.run(
        ["make", "-s", "demo"], cwd=ROOT, capture_output=True, text=True, timeout=900, check=False
    )
    out = result.stdout + result.stderr
    assert result.returncode == 0, out[-3000:]
    assert "sent 100,000 records" in out
    assert "0 failed" in out
    assert "100,000 rows in the workspace" in out
    assert re.search(r"Information\s+│\s+[\d,]+", out)
    assert not re.search(r"eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}", out), "no token in the demo's output"


def test_demo_provisions_as_azlogs_provision_does() -> None:
    """The demo's table, DCR, stream and role assignments are azlogs provision's (its names, its report)."""
    result = subprocess.run(
        [AZLOGS, "demo", "--records", "500"], capture_output=True, text=True, timeout=600, check=False
    )
    out = result.stdout + result.stderr
    assert result.returncode == 0, out[-3000:]
    assert re.search(r"table\s+created\s+AzlogsDemo_CL", out)
    assert re.search(r"dcr\s+created\s+dcr-azlogsdemo-cl", out)  # provision's default_dcr_name
    assert "stream Custom-AzlogsDemo_CL" in out
    assert re.search(r"role\s+created\s+Monitoring Metrics Publisher for", out)
    assert re.search(r"role\s+created\s+Log Analytics Reader for", out)
    assert "500 rows in the workspace" in out
