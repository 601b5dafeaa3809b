"""The HTTP Data Collector API's rules (retired 2026-09-14), as pure functions.

The SharedKey signature, the ``Log-Type`` rule and how the API typed and named the columns of a classic
``{LogType}_CL`` table. Shared by the emulator's endpoint and, later, by ``azlogs migrate`` and the agent's
bridge, so all three read legacy payloads alike. Source: Microsoft Learn, "Send log data to Azure Monitor
by using the HTTP Data Collector API" (see :mod:`azlogs.facts`); guesses are marked [U] and listed in
docs/differences.md.

Typing, as the docs describe it:

- a JSON boolean is ``_b``, a number ``_d`` (double), a string ``_s``, except a string that reads as a GUID
  (``_g``, stored with dashes, lower case) or an ISO 8601 datetime (``_t``); a nested object or array is
  stored as its JSON text in a ``_s`` column [U]; a null is left out of the record;
- once a table exists, a value goes to an existing column of that property when it converts to the
  column's type (a string ``"42"`` into ``n_d``); a number or boolean never converts to a string column
  (the docs' third sample creates ``boolean_d`` and ``string_d``). Otherwise a new column with the value's
  own suffix is added: a column name is never reused with another type.
"""

from __future__ import annotations

import base64
import binascii
import email.utils
import hashlib
import hmac
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Final

import orjson

from azlogs.facts import (
    DATA_COLLECTOR_API_VERSION,
    DATA_COLLECTOR_CONTENT_TYPE,
    DATA_COLLECTOR_FIELD_VALUE_MAX,
    DATA_COLLECTOR_LOG_TYPE_MAX,
    DATA_COLLECTOR_RESERVED_PROPERTIES,
    DATA_COLLECTOR_RESOURCE,
    DATA_COLLECTOR_TIME_GENERATED_MAX_AGE_SECONDS,
)
from azlogs.schema.datetimes import parse_datetime, parse_iso8601_datetime
from azlogs.schema.model import Column
from azlogs.schema.types import ColumnType

CLASSIC_SUFFIX: Final = "_CL"
SUFFIXES: Final = {
    ColumnType.STRING: "_s",
    ColumnType.REAL: "_d",
    ColumnType.BOOL: "_b",
    ColumnType.DATETIME: "_t",
    ColumnType.GUID: "_g",
}
_TYPE_OF_SUFFIX: Final = {s: t for t, s in SUFFIXES.items()}
_LOG_TYPE: Final = re.compile(r"[A-Za-z0-9_]+")
_GUID: Final = re.compile(
    r"([0-9a-fA-F]{8})-?([0-9a-fA-F]{4})-?([0-9a-fA-F]{4})-?([0-9a-fA-F]{4})-?([0-9a-fA-F]{12})"
)
_NOT_NAME: Final = re.compile(r"[^A-Za-z0-9_]")
_RESERVED: Final = frozenset(n.lower() for n in DATA_COLLECTOR_RESERVED_PROPERTIES)
_WORKSPACE_ID: Final = re.compile(
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
)
# orjson's parser holds about 14 times the document while it parses (measured: a 434 MB peak for a 30 MB
# array of small records), the standard library's about 3 times (99 MB) at a quarter of the speed:
# bodies above this size are parsed by the latter, so a 30 MB post costs ~100 MB, not ~430 MB.
ORJSON_MAX_BYTES: Final = 4 * 1024 * 1024
# How far x-ms-date may be from the receiver's clock. Azure refused stale dates; its window is not
# documented [U]: 15 minutes, as Azure Storage's SharedKey allows.
DATE_SKEW: Final = timedelta(minutes=15)


# --- the API's answers -------------------------------------------------------------------------------
# One owner of what the API answered, for the emulator's endpoint and the agent's bridge alike. Codes
# from Learn's return-code table; messages marked [U] in docs/differences.md.


