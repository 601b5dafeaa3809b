"""OTLP/HTTP logs bodies (``ExportLogsServiceRequest``), protobuf or JSON, into rows of the OTel logs table.

Pure (no I/O): the one reader of OTLP logs, for the emulator's OTLP endpoint, the agent's ``otlp``
input and :class:`azlogs.otel.LogExporter` (which builds the same rows from the SDK's records).

Azure Monitor's native OTLP ingestion (preview, Microsoft Learn "Ingest OTLP data into Azure Monitor
with OTel Collector") takes a stock OTLP/HTTP exporter's POST to
``{endpoint}/dataCollectionRules/{immutableId}/streams/Microsoft-OTLP-Logs/otlp/v1/logs``; the DCR
routes stream ``Microsoft-OTel-Logs`` (its ``directDataSources.otelLogs``) to a Log Analytics workspace.

The protobuf decoder is written here against the wire format of ``opentelemetry/proto/logs/v1`` and
``common/v1`` (field numbers from the OTLP specification): the emulator needs no protobuf runtime,
and a body that is not what it claims to be raises :class:`OtlpDecodeError` with the reason (the
emulator answers it with a 400, never a 500). The JSON form
follows OTLP's JSON mapping (lowerCamelCase names, trace and span ids in hex, 64-bit integers as
numbers or strings).

Each log record becomes one row: the record's own fields, its attributes, its resource's and its
scope's (see :data:`COLUMNS`; the column set is the emulator's reading of the OTel data model, see
docs/differences.md).
"""

from __future__ import annotations

import base64
import struct
from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any, Final

import orjson

from azlogs.schema.builtin_tables import builtin_tables
from azlogs.schema.types import LONG_MAX, LONG_MIN, Vocabulary, type_name

# The URL's stream segment (the documented one) and the DCR stream whose data flows it feeds.
URL_STREAMS: Final = ("Microsoft-OTLP-Logs",)
DCR_STREAM: Final = "Microsoft-OTel-Logs"
PROTOBUF: Final = "application/x-protobuf"
JSON: Final = "application/json"
# AnyValue nesting the decoder follows (arrays and key-value lists inside each other).
MAX_DEPTH: Final = 64

_MASK64: Final = (1 << 64) - 1


def _table_columns() -> tuple[dict[str, str], ...]:
    table = builtin_tables()["otellogs"]
    return tuple({"name": c.name, "type": type_name(c.type, Vocabulary.STREAM)} for c in table.columns)


# The rows' columns (the OTel logs table's), as a stream declaration or a custom table takes them.
TABLE_COLUMNS: Final = _table_columns()


class OtlpDecodeError(ValueError):
    """The body is not a well-formed ExportLogsServiceRequest."""


# --- protobuf wire format --------------------------------------------------------------------------


def _varint(buf: bytes, i: int) -> tuple[int, int]:
    result = 0
    shift = 0
    n = len(buf)
    while True:
        if i >= n:
            raise OtlpDecodeError("a varint runs past the end of its message")
        b = buf[i]
        i += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result & _MASK64, i
        shift += 7
        if shift >= 70:
            raise OtlpDecodeError("a varint is longer than 10 bytes")


def _fields(buf: bytes) -> Iterator[tuple[int, int, Any]]:
    """(field number, wire type, value) of each field of one message, in order."""
    i = 0
    n = len(buf)
    while i < n:
        key, i = _varint(buf, i)
        number, wire = key >> 3, key & 7
        if number == 0:
            raise OtlpDecodeError("field number 0")
        value: Any
        if wire == 0:
            value, i = _varint(buf, i)
        elif wire == 1:
            if i + 8 > n:
                raise OtlpDecodeError("a 64-bit field runs past the end of its message")
            value = buf[i : i + 8]
            i += 8
        elif wire == 2:
            length, i = _varint(buf, i)
            if i + length > n:
                raise OtlpDecodeError("a length-delimited field runs past the end of its message")
            value = buf[i : i + length]
            i += length
        elif wire == 5:
            if i + 4 > n:
                raise OtlpDecodeError("a 32-bit field runs past the end of its message")
            value = buf[i : i + 4]
            i += 4
        else:
            raise OtlpDecodeError(f"wire type {wire} (groups) is not used by OTLP")
        yield number, wire, value


