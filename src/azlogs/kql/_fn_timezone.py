"""Time zones and the row's ingestion time: ``datetime_utc_to_local``, ``datetime_local_to_utc``,
``ingestion_time``.

From the Kusto pages (MicrosoftDocs/dataexplorer-docs, data-explorer/kusto/query/datetime-utc-to-local-function.md,
datetime-local-to-utc-function.md, timezone.md, ingestion-time-function.md): the zones are IANA names
(``US/Pacific``, ``Europe/Paris``), read here from the IANA database Python's ``zoneinfo`` finds (the
system's, or the ``tzdata`` package); an unknown zone gives null. A local time that a clock change
skips or repeats is read with the offset in force after the change: the local-to-utc page's
``Europe/Brussels`` rows give ``02:00`` local as ``00:00`` UTC on 2022-03-27.

``ingestion_time()`` is the time the row was committed to its table: the workspace store keeps it in
the hidden ``_IngestionTime`` column, which a query reads only when it calls the function
(``_tabular`` asks the table for it). Over rows that do not come from a table (``print``,
``datatable``), or after an operator that rebuilds rows (``project``, ``summarize``), it is null.
"""

from __future__ import annotations

from datetime import datetime, timezone
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from azlogs.kql import _ast as A
from azlogs.kql._compile import CExpr, Env, Row, err
from azlogs.kql._registry import REGISTRY, FunctionSpec, register
from azlogs.schema.names import INGESTION_TIME_COLUMN

__all__ = ["FORMS"]


@lru_cache(maxsize=256)
def _zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


@register("datetime_utc_to_local", 2, 2, "datetime", "query")
def datetime_utc_to_local(value: Any, zone: Any) -> datetime | None:
    """The wall-clock time in ``zone`` at the UTC instant ``value`` (as a datetime, like Kusto's)."""
    tz = _zone(zone) if isinstance(zone, str) else None
    if tz is None or not isinstance(value, datetime):
        return None
    local = value.astimezone(tz)
    return local.replace(tzinfo=timezone.utc)


@register("datetime_local_to_utc", 2, 2, "datetime", "query")
def datetime_local_to_utc(value: Any, zone: Any) -> datetime | None:
    """The UTC instant at which the clocks of ``zone`` show ``value``."""
    tz = _zone(zone) if isinstance(zone, str) else None
    if tz is None or not isinstance(value, datetime):
        return None
    local = value.replace(tzinfo=tz, fold=1)
    return local.astimezone(timezone.utc)


def _ingestion_time(node: A.Call, env: Env) -> CExpr:
    if node.args:
        raise err(node, f"ingestion_time() takes no arguments, got {len(node.args)}")

    def fn(r: Row) -> Any:
        v = r.get(INGESTION_TIME_COLUMN)
        return v if isinstance(v, datetime) else None

    return CExpr(fn, "datetime")


FORMS = {"ingestion_time": _ingestion_time}
REGISTRY["ingestion_time"] = FunctionSpec("ingestion_time", 0, 0, "datetime", "query", None, (), None, True)
