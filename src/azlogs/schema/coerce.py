"""Coercion of ingested records to a stream declaration, the way the Logs Ingestion API does it.

The service answers 204 and then silently drops undeclared columns, nulls values it cannot read as
the declared type, truncates long fields and replaces out-of-range ``TimeGenerated`` values
(Microsoft Learn, "Logs Ingestion API in Azure Monitor" and "Azure Monitor service limits"; what
the emulator chose where they are silent is in docs/differences.md). This module does the same and says what
it did: every such change is a :class:`CoercionEvent`.

Hot path: :class:`StreamCoercer` compiles one converter per declared column once; coercing a
record is one dict lookup and one call per field, with no dispatch on type names.

Rules (choices where the service is undocumented are marked [U] and listed in docs/differences.md):

* undeclared columns are dropped; declared columns missing from the record are ``""`` for string
  columns (KQL strings are never null) and ``None`` otherwise;
* ``string``: a JSON string as is; any other JSON value becomes its compact JSON text (``true``,
  ``12``, ``{"a":1}``) [U]; null becomes ``""``; text longer than the field limit (64 KB, counted
  in UTF-8 bytes) is cut on a character boundary;
* ``int``/``long``: JSON integers in range; a real with no fraction and a string holding an integer
  literal are converted; out of range, fractions, booleans, objects and arrays become null [U];
* ``real``: any JSON number (integers converted); a numeric string is converted; anything else null;
* ``boolean``: JSON booleans; the strings ``true``/``false`` in any case are converted; else null [U];
* ``datetime``: a string in a Kusto datetime format (see :mod:`azlogs.schema.datetimes`); else null;
* ``dynamic``: any JSON value kept as is (a JSON string stays a string, it is not parsed) [U];
  dynamic values are not truncated [U];
* ``TimeGenerated`` (when declared as datetime): missing, null or unreadable -> the received time;
  older than 2 days or more than 1 day ahead of the received time -> the received time.
"""

from __future__ import annotations

import functools
import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final, Literal

import orjson

from azlogs._exceptions import InputError
from azlogs.facts import FIELD_MAX_BYTES
from azlogs.schema.datetimes import ensure_utc, parse_datetime
from azlogs.schema.model import StreamDeclaration
from azlogs.schema.names import TIME_GENERATED
from azlogs.schema.types import INT_MAX, INT_MIN, LONG_MAX, LONG_MIN, ColumnType

__all__ = [
    "COERCED",
    "COERCION_FAILED",
    "DEFAULT_FIELD_LIMIT",
    "DROPPED_UNDECLARED",
    "TIME_CLAMPED",
    "TIME_FILLED",
    "TIME_GENERATED_MAX_AGE",
    "TIME_GENERATED_MAX_AHEAD",
    "TRUNCATED",
    "CoercedRecord",
    "CoercionEvent",
    "EventKind",
    "StreamCoercer",
    "bool_text_value",
    "coerce_record",
    "coerce_value",
    "is_guid_text",
    "is_int_text",
    "is_real_text",
    "json_kind",
    "settle_time_generated",
    "truncate_utf8",
]

EventKind = Literal[
    "dropped_undeclared", "coerced", "coercion_failed", "truncated", "time_clamped", "time_filled"
]
DROPPED_UNDECLARED: Final = "dropped_undeclared"
COERCED: Final = "coerced"
COERCION_FAILED: Final = "coercion_failed"
TRUNCATED: Final = "truncated"
TIME_CLAMPED: Final = "time_clamped"
TIME_FILLED: Final = "time_filled"

