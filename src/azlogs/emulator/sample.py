"""Realistic sample log records for the demo and the benchmarks (deterministic for a seed)."""

from __future__ import annotations

import random
import time
from typing import Any

COLUMNS = [
    {"name": "TimeGenerated", "type": "datetime"},
    {"name": "Computer", "type": "string"},
    {"name": "Level", "type": "string"},
    {"name": "Component", "type": "string"},
    {"name": "Message", "type": "string"},
    {"name": "DurationMs", "type": "real"},
    {"name": "StatusCode", "type": "int"},
    {"name": "RequestId", "type": "string"},
    {"name": "Properties", "type": "dynamic"},
]

_WORDS = [
    *[
        "request",
        "processed",
        "user",
        "session",
        "cache",
        "miss",
        "hit",
        "retry",
        "upstream",
        "timeout",
        "connection",
        "pool",
        "database",
    ],
    *[
        "query",
        "slow",
        "fast",
        "token",
        "refresh",
        "disk",
        "queue",
        "worker",
        "batch",
        "flush",
        "commit",
        "rollback",
        "config",
        "reload",
        "health",
    ],
]


def make_records(n: int, seed: int = 7, *, start: float | None = None) -> list[dict[str, Any]]:
    """``n`` mixed-width application log records of about 350 bytes as JSON, 10 ms apart."""
    rnd = random.Random(seed)
    base = (time.time() - 3600) if start is None else start
    out = []
    for i in range(n):
        words = rnd.randint(6, 30)
        stamp = base + i * 0.01
        out.append(
            {
                "TimeGenerated": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(stamp))
                + f".{int(stamp * 1000) % 1000:03d}Z",
                "Computer": f"vm-{rnd.randint(1, 40):03d}.contoso.internal",
                "Level": rnd.choice(
                    ("Information", "Information", "Information", "Warning", "Error", "Debug")
                ),
                "Component": rnd.choice(("api", "worker", "scheduler", "ingest", "auth")),
                "Message": " ".join(rnd.choice(_WORDS) for _ in range(words)),
                "DurationMs": round(rnd.expovariate(1 / 40), 3),
                "StatusCode": rnd.choice((200, 200, 200, 201, 204, 400, 404, 429, 500)),
                "RequestId": f"{rnd.getrandbits(128):032x}",
                "Properties": {"region": rnd.choice(("eastus", "westeurope")), "attempt": rnd.randint(1, 3)},
            }
        )
    return out
