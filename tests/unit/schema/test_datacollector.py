"""The Data Collector API's rules: the documented signature, Log-Type, and how records became classic columns."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import datetime, timedelta, timezone

import pytest

from azlogs.schema import datacollector as dc
from azlogs.schema.model import Column
from azlogs.schema.types import ColumnType as T

NOW = datetime(2026, 12, 4, 2, 0, tzinfo=timezone.utc)
KEY = base64.b64encode(b"workspace-key-bytes" * 3).decode()


def names(cols: list[Column]) -> list[str]:
    return [c.name for c in cols]


class TestSignature:
    def test_string_to_sign_is_learns_example(self) -> None:
        """The StringToSign for 1024 bytes at Learn's date is the example the docs print."""
        assert (
            dc.string_to_sign(1024, "Mon, 04 Apr 2016 08:00:00 GMT")
            == "POST\n1024\napplication/json\nx-ms-date:Mon, 04 Apr 2016 08:00:00 GMT\n/api/logs"
        )

    def test_signature_is_hmac_sha256_of_the_decoded_key(self) -> None:
        """Signature = Base64(HMAC-SHA256(base64-decoded key, UTF-8 StringToSign))."""
        date = "Fri, 04 Dec 2026 02:00:00 GMT"
        expected = base64.b64encode(
            hmac.new(base64.b64decode(KEY), dc.string_to_sign(12, date).encode(), hashlib.sha256).digest()
        ).decode()
        assert dc.signature(KEY, 12, date) == expected
        assert dc.authorization("ws", KEY, 12, date) == f"SharedKey ws:{expected}"

    def test_signature_matches_either_key_only(self) -> None:
        """A signature made with one of the keys matches; another length or key does not."""
        date = "Fri, 04 Dec 2026 02:00:00 GMT"
        other = base64.b64encode(b"x" * 64).decode()
        sig = dc.signature(KEY, 10, date)
        assert dc.signature_matches(sig, [other, KEY], 10, date)
        assert not dc.signature_matches(sig, [KEY], 11, date)
        assert not dc.signature_matches(sig, [other, "not base64!"], 10, date)

    def test_parse_authorization(self) -> None:
        """Only 'SharedKey {workspace}:{signature}' is read."""
        assert dc.parse_authorization("SharedKey ws:abc=") == ("ws", "abc=")
        assert dc.parse_authorization("Bearer abc") is None
        assert dc.parse_authorization("SharedKey ws") is None


class TestLogType:
    @pytest.mark.parametrize("name", ["MyApp", "my_app_2", "A" * 100])
    def test_accepted(self, name: str) -> None:
        """Letters, digits and underscore, up to 100 characters."""
        assert dc.log_type_problem(name) is None
        assert dc.table_name(name) == name + "_CL"

    @pytest.mark.parametrize("name", ["My-App", "my app", "", "A" * 101, "Ünï"])
    def test_refused(self, name: str) -> None:
        """Any other character, or more than 100, is refused."""
        assert dc.log_type_problem(name) is not None


