"""Ingestion plans and the pipeline: coercion, the transformation hook, mapping to tables, diagnostics."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from azlogs.emulator.ingestion import pipeline
from azlogs.emulator.ingestion.errors import Refusal
from azlogs.emulator.ingestion.plan import (
    ColumnMap,
    StreamPlan,
    TransformUnavailable,
    compile_plan,
    unavailable_message,
)
from azlogs.emulator.ingestion.report import RequestReport
from azlogs.emulator.store.columns import to_ticks
from azlogs.schema.model import LogAnalyticsDestination, StreamDeclaration
from azlogs.schema.types import ColumnType
from tests.unit.emulator.test_ingestion_helpers import APP_COLUMNS, FakeControl, rule, table_schema

NOW = datetime(2024, 5, 6, 12, 0, tzinfo=timezone.utc)
T = ColumnType


def make_plan(
    control: FakeControl, body: Any = None, *, stream: str = "Custom-App", factory: Any = None
) -> StreamPlan:
    dcr = control.add_dcr("r", body or rule())
    decl = dcr.rule.stream(stream)
    assert decl is not None
    kwargs = {"transform_factory": factory} if factory else {}
    return compile_plan(dcr, decl, control, field_limit=64, **kwargs)


def run(plan: StreamPlan, records: Any) -> tuple[list[Any], list[Any]]:
    report = RequestReport("t", "rid", "", plan.dcr.immutable_id, plan.stream.name)
    writes = pipeline.run(plan, records, NOW, report)
    return writes, report.entries()


def kinds(entries: list[Any]) -> dict[tuple[str, str], Any]:
    return {(e.kind, e.column_name): e for e in entries}


@pytest.fixture
def control() -> FakeControl:
    c = FakeControl()
    c.add_table(table_schema())
    return c


class TestColumnMap:
    def test_types_adapt_drop_or_mismatch(self) -> None:
        """Same types pass, int feeds real, string feeds guid; absent columns drop; other types mismatch."""
        table = table_schema(
            "T_CL",
            [
                {"name": "TimeGenerated", "type": "datetime"},
                {"name": "A", "type": "real"},
                {"name": "B", "type": "guid"},
                {"name": "C", "type": "int"},
                {"name": "D", "type": "dynamic"},
            ],
        )
        cmap = ColumnMap.compile(
            {
                "TimeGenerated": T.DATETIME,
                "A": T.INT,
                "B": T.STRING,
                "C": T.STRING,
                "D": T.DYNAMIC,
                "E": T.LONG,
            },
            table,
        )
        assert cmap.columns == ("TimeGenerated", "A", "B", "D")
        assert cmap.dropped == ("E",) and [c for c, _ in cmap.mismatched] == ["C"]
        row = {"TimeGenerated": NOW, "A": 3, "B": "g", "C": "x", "D": {"k": [1]}, "E": 1}
        assert cmap.build([row]) == [(to_ticks(NOW), 3.0, "g", '{"k":[1]}')]
        assert cmap.build([{**row, "TimeGenerated": None, "A": None, "D": None}]) == [(None, None, "g", None)]

    def test_odd_column_names_and_no_columns(self) -> None:
        """Names are only ever data in the generated row builder; a map with no columns builds empty tuples."""
        odd = "x'); import os #"
        table = table_schema(
            "T_CL", [{"name": "TimeGenerated", "type": "datetime"}, {"name": odd, "type": "string"}]
        )
        assert ColumnMap.compile({odd: T.STRING}, table).build([{odd: "v"}]) == [("v",)]
        assert ColumnMap.compile({"Z": T.STRING}, table).build([{"Z": 1}]) == [()]


class TestPassThrough:
    def test_records_are_coerced_and_mapped(self, control: FakeControl) -> None:
        """A source data flow writes coerced records to its table in the destination workspace."""
        plan = make_plan(control)
        writes, entries = run(
            plan, [{"TimeGenerated": NOW.isoformat(), "Computer": "a", "Code": "7", "Props": [1]}]
        )
        (w,) = writes
        assert w.workspace.customer_id == control.workspace.customer_id and w.schema.name == "App_CL"
        row = dict(zip(w.columns, w.rows[0], strict=True))
        assert row["Code"] == 7 and row["Computer"] == "a" and row["Props"] == "[1]"
        assert row["TimeGenerated"] == to_ticks(NOW) and w.time_received == to_ticks(NOW)
        assert kinds(entries)[("coerced", "Code")].record_index == 0

    def test_silent_changes_are_reported(self, control: FakeControl) -> None:
        """Undeclared columns, failed coercions, truncation and TimeGenerated fill/clamp all become entries."""
        plan = make_plan(control)
        old = (NOW - timedelta(days=3)).isoformat()
        records = [
            {"TimeGenerated": NOW.isoformat(), "Extra": 1, "Code": "many"},
            {"TimeGenerated": old, "Message": "é" * 40, "Extra": 2},
            {"Computer": "no time"},
        ]
        writes, entries = run(plan, records)
        found = kinds(entries)
        assert found[("dropped_undeclared", "Extra")].count == 2
        assert found[("coercion_failed", "Code")].record_index == 0
        assert found[("truncated", "Message")].record_index == 1
        assert found[("time_clamped", "TimeGenerated")].record_index == 1
        assert found[("time_filled", "TimeGenerated")].record_index == 2
        rows = [dict(zip(writes[0].columns, r, strict=True)) for r in writes[0].rows]
        assert len(rows[1]["Message"].encode()) <= 64 and rows[1]["TimeGenerated"] == to_ticks(NOW)

    def test_object_scalar_and_element_bodies(self, control: FakeControl) -> None:
        """An object or scalar body writes nothing; non-object elements are skipped, the rest written."""
        plan = make_plan(control)
        for bad in ({"Computer": "x"}, "text", 5, None):
            writes, entries = run(plan, bad)
            assert writes == [] and [e.kind for e in entries] == ["object_body"]
        writes, entries = run(plan, [1, {"Computer": "kept"}, [2]])
        assert len(writes[0].rows) == 1
        skipped = kinds(entries)[("not_an_object", "")]
        assert (skipped.record_index, skipped.count) == (0, 2)
        assert run(plan, []) == ([], [])

    def test_table_lacking_stream_columns(self, control: FakeControl) -> None:
        """Stream columns the table lacks are dropped with an entry counting the records that had a value."""
        control.add_table(
            table_schema(
                "Small_CL",
                [{"name": "TimeGenerated", "type": "datetime"}, {"name": "Computer", "type": "string"}],
            )
        )
        plan = make_plan(control, rule(table="Small_CL"))
        writes, entries = run(plan, [{"Computer": "a", "Code": 1}, {"Computer": "b"}, {"Code": 2}])
        assert writes[0].columns == ("TimeGenerated", "Computer")
        dropped = kinds(entries)[("dropped_not_in_table", "Code")]
        assert (dropped.table_name, dropped.record_index, dropped.count, dropped.sample) == (
            "Small_CL",
            0,
            2,
            "1",
        )
        _, entries = run(plan, ["skipped", {"Computer": "b"}, {"Code": 2}])
        assert kinds(entries)[("dropped_not_in_table", "Code")].record_index == 2  # the index in the request

    def test_stream_without_time_generated_gets_the_received_time(self, control: FakeControl) -> None:
        """No TimeGenerated in the stream: the table's is filled with the received time, and that is recorded."""
        cols = [c for c in APP_COLUMNS if c["name"] != "TimeGenerated"]
        plan = make_plan(control, rule(columns=cols))
        writes, entries = run(plan, [{"Computer": "a"}, {"Computer": "b"}])
        assert writes[0].constants == {"TimeGenerated": to_ticks(NOW)}
        assert kinds(entries)[("time_filled", "TimeGenerated")].count == 2

    def test_missing_table_or_workspace(self, control: FakeControl) -> None:
        """An output table or destination workspace that does not exist: nothing written, an entry says which."""
        record = {"TimeGenerated": NOW.isoformat(), "Computer": "a"}
        writes, entries = run(make_plan(control, rule(table="Gone_CL")), [record])
        assert writes == []
        (entry,) = entries
        assert (
            entry.kind == "table_missing"
            and entry.table_name == "Gone_CL"
            and "does not exist" in entry.reason
        )
        elsewhere = LogAnalyticsDestination(
            "la", "/subscriptions/x/resourceGroups/y/providers/z/workspaces/none"
        )
        writes, entries = run(make_plan(control, replace(rule(), destinations=(elsewhere,))), [record])
        assert writes == [] and [(e.kind, e.count) for e in entries] == [("workspace_missing", 1)]
        assert "workspaces/none does not exist" in entries[0].reason


