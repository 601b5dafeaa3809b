"""The workspace store: tables per workspace, typed values back as values.md says, transactions, restarts."""

from __future__ import annotations

import contextlib
import gc
import math
import sqlite3
import threading
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from azlogs.emulator.store import Diagnostic, TableWrite, WorkspaceRef, WorkspaceStore
from azlogs.emulator.store.columns import encoder, format_ticks, from_ticks, to_ticks
from azlogs.schema.model import TableSchema
from azlogs.schema.types import ColumnType

WS = WorkspaceRef(
    "AAAAAAAA-1111-2222-3333-444444444444", "/subscriptions/s/resourceGroups/rg/providers/x/workspaces/law"
)
WS_ID = WS.customer_id.lower()
T0 = datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=timezone.utc)


def schema(name: str = "App_CL", extra: list[tuple[str, str]] | None = None) -> TableSchema:
    cols = [
        ("TimeGenerated", "dateTime"),
        ("Computer", "string"),
        ("Code", "int"),
        ("Big", "long"),
        ("Ratio", "real"),
        ("Ok", "boolean"),
        ("Props", "dynamic"),
        ("Id", "guid"),
        *(extra or []),
    ]
    body = {"properties": {"schema": {"name": name, "columns": [{"name": n, "type": t} for n, t in cols]}}}
    return TableSchema.from_arm(body, name=name)


def encode_rows(
    table: TableSchema, rows: list[dict[str, Any]]
) -> tuple[tuple[str, ...], list[tuple[Any, ...]]]:
    names = tuple(c.name for c in table.columns)
    encoders = [encoder(c.type) for c in table.columns]
    out = []
    for row in rows:
        out.append(tuple(e(row.get(n)) if e else row.get(n) for n, e in zip(names, encoders, strict=True)))
    return names, out


def write(
    store: WorkspaceStore, table: TableSchema, rows: list[dict[str, Any]], received: datetime = T0
) -> None:
    names, encoded = encode_rows(table, rows)
    store.write([TableWrite(WS, table, names, encoded, to_ticks(received))])


