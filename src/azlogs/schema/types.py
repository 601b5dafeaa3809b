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
alike); output spellings are the canonical ones above. KQL also reads aliases (``int64``, ``double``,
``uuid`` ...: :data:`KQL_ALIASES`).

This module is the one owner of these facts (a test keeps it so): the vocabularies and aliases, the
widths of ``int`` and ``long``, KQL's widening (:func:`widens`), what a pass-through data flow may
connect (:func:`is_stream_to_table_compatible`) and how a transformation's output lands in a table
column of another type (:func:`output_conversion`), which ARM's DCR check, the emulator's ingestion
and ``azlogs validate`` all read.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal

from azlogs._exceptions import SchemaError

__all__ = [
    "INT_MAX",
    "INT_MIN",
    "KQL_ALIASES",
    "KQL_TYPES",
    "LONG_MAX",
    "LONG_MIN",
    "STREAM_TYPES",
    "TABLE_TYPES",
    "ColumnType",
    "Conversion",
    "Vocabulary",
    "find_kql_type",
    "is_stream_to_table_compatible",
    "output_conversion",
    "output_type",
    "parse_kql_type",
    "parse_stream_type",
    "parse_table_type",
    "parse_type",
    "stream_to_table",
    "table_to_kql",
    "table_to_stream",
    "type_name",
    "widens",
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


# Kusto's integers are fixed width: int is a signed 32-bit integer, long a signed 64-bit one (Kusto
# "Scalar data types"). The KQL engine wraps its arithmetic to these; ingestion nulls what a column
# of the type cannot hold.
INT_MIN: Final = -(1 << 31)
INT_MAX: Final = (1 << 31) - 1
LONG_MIN: Final = -(1 << 63)
LONG_MAX: Final = (1 << 63) - 1


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

# KQL's other names for its types, as the Kusto language service reads them (microsoft/Kusto-Query-Language,
# src/Kusto.Language/Symbols/ScalarTypes.cs); the documented ones are boolean, date, double, time,
# uuid and uniqueid (Kusto "Scalar data types"). Kusto has no unsigned or narrow integers: `uint` is an
# int and `ulong` a long, as there.
KQL_ALIASES: Final[Mapping[str, ColumnType]] = {
    "boolean": _T.BOOL,
    **dict.fromkeys(("int32", "uint", "uint32", "int8", "uint8", "int16", "uint16"), _T.INT),
    **dict.fromkeys(("int64", "ulong", "uint64"), _T.LONG),
    **dict.fromkeys(("double", "float", "single"), _T.REAL),
    "date": _T.DATETIME,
    "time": _T.TIMESPAN,
    **dict.fromkeys(("uuid", "uniqueid"), _T.GUID),
}

_PARSE: Final[Mapping[Vocabulary, Mapping[str, ColumnType]]] = {
    Vocabulary.TABLE: {name.lower(): t for t, name in _TABLE_NAMES.items()},
    Vocabulary.STREAM: {name.lower(): t for t, name in _STREAM_NAMES.items()},
    Vocabulary.KQL: {**{name: t for t, name in _KQL_NAMES.items()}, **KQL_ALIASES},
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


# --- where values land -----------------------------------------------------------------------------

# A pass-through data flow (transformKql "source") needs identical types: field reports show Azure
# refusing even int -> long ("InvalidTransformOutput: ... produced 'Int' output 'Long'"). The one
# exception is string -> guid, since streams have no guid type and that is how a guid column is fed.
_COMPATIBLE_PAIRS: Final[frozenset[tuple[ColumnType, ColumnType]]] = frozenset({(_T.STRING, _T.GUID)})


def is_stream_to_table_compatible(stream_type: ColumnType, table_type: ColumnType) -> bool:
    """Whether a stream column of ``stream_type`` may feed a table column of ``table_type`` as is."""
    return stream_type is table_type or (stream_type, table_type) in _COMPATIBLE_PAIRS


Landing = Literal["as_is", "rounded", "nulled"]


@dataclass(frozen=True)
class Conversion:
    """How the values of a transformation's output column land in a table column of another type.

    The one rule for ARM (which refuses a DCR whose output a table cannot take, ``InvalidTransformOutput``),
    for the emulator's ingestion (which writes the converted values) and for ``azlogs validate`` (which
    says, value by value, what would land).

    Attributes:
        accepted: whether the table column takes values of this type at all; if not, ingestion drops the
            column's values (a type mismatch).
        convert: None when values land as they are, else what ingestion applies to each value (None
            out for a value the column cannot hold).
    """

    accepted: bool
    convert: Callable[[Any], Any] | None = None

    def landing(self, value: Any) -> Landing:
        """What happens to ``value``: it lands ``as_is`` (or converted to an equal value), ``rounded``
        (a number the column holds only approximately) or ``nulled``."""
        if not self.accepted:
            return "nulled"
        if self.convert is None or value is None:
            return "as_is"
        out = self.convert(value)
        if out is None:
            return "nulled"
        return "as_is" if out == value or out != out else "rounded"  # (out != out: NaN stays NaN)


def _to_real(value: Any) -> float | None:
    return None if value is None else float(value)


def _to_int(value: Any) -> int | None:
    return value if value is None or INT_MIN <= value <= INT_MAX else None


# Kusto's implicit widening of numbers (Kusto.Language, ScalarTypes.cs, "widerThan"): long is wider than
# int; real than int and long; decimal than int, long and real.
_WIDER: Final[Mapping[ColumnType, frozenset[ColumnType]]] = {
    _T.LONG: frozenset({_T.INT}),
    _T.REAL: frozenset({_T.INT, _T.LONG}),
    _T.DECIMAL: frozenset({_T.INT, _T.LONG, _T.REAL}),
}


def widens(narrow: ColumnType, wide: ColumnType) -> bool:
    """Whether KQL widens values of type ``narrow`` to ``wide`` implicitly (int to long, long to real ...)."""
    return narrow in _WIDER.get(wide, frozenset())


_AS_IS: Final = Conversion(True)
_REFUSED: Final = Conversion(False)
# Other than identical types: KQL's widening into long and real, decimal into real (a table has no
# decimal type), long into int with a range check, and string into guid (streams have no guid type;
# a guid column is stored and read as string).
_CONVERSIONS: Final[Mapping[tuple[ColumnType, ColumnType], Conversion]] = {
    **{(n, _T.LONG): _AS_IS for n in _T if widens(n, _T.LONG)},
    **{(n, _T.REAL): Conversion(True, _to_real) for n in _T if widens(n, _T.REAL)},
    (_T.DECIMAL, _T.REAL): Conversion(True, _to_real),
    (_T.LONG, _T.INT): Conversion(True, _to_int),
    (_T.STRING, _T.GUID): _AS_IS,
}


def find_kql_type(name: str) -> ColumnType | None:
    """The type a KQL type name (or one of its aliases) names, case-insensitively; None for no type."""
    return _PARSE[Vocabulary.KQL].get(name.strip().lower())


def output_type(kql_name: str) -> ColumnType:
    """The type of a transformation's output column from its KQL type name; a name KQL's vocabulary lacks
    (an engine-specific type) is ``dynamic``: its values are kept as JSON where a column allows."""
    found = find_kql_type(kql_name)
    return _T.DYNAMIC if found is None else found


def output_conversion(output_type: ColumnType, column_type: ColumnType) -> Conversion:
    """How values a transformation outputs as ``output_type`` land in a ``column_type`` table column."""
    if output_type is column_type:
        return _AS_IS
    return _CONVERSIONS.get((output_type, column_type), _REFUSED)
