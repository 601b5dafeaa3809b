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
    find_kql_type,
    is_stream_to_table_compatible,
    output_conversion,
    output_type,
    parse_kql_type,
    parse_stream_type,
    parse_table_type,
    parse_type,
    stream_to_table,
    table_to_kql,
    table_to_stream,
    type_name,
    widens,
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
            ("uuid", ColumnType.GUID),
            ("int32", ColumnType.INT),
            ("uint", ColumnType.INT),
            ("int64", ColumnType.LONG),
            ("ulong", ColumnType.LONG),
            ("float", ColumnType.REAL),
            ("single", ColumnType.REAL),
            ("Decimal", ColumnType.DECIMAL),
        ],
    )
    def test_kql_names_and_synonyms(self, name: str, expected: ColumnType) -> None:
        """KQL reads its type names and the aliases of Kusto's language service (Kusto.Language
        ScalarTypes.cs; boolean, date, double, time, uuid and uniqueid are also in the Kusto docs)."""
        assert parse_kql_type(name) is expected
        assert find_kql_type(name) is expected

    def test_unknown_kql_names(self) -> None:
        """A name that is no KQL type is found as nothing, and a transformation output of it is dynamic."""
        assert find_kql_type("int128") is None
        assert output_type("int128") is ColumnType.DYNAMIC
        assert output_type("int64") is ColumnType.LONG
        with pytest.raises(SchemaError):
            parse_kql_type("int128")

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


_T = ColumnType


class TestOutputConversion:
    @pytest.mark.parametrize(
        ("output", "column"),
        [(_T.INT, _T.LONG), (_T.STRING, _T.GUID), (_T.LONG, _T.LONG), (_T.DYNAMIC, _T.DYNAMIC)],
    )
    def test_lands_as_is(self, output: ColumnType, column: ColumnType) -> None:
        """Identical types, int into long and string into guid land without conversion."""
        conversion = output_conversion(output, column)
        assert conversion.accepted
        assert conversion.convert is None
        assert conversion.landing(5 if output is not _T.STRING else "x") == "as_is"

    @pytest.mark.parametrize(
        ("output", "column"),
        [(_T.DATETIME, _T.STRING), (_T.STRING, _T.LONG), (_T.TIMESPAN, _T.STRING), (_T.DYNAMIC, _T.LONG),
         (_T.REAL, _T.LONG), (_T.BOOL, _T.INT)],
    )  # fmt: skip
    def test_refused(self, output: ColumnType, column: ColumnType) -> None:
        """Other pairs are not taken: ingestion drops the column's values."""
        assert not output_conversion(output, column).accepted

    def test_long_into_int_keeps_what_fits(self) -> None:
        """long into int: values in int's range land, the others are nulled."""
        conversion = output_conversion(_T.LONG, _T.INT)
        assert conversion.landing(2**31 - 1) == "as_is"
        assert conversion.landing(-(2**31)) == "as_is"
        assert conversion.landing(2**31) == "nulled"
        assert conversion.landing(None) == "as_is"

    def test_into_real_says_when_it_rounds(self) -> None:
        """int, long and decimal into real: exact values land as is, others are rounded."""
        from decimal import Decimal

        assert output_conversion(_T.INT, _T.REAL).landing(7) == "as_is"
        assert output_conversion(_T.LONG, _T.REAL).landing(2**53) == "as_is"
        assert output_conversion(_T.LONG, _T.REAL).landing(2**53 + 1) == "rounded"
        assert output_conversion(_T.DECIMAL, _T.REAL).landing(Decimal("0.5")) == "as_is"
        assert output_conversion(_T.DECIMAL, _T.REAL).landing(Decimal("0.1")) == "rounded"

    def test_widening_is_kustos(self) -> None:
        """KQL widens int to long and int and long to real (Kusto.Language's widerThan), never back."""
        assert widens(_T.INT, _T.LONG) and widens(_T.INT, _T.REAL) and widens(_T.LONG, _T.REAL)
        assert not widens(_T.LONG, _T.INT) and not widens(_T.REAL, _T.LONG) and not widens(_T.INT, _T.INT)
