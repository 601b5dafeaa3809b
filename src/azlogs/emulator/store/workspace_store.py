"""The workspace store: every Log Analytics table of every workspace as a SQLite table.

One SQLite database (``<data dir>/workspaces.db`` in WAL mode; one shared ``:memory:`` connection
under ``--in-memory``) holds one SQLite table per Log Analytics table per workspace (see
:mod:`.registry` for names and standard columns, :mod:`.columns` for value encodings), an index on
``TimeGenerated``, the registry, and the diagnostics feed (``_diagnostics``).

Durability: ``synchronous=FULL``. With WAL and ``NORMAL`` a commit survives a crash of the emulator
but not of the machine; "204 means committed" should mean durable, and the fsync costs about half
a millisecond per request (not per row) on this kind of machine. WAL checkpoints run on a thread of
their own (:mod:`.checkpoint`), not inside a request's commit.

Concurrency: every write goes through one connection under a lock, one transaction per call to
:meth:`WorkspaceStore.write` (callers run it off the event loop). Rows are inserted with multi-row
``INSERT ... VALUES (...), (...)`` statements of a few hundred rows: faster than ``executemany``, and
SQLite then runs hundreds of rows per release of the GIL, so request threads parse and coerce in
parallel with it. Readers in file mode use their own read-only connections (WAL readers never block
the writer); in memory mode they share the writer's connection under the lock.
"""

from __future__ import annotations

import itertools
import sqlite3
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Final, TypeVar

from azlogs.emulator.private import private_dir, private_file
from azlogs.emulator.store import diagnostics as diag
from azlogs.emulator.store import registry
from azlogs.emulator.store.checkpoint import JOURNAL_SIZE_LIMIT, Checkpointer
from azlogs.emulator.store.columns import decoder, quote_ident, quote_literal, to_ticks
from azlogs.emulator.store.registry import (
    INGESTION_TIME,
    TIME_RECEIVED,
    StoredTable,
    WorkspaceRef,
    key_of,
)
from azlogs.schema.model import TableSchema
from azlogs.schema.names import TIME_GENERATED
from azlogs.schema.types import ColumnType

DB_NAME: Final = "workspaces.db"
ROWS_PER_STATEMENT: Final = 400
_R = TypeVar("_R")


@dataclass
class TableWrite:
    """Rows for one table, already encoded for SQLite (see :mod:`.columns`).

    Attributes:
        workspace: the destination workspace.
        schema: the table's schema as the control plane has it now (the store creates/alters to it).
        columns: declared column names, in the order of the values in each row.
        rows: one sequence of values per record.
        time_received: the request's received time, in ticks (``_TimeReceived``).
        constants: declared columns with one value for every row (an int or str SQLite value),
            e.g. ``TimeGenerated`` filled with the received time.
    """

    workspace: WorkspaceRef
    schema: TableSchema
    columns: tuple[str, ...]
    rows: Sequence[Sequence[Any]]
    time_received: int
    constants: Mapping[str, int | str] = field(default_factory=dict)


@dataclass
class ScanResult:
    """The answer of :meth:`WorkspaceStore.scan`: column names and types, and the rows (tuples)."""

    columns: list[tuple[str, ColumnType]]
    rows: Iterator[tuple[Any, ...]]


