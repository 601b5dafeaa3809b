"""azure-monitor-query's LogsQueryClient, unchanged, runs the tabular operators of issue 14.

Run under `eval "$(azlogs emulator env --source vm)"`. Prints one JSON object: for each named query,
its columns (name, type) and rows.
"""

from __future__ import annotations

import datetime as dt
import json
import os

from azure.identity import ManagedIdentityCredential
from azure.monitor.query import LogsQueryClient, LogsQueryStatus

QUERIES = {
    "externaldata": (
        "externaldata(ip:string, score:long)"
        "[@'https://raw.githubusercontent.com/example/iocs/main/bad-ips.csv'] with (ignoreFirstRecord=true)"
        " | where score > 5"
    ),
    "make_series": (
        "datatable(t:datetime, v:long)[datetime(2024-01-01), 1, datetime(2024-01-03), 5]"
        " | make-series s=sum(v) default=0 on t from datetime(2024-01-01) to datetime(2024-01-04) step 1d"
    ),
    "lookup_toscalar": (
        "let m = toscalar(datatable(x:long)[3, 9] | summarize max(x));"
        " datatable(k:string, n:long)['a', 1, 'b', 2]"
        " | lookup (datatable(k:string, name:string)['a', 'alpha']) on k | extend top = m"
    ),
    "mv_apply_bag_unpack": (
        "print d = dynamic({'Name': 'John', 'Age': 20}), a = dynamic([4, 9, 2])"
        " | mv-apply v = a to typeof(long) on (top 1 by v) | evaluate bag_unpack(d)"
    ),
}


class _Info(dict):  # type: ignore[type-arg]
    """emulator.json's objects, read by key or by attribute (``info.endpoints.query``)."""

    def __getattr__(self, name: str) -> object:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


def main() -> None:
    info = json.load(open(os.environ["AZLOGS_EMULATOR_FILE"]), object_hook=_Info)  # noqa: SIM115
    client = LogsQueryClient(
        ManagedIdentityCredential(),
        endpoint=info.endpoints.query,
        audience="https://api.loganalytics.io",
        connection_verify=info.ca_cert,
    )
    out = {}
    for name, kql in QUERIES.items():
        result = client.query_workspace(info.workspace.id, kql, timespan=None)
        assert result.status == LogsQueryStatus.SUCCESS, result
        table = result.tables[0]
        out[name] = {
            "columns": [[c, t] for c, t in zip(table.columns, table.columns_types, strict=True)],
            "rows": [[v.isoformat() if isinstance(v, dt.datetime) else v for v in row] for row in table.rows],
        }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
