"""``set`` statements: Kusto's request properties, given in the query text.

``set truncationmaxrecords = 1; T | take 5`` answers one row and says the result was cut (a partial
result), as Kusto does. The properties that change an answer here are applied:

* ``truncationmaxrecords`` / ``truncationmaxsize``: the result limits of this query, within the
  service's own (a Log Analytics query never answers more than its limits, whatever it sets);
* ``notruncation``: accepted; the service's limits still hold (Log Analytics documents them as
  service limits, not defaults);
* ``query_take_max_records``: at most this many rows, silently, like a final ``take``;
* ``query_now``: the instant ``now()`` and ``ago()`` read;
* ``query_bin_auto_size`` / ``query_bin_auto_at``: the bin size and fixed point of ``bin_auto()``.

Every other documented request property (Kusto's "Request properties" reference) is accepted and
has no effect here, as most have none a caller can see. A name that is not a request property is
refused (a semantic error), never silently ignored.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from azlogs._exceptions import KqlError
from azlogs.kql import _ast as A
from azlogs.kql._values import ensure_utc, parse_datetime

APPLIED: Final = frozenset(
    {
        "truncationmaxrecords",
        "truncationmaxsize",
        "notruncation",
        "query_take_max_records",
        "query_now",
        "query_bin_auto_at",
        "query_bin_auto_size",
    }
)
# Request properties that are accepted and change nothing a caller can see here.
ACCEPTED: Final = frozenset(
    {
        "best_effort",
        "client_max_redirect_count",
        "deferpartialqueryfailures",
        "materialized_view_shuffle",
        "max_memory_consumption_per_query_per_node",
        "maxmemoryconsumptionperiterator",
        "maxoutputcolumns",
        "norequesttimeout",
        "push_selection_through_aggregation",
        "query_consistency",
        "query_cursor_after_default",
        "query_cursor_before_or_at_default",
        "query_cursor_current",
        "query_cursor_disabled",
        "query_cursor_scoped_tables",
        "query_datascope",
        "query_datetimescope_column",
        "query_datetimescope_from",
        "query_datetimescope_to",
        "query_distribution_nodes_span",
        "query_fanout_nodes_percent",
        "query_fanout_threads_percent",
        "query_force_row_level_security",
        "query_language",
        "query_log_query_parameters",
        "query_max_entities_in_union",
        "query_python_debug",
        "query_results_apply_getschema",
        "query_results_cache_force_refresh",
        "query_results_cache_max_age",
        "query_results_cache_per_shard",
        "query_results_progressive_row_count",
        "query_results_progressive_update_period",
        "query_weakconsistency_session_id",
        "queryconsistency",
        "request_app_name",
        "request_block_row_level_security",
        "request_callout_disabled",
        "request_description",
        "request_external_table_disabled",
        "request_impersonation_disabled",
        "request_readonly",
        "request_readonly_hardline",
        "request_remote_entities_disabled",
        "request_sandboxed_execution_disabled",
        "request_user",
        "results_error_reporting_placement",
        "results_progressive_enabled",
        "servertimeout",
        "validatepermissions",
    }
)


@dataclass(frozen=True)
class RequestOptions:
    """The effect of a query's ``set`` statements on one run.

    Attributes:
        max_records: rows past which the answer is cut and marked partial.
        max_bytes: result size past which the answer is cut and marked partial.
        take: rows past which the answer is cut silently (``query_take_max_records``), or None.
        now: the instant ``now()`` reads (``query_now``), or None for the clock.
        records_set: ``max_records`` is the query's ``set truncationmaxrecords`` (below the service's).
        bytes_set: ``max_bytes`` is the query's ``set truncationmaxsize`` (below the service's).
        bin_auto_size: ``bin_auto()``'s bin size (``query_bin_auto_size``), or None when not set.
        bin_auto_at: ``bin_auto()``'s fixed point (``query_bin_auto_at``), or None for 0.
    """

    max_records: int
    max_bytes: int
    take: int | None = None
    now: datetime | None = None
    records_set: bool = False
    bytes_set: bool = False
    bin_auto_size: Any = None
    bin_auto_at: Any = None


def _count(option: A.SetOption) -> int:
    v = option.value
    if isinstance(v, bool) or not isinstance(v, int) or v < 0:
        raise KqlError(
            f"set {option.name}: expected a non-negative whole number, not {v!r}",
            line=option.pos[0] or None,
            column=option.pos[1] or None,
        )
    return v


def request_options(sets: Sequence[A.SetOption], max_records: int, max_bytes: int) -> RequestOptions:
    """Apply ``set`` statements to the service's limits (which they may lower, never raise).

    Raises:
        KqlError: a name that is not a request property, or a value of the wrong kind.
    """
    take: int | None = None
    now: datetime | None = None
    records_set = bytes_set = False
    bin_auto: dict[str, Any] = {}
    for option in sets:
        name = option.name
        if name == "truncationmaxrecords":
            value = _count(option)
            records_set, max_records = (True, value) if value < max_records else (records_set, max_records)
        elif name == "truncationmaxsize":
            value = _count(option)
            bytes_set, max_bytes = (True, value) if value < max_bytes else (bytes_set, max_bytes)
        elif name == "query_take_max_records":
            take = _count(option)
        elif name == "query_now":
            now = _instant(option)
        elif name in ("query_bin_auto_size", "query_bin_auto_at"):
            bin_auto[name] = _bin_value(option)
        elif name not in APPLIED and name not in ACCEPTED:
            raise KqlError(
                f"'set' statement: '{option.name}' is not a request property",
                line=option.pos[0] or None,
                column=option.pos[1] or None,
            )
    return RequestOptions(
        max_records,
        max_bytes,
        take,
        now,
        records_set,
        bytes_set,
        bin_auto.get("query_bin_auto_size"),
        bin_auto.get("query_bin_auto_at"),
    )


def _bin_value(option: A.SetOption) -> Any:
    """A ``query_bin_auto_*`` value: a number, a timespan or (the fixed point) a datetime."""
    v: Any = option.value
    if isinstance(v, datetime):
        return ensure_utc(v)
    if isinstance(v, (int, float, timedelta)) and not isinstance(v, bool):
        return v
    raise KqlError(
        f"set {option.name}: expected a number, a timespan or a datetime, not {v!r}",
        line=option.pos[0] or None,
        column=option.pos[1] or None,
    )


def _instant(option: A.SetOption) -> datetime:
    v: Any = option.value
    if isinstance(v, datetime):
        return ensure_utc(v)
    if isinstance(v, str):
        parsed = parse_datetime(v)  # the one reader of datetime text, as todatetime() reads it
        if parsed is not None:
            return parsed
    raise KqlError(
        f"set query_now: expected a datetime, not {v!r}",
        line=option.pos[0] or None,
        column=option.pos[1] or None,
    )
