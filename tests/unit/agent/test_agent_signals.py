"""The agent's signals: a SIGTERM, SIGINT or SIGHUP taken at any line of the run loop is acted on, and
a second stop request ends the drain at once without losing a spooled record."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import httpx

import azlogs
from tests.unit.agent.conftest import Running, Sink, wait_for, write_config

REPO = Path(__file__).resolve().parents[3]

FILE_INPUT = """
[[inputs]]
name = "app"
paths = ["logs/*.log"]
"""

# The agent in its own process (a signal handler runs in the main thread): a trace function raises
# SIGHUP at every line the main thread runs once the agent is running, until three reloads are done,
# then SIGTERM at every line, through the stop. A handler therefore runs between every two lines of
# the run loop's wait, whatever it is made of, including while that wait holds a lock.
CHILD = """
import signal, sys
from tests.unit.agent.conftest import Sink, credentials
from azlogs.agent import Agent, load_config

agent = Agent(load_config(sys.argv[1], env={}), transport=Sink().transport(), credentials=credentials)
agent.install_signals()
raised = {"SIGHUP": 0, "SIGTERM": 0}

def tracer(frame, event, arg):
    if event == "line" and agent.stats.state in ("running", "draining"):
        sig = signal.SIGHUP if agent.stats.reloads < 3 and agent.stats.state == "running" else signal.SIGTERM
        raised[sig.name] += 1
        signal.raise_signal(sig)
    return tracer

sys.settrace(tracer)
code = agent.run()
sys.settrace(None)
print(agent.stats.reloads, raised["SIGHUP"], raised["SIGTERM"], flush=True)
sys.exit(code)
"""


class TestSignals:
    def test_a_signal_at_any_line_of_the_run_loop_is_taken(self, tmp_path: Path) -> None:
        """SIGHUPs between any two lines reload, then SIGTERMs between any two lines stop (exit 0)."""
        (tmp_path / "logs").mkdir()
        (tmp_path / "logs" / "a.log").write_text('{"Seq": 1}\n')
        config = write_config(tmp_path, FILE_INPUT)
        path = os.pathsep.join([str(Path(azlogs.__file__).resolve().parents[1]), str(REPO)])
        proc = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(config)],
            env={**os.environ, "PYTHONPATH": path},
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        try:
            out, err = proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
            raise AssertionError(
                "the agent hung in a signal handler (still running 60 s later); its log:\n"
                + err.decode(errors="replace")[-3000:]
            ) from None
        assert proc.returncode == 0, err.decode(errors="replace")[-3000:]
        reloads, hups, terms = (int(x) for x in out.split())
        assert reloads == 3
        assert hups > 3 and terms > 1  # many signals each, the later SIGTERMs during the stop itself
        status = json.loads((tmp_path / "state" / "status.json").read_text())
        assert status["state"] == "stopped"

    def test_a_second_stop_request_ends_the_drain_and_keeps_the_records(
        self, tmp_path: Path, sink: Sink, run_agent: Callable[..., Running]
    ) -> None:
        """With the service down and an hour of drain_timeout, a second SIGTERM stops the agent now;
        every record stays spooled and the next start delivers each one once."""
        sink.decide = lambda records: httpx.Response(503)
        text = (
            write_config(tmp_path, FILE_INPUT)
            .read_text()
            .replace("drain_timeout = 5", "drain_timeout = 3600")
        )
        (tmp_path / "agent.toml").write_text(text)
        (tmp_path / "logs").mkdir()
        (tmp_path / "logs" / "a.log").write_text("".join(f'{{"Seq": {i}}}\n' for i in range(40)))
        agent = run_agent(tmp_path / "agent.toml")
        wait_for(lambda: agent.status()["totals"]["records_in"] == 40, what="40 records spooled")
        agent.agent.request_stop()
        wait_for(lambda: agent.status()["state"] == "draining", what="the drain")
        assert agent.stop(timeout=30) == 0  # the second request
        final = json.loads((tmp_path / "state" / "status.json").read_text())
        assert final["state"] == "stopped"
        assert final["totals"]["spooled"] == 40
        assert sink.records == []
        sink.decide = lambda records: None
        again = run_agent(tmp_path / "agent.toml")
        wait_for(lambda: len(sink.records) >= 40, what="40 records delivered")
        again.stop()
        assert sorted(sink.values("Seq")) == list(range(40))
