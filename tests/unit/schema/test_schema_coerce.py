"""Record coercion to a stream declaration: what the service keeps, converts, nulls and drops."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from azlogs import InputError
from azlogs.schema.coerce import (
    StreamCoercer,
    coerce_record,
    coerce_value,
    settle_time_generated,
    truncate_utf8,
)
from azlogs.schema.model import Column, StreamDeclaration
from azlogs.schema.types import STREAM_TYPES, ColumnType

UTC = timezone.utc
RECEIVED = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)
T = ColumnType

STREAM = StreamDeclaration(
    "Custom-App",
    (
        Column("TimeGenerated", T.DATETIME),
        Column("Message", T.STRING),
        Column("Count", T.INT),
        Column("Bytes", T.LONG),
        Column("Ratio", T.REAL),
        Column("Ok", T.BOOL),
        Column("Context", T.DYNAMIC),
    ),
)


def _one(column_type: ColumnType, value: Any) -> tuple[Any, list[str]]:
    out, notes = coerce_value(value, column_type)
    return out, [kind for kind, _ in notes]


class TestRecordShape:
    def test_clean_record_unchanged(self) -> None:
        """A record that matches the declaration comes through with no events."""
        rec = {
            "TimeGenerated": "2024-06-01T11:00:00Z",
            "Message": "hi",
            "Count": 3,
            "Bytes": 2**40,
            "Ratio": 0.5,
            "Ok": False,
            "Context": {"a": [1, 2]},
        }
        out = StreamCoercer(STREAM).coerce(rec, RECEIVED)
        assert out.events == []
        assert out.row == {**rec, "TimeGenerated": datetime(2024, 6, 1, 11, tzinfo=UTC)}

    def test_undeclared_dropped(self) -> None:
        """Undeclared columns are dropped and each drop is recorded with a preview."""
        out = StreamCoercer(STREAM).coerce(
            {"TimeGenerated": "2024-06-01T11:00:00Z", "Extra": {"x": 1}}, RECEIVED
        )
        assert "Extra" not in out.row
        (event,) = out.events
        assert (event.column, event.kind, event.original) == ("Extra", "dropped_undeclared", '{"x":1}')
        assert "Custom-App" in event.reason

    def test_missing_columns_default(self) -> None:
        """Missing declared columns are "" for strings and None otherwise, without events."""
        out = StreamCoercer(STREAM).coerce({"TimeGenerated": "2024-06-01T11:00:00Z"}, RECEIVED)
        assert out.row["Message"] == ""
        assert out.row["Count"] is None
        assert out.row["Context"] is None
        assert out.events == []

    def test_not_an_object(self) -> None:
        """A record that is not a JSON object is an InputError for the caller to handle."""
        with pytest.raises(InputError, match="array"):
            StreamCoercer(STREAM).coerce([1, 2], RECEIVED)  # type: ignore[arg-type]

    def test_keys_match_case_sensitively(self) -> None:
        """A key differing only in case is an undeclared column."""
        out = StreamCoercer(STREAM).coerce(
            {"message": "x", "TimeGenerated": "2024-06-01T11:00:00Z"}, RECEIVED
        )
        assert out.row["Message"] == ""
        assert [e.kind for e in out.events] == ["dropped_undeclared"]

    def test_coerce_record_function(self) -> None:
        """coerce_record gives the same answer as a StreamCoercer."""
        rec = {"Count": "7", "Junk": 1}
        assert coerce_record(rec, STREAM, received=RECEIVED) == StreamCoercer(STREAM).coerce(rec, RECEIVED)

    def test_tiny_field_limit_refused(self) -> None:
        """A field limit too small to hold one character is a usage mistake."""
        with pytest.raises(InputError):
            StreamCoercer(STREAM, field_limit=2)


class TestString:
    def test_non_strings_become_json_text(self) -> None:
        """Numbers, booleans, objects and arrays land as their JSON text, recorded as coerced."""
        assert _one(T.STRING, 5) == ("5", ["coerced"])
        assert _one(T.STRING, 1.5) == ("1.5", ["coerced"])
        assert _one(T.STRING, True) == ("true", ["coerced"])
        assert _one(T.STRING, {"a": [1, "b"]}) == ('{"a":[1,"b"]}', ["coerced"])
        assert _one(T.STRING, [1]) == ("[1]", ["coerced"])

    def test_big_integer_text(self) -> None:
        """An integer beyond 64 bits still becomes its exact decimal text."""
        assert _one(T.STRING, 2**70) == (str(2**70), ["coerced"])

    def test_null_is_empty(self) -> None:
        """A JSON null in a string column is the empty string: KQL strings are never null."""
        assert _one(T.STRING, None) == ("", [])

    def test_truncation_by_utf8_bytes(self) -> None:
        """A string over the limit is cut by UTF-8 bytes on a character boundary."""
        text = "é" * 10  # 20 bytes
        out, notes = coerce_value(text, T.STRING, field_limit=9)
        assert out == "é" * 4
        assert [k for k, _ in notes] == ["truncated"]
        assert coerce_value("abcd", T.STRING, field_limit=4) == ("abcd", [])

    def test_truncation_event_in_record(self) -> None:
        """The truncation is recorded against the column with a short preview."""
        out = StreamCoercer(STREAM, field_limit=16).coerce({"Message": "x" * 500}, RECEIVED)
        assert out.row["Message"] == "x" * 16
        (event,) = [e for e in out.events if e.column == "Message"]
        assert event.kind == "truncated"
        assert len(event.original) <= 120

    def test_coerced_then_truncated(self) -> None:
        """A long object in a string column is both coerced and truncated."""
        out, notes = coerce_value({"k": "v" * 100}, T.STRING, field_limit=10)
        assert out == '{"k":"vvvv'
        assert [k for k, _ in notes] == ["coerced", "truncated"]

    def test_truncate_helper(self) -> None:
        """truncate_utf8 answers None when the text fits."""
        assert truncate_utf8("abc", 3) is None
        assert truncate_utf8("a€b", 3) == "a"  # € is 3 bytes


class TestNumbers:
    @pytest.mark.parametrize(
        ("column_type", "value", "expected"),
        [
            (T.INT, 2**31 - 1, (2**31 - 1, [])),
            (T.INT, -(2**31), (-(2**31), [])),
            (T.INT, 2**31, (None, ["coercion_failed"])),
            (T.LONG, 2**31, (2**31, [])),
            (T.LONG, 2**63, (None, ["coercion_failed"])),
            (T.LONG, -(2**63), (-(2**63), [])),
            (T.INT, "42", (42, ["coerced"])),
            (T.INT, " -7 ", (-7, ["coerced"])),
            (T.INT, "99999999999", (None, ["coercion_failed"])),
            (T.INT, "4.5", (None, ["coercion_failed"])),
            (T.INT, 3.0, (3, ["coerced"])),
            (T.INT, 3.5, (None, ["coercion_failed"])),
            (T.INT, True, (None, ["coercion_failed"])),
            (T.INT, [1], (None, ["coercion_failed"])),
            (T.INT, None, (None, [])),
            (T.REAL, 3, (3.0, [])),
            (T.REAL, 2.5, (2.5, [])),
            (T.REAL, "1e3", (1000.0, ["coerced"])),
            (T.REAL, "-.5", (-0.5, ["coerced"])),
            (T.REAL, "1_000", (None, ["coercion_failed"])),
            (T.REAL, "nan", (None, ["coercion_failed"])),
            (T.REAL, 10**400, (None, ["coercion_failed"])),
            (T.REAL, False, (None, ["coercion_failed"])),
            (T.REAL, {"a": 1}, (None, ["coercion_failed"])),
        ],
    )
    def test_rules(self, column_type: ColumnType, value: Any, expected: tuple[Any, list[str]]) -> None:
        """Numbers are kept in range, converted from numeric strings, and nulled otherwise."""
        out = _one(column_type, value)
        assert out == expected
        assert type(out[0]) is type(expected[0])

    def test_failure_reason_names_type(self) -> None:
        """A failure says what was received and what was declared."""
        _, notes = coerce_value([1], T.LONG)
        assert notes[0][1] == "a JSON array cannot be read as long; stored as null"


class TestBoolDatetimeDynamic:
    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            (True, (True, [])),
            ("true", (True, ["coerced"])),
            ("FALSE", (False, ["coerced"])),
            ("yes", (None, ["coercion_failed"])),
            (1, (None, ["coercion_failed"])),
            (None, (None, [])),
        ],
    )
    def test_boolean(self, value: Any, expected: tuple[Any, list[str]]) -> None:
        """Booleans come from JSON booleans or the words true/false only."""
        assert _one(T.BOOL, value) == expected

    def test_datetime(self) -> None:
        """Datetime text is read; other values are nulled."""
        assert _one(T.DATETIME, "2024-01-02T03:04:05Z") == (datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC), [])
        assert _one(T.DATETIME, "soon") == (None, ["coercion_failed"])
        assert _one(T.DATETIME, 1700000000) == (None, ["coercion_failed"])
        naive = datetime(2024, 1, 2)
        assert _one(T.DATETIME, naive) == (naive.replace(tzinfo=UTC), [])

    def test_dynamic_keeps_json(self) -> None:
        """dynamic keeps any JSON value as is, a JSON string included."""
        for value in ({"a": {"b": [1, None]}}, [1, "x"], '{"a":1}', 3, 2.5, True, None):
            assert _one(T.DYNAMIC, value) == (value, [])

    def test_dynamic_python_values(self) -> None:
        """A Python caller's tuple becomes a JSON array; a non-JSON object is nulled."""
        assert _one(T.DYNAMIC, (1, 2)) == ([1, 2], ["coerced"])
        assert _one(T.DYNAMIC, object()) == (None, ["coercion_failed"])

    def test_dynamic_big_integers(self) -> None:
        """A top-level integer beyond 64 bits is held as real, as orjson would read it."""
        assert _one(T.DYNAMIC, 2**64) == (float(2**64), ["coerced"])
        assert _one(T.DYNAMIC, 2**64 - 1) == (2**64 - 1, [])
        assert _one(T.DYNAMIC, 10**400) == (None, ["coercion_failed"])

    def test_guid(self) -> None:
        """A guid column keeps GUID text and refuses other text."""
        g = str(uuid.uuid4())
        assert _one(T.GUID, g) == (g, [])
        assert _one(T.GUID, "not-a-guid") == (None, ["coercion_failed"])
        assert _one(T.GUID, uuid.UUID(g)) == (g, ["coerced"])


