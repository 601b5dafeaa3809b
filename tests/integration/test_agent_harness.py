"""Helpers for the agent's integration tests (no tests here): the agent as a real subprocess under
``azlogs emulator env``, a table and DCR per test, landed rows, and a line writer."""

from __future__ import annotations

import json
import os
import shlex
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from azlogs.provision import ProvisionResult
from tests.agent_disk_runner import RUNNER as DISK_RUNNER
from tests.emulator_proc import AZLOGS, EmulatorProcess, env_exports
from tests.provisioning import provision_table

COLUMNS = [
    {"name": "TimeGenerated", "type": "datetime"},
    {"name": "Seq", "type": "long"},
    {"name": "Message", "type": "string"},
    {"name": "Computer", "type": "string"},
    {"name": "AzlogsId", "type": "string"},
]

_tables = Counter[str]()


def new_pipeline(emu: EmulatorProcess, prefix: str) -> ProvisionResult:
    """A fresh custom table and Direct DCR for one test, granted to the VM's identity."""
    _tables[prefix] += 1
    name = f"{prefix}{_tables[prefix]}_{os.getpid() % 10000}_CL"
    return provision_table(emu.info, name, COLUMNS)


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def emulator_env(emu: EmulatorProcess, source: str = "vm") -> dict[str, str]:
    """The process environment after ``eval "$(azlogs emulator env --source SOURCE)"``."""
    exports = env_exports(emu, source)
    assert exports is not None, f"`azlogs emulator env --source {source}` failed: is the emulator running?"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AZURE_", "IDENTITY_", "IMDS_", "MSI_"))}
    for line in exports.splitlines():
        words = shlex.split(line)
        if len(words) == 2 and words[0] == "export" and "=" in words[1]:
            name, value = words[1].split("=", 1)
            env[name] = value
    return env


def _section(defaults: dict[str, str], overrides: str) -> str:
    """TOML lines: ``defaults`` (key -> literal) with the ``key = value`` lines of ``overrides`` winning."""
    values = dict(defaults)
    for text in overrides.splitlines():
        if "=" in text:
            key, value = text.split("=", 1)
            values[key.strip()] = value.strip()
    return "\n".join(f"{k} = {v}" for k, v in values.items())


def write_config(
    path: Path,
    pipe: ProvisionResult,
    paths: list[str],
    *,
    state_dir: Path,
    agent: str = "",
    sender: str = "",
    spool: str = "",
    inputs: str = "",
) -> Path:
    """An agent config for one file input into ``pipe``, with test-friendly timings; the keyword
    arguments are ``key = value`` lines that override the defaults of that section."""
    agent_keys = {"state_dir": json.dumps(str(state_dir)), "drain_timeout": "10", "status_interval": "0.2"}
    spool_keys = {"max_size": '"256MiB"', "block_timeout": "2"}
    sender_keys = {"workers": "2", "upload_timeout": "10", "backoff_initial": "0.2", "backoff_max": "2"}
    input_keys = {
        "name": '"app"',
        "paths": json.dumps(paths),
        "poll_interval": "0.05",
        "glob_interval": "0.2",
        "rotate_wait": "1",
    }
    path.write_text(
        f"""
[agent]
{_section(agent_keys, agent)}

[spool]
{_section(spool_keys, spool)}

[sender]
{_section(sender_keys, sender)}

[defaults]
endpoint = "{pipe.endpoint}"
dcr = "{pipe.immutable_id}"
stream = "{pipe.stream}"
id_column = "AzlogsId"
fields = {{ Computer = "agent-test" }}

[[inputs]]
{_section(input_keys, inputs)}
"""
    )
    return path


_started: list[AgentProcess] = []


@pytest.fixture(autouse=True)
def reap_agents() -> Iterator[None]:
    """Whatever a test does or fails to do, no agent it started outlives it (import this fixture)."""
    yield
    while _started:
        agent = _started.pop()
        if agent.alive():
            assert agent.proc is not None
            agent.proc.kill()
            agent.proc.wait(30)


