"""Column types: parsing per vocabulary and mappings between table, stream and KQL types."""

from __future__ import annotations

import pytest

from azlogs import SchemaError
from azlogs.schema.types import (
    KQL_TYPES,
    STREAM_TYPES,
    TABLE_TYPES,
    ColumnType,
    Vocabulary,
    is_stream_to_table_compatible,
    kql_to_table,
    parse_kql_type,
    parse_stream_type,
    parse_table_type,
    parse_type,
    stream_to_table,
    table_to_kql,
    table_to_stream,
    type_name,
)


class TestParsing:
    @pytest.mark.parametrize(
        ("name", "expected"),
        [
            ("string", ColumnType.STRING),
            ("int", ColumnType.INT),
            ("long", ColumnType.LONG),
            ("real", ColumnType.REAL),
            ("boolean", ColumnType.BOOL),
            ("dateTime", ColumnType.DATETIME),
            ("datetime", ColumnType.DATETIME),
            ("DATETIME", ColumnType.DATETIME),
            ("dynamic", ColumnType.DYNAMIC),
            ("guid", ColumnType.GUID),
            ("  Guid ", ColumnType.GUID),
        ],
    )
    def test_table_names_case_insensitive(self, name: str, expected: ColumnType) -> None:
        """Table type names are read case-insensitively, dateTime and datetime alike."""
        assert parse_table_type(name) is expected

    @pytest.mark.parametrize("name", ["bool", "decimal", "timespan", "double", "", "text"])
    def test_table_rejects_non_table_types(self, name: str) -> None:
        """KQL-only spellings and unknown names are not table types."""
        with pytest.raises(SchemaError, match="not a valid table column type"):
            parse_table_type(name)

    def test_stream_has_no_guid(self) -> None:
        """A stream declaration cannot declare guid; the error lists the valid types."""
        with pytest.raises(SchemaError) as info:
            parse_stream_type("guid")
        assert "datetime" in str(info.value)
        assert "guid" not in (info.value.hint or "")

    @pytest.mark.parametrize(
        ("name", "expected"),
        [
            ("bool", ColumnType.BOOL),
            ("boolean", ColumnType.BOOL),
            ("double", ColumnType.REAL),
            ("date", ColumnType.DATETIME),
            ("time", ColumnType.TIMESPAN),
            ("uniqueid", ColumnType.GUID),
            ("Decimal", ColumnType.DECIMAL),
        ],
    )
    def test_kql_names_and_synonyms(self, name: str, expected: ColumnType) -> None:
        """KQL reads its type names and synonyms."""
        assert parse_kql_type(name) is expected

    @pytest.mark.parametrize("name", [None, 3, ["string"]])
    def test_non_string_names_rejected(self, name: object) -> None:
        """A type that is not a string is a SchemaError, not a crash."""
        with pytest.raises(SchemaError):
            parse_stream_type(name)


class TestNames:
    def test_canonical_spellings(self) -> None:
        """Each vocabulary writes its own canonical spelling."""
        assert type_name(ColumnType.DATETIME, Vocabulary.TABLE) == "dateTime"
        assert type_name(ColumnType.DATETIME, Vocabulary.STREAM) == "datetime"
        assert type_name(ColumnType.BOOL, Vocabulary.TABLE) == "boolean"
        assert type_name(ColumnType.BOOL, Vocabulary.KQL) == "bool"

    def test_round_trip_every_vocabulary(self) -> None:
        """Every type of a vocabulary reads back from its own spelling."""
        for vocab, types in (
            (Vocabulary.TABLE, TABLE_TYPES),
            (Vocabulary.STREAM, STREAM_TYPES),
            (Vocabulary.KQL, KQL_TYPES),
        ):
            for t in types:
                assert parse_type(type_name(t, vocab), vocab) is t

    def test_missing_spelling_is_an_error(self) -> None:
        """Asking for timespan in a table is a SchemaError."""
        with pytest.raises(SchemaError):
            type_name(ColumnType.TIMESPAN, Vocabulary.TABLE)


class TestMappings:
    def test_table_guid_reads_as_string(self) -> None:
        """A guid table column is queried as string and fed from a string stream column."""
        assert table_to_kql(ColumnType.GUID) is ColumnType.STRING
        assert table_to_stream(ColumnType.GUID) is ColumnType.STRING

    def test_identity_for_shared_types(self) -> None:
        """Types that all vocabularies share map to themselves."""
        for t in STREAM_TYPES:
            assert stream_to_table(t) is t
            assert table_to_stream(t) is t
            assert table_to_kql(t) is t

    def test_kql_to_table(self) -> None:
        """decimal lands in real, timespan has no table type."""
        assert kql_to_table(ColumnType.DECIMAL) is ColumnType.REAL
        assert kql_to_table(ColumnType.TIMESPAN) is None
        assert kql_to_table(ColumnType.LONG) is ColumnType.LONG

    def test_mapping_refuses_foreign_types(self) -> None:
        """Mapping a type outside the source vocabulary is a SchemaError."""
        with pytest.raises(SchemaError):
            stream_to_table(ColumnType.GUID)
        with pytest.raises(SchemaError):
            table_to_kql(ColumnType.TIMESPAN)
        with pytest.raises(SchemaError):
            table_to_stream(ColumnType.DECIMAL)

    def test_passthrough_compatibility_is_exact(self) -> None:
        """Only identical types connect, plus string into guid; int does not widen to long."""
        assert is_stream_to_table_compatible(ColumnType.STRING, ColumnType.STRING)
        assert is_stream_to_table_compatible(ColumnType.STRING, ColumnType.GUID)
        assert not is_stream_to_table_compatible(ColumnType.INT, ColumnType.LONG)
        assert not is_stream_to_table_compatible(ColumnType.DATETIME, ColumnType.STRING)