DEFAULT_FIELD_LIMIT: Final = FIELD_MAX_BYTES
TIME_GENERATED_MAX_AGE: Final = timedelta(days=2)
TIME_GENERATED_MAX_AHEAD: Final = timedelta(days=1)
_PREVIEW_CHARS: Final = 120
_INT32: Final = (INT_MIN, INT_MAX)
_INT64: Final = (LONG_MIN, LONG_MAX)
_DYNAMIC_INT: Final = (LONG_MIN, 2**64 - 1)  # what orjson reads and writes as an integer (int64, uint64)
# Numbers and guids in text: ASCII digits, and the white space .NET's number styles allow around them
# (U+0009-U+000D and U+0020). Python's \s and \d take more (U+001C-U+001F, other scripts' digits),
# which int() and float() then refuse: '0\x1f' matched and crashed the conversion.
_WS: Final = r"[\t\n\v\f\r ]*"
_INT_TEXT: Final = re.compile(rf"{_WS}[+-]?[0-9]+{_WS}\Z")
_REAL_TEXT: Final = re.compile(rf"{_WS}[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?{_WS}\Z")
_GUID_TEXT: Final = re.compile(
    rf"{_WS}\{{?[0-9A-Fa-f]{{8}}-?[0-9A-Fa-f]{{4}}-?[0-9A-Fa-f]{{4}}-?[0-9A-Fa-f]{{4}}-?[0-9A-Fa-f]{{12}}\}}?{_WS}\Z"
)
_JSON_TYPES: Final = (dict, list, str, int, float, bool, type(None))


@dataclass(frozen=True, slots=True)
class CoercionEvent:
    """One change the service makes to a record without telling the sender.

    Attributes:
        column: the record's key (for ``dropped_undeclared``) or the declared column.
        kind: what happened.
        reason: a sentence for a human, naming the declared type and what was received.
        original: a short JSON preview of the value as received ("" when there was none).
    """

    column: str
    kind: EventKind
    reason: str
    original: str


@dataclass(slots=True)
class CoercedRecord:
    """A record after coercion: the row (every declared column) and what was changed."""

    row: dict[str, Any]
    events: list[CoercionEvent]


class _Note:
    """A converter's answer when it had to change or give up on a value (the slow path)."""

    __slots__ = ("notes", "value")

    def __init__(self, value: Any, kind: EventKind, reason: str) -> None:
        self.value = value
        self.notes: list[tuple[EventKind, str]] = [(kind, reason)]


Converter = Callable[[Any], Any]


