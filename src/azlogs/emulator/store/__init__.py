"""The emulator's workspace store (SQLite) and its diagnostics feed.

* :mod:`~azlogs.emulator.store.workspace_store`  writes, ``scan`` for readers, lifecycle
* :mod:`~azlogs.emulator.store.registry`         which SQLite table holds which table; standard columns
* :mod:`~azlogs.emulator.store.columns`          how typed values are kept in SQLite and read back
* :mod:`~azlogs.emulator.store.diagnostics`      what ingestion dropped, changed or refused
* :mod:`~azlogs.emulator.store.checkpoint`       WAL checkpoints off the request path
"""

from __future__ import annotations

from azlogs.emulator.store.diagnostics import Diagnostic
from azlogs.emulator.store.registry import StoredColumn, StoredTable, WorkspaceRef
from azlogs.emulator.store.workspace_store import DB_NAME, ScanResult, TableWrite, WorkspaceStore

__all__ = [
    "DB_NAME",
    "Diagnostic",
    "ScanResult",
    "StoredColumn",
    "StoredTable",
    "TableWrite",
    "WorkspaceRef",
    "WorkspaceStore",
]