def _text(value: Any) -> str:
    if not isinstance(value, bytes):
        raise OtlpDecodeError("a string field is not length-delimited")
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise OtlpDecodeError(f"a string is not UTF-8 ({exc.reason})") from None


def _signed(value: int) -> int:
    return value - (_MASK64 + 1) if value > LONG_MAX else value


def _fixed64(value: Any) -> int:
    if not isinstance(value, bytes) or len(value) != 8:
        raise OtlpDecodeError("a fixed64 field has another wire type")
    return int.from_bytes(value, "little")


def _pb_any(buf: bytes, depth: int) -> Any:
    if depth > MAX_DEPTH:
        raise OtlpDecodeError(f"attribute values are nested deeper than {MAX_DEPTH} levels")
    out: Any = None
    for number, wire, value in _fields(buf):
        if number == 1:
            out = _text(value)
        elif number == 2 and wire == 0:
            out = bool(value)
        elif number == 3 and wire == 0:
            out = _signed(value)
        elif number == 4 and wire == 1:
            out = struct.unpack("<d", value)[0]
        elif number == 5 and wire == 2:
            out = [_pb_any(v, depth + 1) for n, w, v in _fields(value) if n == 1 and w == 2]
        elif number == 6 and wire == 2:
            out = _pb_kvlist(value, depth + 1)
        elif number == 7 and wire == 2:
            out = base64.b64encode(value).decode("ascii")
    return out


def _pb_kv(buf: bytes, depth: int) -> tuple[str, Any]:
    key = ""
    value: Any = None
    for number, wire, v in _fields(buf):
        if number == 1:
            key = _text(v)
        elif number == 2 and wire == 2:
            value = _pb_any(v, depth)
    return key, value


def _pb_kvlist(buf: bytes, depth: int) -> dict[str, Any]:
    """A KeyValueList (or any message whose field 1 is repeated KeyValue)."""
    out: dict[str, Any] = {}
    for number, wire, v in _fields(buf):
        if number == 1 and wire == 2:
            key, value = _pb_kv(v, depth)
            out[key] = value
    return out


def _pb_scope(buf: bytes) -> dict[str, Any]:
    scope: dict[str, Any] = {"name": "", "version": "", "attributes": {}}
    for number, wire, v in _fields(buf):
        if number == 1:
            scope["name"] = _text(v)
        elif number == 2:
            scope["version"] = _text(v)
        elif number == 3 and wire == 2:
            key, value = _pb_kv(v, 0)
            scope["attributes"][key] = value
    return scope


def _pb_record(buf: bytes) -> dict[str, Any]:
    rec: dict[str, Any] = {"attributes": {}}
    for number, wire, v in _fields(buf):
        if number == 1:
            rec["time"] = _fixed64(v)
        elif number == 11:
            rec["observed"] = _fixed64(v)
        elif number == 2 and wire == 0:
            rec["severity_number"] = v
        elif number == 3:
            rec["severity_text"] = _text(v)
        elif number == 5 and wire == 2:
            rec["body"] = _pb_any(v, 0)
        elif number == 6 and wire == 2:
            key, value = _pb_kv(v, 0)
            rec["attributes"][key] = value
        elif number == 8:
            rec["flags"] = int.from_bytes(v, "little") if isinstance(v, bytes) else v
        elif number == 9 and wire == 2:
            rec["trace_id"] = v.hex()
        elif number == 10 and wire == 2:
            rec["span_id"] = v.hex()
        elif number == 12:
            rec["event_name"] = _text(v)
    return rec


