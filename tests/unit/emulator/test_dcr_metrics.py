"""DCR metrics: what one request counts, and the metrics API's intervals, aggregations and $filter."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

import pytest

from azlogs.emulator.ingestion import metrics
from azlogs.emulator.store.diagnostics import Diagnostic
from azlogs.emulator.store.metrics import MetricPoint

DCR = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Insights/dataCollectionRules/d"
NOW = dt.datetime(2026, 12, 4, 4, 30, 30, tzinfo=dt.timezone.utc)


def _entry(kind: str, count: int) -> Diagnostic:
    return Diagnostic("t", "r", "", 204, "dcr-x", "Custom-A", kind, "why", count=count)


def _store(points: list[MetricPoint]) -> Any:
    """The store's aggregation per (minute, metric, dims), as its UPSERT does it."""
    acc: dict[tuple[int, str, str], list[float]] = defaultdict(lambda: [0.0, 0, float("inf"), float("-inf")])
    for p in points:
        each = p.value / p.samples
        a = acc[(p.minute, p.metric, p.dims)]
        a[0] += p.value
        a[1] += p.samples
        a[2] = min(a[2], each)
        a[3] = max(a[3], each)

    def rows_of(metric: str, start: int, end: int) -> list[tuple[int, str, float, int, float, float]]:
        return [
            (m, d, a[0], int(a[1]), a[2], a[3])
            for (m, name, d), a in sorted(acc.items())
            if name == metric and start <= m < end
        ]

    return rows_of


class TestRequestPoints:
    def test_an_accepted_request(self) -> None:
        """Rows received and dropped, column values dropped by stage, transformation errors as samples."""
        entries = [_entry("dropped_undeclared", 2), _entry("type_mismatch", 1), _entry("transform_error", 3)]
        points = metrics.request_points(
            DCR, "Custom-A", 204, NOW, wire_bytes=500, rows_received=10, rows_written=7, entries=entries
        )
        got = {(p.metric, p.dims): (p.value, p.samples) for p in points}
        assert got[("RowsReceived_Count", '{"InputStreamId":"Custom-A"}')] == (10, 1)
        assert got[("RowsDropped_Count", '{"InputStreamId":"Custom-A"}')] == (3, 1)
        assert got[
            ("LogColumnsDropped_Count", '{"ColumnsDroppedAt":"InputStream","InputStreamId":"Custom-A"}')
        ] == (2, 1)
        assert got[
            ("LogColumnsDropped_Count", '{"ColumnsDroppedAt":"OutputTable","InputStreamId":"Custom-A"}')
        ] == (1, 1)
        assert got[
            ("TransformationErrors_Count", '{"ErrorType":"RecordError","InputStreamId":"Custom-A"}')
        ] == (3, 3)
        assert got[("ApiCallReceived_Count", '{"InputStreamId":"Custom-A","ResponseCode":"204"}')] == (1, 1)

    def test_a_refused_request_counts_only_the_call(self) -> None:
        """A refused request counts in ApiCallReceived_Count with its status, and in no row metric."""
        points = metrics.request_points(DCR, "Custom-A", 403, NOW)
        assert [(p.metric, p.dims) for p in points] == [
            ("ApiCallReceived_Count", '{"InputStreamId":"Custom-A","ResponseCode":"403"}')
        ]


class TestQuery:
    def _points(self) -> list[MetricPoint]:
        early = NOW - dt.timedelta(minutes=50)
        return [
            *metrics.request_points(DCR, "Custom-A", 204, early, rows_received=4, rows_written=4),
            *metrics.request_points(DCR, "Custom-B", 204, NOW, rows_received=6, rows_written=1),
        ]

    def test_intervals_and_filters(self) -> None:
        """PT30M over an hour: two intervals; $filter fixes or splits a dimension."""
        rows_of = _store(self._points())
        params = {
            "metricnames": "RowsReceived_Count",
            "timespan": "PT1H",
            "interval": "PT30M",
            "aggregation": "Total",
        }
        answer = metrics.query(rows_of, DCR, "eastus", params, NOW)
        data = answer["value"][0]["timeseries"][0]["data"]
        assert [p["total"] for p in data] == [4.0, 6.0] and answer["interval"] == "PT30M"
        split = metrics.query(
            rows_of, DCR, "eastus", {**params, "interval": "FULL", "$filter": "InputStreamId eq '*'"}, NOW
        )
        by_stream = {
            ts["metadatavalues"][0]["value"]: ts["data"][0]["total"] for ts in split["value"][0]["timeseries"]
        }
        assert by_stream == {"Custom-A": 4.0, "Custom-B": 6.0}
        only = metrics.query(
            rows_of,
            DCR,
            "eastus",
            {**params, "interval": "FULL", "$filter": "InputStreamId eq 'custom-b'"},
            NOW,
        )
        assert only["value"][0]["timeseries"][0]["data"][0]["total"] == 6.0

    @pytest.mark.parametrize(
        ("params", "says"),
        [
            ({"metricnames": "Nope_Count"}, "Failed to find metric configuration"),
            ({"metricnames": "RowsDropped_Count", "interval": "PT30S"}, "shorter than the grain"),
            ({"metricnames": "RowsDropped_Count", "aggregation": "median"}, "not one of"),
            ({"metricnames": "RowsDropped_Count", "$filter": "InputStreamId ne 'x'"}, "$filter"),
            ({"metricnames": "RowsDropped_Count", "timespan": "yesterday"}, "ISO 8601"),
        ],
    )
    def test_bad_queries(self, params: dict[str, str], says: str) -> None:
        """A query the API cannot answer is a MetricsError (a 400) saying why."""
        with pytest.raises(metrics.MetricsError) as info:
            metrics.query(_store([]), DCR, "eastus", params, NOW)
        assert says in info.value.message