class TestTimeGenerated:
    def test_filled_when_missing(self) -> None:
        """A missing TimeGenerated is filled with the received time."""
        out = StreamCoercer(STREAM).coerce({"Message": "m"}, RECEIVED)
        assert out.row["TimeGenerated"] == RECEIVED
        assert [e.kind for e in out.events] == ["time_filled"]

    def test_filled_when_unreadable(self) -> None:
        """An unreadable TimeGenerated fails coercion and is then filled, both recorded."""
        out = StreamCoercer(STREAM).coerce({"TimeGenerated": "later"}, RECEIVED)
        assert out.row["TimeGenerated"] == RECEIVED
        assert [e.kind for e in out.events] == ["coercion_failed", "time_filled"]
        assert out.events[1].original == "later"

    @pytest.mark.parametrize(
        ("offset", "clamped"),
        [
            (timedelta(days=-2), False),
            (timedelta(days=-2, seconds=-1), True),
            (timedelta(days=1), False),
            (timedelta(days=1, seconds=1), True),
        ],
    )
    def test_clamped_outside_window(self, offset: timedelta, clamped: bool) -> None:
        """Older than 2 days or more than 1 day ahead is replaced by the received time."""
        value = RECEIVED + offset
        out = StreamCoercer(STREAM).coerce({"TimeGenerated": value.isoformat()}, RECEIVED)
        assert out.row["TimeGenerated"] == (RECEIVED if clamped else value)
        assert [e.kind for e in out.events] == (["time_clamped"] if clamped else [])

    def test_naive_received_is_utc(self) -> None:
        """A naive received time is taken as UTC."""
        out = StreamCoercer(STREAM).coerce({}, RECEIVED.replace(tzinfo=None))
        assert out.row["TimeGenerated"] == RECEIVED

    def test_not_declared_left_alone(self) -> None:
        """A stream without TimeGenerated gets none: the transformation must produce it."""
        stream = StreamDeclaration("Custom-X", (Column("Time", T.DATETIME),))
        out = StreamCoercer(stream).coerce({"Time": "2024-06-01T00:00:00Z"}, RECEIVED)
        assert "TimeGenerated" not in out.row
        assert out.events == []

    def test_settle_for_transform_output(self) -> None:
        """settle_time_generated applies the rule to a transformation's output value."""
        ok = RECEIVED - timedelta(hours=1)
        assert settle_time_generated(ok, RECEIVED) == (ok, None)
        value, event = settle_time_generated(None, RECEIVED)
        assert value == RECEIVED
        assert event is not None
        assert event.kind == "time_filled"
        value, event = settle_time_generated("2000-01-01T00:00:00Z", RECEIVED)
        assert value == RECEIVED
        assert event is not None
        assert event.kind == "time_clamped"