class WorkspaceStore:
    """The SQLite-backed store of every workspace's tables; see the module docstring.

    Args:
        path: the database file, or None for a private in-memory database.
        diagnostics_cap: how many diagnostics entries to keep (the oldest are pruned).
    """

    def __init__(self, path: Path | None, *, diagnostics_cap: int = diag.DEFAULT_CAP) -> None:
        self.path = path
        self.diagnostics_cap = diagnostics_cap
        self._lock = threading.Lock()
        if path is not None:
            # 0600 before SQLite opens it: SQLite gives the -wal and -shm files the database's mode.
            private_file(private_dir(path.parent) / path.name)
        conn = sqlite3.connect(
            str(path) if path is not None else ":memory:", isolation_level=None, check_same_thread=False
        )
        self._conn: sqlite3.Connection | None = conn
        self._checkpointer: Checkpointer | None = None
        try:
            if path is not None:
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute("PRAGMA wal_autocheckpoint=0")  # the Checkpointer thread does it
                conn.execute(f"PRAGMA journal_size_limit={JOURNAL_SIZE_LIMIT}")
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute("PRAGMA busy_timeout=10000")
            conn.execute(registry.REGISTRY_SQL)
            conn.execute(diag.SCHEMA_SQL)
            self._max_params = _max_variables(conn)
            self._tables = registry.load(conn)
        except BaseException:
            conn.close()  # a file that is not a database (or not ours): nothing is left open
            raise
        self._seen: dict[tuple[str, str], tuple[Any, ...]] = {}
        if path is not None:
            self._checkpointer = Checkpointer(path)

    def _db(self) -> sqlite3.Connection:
        if self._conn is None:
            raise RuntimeError("the workspace store is closed")
        return self._conn

    def _transaction(self, work: Callable[[sqlite3.Connection], _R]) -> _R:
        """Run ``work(conn)`` in one write transaction under the lock; commit, or roll back and re-read."""
        with self._lock:
            conn = self._db()
            conn.execute("BEGIN IMMEDIATE")
            try:
                result = work(conn)
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                self._tables = registry.load(conn)  # DDL of the transaction is gone too
                self._seen.clear()
                raise
        if self._checkpointer is not None:
            self._checkpointer.committed()
        return result

    # --- schema -------------------------------------------------------------------------------------

    def _ensure(self, conn: sqlite3.Connection, workspace: WorkspaceRef, schema: TableSchema) -> StoredTable:
        key = key_of(workspace.customer_id, schema.name)
        current = self._tables.get(key)
        seen = self._seen.get(key)
        if current is not None and seen is not None and (seen is schema.columns or seen == schema.columns):
            return current
        table = registry.create_or_alter(conn, current, workspace, schema)
        self._tables[key] = table
        self._seen[key] = schema.columns
        return table

    def ensure_table(self, workspace: WorkspaceRef, schema: TableSchema) -> StoredTable:
        """Create the table, or add the columns it lacks; columns no longer declared are hidden."""
        return self._transaction(lambda conn: self._ensure(conn, workspace, schema))

    def drop_table(self, workspace_id: str, table: str) -> bool:
        """Delete a table and its rows (the Log Analytics table was deleted); False if unknown."""

        def work(conn: sqlite3.Connection) -> bool:
            key = key_of(workspace_id, table)
            stored = self._tables.pop(key, None)
            if stored is None:
                return False
            registry.drop(conn, stored)
            self._seen.pop(key, None)
            return True

        return self._transaction(work)

    def tables(self, workspace_id: str | None = None) -> list[StoredTable]:
        """The stored tables (of one workspace, by customer id, when given)."""
        with self._lock:
            found = list(self._tables.values())
        if workspace_id is not None:
            found = [t for t in found if t.workspace_id == workspace_id.lower()]
        return sorted(found, key=lambda t: (t.workspace_id, t.name.lower()))

    def table(self, workspace_id: str, table: str) -> StoredTable | None:
        """The stored table, or None."""
        with self._lock:
            return self._tables.get(key_of(workspace_id, table))

    # --- writes -------------------------------------------------------------------------------------

    def write(self, writes: Sequence[TableWrite], diagnostics: Sequence[diag.Diagnostic] = ()) -> None:
        """Insert every write and diagnostics entry in one transaction, committed when this returns."""
        if not diagnostics and not any(w.rows for w in writes):
            return

        def work(conn: sqlite3.Connection) -> None:
            ingested = to_ticks(datetime.now(timezone.utc))
            for w in writes:
                if w.rows:
                    self._insert(conn, self._ensure(conn, w.workspace, w.schema), w, ingested)
            self._insert_diagnostics(conn, diagnostics)

        self._transaction(work)

    def _insert(self, conn: sqlite3.Connection, table: StoredTable, w: TableWrite, ingested: int) -> None:
        names = []
        for name in (*w.columns, *w.constants):
            col = table.column(name)
            if col is None:
                raise KeyError(f"table {table.name} has no column {name!r}")
            names.append(quote_ident(col.physical))
        names += [quote_ident(TIME_RECEIVED), quote_ident(INGESTION_TIME)]
        # Per-request constants are literals: binding them would cost a value per row.
        consts = [quote_literal(v) for v in w.constants.values()]
        consts += [quote_literal(w.time_received), quote_literal(ingested)]
        group = "(" + ", ".join(["?"] * len(w.columns) + consts) + ")"
        head = f"INSERT INTO {quote_ident(table.sqlite_name)} ({', '.join(names)}) VALUES "  # noqa: S608
        per = max(1, min(ROWS_PER_STATEMENT, self._max_params // max(1, len(w.columns))))
        rows = w.rows
        full = head + ", ".join([group] * per)
        flatten = itertools.chain.from_iterable
        for start in range(0, len(rows), per):
            part = rows[start : start + per]
            sql = full if len(part) == per else head + ", ".join([group] * len(part))
            conn.execute(sql, list(flatten(part)))

    def record_diagnostics(self, diagnostics: Sequence[diag.Diagnostic]) -> None:
        """Append diagnostics entries in a transaction of their own."""
        if diagnostics:
            self._transaction(lambda conn: self._insert_diagnostics(conn, diagnostics))

    def _insert_diagnostics(self, conn: sqlite3.Connection, diagnostics: Sequence[diag.Diagnostic]) -> None:
        if not diagnostics:
            return
        conn.executemany(diag.INSERT_SQL, [d.as_row() for d in diagnostics])
        (last,) = conn.execute("SELECT max(id) FROM _diagnostics").fetchone()
        conn.execute("DELETE FROM _diagnostics WHERE id <= ?", (last - self.diagnostics_cap,))

    # --- reads --------------------------------------------------------------------------------------

    def _reader(self) -> sqlite3.Connection | None:
        """A read-only connection of its own (file mode), or None (memory mode: the writer's, locked)."""
        return None if self.path is None else _read_only(self.path)

    def _fetch(self, sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
        reader = self._reader()
        if reader is None:
            with self._lock:
                return self._db().execute(sql, params).fetchall()
        try:
            return reader.execute(sql, params).fetchall()
        finally:
            reader.close()

    def diagnostics(
        self, *, dcr: str | None = None, stream: str | None = None, limit: int = 100, after: int | None = None
    ) -> list[diag.Diagnostic]:
        """The newest ``limit`` entries (oldest first), filtered; with ``after``, only entries past that id."""
        sql = f"SELECT id, {', '.join(diag.FIELDS)} FROM _diagnostics WHERE id > ?"  # noqa: S608 - fixed names
        params: list[Any] = [after or 0]
        if dcr:
            sql += " AND lower(dcr) = lower(?)"
            params.append(dcr)
        if stream:
            sql += " AND stream = ?"
            params.append(stream)
        sql += " ORDER BY id DESC LIMIT ?"
        params.append(max(0, limit))
        out = [
            diag.Diagnostic(**dict(zip(("id", *diag.FIELDS), r, strict=True)))
            for r in self._fetch(sql, params)
        ]
        out.reverse()
        return out

    def last_diagnostic_id(self) -> int:
        """The id of the newest diagnostics entry (0 when there is none): where a follower starts."""
        ((last,),) = self._fetch("SELECT coalesce(max(id), 0) FROM _diagnostics", ())
        return int(last)

    def count(self, workspace_id: str, table: str) -> int:
        """How many rows the table holds (0 for an unknown table)."""
        stored = self.table(workspace_id, table)
        if stored is None:
            return 0
        ((n,),) = self._fetch(f"SELECT count(*) FROM {quote_ident(stored.sqlite_name)}", ())  # noqa: S608 - quoted
        return int(n)

    def scan(
        self,
        workspace_id: str,
        table: str,
        time_range: tuple[datetime | None, datetime | None] | None = None,
        columns: Sequence[str] | None = None,
        *,
        include_hidden: bool = False,
        limit: int | None = None,
        newest: bool = False,
    ) -> ScanResult | None:
        """Rows of a table in insertion order, values as the KQL engine reads them (see columns.py); None if the store has no such table.

        Args:
            workspace_id: the workspace's customer id.
            table: the table name (case-insensitive).
            time_range: ``(start, end)`` on ``TimeGenerated``, both inclusive (as the KQL engine's
                ``TableProvider`` has it); either may be None.
            columns: names to return, in this order (standard and hidden ones included); default: all
                visible columns, plus the hidden ones with ``include_hidden``.
            limit: at most this many rows.
            newest: with ``limit``, the last rows inserted rather than the first (still oldest first).

        Raises:
            KeyError: a requested column does not exist.
        """
        stored = self.table(workspace_id, table)
        if stored is None:
            return None
        types = dict(stored.output_columns(include_hidden=True))
        if columns is None:
            names = [n for n, _ in stored.output_columns(include_hidden=include_hidden)]
        else:
            names = list(columns)
        exprs = []
        for name in names:
            expr = stored.select_expr(name)
            if expr is None:
                raise KeyError(f"table {stored.name} has no column {name!r}")
            exprs.append(expr)
        sql = f"SELECT {', '.join(exprs) or 'NULL'} FROM {quote_ident(stored.sqlite_name)}"  # noqa: S608 - quoted
        params: list[Any] = []
        tg = stored.column(TIME_GENERATED)
        if time_range is not None and tg is not None:
            conds = []
            for value, op in zip(time_range, (">=", "<="), strict=True):
                if value is not None:
                    conds.append(f"{quote_ident(tg.physical)} {op} ?")
                    params.append(to_ticks(value))
            if conds:
                sql += " WHERE " + " AND ".join(conds)
        sql += f" ORDER BY {quote_ident(registry.ROW_ID)} {'DESC' if newest else 'ASC'}"
        if limit is not None:
            sql += f" LIMIT {max(0, int(limit))}"
        decoders = [(i, d) for i, n in enumerate(names) if (d := decoder(types[n])) is not None]
        return ScanResult([(n, types[n]) for n in names], self._rows(sql, params, decoders, newest))

    def _rows(
        self, sql: str, params: list[Any], decoders: list[tuple[int, Callable[[Any], Any]]], reverse: bool
    ) -> Iterator[tuple[Any, ...]]:
        def decode(raw: tuple[Any, ...]) -> tuple[Any, ...]:
            if not decoders:
                return raw
            row = list(raw)
            for i, dec in decoders:
                row[i] = dec(row[i])
            return tuple(row)

        if self.path is not None and not reverse:
            return _stream(self.path, sql, params, decode)
        rows = [decode(r) for r in self._fetch(sql, params)]
        if reverse:
            rows.reverse()
        return iter(rows)

    # --- lifecycle ----------------------------------------------------------------------------------

    def close(self) -> None:
        """Close the database (idempotent); every write has committed by then."""
        if self._checkpointer is not None:
            self._checkpointer.stop()
        with self._lock:
            if self._conn is not None:
                if self.path is not None:
                    # Leave everything in the main file and an empty WAL behind.
                    self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                self._conn.close()
                self._conn = None

    async def close_async(self) -> None:
        """Close from the event loop without blocking it (the emulator calls this at shutdown)."""
        import anyio.to_thread

        await anyio.to_thread.run_sync(self.close)


def _stream(
    path: Path, sql: str, params: list[Any], decode: Callable[[tuple[Any, ...]], tuple[Any, ...]]
) -> Iterator[tuple[Any, ...]]:
    # The connection opens on the first row asked for and closes with the iterator.
    reader = _read_only(path)
    try:
        for raw in reader.execute(sql, params):
            yield decode(raw)
    finally:
        reader.close()


def _read_only(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False)
    conn.execute("PRAGMA busy_timeout=10000")
    return conn


def _max_variables(conn: sqlite3.Connection) -> int:
    getlimit = getattr(conn, "getlimit", None)  # Python 3.11+
    if getlimit is not None:
        return int(getlimit(getattr(sqlite3, "SQLITE_LIMIT_VARIABLE_NUMBER", 9)))
    return 999  # the smallest default SQLite ever had
