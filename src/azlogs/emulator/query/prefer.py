"""The ``Prefer`` header of the query API, and the ``statistics`` and ``render`` objects it asks for.

Azure's "Prefer options" page: ``Prefer: include-statistics=true`` adds ``statistics`` (execution
time, resource usage, what was scanned) and ``include-render=true`` adds ``render`` (what
``| render`` asked for) to a 200 answer; ``wait=N`` sets the server timeout. The SDKs send one
header with the options joined by commas (``wait=30,include-statistics=true``); RFC 7240 also
allows several ``Prefer`` headers, so every one is read.

Shapes, as Azure answers them (the monitor-query READMEs of the Python and JavaScript SDKs, and
answers of ``api.loganalytics.io`` printed in public write-ups):

* ``statistics = {"query": {"executionTime": seconds, "resourceUsage": {...},
  "inputDatasetStatistics": {...}, "datasetStatistics": [{"tableRowCount", "tableSize"}]}}``;
* ``render = {"visualization", "title", "accumulate", "isQuerySorted", "kind", "legend", "series",
  "yMin", "yMax", "xAxis", "xColumn", "xTitle", "yAxis", "yColumns", "ySplit", "yTitle",
  "anomalyColumns"}`` (unset properties are null, ``yMin``/``yMax`` "NaN").

The emulator has no cache, no shards and no cluster: those counters are 0. What it does measure
(wall and CPU time, rows and tables scanned, the time range of the rows read, the result's rows and
size) is real.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from azlogs.kql import TableProvider, Visualization, approx_size, format_timespan
from azlogs.schema.names import TIME_GENERATED


@dataclass(frozen=True)
class Prefer:
    """The options of a request's ``Prefer`` header(s) (names lower case)."""

    options: Mapping[str, str] = field(default_factory=dict)

    @property
    def statistics(self) -> bool:
        return self.options.get("include-statistics", "").lower() == "true"

    @property
    def render(self) -> bool:
        return self.options.get("include-render", "").lower() == "true"

    @property
    def wait(self) -> str | None:
        return self.options.get("wait")


def parse_prefer(values: Iterable[str]) -> Prefer:
    """The options of ``Prefer`` header values: ``name[=value]`` items separated by commas.

    Parameters after ``;`` (RFC 7240) are dropped; a name without a value reads as ``"true"``.
    """
    options: dict[str, str] = {}
    for value in values:
        for item in value.split(","):
            token = item.split(";", 1)[0].strip()
            if not token:
                continue
            name, sep, val = token.partition("=")
            options[name.strip().lower()] = val.strip().strip('"') if sep else "true"
    return Prefer(options)


class ScanCounter:
    """A :class:`TableProvider` that counts what a query reads from the one it wraps."""

    def __init__(self, inner: TableProvider) -> None:
        self.inner = inner
        self.tables: set[str] = set()
        self.rows = 0
        self.bytes = 0
        self.earliest: dt.datetime | None = None
        self.latest: dt.datetime | None = None

    def table_names(self) -> Iterable[str]:
        return self.inner.table_names()

    def table_columns(self, name: str) -> list[tuple[str, str]] | None:
        return self.inner.table_columns(name)

    def read_external(self, uri: str) -> str:
        """externaldata's files, as the wrapped provider reads them."""
        reader = getattr(self.inner, "read_external", None)
        if reader is None:
            raise KeyError("this emulator has no externaldata directory")
        text: str = reader(uri)
        return text

    def scan(
        self,
        name: str,
        *,
        time_range: tuple[dt.datetime | None, dt.datetime | None] | None,
        columns: Sequence[str] | None,
    ) -> Iterable[Mapping[str, Any]]:
        self.tables.add(name.lower())
        return self._count(self.inner.scan(name, time_range=time_range, columns=columns))

    def _count(self, rows: Iterable[Mapping[str, Any]]) -> Iterator[Mapping[str, Any]]:
        for row in rows:
            self.rows += 1
            self.bytes += sum(map(approx_size, row.values()))
            t = row.get(TIME_GENERATED)
            if isinstance(t, dt.datetime):
                if self.earliest is None or t < self.earliest:
                    self.earliest = t
                if self.latest is None or t > self.latest:
                    self.latest = t
            yield row


@dataclass
class RunClock:
    """Wall and CPU time of one run (the thread's CPU: the query runs on one worker thread)."""

    wall: float = field(default_factory=time.perf_counter)
    cpu: float = field(default_factory=time.thread_time)

    def elapsed(self) -> tuple[float, float]:
        return time.perf_counter() - self.wall, time.thread_time() - self.cpu


def _stamp(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    v = value.astimezone(dt.timezone.utc)
    return v.strftime("%Y-%m-%dT%H:%M:%S.") + f"{v.microsecond:06d}0Z"


def statistics(
    counter: ScanCounter, elapsed: tuple[float, float], tables: Sequence[Sequence[Sequence[Any]]]
) -> dict[str, Any]:
    """The ``statistics`` object of an answer whose result tables hold ``tables`` (rows of cells)."""
    wall, cpu = elapsed
    cpu_text = format_timespan(dt.timedelta(seconds=cpu))
    cold = {"hitbytes": 0, "missbytes": 0, "retrievebytes": 0}
    extents: dict[str, Any] = {"total": len(counter.tables), "scanned": len(counter.tables)}
    if counter.earliest is not None:
        extents["scannedMinDatetime"] = _stamp(counter.earliest)
        extents["scannedMaxDatetime"] = _stamp(counter.latest)
    return {
        "query": {
            "executionTime": round(wall, 7),
            "resourceUsage": {
                "cache": {
                    "memory": {"hits": 0, "misses": 0, "total": 0},
                    "disk": {"hits": 0, "misses": 0, "total": 0},
                    "shards": {"hot": dict(cold), "cold": dict(cold), "bypassbytes": 0},
                },
                "cpu": {"user": cpu_text, "kernel": "00:00:00", "totalCpu": cpu_text},
                "memory": {"peakPerNode": counter.bytes},
                "network": {"interClusterTotalBytes": 0, "crossClusterTotalBytes": 0},
            },
            "inputDatasetStatistics": {
                "extents": extents,
                "rows": {"scanned": counter.rows, "total": counter.rows},
                "rowstores": {"scannedRows": 0, "scannedValuesSize": 0},
                "shards": {"queriesGeneric": len(counter.tables), "queriesSpecialized": 0},
            },
            "datasetStatistics": [
                {"tableRowCount": len(rows), "tableSize": sum(approx_size(c) for r in rows for c in r)}
                for rows in tables
            ],
        }
    }


def render(chart: Visualization | None) -> dict[str, Any] | None:
    """The ``render`` object for a query's ``| render`` (None when the query has none)."""
    if chart is None:
        return None
    p = chart.properties

    def bound(name: str) -> Any:
        return p.get(name, "NaN")

    return {
        "visualization": chart.visualization,
        "title": p.get("title"),
        "accumulate": bool(p.get("accumulate", False)),
        "isQuerySorted": chart.sorted,
        "kind": p.get("kind"),
        "legend": p.get("legend"),
        "series": p.get("series"),
        "yMin": bound("ymin"),
        "yMax": bound("ymax"),
        "xAxis": p.get("xaxis"),
        "xColumn": p.get("xcolumn"),
        "xTitle": p.get("xtitle"),
        "yAxis": p.get("yaxis"),
        "yColumns": p.get("ycolumns"),
        "ySplit": p.get("ysplit"),
        "yTitle": p.get("ytitle"),
        "anomalyColumns": p.get("anomalycolumns"),
    }