class TestTyping:
    def test_learns_four_records(self) -> None:
        """Learn's record-type walk-through: create, convert strings, add _d columns; all-strings on a new type."""
        first = dc.type_records([{"number": 5.12, "boolean": True, "string": "x"}], [], NOW)
        assert names(first.new_columns) == ["number_d", "boolean_b", "string_s"]
        cols = first.new_columns
        second = dc.type_records([{"number": "7", "boolean": "false", "string": "y"}], cols, NOW)
        assert second.new_columns == []
        assert second.rows == [{"number_d": 7.0, "boolean_b": False, "string_s": "y"}]
        third = dc.type_records([{"number": 1, "boolean": 2, "string": 3}], cols, NOW)
        assert names(third.new_columns) == ["boolean_d", "string_d"]
        fourth = dc.type_records([{"number": "5.12", "boolean": "true", "string": "x"}], [], NOW)
        assert names(fourth.new_columns) == ["number_s", "boolean_s", "string_s"]

    def test_guid_and_datetime_strings(self) -> None:
        """A GUID string (with or without dashes) is _g, dashed; an ISO 8601 string is _t."""
        batch = dc.type_records(
            [{"Id": "8145D82213A744AD859C36F31A84F6DD", "When": "2026-12-01T10:00:00Z", "Word": "2026"}],
            [],
            NOW,
        )
        assert [(c.name, c.type) for c in batch.new_columns] == [
            ("Id_g", T.GUID),
            ("When_t", T.DATETIME),
            ("Word_s", T.STRING),
        ]
        assert batch.rows[0]["Id_g"] == "8145d822-13a7-44ad-859c-36f31a84f6dd"
        assert batch.rows[0]["When_t"] == datetime(2026, 12, 1, 10, tzinfo=timezone.utc)

    def test_nested_values_are_json_strings_and_nulls_are_left_out(self) -> None:
        """An object or array is stored as its JSON text in a _s column; a null adds nothing."""
        batch = dc.type_records([{"Obj": {"a": [1, 2]}, "Gone": None}], [], NOW)
        assert names(batch.new_columns) == ["Obj_s"]
        assert batch.rows == [{"Obj_s": '{"a":[1,2]}'}]

    def test_reserved_property_is_refused(self) -> None:
        """tenant, TimeGenerated and RawData are reserved property names."""
        with pytest.raises(dc.PayloadError, match="TimeGenerated"):
            dc.type_records([{"TimeGenerated": "2026-12-01T00:00:00Z"}], [], NOW)

    def test_time_generated_field(self) -> None:
        """time-generated-field sets TimeGenerated; missing, unreadable or older than 2 days gives the received time."""
        recent = (NOW - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
        old = (NOW - timedelta(days=3)).strftime("%Y-%m-%dT%H:%M:%SZ")
        batch = dc.type_records(
            [{"At": recent}, {"At": old}, {"At": "soon"}, {}], [], NOW, time_generated_field="At"
        )
        assert batch.time_generated == [NOW - timedelta(hours=1), NOW, NOW, NOW]
        assert batch.time_filled == 3

    def test_migrated_table_takes_existing_columns_only(self) -> None:
        """With extend=False (a migrated table) values that fit no existing column are dropped."""
        cols = [Column("Name_s", T.STRING)]
        batch = dc.type_records([{"Name": "a", "New": 1}], cols, NOW, extend=False)
        assert batch.new_columns == []
        assert batch.rows == [{"Name_s": "a"}]

    def test_records_of(self) -> None:
        """The body is one object or an array of objects."""
        assert dc.records_of({"a": 1}) == [{"a": 1}]
        with pytest.raises(dc.PayloadError):
            dc.records_of([{"a": 1}, 2])
        with pytest.raises(dc.PayloadError):
            dc.records_of("x")


def _big_body(size: int) -> bytes:
    """A JSON array of small records of at least ``size`` bytes."""
    record = b'{"Host":"web1","Latency":0.5,"Ok":true,"Seq":1,"Msg":"' + b"x" * 200 + b'"}'
    return b"[" + b",".join([record] * (size // len(record) + 1)) + b"]"


class TestBodies:
    def test_a_large_body_is_parsed_within_a_few_times_its_size(self) -> None:
        """A 30 MB-class post is parsed in about 3x its size (orjson alone held ~14x: 434 MB for 30 MB)."""
        import tracemalloc

        body = _big_body(dc.ORJSON_MAX_BYTES * 2)
        tracemalloc.start()
        try:
            records = dc.parse_records(body)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert len(records) > 1000
        assert peak < 6 * len(body), f"peak {peak:,} bytes for a body of {len(body):,}"

    def test_both_parsers_agree_and_refuse_alike(self) -> None:
        """Small and large bodies give the same records; NaN, Infinity and bad UTF-8 are refused by both."""
        small = _big_body(1000)
        large = _big_body(dc.ORJSON_MAX_BYTES + 1)
        assert dc.parse_records(small)[0] == dc.parse_records(large)[0]
        pad = b" " * (dc.ORJSON_MAX_BYTES + 1)
        for bad in (b'[{"a": NaN}]', b'[{"a": Infinity}]', b'[{"a": "\xff"}]'):
            for body in (bad, bad + pad):
                with pytest.raises(dc.Refusal) as err:
                    dc.parse_records(body)
                assert err.value.code == "InvalidDataFormat"
