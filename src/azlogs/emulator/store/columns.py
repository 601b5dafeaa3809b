"""How Log Analytics column values live in SQLite, and back (as the KQL engine represents them).

* ``dateTime``: INTEGER, 100-ns ticks since 0001-01-01T00:00:00Z (.NET ``DateTime.Ticks``, what
  Kusto counts in). Integers compare and index faster and smaller than 28-character ISO text, a
  time-range scan is an integer range on the ``TimeGenerated`` index, and the conversion both ways
  is two C-level operations. Python datetimes carry microseconds, so stored ticks are multiples of 10.
* ``dynamic``: TEXT holding compact JSON (orjson); NULL for null.
* ``boolean``: INTEGER 0/1.
* ``int``/``long``: INTEGER; ``real``: REAL, but NaN as the text ``NaN`` (SQLite stores a NaN REAL as
  NULL; KQL's real keeps it); ``string``/``guid``: TEXT.

Reading back gives the KQL engine's values (``azlogs.kql``): tz-aware UTC datetimes, parsed JSON for dynamic,
``bool``, and ``""`` for a null string or guid column (KQL strings are never null).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any, Final

import orjson

from azlogs.schema.types import ColumnType

EPOCH: Final = datetime(1, 1, 1, tzinfo=timezone.utc)
_ONE_US: Final = timedelta(microseconds=1)
TICKS_PER_US: Final = 10

SQL_TYPES: Final[dict[ColumnType, str]] = {
    ColumnType.BOOL: "INTEGER",
    ColumnType.INT: "INTEGER",
    ColumnType.LONG: "INTEGER",
    ColumnType.REAL: "REAL",
    ColumnType.STRING: "TEXT",
    ColumnType.GUID: "TEXT",
    ColumnType.DATETIME: "INTEGER",
    ColumnType.DYNAMIC: "TEXT",
}


def to_ticks(value: datetime) -> int:
    """A tz-aware datetime as 100-ns ticks since 0001-01-01 UTC (naive values are taken as UTC)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return (value - EPOCH) // _ONE_US * TICKS_PER_US


def from_ticks(ticks: int) -> datetime:
    """100-ns ticks since 0001-01-01 UTC as a tz-aware datetime (sub-microsecond part dropped)."""
    return EPOCH + timedelta(microseconds=ticks // TICKS_PER_US)


def format_ticks(ticks: int) -> str:
    """Ticks as Log Analytics renders a datetime: ISO 8601, 7 fractional digits, ``Z``."""
    dt = EPOCH + timedelta(microseconds=ticks // TICKS_PER_US)
    return f"{dt.strftime('%Y-%m-%dT%H:%M:%S')}.{dt.microsecond * 10 + ticks % 10:07d}Z"


def _enc_datetime(value: Any) -> Any:
    if value is None:
        return None
    if value.tzinfo is None:
        return to_ticks(value)
    return (value - EPOCH) // _ONE_US * TICKS_PER_US  # inlined: this runs for every record


def _enc_dynamic(value: Any) -> Any:
    return None if value is None else orjson.dumps(value).decode()


def _enc_real(value: Any) -> Any:
    return "NaN" if value != value else value  # only NaN differs from itself


def _dec_real(value: Any) -> Any:
    return float(value) if type(value) is str else value


def _enc_guid(value: Any) -> Any:
    # A transformation's toguid() gives a uuid.UUID; the column keeps GUID text, as string feeds it.
    return str(value) if type(value) is uuid.UUID else value


def encoder(column_type: ColumnType) -> Callable[[Any], Any] | None:
    """The function turning a typed value into its SQLite value, or None when none is needed."""
    if column_type is ColumnType.DATETIME:
        return _enc_datetime
    if column_type is ColumnType.DYNAMIC:
        return _enc_dynamic
    if column_type is ColumnType.GUID:
        return _enc_guid
    if column_type is ColumnType.REAL:
        return _enc_real
    return None


def _dec_datetime(value: Any) -> Any:
    return None if value is None else from_ticks(value)


def _dec_dynamic(value: Any) -> Any:
    return None if value is None else orjson.loads(value)


def _dec_bool(value: Any) -> Any:
    return None if value is None else bool(value)


def _dec_string(value: Any) -> Any:
    return "" if value is None else value


def decoder(column_type: ColumnType) -> Callable[[Any], Any] | None:
    """The function turning a SQLite value back into the typed value, or None when none is needed."""
    if column_type is ColumnType.DATETIME:
        return _dec_datetime
    if column_type is ColumnType.DYNAMIC:
        return _dec_dynamic
    if column_type is ColumnType.BOOL:
        return _dec_bool
    if column_type in (ColumnType.STRING, ColumnType.GUID):
        return _dec_string
    if column_type is ColumnType.REAL:
        return _dec_real
    return None


def quote_ident(name: str) -> str:
    """A SQLite identifier, double-quoted."""
    return '"' + name.replace('"', '""') + '"'


def quote_literal(value: str | int) -> str:
    """A SQLite literal for a str or int (used for per-request constants in an INSERT)."""
    if isinstance(value, int):
        return str(int(value))
    return "'" + value.replace("'", "''") + "'"
