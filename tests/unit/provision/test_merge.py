"""Create and merge rules: never change what exists in create mode; add, never drop, never retype in merge."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from azlogs import SchemaError
from azlogs.provision import Spec
from azlogs.provision._merge import _guid_keys, _reinfer, holds, plan_dcr, plan_pipeline
from azlogs.schema.infer import infer_schema
from azlogs.schema.model import (
    Column,
    DataCollectionRule,
    DataFlow,
    LogAnalyticsDestination,
    StreamDeclaration,
)
from azlogs.schema.types import ColumnType

T = ColumnType
WS = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/law"
BASE = [
    {"time": "2024-06-01T10:00:00Z", "user-name": "bob", "count": 1, "Type": "a", "ctx": {"k": [1]}},
    {"time": "2024-06-01T10:00:01Z", "user-name": "amy", "count": 2, "Type": "b", "ctx": {"k": 2}},
]


def spec(records: list[dict[str, Any]], transform: str | None = None) -> Spec:
    return Spec.from_inferred(infer_schema(records, table="App_CL"), transform)


def existing(s: Spec) -> dict[str, Any]:
    """What exists after a first provisioning of ``s``."""
    return {"table": s.table, "stream": s.stream, "transform_kql": s.transform_kql}


class TestHolds:
    @pytest.mark.parametrize(
        ("old", "new", "ok"),
        [
            (T.STRING, T.INT, True),
            (T.DYNAMIC, T.BOOL, True),
            (T.REAL, T.LONG, True),
            (T.LONG, T.INT, True),
            (T.INT, T.LONG, False),
            (T.INT, T.STRING, False),
            (T.DATETIME, T.STRING, False),
            (T.GUID, T.STRING, False),
            (T.BOOL, T.BOOL, True),
        ],
    )
    def test_which_types_keep_new_values(self, old: ColumnType, new: ColumnType, ok: bool) -> None:
        """A column keeps its type only when that type holds the new values without loss."""
        assert holds(old, new) is ok


class TestCreate:
    def test_nothing_exists(self) -> None:
        """With nothing there, the plan is the spec itself."""
        s = spec(BASE)
        plan = plan_pipeline(s, "create", table=None, stream=None, transform_kql=None)
        assert plan.table == s.table and plan.stream == s.stream and plan.transform_kql == s.transform_kql

    def test_same_again_is_the_same(self) -> None:
        """What exists and matches is planned unchanged."""
        s = spec(BASE)
        plan = plan_pipeline(s, "create", **existing(s))
        assert plan.table == s.table and plan.table_added == []

    def test_differences_are_refused_and_named(self) -> None:
        """Create mode never changes what exists; the error names every difference and suggests merge."""
        s = spec(BASE)
        wider = spec([{**r, "new": 1} for r in BASE])
        with pytest.raises(SchemaError) as info:
            plan_pipeline(wider, "create", **existing(s))
        text = str(info.value)
        assert "new columns new" in text and "--mode merge" in text


class TestMerge:
    def test_new_columns_are_added_never_dropped(self) -> None:
        """Merge appends the new columns to table and stream and keeps every old one in place."""
        s = spec(BASE)
        more = spec([{**r, "extra value": True} for r in BASE[:1]])
        plan = plan_pipeline(more, "merge", **existing(s))
        assert [c.name for c in plan.table.columns][: len(s.table.columns)] == [
            c.name for c in s.table.columns
        ]
        assert plan.table_added == ["extra_value"] and plan.stream_added == ["extra value"]
        assert "extra_value = ['extra value']" in plan.transform_kql

    def test_fewer_columns_drop_nothing(self) -> None:
        """Samples lacking old columns leave table, stream and transformation as they are."""
        s = spec(BASE)
        fewer = spec([{"time": "2024-06-01T10:00:00Z", "count": 5}])
        plan = plan_pipeline(fewer, "merge", **existing(s))
        assert plan.table.columns == s.table.columns and plan.stream.columns == s.stream.columns
        assert plan.transform_kql == s.transform_kql

    def test_type_change_is_refused_with_the_reason(self) -> None:
        """A column whose values no longer fit its type is refused, naming the column and both types."""
        s = spec(BASE)
        changed = spec([{**BASE[0], "count": "many"}])
        with pytest.raises(SchemaError) as info:
            plan_pipeline(changed, "merge", **existing(s))
        text = str(info.value)
        assert "column count is int; the new data needs string" in text
        assert "cannot change the type" in text

    def test_wider_type_that_fits_is_kept(self) -> None:
        """A string column whose new samples look numeric stays string, with a note."""
        s = spec([{"time": "2024-06-01T10:00:00Z", "code": "x1"}])
        numeric = spec([{"time": "2024-06-01T10:00:00Z", "code": 7}])
        plan = plan_pipeline(numeric, "merge", **existing(s))
        assert plan.table.column("code") == Column("code", T.STRING)
        assert any("stays string" in n for n in plan.notes)

    def test_hand_written_transformation_is_not_rewritten(self) -> None:
        """A DCR transformation that inference would not write is refused unless --transform is given."""
        s = spec(BASE)
        more = spec([{**BASE[0], "z": 1}])
        state = {**existing(s), "transform_kql": "source | where count > 0"}
        with pytest.raises(SchemaError, match="--transform"):
            plan_pipeline(more, "merge", **state)
        given_t = spec([{**BASE[0], "z": 1}], transform="source | extend TimeGenerated = now()")
        assert (
            plan_pipeline(given_t, "merge", **state).transform_kql == "source | extend TimeGenerated = now()"
        )

    def test_new_key_that_would_move_an_old_rename(self) -> None:
        """A new valid key equal to an old rename's target would move old data: refused."""
        s = spec([{"time": "2024-06-01T10:00:00Z", "a-b": "x"}])
        clash = spec([{"time": "2024-06-01T10:00:00Z", "a-b": "x", "a_b": "y"}])
        with pytest.raises(SchemaError, match="change where existing fields land"):
            plan_pipeline(clash, "merge", **existing(s))


