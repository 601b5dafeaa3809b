"""`azlogs agent` commands that need no running agent: check, status of a stopped agent, usage."""

from __future__ import annotations

import json
import time
from pathlib import Path

from click.testing import CliRunner

from azlogs.cli import main
from tests.unit.agent.conftest import write_config

INPUT = '[[inputs]]\nname = "app"\npaths = ["logs/*.log"]\n'


class TestCli:
    def test_check_describes_the_inputs(self, tmp_path: Path) -> None:
        """`agent check` reads the config and names each input's files, parser, stream and spool key."""
        config = write_config(tmp_path, INPUT)
        result = CliRunner().invoke(main, ["agent", "check", "--config", str(config)])
        assert result.exit_code == 0, result.output
        assert "input app:" in result.output
        assert "-> json -> Custom-T" in result.output
        assert "spool key r-" in result.output

    def test_bad_config_is_a_usage_error(self, tmp_path: Path) -> None:
        """A config mistake exits 2 with the key named."""
        config = write_config(tmp_path, INPUT.replace('name = "app"', 'name = "app"\nparser = "xml"'))
        result = CliRunner().invoke(main, ["agent", "--config", str(config)])
        assert result.exit_code == 2
        assert "parser: 'xml' is not one of" in result.output

    def test_no_config(self) -> None:
        """`azlogs agent` alone says what it needs (exit 2)."""
        result = CliRunner().invoke(main, ["agent"])
        assert result.exit_code == 2
        assert "needs --config FILE" in result.output

    def test_status_of_a_stopped_agent(self, tmp_path: Path) -> None:
        """The last status is shown, marked as not running, and the exit code is 1."""
        state = tmp_path / "state"
        state.mkdir()
        doc = {
            "pid": 999_999_999,
            "state": "stopped",
            "updated": "2026-01-01T00:00:00Z",
            "updated_epoch": time.time(),
            "totals": {
                "records_in": 5,
                "bad_lines": 0,
                "spooled": 2,
                "sent": 3,
                "retried": 1,
                "dead_lettered": 0,
                "corrupt_skipped": 0,
            },
            "inputs": {},
            "streams": {},
            "spool": None,
            "identities": [],
            "recent_errors": [],
        }
        (state / "status.json").write_text(json.dumps(doc))
        result = CliRunner().invoke(main, ["agent", "status", "--state-dir", str(state)])
        assert result.exit_code == 1
        assert "NOT RUNNING" in result.output
        assert "spooled 2" in result.output
        as_json = CliRunner().invoke(main, ["agent", "status", "--state-dir", str(state), "--json"])
        assert json.loads(as_json.output)["running"] is False

    def test_status_without_a_status_file(self, tmp_path: Path) -> None:
        """No status.json: a usage error that says how to start the agent."""
        result = CliRunner().invoke(main, ["agent", "status", "--state-dir", str(tmp_path)])
        assert result.exit_code == 2
        assert "has not run" in result.output
