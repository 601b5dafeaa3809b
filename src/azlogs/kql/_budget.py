"""The budget of one run: a deadline and memory limits, checked cooperatively by the evaluator.

Python cannot stop a thread from outside, so the engine stops itself: every loop over rows ticks
the budget of the current run, every row a blocking operator keeps (sort, join, summarize groups,
distinct) is counted, and every string a function builds is measured before it is built where it
can be. Past a limit the run raises :class:`~azlogs.KqlLimitError` (``KqlTimeoutError`` for the
deadline); nothing is cut short silently.

The run's budget is found through a context variable, set by :meth:`Budget.active`, so the
closures of a compiled plan need no extra argument and a plan compiled once can run under a new
budget each time.

The defaults are the emulator's own (Azure publishes no figure for them); the Azure and Kusto
figures (the query API's timeout, the result limits, strrep's cap) are in :mod:`azlogs.facts`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Final, TypeVar

from azlogs._exceptions import KqlLimitError, KqlTimeoutError

T = TypeVar("T")

# Rows that blocking operators may hold at once in one run: a few GB of Python dicts at most.
DEFAULT_MAX_HELD_ROWS: Final = 5_000_000
# The largest string (in characters) or array (in elements) one expression may build. Kusto stores
# string values of up to 1 MB by default and refuses records over 64 MB; 64 Mi stops a doubling
# strcat() or an array_concat() long before the process runs out of memory.
DEFAULT_MAX_VALUE_SIZE: Final = 64 * 1024 * 1024
# Expressions compiled for one text: linear in the text; more means an amplifying construct.
DEFAULT_MAX_COMPILE_STEPS: Final = 1_000_000
# The clock is read once every this many ticks: cheap enough for the per-row loops.
_CHECK_EVERY: Final = 256
# The memory probe (a read of /proc in the emulator, ~10 us) once every this many clock reads.
_MEMORY_EVERY: Final = 16


class Budget:
    """Limits of one query or transformation run.

    Args:
        timeout: seconds from :meth:`active` until the run is stopped; None for no deadline.
        max_held_rows: rows that blocking operators may hold at once.
        max_value_size: the longest string (characters) or array (elements) an expression may build.
        max_compile_steps: expressions compiled for one text.
        clock: a monotonic clock in seconds (tests pass a fake one).
        time_limit: how the deadline is named in the error (default: ``timeout`` in seconds), for a
            caller whose run has only what is left of a longer limit.
        memory: the process's memory in use, in bytes (the caller's probe: the engine reads no
            files), read when the run starts and every few thousand ticks; with ``max_memory``, the
            run stops when it has grown by more than that. Rows and values are counted by number
            elsewhere; this catches what number cannot (a sort of rows that each hold a large string).
        max_memory: how much ``memory`` may grow during the run.
    """

    def __init__(
        self,
        *,
        timeout: float | None = None,
        max_held_rows: int = DEFAULT_MAX_HELD_ROWS,
        max_value_size: int = DEFAULT_MAX_VALUE_SIZE,
        max_compile_steps: int = DEFAULT_MAX_COMPILE_STEPS,
        clock: Callable[[], float] = time.monotonic,
        time_limit: str | None = None,
        memory: Callable[[], int] | None = None,
        max_memory: int | None = None,
    ) -> None:
        self.timeout = timeout
        self.time_limit = time_limit
        self.memory = memory if max_memory is not None else None
        self.max_memory = max_memory
        self._memory_countdown = _MEMORY_EVERY
        self._memory_base = 0
        self.max_held_rows = max_held_rows
        self.max_value_size = max_value_size
        self.max_compile_steps = max_compile_steps
        self.clock = clock
        self.deadline: float | None = None
        self.ticks = 0
        self.held = 0
        self._countdown = _CHECK_EVERY

    @contextmanager
    def active(self) -> Iterator[Budget]:
        """Make this the budget of the code run inside the block; the deadline starts now."""
        self.deadline = None if self.timeout is None else self.clock() + self.timeout
        self.held = 0
        self._memory_base = self.memory() if self.memory is not None else 0
        token = _CURRENT.set(self)
        try:
            yield self
        finally:
            _CURRENT.reset(token)

    def tick(self, n: int = 1) -> None:
        """Count work (a row through a loop, a function call); past the deadline, raise."""
        self.ticks += n
        self._countdown -= n
        if self._countdown <= 0:
            self._countdown = _CHECK_EVERY
            self.check_time()

    def check_time(self) -> None:
        """Raise :class:`KqlTimeoutError` when the deadline has passed (and check the memory now and then)."""
        if self.memory is not None:
            self._memory_countdown -= 1
            if self._memory_countdown <= 0:
                self._memory_countdown = _MEMORY_EVERY
                self.check_memory()
        if self.deadline is not None and self.clock() > self.deadline:
            raise KqlTimeoutError(
                f"the run went past its time limit of {self.time_limit or f'{self.timeout:g} s'} and was stopped",
                limit="time",
                hint="narrow the time range, filter earlier, or give the query more time (Prefer: wait=N)",
            )

    def check_memory(self) -> None:
        """Raise :class:`KqlLimitError` when the memory grew by more than ``max_memory`` during the run."""
        if self.memory is None or self.max_memory is None:
            return
        grown = self.memory() - self._memory_base
        if grown > self.max_memory:
            raise KqlLimitError(
                f"the run grew the memory in use by {grown // 2**20} MiB, more than the limit of "
                f"{self.max_memory // 2**20} MiB (E_RUNAWAY_QUERY)",
                limit="memory",
                hint="project fewer or shorter columns, summarize or take before sort, join or make_list",
            )

    def hold(self, n: int = 1) -> None:
        """Count rows kept in memory by a blocking operator."""
        self.held += n
        if self.held > self.max_held_rows:
            raise KqlLimitError(
                f"the run keeps more than {self.max_held_rows} rows in memory (E_RUNAWAY_QUERY)",
                limit="rows",
                hint="summarize, filter or take before sort, join or distinct",
            )
        self.tick(n)

    def collect(self, rows: Iterable[T]) -> list[T]:
        """``list(rows)``, counting each row held (a few hundred at a time: a run past the limit
        stops within that many rows of it)."""
        out: list[T] = []
        append = out.append
        pending = 0
        for r in rows:
            append(r)
            pending += 1
            if pending == _CHECK_EVERY:
                self.hold(pending)
                pending = 0
        if pending:
            self.hold(pending)
        return out

    def check_size(self, size: int, what: str) -> None:
        """Refuse, before it is built, a string or array of ``size`` characters or elements."""
        if size > self.max_value_size:
            raise KqlLimitError(
                f"{what} would be {size} long, more than the limit of {self.max_value_size}",
                limit="value_bytes",
            )

    def compiled(self, steps: int) -> None:
        """Check the number of expressions compiled so far."""
        if steps > self.max_compile_steps:
            raise KqlLimitError(
                f"the text compiles to more than {self.max_compile_steps} expressions",
                limit="compile_steps",
                hint="a function or let that expands into itself many times",
            )


class _Unlimited(Budget):
    """The budget outside any run: no deadline; value and row limits still hold."""

    def tick(self, n: int = 1) -> None:
        return None

    def hold(self, n: int = 1) -> None:
        return None  # shared by every thread outside a run: it keeps no count


_UNLIMITED: Final = _Unlimited()
_CURRENT: ContextVar[Budget | None] = ContextVar("azlogs_kql_budget", default=None)


def current() -> Budget:
    """The budget of the run in progress (an unlimited one outside any run)."""
    return _CURRENT.get() or _UNLIMITED


def checked_size(value: Any, what: str) -> Any:
    """``value`` when it is within the current run's value size limit; raises otherwise."""
    if isinstance(value, (str, list)) and len(value) > 4096:
        current().check_size(len(value), what)
    return value
