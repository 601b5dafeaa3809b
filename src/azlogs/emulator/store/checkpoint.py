"""WAL checkpoints off the request path.

SQLite's automatic checkpoint runs inside the commit that crosses the threshold, so one ingestion
request in every few pays for copying megabytes from the WAL into the database (and, with
``synchronous=FULL``, for its fsyncs). The store turns that off on its writer connection and this
thread checkpoints instead (``PASSIVE``: it never blocks the writer), soon after commits and at
most every ``interval`` seconds, on a connection of its own; SQLite releases the GIL while it works,
so on a multi-core machine the cost leaves the request path entirely.

Passive checkpoints alone never catch up with a writer that commits without pause (each one ends
behind the frames committed while it ran), and the WAL then grows without end. When the log holds
more than :data:`RESTART_FRAMES` frames the thread runs a ``RESTART`` checkpoint, which waits for
the current write transaction, copies the few frames not yet copied, and lets the next writer start
the log again from its beginning.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from pathlib import Path

log = logging.getLogger("azlogs.emulator.store")

# After a checkpoint that reset the log, SQLite truncates the WAL file to this size.
JOURNAL_SIZE_LIMIT = 64 * 1024 * 1024
# A log longer than this (in pages: 64 MiB of 4 KiB pages) is restarted.
RESTART_FRAMES = 16_384


class Checkpointer:
    """A daemon thread running ``PRAGMA wal_checkpoint(PASSIVE)`` after commits."""

    def __init__(self, path: Path, *, interval: float = 0.5) -> None:
        self._path = path
        self._interval = interval
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="azlogs-store-checkpoint", daemon=True)
        self._thread.start()

    def committed(self) -> None:
        """Tell the thread there is something to checkpoint."""
        self._wake.set()

    def _run(self) -> None:
        conn = sqlite3.connect(str(self._path), isolation_level=None, check_same_thread=False)
        try:
            conn.execute("PRAGMA busy_timeout=10000")
            conn.execute(f"PRAGMA journal_size_limit={JOURNAL_SIZE_LIMIT}")
            while not self._stop.is_set():
                self._wake.wait()
                if self._stop.is_set():
                    break
                self._wake.clear()
                try:
                    _busy, log_frames, _done = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
                    if log_frames > RESTART_FRAMES:
                        conn.execute("PRAGMA wal_checkpoint(RESTART)").fetchall()
                except sqlite3.Error:  # the next commit wakes us again; never take the emulator down
                    log.exception("WAL checkpoint failed")
                self._stop.wait(self._interval)
        finally:
            conn.close()

    def stop(self) -> None:
        """Stop the thread (the store then checkpoints once more on its own connection)."""
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout=30)
