"""azure-monitor-query's LogsQueryClient, unchanged, reads back what azure-monitor-ingestion uploaded."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from azlogs.facts import LOG_ANALYTICS_READER_ROLE_ID
from bench._common import DEMO_COLUMNS
from tests.emulator_proc import EmulatorProcess, run_with_env
from tests.provisioning import grant, provision_table

SCRIPT = str(Path(__file__).parent / "scripts" / "sdk_query.py")


def _vm_query_token(emu: EmulatorProcess) -> str:
    with emu.http() as client:
        r = client.get(
            "/metadata/identity/oauth2/token",
            params={"api-version": "2018-02-01", "resource": "https://api.loganalytics.io"},
            headers={"Metadata": "true"},
        )
    return str(r.json()["access_token"])


class TestQueryPlane:
    def test_sdk_round_trip_with_types(self, fresh_emulator: EmulatorProcess) -> None:
        """Uploaded by the ingestion SDK, queried by the query SDK: where, project, extend, summarize by bin, take, sort, top."""
        info = fresh_emulator.info
        pipe = provision_table(info, "QueryRt_CL", DEMO_COLUMNS)
        grant(
            info,
            info.workspace.resource_id,
            fresh_emulator.identity("vm").principal_id,
            LOG_ANALYTICS_READER_ROLE_ID,
        )
        result = run_with_env(
            fresh_emulator,
            "vm",
            [sys.executable, SCRIPT, pipe.endpoint, pipe.immutable_id, pipe.stream, pipe.table, "1200"],
        )
        assert result.returncode == 0, result.stderr[-3000:]
        out = json.loads(result.stdout.strip().splitlines()[-1])
        assert out["count"]["rows"] == [[1200]]
        assert out["count"]["columns"] == [["Count", "long"]]
        wp = out["where_project"]
        assert wp["columns"] == [
            ["RequestId", "string"],
            ["StatusCode", "int"],
            ["TimeGenerated", "datetime"],
        ]
        assert [r[0] for r in wp["rows"]] == ["req-000013", "req-000033", "req-000053"]
        ext = out["extend"]
        assert ext["columns"] == [
            ["RequestId", "string"],
            ["Slow", "bool"],
            ["Upper", "string"],
            ["Properties", "dynamic"],
        ]
        assert ext["rows"][0][:3] == ["req-000600", True, "INFORMATION"]
        assert json.loads(ext["rows"][0][3]) == {"i": 600, "even": True}
        bins = out["bin"]
        assert bins["columns"] == [["TimeGenerated", "datetime"], ["n", "long"], ["avg_ms", "real"]]
        assert [r[1] for r in bins["rows"]] == [360, 360, 360, 120]
        top = out["top"]
        assert top["rows"] == [["req-001199", 119.9], ["req-001198", 119.8]]

    def test_read_role_required_and_errors_in_service_shape(self, fresh_emulator: EmulatorProcess) -> None:
        """Without a read role: 403 InsufficientAccessError; wrong audience, bad KQL and unknown tables get the API's errors."""
        info = fresh_emulator.info
        url = f"/query/v1/workspaces/{info.workspace.id}/query"
        token = _vm_query_token(fresh_emulator)
        with fresh_emulator.https() as client:
            denied = client.post(url, json={"query": "print 1"}, headers={"Authorization": f"Bearer {token}"})
            assert denied.status_code == 403
            assert denied.json()["error"]["code"] == "InsufficientAccessError"
            missing = client.post(url, json={"query": "print 1"})
            assert missing.status_code == 401
            assert missing.json()["error"]["code"] == "AuthorizationRequiredError"
        grant(
            info,
            info.workspace.resource_id,
            fresh_emulator.identity("vm").principal_id,
            LOG_ANALYTICS_READER_ROLE_ID,
        )
        with fresh_emulator.https() as client:
            ok = client.post(
                url,
                json={"query": "print x = 1", "timespan": "PT1H"},
                headers={"Authorization": f"Bearer {token}"},
            )
            assert ok.status_code == 200, ok.text
            assert ok.json()["tables"][0]["rows"] == [[1]]
            get = client.get(
                url, params={"query": "print y = 'a'"}, headers={"Authorization": f"Bearer {token}"}
            )
            assert get.json()["tables"][0]["columns"] == [{"name": "y", "type": "string"}]
            syntax = client.post(
                url, json={"query": "print x = "}, headers={"Authorization": f"Bearer {token}"}
            )
            assert syntax.status_code == 400
            assert syntax.json()["error"]["code"] == "BadArgumentError"
            assert syntax.json()["error"]["innererror"]["code"] == "SyntaxError"
            unknown = client.post(
                url, json={"query": "NoSuch_CL | take 1"}, headers={"Authorization": f"Bearer {token}"}
            )
            assert unknown.status_code == 400
            assert unknown.json()["error"]["innererror"]["code"] == "SemanticError"
            assert "NoSuch_CL" in unknown.json()["error"]["innererror"]["innererror"]["message"]
            with fresh_emulator.http() as imds:
                monitor = imds.get(
                    "/metadata/identity/oauth2/token",
                    params={"api-version": "2018-02-01", "resource": "https://monitor.azure.com"},
                    headers={"Metadata": "true"},
                ).json()["access_token"]
            aud = client.post(url, json={"query": "print 1"}, headers={"Authorization": f"Bearer {monitor}"})
            assert aud.status_code == 403
            assert aud.json()["error"]["code"] == "InvalidAuthenticationTokenAudience"
            bad_span = client.post(
                url,
                json={"query": "print 1", "timespan": "yesterday"},
                headers={"Authorization": f"Bearer {token}"},
            )
            assert bad_span.status_code == 400

    def test_azlogs_query_cli(self, fresh_emulator: EmulatorProcess) -> None:
        """`azlogs query` against the emulator prints JSON and CSV results."""
        import subprocess

        from tests.emulator_proc import AZLOGS

        base = [AZLOGS, "query", "--data-dir", str(fresh_emulator.data_dir)]
        js = subprocess.run(
            [*base, "print a = 1, b = 'x'", "--format", "json"], capture_output=True, text=True, check=True
        )
        assert json.loads(js.stdout)["tables"][0]["rows"] == [[1, "x"]]
        csv = subprocess.run(
            [*base, "print a = 1, b = 'x'", "--format", "csv"], capture_output=True, text=True, check=True
        )
        assert csv.stdout.splitlines() == ["a,b", "1,x"]
        bad = subprocess.run([*base, "print a = "], capture_output=True, text=True, check=False)
        assert bad.returncode == 1
        assert "SYN0002: Query could not be parsed at '=' on line [1,8]" in bad.stderr
