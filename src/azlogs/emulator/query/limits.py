"""The query API's limits as Azure applies them: server timeout, result truncation, runaway queries.

Sources (see docs/differences.md, "Query API limits"):

* Microsoft Learn, "Timeouts" (azure-monitor/logs/api/timeouts): the default timeout is 3 minutes,
  at most 10, set with ``Prefer: wait=N``; a query that runs longer fails with 504 Gateway Timeout.
  The body is the one the SDKs' TROUBLESHOOTING guides show (azure-sdk-for-js monitor-query:
  ``GatewayTimeout`` / "Gateway timeout", inner ``GatewayTimeout`` / "Kusto query timed out"). The
  answer carries ``Preference-Applied: wait=N`` (issue 11's reading of Azure's answers).
* "Azure Monitor service limits" and Kusto "Query limits": 500,000 records and 64 MB per result;
  past them the rows are cut and the answer is 200 with a ``PartialError`` next to the tables, in
  the shape of a recorded answer (grafana's Log Analytics testdata,
  ``9-log-analytics-response-error.json``: ``PartialError`` / "There were some errors when processing
  your query." > ``EngineError`` > innererror code ``-2133196797``, severity 2).
* Kusto's runaway protection (E_RUNAWAY_QUERY, "Results may be incorrect or incomplete"): a query
  past the emulator's memory budget answers a ``PartialError`` of that code with no rows [U].
* Five concurrent queries per user; more wait for a turn (service limits, "User query throttling").
  The emulator has one queue for everyone; a query still waiting at its deadline answers 504.

Everything here is pure except :class:`QueryRunner`, which owns the worker threads.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

import anyio
import anyio.to_thread
from starlette.responses import Response

from azlogs import facts
from azlogs._exceptions import KqlLimitError
from azlogs.emulator.context import Context
from azlogs.emulator.evaluation import Deadline
from azlogs.emulator.query.errors import error, json_response
from azlogs.emulator.query.prefer import parse_prefer
from azlogs.kql import Budget, PartialFailure

PARTIAL_MESSAGE: Final = "There were some errors when processing your query."
ENGINE_MESSAGE: Final = "Something went wrong processing your query on the server."
_SEVERITY_ERROR: Final = 2


def requested_wait(prefer: str | None) -> int | None:
    """The seconds of ``wait=N`` in a ``Prefer`` header (``wait=30,include-statistics=true``), if any,
    read by the one ``Prefer`` parser (:func:`.prefer.parse_prefer`).

    A malformed or absent preference is ignored, as RFC 7240 says a server may.
    """
    value = parse_prefer([prefer] if prefer else []).wait
    return int(value) if value is not None and value.isdigit() and len(value) <= 9 else None


@dataclass
class QueryLimits:
    """The limits of one query request, worked out when it arrives.

    ``timeout`` is the server timeout in seconds (``wait`` clamped to 1..10 minutes, or the
    default); ``applied`` is the ``Preference-Applied`` value to answer (None without ``wait``).
    """

    timeout: float
    applied: str | None
    max_records: int
    max_bytes: int
    max_held_rows: int
    max_growth: int = 0
    deadline: Deadline = field(init=False)

    def __post_init__(self) -> None:
        self.deadline = Deadline(self.timeout, max_held_rows=self.max_held_rows, max_growth=self.max_growth)

    @classmethod
    def for_request(cls, ctx: Context, prefer: str | None) -> QueryLimits:
        """The limits of a request with this ``Prefer`` header, from the emulator's settings."""
        limits = ctx.settings.limits
        wait = requested_wait(prefer)
        if wait is None:
            timeout, applied = float(limits.query_timeout_seconds), None
        else:
            wait = min(max(wait, 1), facts.QUERY_MAX_TIMEOUT_SECONDS)
            timeout, applied = float(wait), f"wait={wait}"
        return cls(
            timeout,
            applied,
            limits.query_max_records,
            limits.query_max_result_bytes,
            limits.kql_max_held_rows,
            limits.kql_max_run_memory_bytes,
        )

    def budget(self) -> Budget:
        """The budget of the run: what is left of the request's timeout, and the memory limits."""
        return self.deadline.budget()

    @property
    def headers(self) -> dict[str, str]:
        """Headers every answer to this request carries."""
        return {"Preference-Applied": self.applied} if self.applied else {}

    def gateway_timeout(self) -> Response:
        """504 as the service answers a query that ran past its server timeout."""
        response = error(
            504,
            "GatewayTimeout",
            "Gateway timeout",
            {"code": "GatewayTimeout", "message": "Kusto query timed out"},
        )
        response.headers.update(self.headers)
        return response

    def runaway(self, exc: KqlLimitError) -> Response:
        """200 with no rows and the ``E_RUNAWAY_QUERY`` partial error: the memory budget stopped the run."""
        empty = {"name": "PrimaryResult", "columns": [], "rows": []}
        return json_response({"tables": [empty], "error": runaway_error(exc)}, headers=self.headers)


