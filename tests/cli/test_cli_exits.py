"""The CLI ends a command in one way: azlogs.cli._exit.exit_with (errors reach it through the group)."""

from __future__ import annotations

import ast
import json
from pathlib import Path

from click.testing import CliRunner

from azlogs.cli import main

CLI = Path(__file__).resolve().parents[2] / "src" / "azlogs" / "cli"


def _exits(tree: ast.AST) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Raise) and node.exc is not None:
            target = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
            if isinstance(target, ast.Name) and target.id == "SystemExit":
                found.append(f"raise SystemExit at line {node.lineno}")
            if isinstance(target, ast.Attribute) and target.attr == "Exit":
                found.append(f"raise ...Exit at line {node.lineno}")
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value
            if node.func.attr == "exit" and isinstance(owner, ast.Name) and owner.id in ("sys", "ctx", "os"):
                found.append(f"{owner.id}.exit at line {node.lineno}")
    return found


def test_no_command_exits_but_through_exit_with() -> None:
    """No module of azlogs.cli calls sys.exit/ctx.exit or raises SystemExit or click's Exit, except the
    __main__ guard and cli/_exit.py itself."""
    offenders = {}
    for path in CLI.glob("*.py"):
        if path.name == "_exit.py":
            continue
        tree = ast.parse(path.read_text())
        body = [n for n in tree.body if not (isinstance(n, ast.If) and "__main__" in ast.unparse(n.test))]
        found = _exits(ast.Module(body=body, type_ignores=[]))
        if found:
            offenders[path.name] = found
    assert offenders == {}


def test_each_exit_code_reaches_the_shell(tmp_path: Path) -> None:
    """A config error ends with 2, a check that finds a loss with 1, each without a traceback."""
    runner = CliRunner()
    bad = tmp_path / "agent.toml"
    bad.write_text("[[input]]\ntype = 'file'\n")
    usage = runner.invoke(main, ["agent", "check", "--config", str(bad)])
    assert usage.exit_code == 2, usage.output
    assert "error:" in usage.output and "Traceback" not in usage.output

    dcr = {
        "location": "eastus",
        "properties": {
            "streamDeclarations": {"Custom-T": {"columns": [{"name": "TimeGenerated", "type": "datetime"}]}},
            "destinations": {
                "logAnalytics": [
                    {
                        "name": "la",
                        "workspaceResourceId": "/subscriptions/s/resourceGroups/r/providers/Microsoft.OperationalInsights/workspaces/w",
                    }
                ]
            },
            "dataFlows": [
                {
                    "streams": ["Custom-T"],
                    "destinations": ["la"],
                    "outputStream": "Custom-T_CL",
                    "transformKql": "source",
                }
            ],
        },
    }
    table = {
        "properties": {"schema": {"name": "T_CL", "columns": [{"name": "TimeGenerated", "type": "datetime"}]}}
    }
    (tmp_path / "dcr.json").write_text(json.dumps(dcr))
    (tmp_path / "table.json").write_text(json.dumps(table))
    (tmp_path / "rows.ndjson").write_text('{"TimeGenerated": "2026-12-04T00:00:00Z", "Extra": 1}\n')
    args = ["validate", "--dcr", str(tmp_path / "dcr.json"), "--table-schema", str(tmp_path / "table.json")]
    lossy = runner.invoke(main, [*args, str(tmp_path / "rows.ndjson")])
    assert lossy.exit_code == 1, lossy.output
    assert "Traceback" not in lossy.output
    (tmp_path / "ok.ndjson").write_text('{"TimeGenerated": "2026-12-04T00:00:00Z"}\n')
    ok = runner.invoke(main, [*args, str(tmp_path / "ok.ndjson")])
    assert ok.exit_code == 0, ok.output
