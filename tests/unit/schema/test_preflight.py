"""Preflight: what the service would drop, convert, cut or leave empty, found before sending."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from azlogs import KqlError, SchemaError
from azlogs.schema.infer import infer_schema
from azlogs.schema.model import (
    Column,
    DataCollectionRule,
    DataFlow,
    LogAnalyticsDestination,
    StreamDeclaration,
    TableSchema,
)
from azlogs.schema.preflight import MAX_RECORD_BYTES, Preflight, body_problem, preflight
from azlogs.schema.types import ColumnType

T = ColumnType
UTC = timezone.utc
RECEIVED = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)
WS = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/ws"
STREAM = StreamDeclaration(
    "Custom-App",
    (
        Column("TimeGenerated", T.DATETIME),
        Column("Message", T.STRING),
        Column("Count", T.INT),
        Column("Ok", T.BOOL),
        Column("Context", T.DYNAMIC),
    ),
)
TABLE = TableSchema(
    "App_CL",
    (
        Column("TimeGenerated", T.DATETIME),
        Column("Message", T.STRING),
        Column("Count", T.INT),
        Column("Ok", T.BOOL),
        Column("Context", T.DYNAMIC),
    ),
)
CLEAN = {
    "TimeGenerated": "2024-06-01T11:00:00Z",
    "Message": "hi",
    "Count": 3,
    "Ok": True,
    "Context": {"a": 1},
}


def rule(
    transform: str | None = None, stream: StreamDeclaration = STREAM, table: str = "App_CL"
) -> DataCollectionRule:
    return DataCollectionRule(
        location="eastus",
        kind="Direct",
        stream_declarations=(stream,),
        destinations=(LogAnalyticsDestination("ws", WS),),
        data_flows=(DataFlow((stream.name,), ("ws",), transform, f"Custom-{table}"),),
    )


def run(records: list[Any], dcr: DataCollectionRule | None = None, **kw: Any) -> Any:
    kw.setdefault("tables", {"App_CL": TABLE})
    return preflight(records, dcr or rule(), "Custom-App", received=RECEIVED, **kw)


def kinds(report: Any) -> set[tuple[str, str]]:
    return {(c.kind, c.column) for c in report.columns}


class TestColumns:
    def test_clean_records_report_nothing(self) -> None:
        """Records that match the declaration exactly give no finding and no loss."""
        report = run([CLEAN, dict(CLEAN, Count=4)])
        assert report.columns == [] and report.record_findings == []
        assert not report.lossy
        assert "nothing would be lost" in report.summary()

    def test_undeclared_column_is_dropped(self) -> None:
        """A key the stream does not declare is reported as dropped, with its value, and is a loss."""
        report = run([dict(CLEAN, Extra="x")])
        finding = next(c for c in report.columns if c.column == "Extra")
        assert finding.kind == "dropped" and finding.sample == "x" and finding.is_loss
        assert report.lossy

    def test_wrong_type_lands_empty(self) -> None:
        """A string that is not an integer in an int column is nulled: a loss."""
        report = run([dict(CLEAN, Count="many")])
        assert ("nulled", "Count") in kinds(report)
        assert report.lossy

    def test_number_in_string_column_is_converted_not_lost(self) -> None:
        """A number in a string column is kept as its JSON text: reported, a loss only when strict."""
        records = [dict(CLEAN, Message=12)]
        assert ("coerced", "Message") in kinds(run(records))
        assert not run(records).lossy
        assert run(records, strict=True).lossy

    def test_oversize_value_is_truncated(self) -> None:
        """A string beyond 64 KB is cut: reported with the column, a loss."""
        report = run([dict(CLEAN, Message="x" * 70_000)])
        finding = next(c for c in report.columns if c.kind == "truncated")
        assert finding.column == "Message" and finding.is_loss

    def test_absent_columns_are_counted_not_lost(self) -> None:
        """A declared column a record lacks lands empty; counted per record, not a loss."""
        report = run([{"TimeGenerated": "2024-06-01T11:00:00Z", "Message": "a"}, CLEAN])
        absent = {c.column: c.count for c in report.columns if c.kind == "absent"}
        assert absent == {"Count": 1, "Ok": 1, "Context": 1}
        assert not report.lossy

    def test_findings_fold_per_column_with_first_location(self) -> None:
        """The same problem in many records is one finding: the count and the first record's place."""
        check = Preflight(rule(), "Custom-App", tables={"App_CL": TABLE}, received=RECEIVED)
        for i in range(5):
            check.add(dict(CLEAN, Extra=i), f"f.ndjson:{i + 1}")
        (finding,) = [c for c in check.report().columns if c.column == "Extra"]
        assert finding.count == 5 and finding.first == "f.ndjson:1" and finding.sample == "0"


