"""`azlogs transform test` runs a DCR transformation locally and says what would land and what would not."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from azlogs.cli import main

SAMPLE = (
    '{"Time":"2024-01-01T10:00:00Z","Message":"disk error","Level":3,"Extra":"x"}\n'
    '{"Time":"2024-01-01T11:00:00Z","Message":"ok","Level":1}\n'
    '{"Time":"not a time","Message":"late","Level":"5"}\n'
)

DCR = {
    "location": "eastus",
    "kind": "Direct",
    "properties": {
        "streamDeclarations": {
            "Custom-App": {
                "columns": [
                    {"name": "Time", "type": "datetime"},
                    {"name": "Message", "type": "string"},
                    {"name": "Level", "type": "int"},
                ]
            }
        },
        "destinations": {
            "logAnalytics": [
                {
                    "workspaceResourceId": "/subscriptions/s/resourceGroups/r/providers/Microsoft.OperationalInsights/workspaces/w",
                    "name": "ws",
                }
            ]
        },
        "dataFlows": [
            {
                "streams": ["Custom-App"],
                "destinations": ["ws"],
                "transformKql": "source | where Level >= 3 | extend TimeGenerated = Time | project-away Time",
                "outputStream": "Custom-App_CL",
            }
        ],
    },
}


def _run(args: list[str]) -> tuple[int, dict[str, object]]:
    result = CliRunner().invoke(main, ["transform", "test", *args, "--json"])
    return result.exit_code, json.loads(result.output) if result.output.strip().startswith("{") else {
        "_": result.output
    }


class TestTransformTest:
    def test_dcr_file_filters_coerces_and_reports(self, tmp_path: Path) -> None:
        """With a DCR file, records are coerced to the stream first, then transformed; losses are listed."""
        sample = tmp_path / "s.ndjson"
        sample.write_text(SAMPLE)
        dcr = tmp_path / "dcr.json"
        dcr.write_text(json.dumps(DCR))
        code, report = _run(["--dcr", str(dcr), str(sample)])
        assert code == 0
        assert report["records_in"] == 3
        assert report["rows_out"] == 2
        rows = report["rows"]
        assert isinstance(rows, list)
        assert [r["Message"] for r in rows] == ["disk error", "late"]
        assert rows[0]["TimeGenerated"] == "2024-01-01T10:00:00Z"
        assert rows[1]["TimeGenerated"] is None  # "not a time" could not be coerced
        assert report["output_columns"] == {"Message": "string", "Level": "int", "TimeGenerated": "datetime"}
        assert report["input_columns_not_in_output"] == ["Time"]
        assert report["dropped_records"] == [
            {"record": 1, "reason": "filtered out by the transformation (where)"}
        ]
        events = report["coercion_events"]
        assert isinstance(events, list)
        kinds = {(e["record"], e["column"], e["kind"]) for e in events}
        assert (0, "Extra", "dropped_undeclared") in kinds
        assert (2, "Time", "coercion_failed") in kinds

    def test_kql_with_inferred_columns(self, tmp_path: Path) -> None:
        """With --kql alone, the input columns are inferred from the sample."""
        sample = tmp_path / "s.ndjson"
        sample.write_text(SAMPLE)
        code, report = _run(
            ["--kql", "source | extend Upper = toupper(Message) | project Upper", str(sample)]
        )
        assert code == 0
        assert [r["Upper"] for r in report["rows"]] == ["DISK ERROR", "OK", "LATE"]  # type: ignore[union-attr]

    def test_check_refuses_query_operators(self) -> None:
        """--check refuses an operator transformations do not allow, with line, column and the fix."""
        result = CliRunner().invoke(
            main, ["transform", "test", "--check", "--kql", "source | summarize count()"]
        )
        assert result.exit_code == 1
        assert "'summarize' is not supported in DCR transformations" in result.output
        assert "line 1, column" in result.output

    def test_check_accepts_a_valid_transformation(self) -> None:
        """--check accepts a documented transformation."""
        result = CliRunner().invoke(
            main,
            [
                "transform",
                "test",
                "--check",
                "--kql",
                "source | extend TimeGenerated = now() | project-away RawData",
            ],
        )
        assert result.exit_code == 0
        assert "valid" in result.output

    def test_needs_exactly_one_of_kql_and_dcr(self) -> None:
        """Neither or both of --kql/--dcr is a usage error (exit 2)."""
        result = CliRunner().invoke(main, ["transform", "test", "-"])
        assert result.exit_code == 2


class TestUnreadableInput:
    def test_bad_and_deep_lines_are_reported(self, tmp_path: Path) -> None:
        """Records nested 300 deep run; lines that cannot be read are named on stderr, with no traceback."""
        data = tmp_path / "deep.ndjson"
        deep = '{"Message": "deep", "Level": 3, "Dyn": ' + "[" * 300 + "]" * 300 + "}"
        data.write_text(f'{deep}\n{{"Message": \n{{"Dyn": {"[" * 2000}{"]" * 2000}}}\n')
        result = CliRunner().invoke(main, ["transform", "test", "--kql", "source", str(data), "--json"])
        assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
        assert f"{data}:2: not valid JSON" in result.stderr
        assert f"{data}:3: not valid JSON: depth limit exceeded" in result.stderr
        out = json.loads(result.stdout)
        assert len(out["rows"]) == 1
