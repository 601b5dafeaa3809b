"""A DCR's diagnostic setting (category LogErrors): what the pipeline drops becomes DCRLogErrors rows."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import orjson
import pytest

from azlogs.emulator.control.api import MONITORING_READER, READER
from azlogs.facts import LOG_ANALYTICS_READER_ROLE_ID
from azlogs.provision import emulator_credential
from azlogs.schema.template import DCR_API_VERSION, TABLE_API_VERSION
from tests.emulator_proc import AZLOGS, EmulatorProcess, run_with_env
from tests.provisioning import arm_client, grant, monitor_client, query_table

DIAG_API = "2021-05-01-preview"
# azure-monitor-query 1.4.1 (MetricsQueryClient) in a venv of its own: `make mqc`, tests/mqc/requirements-mqc.lock.
REPO = Path(__file__).resolve().parents[2]
MQC_PYTHON = REPO / ".venv-mqc" / "bin" / "python"
MQC_SCRIPT = REPO / "tests" / "integration" / "scripts" / "metrics_query_client.py"


def setup_dcr(emu: EmulatorProcess, name: str, *, diagnostic: bool = True) -> tuple[str, dict[str, Any]]:
    """Table Errs_CL, a Direct DCR whose transformation can fail per record, and (optionally) its
    diagnostic setting sending LogErrors to the tenant's workspace. Returns (DCR id, DCR)."""
    info = emu.info
    ws = info.workspace.resource_id
    rg = f"/subscriptions/{info.subscription_id}/resourceGroups/{info.resource_group}"
    dcr_id = f"{rg}/providers/Microsoft.Insights/dataCollectionRules/{name}"
    table = {
        "properties": {
            "schema": {
                "name": "Errs_CL",
                "columns": [
                    {"name": "TimeGenerated", "type": "datetime"},
                    {"name": "Msg", "type": "string"},
                    {"name": "Count", "type": "int"},
                    {"name": "Hit", "type": "string"},
                ],
            }
        }
    }
    dcr_body = {
        "location": info.location,
        "kind": "Direct",
        "properties": {
            "streamDeclarations": {
                "Custom-Errs": {
                    "columns": [
                        {"name": "TimeGenerated", "type": "datetime"},
                        {"name": "Msg", "type": "string"},
                        {"name": "Count", "type": "int"},
                        {"name": "Pattern", "type": "string"},
                    ]
                }
            },
            "destinations": {"logAnalytics": [{"workspaceResourceId": ws, "name": "ws"}]},
            "dataFlows": [
                {
                    "streams": ["Custom-Errs"],
                    "destinations": ["ws"],
                    "transformKql": "source | extend Hit = extract(Pattern, 0, Msg) | project-away Pattern",
                    "outputStream": "Custom-Errs_CL",
                }
            ],
        },
    }
    with arm_client(info) as arm:
        arm.put(f"{ws}/tables/Errs_CL", TABLE_API_VERSION, table)
        dcr = arm.put(dcr_id, DCR_API_VERSION, dcr_body)
        if diagnostic:
            arm.put(
                f"{dcr_id}/providers/Microsoft.Insights/diagnosticSettings/to-law",
                DIAG_API,
                {"properties": {"workspaceId": ws, "logs": [{"category": "LogErrors", "enabled": True}]}},
            )
    grant(info, dcr_id, info.admin.principal_id)
    return dcr_id, dcr


def send_bad_records(emu: EmulatorProcess, dcr: dict[str, Any]) -> None:
    """One good record, one with an undeclared column, one with a type mismatch, one failing the transformation."""
    credential = emulator_credential(emu.info)
    try:
        token = credential.get_token("https://monitor.azure.com/.default").token
    finally:
        credential.close()
    now = dt.datetime.now(dt.timezone.utc).isoformat()
    records = [
        {"TimeGenerated": now, "Msg": "fine", "Count": 1, "Pattern": "f"},
        {"TimeGenerated": now, "Msg": "extra", "Count": 2, "Pattern": "x", "Color": "red"},
        {"TimeGenerated": now, "Msg": "typed", "Count": "many", "Pattern": "t"},
        {"TimeGenerated": now, "Msg": "broken", "Count": 4, "Pattern": "("},
    ]
    props = dcr["properties"]
    url = f"{props['endpoints']['logsIngestion']}/dataCollectionRules/{props['immutableId']}/streams/Custom-Errs"
    with emu.https() as client:
        r = client.post(
            url,
            params={"api-version": "2023-01-01"},
            content=orjson.dumps(records),
            headers={
                "Authorization": f"Bearer {token}",
                "Content-Type": "application/json",
                "x-ms-client-request-id": "req-17",
            },
        )
    assert r.status_code == 204, r.text


