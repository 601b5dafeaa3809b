"""KQL engine throughput: rows/s for a typical DCR transformation and for a time-bucketed count,
against the engine of a baseline commit run side by side.

Run: ``.venv/bin/python bench/kql_bench.py [--rows N] [--runs 5] [--baseline REF]``. A script, never
a test: nothing here asserts a duration.

Each run is a fresh process of this script (``--one``) that builds its data first and then times
only the engine. The runs alternate between this checkout's ``src`` and the ``src`` of ``REF``
(``git archive`` into a temporary folder; by default the engine before the column-at-a-time
evaluator), A B A B ..., so a drift of the machine's speed hits both alike. It prints each case's
median rate, the min-max of the runs, the median of the pair-by-pair ratios and the load average.
``--baseline none`` times this checkout alone.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from datetime import datetime, timedelta, timezone
from io import BytesIO
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# The engine before the column-at-a-time evaluator (main at 51b96d8): the figures' baseline.
DEFAULT_BASELINE = "51b96d8a41c6"

TRANSFORM = (
    "source | where severity != 'Debug' | extend Context = parse_json(RequestContext) "
    "| extend Workspace = tostring(Context.workspace), Code = toint(Context.code) "
    "| extend TimeGenerated = todatetime(Time) | project-away RequestContext, Time"
)
QUERY = "T | where TimeGenerated > ago(1d) | summarize count() by bin(TimeGenerated, 1h)"
CASES = ("transformation", "where + summarize count() by bin(1h)")


def _one(n: int) -> dict[str, Any]:
    """Time both cases once in this process; rows/s and seconds of each."""
    from azlogs.kql import MemoryProvider, compile_transformation, run_query

    now = datetime(2024, 5, 1, tzinfo=timezone.utc)
    base = datetime(2024, 5, 1, 10, tzinfo=timezone.utc)
    records = [
        {
            "severity": "Info" if i % 10 else "Debug",
            "Time": (base + timedelta(milliseconds=i * 37)).isoformat().replace("+00:00", "Z"),
            "RequestContext": f'{{"workspace":"ws{i % 7}","code":{i % 500}}}',
        }
        for i in range(min(n, 200_000))
    ]
    t = compile_transformation(
        TRANSFORM, {"severity": "string", "Time": "string", "RequestContext": "string"}, clock=lambda: now
    )
    start, cpu = time.perf_counter(), time.process_time()
    out = t.apply(records)
    t_transform, c_transform = time.perf_counter() - start, time.process_time() - cpu

    rows = [{"TimeGenerated": now - timedelta(seconds=i * 0.2), "Computer": "c"} for i in range(n)]
    provider = MemoryProvider(
        {"T": ([("TimeGenerated", "datetime"), ("Computer", "string")], rows)}, honor_time_range=False
    )
    run_query("T | take 1", provider, clock=lambda: now)  # the parser is built once per process
    start, cpu = time.perf_counter(), time.process_time()
    result = run_query(QUERY, provider, clock=lambda: now)
    t_query, c_query = time.perf_counter() - start, time.process_time() - cpu
    return {
        CASES[0]: {"rows": len(records), "wall": t_transform, "cpu": c_transform, "out": len(out.rows)},
        CASES[1]: {"rows": n, "wall": t_query, "cpu": c_query, "out": len(result.tables[0].rows)},
    }


def _run(src: Path, n: int) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": str(src)}
    proc = subprocess.run(
        [sys.executable, __file__, "--one", "--rows", str(n)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    found: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return found


def _baseline_src(ref: str, into: Path) -> Path:
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", "--format=tar", ref, "src"], capture_output=True, check=True
    ).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into / "src"


def _rate(rows: int, seconds: float) -> float:
    return rows / seconds


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--baseline", default=DEFAULT_BASELINE, help="a git ref, or 'none'")
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(_one(args.rows)))
        return
    mine = ROOT / "src"
    with tempfile.TemporaryDirectory(prefix="kql-bench-") as tmp:
        theirs = None if args.baseline == "none" else _baseline_src(args.baseline, Path(tmp))
        runs: dict[str, list[dict[str, Any]]] = {"a": [], "b": []}
        for _ in range(args.runs):
            runs["a"].append(_run(mine, args.rows))
            if theirs is not None:
                runs["b"].append(_run(theirs, args.rows))
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"{args.runs} runs each, A = this checkout, B = {args.baseline}; load average {load}")
    # CPU seconds of the process (the engine is single-threaded: on an idle machine they are the
    # wall seconds; on a shared one they leave out the waits for a core). Wall seconds beside them.
    for case in CASES:
        for clock in ("cpu", "wall"):
            a = [_rate(r[case]["rows"], r[case][clock]) for r in runs["a"]]
            sec = statistics.median(r[case][clock] for r in runs["a"])
            line = (
                f"{case} [{clock}]: A {statistics.median(a):,.0f} rows/s ({runs['a'][0][case]['rows']:,} rows, "
                f"median {sec:.3f} s, runs {min(a):,.0f}-{max(a):,.0f}; {runs['a'][0][case]['out']:,} out)"
            )
            if runs["b"]:
                b = [_rate(r[case]["rows"], r[case][clock]) for r in runs["b"]]
                ratios = [x / y for x, y in zip(a, b, strict=True)]
                line += (
                    f"; B {statistics.median(b):,.0f} rows/s; A/B {statistics.median(ratios):.2f}x "
                    f"(pairs {min(ratios):.2f}-{max(ratios):.2f})"
                )
            print(line)


if __name__ == "__main__":
    main()
