"""The agent: inputs -> spool -> senders, with status, metrics, reload and a graceful stop.

Lifecycle::

    start   open the spool (recovering what a previous run left), start senders, inputs, status
    run     every status_interval: write status.json; on SIGHUP reload the config; on
            SIGTERM/SIGINT stop
    stop    inputs finish their step and checkpoint; senders keep draining the spool for up to
            drain_timeout seconds (a second SIGTERM/SIGINT ends the drain at once); what is left
            stays spooled for the next start; exit 0

State directory layout::

    spool/           the durable queue (azlogs.spool)
    checkpoints/     one JSON per input: file identities and read positions
    routes.json      spool stream key -> endpoint, DCR, stream, identity
    dead-letter/     NDJSON: lines that could not be parsed, records the service refused
    status.json      the last status snapshot (what ``azlogs agent status`` reads)
"""

from __future__ import annotations

import contextlib
import logging
import os
import select
import signal
import socket
import time
from pathlib import Path
from typing import Any

import httpx
import orjson

from azlogs._exceptions import AzlogsError
from azlogs._http import Verify
from azlogs.agent._bridge import DataCollectorInput, HttpInput, OtlpInput
from azlogs.agent._checkpoints import CheckpointStore, atomic_write, private_dir, remove_stale_temp
from azlogs.agent._config import SYSLOG_KINDS, AgentConfig, InputConfig, load_config
from azlogs.agent._identity import Factory, Identities
from azlogs.agent._inputs import FileInput, InputWorker, StdinInput
from azlogs.agent._routes import DeadLetters, Route, RouteTable
from azlogs.agent._sender import Sender
from azlogs.agent._server import StatusServer
from azlogs.agent._stats import Stats
from azlogs.agent._syslog_input import SyslogInput
from azlogs.spool import Spool, Storage

log = logging.getLogger("azlogs.agent")

INPUT_JOIN_SECONDS = 2.0


def route_of(cfg: InputConfig) -> Route:
    """The destination of an input's records (for a data-collector input, of its first Log-Type)."""
    return routes_of(cfg)[0]


def routes_of(cfg: InputConfig) -> list[Route]:
    """Every destination of an input's records: one, or one per Log-Type of a data-collector input."""
    if cfg.type == "data-collector":
        return [
            Route.make(r.endpoint, r.dcr, r.stream, cfg.source, cfg.client_id, cfg.cloud)
            for r in cfg.log_types
        ]
    return [Route.make(cfg.endpoint, cfg.dcr, cfg.stream, cfg.source, cfg.client_id, cfg.cloud)]


class Wakeup:
    """What the run loop sleeps on between status writes; :meth:`set` is safe in a signal handler.

    A ``threading.Event`` is not: its ``set`` takes the lock its ``wait`` and ``clear`` hold for a
    few lines, and a handler runs in the main thread between two of those lines, so a signal that
    lands there waits for a lock its own thread holds, for ever (and so does every later signal).
    ``set`` here writes a byte to a socket pair (no Python lock); ``wait`` selects on the other end.
    """

    def __init__(self) -> None:
        self._recv, self._send = socket.socketpair()
        self._recv.setblocking(False)
        self._send.setblocking(False)

    def set(self) -> None:
        """Make the current or next :meth:`wait` return now (from any thread or a signal handler)."""
        with contextlib.suppress(OSError):  # a wake-up already pending (buffer full), or closed
            self._send.send(b"\0")

    def wait(self, timeout: float) -> bool:
        """Sleep up to ``timeout`` seconds or until :meth:`set`; True if woken. Consumes the wake-up."""
        ready, _, _ = select.select([self._recv], [], [], timeout)
        if not ready:
            return False
        # one read (nothing left: BlockingIOError); a loop could chase a signal storm for ever
        with contextlib.suppress(OSError):
            self._recv.recv(4096)
        return True

    def close(self) -> None:
        self._recv.close()
        self._send.close()