class TestDiagnosticSettings:
    def test_put_get_list_delete(self, fresh_emulator: EmulatorProcess) -> None:
        """A DCR's diagnostic setting has ARM's shape; unknown categories and workspaces are refused."""
        dcr_id, _ = setup_dcr(fresh_emulator, "dcr-diag-arm")
        setting = f"{dcr_id}/providers/Microsoft.Insights/diagnosticSettings/to-law"
        ws = fresh_emulator.info.workspace.resource_id
        with arm_client(fresh_emulator.info) as arm:
            got = arm.get(setting, DIAG_API)
            assert got is not None and got["name"] == "to-law"
            assert got["type"] == "Microsoft.Insights/diagnosticSettings"
            assert got["properties"]["workspaceId"] == ws
            assert got["properties"]["logs"][0]["category"] == "LogErrors"
            listed = arm.list(f"{dcr_id}/providers/Microsoft.Insights/diagnosticSettings", DIAG_API)
            assert [s["name"] for s in listed] == ["to-law"]
            bad = arm.request(
                "PUT",
                f"{setting}2",
                DIAG_API,
                body={"properties": {"workspaceId": ws, "logs": [{"category": "Audit", "enabled": True}]}},
                ok=(400,),
            )
            assert bad is not None and "Category 'Audit' is not supported" in bad.text
            cats = arm.list(f"{dcr_id}/providers/Microsoft.Insights/diagnosticSettingsCategories", DIAG_API)
            assert [(c["name"], c["properties"]["categoryType"]) for c in cats] == [
                ("LogErrors", "Logs"),
                ("AllMetrics", "Metrics"),
            ]
            arm.request("DELETE", setting, DIAG_API)
            assert arm.get(setting, DIAG_API) is None


class TestDcrLogErrors:
    def test_dropped_data_becomes_rows(self, fresh_emulator: EmulatorProcess) -> None:
        """Undeclared column, type mismatch and transformation error each give a DCRLogErrors row of the DCR."""
        dcr_id, dcr = setup_dcr(fresh_emulator, "dcr-log-errors")
        send_bad_records(fresh_emulator, dcr)
        table = query_table(
            fresh_emulator.info,
            f"DCRLogErrors | where _ResourceId =~ '{dcr_id}' "
            "| project OperationName, InputStreamId, ClientRequestId, Message, Type | sort by Message asc",
        )
        rows = table["rows"]
        assert [r[0] for r in rows] == ["Ingestion", "Ingestion", "Transformation"]
        assert {r[1] for r in rows} == {"Custom-Errs"} and {r[2] for r in rows} == {"req-17"}
        assert rows[0][3].startswith("[coercion_failed]") and "column 'Count'" in rows[0][3]
        assert rows[1][3].startswith("[dropped_undeclared]") and "column 'Color'" in rows[1][3]
        assert rows[2][3].startswith("[transform_error]") and "invalid regular expression" in rows[2][3]
        assert {r[4] for r in rows} == {"DCRLogErrors"}

    def test_no_rows_without_a_diagnostic_setting(self, fresh_emulator: EmulatorProcess) -> None:
        """Without a diagnostic setting Azure writes no DCRLogErrors, and neither does the emulator."""
        _, dcr = setup_dcr(fresh_emulator, "dcr-quiet", diagnostic=False)
        send_bad_records(fresh_emulator, dcr)
        assert query_table(fresh_emulator.info, "DCRLogErrors | count")["rows"] == [[0]]


