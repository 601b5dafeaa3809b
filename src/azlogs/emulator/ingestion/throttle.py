"""Per-DCR throttling: requests per minute and bytes per minute over a sliding 60-second window.

Azure documents the limits (12,000 requests and 2 GB per minute per DCR, Microsoft Learn, "Azure Monitor service limits") and the
answer (429 with ``Retry-After``), not the window's shape; a sliding window is the strictest reading
that never refuses a client that stays under the rate, and it lets ``Retry-After`` say exactly when
the window will have room: the time until enough of the oldest requests or bytes leave it.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

WINDOW_SECONDS = 60.0


@dataclass
class _Window:
    requests: deque[float] = field(default_factory=deque)
    chunks: deque[tuple[float, int]] = field(default_factory=deque)
    bytes_total: int = 0


class Throttle:
    """Counts requests and bytes per key (the DCR immutable id); thread-safe.

    Args:
        clock: seconds, monotonic (tests pass a fake).
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._windows: dict[str, _Window] = {}
        self._lock = threading.Lock()

    def _window(self, key: str, now: float) -> _Window:
        w = self._windows.get(key)
        if w is None:
            w = self._windows[key] = _Window()
        horizon = now - WINDOW_SECONDS
        while w.requests and w.requests[0] <= horizon:
            w.requests.popleft()
        while w.chunks and w.chunks[0][0] <= horizon:
            w.bytes_total -= w.chunks.popleft()[1]
        return w

    def admit_request(self, key: str, limit: int) -> int | None:
        """Count one request; None if admitted, else the whole seconds to wait (at least 1)."""
        with self._lock:
            now = self._clock()
            w = self._window(key, now)
            if len(w.requests) >= limit:
                # Room appears when the oldest request that keeps the window full leaves it.
                oldest = w.requests[len(w.requests) - limit] if limit > 0 else now
                return _seconds(oldest + WINDOW_SECONDS - now)
            w.requests.append(now)
            return None

    def admit_bytes(self, key: str, size: int, limit: int) -> int | None:
        """Count ``size`` bytes; None if admitted, else the whole seconds to wait (at least 1)."""
        with self._lock:
            now = self._clock()
            w = self._window(key, now)
            if w.bytes_total + size <= limit:
                w.chunks.append((now, size))
                w.bytes_total += size
                return None
            if size > limit:  # never fits: the full window is the honest answer
                return _seconds(WINDOW_SECONDS)
            need = w.bytes_total + size - limit
            freed = 0
            for at, n in w.chunks:
                freed += n
                if freed >= need:
                    return _seconds(at + WINDOW_SECONDS - now)
            return _seconds(WINDOW_SECONDS)  # pragma: no cover - freed reaches need by construction


def _seconds(wait: float) -> int:
    return max(1, math.ceil(wait))
