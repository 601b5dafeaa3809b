"""Upload with azure-monitor-ingestion and query back with azure-monitor-query, both unchanged.

Run under `eval "$(azlogs emulator env --source vm)"`. argv: ENDPOINT RULE_ID STREAM TABLE N.
Prints one JSON object: for each named query, its columns (name, type) and rows.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from pathlib import Path

from azure.identity import ManagedIdentityCredential
from azure.monitor.ingestion import LogsIngestionClient
from azure.monitor.query import LogsQueryClient, LogsQueryStatus

from azlogs.discovery import Discovery


def main() -> None:
    endpoint, rule_id, stream, table, n = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
    info = Discovery.from_file(Path(os.environ["AZLOGS_EMULATOR_FILE"]))
    ca = info.ca_cert
    cred = ManagedIdentityCredential()
    base = dt.datetime.now(dt.timezone.utc).replace(minute=0, second=0, microsecond=0) - dt.timedelta(hours=4)
    logs = [
        {
            "TimeGenerated": (base + dt.timedelta(seconds=i * 10)).isoformat(),
            "Computer": f"vm-{i % 4}",
            "Level": ["Information", "Warning", "Error"][i % 3],
            "Component": "api",
            "Message": f"message {i}",
            "DurationMs": i / 10,
            "StatusCode": 200 + (i % 5),
            "RequestId": f"req-{i:06d}",
            "Properties": {"i": i, "even": i % 2 == 0},
        }
        for i in range(n)
    ]
    LogsIngestionClient(endpoint, cred, connection_verify=ca).upload(
        rule_id=rule_id, stream_name=stream, logs=logs
    )
    client = LogsQueryClient(
        cred,
        endpoint=info.endpoints.query,
        audience="https://api.loganalytics.io",
        connection_verify=ca,
    )
    queries = {
        "count": f"{table} | count",
        "where_project": f"{table} | where StatusCode == 203 and Computer == 'vm-1' | project RequestId, StatusCode, TimeGenerated | sort by RequestId asc | take 3",
        "extend": f"{table} | extend Slow = DurationMs > 50.0, Upper = toupper(Level) | where RequestId == 'req-000600' | project RequestId, Slow, Upper, Properties",
        "bin": f"{table} | summarize n = count(), avg_ms = avg(DurationMs) by bin(TimeGenerated, 1h) | sort by TimeGenerated asc",
        "top": f"{table} | top 2 by DurationMs desc | project RequestId, DurationMs",
    }
    out = {}
    for name, kql in queries.items():
        result = client.query_workspace(info.workspace.id, kql, timespan=dt.timedelta(days=1))
        assert result.status == LogsQueryStatus.SUCCESS, result
        table_ = result.tables[0]
        out[name] = {
            "columns": [[c, t] for c, t in zip(table_.columns, table_.columns_types, strict=True)],
            "rows": [
                [v.isoformat() if isinstance(v, dt.datetime) else v for v in row] for row in table_.rows
            ],
        }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
