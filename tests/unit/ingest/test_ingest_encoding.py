"""Record encoding and gzip: the JSON the service gets for each Python value."""

from __future__ import annotations

import dataclasses
import datetime as dt
import decimal
import gzip
import uuid
import zoneinfo
from collections import OrderedDict
from types import MappingProxyType

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from azlogs._exceptions import InputError, RecordEncodeError
from azlogs.ingest import JsonLine
from azlogs.ingest._encoding import GZIP_LEVEL, body_size, encode_record, gzip_body, join_body

UTC = dt.timezone.utc


def enc(value: object) -> object:
    return orjson.loads(encode_record({"v": value}))["v"]


class TestDatetimes:
    def test_utc_datetime_has_z_and_six_digits(self) -> None:
        """A UTC datetime is ISO 8601 with microseconds and Z."""
        assert enc(dt.datetime(2025, 1, 31, 13, 45, 6, 789, tzinfo=UTC)) == "2025-01-31T13:45:06.000789Z"

    def test_zero_microseconds_still_six_digits(self) -> None:
        """A whole second keeps the six fractional digits (Auxiliary tables need them)."""
        assert enc(dt.datetime(2025, 1, 31, 13, 45, 6, tzinfo=UTC)) == "2025-01-31T13:45:06.000000Z"

    def test_naive_datetime_is_taken_as_utc(self) -> None:
        """A naive datetime is written as UTC."""
        assert enc(dt.datetime(2025, 1, 31, 0, 0, 0, 5)) == "2025-01-31T00:00:00.000005Z"

    def test_offset_datetime_is_converted_to_utc(self) -> None:
        """A datetime with another offset is converted to the same instant in UTC."""
        value = dt.datetime(2025, 1, 31, 1, 30, tzinfo=dt.timezone(dt.timedelta(hours=2)))
        assert enc(value) == "2025-01-30T23:30:00.000000Z"

    def test_zoneinfo_datetime_is_converted(self) -> None:
        """A zoneinfo datetime (with DST) is converted to UTC."""
        value = dt.datetime(2025, 7, 1, 12, 0, tzinfo=zoneinfo.ZoneInfo("Europe/Paris"))
        assert enc(value) == "2025-07-01T10:00:00.000000Z"

    def test_datetime_subclass(self) -> None:
        """A datetime subclass (pandas.Timestamp-like) is written the same way."""

        class Stamp(dt.datetime):
            pass

        assert enc(Stamp(2025, 1, 1, tzinfo=UTC)) == "2025-01-01T00:00:00.000000Z"

    @given(st.datetimes(timezones=st.sampled_from([UTC, dt.timezone(dt.timedelta(hours=-7)), None])))
    def test_round_trip_instant(self, value: dt.datetime) -> None:
        """Every datetime round-trips to the same UTC instant."""
        text = enc(value)
        assert isinstance(text, str) and text.endswith("Z") and len(text) == 27
        back = dt.datetime.fromisoformat(text[:-1]).replace(tzinfo=UTC)
        expected = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        assert back == expected

    def test_date_and_time(self) -> None:
        """date and time are ISO 8601."""
        assert enc(dt.date(2025, 2, 3)) == "2025-02-03"
        assert enc(dt.time(4, 5, 6)) == "04:05:06"

    def test_timedelta_is_a_kql_timespan(self) -> None:
        """timedelta becomes Kusto's timespan text (the fraction only when not zero, as tostring() writes it)."""
        assert (
            enc(dt.timedelta(days=1, hours=2, minutes=3, seconds=4, microseconds=5)) == "1.02:03:04.0000050"
        )
        assert enc(dt.timedelta(seconds=-90)) == "-00:01:30"