_KEYS = st.text(alphabet="abcXYZ019 -_.$é", min_size=1, max_size=8) | st.sampled_from(
    ["Type", "id", "TenantId", "TimeGenerated", "time", "a-b", "a_b", "_x"]
)
_VALUES = st.one_of(
    st.integers(-(2**40), 2**40),
    st.booleans(),
    st.text(alphabet="abc", max_size=4),
    st.just("2024-06-01T10:00:00Z"),
    st.just("1b4e28ba-2fa1-11d2-883f-0016d3cca427"),
    st.dictionaries(st.just("k"), st.integers(0, 3), max_size=1),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.dictionaries(_KEYS, _VALUES, min_size=1, max_size=6), min_size=1, max_size=3))
def test_reinference_gives_back_the_inferred_transformation(records: list[dict[str, Any]]) -> None:
    """For any samples, inference over their stream alone writes the same transformation: merges of
    a pipeline azlogs created recognise its transformation as azlogs' own."""
    try:
        inferred = infer_schema(records, table="App_CL")
    except SchemaError:
        return
    s = Spec.from_inferred(inferred)
    again = _reinfer(inferred.stream, "App_CL", inferred.time_column, _guid_keys(s))
    assert again.transform_kql == inferred.transform_kql
    assert plan_pipeline(s, "merge", **existing(s)).transform_kql == inferred.transform_kql


class TestDcrPlan:
    def test_new_rule_is_direct_with_one_flow(self) -> None:
        """A new DCR is kind Direct: the stream, one destination, one flow into the table."""
        s = spec(BASE)
        plan = plan_pipeline(s, "create", table=None, stream=None, transform_kql=None)
        rule = plan_dcr(None, plan, location="eastus", workspace_resource_id=WS, dce_id=None)
        assert rule.kind == "Direct" and rule.data_collection_endpoint_id is None
        (flow,) = rule.data_flows
        assert flow.output_stream == "Custom-App_CL" and flow.transform_kql == s.transform_kql

    def test_other_streams_and_flows_are_kept(self) -> None:
        """Updating a DCR replaces only this stream and its flow; the rest stays, destination reused."""
        s = spec(BASE)
        other = StreamDeclaration("Custom-Other", (Column("x", T.STRING),))
        current = DataCollectionRule(
            location="eastus",
            kind="Direct",
            stream_declarations=(other, s.stream),
            destinations=(LogAnalyticsDestination("la", WS.upper()),),
            data_flows=(
                DataFlow(("Custom-Other",), ("la",), "source", "Custom-Other_CL"),
                DataFlow((s.stream.name,), ("la",), "source", "Custom-App_CL"),
            ),
        )
        plan = plan_pipeline(s, "merge", table=s.table, stream=s.stream, transform_kql=None)
        rule = plan_dcr(current, plan, location="eastus", workspace_resource_id=WS, dce_id="/x/dce")
        assert [d.name for d in rule.stream_declarations] == ["Custom-Other", s.stream.name]
        assert [d.name for d in rule.destinations] == ["la"]
        assert rule.data_flows[0] == current.data_flows[0]
        assert rule.data_flows[1] == replace(current.data_flows[1], transform_kql=s.transform_kql)
        assert rule.data_collection_endpoint_id == "/x/dce"
