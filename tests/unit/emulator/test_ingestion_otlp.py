"""The emulator's OTLP logs decoder: protobuf wire format and OTLP/JSON into OTelLogs rows."""

from __future__ import annotations

import struct

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from azlogs.otel import otlp


def _varint(n: int) -> bytes:
    out = bytearray()
    n &= (1 << 64) - 1
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def _ld(number: int, payload: bytes) -> bytes:
    return _varint(number << 3 | 2) + _varint(len(payload)) + payload


def _vi(number: int, value: int) -> bytes:
    return _varint(number << 3) + _varint(value)


def _f64(number: int, value: int) -> bytes:
    return _varint(number << 3 | 1) + value.to_bytes(8, "little")


def _kv(key: str, any_value: bytes) -> bytes:
    return _ld(1, key.encode()) + _ld(2, any_value)


class TestProtobuf:
    def test_record_resource_and_scope(self) -> None:
        """Every field of a log record, its resource and its scope reach the row's columns."""
        nanos = 1_764_820_800_123_456_700
        record = (
            _f64(1, nanos)
            + _vi(2, 17)
            + _ld(3, b"ERROR")
            + _ld(5, _ld(1, b"disk full"))
            + _ld(6, _kv("count", _vi(3, -2)))
            + _ld(6, _kv("ratio", _varint(4 << 3 | 1) + struct.pack("<d", 0.5)))
            + _ld(6, _kv("tags", _ld(5, _ld(1, _ld(1, b"a")) + _ld(1, _vi(2, 1)))))
            + _varint(8 << 3 | 5)
            + (1).to_bytes(4, "little")
            + _ld(9, bytes.fromhex("5b8efff798038103d269b633813fc60c"))
            + _ld(10, bytes.fromhex("eee19b7ec3c1b174"))
        )
        scope = _ld(1, b"app.db") + _ld(2, b"2.0")
        resource = _ld(1, _kv("service.name", _ld(1, b"api")))
        body = _ld(1, _ld(1, resource) + _ld(2, _ld(1, scope) + _ld(2, record)))
        assert otlp.decode(body, "application/x-protobuf") == [
            {
                "TimeGenerated": "2025-12-04T04:00:00.1234567Z",
                "TraceId": "5b8efff798038103d269b633813fc60c",
                "SpanId": "eee19b7ec3c1b174",
                "TraceFlags": 1,
                "SeverityText": "ERROR",
                "SeverityNumber": 17,
                "Body": "disk full",
                "Attributes": {"count": -2, "ratio": 0.5, "tags": ["a", True]},
                "ResourceAttributes": {"service.name": "api"},
                "ScopeName": "app.db",
                "ScopeVersion": "2.0",
                "ServiceName": "api",
            }
        ]

    @pytest.mark.parametrize(
        "body",
        [b"\x0a\x05ab", b"\x0a\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", b"\x0b", b"\x00\x01"],
    )
    def test_malformed_bodies_raise_decode_errors(self, body: bytes) -> None:
        """Truncated fields, overlong varints, groups and field 0 are decode errors (a 400), never crashes."""
        with pytest.raises(otlp.OtlpDecodeError):
            otlp.decode_protobuf(body)

    def test_nesting_is_bounded(self) -> None:
        """Attribute values nested past MAX_DEPTH are refused rather than recursed into."""
        value = _ld(1, b"x")
        for _ in range(otlp.MAX_DEPTH + 2):
            value = _ld(5, _ld(1, value))
        body = _ld(1, _ld(2, _ld(2, _ld(6, _kv("deep", value)))))
        with pytest.raises(otlp.OtlpDecodeError, match="nested deeper"):
            otlp.decode_protobuf(body)


class TestJson:
    def test_json_mapping(self) -> None:
        """OTLP/JSON: hex ids, 64-bit integers as strings, structured bodies as JSON text."""
        doc = {
            "resourceLogs": [
                {
                    "scopeLogs": [
                        {
                            "logRecords": [
                                {
                                    "observedTimeUnixNano": "1764820800000000000",
                                    "body": {"arrayValue": {"values": [{"intValue": "9007199254740993"}]}},
                                    "traceId": "ABCDEF",
                                }
                            ]
                        }
                    ]
                }
            ]
        }
        assert otlp.decode(orjson.dumps(doc), "application/json; charset=utf-8") == [
            {
                "TimeGenerated": "2025-12-04T04:00:00.0000000Z",
                "ObservedTimestamp": "2025-12-04T04:00:00.0000000Z",
                "TraceId": "abcdef",
                "Body": "[9007199254740993]",
            }
        ]

    def test_not_otlp_json(self) -> None:
        """A JSON body that is not an object, or an integer field that is not one, is a decode error."""
        with pytest.raises(otlp.OtlpDecodeError):
            otlp.decode_json(b"[1]")
        bad = {"resourceLogs": [{"scopeLogs": [{"logRecords": [{"timeUnixNano": "soon"}]}]}]}
        with pytest.raises(otlp.OtlpDecodeError, match="not an integer"):
            otlp.decode_json(orjson.dumps(bad))


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=30,
)
_otlp_keys = st.sampled_from(
    [
        "resourceLogs",
        "resource",
        "attributes",
        "scopeLogs",
        "scope",
        "logRecords",
        "key",
        "value",
        "body",
        "stringValue",
        "intValue",
        "doubleValue",
        "arrayValue",
        "kvlistValue",
        "values",
        "timeUnixNano",
        "severityNumber",
        "flags",
        "traceId",
        "name",
    ]
)
_otlp_shaped = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=6),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_otlp_keys, inner, max_size=4),
    max_leaves=40,
)


class TestNeverCrashes:
    @settings(max_examples=300, deadline=None)
    @given(st.binary(max_size=200))
    def test_random_protobuf(self, body: bytes) -> None:
        """Any bytes decode to rows whose values the store can encode, or raise OtlpDecodeError (a 400)."""
        try:
            rows = otlp.decode_protobuf(body)
        except otlp.OtlpDecodeError:
            return
        orjson.dumps(rows)

    @settings(max_examples=300, deadline=None)
    @given(st.one_of(_json_values, _otlp_shaped))
    def test_random_json(self, doc: object) -> None:
        """Any JSON, OTLP-shaped or not, decodes to encodable rows or raises OtlpDecodeError."""
        try:
            raw = orjson.dumps(doc)
        except TypeError:  # integers past 64 bits: not JSON orjson writes
            return
        try:
            rows = otlp.decode_json(raw)
        except otlp.OtlpDecodeError:
            return
        orjson.dumps(rows)
