"""The metrics batch API (metrics:getBatch): its body's checks and the shape of its answer."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from azlogs.emulator.control.api import DcrRecord
from azlogs.emulator.ingestion import metrics, metrics_batch
from azlogs.emulator.ingestion.metrics_batch import BatchError
from azlogs.emulator.store.metrics import MetricPoint
from tests.unit.emulator.test_dcr_metrics import _store

SUB = "22222222-2222-2222-2222-222222222222"
DCR = f"/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Insights/dataCollectionRules/d"
NOW = dt.datetime(2026, 12, 4, 4, 30, 30, tzinfo=dt.timezone.utc)


class _Control:
    """The one ControlPlane method the batch answer uses: the DCR ``d`` in eastus."""

    def dcr_by_resource_id(self, resource_id: str) -> DcrRecord | None:
        if resource_id.lower() != DCR.lower():
            return None
        return DcrRecord(DCR, "d", "dcr-1", None, "Direct", None, None, None, location="eastus")  # type: ignore[arg-type]


def _body(ids: Any) -> bytes:
    import orjson

    return orjson.dumps({"resourceids": ids})


class TestResourceIds:
    @pytest.mark.parametrize(
        ("ids", "says"),
        [
            ([], "at least one resource id"),
            ([DCR] * 51, "At most 50 resource ids"),
            ([DCR.replace(SUB, "33333333-3333-3333-3333-333333333333")], "not in the subscription"),
            (
                [f"/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/v"],
                "type",
            ),
        ],
    )
    def test_refused(self, ids: list[str], says: str) -> None:
        """Empty, over 50, another subscription, another resource type: 400 saying which."""
        with pytest.raises(BatchError) as refused:
            metrics_batch._resource_ids(_body(ids), SUB)
        assert refused.value.status == 400 and says in refused.value.message

    def test_not_json(self) -> None:
        """A body that is not JSON is a 400, not a 500."""
        with pytest.raises(BatchError, match="not valid JSON"):
            metrics_batch._resource_ids(b"{", SUB)


class TestAnswer:
    def test_one_item_per_resource_in_the_recorded_shape(self) -> None:
        """starttime/endtime/interval/value/namespace/resourceregion/resourceid; no errorCode; an unknown DCR is empty."""
        minute = int(NOW.timestamp() // 60) - 5
        rows = _store(
            [MetricPoint(DCR.lower(), minute, "RowsDropped_Count", '{"InputStreamId":"Custom-A"}', 3)]
        )
        other = DCR.replace("/d", "/gone")
        params = {"metricnames": "RowsDropped_Count", "interval": "PT1H", "aggregation": "Total"}
        got = metrics_batch.answer(_Control(), lambda _d, *a: rows(*a), SUB, [DCR, other], params, NOW)
        first, second = got["values"]
        assert set(first) == {
            "starttime",
            "endtime",
            "interval",
            "value",
            "namespace",
            "resourceregion",
            "resourceid",
        }
        assert (first["resourceid"], first["resourceregion"], first["interval"]) == (DCR, "eastus", "PT1H")
        assert first["namespace"] == metrics.NAMESPACE
        (metric,) = first["value"]
        assert "errorCode" not in metric
        assert [p["total"] for ts in metric["timeseries"] for p in ts["data"]] == [3.0]
        assert second["resourceid"] == other
        assert [p["total"] for ts in second["value"][0]["timeseries"] for p in ts["data"]] == [0.0]

    def test_a_fixed_filter_names_its_dimension(self) -> None:
        """``Dim eq 'v'`` gives one series whose metadatavalues name Dim = v, with data or without."""
        params = {"metricnames": "LogColumnsDropped_Count", "$filter": "ColumnsDroppedAt eq 'OutputTable'"}
        got = metrics_batch.answer(_Control(), lambda *_a: [], SUB, [DCR], params, NOW)
        (series,) = got["values"][0]["value"][0]["timeseries"]
        assert [(m["name"]["value"], m["value"]) for m in series["metadatavalues"]] == [
            ("columnsdroppedat", "OutputTable")
        ]
