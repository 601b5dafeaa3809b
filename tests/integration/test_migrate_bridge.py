"""The whole path of issue 15 end to end: legacy senders, ``azlogs migrate``, then the same senders through the bridge.

The PyPI client ``azure-log-analytics-data-collector-api`` (0.4.0, unchanged, run as its own process by
scripts/datacollector_pypi_client.py) and the curl/openssl script post SharedKey-signed JSON to the emulator's
Data Collector API, which makes the classic table. ``azlogs migrate TABLE_CL --output map.json`` (the CLI)
migrates it, makes the DCR and grants it to the VM's identity. The agent runs as a subprocess under
``azlogs emulator env --source vm`` with a ``data-collector`` input whose ``mapping`` is that map.json; the
same two clients, with the same workspace key and payloads, post to the bridge (the PyPI client to its
hard-coded ``{workspace}.ods.opinsights.azure.com``, led to the bridge as a hosts entry would, with the
bridge's certificate for that name). A query written for the old suffixed columns reads all four records.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from tests.emulator_proc import EmulatorProcess
from tests.integration.test_agent_bridge import Bridge, azure_host
from tests.integration.test_agent_harness import reap_agents, wait_rows  # noqa: F401 - autouse
from tests.integration.test_data_collector import table_schema
from tests.integration.test_migrate import (
    CLASSIC_COLUMNS,
    GUIDS,
    curl_post,
    log_type,
    migrate_for_vm,
    pypi_post,
    query_table_typed,
    recent,
    record,
)
from tests.proxy import LoopbackProxy


def body(tmp: Path, name: str, count: int, when: str, guid: str) -> Path:
    path = tmp / f"{name}.json"
    path.write_text(json.dumps([record(name, count, count % 2 == 0, when, guid)]))
    return path


class TestLegacySendersBeforeAndAfterMigration:
    def test_same_clients_land_in_the_same_columns_before_migrate_and_through_the_bridge(
        self, emulator: EmulatorProcess, tmp_path: Path
    ) -> None:
        """PyPI client and curl fill the classic table over SharedKey; after ``azlogs migrate --output``,
        the same clients, key and payload shape, pointed at the bridge (VM identity, migrate's map.json),
        land in the same table; the old-column query returns old and new rows with the same types."""
        lt = log_type()
        table = f"{lt}_CL"
        when = recent
        assert pypi_post(emulator, lt, body(tmp_path, "pypi-old", 1, when(1), GUIDS[0]), "When") == "200"
        assert curl_post(emulator, lt, body(tmp_path, "curl-old", 2, when(2), GUIDS[1])) == "200"
        classic = table_schema(emulator, table)
        assert classic["tableSubType"] == "Classic"
        assert {c["name"]: c["type"] for c in classic["columns"]} == CLASSIC_COLUMNS

        mapping = tmp_path / "map.json"
        out = migrate_for_vm(emulator, table, mapping)
        assert out["migrated"] is True
        assert table_schema(emulator, table)["tableSubType"] == "DataCollectionRuleBased"

        (tmp_path / "bridge").mkdir()
        bridge = Bridge(emulator, tmp_path / "bridge", {}, mapping_file=mapping).start()
        target = f"{azure_host(bridge.workspace)}:443"
        env = {k: v for k, v in os.environ.items() if k.lower() != "no_proxy"}
        with LoopbackProxy(redirect={target: ("127.0.0.1", bridge.port)}) as proxy:
            env["HTTPS_PROXY"] = proxy.url  # the client's process only: its hosts entry for the bridge
            pypi = body(tmp_path, "pypi-new", 3, when(3), GUIDS[2])
            sent = pypi_post(
                emulator, lt, pypi, "When", domain="ods.opinsights.azure.com", ca=bridge.ca, env=env
            )
            assert sent == "200"
            assert proxy.seen.connects == [target]
        curl = body(tmp_path, "curl-new", 4, when(4), GUIDS[0])
        assert curl_post(emulator, lt, curl, base=bridge.base, ca=bridge.ca) == "200"
        wait_rows(emulator, table, 4, agent=bridge.agent)
        assert bridge.agent.stop() == 0
        assert bridge.key not in (tmp_path / "bridge" / "agent.log").read_text()

        assert {c["name"]: c["type"] for c in table_schema(emulator, table)["columns"]} == CLASSIC_COLUMNS
        got = query_table_typed(
            emulator,
            f"{table} | project Name_s, Count_d, Ok_b, When_t, Id_g, TimeGenerated | order by Count_d asc",
        )
        assert got["types"] == ["string", "real", "bool", "datetime", "guid", "datetime"]
        assert [row[:5] for row in got["rows"]] == [
            ["pypi-old", 1.0, False, when(1), GUIDS[0]],
            ["curl-old", 2.0, True, when(2), GUIDS[1]],
            ["pypi-new", 3.0, False, when(3), GUIDS[2]],
            ["curl-new", 4.0, True, when(4), GUIDS[0]],
        ]
        # time-generated-field When, before (the API) and after (migrate's transformKql)
        assert [row[5][:19] for row in got["rows"] if row[0].startswith("pypi")] == [
            when(1)[:19],
            when(3)[:19],
        ]
