"""Helpers shared by the KQL unit tests."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from azlogs.kql._values import format_datetime_iso, parse_datetime

FIXED_NOW = datetime(2024, 5, 1, 12, 0, 0, tzinfo=timezone.utc)


def coerce(records: list[dict[str, Any]], columns: dict[str, str]) -> list[dict[str, Any]]:
    """Input records as the emulator hands them over: datetimes as tz-aware datetime objects."""
    out = []
    for rec in records:
        row = dict(rec)
        for name, typ in columns.items():
            if typ == "datetime" and isinstance(row.get(name), str):
                row[name] = parse_datetime(row[name])
        out.append(row)
    return out


def plain(value: Any) -> Any:
    """Output values in a comparable form: datetimes as ISO text."""
    if isinstance(value, datetime):
        # As query results write a datetime column: the fraction's trailing zeros trimmed.
        base, _, fraction = format_datetime_iso(value).rstrip("Z").partition(".")
        fraction = fraction.rstrip("0")
        return f"{base}.{fraction}Z" if fraction else base + "Z"
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


@pytest.fixture
def clock() -> Any:
    """A fixed clock for now()/ago()."""
    return lambda: FIXED_NOW
