"""Column types and their three vocabularies: table (ARM), stream declaration (DCR) and KQL.

One enum, :class:`ColumnType`, names every type once. Each vocabulary is a subset of it with its own
spelling:

=========  ============  ===========  ==========
type       table (ARM)   stream (DCR)  KQL
=========  ============  ===========  ==========
BOOL       boolean       boolean      bool
INT        int           int          int
LONG       long          long         long
REAL       real          real         real
DECIMAL    -             -            decimal
STRING     string        string       string
DATETIME   dateTime      datetime     datetime
TIMESPAN   -             -            timespan
GUID       guid          -            guid
DYNAMIC    dynamic       dynamic      dynamic
=========  ============  ===========  ==========

Input spellings are case-insensitive in every vocabulary (ARM accepts ``datetime`` and ``dateTime``
alike); output spellings are the canonical ones above.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Final

from azlogs._exceptions import SchemaError

__all__ = [
    "KQL_TYPES",
    "STREAM_TYPES",
    "TABLE_TYPES",
    "ColumnType",
    "Vocabulary",
    "is_stream_to_table_compatible",
    "kql_to_table",
    "parse_kql_type",
    "parse_stream_type",
    "parse_table_type",
    "parse_type",
    "stream_to_table",
    "table_to_kql",
    "table_to_stream",
    "type_name",
]


class ColumnType(enum.Enum):
    """A column type, independent of how a vocabulary spells it."""

    BOOL = "bool"
    INT = "int"
    LONG = "long"
    REAL = "real"
    DECIMAL = "decimal"
    STRING = "string"
    DATETIME = "datetime"
    TIMESPAN = "timespan"
    GUID = "guid"
    DYNAMIC = "dynamic"

    @property
    def kql_name(self) -> str:
        """The KQL / query API spelling (``bool``, ``datetime`` ...)."""
        return self.value


class Vocabulary(enum.Enum):
    """Where a type name is written."""

    TABLE = "table"
    STREAM = "stream"
    KQL = "kql"


_T = ColumnType

_TABLE_NAMES: Final[Mapping[ColumnType, str]] = {
    _T.STRING: "string",
    _T.INT: "int",
    _T.LONG: "long",
    _T.REAL: "real",
    _T.BOOL: "boolean",
    _T.DATETIME: "dateTime",
    _T.DYNAMIC: "dynamic",
    _T.GUID: "guid",
}
_STREAM_NAMES: Final[Mapping[ColumnType, str]] = {
    _T.STRING: "string",
    _T.INT: "int",
    _T.LONG: "long",
    _T.REAL: "real",
    _T.BOOL: "boolean",
    _T.DATETIME: "datetime",
    _T.DYNAMIC: "dynamic",
}
_KQL_NAMES: Final[Mapping[ColumnType, str]] = {t: t.value for t in ColumnType}

TABLE_TYPES: Final[frozenset[ColumnType]] = frozenset(_TABLE_NAMES)
STREAM_TYPES: Final[frozenset[ColumnType]] = frozenset(_STREAM_NAMES)
KQL_TYPES: Final[frozenset[ColumnType]] = frozenset(ColumnType)

_NAMES: Final[Mapping[Vocabulary, Mapping[ColumnType, str]]] = {
    Vocabulary.TABLE: _TABLE_NAMES,
    Vocabulary.STREAM: _STREAM_NAMES,
    Vocabulary.KQL: _KQL_NAMES,
}

# KQL accepts a few synonyms in type positions (`double`, `date`, `time`, `boolean`, `uniqueid`).
_KQL_ALIASES: Final[Mapping[str, ColumnType]] = {
    "boolean": _T.BOOL,
    "double": _T.REAL,
    "date": _T.DATETIME,
    "time": _T.TIMESPAN,
    "uniqueid": _T.GUID,
}

_PARSE: Final[Mapping[Vocabulary, Mapping[str, ColumnType]]] = {
    Vocabulary.TABLE: {name.lower(): t for t, name in _TABLE_NAMES.items()},
    Vocabulary.STREAM: {name.lower(): t for t, name in _STREAM_NAMES.items()},
    Vocabulary.KQL: {**{name: t for t, name in _KQL_NAMES.items()}, **_KQL_ALIASES},
}

_CONTEXT_WORDS: Final[Mapping[Vocabulary, str]] = {
    Vocabulary.TABLE: "table column",
    Vocabulary.STREAM: "stream declaration column",
    Vocabulary.KQL: "KQL",
}


def parse_type(name: object, vocabulary: Vocabulary) -> ColumnType:
    """Read a type name written in ``vocabulary``, case-insensitively.

    Raises:
        SchemaError: the name is not a type of that vocabulary; the message lists the valid ones.
    """
    if isinstance(name, str):
        found = _PARSE[vocabulary].get(name.strip().lower())
        if found is not None:
            return found
    valid = ", ".join(_NAMES[vocabulary].values())
    raise SchemaError(
        f"{name!r} is not a valid {_CONTEXT_WORDS[vocabulary]} type",
        hint=f"use one of: {valid}",
    )


def parse_table_type(name: object) -> ColumnType:
    """Read a table (ARM ``workspaces/tables``) column type name."""
    return parse_type(name, Vocabulary.TABLE)


def parse_stream_type(name: object) -> ColumnType:
    """Read a DCR stream declaration column type name."""
    return parse_type(name, Vocabulary.STREAM)


def parse_kql_type(name: object) -> ColumnType:
    """Read a KQL type name (``bool``, ``real``, ``datetime`` ... and their KQL synonyms)."""
    return parse_type(name, Vocabulary.KQL)


def type_name(column_type: ColumnType, vocabulary: Vocabulary) -> str:
    """The canonical spelling of ``column_type`` in ``vocabulary``.

    Raises:
        SchemaError: the vocabulary has no such type (e.g. ``timespan`` in a table).
    """
    name = _NAMES[vocabulary].get(column_type)
    if name is None:
        raise SchemaError(f"type {column_type.kql_name!r} has no {_CONTEXT_WORDS[vocabulary]} equivalent")
    return name


def stream_to_table(column_type: ColumnType) -> ColumnType:
    """The table type that a stream column of this type lands in unchanged."""
    if column_type not in STREAM_TYPES:
        raise SchemaError(f"{column_type.kql_name!r} is not a stream declaration type")
    return column_type


def table_to_stream(column_type: ColumnType) -> ColumnType:
    """The stream type to declare for feeding a table column of this type.

    A ``guid`` table column is fed from a ``string`` stream column: streams have no guid type.
    """
    if column_type not in TABLE_TYPES:
        raise SchemaError(f"{column_type.kql_name!r} is not a table column type")
    return _T.STRING if column_type is _T.GUID else column_type


def table_to_kql(column_type: ColumnType) -> ColumnType:
    """The KQL type under which a table column of this type is read.

    A ``guid`` table column is stored and queried as ``string`` (Log Analytics docs), so its values
    are ``str`` (as the KQL engine represents strings, ``azlogs.kql``), never ``uuid.UUID``.
    """
    if column_type not in TABLE_TYPES:
        raise SchemaError(f"{column_type.kql_name!r} is not a table column type")
    return _T.STRING if column_type is _T.GUID else column_type


def kql_to_table(column_type: ColumnType) -> ColumnType | None:
    """The table type that can hold a KQL value of this type, or None when none can.

    ``decimal`` is held as ``real`` (precision may be lost); ``timespan`` has no table type.
    """
    if column_type is _T.DECIMAL:
        return _T.REAL
    if column_type in TABLE_TYPES:
        return column_type
    return None


# A pass-through data flow (transformKql "source") needs identical types: field reports show Azure
# refusing even int -> long ("InvalidTransformOutput: ... produced 'Int' output 'Long'"). The one
# exception is string -> guid, since streams have no guid type and that is how a guid column is fed.
_COMPATIBLE_PAIRS: Final[frozenset[tuple[ColumnType, ColumnType]]] = frozenset({(_T.STRING, _T.GUID)})


def is_stream_to_table_compatible(stream_type: ColumnType, table_type: ColumnType) -> bool:
    """Whether a stream column of ``stream_type`` may feed a table column of ``table_type`` as is."""
    return stream_type is table_type or (stream_type, table_type) in _COMPATIBLE_PAIRS
