"""DCR metrics: counted per request, served through a subset of Azure Monitor's metrics API.

Metric names (REST), display names, units and dimensions are Learn's "Supported metrics -
Microsoft.Insights/datacollectionrules" and "Monitor DCR data collection" (data-collection-monitor.md),
except the columns-dropped metric's REST name and the values of its ``ColumnsDroppedAt`` dimension,
which are not published (docs/differences.md). Served:

* ``GET {dcr id}/providers/Microsoft.Insights/metrics?metricnames=&timespan=&interval=&aggregation=&$filter=``
  in the shape ``azure-mgmt-monitor``'s ``MonitorManagementClient.metrics.list`` reads;
* ``GET {dcr id}/providers/Microsoft.Insights/metricDefinitions``;
* ``GET {dcr id}/providers/Microsoft.Insights/metricNamespaces`` (the shape of azure-monitor-query's
  recorded ``test_metrics_namespaces``, Azure/azure-sdk-assets: the namespace in lower case).

``$filter`` takes ``Dim eq 'value'`` and ``Dim eq '*'`` (split by that dimension) joined by ``and``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Final

import orjson

from azlogs.emulator.store import diagnostics as kinds
from azlogs.emulator.store.metrics import MetricPoint
from azlogs.schema import coerce

NAMESPACE: Final = "Microsoft.Insights/datacollectionrules"
METRICS_API_VERSIONS: Final = ("2018-01-01", "2019-07-01", "2021-05-01", "2023-10-01", "2024-02-01")
NAMESPACES_API_VERSIONS: Final = (
    "2017-12-01-preview",
    "2024-02-01",
)  # metricNamespaces: 1.x and 1.4.1 of azure-monitor-query
INPUT_STREAM: Final = "InputStreamId"
RESPONSE_CODE: Final = "ResponseCode"
COLUMNS_DROPPED_AT: Final = "ColumnsDroppedAt"
ERROR_TYPE: Final = "ErrorType"
# ColumnsDroppedAt values [U]: before the transformation (undeclared in the stream), at the output table.
DROPPED_AT_INPUT: Final = "InputStream"
DROPPED_AT_OUTPUT: Final = "OutputTable"


@dataclass(frozen=True)
class MetricDefinition:
    name: str
    display: str
    description: str
    unit: str
    primary: str
    dimensions: tuple[str, ...]


DEFINITIONS: Final = (
    MetricDefinition(
        "ApiCallReceived_Count",
        "Logs Ingestion Requests per Min",
        "Number of requests received via Log Ingestion API or from the agent",
        "Count",
        "Count",
        (INPUT_STREAM, RESPONSE_CODE),
    ),
    MetricDefinition(
        "BytesReceived_Count",
        "Logs Ingestion Bytes per Min",
        "Number of bytes received via Log Ingestion API or from the agent",
        "Bytes",
        "Total",
        (INPUT_STREAM,),
    ),
    MetricDefinition(
        "RowsReceived_Count",
        "Logs Rows Received per Min",
        "Total number of rows received for transformation",
        "Count",
        "Total",
        (INPUT_STREAM,),
    ),
    MetricDefinition(
        "RowsDropped_Count",
        "Logs Rows Dropped per Min",
        "Number of rows dropped while running transformation",
        "Count",
        "Total",
        (INPUT_STREAM,),
    ),
    MetricDefinition(
        "LogColumnsDropped_Count",
        "Log Columns Dropped per Min",
        "Number of columns dropped after data processing",
        "Count",
        "Total",
        (INPUT_STREAM, COLUMNS_DROPPED_AT),
    ),
    MetricDefinition(
        "TransformationErrors_Count",
        "Logs Transformation Errors per Min",
        "The number of times when execution of KQL transformation resulted in an error",
        "Count",
        "Count",
        (INPUT_STREAM, ERROR_TYPE),
    ),
)
BY_NAME: Final = {d.name.lower(): d for d in DEFINITIONS}
# 503 ServiceUnavailable of both metrics APIs when the emulator runs without its ingestion plane.
STORE_DOWN: Final = "The emulator's ingestion plane (the metrics' store) is not running."
_AGGREGATIONS: Final = ("average", "count", "maximum", "minimum", "total")
_DURATION_RE: Final = re.compile(r"P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?\Z", re.I)


class MetricsError(Exception):
    """A bad metrics query: 400 with ``code`` and ``message``."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


