"""Name rules: custom-table column names, table names, stream names, output streams.

Sources (Microsoft Learn, "Create a custom table" and "Structure of a data collection rule"): column names start with a letter A-Z/a-z, then
ASCII letters, digits and underscores, 2 to 45 characters; reserved names cannot be used; custom
tables end in ``_CL``; stream declarations begin with ``Custom-``.

Every ``*_problem`` function returns None for a valid name, else one sentence saying what is wrong,
ready to put in an error message after the name.
"""

from __future__ import annotations

import re
from typing import Final

__all__ = [
    "COLUMN_NAME_MAX",
    "COLUMN_NAME_MIN",
    "CUSTOM_STREAM_PREFIX",
    "CUSTOM_TABLE_SUFFIX",
    "INGESTION_TIME_COLUMN",
    "KNOWN_MICROSOFT_STREAMS",
    "MICROSOFT_STREAM_PREFIX",
    "MICROSOFT_STREAM_TABLES",
    "RESERVED_COLUMN_NAMES",
    "STANDARD_COLUMNS",
    "TABLE_NAME_MAX",
    "TIME_GENERATED",
    "column_name_problem",
    "is_reserved_column_name",
    "output_stream_for_table",
    "output_stream_problem",
    "stream_name_problem",
    "table_for_output_stream",
    "table_name_problem",
]

TIME_GENERATED: Final = "TimeGenerated"
# The hidden column that holds when a row was committed to its table: what KQL's ingestion_time()
# returns (the workspace store writes it, the KQL engine asks a table for it by this name).
INGESTION_TIME_COLUMN: Final = "_IngestionTime"
CUSTOM_TABLE_SUFFIX: Final = "_CL"
CUSTOM_STREAM_PREFIX: Final = "Custom-"
MICROSOFT_STREAM_PREFIX: Final = "Microsoft-"
COLUMN_NAME_MIN: Final = 2
COLUMN_NAME_MAX: Final = 45
# Not published for Log Analytics; 63 is the common ARM child-resource ceiling. [U]
TABLE_NAME_MAX: Final = 63

# create-custom-table.md's list, which includes the ingestion overview's list. Compared
# case-insensitively: a column `type` next to the standard `Type` would be ambiguous in KQL
# tooling and collides in case-insensitive stores. [U]
RESERVED_COLUMN_NAMES: Final[frozenset[str]] = frozenset(
    {
        "id",
        "BilledSize",
        "IsBillable",
        "InvalidTimeGenerated",
        "TenantId",
        "Title",
        "Type",
        "UniqueId",
        "_ItemId",
        "_ResourceGroup",
        "_ResourceId",
        "_SubscriptionId",
        "_TimeReceived",
    }
)
_RESERVED_FOLDED: Final[frozenset[str]] = frozenset(n.lower() for n in RESERVED_COLUMN_NAMES)

# Columns Log Analytics adds to every custom table on its own (not declared in the schema).
STANDARD_COLUMNS: Final[tuple[str, ...]] = ("TenantId", "Type", "_ResourceId")

# Microsoft-* streams that a Logs-ingestion DCR may name without declaring them. The service's own
# list is far longer (azure-rest-api-specs#21200 lists ~240); these are the ones its docs show in
# data flows and the ones a transformation into a standard table uses. [U]
KNOWN_MICROSOFT_STREAMS: Final[frozenset[str]] = frozenset(
    {
        "Microsoft-CommonSecurityLog",
        "Microsoft-Event",
        "Microsoft-InsightsMetrics",
        "Microsoft-Perf",
        "Microsoft-PrometheusMetrics",
        "Microsoft-SecurityEvent",
        "Microsoft-Syslog",
        "Microsoft-W3CIISLog",
        "Microsoft-WindowsEvent",
        "Microsoft-OTel-Logs",
    }
)
# Microsoft streams whose table is not the name after the prefix (OTLP logs land in OTelLogs). [U]
MICROSOFT_STREAM_TABLES: Final[dict[str, str]] = {"Microsoft-OTel-Logs": "OTelLogs"}

_COLUMN_RE: Final = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")
_TABLE_BODY_RE: Final = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")
_STREAM_SUFFIX_RE: Final = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_-]*\Z")


def is_reserved_column_name(name: str) -> bool:
    """Whether ``name`` is one of the reserved/system column names (case-insensitive)."""
    return name.lower() in _RESERVED_FOLDED


