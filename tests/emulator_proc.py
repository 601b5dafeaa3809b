"""Run the real emulator as a subprocess for tests, and helpers to run code under `emulator env`."""

from __future__ import annotations

import gc
import json
import os
import signal
import ssl
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from azlogs.discovery import Discovery, DiscoveryIdentity

VENV_BIN = Path(sys.executable).parent
AZLOGS = str(VENV_BIN / "azlogs")


class EmulatorProcess:
    """`azlogs emulator start` in a subprocess, with its discovery info once ready."""

    def __init__(self, data_dir: Path, *extra: str, log_file: Path | None = None) -> None:
        self.data_dir = data_dir
        self.log_file = log_file or data_dir / "requests.log"
        self.stderr_path = data_dir.parent / f"{data_dir.name}.stderr"
        self.args = [
            AZLOGS,
            "emulator",
            "start",
            "--data-dir",
            str(data_dir),
            "--log-file",
            str(self.log_file),
            *extra,
        ]
        self.proc: subprocess.Popen[bytes] | None = None
        self._info: Discovery | None = None

    @property
    def info(self) -> Discovery:
        """What the running emulator wrote in its emulator.json."""
        assert self._info is not None, "the emulator was not started"
        return self._info

    def start(self, timeout: float = 60.0) -> Discovery:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        discovery = self.data_dir / "emulator.json"
        if discovery.exists():
            discovery.unlink()
        with open(self.stderr_path, "wb") as err:
            self.proc = subprocess.Popen(self.args, stdout=subprocess.DEVNULL, stderr=err)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"emulator exited with {self.proc.returncode}: {self.stderr_path.read_text()}"
                )
            if discovery.exists():
                self._info = Discovery.from_file(discovery)
                return self._info
            time.sleep(0.05)
        raise RuntimeError("emulator did not become ready")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 20.0) -> int:
        assert self.proc is not None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode

    def https(self) -> httpx.Client:
        return httpx.Client(base_url=self.info.endpoints.arm, verify=self.ssl_context(), timeout=30)

    def admin(self) -> httpx.Client:
        """A client of the HTTPS listener that sends the admin key the /_emulator/ endpoints require."""
        return httpx.Client(
            base_url=self.info.endpoints.arm,
            verify=self.ssl_context(),
            timeout=30,
            headers={"Authorization": f"Bearer {self.info.admin.key}"},
        )

    def rows(self, table: str, *, limit: int = 0, missing_ok: bool = False) -> list[dict[str, Any]]:
        """The last ``limit`` rows of ``table`` (0: all) as stored: ``GET /_emulator/rows``, whose body
        `azlogs emulator rows` prints unchanged (read here without starting a CLI process; the CLI's
        own read-back is exercised by test_deployments and test_learn_recipes). A table that does not
        exist is [] with ``missing_ok``, an error otherwise."""
        with self.admin() as client:
            r = client.get("/_emulator/rows", params={"table": table, "limit": limit})
        if r.status_code == 404 and missing_ok:
            return []
        r.raise_for_status()
        return [json.loads(line) for line in r.text.splitlines() if line.strip()]

    def ssl_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=self.info.ca_cert)

    def http(self) -> httpx.Client:
        return httpx.Client(base_url=self.info.endpoints.imds, timeout=30)

    def identity(self, name: str) -> DiscoveryIdentity:
        return self.info.identity(name)