@pytest.fixture(params=["file", "memory"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[WorkspaceStore]:
    s = WorkspaceStore(tmp_path / "ws.db" if request.param == "file" else None)
    yield s
    s.close()


def scan_dicts(store: WorkspaceStore, table: str = "App_CL", **kwargs: Any) -> list[dict[str, Any]]:
    result = store.scan(WS.customer_id, table, **kwargs)
    assert result is not None
    names = [n for n, _ in result.columns]
    return [dict(zip(names, r, strict=True)) for r in result.rows]


class TestTicks:
    def test_round_trip_and_rendering(self) -> None:
        """Datetimes become 100-ns ticks since 0001-01-01 and come back equal, tz-aware UTC."""
        assert to_ticks(datetime(1, 1, 1, tzinfo=timezone.utc)) == 0
        assert (
            to_ticks(datetime(1970, 1, 1, tzinfo=timezone.utc)) == 621_355_968_000_000_000
        )  # .NET's Unix epoch
        back = from_ticks(to_ticks(T0))
        assert back == T0 and back.tzinfo is not None
        assert format_ticks(to_ticks(T0)) == "2024-05-06T07:08:09.1234560Z"
        naive = T0.replace(tzinfo=None)
        assert to_ticks(naive) == to_ticks(T0)
        assert to_ticks(T0.astimezone(timezone(timedelta(hours=5)))) == to_ticks(T0)


class TestValues:
    def test_values_come_back_as_values_md_says(self, store: WorkspaceStore) -> None:
        """Every table type reads back as the shared representation; null strings read as ''."""
        table = schema()
        full = {
            "TimeGenerated": T0,
            "Computer": "vm-1",
            "Code": 7,
            "Big": 2**62,
            "Ratio": 0.25,
            "Ok": True,
            "Props": {"a": [1, "x", None, {"b": False}]},
            "Id": "5b7ba0ac-3fa2-4e0f-9c1e-2f1b6ee3a1e0",
        }
        empty = {"TimeGenerated": T0}
        write(store, table, [full, empty])
        first, second = scan_dicts(store)
        assert {k: first[k] for k in full} == full
        assert isinstance(first["Ok"], bool) and first["TimeGenerated"].tzinfo is not None
        assert second["Computer"] == "" and second["Id"] == ""
        assert second["Code"] is None and second["Ok"] is None and second["Props"] is None

    def test_real_keeps_nan_and_infinities(self, store: WorkspaceStore) -> None:
        """A real column reads back NaN and the infinities (SQLite alone turns a NaN into NULL)."""
        table = schema()
        write(
            store, table, [{"TimeGenerated": T0, "Ratio": v} for v in (math.nan, math.inf, -math.inf, None)]
        )
        ratios = [r["Ratio"] for r in scan_dicts(store)]
        assert math.isnan(ratios[0]) and ratios[1:] == [math.inf, -math.inf, None]

    def test_dynamic_json_values_of_every_kind(self, store: WorkspaceStore) -> None:
        """A dynamic column keeps strings, numbers, booleans, arrays and objects as JSON values."""
        table = schema()
        values: list[Any] = ["text", 12, 1.5, False, [1, 2], {"k": "v"}, "null"]
        write(store, table, [{"TimeGenerated": T0, "Props": v} for v in values])
        assert [r["Props"] for r in scan_dicts(store)] == values

    def test_standard_columns(self, store: WorkspaceStore) -> None:
        """TenantId, Type, _ResourceId are visible; _TimeReceived, _ItemId, _IngestionTime are hidden."""
        table = schema()
        received = T0 + timedelta(seconds=3)
        write(store, table, [{"TimeGenerated": T0}, {"TimeGenerated": T0}], received)
        visible = scan_dicts(store)
        assert list(visible[0])[:2] == ["TenantId", "TimeGenerated"]
        assert list(visible[0])[-2:] == ["Type", "_ResourceId"]
        assert (
            visible[0]["TenantId"] == WS_ID
            and visible[0]["Type"] == "App_CL"
            and visible[0]["_ResourceId"] == ""
        )
        hidden = scan_dicts(store, include_hidden=True)
        assert all(r["_TimeReceived"] == received for r in hidden)
        assert all(r["_IngestionTime"] >= received for r in hidden)
        ids = [r["_ItemId"] for r in hidden]
        assert len(set(ids)) == 2 and all(str(uuid.UUID(i)) == i for i in ids)
        assert [r["_ItemId"] for r in scan_dicts(store, include_hidden=True)] == ids  # stable

    def test_resource_id_is_kept_per_write(self, store: WorkspaceStore) -> None:
        """A write that names a resource (the Data Collector API's x-ms-AzureResourceId) keeps it in
        _ResourceId for its rows; other writes read ''."""
        table = schema()
        names, rows = encode_rows(table, [{"TimeGenerated": T0, "Code": 1}])
        rid = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1"
        store.write([TableWrite(WS, table, names, rows, to_ticks(T0), resource_id=rid)])
        write(store, table, [{"TimeGenerated": T0, "Code": 2}])
        got = sorted((r["Code"], r["_ResourceId"]) for r in scan_dicts(store))
        assert got == [(1, rid), (2, "")]

    def test_columns_time_range_limit_and_newest(self, store: WorkspaceStore) -> None:
        """scan selects columns, filters TimeGenerated inclusively, and takes the first or last rows."""
        table = schema()
        write(store, table, [{"TimeGenerated": T0 + timedelta(minutes=i), "Code": i} for i in range(10)])
        rows = scan_dicts(
            store,
            columns=["Code", "_ItemId"],
            time_range=(T0 + timedelta(minutes=2), T0 + timedelta(minutes=4)),
        )
        assert [r["Code"] for r in rows] == [2, 3, 4] and list(rows[0]) == ["Code", "_ItemId"]
        assert [r["Code"] for r in scan_dicts(store, columns=["Code"], time_range=(None, T0))] == [0]
        assert [r["Code"] for r in scan_dicts(store, columns=["Code"], limit=3)] == [0, 1, 2]
        assert [r["Code"] for r in scan_dicts(store, columns=["Code"], limit=3, newest=True)] == [7, 8, 9]
        with pytest.raises(KeyError):
            store.scan(WS.customer_id, "App_CL", columns=["Nope"])
        assert store.scan(WS.customer_id, "Other_CL") is None
        assert store.count(WS.customer_id, "app_cl") == 10 and store.count(WS.customer_id, "Other_CL") == 0


class TestSchemaChanges:
    def test_columns_added_removed_and_declared_again(self, store: WorkspaceStore) -> None:
        """Added columns appear; removed ones are hidden with their data; declared again, the data is back."""
        write(store, schema(), [{"TimeGenerated": T0, "Computer": "a"}])
        with_note = schema(extra=[("Note", "string")])
        write(store, with_note, [{"TimeGenerated": T0, "Computer": "b", "Note": "n"}])
        assert [(r["Computer"], r["Note"]) for r in scan_dicts(store)] == [("a", ""), ("b", "n")]
        store.ensure_table(WS, schema())
        assert "Note" not in scan_dicts(store)[0]
        store.ensure_table(WS, with_note)
        assert [r["Note"] for r in scan_dicts(store)] == ["", "n"]

    def test_type_change_and_case_clash_get_columns_of_their_own(self, store: WorkspaceStore) -> None:
        """A column declared again with another type, or differing only in case, does not reuse a SQLite column."""
        write(store, schema(extra=[("Note", "string")]), [{"TimeGenerated": T0, "Note": "text"}])
        changed = schema(extra=[("Note", "int"), ("note", "string")])
        write(store, changed, [{"TimeGenerated": T0, "Note": 5, "note": "lower"}])
        rows = scan_dicts(store)
        assert [(r["Note"], r["note"]) for r in rows] == [(None, ""), (5, "lower")]
        stored = store.table(WS.customer_id, "App_CL")
        assert stored is not None and len({c.physical.lower() for c in stored.columns}) == len(stored.columns)

    def test_drop_table(self, store: WorkspaceStore) -> None:
        """A dropped table and its rows are gone; dropping an unknown one says False."""
        write(store, schema(), [{"TimeGenerated": T0}])
        assert store.drop_table(WS.customer_id, "APP_CL") is True
        assert store.scan(WS.customer_id, "App_CL") is None and store.tables() == []
        assert store.drop_table(WS.customer_id, "App_CL") is False


class TestTransactions:
    def test_a_failing_write_leaves_nothing(self, store: WorkspaceStore) -> None:
        """One transaction per write: when a later table fails, the earlier table's rows and DDL are gone too."""
        good = schema("Good_CL")
        names, rows = encode_rows(good, [{"TimeGenerated": T0}])
        bad = TableWrite(WS, schema("Bad_CL"), ("NoSuchColumn",), [(1,)], 0)
        with pytest.raises(KeyError):
            store.write([TableWrite(WS, good, names, rows, 0), bad], [_diag("x")])
        assert store.tables() == [] and store.diagnostics() == []
        write(store, good, [{"TimeGenerated": T0}])  # the store is still usable
        assert store.count(WS.customer_id, "Good_CL") == 1

    def test_constants_fill_a_column_for_every_row(self, store: WorkspaceStore) -> None:
        """A constant (TimeGenerated filled with the received time) is written into each row."""
        table = schema()
        store.write([TableWrite(WS, table, ("Code",), [(1,), (2,)], 0, {"TimeGenerated": to_ticks(T0)})])
        assert [(r["Code"], r["TimeGenerated"]) for r in scan_dicts(store)] == [(1, T0), (2, T0)]

    def test_concurrent_writers_lose_nothing(self, store: WorkspaceStore) -> None:
        """Eight threads writing at once: every row is stored once."""
        table = schema()

        def writer(k: int) -> None:
            for batch in range(5):
                write(
                    store,
                    table,
                    [{"TimeGenerated": T0, "Code": k, "Big": batch * 100 + i} for i in range(100)],
                )

        threads = [threading.Thread(target=writer, args=(k,)) for k in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        keys = [(r["Code"], r["Big"]) for r in scan_dicts(store)]
        assert len(keys) == 4000 and len(set(keys)) == 4000

    def test_many_rows_span_several_statements(self, store: WorkspaceStore) -> None:
        """A request larger than one multi-row INSERT statement is written whole and in order."""
        table = schema()
        write(store, table, [{"TimeGenerated": T0, "Big": i} for i in range(1234)])
        assert [r["Big"] for r in scan_dicts(store)] == list(range(1234))


class TestPersistence:
    def test_reopened_store_has_tables_rows_and_diagnostics(self, tmp_path: Path) -> None:
        """Closing and opening the same file keeps everything, and the WAL is checkpointed away on close."""
        path = tmp_path / "ws.db"
        first = WorkspaceStore(path)
        write(first, schema(extra=[("Note", "string")]), [{"TimeGenerated": T0, "Note": "kept"}])
        first.record_diagnostics([_diag("kept")])
        first.close()
        first.close()  # idempotent
        wal = path.with_name(path.name + "-wal")
        assert not wal.exists() or wal.stat().st_size == 0
        again = WorkspaceStore(path)
        try:
            assert [r["Note"] for r in scan_dicts(again)] == ["kept"]
            assert [d.reason for d in again.diagnostics()] == ["kept"]
            write(again, schema(extra=[("Note", "string")]), [{"TimeGenerated": T0, "Note": "more"}])
            assert [r["Note"] for r in scan_dicts(again)] == ["kept", "more"]
        finally:
            again.close()

    def test_a_table_made_before_resource_ids_were_stored_is_upgraded(self, tmp_path: Path) -> None:
        """A table whose SQLite table has no _ResourceId column (an older data dir) gets it on open:
        old rows read '', new writes keep theirs."""
        path = tmp_path / "ws.db"
        s = WorkspaceStore(path)
        table = schema()
        write(s, table, [{"TimeGenerated": T0, "Code": 1}])
        s.close()
        conn = sqlite3.connect(path)
        conn.execute(f'ALTER TABLE "{WS_ID}/App_CL" DROP COLUMN "_ResourceId"')
        conn.commit()
        conn.close()
        s = WorkspaceStore(path)
        try:
            assert [r["_ResourceId"] for r in scan_dicts(s)] == [""]
            names, rows = encode_rows(table, [{"TimeGenerated": T0, "Code": 2}])
            s.write([TableWrite(WS, table, names, rows, to_ticks(T0), resource_id="/subscriptions/s/x")])
            assert sorted(r["_ResourceId"] for r in scan_dicts(s)) == ["", "/subscriptions/s/x"]
        finally:
            s.close()

    def test_file_is_plain_sqlite_in_wal_mode(self, tmp_path: Path) -> None:
        """Another process can read the file with sqlite3; the journal mode is WAL."""
        path = tmp_path / "ws.db"
        s = WorkspaceStore(path)
        try:
            write(s, schema(), [{"TimeGenerated": T0, "Computer": "x"}])
            # A sqlite3 connection's ``with`` commits, it does not close: closing() does (3.13 warns otherwise).
            with contextlib.closing(sqlite3.connect(path)) as conn:
                assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
                name = f"{WS_ID}/App_CL"
                assert conn.execute(f'SELECT Computer FROM "{name}"').fetchall() == [("x",)]
        finally:
            s.close()


def _diag(reason: str, dcr: str = "dcr-1", stream: str = "Custom-A") -> Diagnostic:
    return Diagnostic("2024-01-01T00:00:00+00:00", "req", "", 204, dcr, stream, "coerced", reason)


class TestDiagnostics:
    def test_cap_filters_and_after(self, tmp_path: Path) -> None:
        """The feed keeps the newest entries, filters by DCR and stream, and pages with after."""
        s = WorkspaceStore(tmp_path / "ws.db", diagnostics_cap=5)
        try:
            s.record_diagnostics([_diag(str(i), dcr="dcr-a" if i % 2 else "dcr-b") for i in range(8)])
            everything = s.diagnostics(limit=100)
            assert [d.reason for d in everything] == ["3", "4", "5", "6", "7"]
            assert [d.reason for d in s.diagnostics(dcr="DCR-A")] == ["3", "5", "7"]
            assert [d.reason for d in s.diagnostics(limit=2)] == ["6", "7"]
            assert [d.reason for d in s.diagnostics(after=everything[2].id)] == ["6", "7"]
            assert s.diagnostics(stream="Custom-B") == []
            assert Diagnostic.from_json(everything[0].to_json()) == everything[0]
        finally:
            s.close()


JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=10,
)
ROW = st.fixed_dictionaries(
    {
        "TimeGenerated": st.datetimes(
            min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=st.just(timezone.utc)
        ),
        "Computer": st.text(max_size=30),
        "Code": st.none() | st.integers(-(2**31), 2**31 - 1),
        "Big": st.none() | st.integers(-(2**63), 2**63 - 1),
        "Ratio": st.none() | st.floats(allow_nan=False, allow_infinity=False),
        "Ok": st.none() | st.booleans(),
        "Props": JSON,
        "Id": st.uuids().map(str),
    }
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(ROW, min_size=1, max_size=5))
def test_what_is_written_is_what_is_read(rows: list[dict[str, Any]]) -> None:
    """Any typed row of any table type reads back equal (the store adds only standard columns)."""
    s = WorkspaceStore(None)
    try:
        write(s, schema(), rows)
        back = scan_dicts(s)
        for want, got in zip(rows, back, strict=True):
            assert {k: got[k] for k in want} == want
        assert all(type(got["Ok"]) in (bool, type(None)) for got in back)
        result = s.scan(WS.customer_id, "App_CL")
        assert result is not None and dict(result.columns)["TimeGenerated"] is ColumnType.DATETIME
    finally:
        s.close()


def test_a_file_that_is_not_a_database_is_refused_and_left_closed(tmp_path: Path) -> None:
    """Opening a store over a file that is not SQLite raises and leaves no connection to the GC (Python
    3.13 reports one as a ResourceWarning, which make compat fails on)."""
    path = tmp_path / "ws.db"
    path.write_bytes(b"not a database, " * 512)
    with pytest.raises(sqlite3.DatabaseError):
        WorkspaceStore(path)
    gc.collect()
