"""Record encoding (orjson) and body compression (gzip): pure functions on the hot path.

A record becomes one compact JSON object, the bytes that are counted and sent. Values the standard
JSON types lack are written the way the Logs Ingestion API and KQL read them:

- ``datetime``: ISO 8601 in UTC, always six fractional digits, ``Z`` (naive means UTC). Six digits
  because Auxiliary-plan tables accept only that form; ``Z`` because KQL reads it without guessing.
- ``date`` and ``time``: ISO 8601 (``2025-01-31``, ``13:45:00``).
- ``UUID``: the canonical lower-case string (a guid column holds a string).
- ``Decimal``: a JSON number with every digit kept (NaN and infinities become strings).
- ``bytes``/``bytearray``/``memoryview``: standard base64.
- ``set``/``frozenset``: a JSON array (sorted when the items can be sorted, for stable output);
  ``tuple`` and ``list``: a JSON array.
- ``timedelta``: the KQL timespan literal ``[-][d.]hh:mm:ss.fffffff``.

orjson writes NaN and infinite floats as ``null`` (JSON has no such numbers); that is documented here
rather than refused, because it is what every JSON shipper does.
"""

from __future__ import annotations

import base64
import datetime as _dt
import decimal
import zlib
from collections.abc import Mapping
from typing import Any

import orjson

from azlogs._exceptions import RecordEncodeError
from azlogs.schema.timespans import format_timespan

# The uncompressed JSON array body of one request is measured exactly on the bytes that are sent
# (azlogs.facts owns the figure). The wire (gzip) body must stay under the same figure, checked after
# compression.

# Level 1, chosen by bench/send_floor.py on ~350-byte mixed records in 1 MiB batches: with zlib,
# level 1 compresses to about 23 % of the JSON at ~2 us/record; level 2 saves only ~4 % more wire
# bytes for ~5 % more CPU, level 3 ~13 % fewer bytes for ~30 % more CPU, level 6 (zlib's default,
# what azure-monitor-ingestion uses) ~25 % fewer bytes for ~3x the CPU. Gzip CPU is the largest
# single cost of a send, and the service limit is on records and requests, not on wire bytes, so the
# cheapest level wins. ISA-L (the isal package) at level 1 measured 4x faster than zlib level 1 on
# the same 1 MiB bodies, with a better ratio (20.8 % against 22.1 %), so it is used when installed;
# its output is plain gzip (RFC 1952).
GZIP_LEVEL = 1

_igzip: Any
try:
    from isal import igzip as _igzip
except ImportError:  # pragma: no cover - isal is a dependency; zlib stays the fallback
    _igzip = None

DUMPS_OPTION = orjson.OPT_PASSTHROUGH_DATETIME
_NATIVE_DT = orjson.OPT_UTC_Z | orjson.OPT_NAIVE_UTC
_UTC = _dt.timezone.utc
_Fragment = orjson.Fragment
_dumps = orjson.dumps
_loads = orjson.loads


class JsonLine(bytes):
    """One record as the bytes of a JSON object that its producer has already parsed (for example a
    line read and checked by an NDJSON reader): sent as it is, without a second parse."""

    __slots__ = ()


def not_an_object(value: object) -> str:
    """Why a value that is not a JSON object is not a record (send's reader, the agent, the Python API)."""
    return f"a record must be a JSON object, not {type(value).__name__}"


def _datetime_json(value: _dt.datetime) -> bytes:
    if type(value) is not _dt.datetime:  # a subclass (pandas.Timestamp ...): orjson takes only the base
        value = _dt.datetime(
            value.year,
            value.month,
            value.day,
            value.hour,
            value.minute,
            value.second,
            value.microsecond,
            value.tzinfo,
            fold=value.fold,
        )
    tz = value.tzinfo
    if tz is not None and tz is not _UTC and value.utcoffset():
        value = value.astimezone(_UTC)
    # orjson formats the UTC instant natively (much faster than isoformat); it omits a zero fraction.
    out = _dumps(value, option=_NATIVE_DT)
    if not value.microsecond:
        out = out[:-2] + b'.000000Z"'
    return out