class TestRecords:
    def test_non_object_record_is_refused(self) -> None:
        """An array element that is not an object would not land."""
        report = run([CLEAN, [1, 2], "text"])
        refused = [r for r in report.record_findings if r.kind == "not_an_object"]
        assert [r.where for r in refused] == ["record 2", "record 3"]
        assert report.records_lost == 2

    def test_undeclared_only_record(self) -> None:
        """A record none of whose keys is declared is an empty row: a loss."""
        report = run([{"nothing": 1}])
        assert [r.kind for r in report.record_findings] == ["undeclared_only"]
        assert report.lossy

    def test_empty_record_is_noted(self) -> None:
        """A record without keys is noted but loses nothing."""
        report = run([{}])
        assert [r.kind for r in report.record_findings] == ["empty"]
        assert not any(r.is_loss for r in report.record_findings)

    def test_record_over_the_request_limit(self) -> None:
        """One record bigger than a request is refused by the service (413)."""
        big = dict(CLEAN, Context={"blob": "y" * (MAX_RECORD_BYTES + 10)})
        report = run([big])
        assert [r.kind for r in report.record_findings] == ["too_large"]

    @pytest.mark.parametrize(
        ("body", "kind"),
        [({"a": 1}, "object_body"), (5, "not_an_object"), ("x", "not_an_object"), ([{"a": 1}], None)],
    )
    def test_body_shape(self, body: Any, kind: str | None) -> None:
        """A body that is one object is ignored by the service (204); only an array is a batch."""
        found = body_problem(body, "f.json")
        assert (found.kind if found else None) == kind

    def test_body_finding_joins_the_report(self) -> None:
        """Preflight.body records an object body as a lost body naming the file."""
        check = Preflight(rule(), "Custom-App", tables={"App_CL": TABLE}, received=RECEIVED)
        check.body({"Message": "x"}, "one.json")
        report = check.report()
        assert report.record_findings[0].where == "one.json" and report.lossy


class TestTimeGenerated:
    def test_missing_time_is_filled_not_lost(self) -> None:
        """No TimeGenerated in the record: the received time is used; noted, not a loss."""
        report = run([{k: v for k, v in CLEAN.items() if k != "TimeGenerated"}])
        assert ("time_filled", "TimeGenerated") in kinds(report)
        assert not report.lossy

    def test_unreadable_time_is_replaced(self) -> None:
        """A TimeGenerated that is not a datetime is replaced by the received time: a loss."""
        report = run([dict(CLEAN, TimeGenerated="yesterday")])
        assert ("time_replaced", "TimeGenerated") in kinds(report)
        assert report.lossy

    def test_old_time_is_replaced(self) -> None:
        """A TimeGenerated older than two days is replaced: a loss."""
        old = (RECEIVED - timedelta(days=3)).isoformat()
        assert ("time_replaced", "TimeGenerated") in kinds(run([dict(CLEAN, TimeGenerated=old)]))


@dataclass
class _Result:
    rows: list[dict[str, Any]] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)


class _FailingTransform:
    """A compiled transformation that fails on records whose Count is 13."""

    output_columns: Mapping[str, str] = {"TimeGenerated": "datetime", "Message": "string"}

    def apply(self, records: Sequence[Mapping[str, Any]]) -> _Result:
        out = _Result()
        for i, r in enumerate(records):
            if r.get("Count") == 13:
                out.errors.append((i, "division by zero"))
            else:
                out.rows.append({"TimeGenerated": r["TimeGenerated"], "Message": r["Message"]})
        return out