# --- properties --------------------------------------------------------------------------------------

# The wire's JSON values: what orjson.loads produces (integers within -2**63 .. 2**64-1).
_json = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**64 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
_PY_TYPES: dict[ColumnType, tuple[type, ...]] = {
    T.STRING: (str,),
    T.INT: (int,),
    T.LONG: (int,),
    T.REAL: (float,),
    T.BOOL: (bool,),
    T.DATETIME: (datetime,),
    T.DYNAMIC: (dict, list, str, int, float, bool, type(None)),
}
_ALL = StreamDeclaration(
    "Custom-All", tuple(Column(f"c_{t.value}", t) for t in sorted(STREAM_TYPES, key=lambda t: t.value))
)
_COERCER = StreamCoercer(_ALL, field_limit=64)
_keys = st.sampled_from([c.name for c in _ALL.columns] + ["other", "TimeGenerated"])


class TestProperties:
    @settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.dictionaries(_keys, _json, max_size=9))
    def test_never_raises_and_types_hold(self, record: dict[str, Any]) -> None:
        """Any JSON object coerces without raising; every value has the declared type or is None."""
        record = orjson.loads(orjson.dumps(record))  # exactly what the wire parser would give
        out = _COERCER.coerce(record, RECEIVED)
        assert set(out.row) == {c.name for c in _ALL.columns}
        for col in _ALL.columns:
            value = out.row[col.name]
            if col.type is T.STRING:
                assert isinstance(value, str)
                assert len(value.encode("utf-8", "surrogatepass")) <= 64
            elif value is not None:
                assert isinstance(value, _PY_TYPES[col.type])
                if col.type in (T.INT, T.LONG, T.REAL):
                    assert not isinstance(value, bool)
                if col.type is T.DATETIME:
                    assert value.utcoffset() == timedelta(0)
                if col.type is T.INT:
                    assert -(2**31) <= value < 2**31
                if col.type is T.DYNAMIC:
                    orjson.dumps(value)

    @settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.dictionaries(_keys, _json, max_size=9))
    def test_events_explain_every_change(self, record: dict[str, Any]) -> None:
        """A declared value that arrives non-null and leaves null always has an event saying why."""
        out = _COERCER.coerce(record, RECEIVED)
        explained = {e.column for e in out.events}
        for key, value in record.items():
            dropped = key not in out.row
            nulled = not dropped and value is not None and out.row[key] is None
            if dropped or nulled:
                assert key in explained

    @given(st.text(max_size=200), st.integers(min_value=4, max_value=300))
    def test_truncation_is_a_prefix_within_limit(self, text: str, limit: int) -> None:
        """Truncation keeps a prefix of whole characters that fits the byte limit."""
        cut = truncate_utf8(text, limit)
        if cut is None:
            assert len(text.encode("utf-8", "surrogatepass")) <= limit
        else:
            assert text.startswith(cut)
            size = len(cut.encode("utf-8", "surrogatepass"))
            assert limit - 3 <= size <= limit