def decode_protobuf(raw: bytes) -> list[dict[str, Any]]:
    """The rows of a protobuf ``ExportLogsServiceRequest``.

    Raises:
        OtlpDecodeError: the body is not one.
    """
    rows: list[dict[str, Any]] = []
    for number, wire, resource_logs in _fields(raw):
        if number != 1 or wire != 2:
            continue
        resource: dict[str, Any] = {}
        scopes: list[bytes] = []
        for n, w, v in _fields(resource_logs):
            if n == 1 and w == 2:
                resource = _pb_kvlist(v, 0)  # Resource: field 1 is repeated KeyValue attributes
            elif n == 2 and w == 2:
                scopes.append(v)
        for scope_logs in scopes:
            scope: dict[str, Any] = {"name": "", "version": "", "attributes": {}}
            records: list[bytes] = []
            for n, w, v in _fields(scope_logs):
                if n == 1 and w == 2:
                    scope = _pb_scope(v)
                elif n == 2 and w == 2:
                    records.append(v)
            rows.extend(to_row(_pb_record(r), resource, scope) for r in records)
    return rows


# --- JSON mapping -------------------------------------------------------------------------------------


def _json_int(value: Any, what: str) -> int:
    if isinstance(value, bool):
        raise OtlpDecodeError(f"{what} is a boolean, not an integer")
    if isinstance(value, str):
        try:
            value = int(value)
        except ValueError:
            raise OtlpDecodeError(f"{what} is {value!r}, not an integer") from None
    if not isinstance(value, int):
        raise OtlpDecodeError(f"{what} is not an integer")
    if not LONG_MIN <= value <= _MASK64:  # int64, or fixed64 for the times
        raise OtlpDecodeError(f"{what} is {value}, outside 64 bits")
    return value


