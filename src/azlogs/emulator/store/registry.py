"""Which SQLite table holds which Log Analytics table, with which columns: the store's registry.

The registry (SQLite table ``_azlogs_tables``) survives restarts, so the store reads its tables back
without the control plane. A Log Analytics table ``T`` of workspace ``W`` lives in the SQLite table
``"<W>/<T>"``; its declared columns keep their names (a name that clashes case-insensitively with
another or with a standard column gets a ``_2`` suffix: SQLite column names are case-insensitive).

Standard columns (log-standard-columns in the Azure docs):

* stored per row: ``_TimeReceived`` (the request's received time) and the hidden ``_IngestionTime``
  (when the row was committed; what ``ingestion_time()`` returns);
* stored per row when a request names it: ``_ResourceId`` (the Data Collector API's
  ``x-ms-AzureResourceId``; empty for data sent through the Logs Ingestion API, as Azure leaves it:
  MicrosoftDocs/azure-docs#104046);
* the same for every row of a table, so kept once here and added by readers: ``TenantId`` (the
  workspace's customer id), ``Type`` (the table name), and ``_ItemId``, a GUID made of a per-table
  random salt and the row id.
"""

from __future__ import annotations

import sqlite3
import uuid
from dataclasses import dataclass
from typing import Final

import orjson

from azlogs.emulator.store.columns import SQL_TYPES, quote_ident, quote_literal
from azlogs.schema.model import TableSchema
from azlogs.schema.names import INGESTION_TIME_COLUMN, TIME_GENERATED
from azlogs.schema.types import ColumnType

ROW_ID: Final = "_RowId"
TENANT_ID: Final = "TenantId"
TYPE: Final = "Type"
RESOURCE_ID: Final = "_ResourceId"
TIME_RECEIVED: Final = "_TimeReceived"
ITEM_ID: Final = "_ItemId"
INGESTION_TIME: Final = INGESTION_TIME_COLUMN

# Visible standard columns (TenantId comes first, the others after the declared ones), then the
# hidden ones: returned only when asked for by name or with include_hidden.
VISIBLE_STANDARD: Final = (
    (TENANT_ID, ColumnType.STRING),
    (TYPE, ColumnType.STRING),
    (RESOURCE_ID, ColumnType.STRING),
)
HIDDEN_STANDARD: Final = (
    (TIME_RECEIVED, ColumnType.DATETIME),
    (ITEM_ID, ColumnType.STRING),
    (INGESTION_TIME, ColumnType.DATETIME),
)
_RESERVED: Final = frozenset(
    n.lower() for n in (ROW_ID, TENANT_ID, TYPE, RESOURCE_ID, TIME_RECEIVED, ITEM_ID, INGESTION_TIME)
)

REGISTRY_SQL: Final = """
CREATE TABLE IF NOT EXISTS _azlogs_tables (
    workspace_id TEXT NOT NULL,
    table_key TEXT NOT NULL,
    name TEXT NOT NULL,
    workspace_resource_id TEXT NOT NULL,
    sqlite_name TEXT NOT NULL UNIQUE,
    salt TEXT NOT NULL,
    columns TEXT NOT NULL,
    PRIMARY KEY (workspace_id, table_key)
)
"""


@dataclass(frozen=True)
class WorkspaceRef:
    """The workspace a table belongs to: its customer id (GUID) and ARM resource id."""

    customer_id: str
    resource_id: str


@dataclass(frozen=True)
class StoredColumn:
    """A declared column and the SQLite column that holds it; inactive once no longer declared."""

    name: str
    type: ColumnType
    physical: str
    active: bool = True


@dataclass(frozen=True)
class StoredTable:
    """A Log Analytics table as the store keeps it."""

    workspace_id: str  # customer id, lower case
    workspace_resource_id: str
    name: str
    sqlite_name: str
    salt: str  # 20 hex digits: the first part of every _ItemId
    columns: tuple[StoredColumn, ...]  # every physical column ever declared, active ones first

    @property
    def declared(self) -> tuple[StoredColumn, ...]:
        """The columns of the table's current schema, in schema order."""
        return tuple(c for c in self.columns if c.active)

    def column(self, name: str) -> StoredColumn | None:
        """The active declared column called ``name``, or None."""
        for c in self.columns:
            if c.active and c.name == name:
                return c
        return None

    def output_columns(self, *, include_hidden: bool = False) -> list[tuple[str, ColumnType]]:
        """Column names and types in the order a query shows them."""
        declared = self.declared
        names = {c.name for c in declared}  # a standard column stored per row (DCRLogErrors' _ResourceId)
        cols = [
            VISIBLE_STANDARD[0],
            *((c.name, c.type) for c in declared),
            *(s for s in VISIBLE_STANDARD[1:] if s[0] not in names),
        ]
        if include_hidden:
            cols.extend(HIDDEN_STANDARD)
        return cols

    def select_expr(self, name: str) -> str | None:
        """The SQL expression that reads output column ``name``, or None if there is no such column."""
        col = self.column(name)
        if col is not None:
            return quote_ident(col.physical)
        if name == TENANT_ID:
            return quote_literal(self.workspace_id)
        if name == TYPE:
            return quote_literal(self.name)
        if name == RESOURCE_ID:
            return f"coalesce({quote_ident(RESOURCE_ID)}, '')"
        if name == ITEM_ID:
            s = self.salt
            prefix = f"{s[:8]}-{s[8:12]}-{s[12:16]}-{s[16:20]}-"
            return f"printf('%s%012x', {quote_literal(prefix)}, {quote_ident(ROW_ID)})"
        if name in (TIME_RECEIVED, INGESTION_TIME):
            return quote_ident(name)
        return None