class AgentProcess:
    """``azlogs agent run --config FILE`` as a subprocess with the emulator's environment.

    With ``disk`` (a control file), the agent runs from ``tests/agent_disk_runner.py`` instead: the
    same agent, its spool on a disk that fills up on command.
    """

    def __init__(self, config: Path, env: dict[str, str], log: Path, *, disk: Path | None = None) -> None:
        self.config = config
        self.env = env
        self.log = log
        self.disk = disk
        self.proc: subprocess.Popen[bytes] | None = None
        self.starts = 0
        _started.append(self)

    def start(self) -> AgentProcess:
        argv = [AZLOGS, "agent", "run", "--config", str(self.config)]
        if self.disk is not None:
            argv = [sys.executable, str(DISK_RUNNER), "--config", str(self.config), "--disk", str(self.disk)]
        with open(self.log, "ab") as err:
            self.proc = subprocess.Popen(
                argv,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=err,
            )
        self.starts += 1
        return self

    @property
    def state_dir(self) -> Path:
        from azlogs.agent import load_config

        return load_config(self.config, env={}).state_dir

    def signal(self, sig: int) -> None:
        assert self.proc is not None
        self.proc.send_signal(sig)

    def kill(self) -> None:
        """SIGKILL, and reap."""
        assert self.proc is not None
        self.proc.kill()
        self.proc.wait(30)

    def stop(self, timeout: float = 60) -> int:
        """SIGTERM and wait; returns the exit code."""
        assert self.proc is not None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError(f"the agent did not stop within {timeout} s; log:\n{self.tail()}") from None

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def status(self) -> dict[str, Any]:
        """The last status.json, or {} before the first one."""
        try:
            data: dict[str, Any] = json.loads((self.state_dir / "status.json").read_text())
        except (FileNotFoundError, json.JSONDecodeError):
            return {}
        return data

    def wait_status(
        self, cond: Callable[[dict[str, Any]], bool], timeout: float = 60, what: str = ""
    ) -> dict[str, Any]:
        """Wait until the status satisfies ``cond`` (the agent must stay alive)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            doc = self.status()
            if doc and doc.get("pid") == (self.proc.pid if self.proc else None) and cond(doc):
                return doc
            if not self.alive():
                raise AssertionError(
                    f"the agent exited ({self.proc and self.proc.returncode}):\n{self.tail()}"
                )
            time.sleep(0.1)
        raise AssertionError(
            f"timed out waiting for {what or 'a status'}; last: {self.status()}\n{self.tail()}"
        )

    def tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except FileNotFoundError:
            return ""


def rows(emu: EmulatorProcess, table: str) -> list[dict[str, Any]]:
    """Every row of ``table`` in the emulator's workspace ([] before the table exists)."""
    return emu.rows(table, missing_ok=True)


def wait_rows(
    emu: EmulatorProcess, table: str, count: int, timeout: float = 120, agent: AgentProcess | None = None
) -> list[dict[str, Any]]:
    """Wait until ``table`` holds at least ``count`` rows."""
    deadline = time.monotonic() + timeout
    got: list[dict[str, Any]] = []
    while time.monotonic() < deadline:
        got = rows(emu, table)
        if len(got) >= count:
            return got
        if agent is not None and not agent.alive():
            raise AssertionError(f"the agent exited with {len(got)} of {count} rows landed:\n{agent.tail()}")
        time.sleep(0.3)
    log = agent.tail() if agent else ""
    raise AssertionError(f"{table}: {len(got)} of {count} rows after {timeout} s\n{log}")


def line(seq: int, tag: str = "m", width: int = 60) -> str:
    """One JSON log line; long enough that files pass the tailer's copy-detection minimum."""
    return json.dumps({"Seq": seq, "Message": f"{tag}-{seq:07d} " + "x" * width}) + "\n"


def append(path: Path, seqs: range, tag: str = "m") -> None:
    with open(path, "a") as f:
        f.write("".join(line(i, tag) for i in seqs))


def check_once(landed: list[dict[str, Any]], expected: range | list[int]) -> None:
    """Every expected Seq landed exactly once, nothing else did."""
    counts = Counter(int(r["Seq"]) for r in landed)
    missing = sorted(set(expected) - set(counts))
    extra = sorted(set(counts) - set(expected))
    twice = sorted(s for s, n in counts.items() if n > 1)
    assert not missing, f"{len(missing)} lines lost, e.g. {missing[:10]}"
    assert not extra, f"unexpected lines {extra[:10]}"
    assert not twice, f"{len(twice)} lines delivered twice, e.g. {twice[:10]}"