def column_name_problem(name: object) -> str | None:
    """What is wrong with ``name`` as a custom-table column name, or None when it is valid."""
    if not isinstance(name, str) or not name:
        return "a column name must be a non-empty string"
    if is_reserved_column_name(name):
        return "this name is reserved for a column that Azure Monitor manages"
    if not name.isascii():
        return "a column name may use ASCII letters, digits and underscores only"
    if not ("A" <= name[0] <= "Z" or "a" <= name[0] <= "z"):
        return "a column name must start with a letter (A-Z, a-z)"
    if _COLUMN_RE.match(name) is None:
        return "a column name may use letters, digits and underscores only (no spaces, dots or dashes)"
    if not COLUMN_NAME_MIN <= len(name) <= COLUMN_NAME_MAX:
        return f"a column name must be {COLUMN_NAME_MIN} to {COLUMN_NAME_MAX} characters long"
    return None


def table_name_problem(name: object, *, custom: bool = True) -> str | None:
    """What is wrong with ``name`` as a Log Analytics table name, or None.

    Args:
        name: the table name.
        custom: require the ``_CL`` suffix of custom tables (the default); False checks only the
            character rules, for built-in tables such as ``Syslog``.
    """
    if not isinstance(name, str) or not name:
        return "a table name must be a non-empty string"
    body = name
    if custom:
        if not name.endswith(CUSTOM_TABLE_SUFFIX):
            return f"a custom table name must end in {CUSTOM_TABLE_SUFFIX!r}"
        if len(name) == len(CUSTOM_TABLE_SUFFIX):
            return f"a custom table name needs a name before {CUSTOM_TABLE_SUFFIX!r}"
        body = name[: -len(CUSTOM_TABLE_SUFFIX)]
    if not body.isascii() or _TABLE_BODY_RE.match(body) is None:
        return "a table name must start with a letter and use letters, digits and underscores only"
    if len(name) > TABLE_NAME_MAX:
        return f"a table name must be at most {TABLE_NAME_MAX} characters long"
    return None


def stream_name_problem(name: object, *, declared: bool = True) -> str | None:
    """What is wrong with ``name`` as a DCR stream name, or None.

    Args:
        name: the stream name.
        declared: the name is a key of ``streamDeclarations`` (must be ``Custom-``); False for a name
            in a data flow's ``streams``, where a known ``Microsoft-`` stream is allowed as well.
    """
    if not isinstance(name, str) or not name:
        return "a stream name must be a non-empty string"
    if name.startswith(CUSTOM_STREAM_PREFIX):
        suffix = name[len(CUSTOM_STREAM_PREFIX) :]
        if not suffix.isascii() or _STREAM_SUFFIX_RE.match(suffix) is None:
            return (
                f"a custom stream name is {CUSTOM_STREAM_PREFIX!r} followed by letters, digits, "
                "underscores or dashes"
            )
        return None
    if not declared and name in KNOWN_MICROSOFT_STREAMS:
        return None
    if declared:
        return f"a declared stream name must begin with {CUSTOM_STREAM_PREFIX!r}"
    return "must be a custom stream (Custom-...) or one of the allowed streams"


def table_for_output_stream(output_stream: str) -> str | None:
    """The table an output stream writes to, or None when the name is not an output stream.

    ``Custom-MyTable_CL`` -> ``MyTable_CL``; ``Microsoft-Syslog`` -> ``Syslog``.
    """
    if output_stream.startswith(CUSTOM_STREAM_PREFIX):
        table = output_stream[len(CUSTOM_STREAM_PREFIX) :]
        return table if table_name_problem(table, custom=True) is None else None
    if output_stream in MICROSOFT_STREAM_TABLES:
        return MICROSOFT_STREAM_TABLES[output_stream]
    if output_stream.startswith(MICROSOFT_STREAM_PREFIX):
        table = output_stream[len(MICROSOFT_STREAM_PREFIX) :]
        return table if table_name_problem(table, custom=False) is None else None
    return None


def output_stream_problem(output_stream: object) -> str | None:
    """What is wrong with ``output_stream`` as a data flow's ``outputStream``, or None."""
    if not isinstance(output_stream, str) or not output_stream:
        return "an output stream must be a non-empty string"
    if table_for_output_stream(output_stream) is None:
        return (
            "an output stream is 'Custom-<Table>_CL' for a custom table or 'Microsoft-<Table>' "
            "for a standard table"
        )
    return None


def output_stream_for_table(table: str) -> str:
    """The output stream name that writes to ``table`` (``Custom-`` for ``_CL`` tables)."""
    if table.endswith(CUSTOM_TABLE_SUFFIX):
        return CUSTOM_STREAM_PREFIX + table
    return MICROSOFT_STREAM_PREFIX + table
