"""azure-monitor-query 1.4.1's MetricsQueryClient, unchanged, reading a DCR's metrics from the emulator.

Runs in .venv-mqc (``make mqc``; tests/mqc/requirements-mqc.lock), which has no azlogs: the test reads
the discovery file and passes what this needs. Run under ``eval "$(azlogs emulator env --source vm)"``
(ManagedIdentityCredential; requests trusts the emulator's CA through REQUESTS_CA_BUNDLE).
argv: ARM_ENDPOINT DCR_ID. Prints one JSON object: the metric namespaces and definitions, each queried metric's totals
per interval, and the ``ColumnsDroppedAt`` split of the columns-dropped metric.
"""

from __future__ import annotations

import datetime as dt
import json
import sys

from azure.identity import ManagedIdentityCredential
from azure.monitor.query import MetricAggregationType, MetricsQueryClient


def main() -> None:
    endpoint, dcr_id = sys.argv[1], sys.argv[2]
    credential = ManagedIdentityCredential()
    client = MetricsQueryClient(credential, endpoint=endpoint)
    with client, credential:
        definitions = [
            {
                "name": d.name,
                "unit": str(d.unit),
                "primary": str(d.primary_aggregation_type),
                "dimensions": d.dimensions,
                "namespace": d.namespace,
            }
            for d in client.list_metric_definitions(dcr_id)
        ]
        namespaces = [
            {
                "name": n.name,
                "type": n.type,
                "classification": str(n.namespace_classification),
                "fqn": n.fully_qualified_namespace,
            }
            for n in client.list_metric_namespaces(dcr_id)
        ]
        result = client.query_resource(
            dcr_id,
            ["RowsReceived_Count", "RowsDropped_Count", "TransformationErrors_Count"],
            timespan=dt.timedelta(hours=1),
            granularity=dt.timedelta(hours=1),
            aggregations=[MetricAggregationType.TOTAL, MetricAggregationType.COUNT],
        )
        split = client.query_resource(
            dcr_id,
            ["LogColumnsDropped_Count"],
            timespan=dt.timedelta(hours=1),
            aggregations=[MetricAggregationType.TOTAL],
            filter="ColumnsDroppedAt eq '*'",
        )
    out = {
        "definitions": definitions,
        "namespaces": namespaces,
        "namespace": result.namespace,
        "granularity": str(result.granularity),
        "metrics": {
            m.name: {
                "unit": str(m.unit),
                "display_description": m.display_description,
                "totals": [p.total for ts in m.timeseries for p in ts.data],
                "counts": [p.count for ts in m.timeseries for p in ts.data],
            }
            for m in result.metrics
        },
        "columns_dropped": [
            {"dimensions": ts.metadata_values, "total": sum(p.total or 0 for p in ts.data)}
            for m in split.metrics
            for ts in m.timeseries
        ],
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
