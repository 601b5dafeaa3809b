"""The ``error`` member of a 200 answer whose rows were cut at a result limit (``PartialError``).

The shape is that of a recorded answer (grafana's Log Analytics test data): ``PartialError`` /
"There were some errors when processing your query." > ``EngineError`` > an innererror with Kusto's
HRESULT as signed decimal text (``-2133196797``, E_QUERY_RESULT_SET_TOO_LARGE), severity 2, and
the service's text naming the limit that cut the rows (the query's own ``set truncationmax...``
figure when it set one).

Kept small on purpose: the query limits work (``emulator/query/limits.py``, branch h/qlimits)
owns the same answer; when both are merged, that one stays and this module goes.
"""

from __future__ import annotations

from typing import Any, Final

from azlogs.kql import PartialFailure

E_QUERY_RESULT_SET_TOO_LARGE: Final = "-2133196797"


def partial_error(partial: PartialFailure) -> dict[str, Any]:
    """``{"code": "PartialError", ...}`` for rows cut at a result limit."""
    return {
        "code": "PartialError",
        "message": "There were some errors when processing your query.",
        "details": [
            {
                "code": "EngineError",
                "message": "Something went wrong processing your query on the server.",
                "innererror": {
                    "code": E_QUERY_RESULT_SET_TOO_LARGE,
                    "message": _message(partial),
                    "severity": 2,
                    "severityName": "Error",
                },
            }
        ],
    }


def _message(partial: PartialFailure) -> str:
    """The service's words: the recorded short text for a query's own ``set`` limit, else the long one."""
    head = f"The results of this query exceed the set limit of {partial.value} {partial.limit}"
    if partial.set_by_query:
        return head + "."
    return (
        head + ", so not all records were returned (E_QUERY_RESULT_SET_TOO_LARGE, 0x80DA0003, see "
        "https://aka.ms/kustoquerylimits for more information and possible solutions)."
    )