def json_default(value: Any) -> Any:
    """orjson fallback for the types the service needs and JSON lacks (see the module docstring)."""
    if isinstance(value, _dt.datetime):
        return _Fragment(_datetime_json(value))
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, _dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        if value.is_finite():
            return _Fragment(str(value).encode("ascii"))
        return str(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, (set, frozenset)):
        try:
            return sorted(value)
        except TypeError:
            return list(value)
    if isinstance(value, _dt.timedelta):
        return format_timespan(value)
    if isinstance(value, Mapping):
        return dict(value)
    raise TypeError(f"Type is not JSON serializable: {type(value).__name__}")


def dumps_record(record: Any) -> bytes:
    """Serialise one record object with the azlogs rules; raises ``TypeError`` when it cannot."""
    return _dumps(record, default=json_default, option=DUMPS_OPTION)


def check_json_line(line: bytes) -> bytes:
    """Validate a pre-serialised record: one JSON object, UTF-8; returns it without outer whitespace.

    Raises:
        ValueError: the line is not a JSON object.
    """
    line = line.strip()
    if not line.startswith(b"{"):
        raise ValueError("a pre-serialised record must be a JSON object ({...})")
    # A full parse: one malformed line must fail alone, not poison the 1 MiB batch that carries it.
    _loads(line)
    return line


def encode_record(record: Any) -> bytes:
    """Return the compact JSON object for one record.

    Args:
        record: a dict (or any mapping or dataclass), or a pre-serialised JSON object as ``bytes``
            or ``str`` (one NDJSON line), which is parsed once to validate it and sent as it is, or
            a ``JsonLine``, trusted and sent as it is.

    Raises:
        RecordEncodeError: the record cannot be sent; the message says why.
    """
    if type(record) is JsonLine:
        return record
    try:
        if type(record) is dict:
            out = _dumps(record, default=json_default, option=DUMPS_OPTION)
        elif isinstance(record, (bytes, bytearray, memoryview)):
            return check_json_line(bytes(record))
        elif isinstance(record, str):
            return check_json_line(record.encode("utf-8"))
        elif isinstance(record, Mapping):
            out = _dumps(dict(record), default=json_default, option=DUMPS_OPTION)
        else:
            out = _dumps(record, default=json_default, option=DUMPS_OPTION)
    except (TypeError, ValueError) as exc:  # orjson's JSONEncodeError/JSONDecodeError subclass these
        raise RecordEncodeError(reason_of(exc)) from exc
    if not out.startswith(b"{"):
        raise RecordEncodeError(not_an_object(record))
    return out


def reason_of(exc: BaseException) -> str:
    """The one-line reason a record could not be encoded, for FailedRecord."""
    if isinstance(exc, UnicodeError):
        return f"not valid UTF-8 text: {exc}"
    if isinstance(exc, orjson.JSONDecodeError):
        return f"invalid JSON: {exc}"
    return str(exc) or type(exc).__name__


def join_body(parts: list[bytes]) -> bytes:
    """The JSON array body ``[r1,r2,...]`` for encoded records (no whitespace)."""
    return b"[" + b",".join(parts) + b"]"


def body_size(parts: list[bytes]) -> int:
    """Exact byte length of ``join_body(parts)`` without building it."""
    return 1 + sum(len(p) + 1 for p in parts) if parts else 2


def gzip_body(body: bytes, level: int = GZIP_LEVEL) -> bytes:
    """gzip (RFC 1952) of a request body; ISA-L and zlib release the GIL, so threads compress in parallel."""
    if _igzip is not None and 0 <= level <= 3:
        out: bytes = _igzip.compress(body, level)
        return out
    comp = zlib.compressobj(level, zlib.DEFLATED, 31)
    return comp.compress(body) + comp.flush()