# --- counting ------------------------------------------------------------------------------------------


def _dims(**values: str) -> str:
    return orjson.dumps(dict(sorted(values.items()))).decode()


def request_points(
    dcr_id: str,
    stream: str,
    status: int,
    when: datetime,
    *,
    wire_bytes: int = 0,
    rows_received: int = 0,
    rows_written: int = 0,
    entries: Sequence[kinds.Diagnostic] = (),
) -> list[MetricPoint]:
    """The metric points one request adds (its rows counted only when it was accepted)."""
    minute = int(when.timestamp() // 60)
    dcr = dcr_id.lower()
    points = [
        MetricPoint(
            dcr, minute, "ApiCallReceived_Count", _dims(InputStreamId=stream, ResponseCode=str(status)), 1
        )
    ]
    if wire_bytes:
        points.append(
            MetricPoint(dcr, minute, "BytesReceived_Count", _dims(InputStreamId=stream), wire_bytes)
        )
    if status >= 300:
        return points
    points.append(MetricPoint(dcr, minute, "RowsReceived_Count", _dims(InputStreamId=stream), rows_received))
    points.append(
        MetricPoint(
            dcr,
            minute,
            "RowsDropped_Count",
            _dims(InputStreamId=stream),
            max(0, rows_received - rows_written),
        )
    )
    dropped = {DROPPED_AT_INPUT: 0, DROPPED_AT_OUTPUT: 0}
    errors = 0
    for e in entries:
        if e.kind == coerce.DROPPED_UNDECLARED:
            dropped[DROPPED_AT_INPUT] += e.count
        elif e.kind in (kinds.DROPPED_NOT_IN_TABLE, kinds.TYPE_MISMATCH):
            dropped[DROPPED_AT_OUTPUT] += e.count
        elif e.kind == kinds.TRANSFORM_ERROR:
            errors += e.count
    for where, n in dropped.items():
        if n:
            points.append(
                MetricPoint(
                    dcr,
                    minute,
                    "LogColumnsDropped_Count",
                    _dims(ColumnsDroppedAt=where, InputStreamId=stream),
                    n,
                )
            )
    if errors:  # a Count metric: one sample of 1 per error
        dims = _dims(ErrorType="RecordError", InputStreamId=stream)
        points.append(MetricPoint(dcr, minute, "TransformationErrors_Count", dims, errors, samples=errors))
    return points


# --- the API -------------------------------------------------------------------------------------------


def parse_duration(text: str) -> timedelta:
    """An ISO 8601 duration (``PT1M``, ``PT1H``, ``P1D``, ``PT3600.0S``)."""
    m = _DURATION_RE.match(text.strip())
    if m is None or not any(m.groups()):
        raise MetricsError("BadRequest", f"'{text}' is not an ISO 8601 duration (PT1M, PT1H, P1D).")
    d, h, mi, s = m.groups()
    return timedelta(days=int(d or 0), hours=int(h or 0), minutes=int(mi or 0), seconds=float(s or 0))


def _instant(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise MetricsError("BadRequest", f"'{text}' is not an ISO 8601 date and time.") from None
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def parse_timespan(text: str | None, now: datetime) -> tuple[datetime, datetime]:
    """``start/end``, ``start/duration``, ``duration/end`` or a duration ending now (default PT1H)."""
    if not text:
        return now - timedelta(hours=1), now
    if "/" not in text:
        return now - parse_duration(text), now
    a, b = text.split("/", 1)
    if a.upper().startswith("P"):
        end = _instant(b)
        return end - parse_duration(a), end
    start = _instant(a)
    end = start + parse_duration(b) if b.upper().startswith("P") else _instant(b)
    if end <= start:
        raise MetricsError("BadRequest", f"The timespan '{text}' ends before it starts.")
    return start, end


def _filter(text: str | None) -> dict[str, str]:
    """``Dim eq 'v' and Dim2 eq '*'`` -> {dim lower: value}."""
    out: dict[str, str] = {}
    if not text:
        return out
    for part in re.split(r"\s+and\s+", text.strip(), flags=re.I):
        m = re.match(r"\s*([A-Za-z][A-Za-z0-9_]*)\s+eq\s+'([^']*)'\s*\Z", part, re.I)
        if m is None:
            raise MetricsError(
                "BadRequest", f"The $filter clause '{part}' is not of the form \"Dim eq 'value'\"."
            )
        out[m.group(1).lower()] = m.group(2)
    return out


def _iso(value: datetime) -> str:
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _interval_text(td: timedelta) -> str:
    minutes = int(td.total_seconds() // 60)
    if minutes % 1440 == 0:
        return f"P{minutes // 1440}D"
    if minutes % 60 == 0:
        return f"PT{minutes // 60}H"
    return f"PT{minutes}M"


def query(
    rows_of: Any,
    dcr_id: str,
    location: str,
    params: Mapping[str, str],
    now: datetime,
    *,
    split_fixed: bool = False,
) -> dict[str, Any]:
    """The metrics API answer for ``params``; ``rows_of(metric, start_minute, end_minute)`` reads the store.

    ``split_fixed``: a dimension the filter fixes to one value is named in each series'
    ``metadatavalues`` too, as the batch API's recorded answers show (``metrics_batch``).
    """
    names = [n.strip() for n in (params.get("metricnames") or "").split(",") if n.strip()]
    if not names:
        names = [DEFINITIONS[0].name]
    defs = []
    for n in names:
        d = BY_NAME.get(n.lower())
        if d is None:
            supported = ", ".join(x.name for x in DEFINITIONS)
            raise MetricsError(
                "BadRequest",
                f"Failed to find metric configuration for provider: {NAMESPACE}, resource Id: {dcr_id}, "
                f"metric: {n}, Valid metrics: {supported}",
            )
        defs.append(d)
    start, end = parse_timespan(params.get("timespan"), now)
    raw_interval = params.get("interval") or "PT1M"
    full = raw_interval.upper() == "FULL"
    step = end - start if full else parse_duration(raw_interval)
    if step < timedelta(minutes=1):
        raise MetricsError("BadRequest", f"The interval '{raw_interval}' is shorter than the grain PT1M.")
    aggs = [a.strip().lower() for a in (params.get("aggregation") or "").split(",") if a.strip()]
    for a in aggs:
        if a not in _AGGREGATIONS:
            raise MetricsError(
                "BadRequest", f"Aggregation '{a}' is not one of Average, Count, Maximum, Minimum, Total."
            )
    wanted = _filter(params.get("$filter"))
    start_minute = int(start.timestamp() // 60)
    end_minute = math.ceil(end.timestamp() / 60)  # the minute holding ``end`` counts
    step_minutes = max(1, int(step.total_seconds() // 60))
    # As many intervals as the timespan holds (at least one); the last one reaches to the end.
    n_buckets = max(1, round((end - start) / step)) if not full else 1
    buckets = [start_minute + i * step_minutes for i in range(n_buckets)]
    value = []
    for d in defs:
        use = aggs or [d.primary.lower()]
        dims_lower = {x.lower(): x for x in d.dimensions}
        fixed = {dims_lower[k]: v for k, v in wanted.items() if v != "*" and k in dims_lower}
        split = [dims_lower[k] for k, v in wanted.items() if k in dims_lower and (v == "*" or split_fixed)]
        series: dict[tuple[str, ...], dict[int, list[float]]] = {}
        for minute, dims, total, count, lo, hi in rows_of(d.name, start_minute, end_minute):
            values = orjson.loads(dims)
            if any(values.get(k, "").lower() != v.lower() for k, v in fixed.items()):
                continue
            key = tuple(str(values.get(k, "")) for k in split)
            bucket = buckets[min(len(buckets) - 1, (minute - start_minute) // step_minutes)]
            acc = series.setdefault(key, {}).setdefault(bucket, [0.0, 0, float("inf"), float("-inf")])
            acc[0] += total
            acc[1] += count
            acc[2] = min(acc[2], lo)
            acc[3] = max(acc[3], hi)
        if not series and all(k in fixed for k in split):  # no data: one empty series, as Azure answers
            series[tuple(fixed[k] for k in split)] = {}
        timeseries = []
        for key, by_bucket in sorted(series.items()):
            data = []
            for b in buckets:
                point: dict[str, Any] = {"timeStamp": _iso(datetime.fromtimestamp(b * 60, tz=timezone.utc))}
                got = by_bucket.get(b)
                for a in use:
                    if a == "total":
                        point["total"] = got[0] if got else 0.0
                    elif a == "count":
                        point["count"] = float(got[1]) if got else 0.0
                    elif got:
                        point[a] = {
                            "average": got[0] / got[1] if got[1] else 0.0,
                            "minimum": got[2],
                            "maximum": got[3],
                        }[a]
                data.append(point)
            timeseries.append(
                {
                    "metadatavalues": [
                        {"name": {"value": k.lower(), "localizedValue": k}, "value": v}
                        for k, v in zip(split, key, strict=True)
                    ],
                    "data": data,
                }
            )
        value.append(
            {
                "id": f"{dcr_id}/providers/Microsoft.Insights/metrics/{d.name}",
                "type": "Microsoft.Insights/metrics",
                "name": {"value": d.name, "localizedValue": d.display},
                "displayDescription": d.description,
                "unit": d.unit,
                "timeseries": timeseries,
                "errorCode": "Success",
            }
        )
    return {
        "cost": 0,
        "timespan": f"{_iso(start)}/{_iso(end)}",
        "interval": "FULL" if full else _interval_text(step),
        "value": value,
        "namespace": NAMESPACE,
        "resourceregion": location,
    }


def definitions(dcr_id: str) -> dict[str, Any]:
    """The metricDefinitions answer for a DCR."""
    grains = [
        {"timeGrain": g, "retention": "P93D"}
        for g in ("PT1M", "PT5M", "PT15M", "PT30M", "PT1H", "PT6H", "PT12H", "P1D")
    ]
    return {
        "value": [
            {
                "id": f"{dcr_id}/providers/microsoft.insights/metricdefinitions/{d.name}",
                "resourceId": dcr_id,
                "namespace": NAMESPACE,
                "name": {"value": d.name, "localizedValue": d.display},
                "displayDescription": d.description,
                "isDimensionRequired": False,
                "unit": d.unit,
                "primaryAggregationType": d.primary,
                "supportedAggregationTypes": ["None", "Average", "Minimum", "Maximum", "Total", "Count"],
                "metricAvailabilities": grains,
                "dimensions": [{"value": x, "localizedValue": x} for x in d.dimensions],
            }
            for d in DEFINITIONS
        ]
    }


def namespaces(dcr_id: str) -> dict[str, Any]:
    """The metricNamespaces answer for a DCR: its one platform namespace."""
    name = NAMESPACE.lower()
    return {
        "value": [
            {
                "id": f"{dcr_id}/providers/microsoft.insights/metricNamespaces/{name.replace('/', '-')}",
                "name": name.replace("/", "-"),
                "type": "Microsoft.Insights/metricNamespaces",
                "classification": "Platform",
                "properties": {"metricNamespaceName": name},
            }
        ]
    }
