"""`azlogs query --chart` against the running emulator: the result drawn in the terminal."""

from __future__ import annotations

import subprocess

from tests.emulator_proc import AZLOGS, EmulatorProcess


def _query(emulator: EmulatorProcess, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [AZLOGS, "query", "--data-dir", str(emulator.data_dir), *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


class TestQueryChart:
    def test_a_linechart_is_drawn_with_a_mark_per_row(self, emulator: EmulatorProcess) -> None:
        """The query's `render linechart` draws one series with a point per row; the rows are not printed."""
        result = _query(
            emulator, "--chart", "range x from 1 to 8 step 1 | extend y = x * x | render linechart"
        )
        assert result.returncode == 0, result.stderr
        lines = result.stdout.splitlines()
        assert lines[0].startswith("64 ┤")
        assert lines[-1] == "● y (8 points)"
        assert sum(line.count("●") for line in lines[:-1]) == 8

    def test_chart_without_render_is_a_usage_error(self, emulator: EmulatorProcess) -> None:
        """--chart on a query without `| render` exits 2 and says what to add."""
        result = _query(emulator, "--chart", "print x = 1")
        assert result.returncode == 2
        assert "render" in result.stderr
