"""azlogs migrate over real HTTPS: legacy senders fill a classic table, then the Logs Ingestion API keeps it.

Before the migration, the PyPI client ``azure-log-analytics-data-collector-api`` (0.4.0, unchanged; run by
scripts/datacollector_pypi_client.py) and a curl/openssl script with the documented signature post to the
emulator's Data Collector API. ``azlogs migrate`` (the CLI, a subprocess) then migrates the table and makes
the DCR; ``azlogs send`` posts the same legacy JSON with the VM's managed identity; a query written for the
old suffixed columns reads old and new records with the same types.
"""

from __future__ import annotations

import base64
import datetime
import importlib.util
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.emulator_proc import AZLOGS, EmulatorProcess, run_with_env
from tests.integration.test_data_collector import post_data, query, shared_keys, table_schema
from tests.provisioning import admin_token

SCRIPTS = Path(__file__).parent / "scripts"
CURL_SCRIPT = SCRIPTS / "datacollector_post.sh"
PYPI_CLIENT = SCRIPTS / "datacollector_pypi_client.py"
HAS_PYPI_CLIENT = importlib.util.find_spec("datacollectorapi") is not None
# The columns the Data Collector API made of record()'s properties (the tables API's types).
CLASSIC_COLUMNS = {
    "TimeGenerated": "dateTime",
    "Name_s": "string",
    "Count_d": "real",
    "Ok_b": "boolean",
    "When_t": "dateTime",
    "Id_g": "guid",
}
GUIDS = ["5cdad72f-c848-4df0-8aaa-ffe033e75d57", "b6bee458-fb65-492e-996d-61c4d7fbb942", str(uuid.uuid4())]


def recent(hour: int) -> str:
    """An hour of yesterday (UTC) as ISO text: within the two days before ingestion that Azure keeps as sent
    (an older TimeGenerated is replaced by the ingestion time), whatever day the suite runs."""
    day = (datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=1)).date()
    return f"{day.isoformat()}T{hour:02d}:00:00Z"


def log_type() -> str:
    return "MigrateTest" + uuid.uuid4().hex[:8]


def record(name: str, count: int, ok: bool, when: str, guid: str) -> dict[str, Any]:
    """A record as legacy senders post it: plain property names, JSON types."""
    return {"Name": name, "Count": count, "Ok": ok, "When": when, "Id": guid}


def migrate(emu: EmulatorProcess, *args: str) -> subprocess.CompletedProcess[str]:
    argv = [AZLOGS, "migrate", *args, "--data-dir", str(emu.data_dir)]
    return subprocess.run(argv, capture_output=True, text=True, timeout=120, check=False)


def migrate_json(emu: EmulatorProcess, *args: str) -> dict[str, Any]:
    r = migrate(emu, *args, "--json")
    assert r.returncode == 0, r.stderr
    return dict(json.loads(r.stdout))


def migrate_for_vm(emu: EmulatorProcess, table: str, mapping: Path) -> dict[str, Any]:
    """``azlogs migrate TABLE --time-generated-field When`` granting the VM's identity, the map in ``mapping``."""
    args = ["--time-generated-field", "When", "--assignee", vm_principal(emu), "--output", str(mapping)]
    return migrate_json(emu, table, *args)


def curl_post(emu: EmulatorProcess, lt: str, body: Path, *, base: str = "", ca: str = "") -> str:
    """The curl/openssl script's status, posting to the emulator's Data Collector API (or ``base``)."""
    info = emu.info
    args = ["sh", str(CURL_SCRIPT), base or info.endpoints.data_collector, info.workspace.id, lt]
    args += [ca or info.ca_cert, str(body)]
    env = {"PATH": os.environ["PATH"], "SHARED_KEY": shared_keys(emu)["primarySharedKey"]}
    return subprocess.run(args, env=env, capture_output=True, text=True, check=True, timeout=60).stdout