class Agent:
    """A running agent for one config; :meth:`run` blocks until it is stopped.

    Args:
        config: the parsed configuration.
        storage: the spool's storage seam; None is the real disk (tests pass a
            :class:`azlogs.spool._faults.FaultyStorage`, e.g. from ``tests/agent_disk_runner.py``).
        stdin_fd: the file descriptor a stdin input reads.
        verify: TLS trust for the ingestion endpoints (see LogsClient).
        transport: an ``httpx`` transport for every client (unit tests use ``httpx.MockTransport``).
        credentials: makes the credential of an identity source (tests pass a fake); the default
            is :func:`azlogs.auth.choose`.
    """

    def __init__(
        self,
        config: AgentConfig,
        *,
        storage: Storage | None = None,
        stdin_fd: int = 0,
        verify: Verify = True,
        transport: httpx.BaseTransport | None = None,
        credentials: Factory | None = None,
    ) -> None:
        self.config = config
        self.state_dir = config.state_dir
        self.stats = Stats(str(config.path), str(config.state_dir))
        self._storage = storage
        self._stdin_fd = stdin_fd
        self._verify = verify
        self._transport = transport
        self._wake: Wakeup | None = None  # while run() runs
        self._stop_requested = False
        self._stop_now = False  # a second stop request: end the drain at once
        self._reload_requested = False
        self.inputs: dict[str, InputWorker] = {}
        self.spool: Spool | None = None
        self.sender: Sender | None = None
        self.server: StatusServer | None = None
        self.identities = Identities(credentials)
        self.stats.identities = self.identities.status

    # -- control ---------------------------------------------------------------------------------

    def request_stop(self) -> None:
        """Begin a graceful stop (what SIGTERM does); a second request ends the drain at once.

        Runs in a signal handler: it sets flags and writes to a socket, and takes no lock.
        """
        if self._stop_requested:
            self._stop_now = True
        self._stop_requested = True
        wake = self._wake
        if wake is not None:  # else run() has not begun, and sees the flag before it first waits
            wake.set()

    def request_reload(self) -> None:
        """Re-read the config file (what SIGHUP does)."""
        self._reload_requested = True
        wake = self._wake
        if wake is not None:
            wake.set()

    def install_signals(self) -> None:
        """SIGTERM/SIGINT stop, SIGHUP reloads (only from the main thread)."""
        signal.signal(signal.SIGTERM, lambda *_: self.request_stop())
        signal.signal(signal.SIGINT, lambda *_: self.request_stop())
        if hasattr(signal, "SIGHUP"):
            signal.signal(signal.SIGHUP, lambda *_: self.request_reload())

    # -- lifecycle -------------------------------------------------------------------------------

    def start(self) -> None:
        """Open the spool and start senders, inputs and the status endpoint.

        Raises:
            AzlogsError: the spool cannot be opened (locked by another agent, unwritable), or an
                input's identity source cannot be used.
        """
        cfg = self.config
        private_dir(self.state_dir, "state directory")
        for sub, what in (("spool", "spool directory"), ("dead-letter", "dead-letter directory")):
            private_dir(self.state_dir / sub, what)
        remove_stale_temp(self.state_dir)  # routes.json or status.json cut short by a crash
        storage = self._storage
        for i in cfg.inputs:  # fail fast on an identity that cannot work here (no network yet)
            self.identities.get(i.source, i.client_id)
        self.spool = Spool.open(
            self.state_dir / "spool",
            max_bytes=cfg.spool.max_bytes,
            segment_bytes=cfg.spool.segment_bytes,
            fsync=cfg.spool.fsync,
            full_policy=cfg.spool.when_full,
            block_timeout=cfg.spool.block_timeout,
            storage=storage,
        )
        self.stats.spool = self.spool
        sp = self.spool.stats()
        if sp.records_recovered or sp.problems:
            log.log(
                logging.WARNING if sp.problems else logging.INFO,
                "spool recovered: %d records to deliver, %d corrupt records skipped, %d torn tails cut, "
                "%d segment(s) with an unknown loss, %d foreign file(s), %d damaged file(s) kept in %s",
                sp.records_recovered,
                sp.corrupt_records,
                sp.torn_tails,
                sp.lost_unknown,
                sp.foreign_files,
                sp.damaged_files,
                os.path.join(sp.path, "damaged"),
            )
            for problem in sp.problems:
                if problem.is_loss or problem.kind == "foreign":
                    self.stats.error("spool", str(problem))
        self.routes = RouteTable(self.state_dir / "routes.json")
        self.checkpoints = CheckpointStore(self.state_dir / "checkpoints")
        self.dead_letters = DeadLetters(self.state_dir / "dead-letter")
        for i in cfg.inputs:
            for route in routes_of(i):
                self.routes.ensure(route)
        self.routes.prune({r.key for i in cfg.inputs for r in routes_of(i)} | set(sp.pending_by_stream))
        self.sender = Sender(
            self.spool,
            self.routes,
            self.identities,
            self.dead_letters,
            self.stats,
            cfg.sender,
            verify=self._verify,
            transport=self._transport,
        )
        workers: list[InputWorker] = []
        try:  # listeners bind here: a port in use fails the start before anything runs
            for i in cfg.inputs:
                workers.append(self._make_input(i))
        except BaseException:
            for w in workers:
                w.discard()
            self.spool.close()
            self.spool = None
            raise
        self.sender.start()
        for w in workers:
            self._run_input(w)
        if cfg.http_port:
            self.server = StatusServer(cfg.http_port, self.stats.snapshot)
            self.server.start()
        self.stats.state = "running"
        self.write_status()
        log.info(
            "agent running: %d input(s), spool %s (%d records waiting)",
            len(cfg.inputs),
            self.spool.path,
            sp.records_pending,
        )

    def _start_input(self, cfg: InputConfig) -> None:
        self._run_input(self._make_input(cfg))

    def _run_input(self, worker: InputWorker) -> None:
        cfg = worker.cfg
        self.inputs[cfg.name] = worker
        worker.start()
        if cfg.type == "data-collector":
            what = ", ".join(f"{r.log_type} -> {r.stream}" for r in cfg.log_types)
        else:
            what = cfg.stream
        log.info("input %s started (%s -> %s)", cfg.name, cfg.type, what)

    def _make_input(self, cfg: InputConfig) -> InputWorker:
        assert self.spool is not None
        routes = routes_of(cfg)
        for route in routes:
            self.routes.ensure(route)
        kwargs: dict[str, Any] = {
            "spool": self.spool,
            "stream_key": ",".join(r.key for r in routes),
            "checkpoints": self.checkpoints,
            "dead_letters": self.dead_letters,
            "stats": self.stats,
        }
        worker: InputWorker
        if cfg.type == "stdin":
            worker = StdinInput(cfg, fd=self._stdin_fd, **kwargs)
        elif cfg.type == "http":
            worker = HttpInput(cfg, **kwargs)
        elif cfg.type == "otlp":
            worker = OtlpInput(cfg, **kwargs)
        elif cfg.type == "data-collector":
            keys = {lt.log_type: r.key for lt, r in zip(cfg.log_types, routes, strict=True)}
            worker = DataCollectorInput(cfg, route_keys=keys, **kwargs)
        elif cfg.type in SYSLOG_KINDS:
            worker = SyslogInput(cfg, **kwargs)
        else:
            worker = FileInput(cfg, **kwargs)
        return worker

    def run(self) -> int:
        """Run until stopped; returns the exit code (0 after a graceful stop)."""
        wake = self._wake = Wakeup()
        try:
            if self.spool is None:
                self.start()
            self._loop(wake)
        finally:
            self._wake = None
            wake.close()
        return 0

    def _loop(self, wake: Wakeup) -> None:
        try:
            while not self._stop_requested:
                wake.wait(self.config.status_interval)
                if self._reload_requested:
                    self._reload_requested = False
                    self.reload()
                self.write_status()
                if self._stdin_done():
                    log.info("every input is finished; stopping")
                    break
        finally:
            self.shutdown()

    def _stdin_done(self) -> bool:
        workers = list(self.inputs.values())
        return bool(workers) and all(isinstance(w, StdinInput) and not w.is_alive() for w in workers)

    def reload(self) -> None:
        """Re-read the config: start added inputs, stop removed ones, restart changed ones."""
        try:
            new = load_config(self.config.path)
        except AzlogsError as exc:
            log.error("reload failed, keeping the running config: %s", exc)
            self.stats.error("reload", str(exc))
            return
        old = self.config
        for field in ("state_dir", "spool", "sender", "http_port"):
            if getattr(new, field) != getattr(old, field):
                log.warning("reload: [%s] changed; it takes effect at the next restart", field)
        old_inputs = {i.name: i for i in old.inputs}
        new_inputs = {i.name: i for i in new.inputs}
        for name, cfg in old_inputs.items():
            if new_inputs.get(name) != cfg:
                self._stop_input(name)
        for name, cfg in new_inputs.items():
            if old_inputs.get(name) != cfg:
                try:
                    self.identities.get(cfg.source, cfg.client_id)
                    self._start_input(cfg)
                except AzlogsError as exc:
                    log.error("reload: input %s not started: %s", name, exc)
                    self.stats.error("reload", str(exc))
                    continue
        self.config = AgentConfig(
            path=old.path,
            state_dir=old.state_dir,
            inputs=new.inputs,
            spool=old.spool,
            sender=old.sender,
            drain_timeout=new.drain_timeout,
            status_interval=new.status_interval,
            http_port=old.http_port,
            log_format=new.log_format,
            log_level=new.log_level,
        )
        with self.stats.lock:
            self.stats.reloads += 1
        log.info("config reloaded: %d input(s): %s", len(new.inputs), ", ".join(sorted(new_inputs)))

    def _stop_input(self, name: str) -> None:
        worker = self.inputs.pop(name, None)
        if worker is None:
            return
        worker.stop()
        # an input waiting on a full spool returns after at most block_timeout; a successor must not
        # start on the same checkpoint while it may still write it
        worker.join(self.config.spool.block_timeout + INPUT_JOIN_SECONDS)
        if worker.is_alive():
            log.warning(
                "input %s did not stop in time; it stops when the spool accepts or refuses its lines", name
            )
        with self.stats.lock:
            self.stats.inputs.pop(name, None)
        log.info("input %s stopped", name)

    def shutdown(self) -> None:
        """Stop inputs, drain the spool for up to drain_timeout, keep the rest spooled, close."""
        self.stats.state = "draining"
        log.info("stopping: inputs first, then up to %g s to send what is spooled", self.config.drain_timeout)
        for worker in self.inputs.values():
            worker.stop()
        deadline = time.monotonic() + INPUT_JOIN_SECONDS
        for worker in self.inputs.values():
            worker.join(max(0.0, deadline - time.monotonic()))
        drained = self._drain(time.monotonic() + self.config.drain_timeout)
        if self.sender is not None:
            self.sender.stop()
            if not drained:
                self.sender.abort()
            self.sender.join(5.0)
        left = 0
        if self.spool is not None:
            left = self.spool.stats().records_pending
            self.write_status()
            self.spool.close()
        for worker in self.inputs.values():
            # an input whose append just succeeded writes its checkpoint now (else: read again)
            worker.join(INPUT_JOIN_SECONDS)
        self.stats.state = "stopped"
        self.write_status(final=True)
        if self.sender is not None:
            self.sender.close()
        if self.server is not None:
            self.server.close()
        self.identities.close()
        if left:
            log.warning("stopped with %d records still spooled; they are sent at the next start", left)
        else:
            log.info("stopped; the spool is empty")

    def _drain(self, deadline: float) -> bool:
        if self.spool is None:
            return True
        while time.monotonic() < deadline and not self._stop_now:
            if self.spool.stats().records_pending == 0:
                return True
            time.sleep(0.05)
        return self.spool.stats().records_pending == 0

    def write_status(self, *, final: bool = False) -> None:
        """Write status.json (atomically, not fsynced: it is informative)."""
        try:
            doc = self.stats.snapshot()
            if final:
                doc["stopped"] = doc["updated"]
            atomic_write(Path(self.state_dir) / "status.json", orjson.dumps(doc), durable=False)
        except (OSError, AzlogsError) as exc:
            log.debug("status.json not written: %s", exc)
