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
``KqlLimitError``). The GIL is released between the engine's steps, so the event loop keeps
answering while a run works; no single step is large (strings and arrays are capped by the budget,
``long`` arithmetic is 64-bit).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from azlogs.kql import Budget


class Deadline:
    """A point in time that runs started for one request must end by.

    Args:
        seconds: from now until the deadline.
        clock: a monotonic clock in seconds (tests pass a fake one).
    """

    def __init__(self, seconds: float, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self.clock = clock
        self.at = clock() + seconds

    def remaining(self) -> float:
        """Seconds left, never below zero."""
        return max(0.0, self.at - self.clock())

    def expired(self) -> bool:
        """Whether the deadline has passed."""
        return self.clock() >= self.at

    def budget(self, *, max_held_rows: int) -> Budget:
        """A budget for one run that ends at this deadline, whenever the run starts."""
        return Budget(
            timeout=self.remaining(),
            max_held_rows=max_held_rows,
            clock=self.clock,
            time_limit=f"{self.seconds:g} s",
        )