def pypi_post(
    emu: EmulatorProcess,
    lt: str,
    body: Path,
    time_field: str = "",
    *,
    domain: str = "",
    ca: str = "",
    env: dict[str, str] | None = None,
) -> str:
    """The PyPI client's status, posting to the emulator's ``ods.localhost`` domain (or ``domain``, trusting
    ``ca``, in ``env``: the environment of the client's process)."""
    info = emu.info
    domain = domain or f"ods.localhost:{urlsplit(info.endpoints.arm).port}"
    env = {
        **(os.environ if env is None else env),
        "SHARED_KEY": shared_keys(emu)["primarySharedKey"],
        "REQUESTS_CA_BUNDLE": ca or info.ca_cert,
    }
    argv = [sys.executable, str(PYPI_CLIENT), info.workspace.id, domain, lt, str(body), time_field]
    return subprocess.run(
        argv, env=env, capture_output=True, text=True, check=True, timeout=60
    ).stdout.strip()


def arm_get(emu: EmulatorProcess, path: str, version: str) -> Any:
    with emu.https() as c:
        r = c.get(
            path,
            params={"api-version": version},
            headers={"Authorization": f"Bearer {admin_token(emu.info)}"},
        )
    return r


def vm_principal(emu: EmulatorProcess) -> str:
    return str(emu.identity("vm").principal_id)


class TestMigratePath:
    @pytest.mark.skipif(
        not HAS_PYPI_CLIENT, reason="azure-log-analytics-data-collector-api (test extra) missing"
    )
    def test_legacy_clients_then_logs_ingestion_land_in_the_same_columns(
        self, emulator: EmulatorProcess, tmp_path: Path
    ) -> None:
        """Learn's sample, the PyPI client and curl fill the classic table; after azlogs migrate, azlogs send
        (VM identity) lands the same legacy JSON in the same suffixed columns; the old query reads all alike."""
        lt = log_type()
        old = tmp_path / "old.json"
        old.write_text(json.dumps([record("pypi", 1, True, recent(1), GUIDS[0])]))
        assert pypi_post(emulator, lt, old, "When") == "200"
        old.write_text(json.dumps([record("curl", 2, False, recent(2), GUIDS[1].upper())]))
        assert curl_post(emulator, lt, old) == "200"
        rid = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Web/sites/app1"
        key = shared_keys(emulator)["primarySharedKey"]
        body = json.dumps([record("learn", 0, True, recent(0), GUIDS[0])])
        learn = post_data(emulator, emulator.info.workspace.id, key, body, lt, {"x-ms-AzureResourceId": rid})
        assert learn.status_code == 200
        classic = table_schema(emulator, f"{lt}_CL")
        assert classic["tableSubType"] == "Classic"
        assert {c["name"]: c["type"] for c in classic["columns"]} == CLASSIC_COLUMNS

        mapping = tmp_path / "migrate.json"
        out = migrate_for_vm(emulator, f"{lt}_CL", mapping)
        assert out["migrated"] is True and out["already_migrated"] is False
        assert table_schema(emulator, f"{lt}_CL")["tableSubType"] == "DataCollectionRuleBased"
        doc = json.loads(mapping.read_text())
        assert doc["workspace_id"] == emulator.info.workspace.id
        route = doc["log_types"][lt]
        assert route == {
            "table": f"{lt}_CL",
            "endpoint": out["endpoint"],
            "dcr_immutable_id": out["dcr_immutable_id"],
            "stream": f"Custom-{lt}_CL",
            "time_generated_field": "When",
        }

        new = tmp_path / "new.json"
        new.write_text(json.dumps([record("send", 3, True, recent(3), GUIDS[2])]))
        argv = [AZLOGS, "send", "--endpoint", route["endpoint"], "--dcr", route["dcr_immutable_id"]]
        sent = run_with_env(emulator, "vm", [*argv, "--stream", route["stream"], str(new)])
        assert sent.returncode == 0, sent.stderr

        table = query_table_typed(
            emulator, f"{lt}_CL | project Name_s, Count_d, Ok_b, When_t, Id_g | order by Count_d asc"
        )
        assert table["types"] == ["string", "real", "bool", "datetime", "guid"]
        assert table["rows"] == [
            ["learn", 0.0, True, recent(0), GUIDS[0]],
            ["pypi", 1.0, True, recent(1), GUIDS[0]],
            ["curl", 2.0, False, recent(2), GUIDS[1]],
            ["send", 3.0, True, recent(3), GUIDS[2]],
        ]
        # x-ms-AzureResourceId became _ResourceId; the Logs Ingestion API leaves it empty (as Azure does).
        rids = query(emulator, f"{lt}_CL | order by Count_d asc | project _ResourceId")
        assert [r["_ResourceId"] for r in rids] == [rid, "", "", ""]
        times = query(
            emulator,
            f"{lt}_CL | where Name_s in ('pypi', 'send') | order by Count_d asc | project TimeGenerated",
        )
        assert [t["TimeGenerated"][:19] for t in times] == [recent(1)[:19], recent(3)[:19]]