def _compiler(transform: Any) -> Callable[..., Any]:
    def compile_it(text: str, input_columns: Mapping[str, str], **kw: Any) -> Any:
        return transform

    return compile_it


class TestTransformation:
    def test_inferred_pipeline_is_clean_on_its_samples(self) -> None:
        """Samples with awkward names go through their inferred transformation with no finding."""
        samples = [
            {"time": "2024-06-01T11:00:00Z", "user-name": "bob", "Type": "x", "ctx": {"a": [1]}},
            {"time": "2024-06-01T11:00:01Z", "user-name": "amy", "Type": "y", "ctx": {"b": 2}},
        ]
        inferred = infer_schema(samples, table="App_CL")
        dcr = inferred.dcr(location="eastus", workspace_resource_id=WS)
        report = preflight(
            samples, dcr, inferred.stream.name, tables={"App_CL": inferred.table}, received=RECEIVED
        )
        assert report.columns == [] and report.record_findings == []
        (step,) = report.transforms
        assert step.status == "ran" and step.rows_out == 2
        assert "user_name" in step.output_columns

    def test_filtered_records_are_reported(self) -> None:
        """Records the transformation's where removes are listed; a loss only when strict."""
        dcr = rule("source | where Count > 1")
        report = run([CLEAN, dict(CLEAN, Count=0)], dcr)
        assert [r.where for r in report.record_findings if r.kind == "filtered"] == ["record 2"]
        assert not report.lossy
        assert run([dict(CLEAN, Count=0)], dcr, strict=True).lossy

    def test_failing_record_is_a_loss(self) -> None:
        """A record the transformation fails on is dropped by the service: reported with the reason."""
        report = run(
            [CLEAN, dict(CLEAN, Count=13)],
            rule("source | extend x = 1"),
            compiler=_compiler(_FailingTransform()),
        )
        (failed,) = [r for r in report.record_findings if r.kind == "transform_failed"]
        assert failed.where == "record 2" and "division by zero" in failed.reason
        assert report.lossy

    def test_output_column_missing_from_table(self) -> None:
        """An output column the table lacks is dropped at the table."""
        report = run([CLEAN], rule("source | extend Extra = 'x'"))
        assert ("not_in_table", "Extra") in kinds(report)
        assert report.lossy

    def test_output_type_differs_from_table(self) -> None:
        """An output column typed differently from the table's column is a mismatch."""
        report = run([CLEAN], rule("source | extend Count = tostring(Count)"))
        assert ("type_mismatch", "Count") in kinds(report)

    def test_int_output_into_a_long_column_is_no_loss(self) -> None:
        """An int output lands in a long column unchanged, as the emulator ingests it (issue 13: validate
        called this a type mismatch)."""
        wide = TableSchema(
            "App_CL", tuple(Column(c.name, T.LONG) if c.name == "Count" else c for c in TABLE.columns)
        )
        report = run([CLEAN], rule("source | extend Count = toint(Count)"), tables={"App_CL": wide})
        assert not report.lossy, report.summary()

    def test_long_output_into_an_int_column_loses_only_what_does_not_fit(self) -> None:
        """A long output into an int column: values in int's range land, a larger one is nulled."""
        dcr = rule("source | extend Count = tolong(Count) * 1000000000")
        assert not run([{**CLEAN, "Count": 2}], dcr).lossy
        report = run([{**CLEAN, "Count": 3}], dcr)
        assert ("out_of_range", "Count") in kinds(report)
        assert report.lossy

    def test_long_output_into_a_real_column_that_rounds(self) -> None:
        """A long output into a real column: a value past 2**53 lands rounded, which is a loss."""
        real = TableSchema(
            "App_CL", tuple(Column(c.name, T.REAL) if c.name == "Count" else c for c in TABLE.columns)
        )
        dcr = rule("source | extend Count = tolong(Count) + 9007199254740990")
        assert not run([{**CLEAN, "Count": 2}], dcr, tables={"App_CL": real}).lossy
        report = run([{**CLEAN, "Count": 3}], dcr, tables={"App_CL": real})
        assert ("rounded", "Count") in kinds(report)

    def test_table_column_never_filled(self) -> None:
        """A table column the flow never produces is noted as unfilled, not lost."""
        report = run([CLEAN], rule("source | project-away Ok"))
        assert ("unfilled", "Ok") in kinds(report)
        assert not report.lossy

    def test_transformation_that_does_not_compile(self) -> None:
        """A transformation the dialect refuses is a failed step: the DCR itself would be refused."""
        report = run([CLEAN], rule("source | summarize count()"))
        (step,) = report.transforms
        assert step.status == "failed" and "summarize" in step.detail
        assert report.lossy

    def test_without_an_engine_the_step_is_said_not_run(self) -> None:
        """With no KQL engine the report says so instead of pretending the data is fine."""
        report = run([CLEAN], rule("source | where Count > 1"), compiler=None)
        (step,) = report.transforms
        assert step.status == "not_run"
        assert "NOT run" in report.summary()

    def test_engine_errors_surface_as_failed_step(self) -> None:
        """A KqlError raised by the given compiler marks the step failed with its message."""

        def refuse(text: str, input_columns: Mapping[str, str], **kw: Any) -> Any:
            raise KqlError("nope")

        report = run([CLEAN], rule("source | extend y = 1"), compiler=refuse)
        assert report.transforms[0].status == "failed" and "nope" in report.transforms[0].detail

    def test_passthrough_columns_checked_against_table(self) -> None:
        """Without a transformation, stream columns the table lacks are dropped at the table."""
        stream = StreamDeclaration("Custom-App", (*STREAM.columns, Column("Only", T.STRING)))
        report = run([CLEAN], rule(None, stream))
        assert report.transforms[0].status == "passthrough"
        assert ("not_in_table", "Only") in kinds(report)

    def test_unknown_table_is_noted(self) -> None:
        """When the destination table is not known the report says its columns were not compared."""
        report = run([CLEAN], tables={})
        assert any("App_CL" in n for n in report.notes)