class Refusal(Exception):
    """An answer other than 200, in the API's ``{"Error": code, "Message": text}`` shape.

    Attributes:
        status: the HTTP status.
        code: the API's error code ("" for the empty 404 of an oversized body).
        message: the text a sender reads; never holds a key or a signature.
        retry_after: seconds for a ``Retry-After`` header (the bridge's 503), or None.
    """

    def __init__(self, status: int, code: str, message: str, *, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.retry_after = retry_after

    def body(self) -> bytes:
        """The JSON body of the answer."""
        doc = {"Error": self.code, "Message": self.message} if self.code else {}
        return json.dumps(doc).encode()


def forbidden(message: str) -> Refusal:
    """A 403 ``InvalidAuthorization``."""
    return Refusal(403, "InvalidAuthorization", message)


def too_large() -> Refusal:
    """A body over 30 MB. Learn: 404 "Either the provided URL is incorrect or the request is too large"."""
    return Refusal(404, "", "")


def bad_signature() -> Refusal:
    """The signature does not match any key."""
    return forbidden("The signature does not match; sign with the workspace's primary or secondary key.")


def unknown_workspace(workspace_id: str) -> Refusal:
    """No such workspace (the URL's id)."""
    return forbidden(f"No workspace '{workspace_id}' exists; check the workspace id.")


def bad_data(message: str) -> Refusal:
    """A 400 ``InvalidDataFormat``."""
    return Refusal(400, "InvalidDataFormat", message)


def check_date(value: str | None, now: datetime) -> str:
    """Refuse a missing, unreadable or stale ``x-ms-date`` (RFC 1123); answers the date.

    Raises:
        Refusal: 403 InvalidAuthorization.
    """
    if not value:
        raise forbidden("The x-ms-date header is required.")
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        when = None
    if when is None or when.tzinfo is None:
        # The service's text, from a sender's log of a 403 (see docs/differences.md).
        raise forbidden("An invalid date format used in the x-ms-date header.")
    if abs(when - now) > DATE_SKEW:
        raise forbidden(
            f"The x-ms-date header '{value}' is more than {int(DATE_SKEW.total_seconds() // 60)} minutes "
            "from the service's time; sign each request with the current date."
        )
    return value


def check_headers(api_version: str | None, workspace_id: str, headers: Mapping[str, str]) -> tuple[str, str]:
    """The checks before the body, in the API's order: answers ``(log type, signature)``.

    Args:
        api_version: the ``api-version`` query parameter.
        workspace_id: the workspace the request is for (the URL's id).
        headers: the request's headers, looked up by lower-case name.

    Raises:
        Refusal: what the API answered.
    """
    if not api_version:
        raise Refusal(400, "MissingApiVersion", "The api-version query parameter is required.")
    if api_version != DATA_COLLECTOR_API_VERSION:
        raise Refusal(
            400,
            "InvalidApiVersion",
            f"The api-version '{api_version}' is not recognized; use {DATA_COLLECTOR_API_VERSION}.",
        )
    if not _WORKSPACE_ID.fullmatch(workspace_id):
        raise Refusal(400, "InvalidCustomerId", f"The workspace id '{workspace_id}' is invalid.")
    content_type = headers.get("content-type")
    if not content_type:
        raise Refusal(400, "MissingContentType", "The Content-Type header is required.")
    if content_type.split(";", 1)[0].strip().lower() != DATA_COLLECTOR_CONTENT_TYPE:
        raise Refusal(
            400, "UnsupportedContentType", f"The content type must be {DATA_COLLECTOR_CONTENT_TYPE}."
        )
    log_type = headers.get("log-type")
    if not log_type:
        raise Refusal(400, "MissingLogType", "The Log-Type header is required.")
    problem = log_type_problem(log_type)
    if problem is not None:
        raise Refusal(400, "InvalidLogType", problem)
    parsed = parse_authorization(headers.get("authorization", ""))
    if parsed is None:
        raise forbidden("An invalid scheme was specified in the Authorization header; use SharedKey.")
    if parsed[0].lower() != workspace_id.lower():
        raise forbidden("The workspace id in the Authorization header does not match the request's.")
    return log_type, parsed[1]


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value")


def load_json(raw: bytes) -> Any:
    """Parse a JSON body of up to 30 MB within about 3 times its size in memory (see ORJSON_MAX_BYTES).

    Raises:
        ValueError: not UTF-8, not JSON, or NaN/Infinity (refused by both parsers alike).
    """
    if len(raw) <= ORJSON_MAX_BYTES:
        return orjson.loads(raw)
    return json.loads(raw.decode("utf-8"), parse_constant=_no_constant)


def parse_records(raw: bytes) -> list[Mapping[str, Any]]:
    """The records of a body, with the reserved property names refused as the API did.

    Raises:
        Refusal: 400 InvalidDataFormat (not JSON, not objects, a reserved property name).
    """
    try:
        records = records_of(load_json(raw))
    except ValueError as exc:  # json's decode error and PayloadError
        raise bad_data(
            str(exc) if isinstance(exc, PayloadError) else f"The body is not valid JSON: {exc}"
        ) from exc
    for i, rec in enumerate(records):
        for name in rec:
            if name.lower() in _RESERVED:
                raise bad_data(reserved_message(i, name))
    return records


def reserved_message(index: int, name: str) -> str:
    """The refusal of a reserved property name."""
    return f"Record {index} uses the reserved property name '{name}'."


# --- the SharedKey signature -------------------------------------------------------------------------


def string_to_sign(content_length: int, date: str) -> str:
    """``POST\\n{length}\\napplication/json\\nx-ms-date:{date}\\n/api/logs``, the documented StringToSign."""
    return (
        f"POST\n{content_length}\n{DATA_COLLECTOR_CONTENT_TYPE}\nx-ms-date:{date}\n{DATA_COLLECTOR_RESOURCE}"
    )


def signature(shared_key: str, content_length: int, date: str) -> str:
    """Base64(HMAC-SHA256(base64-decoded key, UTF-8 StringToSign)).

    Raises:
        ValueError: ``shared_key`` is not base64.
    """
    try:
        key = base64.b64decode(shared_key, validate=True)
    except binascii.Error as exc:
        raise ValueError("the shared key is not base64") from exc
    digest = hmac.new(key, string_to_sign(content_length, date).encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def authorization(workspace_id: str, shared_key: str, content_length: int, date: str) -> str:
    """The ``Authorization`` header value: ``SharedKey {workspaceId}:{signature}``."""
    return f"SharedKey {workspace_id}:{signature(shared_key, content_length, date)}"


def parse_authorization(header: str) -> tuple[str, str] | None:
    """``(workspace id, signature)`` from a SharedKey header, or None when it is not one."""
    scheme, _, rest = header.strip().partition(" ")
    workspace, sep, sig = rest.strip().partition(":")
    if scheme != "SharedKey" or not sep or not workspace or not sig:
        return None
    return workspace, sig


def signature_matches(given: str, keys: Iterable[str], content_length: int, date: str) -> bool:
    """Whether ``given`` is the signature of the request under one of ``keys`` (constant-time compare)."""
    ok = False
    for key in keys:
        try:
            expected = signature(key, content_length, date)
        except ValueError:
            continue
        ok |= hmac.compare_digest(expected.encode(), given.encode())
    return ok


# --- Log-Type and names ------------------------------------------------------------------------------


def log_type_problem(log_type: str) -> str | None:
    """Why ``log_type`` is refused (letters, digits, underscore; at most 100 characters), or None."""
    if not _LOG_TYPE.fullmatch(log_type):
        return "The Log-Type may contain only letters, numbers and the underscore (_) character."
    if len(log_type) > DATA_COLLECTOR_LOG_TYPE_MAX:
        return f"The Log-Type cannot exceed {DATA_COLLECTOR_LOG_TYPE_MAX} characters."
    return None


def table_name(log_type: str) -> str:
    """The classic table a Log-Type lands in: ``{LogType}_CL``."""
    return log_type + CLASSIC_SUFFIX


def property_base(name: str) -> str:
    """A property's column base name: characters outside letters, digits and ``_`` become ``_`` [U]."""
    return _NOT_NAME.sub("_", name)


def split_column(name: str) -> tuple[str, ColumnType] | None:
    """The property base and type of a column the API named: ``Count_d`` -> ``("Count", REAL)``.

    None for a name without one of the API's suffixes (``TimeGenerated``, a column added by hand).
    The reverse of :func:`property_base` is not unique (``my-field`` and ``my_field`` both made
    ``my_field_s``): the base is what a migrated stream declares.
    """
    base, suffix = name[:-2], name[-2:]
    column_type = _TYPE_OF_SUFFIX.get(suffix)
    return (base, column_type) if base and column_type is not None else None


# --- typing ------------------------------------------------------------------------------------------


def normalize_guid(text: str) -> str | None:
    """A GUID with or without dashes, as the API stored it (dashed, lower case [U]); None otherwise."""
    m = _GUID.fullmatch(text.strip("{}") if text.startswith("{") and text.endswith("}") else text)
    return "-".join(m.groups()).lower() if m else None


def _datetime(text: str) -> datetime | None:
    return parse_iso8601_datetime(text)


def _text(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return text[:DATA_COLLECTOR_FIELD_VALUE_MAX]


def infer(value: Any) -> tuple[ColumnType, Any]:
    """The type a new column gets for ``value`` (not None), and the value converted to it."""
    if isinstance(value, bool):
        return ColumnType.BOOL, value
    if isinstance(value, (int, float)):
        return ColumnType.REAL, float(value)
    if isinstance(value, str):
        guid = normalize_guid(value)
        if guid is not None:
            return ColumnType.GUID, guid
        when = _datetime(value)
        if when is not None:
            return ColumnType.DATETIME, when
    return ColumnType.STRING, _text(value)


_NO: Final = object()


def convert(value: Any, column_type: ColumnType) -> Any:
    """``value`` converted to an existing column's type, or the ``_NO`` sentinel when it cannot be."""
    if column_type is ColumnType.STRING:
        return _NO if isinstance(value, (bool, int, float)) else _text(value)
    if column_type is ColumnType.REAL:
        if isinstance(value, bool):
            return _NO
        if isinstance(value, (int, float)):
            return float(value)
        if isinstance(value, str):
            try:
                return float(value)
            except ValueError:
                return _NO
        return _NO
    if column_type is ColumnType.BOOL:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        return _NO
    if not isinstance(value, str):
        return _NO
    if column_type is ColumnType.GUID:
        guid = normalize_guid(value)
        return _NO if guid is None else guid
    if column_type is ColumnType.DATETIME:
        when = parse_datetime(value)
        return _NO if when is None else when
    return _NO


@dataclass
class ClassicBatch:
    """Records typed for a classic table.

    Attributes:
        new_columns: columns the table gains, in first-seen order.
        rows: one ``{column name: typed value}`` per record.
        time_generated: each record's TimeGenerated.
        time_filled: how many records got the received time (no, bad or too old ``time-generated-field``).
    """

    new_columns: list[Column] = field(default_factory=list)
    rows: list[dict[str, Any]] = field(default_factory=list)
    time_generated: list[datetime] = field(default_factory=list)
    time_filled: int = 0


class PayloadError(ValueError):
    """The body is not what the API accepted (answered 400 InvalidDataFormat)."""


def records_of(body: Any) -> list[Mapping[str, Any]]:
    """The records of a parsed body: a JSON object or an array of objects.

    Raises:
        PayloadError: another JSON value, or an element that is not an object.
    """
    records = [body] if isinstance(body, dict) else body
    if not isinstance(records, list):
        raise PayloadError("The body must be a JSON object or an array of JSON objects.")
    for i, rec in enumerate(records):
        if not isinstance(rec, dict):
            raise PayloadError(f"Record {i} is not a JSON object.")
    return records


def type_records(
    records: Sequence[Mapping[str, Any]],
    existing: Sequence[Column],
    received: datetime,
    *,
    time_generated_field: str | None = None,
    extend: bool = True,
) -> ClassicBatch:
    """Type ``records`` for a table whose columns are ``existing``, as the Data Collector API did.

    Args:
        records: the posted records.
        existing: the table's columns now (empty for a new table).
        received: the time the request was received (UTC).
        time_generated_field: the ``time-generated-field`` header's property name.
        extend: False for a table that was migrated to DCR-based: values that fit no existing column
            are dropped ("the Data Collector API still ingests existing columns but no new").

    Raises:
        PayloadError: a record uses a reserved property name.
    """
    by_base: dict[str, list[Column]] = {}
    for col in existing:
        base, suffix = col.name[:-2], col.name[-2:]
        if _TYPE_OF_SUFFIX.get(suffix) is not None:
            by_base.setdefault(base, []).append(col)
    known = {c.name for c in existing}
    out = ClassicBatch()
    oldest = received - timedelta(seconds=DATA_COLLECTOR_TIME_GENERATED_MAX_AGE_SECONDS)
    for i, rec in enumerate(records):
        row: dict[str, Any] = {}
        for name, value in rec.items():
            if name.lower() in _RESERVED:
                raise PayloadError(reserved_message(i, name))
            if value is None:
                continue
            base = property_base(name)
            placed = False
            for col in by_base.get(base, ()):
                converted = convert(value, col.type)
                if converted is not _NO:
                    row[col.name] = converted
                    placed = True
                    break
            if placed:
                continue
            ctype, converted = infer(value)
            col_name = base + SUFFIXES[ctype]
            if col_name in known:  # the inferred type's column exists but the value did not convert
                continue
            if not extend:
                continue
            col = Column(col_name, ctype)
            known.add(col_name)
            by_base.setdefault(base, []).append(col)
            out.new_columns.append(col)
            row[col_name] = converted
        out.rows.append(row)
        out.time_generated.append(_time_generated(rec, time_generated_field, received, oldest, out))
    return out


def _time_generated(
    rec: Mapping[str, Any], field_name: str | None, received: datetime, oldest: datetime, out: ClassicBatch
) -> datetime:
    raw = rec.get(field_name) if field_name else None
    when = parse_datetime(raw) if isinstance(raw, str) else None
    if when is None or when < oldest:
        out.time_filled += 1
        return received
    return when
