"""The heaviest common queries over a table at the emulator's row limit, against the server timeout.

Run: ``.venv/bin/python bench/kql_limits.py [--rows N]``. A script, never a test: nothing here
asserts a duration.

The table has ``Limits.kql_max_held_rows`` rows by default (the most rows a run may hold in
sort, join, summarize groups or distinct); each query runs under the budget the query API gives a
request without ``Prefer: wait`` (the default server timeout, the emulator's memory limits). It
prints, per query, the seconds it took (wall and CPU), their ratio to the server timeout, and
whether the run answered or which limit stopped it: a query the budget stops has not run past the
timeout either, it answered the error the service answers.
"""

from __future__ import annotations

import argparse
import os
import time
from datetime import datetime, timedelta, timezone

from azlogs import facts
from azlogs._exceptions import KqlLimitError
from azlogs.emulator.config import Limits
from azlogs.kql import Budget, MemoryProvider, run_query

QUERIES = (
    "T | where TimeGenerated > ago(1d) | summarize count() by bin(TimeGenerated, 1h)",
    "T | sort by Code desc, Id asc | take 10",
    "T | top 10 by Ratio",
    "T | summarize count() by Id | count",
    "T | summarize dcount(Id), make_set(Code, 100), avg(Ratio) by Computer",
    "T | distinct Id | count",
    "T | join kind=inner (T | take 1000) on Id | count",
    "T | extend s = strcat(Computer, '-', Code) | where s contains '77' | summarize count() by Computer",
    "T | extend p = parse_json(Props) | summarize sum(toint(p.n)) by tostring(p.k)",
)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=Limits.kql_max_held_rows)
    args = parser.parse_args()
    now = datetime(2024, 5, 1, tzinfo=timezone.utc)
    rows = [
        {
            "TimeGenerated": now - timedelta(seconds=i * 0.05),
            "Computer": f"host{i % 50}",
            "Id": f"id-{i}",
            "Code": (i * 7919) % 100_000,
            "Ratio": (i % 1000) / 7.0,
            "Props": f'{{"k":"k{i % 20}","n":{i % 300}}}',
        }
        for i in range(args.rows)
    ]
    columns = [
        ("TimeGenerated", "datetime"),
        ("Computer", "string"),
        ("Id", "string"),
        ("Code", "long"),
        ("Ratio", "real"),
        ("Props", "string"),
    ]
    provider = MemoryProvider({"T": (columns, rows)}, honor_time_range=False)
    timeout = float(facts.QUERY_DEFAULT_TIMEOUT_SECONDS)
    run_query("T | take 1", provider, clock=lambda: now)  # the parser is built once per process
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"{args.rows:,} rows; server timeout {timeout:g} s; load average {load}")
    for text in QUERIES:
        budget = Budget(timeout=timeout, max_held_rows=Limits.kql_max_held_rows)
        start, cpu = time.perf_counter(), time.process_time()
        try:
            result = run_query(text, provider, clock=lambda: now, budget=budget)
            outcome = f"{len(result.tables[0].rows)} rows"
        except KqlLimitError as exc:
            outcome = f"stopped: {exc.limit}"
        wall, used = time.perf_counter() - start, time.process_time() - cpu
        print(f"{wall:7.2f} s wall {used:7.2f} s cpu  {wall / timeout:6.3f}x timeout  {outcome:>16}  {text}")


if __name__ == "__main__":
    main()