def query_table_typed(emu: EmulatorProcess, kql: str) -> dict[str, Any]:
    from tests.provisioning import query_table

    table = query_table(emu.info, kql)
    return {"types": [c["type"] for c in table["columns"]], "rows": table["rows"]}


class TestMigrateIsSafe:
    def test_migrate_twice_changes_nothing(self, emulator: EmulatorProcess) -> None:
        """A second run says already migrated, with the same DCR, and leaves the DCR document as it was."""
        ws, key = emulator.info.workspace.id, shared_keys(emulator)["primarySharedKey"]
        lt = log_type()
        assert post_data(emulator, ws, key, json.dumps({"Name": "a", "Count": 1}), lt).status_code == 200
        first = migrate_json(emulator, f"{lt}_CL", "--assignee", vm_principal(emulator))
        dcr_before = arm_get(emulator, first["dcr_id"], "2023-03-11").json()
        second = migrate_json(emulator, f"{lt}_CL", "--assignee", vm_principal(emulator))
        assert second["already_migrated"] is True and second["changed"] is False
        assert second["dcr_immutable_id"] == first["dcr_immutable_id"]
        assert {c["action"] for c in second["changes"]} == {"unchanged"}
        assert arm_get(emulator, first["dcr_id"], "2023-03-11").json() == dcr_before
        text = migrate(emulator, f"{lt}_CL")
        assert text.returncode == 0 and text.stdout.startswith("already migrated:"), text.stdout

    def test_dry_run_changes_nothing(self, emulator: EmulatorProcess) -> None:
        """--dry-run prints the plan and the transformKql; the table stays classic and no DCR is made."""
        ws, key = emulator.info.workspace.id, shared_keys(emulator)["primarySharedKey"]
        lt = log_type()
        assert post_data(emulator, ws, key, json.dumps({"Name": "a", "Ok": True}), lt).status_code == 200
        plan = migrate_json(emulator, f"{lt}_CL", "--dry-run")
        assert plan["dry_run"] is True and plan["classic"] is True and plan["dcr_state"] == "absent"
        assert plan["transform_kql"] == (
            "source | extend TimeGenerated = now(), Name_s = tostring(Name), Ok_b = tobool(Ok)"
            " | project TimeGenerated, Name_s, Ok_b"
        )
        assert plan["stream_declaration"] == {
            "columns": [{"name": "Name", "type": "string"}, {"name": "Ok", "type": "boolean"}]
        }
        text = migrate(emulator, f"{lt}_CL", "--dry-run")
        assert text.returncode == 0 and "transformKql:" in text.stdout
        assert table_schema(emulator, f"{lt}_CL")["tableSubType"] == "Classic"
        assert arm_get(emulator, plan["dcr_id"], "2023-03-11").status_code == 404

    def test_type_conflict_is_refused_with_the_column_named(self, emulator: EmulatorProcess) -> None:
        """A property stored as Name_s and Name_d is refused (exit 1) naming both and the fix; nothing changes.
        With --field-type Name=dynamic the migration goes through and a number lands in Name_d again."""
        ws, key = emulator.info.workspace.id, shared_keys(emulator)["primarySharedKey"]
        lt = log_type()
        assert post_data(emulator, ws, key, json.dumps({"Name": "a"}), lt).status_code == 200
        assert post_data(emulator, ws, key, json.dumps({"Name": 5}), lt).status_code == 200
        refused = migrate(emulator, f"{lt}_CL")
        assert refused.returncode == 1
        assert "Name_s (string)" in refused.stderr and "Name_d (real)" in refused.stderr, refused.stderr
        assert "--field-type Name=dynamic" in refused.stderr
        assert table_schema(emulator, f"{lt}_CL")["tableSubType"] == "Classic"

        out = migrate_json(
            emulator, f"{lt}_CL", "--field-type", "Name=dynamic", "--assignee", vm_principal(emulator)
        )
        argv = [AZLOGS, "send", "--endpoint", out["endpoint"], "--dcr", out["dcr_immutable_id"], "--stream"]
        sent = run_with_env(emulator, "vm", [*argv, out["stream"], "-"], stdin='{"Name": 7}\n{"Name": "b"}\n')
        assert sent.returncode == 0, sent.stderr
        rows = query(emulator, f"{lt}_CL | project Name_s, Name_d | order by Name_d asc, Name_s asc")
        assert sorted((r["Name_s"], r["Name_d"]) for r in rows) == [
            ("", 5.0),
            ("", 7.0),
            ("a", None),
            ("b", None),
        ]

    def test_a_mapping_document_of_another_workspace_is_refused_before_anything_changes(
        self, emulator: EmulatorProcess, tmp_path: Path
    ) -> None:
        """--output naming another workspace's document exits 2 naming both; the table stays classic."""
        ws, key = emulator.info.workspace.id, shared_keys(emulator)["primarySharedKey"]
        lt = log_type()
        assert post_data(emulator, ws, key, json.dumps({"Name": "a"}), lt).status_code == 200
        other = tmp_path / "other.json"
        other.write_text(json.dumps({"version": 1, "workspace_id": str(uuid.uuid4()), "log_types": {}}))
        before = other.read_text()
        r = migrate(emulator, f"{lt}_CL", "--output", str(other))
        assert r.returncode == 2 and "another --output" in r.stderr, r.stderr
        assert table_schema(emulator, f"{lt}_CL")["tableSubType"] == "Classic"
        assert other.read_text() == before

    def test_a_table_that_does_not_exist_is_a_usage_error(self, emulator: EmulatorProcess) -> None:
        """Migrating a table that is not there exits 2 and names it."""
        r = migrate(emulator, "Nope" + uuid.uuid4().hex[:6] + "_CL")
        assert r.returncode == 2 and "does not exist" in r.stderr


class TestRetiredSwitch:
    def test_off_answers_404_and_retired_still_ingests(self, tmp_path: Path) -> None:
        """--data-collector-api off: the endpoint is gone (404); retired (config file): it still ingests,
        as Learn says it does after 2026-09-14."""
        off = EmulatorProcess(tmp_path / "off", "--data-collector-api", "off")
        off.start()
        try:
            r = post_data(off, off.info.workspace.id, shared_keys(off)["primarySharedKey"], "{}", log_type())
            assert r.status_code == 404 and r.content == b""
        finally:
            off.stop()
        config = tmp_path / "emulator.toml"
        config.write_text('[emulator]\ndata_collector_api = "retired"\n')
        retired = EmulatorProcess(tmp_path / "retired", "--config", str(config))
        retired.start()
        try:
            ws = retired.info.workspace.id
            wrong = base64.b64encode(b"k" * 64).decode()
            assert post_data(retired, ws, wrong, json.dumps({"a": 1}), log_type()).status_code == 403
            key = shared_keys(retired)["primarySharedKey"]
            assert post_data(retired, ws, key, json.dumps({"a": 1}), log_type()).status_code == 200
        finally:
            retired.stop()
