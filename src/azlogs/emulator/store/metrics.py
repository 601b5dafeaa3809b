"""DCR metrics as the store keeps them: one row per DCR, minute, metric and dimension values.

The ingestion plane adds to them in the transaction of the request they count (so a counted row is a
committed one); the metrics API (:mod:`azlogs.emulator.ingestion.metrics`) reads them back and
aggregates them into the intervals a client asks for. Kept in the ``_dcr_metrics`` SQLite table.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

SCHEMA_SQL: Final = """
CREATE TABLE IF NOT EXISTS _dcr_metrics (
    dcr TEXT NOT NULL,
    minute INTEGER NOT NULL,
    metric TEXT NOT NULL,
    dims TEXT NOT NULL,
    total REAL NOT NULL,
    count INTEGER NOT NULL,
    minimum REAL NOT NULL,
    maximum REAL NOT NULL,
    PRIMARY KEY (dcr, minute, metric, dims)
)
"""
UPSERT_SQL: Final = """
INSERT INTO _dcr_metrics (dcr, minute, metric, dims, total, count, minimum, maximum)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (dcr, minute, metric, dims) DO UPDATE SET
    total = total + excluded.total,
    count = count + excluded.count,
    minimum = min(minimum, excluded.minimum),
    maximum = max(maximum, excluded.maximum)
"""
SELECT_SQL: Final = (
    "SELECT minute, dims, total, count, minimum, maximum FROM _dcr_metrics "
    "WHERE dcr = ? AND metric = ? AND minute >= ? AND minute < ? ORDER BY minute"
)


@dataclass(frozen=True)
class MetricPoint:
    """One value of one metric of a DCR in one minute.

    Attributes:
        dcr: the DCR's ARM id, lower case.
        minute: minutes since the Unix epoch.
        metric: the metric's REST name (``RowsDropped_Count``).
        dims: the dimension values as compact JSON of a sorted object (``{"InputStreamId":"Custom-X"}``).
        value: the sample (a count, a byte size), or the sum of ``samples`` samples of 1.
        samples: how many samples ``value`` stands for (the Count aggregation).
    """

    dcr: str
    minute: int
    metric: str
    dims: str
    value: float
    samples: int = 1

    def as_row(self) -> tuple[object, ...]:
        low = high = self.value / self.samples if self.samples else self.value
        return (self.dcr, self.minute, self.metric, self.dims, self.value, self.samples, low, high)
