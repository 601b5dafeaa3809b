"""A test hook: a spool disk that fills up on command (for the agent's disk-full tests).

With ``AZLOGS_AGENT_TEST_DISK=/path/control.json`` in its environment, the agent opens its spool on a
:class:`azlogs.spool.FaultyStorage` and reads the control file every 0.1 s: ``{"full": true}`` makes
every spool write fail with ENOSPC (a volume filled by someone else: deleting acked segments does
not help), ``{"free": N}`` lets the spool's files grow by N more bytes (deleting segments gives
space back), ``{"full": false}`` or ``{}`` gives the disk back. Nothing else changes; the variable
is for tests and is logged loudly when set.
"""

from __future__ import annotations

import errno
import logging
import threading
from collections.abc import Mapping
from pathlib import Path

import orjson

from azlogs.spool import FaultyStorage

log = logging.getLogger("azlogs.agent")

ENV = "AZLOGS_AGENT_TEST_DISK"


class DiskControl:
    """Applies the control file's ``free`` value to a FaultyStorage whenever the file changes."""

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
        log.warning("TEST HOOK: spool disk full=%s, free=%s", full, "unlimited" if free is None else free)

    def _watch(self) -> None:
        while not self._stop.wait(0.1):
            self.apply()

    def close(self) -> None:
        """Stop following the file."""
        self._stop.set()


def disk_control(env: Mapping[str, str]) -> DiskControl | None:
    """The test disk named by ``AZLOGS_AGENT_TEST_DISK``, or None (the real disk)."""
    path = env.get(ENV)
    if not path:
        return None
    log.warning("TEST HOOK %s=%s: the spool runs on a simulated disk", ENV, path)
    return DiskControl(Path(path))
