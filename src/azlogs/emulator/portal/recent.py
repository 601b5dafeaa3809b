"""The portal's Request log: the newest entries of the emulator's request log, kept in memory.

The request log (:mod:`azlogs.emulator.requestlog`) is written through the ``azlogs.emulator.requests``
logger; this handler keeps its newest lines for the portal. What it keeps is what the log writes:
method, path, redacted query, status, latency, client request id; never a header or a body, so
never a token or a key. The portal's own requests are left out (its pages poll; they would push
everything else out of the window).
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from typing import Any, Final

import orjson

LOGGER: Final = "azlogs.emulator.requests"
KEEP: Final = 2000
_OWN_PREFIX: Final = "/portal"


class RecentRequests(logging.Handler):
    """A logging handler that keeps the newest :data:`KEEP` request-log entries, with a sequence number."""

    def __init__(self, keep: int = KEEP) -> None:
        super().__init__(logging.INFO)
        self._entries: deque[dict[str, Any]] = deque(maxlen=keep)
        self._seq = 0
        self._guard = threading.Lock()

    def emit(self, record: logging.LogRecord) -> None:
        try:
            entry = orjson.loads(record.getMessage())
        except orjson.JSONDecodeError:
            return
        if not isinstance(entry, dict) or str(entry.get("path", "")).startswith(_OWN_PREFIX):
            return
        with self._guard:
            self._seq += 1
            entry["seq"] = self._seq
            self._entries.append(entry)

    def newest(self, limit: int, after: int = 0) -> list[dict[str, Any]]:
        """Up to ``limit`` entries past sequence number ``after``, newest first."""
        with self._guard:
            picked = [e for e in self._entries if e["seq"] > after]
        picked.reverse()
        return picked[:limit]


def attach() -> RecentRequests:
    """A new handler on the request logger, in place of one a previous emulator in this process left."""
    logger = logging.getLogger(LOGGER)
    for old in [h for h in logger.handlers if isinstance(h, RecentRequests)]:
        logger.removeHandler(old)
    handler = RecentRequests()
    logger.addHandler(handler)
    return handler
