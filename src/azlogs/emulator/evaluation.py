"""Where and for how long the emulator evaluates KQL: never on the event loop, always under a budget.

The event loop serves every plane (IMDS, Arc, Entra, ARM, ingestion, query, ``/_emulator/health``),
so no transformation or query runs on it:

* transformations run on the ingestion worker thread (one thread, which is also the store's only
  writer: see :mod:`.ingestion.endpoint`), one request at a time;
* queries run on worker threads of their own limiter (``Limits.concurrent_queries``, Azure's five
  concurrent queries per user), so runaway queries can neither take the threads the other planes
  use (anyio's default limiter) nor pile up without bound (see :mod:`.query.limits`).

A thread cannot be stopped from outside, so every run carries a :class:`~azlogs.kql.Budget` with a
deadline and memory limits that the engine checks as it goes (``KqlTimeoutError`` /
``KqlLimitError``): rows and values held, counted, and the growth of the process's resident memory
since the run started, read from ``/proc`` every few thousand steps (a process-wide figure: with
several runs at once, one may be stopped for another's growth). The GIL is released between the engine's steps, so the event loop keeps
answering while a run works; no single step is large (strings and arrays are capped by the budget,
``long`` arithmetic is 64-bit).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Final

from azlogs.emulator.config import Limits
from azlogs.kql import Budget

_DEFAULT_GROWTH: Final = 2 * 2**30


def resident_bytes() -> int:
    """The process's resident memory in bytes (Linux ``/proc/self/statm``; 0 where it cannot be read)."""
    try:
        with open("/proc/self/statm", "rb") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def memory_limit(configured: int) -> int:
    """How much a run may grow the process's resident memory: ``configured``, or 2 GiB or a quarter of the RAM."""
    if configured > 0:
        return configured
    try:
        ram = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return _DEFAULT_GROWTH
    return min(_DEFAULT_GROWTH, ram // 4) if ram > 0 else _DEFAULT_GROWTH


class Deadline:
    """A point in time that runs started for one request must end by, and their memory limits.

    Args:
        seconds: from now until the deadline.
        max_held_rows: rows or values one run may hold (``Limits.kql_max_held_rows``).
        max_growth: how much one run may grow the resident memory (``Limits.kql_max_run_memory_bytes``;
            0 for the default, see :func:`memory_limit`).
        clock: a monotonic clock in seconds (tests pass a fake one).
    """

    def __init__(
        self,
        seconds: float,
        *,
        max_held_rows: int = Limits.kql_max_held_rows,
        max_growth: int = Limits.kql_max_run_memory_bytes,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.seconds = seconds
        self.max_held_rows = max_held_rows
        self.max_growth = memory_limit(max_growth)
        self.clock = clock
        self.at = clock() + seconds

    @classmethod
    def of(cls, seconds: float, limits: Limits) -> Deadline:
        """A deadline ``seconds`` from now with the memory limits of the emulator's settings."""
        return cls(
            seconds, max_held_rows=limits.kql_max_held_rows, max_growth=limits.kql_max_run_memory_bytes
        )

    def remaining(self) -> float:
        """Seconds left, never below zero."""
        return max(0.0, self.at - self.clock())

    def expired(self) -> bool:
        """Whether the deadline has passed."""
        return self.clock() >= self.at

    def budget(self) -> Budget:
        """A budget for one run that ends at this deadline, whenever the run starts."""
        return Budget(
            timeout=self.remaining(),
            max_held_rows=self.max_held_rows,
            clock=self.clock,
            time_limit=f"{self.seconds:g} s",
            memory=resident_bytes,
            max_memory=self.max_growth,
        )
