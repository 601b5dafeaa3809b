"""KQL engine throughput: rows/s for a typical DCR transformation and for a time-bucketed count.

Run: .venv/bin/python bench/kql_bench.py [--rows N]. A script, never a test.
"""

from __future__ import annotations

import argparse
import time
from datetime import datetime, timedelta, timezone

from azlogs.kql import MemoryProvider, compile_transformation, run_query

TRANSFORM = (
    "source | where severity != 'Debug' | extend Context = parse_json(RequestContext) "
    "| extend Workspace = tostring(Context.workspace), Code = toint(Context.code) "
    "| extend TimeGenerated = todatetime(Time) | project-away RequestContext, Time"
)
QUERY = "T | where TimeGenerated > ago(1d) | summarize count() by bin(TimeGenerated, 1h)"


def _rate(n: int, seconds: float) -> str:
    return f"{n / seconds:,.0f} rows/s ({n:,} rows in {seconds:.2f} s)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    n = args.rows
    now = datetime(2024, 5, 1, tzinfo=timezone.utc)

    records = [
        {
            "severity": "Info" if i % 10 else "Debug",
            "Time": "2024-05-01T10:00:00Z",
            "RequestContext": f'{{"workspace":"ws{i % 7}","code":{i % 500}}}',
        }
        for i in range(min(n, 200_000))
    ]
    t = compile_transformation(
        TRANSFORM, {"severity": "string", "Time": "string", "RequestContext": "string"}, clock=lambda: now
    )
    start = time.perf_counter()
    out = t.apply(records)
    elapsed = time.perf_counter() - start
    print(f"transformation: {_rate(len(records), elapsed)}; {len(out.rows):,} rows out")

    rows = [{"TimeGenerated": now - timedelta(seconds=i * 0.2), "Computer": "c"} for i in range(n)]
    provider = MemoryProvider(
        {"T": ([("TimeGenerated", "datetime"), ("Computer", "string")], rows)}, honor_time_range=False
    )
    start = time.perf_counter()
    result = run_query(QUERY, provider, clock=lambda: now)
    elapsed = time.perf_counter() - start
    print(
        f"where + summarize count() by bin(1h): {_rate(n, elapsed)}; "
        f"{len(result.tables[0].rows)} buckets (time filter evaluated on every row)"
    )


if __name__ == "__main__":
    main()