class ThreadedEmulator(EmulatorProcess):
    """The same emulator (``azlogs.emulator.server.Emulator``: both listeners on real loopback sockets,
    HTTPS with its own CA, emulator.json written) served from a thread of the test process instead of an
    ``azlogs emulator start`` process: no interpreter start and import per emulator. Clients still talk
    to it over the network, and subprocesses find it through emulator.json. For tests of what the
    emulator answers; tests of the process itself (signals, exit codes, its stderr, the CLI's options)
    use EmulatorProcess."""

    def __init__(self, data_dir: Path, *, log_file: Path | None = None, config: Path | None = None) -> None:
        super().__init__(data_dir, log_file=log_file)
        self.config = config  # what `--config FILE` gives the process
        self.server: Any = None

    def start(self, timeout: float = 60.0) -> Discovery:
        from azlogs.emulator.server import Emulator, settings_from

        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.server = Emulator(settings_from(self.data_dir, log_file=self.log_file, config_file=self.config))
        self._info = self.server.start_background(timeout)
        return self._info

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 20.0) -> int:
        """What SIGTERM does to the process (finish requests, close the store, remove emulator.json): 0."""
        if sig not in (signal.SIGTERM, signal.SIGINT):
            raise ValueError(f"a threaded emulator cannot get signal {sig}: use EmulatorProcess")
        assert self.server is not None
        # A client the test dropped but the collector has not freed (an SDK's error path keeps its
        # connection in a reference cycle) is freed first: its open connection would hold the stop for
        # the emulator's whole graceful-shutdown limit (3 s). An unclosed one is still reported.
        gc.collect()
        self.server.stop(timeout)
        assert self.server._thread is None or not self.server._thread.is_alive(), "the emulator did not stop"
        # A connection a client still held when the loop ended is closed by the process's exit in
        # EmulatorProcess; here it is collected now, inside the test that left it open (where pytest
        # reports it), not at the end of the session.
        self.server = None
        gc.collect()
        return 0


# `azlogs emulator env` answers from emulator.json and its arguments alone (discovery.environment): its
# output for a running emulator never changes, so it is run once per emulator start, source and client id
# and reused. emulator.json's bytes are in the key: a restart (new ports, pid) runs the command again.
_ENV_EXPORTS: dict[tuple[str, str, str | None, bytes], str] = {}


def _clean_environ() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AZURE_", "IDENTITY_", "IMDS_", "MSI_"))}
    env.pop("AZLOGS_EMULATOR_FILE", None)
    return env


def env_exports(emu: EmulatorProcess, source: str, client_id: str | None = None) -> str | None:
    """What ``azlogs emulator env --source SOURCE [--client-id ID]`` prints for the emulator running now
    (the real command, run once per start; see ``_ENV_EXPORTS``), or None when it fails (none running)."""
    try:
        discovery = (emu.data_dir / "emulator.json").read_bytes()
    except FileNotFoundError:
        return None
    key = (str(emu.data_dir), source, client_id, discovery)
    if key not in _ENV_EXPORTS:
        cmd = [AZLOGS, "emulator", "env", "--source", source, "--data-dir", str(emu.data_dir)]
        if client_id:
            cmd += ["--client-id", client_id]
        done = subprocess.run(
            cmd, capture_output=True, text=True, env=_clean_environ(), timeout=120, check=False
        )
        if done.returncode != 0:
            return None
        _ENV_EXPORTS[key] = done.stdout
    return _ENV_EXPORTS[key]


def run_with_env(
    emu: EmulatorProcess,
    source: str,
    argv: list[str],
    *,
    client_id: str | None = None,
    extra_env: dict[str, str] | None = None,
    timeout: float = 120.0,
    drop_file_override: bool = False,
    stdin: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run ``argv`` in bash after ``eval "$(azlogs emulator env --source SOURCE)"``, as a user would
    (the command's output for this emulator start is evaluated; it is run once, see ``env_exports``)."""
    quoted_cmd = " ".join(_q(a) for a in argv)
    exports = env_exports(emu, source, client_id)
    if exports is not None:
        script = f"set -e; eval {_q(exports)}; exec {quoted_cmd}"
    else:  # no emulator running: what a user's shell would do (the command fails, eval gets nothing)
        env_cmd = [AZLOGS, "emulator", "env", "--source", source, "--data-dir", str(emu.data_dir)]
        if client_id:
            env_cmd += ["--client-id", client_id]
        quoted_env = " ".join(_q(a) for a in env_cmd)
        script = f'set -e; eval "$({quoted_env})"; exec {quoted_cmd}'
    env = _clean_environ()
    env.update(extra_env or {})
    cmd = ["bash", "-c", script]
    if drop_file_override:
        # Root without the capabilities that bypass file permissions: stands in for a user who is
        # not in the himds group, while still able to run the venv's interpreter.
        caps = "-dac_override,-dac_read_search"
        cmd = ["setpriv", f"--bounding-set={caps}", f"--inh-caps={caps}", *cmd]
    return subprocess.run(
        cmd, capture_output=True, text=True, env=env, timeout=timeout, check=False, input=stdin
    )


def _q(arg: str) -> str:
    import shlex

    return shlex.quote(arg)