def _obj(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _arr(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _json_any(value: Any, depth: int) -> Any:
    if depth > MAX_DEPTH:
        raise OtlpDecodeError(f"attribute values are nested deeper than {MAX_DEPTH} levels")
    if not isinstance(value, dict):
        return None
    if "stringValue" in value:
        return value["stringValue"]
    if "boolValue" in value:
        return bool(value["boolValue"])
    if "intValue" in value:
        return _json_int(value["intValue"], "intValue")
    if "doubleValue" in value:
        d = value["doubleValue"]
        if isinstance(d, bool) or not isinstance(d, (int, float, str)):
            return None
        try:
            return float(d)  # "NaN", "Infinity" and numbers in strings, as the JSON mapping allows
        except ValueError:
            raise OtlpDecodeError(f"doubleValue is {d!r}, not a number") from None
    if "arrayValue" in value:
        return [_json_any(v, depth + 1) for v in _arr(_obj(value["arrayValue"]).get("values"))]
    if "kvlistValue" in value:
        return _json_kvlist(_obj(value["kvlistValue"]).get("values"), depth + 1)
    if "bytesValue" in value:
        return value["bytesValue"]
    return None


def _json_kvlist(items: Any, depth: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if not isinstance(items, list):
        return out
    for kv in items:
        if isinstance(kv, dict) and isinstance(kv.get("key"), str):
            out[kv["key"]] = _json_any(kv.get("value"), depth)
    return out


def _json_record(rec: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"attributes": _json_kvlist(rec.get("attributes"), 0)}
    if "timeUnixNano" in rec:
        out["time"] = _json_int(rec["timeUnixNano"], "timeUnixNano")
    if "observedTimeUnixNano" in rec:
        out["observed"] = _json_int(rec["observedTimeUnixNano"], "observedTimeUnixNano")
    if "severityNumber" in rec:
        sev = rec["severityNumber"]
        out["severity_number"] = _json_int(sev, "severityNumber") if not isinstance(sev, str) else None
    for src, dst in (("severityText", "severity_text"), ("eventName", "event_name")):
        if isinstance(rec.get(src), str):
            out[dst] = rec[src]
    for src, dst in (("traceId", "trace_id"), ("spanId", "span_id")):
        if isinstance(rec.get(src), str):
            out[dst] = rec[src].lower()
    if "flags" in rec:
        out["flags"] = _json_int(rec["flags"], "flags")
    if "body" in rec:
        out["body"] = _json_any(rec["body"], 0)
    return out


def decode_json(raw: bytes) -> list[dict[str, Any]]:
    """The rows of a JSON ``ExportLogsServiceRequest``.

    Raises:
        OtlpDecodeError: the body is not one.
    """
    try:
        doc = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise OtlpDecodeError(f"the body is not JSON ({exc})") from None
    if not isinstance(doc, dict):
        raise OtlpDecodeError("the body is not a JSON object with 'resourceLogs'")
    rows: list[dict[str, Any]] = []
    for resource_logs in _arr(doc.get("resourceLogs")):
        if not isinstance(resource_logs, dict):
            continue
        resource = _json_kvlist(_obj(resource_logs.get("resource")).get("attributes"), 0)
        for scope_logs in _arr(resource_logs.get("scopeLogs")):
            if not isinstance(scope_logs, dict):
                continue
            raw_scope = _obj(scope_logs.get("scope"))
            name, version = raw_scope.get("name"), raw_scope.get("version")
            scope = {
                "name": name if isinstance(name, str) else "",
                "version": version if isinstance(version, str) else "",
                "attributes": _json_kvlist(raw_scope.get("attributes"), 0),
            }
            for rec in _arr(scope_logs.get("logRecords")):
                if isinstance(rec, dict):
                    rows.append(to_row(_json_record(rec), resource, scope))
    return rows


def decode(raw: bytes, content_type: str) -> list[dict[str, Any]]:
    """The rows of an OTLP/HTTP logs body of ``content_type``. Raises :class:`OtlpDecodeError`."""
    media = content_type.split(";")[0].strip().lower()
    if media == JSON:
        return decode_json(raw)
    return decode_protobuf(raw)


# --- rows ---------------------------------------------------------------------------------------------


def _iso(nanos: int | None) -> str | None:
    if not nanos:
        return None
    seconds, rest = divmod(nanos, 1_000_000_000)
    try:
        stamp = datetime.fromtimestamp(seconds, tz=timezone.utc)
    except (OverflowError, OSError, ValueError):
        return None
    return f"{stamp:%Y-%m-%dT%H:%M:%S}.{rest // 100:07d}Z"


def _body(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return orjson.dumps(value).decode()


def to_row(rec: dict[str, Any], resource: dict[str, Any], scope: dict[str, Any]) -> dict[str, Any]:
    """One OTel logs table row from a decoded log record and its resource and scope."""
    observed = _iso(rec.get("observed"))
    row: dict[str, Any] = {
        # The data model's rule: Timestamp if set, else ObservedTimestamp; else the service fills it.
        "TimeGenerated": _iso(rec.get("time")) or observed,
        "ObservedTimestamp": observed,
        "TraceId": rec.get("trace_id") or None,
        "SpanId": rec.get("span_id") or None,
        "TraceFlags": (rec["flags"] & 0xFF) if rec.get("flags") is not None else None,
        "SeverityText": rec.get("severity_text"),
        "SeverityNumber": rec.get("severity_number"),
        "Body": _body(rec.get("body")),
        "EventName": rec.get("event_name"),
        "Attributes": rec["attributes"] or None,
        "ResourceAttributes": resource or None,
        "ScopeName": scope["name"] or None,
        "ScopeVersion": scope["version"] or None,
        "ScopeAttributes": scope["attributes"] or None,
        "ServiceName": _str_attr(resource, "service.name"),
        "ServiceNamespace": _str_attr(resource, "service.namespace"),
        "ServiceInstanceId": _str_attr(resource, "service.instance.id"),
    }
    return {k: v for k, v in row.items() if v is not None}


def _str_attr(attrs: dict[str, Any], key: str) -> str | None:
    value = attrs.get(key)
    return value if isinstance(value, str) and value else None


def response(media: str) -> tuple[bytes, str]:
    """The body and media type of a fully successful ``ExportLogsServiceResponse``."""
    if media == JSON:
        return b"{}", JSON
    return b"", PROTOBUF  # every field unset: the empty message