class TestDcrMetrics:
    def test_monitor_management_client_reads_the_metrics(self, fresh_emulator: EmulatorProcess) -> None:
        """azure-mgmt-monitor's metrics.list and metric_definitions.list read the DCR's metrics unchanged."""
        info = fresh_emulator.info
        dcr_id, dcr = setup_dcr(fresh_emulator, "dcr-metrics", diagnostic=False)
        send_bad_records(fresh_emulator, dcr)
        now = dt.datetime.now(dt.timezone.utc)
        timespan = (
            f"{(now - dt.timedelta(hours=1)).isoformat()}/{(now + dt.timedelta(minutes=1)).isoformat()}"
        )
        with monitor_client(info) as client:
            names = {d.name.value for d in client.metric_definitions.list(dcr_id)}
            assert {"RowsReceived_Count", "RowsDropped_Count", "LogColumnsDropped_Count"} <= names
            result = client.metrics.list(
                dcr_id,
                timespan=timespan,
                interval="PT1H",
                metricnames="RowsReceived_Count,RowsDropped_Count,TransformationErrors_Count",
                aggregation="Total,Count",
            )
            totals = {
                m.name.value: sum(p.total or 0 for ts in m.timeseries for p in ts.data) for m in result.value
            }
            assert totals == {
                "RowsReceived_Count": 4,
                "RowsDropped_Count": 1,
                "TransformationErrors_Count": 1,
            }
            split = client.metrics.list(
                dcr_id,
                timespan=timespan,
                interval="PT1H",
                metricnames="LogColumnsDropped_Count",
                aggregation="Total",
                filter="ColumnsDroppedAt eq '*'",
            )
            by_stage = {
                ts.metadatavalues[0].value: sum(p.total or 0 for p in ts.data)
                for ts in split.value[0].timeseries
            }
            assert by_stage == {"InputStream": 1}
            assert split.value[0].name.localized_value == "Log Columns Dropped per Min"


class TestMetricsQueryClient:
    def test_metrics_query_client_reads_the_metrics(self, fresh_emulator: EmulatorProcess) -> None:
        """azure-monitor-query 1.4.1's MetricsQueryClient (gone from 2.0), in .venv-mqc, reads them unchanged."""
        if not MQC_PYTHON.exists():
            pytest.fail(f"{MQC_PYTHON} is missing: `make mqc` (run by `make test`) installs it")
        info = fresh_emulator.info
        dcr_id, dcr = setup_dcr(fresh_emulator, "dcr-mqc", diagnostic=False)
        send_bad_records(fresh_emulator, dcr)
        grant(info, dcr_id, fresh_emulator.identity("vm").principal_id, MONITORING_READER)
        out = run_with_env(
            fresh_emulator, "vm", [str(MQC_PYTHON), str(MQC_SCRIPT), info.endpoints.arm, dcr_id]
        )
        assert out.returncode == 0, out.stderr
        got = json.loads(out.stdout)
        assert got["namespaces"] == [
            {
                "name": "microsoft.insights-datacollectionrules",
                "type": "Microsoft.Insights/metricNamespaces",
                "classification": "Platform",
                "fqn": "microsoft.insights/datacollectionrules",
            }
        ]
        by_name = {d["name"]: d for d in got["definitions"]}
        assert by_name["LogColumnsDropped_Count"]["dimensions"] == ["InputStreamId", "ColumnsDroppedAt"]
        assert by_name["RowsDropped_Count"]["unit"] == "Count"
        assert {d["namespace"] for d in got["definitions"]} == {"Microsoft.Insights/datacollectionrules"}
        assert got["granularity"] == "1:00:00"
        metrics = got["metrics"]
        assert {k: v["totals"] for k, v in metrics.items()} == {
            "RowsReceived_Count": [4.0],
            "RowsDropped_Count": [1.0],
            "TransformationErrors_Count": [1.0],
        }
        assert metrics["TransformationErrors_Count"]["counts"] == [1.0]
        assert got["columns_dropped"] == [{"dimensions": {"columnsdroppedat": "InputStream"}, "total": 1.0}]

    def test_reading_needs_a_monitoring_role(self, fresh_emulator: EmulatorProcess) -> None:
        """Without Monitoring Reader (or Reader) on the DCR, MetricsQueryClient gets ARM's 403, as in Azure."""
        if not MQC_PYTHON.exists():
            pytest.fail(f"{MQC_PYTHON} is missing: `make mqc` (run by `make test`) installs it")
        info = fresh_emulator.info
        dcr_id, _ = setup_dcr(fresh_emulator, "dcr-mqc-denied", diagnostic=False)
        out = run_with_env(
            fresh_emulator, "vm", [str(MQC_PYTHON), str(MQC_SCRIPT), info.endpoints.arm, dcr_id]
        )
        assert out.returncode != 0
        assert (
            "AuthorizationFailed" in out.stderr and "Microsoft.Insights/metricDefinitions/read" in out.stderr
        )