def key_of(workspace_id: str, table: str) -> tuple[str, str]:
    """The registry key: (workspace customer id, table name), both folded to lower case."""
    return workspace_id.lower(), table.lower()


def load(conn: sqlite3.Connection) -> dict[tuple[str, str], StoredTable]:
    """Every table in the registry."""
    out: dict[tuple[str, str], StoredTable] = {}
    for ws, name, ws_rid, sqlite_name, salt, cols in conn.execute(
        "SELECT workspace_id, name, workspace_resource_id, sqlite_name, salt, columns FROM _azlogs_tables"
    ):
        columns = tuple(StoredColumn(c[0], ColumnType(c[1]), c[2], bool(c[3])) for c in orjson.loads(cols))
        out[key_of(ws, name)] = StoredTable(ws, ws_rid, name, sqlite_name, salt, columns)
    return out


def upgrade(conn: sqlite3.Connection, tables: dict[tuple[str, str], StoredTable]) -> None:
    """Give tables made before ``_ResourceId`` was stored per row that column (empty for their rows)."""
    for table in tables.values():
        have = {
            row[1].lower() for row in conn.execute(f"PRAGMA table_info({quote_ident(table.sqlite_name)})")
        }
        if have and RESOURCE_ID.lower() not in have:
            conn.execute(
                f"ALTER TABLE {quote_ident(table.sqlite_name)} ADD COLUMN {quote_ident(RESOURCE_ID)} TEXT"
            )


def save(conn: sqlite3.Connection, table: StoredTable) -> None:
    """Write the table's registry entry."""
    cols = orjson.dumps([[c.name, c.type.value, c.physical, c.active] for c in table.columns]).decode()
    conn.execute(
        "INSERT OR REPLACE INTO _azlogs_tables VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            table.workspace_id,
            table.name.lower(),
            table.name,
            table.workspace_resource_id,
            table.sqlite_name,
            table.salt,
            cols,
        ),
    )


def create_or_alter(
    conn: sqlite3.Connection, current: StoredTable | None, workspace: WorkspaceRef, schema: TableSchema
) -> StoredTable:
    """Bring the SQLite table to ``schema`` inside the caller's transaction; return its new entry.

    New columns are added; columns no longer declared become inactive (their data stays, hidden);
    a column declared again with its old type is active again; a changed type is a new column.
    """
    if current is None:
        ws = workspace.customer_id.lower()
        sqlite_name = f"{ws}/{schema.name}"
        current = StoredTable(ws, workspace.resource_id, schema.name, sqlite_name, uuid.uuid4().hex[:20], ())
        conn.execute(
            f"CREATE TABLE IF NOT EXISTS {quote_ident(sqlite_name)} ({quote_ident(ROW_ID)} INTEGER PRIMARY KEY, "
            f"{quote_ident(TIME_RECEIVED)} INTEGER, {quote_ident(INGESTION_TIME)} INTEGER, "
            f"{quote_ident(RESOURCE_ID)} TEXT)"
        )
    wanted = {(c.name, c.type) for c in schema.columns}
    columns = [StoredColumn(c.name, c.type, c.physical, (c.name, c.type) in wanted) for c in current.columns]
    used = {c.physical.lower() for c in columns} | _RESERVED
    present = {(c.name, c.type) for c in columns}
    for col in schema.columns:
        if (col.name, col.type) in present:
            continue
        physical = col.name
        n = 2
        while physical.lower() in used:
            physical = f"{col.name}_{n}"
            n += 1
        used.add(physical.lower())
        conn.execute(
            f"ALTER TABLE {quote_ident(current.sqlite_name)} ADD COLUMN {quote_ident(physical)} {SQL_TYPES[col.type]}"
        )
        columns.append(StoredColumn(col.name, col.type, physical, True))
        if col.name == TIME_GENERATED and col.type is ColumnType.DATETIME:
            conn.execute(
                f"CREATE INDEX IF NOT EXISTS {quote_ident(current.sqlite_name + ':' + physical)} "
                f"ON {quote_ident(current.sqlite_name)} ({quote_ident(physical)})"
            )
    order = {c.name: i for i, c in enumerate(schema.columns)}
    columns.sort(key=lambda c: (not c.active, order.get(c.name, 0)))
    table = StoredTable(
        current.workspace_id,
        workspace.resource_id,
        schema.name,
        current.sqlite_name,
        current.salt,
        tuple(columns),
    )
    save(conn, table)
    return table


def drop(conn: sqlite3.Connection, table: StoredTable) -> None:
    """Delete the SQLite table and its registry entry inside the caller's transaction."""
    conn.execute(f"DROP TABLE IF EXISTS {quote_ident(table.sqlite_name)}")
    conn.execute(
        "DELETE FROM _azlogs_tables WHERE workspace_id = ? AND table_key = ?",
        (table.workspace_id, table.name.lower()),
    )