def json_kind(value: Any) -> str:
    """What a JSON value is, in the words azlogs' messages use (``a JSON array ...``): null, boolean,
    integer, real, string, object, array; a Python caller's other object by its type's name."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "real"
    if isinstance(value, str):
        return "string"
    if isinstance(value, Mapping):
        return "object"
    if isinstance(value, (list, tuple)):
        return "array"
    return type(value).__name__


def _json_text(value: Any) -> str:
    try:
        return orjson.dumps(value).decode()
    except TypeError:  # not JSON (a Python caller's object, or an int beyond 64 bits)
        return str(value) if isinstance(value, int) else repr(value)


def _preview(value: Any) -> str:
    text = value if isinstance(value, str) else _json_text(value)
    if len(text) > _PREVIEW_CHARS:
        return text[: _PREVIEW_CHARS - 1] + "…"
    return text


def is_int_text(text: str) -> bool:
    """Whether the ingestion reads ``text`` as an integer (sign and digits, spaces around)."""
    return _INT_TEXT.match(text) is not None


def is_real_text(text: str) -> bool:
    """Whether the ingestion reads ``text`` as a real (a JSON-like number, spaces around)."""
    return _REAL_TEXT.match(text) is not None


def bool_text_value(text: str) -> bool | None:
    """``True``/``False`` for the words true/false in any case, else None."""
    word = text.strip().lower()
    return True if word == "true" else False if word == "false" else None


def is_guid_text(text: str) -> bool:
    """Whether ``text`` is a GUID (with or without dashes and braces)."""
    return _GUID_TEXT.match(text) is not None


def truncate_utf8(text: str, limit: int) -> str | None:
    """``text`` cut to at most ``limit`` UTF-8 bytes on a character boundary; None if it fits."""
    if len(text) * 4 <= limit:
        return None
    raw = text.encode("utf-8", "surrogatepass")
    if len(raw) <= limit:
        return None
    end = limit
    while end > 0 and (raw[end] & 0xC0) == 0x80:  # back off a continuation byte
        end -= 1
    return raw[:end].decode("utf-8", "surrogatepass")


def _fail(value: Any, type_word: str) -> _Note:
    return _Note(
        None, COERCION_FAILED, f"a JSON {json_kind(value)} cannot be read as {type_word}; stored as null"
    )


# --- converters: each takes a JSON value and returns the typed value, or a _Note -------------------------


def _make_string(limit: int) -> Converter:
    safe = limit // 4  # no UTF-8 character is longer than 4 bytes: shorter texts need no measuring

    def conv(v: Any) -> Any:
        if type(v) is str:
            if len(v) <= safe:
                return v
            cut = truncate_utf8(v, limit)
            if cut is None:
                return v
            return _Note(cut, TRUNCATED, f"value longer than {limit} bytes (UTF-8); cut to the limit")
        if v is None:
            return ""
        text = ("true" if v else "false") if isinstance(v, bool) else _json_text(v)
        note = _Note(text, COERCED, f"a JSON {json_kind(v)} stored in a string column as its JSON text")
        cut = truncate_utf8(text, limit)
        if cut is not None:
            note.value = cut
            note.notes.append((TRUNCATED, f"value longer than {limit} bytes (UTF-8); cut to the limit"))
        return note

    return conv


def _make_integer(bounds: tuple[int, int], word: str) -> Converter:
    low, high = bounds

    def conv(v: Any) -> Any:
        if type(v) is int:
            if low <= v <= high:
                return v
            return _Note(None, COERCION_FAILED, f"integer {v} is out of range for {word}; stored as null")
        if v is None:
            return None
        return _integer_slow(v, low, high, word)

    return conv


def _integer_slow(v: Any, low: int, high: int, word: str) -> Any:
    if isinstance(v, bool):
        return _fail(v, word)
    if isinstance(v, int):  # an int subclass (IntEnum ...) from a Python caller
        n = int(v)
        if low <= n <= high:
            return n
        return _Note(None, COERCION_FAILED, f"integer {n} is out of range for {word}; stored as null")
    if isinstance(v, float):
        if v.is_integer() and low <= v <= high:
            return _Note(int(v), COERCED, f"real {v!r} has no fraction; stored as {word}")
        return _Note(None, COERCION_FAILED, f"real {v!r} is not a {word} value; stored as null")
    if isinstance(v, str):
        if _INT_TEXT.match(v):
            n = int(v)
            if low <= n <= high:
                return _Note(n, COERCED, f"string holding an integer converted to {word}")
            return _Note(None, COERCION_FAILED, f"string integer is out of range for {word}; stored as null")
        return _Note(
            None, COERCION_FAILED, f"string is not an integer, cannot be read as {word}; stored as null"
        )
    return _fail(v, word)


def _conv_real(v: Any) -> Any:
    t = type(v)
    if t is float:
        return v
    if t is int:
        try:
            return float(v)  # JSON has one number type: an integer in a real column is normal
        except OverflowError:
            return _Note(None, COERCION_FAILED, "integer is too large for real; stored as null")
    if v is None:
        return None
    if isinstance(v, str):
        if _REAL_TEXT.match(v):
            return _Note(float(v), COERCED, "string holding a number converted to real")
        return _Note(None, COERCION_FAILED, "string is not a number, cannot be read as real; stored as null")
    if isinstance(v, (int, float)) and not isinstance(v, bool):  # subclasses from a Python caller
        return _conv_real(float(v) if isinstance(v, float) else int(v))
    return _fail(v, "real")


def _conv_bool(v: Any) -> Any:
    if type(v) is bool:
        return v
    if v is None:
        return None
    if isinstance(v, str):
        flag = bool_text_value(v)
        if flag is not None:
            return _Note(flag, COERCED, f"string '{v.strip()}' converted to boolean")
        return _Note(None, COERCION_FAILED, "string is neither 'true' nor 'false'; stored as null")
    return _fail(v, "boolean")


def _conv_datetime(v: Any) -> Any:
    if type(v) is str:
        parsed = parse_datetime(v)
        if parsed is not None:
            return parsed
        return _Note(None, COERCION_FAILED, "string is not in a supported datetime format; stored as null")
    if v is None:
        return None
    if isinstance(v, datetime):  # a Python caller's value, not JSON
        return ensure_utc(v)
    return _fail(v, "datetime")


def _conv_dynamic(v: Any) -> Any:
    if type(v) in _JSON_TYPES:
        if type(v) is int and not _DYNAMIC_INT[0] <= v <= _DYNAMIC_INT[1]:
            # orjson (the wire parser) reads such numbers as reals; a Python caller's big int too
            try:
                return _Note(float(v), COERCED, "integer beyond 64 bits stored as real")
            except OverflowError:
                return _Note(None, COERCION_FAILED, "integer too large for dynamic; stored as null")
        return v
    try:  # a Python caller's tuple, datetime, UUID ...: keep its JSON form
        return _Note(orjson.loads(orjson.dumps(v)), COERCED, f"{type(v).__name__} stored as its JSON form")
    except (TypeError, orjson.JSONDecodeError):
        return _Note(None, COERCION_FAILED, f"{type(v).__name__} is not a JSON value; stored as null")


def _make_guid() -> Converter:
    def conv(v: Any) -> Any:
        if type(v) is str and _GUID_TEXT.match(v):
            return v
        if v is None:
            return None
        if isinstance(v, uuid.UUID):
            return _Note(str(v), COERCED, "UUID stored as its text")
        if isinstance(v, str):
            return _Note(None, COERCION_FAILED, "string is not a GUID; stored as null")
        return _fail(v, "guid")

    return conv


def _converter(column_type: ColumnType, limit: int) -> Converter:
    if column_type is ColumnType.STRING:
        return _make_string(limit)
    if column_type is ColumnType.INT:
        return _make_integer(_INT32, "int")
    if column_type is ColumnType.LONG:
        return _make_integer(_INT64, "long")
    if column_type is ColumnType.REAL:
        return _conv_real
    if column_type is ColumnType.BOOL:
        return _conv_bool
    if column_type is ColumnType.DATETIME:
        return _conv_datetime
    if column_type is ColumnType.DYNAMIC:
        return _conv_dynamic
    if column_type is ColumnType.GUID:
        return _make_guid()
    raise InputError(f"values cannot be ingested into a column of type {column_type.kql_name!r}")


# --- public API ------------------------------------------------------------------------------------------


def coerce_value(
    value: Any, column_type: ColumnType, *, field_limit: int = DEFAULT_FIELD_LIMIT
) -> tuple[Any, list[tuple[EventKind, str]]]:
    """Coerce one JSON value to ``column_type``: the typed value and what changed (kind, reason).

    For tools (preflight, validate); ingestion uses :class:`StreamCoercer`.
    """
    out = _converter(column_type, field_limit)(value)
    if type(out) is _Note:
        return out.value, out.notes
    return out, []


def settle_time_generated(value: Any, received: datetime) -> tuple[datetime, CoercionEvent | None]:
    """Apply the service's ``TimeGenerated`` rule to an output row's value.

    A missing/null value is filled with ``received``; a value older than 2 days or more than 1 day
    ahead of ``received`` is replaced by it (the service's window; its edges: docs/differences.md). Use it on a transformation's
    output; :class:`StreamCoercer` applies it itself when the stream declares ``TimeGenerated``.
    """
    received = ensure_utc(received)
    if isinstance(value, str):
        value = parse_datetime(value)
    if not isinstance(value, datetime):
        return received, CoercionEvent(
            TIME_GENERATED,
            TIME_FILLED,
            "TimeGenerated missing or not a datetime; set to the received time",
            "",
        )
    value = ensure_utc(value)
    if value < received - TIME_GENERATED_MAX_AGE or value > received + TIME_GENERATED_MAX_AHEAD:
        return received, CoercionEvent(
            TIME_GENERATED,
            TIME_CLAMPED,
            "TimeGenerated more than 2 days before or 1 day after the received time; "
            "replaced by the received time",
            value.isoformat(),
        )
    return value, None


class StreamCoercer:
    """Coerces records to one stream declaration; build once per stream, reuse for every record.

    Args:
        stream: the stream declaration.
        field_limit: the maximum size of a string value in UTF-8 bytes (64 KB in Azure).
    """

    __slots__ = ("_converters", "_drop_reason", "_stream", "_template", "_time_column")

    def __init__(self, stream: StreamDeclaration, *, field_limit: int = DEFAULT_FIELD_LIMIT) -> None:
        if field_limit < 4:
            raise InputError(f"field_limit must be at least 4 bytes, got {field_limit}")
        self._stream = stream
        self._converters: dict[str, Converter] = {
            c.name: _converter(c.type, field_limit) for c in stream.columns
        }
        self._template: dict[str, Any] = {
            c.name: ("" if c.type is ColumnType.STRING else None) for c in stream.columns
        }
        tg = stream.column(TIME_GENERATED)
        self._time_column = tg is not None and tg.type is ColumnType.DATETIME
        self._drop_reason = f"column is not declared in stream '{stream.name}'; dropped"

    @property
    def stream(self) -> StreamDeclaration:
        """The stream declaration this coercer was built for."""
        return self._stream

    def coerce(self, record: Mapping[str, Any], received: datetime) -> CoercedRecord:
        """Coerce one record (a JSON object) received at ``received``.

        Raises:
            InputError: ``record`` is not a JSON object (the caller decides what the service does).
        """
        if not isinstance(record, Mapping):
            raise InputError(f"a record must be a JSON object, got a JSON {json_kind(record)}")
        row = self._template.copy()
        events: list[CoercionEvent] = []
        converters = self._converters
        for key, value in record.items():
            conv = converters.get(key)
            if conv is None:
                events.append(CoercionEvent(str(key), DROPPED_UNDECLARED, self._drop_reason, _preview(value)))
                continue
            out = conv(value)
            if type(out) is _Note:
                row[key] = out.value
                shown = _preview(value)
                for kind, reason in out.notes:
                    events.append(CoercionEvent(key, kind, reason, shown))
            else:
                row[key] = out
        if self._time_column:
            tg = row[TIME_GENERATED]
            received = ensure_utc(received)
            if (
                tg is None
                or tg < received - TIME_GENERATED_MAX_AGE
                or tg > received + TIME_GENERATED_MAX_AHEAD
            ):
                row[TIME_GENERATED], event = settle_time_generated(tg, received)
                if event is not None:
                    if tg is None and TIME_GENERATED in record and record[TIME_GENERATED] is not None:
                        event = CoercionEvent(
                            TIME_GENERATED,
                            TIME_FILLED,
                            "TimeGenerated could not be read as a datetime; set to the received time",
                            _preview(record[TIME_GENERATED]),
                        )
                    events.append(event)
        return CoercedRecord(row, events)


@functools.lru_cache(maxsize=256)
def _cached_coercer(stream: StreamDeclaration, field_limit: int) -> StreamCoercer:
    return StreamCoercer(stream, field_limit=field_limit)


def coerce_record(
    record: Mapping[str, Any],
    stream: StreamDeclaration,
    *,
    received: datetime,
    field_limit: int = DEFAULT_FIELD_LIMIT,
) -> CoercedRecord:
    """Coerce one record to ``stream`` (a cached :class:`StreamCoercer` does the work)."""
    return _cached_coercer(stream, field_limit).coerce(record, received)