class TestDoctorSince:
    def test_doctor_since_explains_what_azure_dropped(self, fresh_emulator: EmulatorProcess) -> None:
        """azlogs doctor --since 1h reads DCRLogErrors and the DCR metrics and explains each drop with its fix."""
        info = fresh_emulator.info
        dcr_id, dcr = setup_dcr(fresh_emulator, "dcr-doctor")
        send_bad_records(fresh_emulator, dcr)
        vm = fresh_emulator.identity("vm").principal_id
        grant(info, dcr_id, vm)
        grant(info, dcr_id, vm, READER)
        grant(info, info.workspace.resource_id, vm, LOG_ANALYTICS_READER_ROLE_ID)
        argv = [AZLOGS, "doctor", "--endpoint", dcr["properties"]["endpoints"]["logsIngestion"]]
        argv += ["--dcr", dcr_id, "--stream", "Custom-Errs", "--since", "1h", "--json"]
        out = run_with_env(fresh_emulator, "vm", argv)
        assert out.returncode == 1, out.stderr
        steps = json.loads(out.stdout)["steps"]
        dropped = [s for s in steps if s["step"] == "dropped (Custom-Errs)"]
        details = " | ".join(s["detail"] for s in dropped)
        assert len(dropped) == 3, details
        assert (
            "declared type" in details and "does not declare" in details and "transformKql failed" in details
        )
        assert all(s["status"] == "failed" and s["fix"] for s in dropped)
        assert any("azlogs transform test" in s["fix"] for s in dropped)
        metrics = next(s for s in steps if s["step"] == "DCR metrics")
        assert metrics["data"] == {
            "rows_received": 4,
            "rows_dropped": 1,
            "columns_dropped": {"InputStream": 1},
            "transformation_errors": 1,
        }
        # The local checks still come first and pass: the identity may send to this DCR.
        assert next(s for s in steps if s["step"] == "empty upload")["status"] == "ok"

    def test_doctor_since_without_a_diagnostic_setting_says_how_to_make_one(
        self, fresh_emulator: EmulatorProcess
    ) -> None:
        """Without a LogErrors diagnostic setting, doctor says Azure keeps no record and how to create one."""
        info = fresh_emulator.info
        dcr_id, dcr = setup_dcr(fresh_emulator, "dcr-doctor-quiet", diagnostic=False)
        vm = fresh_emulator.identity("vm").principal_id
        grant(info, dcr_id, vm)
        grant(info, dcr_id, vm, READER)
        argv = [AZLOGS, "doctor", "--endpoint", dcr["properties"]["endpoints"]["logsIngestion"]]
        argv += ["--dcr", dcr_id, "--stream", "Custom-Errs", "--since", "30m", "--json"]
        out = run_with_env(fresh_emulator, "vm", argv)
        steps = {s["step"]: s for s in json.loads(out.stdout)["steps"]}
        assert steps["DCRLogErrors"]["status"] == "skipped"
        assert "az monitor diagnostic-settings create" in steps["DCRLogErrors"]["detail"]
        assert steps["DCR metrics"]["status"] == "ok" and out.returncode == 0, out.stdout
