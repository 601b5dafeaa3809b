"""Run the agent as ``azlogs agent run`` does, with its spool on a disk that fills up on command.

For the agent's disk-full tests, which need a real process (signals, SIGKILL, restarts)::

    python tests/agent_disk_runner.py --config agent.toml --disk control.json

The spool opens on a :class:`azlogs.spool._faults.FaultyStorage` passed through the agent's ``storage=``
argument (its one storage seam; nothing in the product reads a test variable). The control file is
read every 0.1 s: ``{"full": true}`` makes every spool write fail with ENOSPC (a volume filled by
someone else: deleting acked segments does not help), ``{"free": N}`` lets the spool's files grow by
N more bytes (deleting segments gives space back), ``{"full": false}`` or ``{}`` gives the disk back.
Each change is logged as ``test disk: full=... free=...``.
"""

from __future__ import annotations

import argparse
import errno
import logging
import sys
import threading
from pathlib import Path

import orjson

from azlogs.agent import Agent, load_config, setup_logging
from azlogs.spool._faults import FaultyStorage

log = logging.getLogger("azlogs.agent")

RUNNER = Path(__file__).resolve()


class DiskControl:
    """Applies the control file to a FaultyStorage whenever the file changes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.storage = FaultyStorage()
        self._last: bytes | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="azlogs-test-disk", daemon=True)

    def start(self) -> None:
        """Apply the file now, then follow it."""
        self.apply()
        self._thread.start()

    def apply(self) -> None:
        """Read the control file once and apply it if it changed."""
        try:
            data = self.path.read_bytes()
        except OSError:
            return
        if data == self._last:
            return
        self._last = data
        try:
            doc = orjson.loads(data)
            full = bool(doc.get("full", False))
            free = doc.get("free")
        except (orjson.JSONDecodeError, AttributeError):
            log.error("test disk control %s is not valid JSON", self.path)
            return
        self.storage.clear()
        if full:
            self.storage.fail("pwrite", errno.ENOSPC, times=2**62)
        self.storage.free = None if free is None else int(free)
        log.warning("test disk: full=%s, free=%s", full, "unlimited" if free is None else free)

    def _watch(self) -> None:
        while not self._stop.wait(0.1):
            self.apply()

    def close(self) -> None:
        """Stop following the file."""
        self._stop.set()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", required=True, type=Path)
    parser.add_argument("--disk", required=True, type=Path, help="the control file")
    args = parser.parse_args(argv)
    cfg = load_config(args.config)
    setup_logging(cfg.log_format, cfg.log_level)
    disk = DiskControl(args.disk)
    disk.start()
    try:
        running = Agent(cfg, storage=disk.storage)
        running.install_signals()
        return running.run()
    finally:
        disk.close()


if __name__ == "__main__":
    sys.exit(main())