@dataclass
class Result:
    rows: list[dict[str, Any]] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)


class FakeTransform:
    """Keeps records with Code > 1, adds Doubled, fails on Code == 0."""

    output_columns = {"TimeGenerated": "datetime", "Computer": "string", "Code": "long", "Doubled": "long"}

    def apply(self, records: Sequence[Mapping[str, Any]], *, budget: object = None) -> Result:
        out = Result()
        for i, r in enumerate(records):
            if r["Code"] == 0:
                out.errors.append((i, "division by zero"))
            elif r["Code"] > 1:
                out.rows.append(
                    {
                        "TimeGenerated": r["TimeGenerated"],
                        "Computer": r["Computer"],
                        "Code": r["Code"],
                        "Doubled": 2 * r["Code"],
                    }
                )
        return out


class TestTransformationHook:
    def test_without_a_kql_engine_the_request_is_refused(self, control: FakeControl) -> None:
        """A transformation the emulator cannot run is a 400 with the promised message, never faked."""

        def absent(text: str, cols: Mapping[str, str]) -> Any:
            raise TransformUnavailable("no module named azlogs.kql")

        with pytest.raises(Refusal) as info:
            make_plan(control, rule(transform="source | extend X = 1"), factory=absent)
        assert info.value.status == 400
        assert info.value.message == unavailable_message(0, "source | extend X = 1")
        assert info.value.message.startswith(
            "transformations other than `source` arrive with the KQL engine (issue 5)"
        )

    def test_a_transformation_that_cannot_compile(self, control: FakeControl) -> None:
        """An engine error while compiling is a 400 naming the data flow and the DCR."""

        def broken(text: str, cols: Mapping[str, str]) -> Any:
            raise ValueError("unexpected token")

        with pytest.raises(Refusal) as info:
            make_plan(control, rule(transform="source | bogus"), factory=broken)
        assert info.value.code == "TransformationFailed" and "data flow 0" in info.value.message

    def test_transform_rows_errors_and_time(self, control: FakeControl) -> None:
        """Output rows land (long feeds int, extra output columns dropped), errors and time settling are reported."""
        seen: dict[str, Any] = {}

        def factory(text: str, cols: Mapping[str, str]) -> FakeTransform:
            seen.update(text=text, cols=dict(cols))
            return FakeTransform()

        plan = make_plan(control, rule(transform="source | where Code > 1"), factory=factory)
        assert seen["text"] == "source | where Code > 1" and seen["cols"]["Props"] == "dynamic"
        old = (NOW - timedelta(days=5)).isoformat()
        writes, entries = run(
            plan, [{"Code": 0}, {"Code": 1}, {"Code": 5, "Computer": "x", "TimeGenerated": old}]
        )
        rows = [dict(zip(writes[0].columns, r, strict=True)) for r in writes[0].rows]
        assert rows == [{"TimeGenerated": to_ticks(NOW), "Computer": "x", "Code": 5}]
        found = kinds(entries)
        assert (
            found[("transform_error", "")].record_index == 0
            and "division by zero" in found[("transform_error", "")].reason
        )
        assert ("dropped_not_in_table", "Doubled") in found and ("time_clamped", "TimeGenerated") in found

    def test_the_real_kql_engine_is_wired(self, control: FakeControl) -> None:
        """With azlogs.kql present, a transformKql runs through it."""
        plan = make_plan(
            control, rule(transform="source | where Code >= 3 | extend Computer = strcat(Computer, '!')")
        )
        writes, _ = run(plan, [{"Code": 1, "Computer": "a"}, {"Code": 4, "Computer": "b"}])
        rows = [dict(zip(writes[0].columns, r, strict=True)) for r in writes[0].rows]
        assert [(r["Code"], r["Computer"]) for r in rows] == [(4, "b!")]


def test_stream_declaration_is_kept_in_the_plan(control: FakeControl) -> None:
    """The plan's coercer is built for the stream of the URL."""
    plan = make_plan(control)
    assert isinstance(plan.stream, StreamDeclaration) and plan.coercer.stream is plan.stream
