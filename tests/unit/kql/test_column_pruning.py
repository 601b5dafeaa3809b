"""Queries read only the columns they use before narrowing, and give the same answers as reading all."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from azlogs.kql import MemoryProvider, parse, run_query
from azlogs.kql._tabular import needed_columns

T0 = datetime(2024, 5, 1, tzinfo=timezone.utc)
COLUMNS = [
    ("TimeGenerated", "datetime"),
    ("Level", "string"),
    ("Ms", "real"),
    ("Host", "string"),
    ("Bag", "dynamic"),
]
ROWS = [
    {
        "TimeGenerated": T0 + timedelta(minutes=7 * i),
        "Level": ["info", "warn", "error"][i % 3],
        "Ms": i * 1.5,
        "Host": f"h{i % 4}",
        "Bag": {"i": i},
    }
    for i in range(60)
]


class Strict(MemoryProvider):
    """A provider that returns only the requested columns, and remembers what was asked."""

    def __init__(self) -> None:
        super().__init__({"T": (COLUMNS, ROWS)})
        self.asked: list[Sequence[str] | None] = []

    def scan(
        self,
        name: str,
        *,
        time_range: tuple[datetime | None, datetime | None] | None = None,
        columns: Sequence[str] | None = None,
    ) -> Iterable[Mapping[str, Any]]:
        self.asked.append(columns)
        rows = super().scan(name, time_range=time_range, columns=columns)
        if columns is None:
            return rows
        return [{c: r[c] for c in columns} for r in rows]


QUERIES = [
    "T | summarize count() by Level",
    "T | where Ms > 10 | summarize avg(Ms) by bin(TimeGenerated, 1h)",
    "T | extend x = Ms * 2 | project Host, x",
    "T | where Level == 'error' | count",
    "T | sort by Ms desc | take 3 | project Host, Ms",
    "T | distinct Host",
    "T | take 2",
    "T | project-away Bag | project Level",
    "T | summarize arg_max(Ms, *) by Host",
    "T | extend y = columnifexists('Host', '') | project y",
    "T | parse Host with 'h' n:int | project n",
]


class TestPruning:
    @pytest.mark.parametrize(
        ("text", "expect"),
        [
            ("T | summarize count() by Level", {"Level"}),
            ("T | where Ms > 1 | project Host", {"Ms", "Host"}),
            ("T | count", set()),
            ("T | take 5", None),
            ("T | project-rename L = Level | project L", None),
            ("T | summarize arg_max(Ms, *) by Host", None),
            ("T | extend z = pack_all() | project z", None),
        ],
    )
    def test_needed_columns(self, text: str, expect: set[str] | None) -> None:
        """The columns read are those named before the first narrowing operator; anything implicit reads all."""
        body = parse(text).body
        got = needed_columns(list(body.ops))  # type: ignore[union-attr]
        assert (None if got is None else set(got)) == expect

    @pytest.mark.parametrize("text", QUERIES)
    def test_same_answer_with_and_without_pruning(self, text: str) -> None:
        """A provider that honours the hint gives exactly the rows of one that ignores it."""
        strict, loose = Strict(), MemoryProvider({"T": (COLUMNS, ROWS)})
        a = run_query(text, strict).tables[0]
        b = run_query(text, loose).tables[0]
        assert a.columns == b.columns
        assert a.rows == b.rows

    def test_the_hint_reaches_the_provider(self) -> None:
        """A summarize over one column asks the provider for that column and TimeGenerated only."""
        strict = Strict()
        run_query("T | summarize count() by Level", strict)
        assert strict.asked == [["TimeGenerated", "Level"]]