class TestNumberTextWhiteSpace:
    """Text numbers take .NET's white space around them (U+0009-U+000D, U+0020) and ASCII digits only:
    Python's wider ``\\s`` once let ``'0\\x1f'`` through to ``int()``, which raised."""

    @pytest.mark.parametrize("text", ["0\x1f", "\x1c7", "\u0663", "1\u00a0"])
    def test_other_characters_around_or_in_a_number_are_not_a_number(self, text: str) -> None:
        for column_type in (T.INT, T.LONG, T.REAL):
            value, kinds = _one(column_type, text)
            assert value is None and kinds, (column_type, text)

    @pytest.mark.parametrize(("text", "n"), [(" 7 ", 7), ("\t-3\r\n", -3), ("\v+12\f", 12)])
    def test_ascii_white_space_around_a_number_is_read(self, text: str, n: int) -> None:
        assert _one(T.INT, text)[0] == n
        assert _one(T.REAL, text)[0] == float(n)

    def test_inference_calls_such_a_cell_a_string(self) -> None:
        from azlogs.schema.infer import infer_schema

        inferred = infer_schema([{"A": "0\x1f"}, {"A": "1"}], table="T_CL", source_format="csv")
        assert {c.name: c.type for c in inferred.stream.columns}["A"] == T.STRING
