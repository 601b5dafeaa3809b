"""ingestion_time() over the workspace store: the hidden _IngestionTime of each row, read only when asked.

Source: Kusto's ingestion_time() page (MicrosoftDocs/dataexplorer-docs, data-explorer/kusto/query/
ingestion-time-function.md): the approximate time the record was ingested into its table.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from azlogs.emulator.query.plane import StoreProvider
from azlogs.emulator.store import WorkspaceStore
from azlogs.kql import run_query
from tests.unit.emulator.test_store import T0, WS_ID, schema, write


class TestIngestionTime:
    def test_rows_of_a_table_have_their_commit_time(self) -> None:
        """ingestion_time() of a stored row is when the store committed it, not its TimeGenerated."""
        store = WorkspaceStore(None)
        try:
            before = datetime.now(timezone.utc) - timedelta(seconds=1)
            write(store, schema(), [{"TimeGenerated": T0, "Computer": "a"}])
            after = datetime.now(timezone.utc) + timedelta(seconds=1)
            result = run_query(
                "App_CL | extend t = ingestion_time() | project Computer, t", StoreProvider(store, WS_ID)
            )
        finally:
            store.close()
        table = result.tables[0]
        assert table.columns == [("Computer", "string"), ("t", "datetime")]
        ((computer, ingested),) = table.rows
        assert computer == "a"
        assert before <= ingested <= after

    def test_hidden_column_is_not_in_the_output(self) -> None:
        """Reading the hidden column for ingestion_time() adds no column to the result."""
        store = WorkspaceStore(None)
        try:
            write(store, schema(), [{"TimeGenerated": T0, "Computer": "a"}])
            result = run_query(
                "App_CL | where ingestion_time() > datetime(2000-01-01)", StoreProvider(store, WS_ID)
            )
        finally:
            store.close()
        names = [n for n, _ in result.tables[0].columns]
        assert "_IngestionTime" not in names
        assert len(result.tables[0].rows) == 1

    def test_rows_not_from_a_table_have_none(self) -> None:
        """Over print/datatable rows ingestion_time() is null."""
        store = WorkspaceStore(None)
        try:
            result = run_query("print t = ingestion_time()", StoreProvider(store, WS_ID))
        finally:
            store.close()
        assert result.tables[0].rows == [[None]]