class TestRefusals:
    def test_undeclared_stream(self) -> None:
        """Checking against a stream the DCR does not declare names the declared ones."""
        with pytest.raises(SchemaError, match="Custom-App"):
            Preflight(rule(), "Custom-Other")

    def test_stream_without_flow(self) -> None:
        """A declared stream that no data flow reads loses everything: refused up front."""
        dcr = DataCollectionRule(location="eastus", stream_declarations=(STREAM,))
        with pytest.raises(SchemaError, match="no data flow"):
            Preflight(dcr, "Custom-App")


class TestReport:
    def test_json_has_every_part(self) -> None:
        """The JSON report carries counts, findings with loss flags, transforms and the summary."""
        data = run([dict(CLEAN, Extra=1), 5]).to_json()
        assert data["lossy"] and data["records"] == 2 and data["records_lost"] == 1
        assert data["columns"][0]["loss"] is True
        assert data["transforms"][0]["status"] == "passthrough"
        assert "would not land" in data["summary"]


_VALUES = {
    T.STRING: st.text(max_size=20),
    T.INT: st.integers(-(2**31), 2**31 - 1),
    T.BOOL: st.booleans(),
    T.DYNAMIC: st.recursive(
        st.none() | st.integers(-100, 100) | st.text(max_size=5),
        lambda c: st.lists(c, max_size=3),
        max_leaves=5,
    ),
}


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.fixed_dictionaries(
            {
                "Message": _VALUES[T.STRING],
                "Count": _VALUES[T.INT],
                "Ok": _VALUES[T.BOOL],
                "Context": _VALUES[T.DYNAMIC],
            }
        ),
        min_size=1,
        max_size=5,
    )
)
def test_records_that_fit_lose_nothing(records: list[dict[str, Any]]) -> None:
    """Any records whose values fit their declared types lose nothing and need no conversion."""
    for r in records:
        r["TimeGenerated"] = "2024-06-01T11:30:00Z"
    report = run(records)
    assert not report.lossy, report.to_json()
    assert [c for c in report.columns if c.kind == "coerced"] == []