class TestOtherTypes:
    def test_uuid(self) -> None:
        """A UUID is its canonical string."""
        u = uuid.UUID("12345678-1234-5678-1234-567812345678")
        assert enc(u) == "12345678-1234-5678-1234-567812345678"

    def test_decimal_keeps_every_digit(self) -> None:
        """A Decimal is a JSON number with all its digits."""
        raw = encode_record({"v": decimal.Decimal("12345678901234567890.123456789")})
        assert raw == b'{"v":12345678901234567890.123456789}'

    def test_decimal_nan_is_a_string(self) -> None:
        """A non-finite Decimal, which JSON cannot hold as a number, is a string."""
        assert enc(decimal.Decimal("NaN")) == "NaN"

    def test_bytes_are_base64(self) -> None:
        """bytes, bytearray and memoryview are standard base64."""
        assert enc(b"\x00\xff") == "AP8="
        assert enc(bytearray(b"ab")) == "YWI="
        assert enc(memoryview(b"ab")) == "YWI="

    def test_sets_and_tuples_are_arrays(self) -> None:
        """Sets (sorted when possible) and tuples become arrays."""
        assert enc({3, 1, 2}) == [1, 2, 3]
        assert sorted(enc(frozenset({"a", 1})), key=str) == [1, "a"]
        assert enc((1, "a")) == [1, "a"]

    def test_nested_values(self) -> None:
        """Special values inside nested dicts and lists are converted too."""
        value = {"a": [dt.datetime(2025, 1, 1, tzinfo=UTC), {"b": uuid.UUID(int=1)}]}
        assert enc(value) == {
            "a": ["2025-01-01T00:00:00.000000Z", {"b": "00000000-0000-0000-0000-000000000001"}]
        }

    def test_mappings_and_dataclasses(self) -> None:
        """Any mapping and dataclass instance is a JSON object."""
        assert encode_record(OrderedDict(a=1)) == b'{"a":1}'
        assert encode_record(MappingProxyType({"a": 1})) == b'{"a":1}'

        @dataclasses.dataclass
        class Row:
            a: int

        assert encode_record(Row(1)) == b'{"a":1}'

    def test_output_is_compact(self) -> None:
        """No whitespace between tokens: the bytes counted are the bytes sent."""
        assert encode_record({"a": [1, 2], "b": {"c": "d e"}}) == b'{"a":[1,2],"b":{"c":"d e"}}'


class TestRefusals:
    @pytest.mark.parametrize(
        ("record", "words"),
        [
            ({"v": object()}, "not JSON serializable"),
            ({1: "a"}, "str"),
            ({"v": 2**70}, "64-bit"),
            ([1, 2], "JSON object"),
            (42, "JSON object"),
            ("[1,2]", "JSON object"),
            ('{"a": }', "invalid JSON"),
            (b'{"a": 1', "invalid JSON"),
            (b"\xff{}", "JSON object"),
            ('{"a": "\ud800"}', "UTF-8"),
        ],
    )
    def test_unserialisable_record_raises_input_error(self, record: object, words: str) -> None:
        """A record that cannot be sent raises RecordEncodeError (an InputError) with the reason."""
        with pytest.raises(RecordEncodeError) as info:
            encode_record(record)
        assert isinstance(info.value, InputError)
        assert words in info.value.reason


class TestJsonLines:
    def test_line_is_sent_as_given_without_outer_whitespace(self) -> None:
        """A pre-serialised line is validated and sent byte for byte, trimmed."""
        assert encode_record(b'  {"a": 1}\n') == b'{"a": 1}'
        assert encode_record('{"é": "ü"}\r\n') == '{"é": "ü"}'.encode()

    def test_json_line_is_trusted(self) -> None:
        """A JsonLine (already parsed by its producer) is sent as it is, not parsed again."""
        line = JsonLine(b'{"a": 1}')
        assert encode_record(line) is line

    def test_line_must_be_one_object(self) -> None:
        """Two objects on one line are refused (a full parse, not a brace check)."""
        with pytest.raises(RecordEncodeError):
            encode_record(b'{"a": 1} {"b": 2}')


class TestBodies:
    @given(
        st.lists(
            st.dictionaries(st.text(max_size=5), st.integers(-(2**63), 2**64 - 1) | st.text(max_size=20)),
            max_size=30,
        )
    )
    def test_body_size_is_exact(self, records: list[dict[str, object]]) -> None:
        """body_size equals the length of the joined body, which parses back to the records."""
        parts = [encode_record(r) for r in records]
        body = join_body(parts)
        assert body_size(parts) == len(body)
        assert orjson.loads(body) == records

    def test_gzip_round_trip(self) -> None:
        """gzip_body is real gzip (RFC 1952) at the chosen level."""
        body = join_body([encode_record({"i": i, "m": "hello world"}) for i in range(1000)])
        packed = gzip_body(body)
        assert packed[:2] == b"\x1f\x8b"
        assert gzip.decompress(packed) == body
        assert len(packed) < len(body) // 3
        assert GZIP_LEVEL == 1