def partial_error(partial: PartialFailure, limits: QueryLimits) -> dict[str, Any]:
    """The ``error`` member of a 200 whose rows were cut at a result limit, in the service's words.

    The engine says which limit cut the rows and its figure for this run; a query's own
    ``set truncationmaxrecords=N`` gets the recorded short text, the service's limits the long one.
    """
    head = f"The results of this query exceed the set limit of {partial.value} {partial.limit}"
    text = (
        head + "."
        if partial.set_by_query
        else head + ", so not all records were returned (E_QUERY_RESULT_SET_TOO_LARGE, 0x80DA0003, see "
        "https://aka.ms/kustoquerylimits for more information and possible solutions)."
    )
    return _partial(facts.KUSTO_E_QUERY_RESULT_SET_TOO_LARGE, text)


def runaway_error(exc: KqlLimitError) -> dict[str, Any]:
    """The ``error`` member of a 200 for a query stopped by the memory budget (no rows)."""
    return _partial(
        facts.KUSTO_E_RUNAWAY_QUERY,
        f"The query has exceeded the memory budget during evaluation: {exc.message}. "
        "Results may be incorrect or incomplete (E_RUNAWAY_QUERY).",
    )


def _partial(code: str, message: str) -> dict[str, Any]:
    return {
        "code": "PartialError",
        "message": PARTIAL_MESSAGE,
        "details": [
            {
                "code": "EngineError",
                "message": ENGINE_MESSAGE,
                "innererror": {
                    "code": code,
                    "message": message,
                    "severity": _SEVERITY_ERROR,
                    "severityName": "Error",
                },
            }
        ],
    }


def prefer_of(headers: Mapping[str, Any] | None) -> str | None:
    """The ``Prefer`` header of a ``$batch`` item's ``headers`` object (names are case-insensitive)."""
    for name, value in (headers or {}).items():
        if isinstance(name, str) and name.lower() == "prefer" and isinstance(value, str):
            return value
    return None


class QueryRunner:
    """Runs queries on worker threads of their own, at most ``size`` at once.

    A query waits for a thread within its own timeout; one that is still waiting at its deadline
    answers 504 without running. A running query stops itself at its deadline (its budget).
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self._slots: anyio.CapacityLimiter | None = None
        self._threads: anyio.CapacityLimiter | None = None

    async def run(
        self, limits: QueryLimits, fn: Callable[..., Response], *args: Any, **kwargs: Any
    ) -> Response:
        """``fn(*args, **kwargs)`` on a worker thread, or the 504 if no thread frees up in time."""
        if self._slots is None or self._threads is None:
            # Made on first use: a limiter belongs to the running event loop. The threads limiter
            # never blocks (a slot is held first); it keeps queries off anyio's default limiter.
            self._slots = anyio.CapacityLimiter(self.size)
            self._threads = anyio.CapacityLimiter(self.size)
        slots = self._slots
        with anyio.move_on_after(limits.deadline.remaining()) as waiting:
            await slots.acquire()
        if waiting.cancelled_caught:
            return limits.gateway_timeout()
        try:
            call = functools.partial(fn, *args, **kwargs)
            return await anyio.to_thread.run_sync(call, limiter=self._threads)
        finally:
            slots.release()


def runner(ctx: Context) -> QueryRunner:
    """The emulator's query runner (one per context)."""
    found = ctx.query_runner
    if not isinstance(found, QueryRunner):
        found = QueryRunner(max(1, ctx.settings.limits.concurrent_queries))
        ctx.query_runner = found
    return found
