"""The mapping document `azlogs migrate --output` writes and the data-collector bridge reads."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from azlogs._exceptions import ConfigError
from azlogs.schema import migration_map as mm

WS = "0b4e5f2a-0000-4000-8000-000000000001"
ROUTE = mm.LogTypeRoute(
    "MyApp_CL", "https://dcr.example/", "dcr-0123456789abcdef0123456789abcdef", "Custom-MyApp_CL", None
)


class TestDocument:
    def test_round_trip_through_a_file(self, tmp_path: Path) -> None:
        """write_map then read_map gives the same map; the file is the documented version 1 shape."""
        path = tmp_path / "migrate.json"
        m = mm.MigrationMap(
            WS,
            {
                "MyApp": ROUTE,
                "Other": mm.LogTypeRoute("Other_CL", "https://e/", "dcr-1", "Custom-Other_CL", "When"),
            },
        )
        mm.write_map(path, m)
        assert mm.read_map(path) == m
        doc = json.loads(path.read_text())
        assert doc["version"] == 1 and doc["workspace_id"] == WS
        assert doc["log_types"]["MyApp"] == {
            "table": "MyApp_CL",
            "endpoint": "https://dcr.example/",
            "dcr_immutable_id": "dcr-0123456789abcdef0123456789abcdef",
            "stream": "Custom-MyApp_CL",
            "time_generated_field": None,
        }
        assert doc["log_types"]["Other"]["time_generated_field"] == "When"
        assert [p.name for p in tmp_path.iterdir()] == ["migrate.json"]  # no temporary file left

    def test_route_is_exact_then_case_insensitive(self) -> None:
        """A Log-Type finds its route by exact key, else by the one key equal ignoring case."""
        m = mm.MigrationMap(WS, {"MyApp": ROUTE})
        assert m.route("MyApp") is ROUTE
        assert m.route("myapp") is ROUTE
        assert m.route("Nope") is None

    @pytest.mark.parametrize(
        ("doc", "said"),
        [
            ([], "not a JSON object"),
            ({"version": 2, "workspace_id": WS, "log_types": {}}, "version 2"),
            ({"version": 1, "log_types": {}}, "'workspace_id'"),
            ({"version": 1, "workspace_id": WS, "log_types": []}, "'log_types'"),
            (
                {"version": 1, "workspace_id": WS, "log_types": {"A": {"table": "A_CL"}}},
                "log_types.A: 'endpoint'",
            ),
            (
                {
                    "version": 1,
                    "workspace_id": WS,
                    "log_types": {"A": {**ROUTE.to_json(), "time_generated_field": 3}},
                },
                "time_generated_field",
            ),
        ],
    )
    def test_bad_documents_are_refused_with_the_field_named(self, doc: object, said: str) -> None:
        """A document that is not version 1 or lacks a field is a ConfigError naming what is wrong."""
        with pytest.raises(ConfigError, match=said.replace(".", r"\.")):
            mm.from_json(doc)

    def test_unreadable_or_not_json_names_the_path(self, tmp_path: Path) -> None:
        """A missing file or one that is not JSON is a ConfigError naming the path."""
        with pytest.raises(ConfigError, match=r"nope\.json"):
            mm.read_map(tmp_path / "nope.json")
        bad = tmp_path / "bad.json"
        bad.write_text("{")
        with pytest.raises(ConfigError, match=r"bad\.json: not JSON"):
            mm.read_map(bad)


class TestMerged:
    def test_a_second_table_is_added_to_the_same_document(self) -> None:
        """merged adds a Log-Type's route to an earlier document of the same workspace, replacing its own."""
        first = mm.merged(None, WS, "MyApp", ROUTE)
        other = mm.LogTypeRoute("B_CL", "https://e/", "dcr-2", "Custom-B_CL")
        both = mm.merged(first, WS.upper(), "B", other)
        assert set(both.log_types) == {"MyApp", "B"}
        assert mm.merged(both, WS, "B", ROUTE).log_types["B"] is ROUTE

    def test_another_workspaces_document_is_refused(self) -> None:
        """A document for another workspace is not extended (the bridge reads one workspace per file)."""
        first = mm.merged(None, WS, "MyApp", ROUTE)
        with pytest.raises(ConfigError, match="another --output"):
            mm.merged(first, "11111111-0000-4000-8000-000000000001", "B", ROUTE)
