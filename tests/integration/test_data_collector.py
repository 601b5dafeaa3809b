"""The retired HTTP Data Collector API over real HTTPS, driven by Learn's Python sample (signature as documented).

The PyPI clients of the API are not installed here; ``build_signature`` and ``post_data`` below follow
the Python sample of Learn's "Send log data to Azure Monitor by using the HTTP Data Collector API" line by
line, with two changes a local test needs: the URI comes from emulator.json's ``endpoints.data_collector``
(Azure's was ``https://{customer_id}.ods.opinsights.azure.com``) and ``requests`` trusts the emulator's CA.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import json
import os
import subprocess
import uuid
from pathlib import Path
from typing import Any

import requests

from tests.emulator_proc import EmulatorProcess
from tests.provisioning import admin_token, query_table

SCRIPT = Path(__file__).parent / "scripts" / "datacollector_post.sh"
WS_V = {"api-version": "2020-08-01"}
TABLE_V = {"api-version": "2022-10-01"}

LEARN_RECORDS = [
    {
        "slot_ID": 12345,
        "ID": "5cdad72f-c848-4df0-8aaa-ffe033e75d57",
        "availability_Value": 100,
        "performance_Value": 6.954,
        "measurement_Name": "last_one_hour",
        "duration": 3600,
        "warning_Threshold": 0,
        "critical_Threshold": 0,
        "IsActive": "true",
    },
    {
        "slot_ID": 67890,
        "ID": "b6bee458-fb65-492e-996d-61c4d7fbb942",
        "availability_Value": 100,
        "performance_Value": 3.379,
        "measurement_Name": "last_one_hour",
        "duration": 3600,
        "warning_Threshold": 0,
        "critical_Threshold": 0,
        "IsActive": "false",
    },
]


# --- Learn's Python sample -----------------------------------------------------------------------------


def build_signature(customer_id, shared_key, date, content_length, method, content_type, resource):  # type: ignore[no-untyped-def]
    x_headers = "x-ms-date:" + date
    string_to_hash = (
        method + "\n" + str(content_length) + "\n" + content_type + "\n" + x_headers + "\n" + resource
    )
    bytes_to_hash = bytes(string_to_hash, encoding="utf-8")
    decoded_key = base64.b64decode(shared_key)
    encoded_hash = base64.b64encode(
        hmac.new(decoded_key, bytes_to_hash, digestmod=hashlib.sha256).digest()
    ).decode()
    authorization = "SharedKey {}:{}".format(customer_id, encoded_hash)  # noqa: UP032 (Learn's sample as written)
    return authorization


def post_data(emu, customer_id, shared_key, body, log_type, extra_headers=None):  # type: ignore[no-untyped-def]
    method = "POST"
    content_type = "application/json"
    resource = "/api/logs"
    rfc1123date = datetime.datetime.now(datetime.timezone.utc).strftime("%a, %d %b %Y %H:%M:%S GMT")
    content_length = len(body)
    signature = build_signature(
        customer_id, shared_key, rfc1123date, content_length, method, content_type, resource
    )
    uri = emu.info.endpoints.data_collector + resource + "?api-version=2016-04-01"

    headers = {
        "content-type": content_type,
        "Authorization": signature,
        "Log-Type": log_type,
        "x-ms-date": rfc1123date,
    }
    headers.update(extra_headers or {})

    return requests.post(uri, data=body, headers=headers, verify=emu.info.ca_cert, timeout=30)


# --- helpers -------------------------------------------------------------------------------------------


def _arm(emu: EmulatorProcess, method: str, path: str, body: Any = None) -> Any:
    token = admin_token(emu.info)
    with emu.https() as c:
        r = c.request(method, path, params=WS_V, json=body, headers={"Authorization": f"Bearer {token}"})
    return r


def shared_keys(emu: EmulatorProcess) -> dict[str, str]:
    r = _arm(emu, "POST", f"{emu.info.workspace.resource_id}/sharedKeys")
    assert r.status_code == 200, r.text
    return dict(r.json())


def query(emu: EmulatorProcess, kql: str) -> list[dict[str, Any]]:
    table = query_table(emu.info, kql)
    names = [c["name"] for c in table["columns"]]
    return [dict(zip(names, row, strict=True)) for row in table["rows"]]


def table_schema(emu: EmulatorProcess, name: str) -> dict[str, Any]:
    token = admin_token(emu.info)
    with emu.https() as c:
        r = c.get(
            f"{emu.info.workspace.resource_id}/tables/{name}",
            params=TABLE_V,
            headers={"Authorization": f"Bearer {token}"},
        )
    assert r.status_code == 200, r.text
    return dict(r.json()["properties"]["schema"])


def log_type() -> str:
    return "WebMonitorTest" + uuid.uuid4().hex[:8]


# --- tests ---------------------------------------------------------------------------------------------


class TestDataCollectorApi:
    def test_learn_sample_lands_rows_in_a_classic_table(self, emulator: EmulatorProcess) -> None:
        """Learn's sample post answers 200 and its records are queryable in {LogType}_CL with the API's suffixes."""
        ws = emulator.info.workspace.id
        lt = log_type()
        r = post_data(emulator, ws, shared_keys(emulator)["primarySharedKey"], json.dumps(LEARN_RECORDS), lt)
        assert r.status_code == 200, r.text
        rows = query(emulator, f"{lt}_CL | order by slot_ID_d asc")
        assert [(x["slot_ID_d"], x["ID_g"], x["IsActive_s"], x["performance_Value_d"]) for x in rows] == [
            (12345.0, "5cdad72f-c848-4df0-8aaa-ffe033e75d57", "true", 6.954),
            (67890.0, "b6bee458-fb65-492e-996d-61c4d7fbb942", "false", 3.379),
        ]
        schema = table_schema(emulator, f"{lt}_CL")
        assert schema["tableSubType"] == "Classic"
        types = {c["name"]: c["type"] for c in schema["columns"]}
        assert (
            types["slot_ID_d"] == "real" and types["ID_g"] == "guid" and types["TimeGenerated"] == "dateTime"
        )

    def test_second_post_with_a_new_field_extends_the_table(self, emulator: EmulatorProcess) -> None:
        """A later post with a new property adds its column; a number sent to a string property gets a _d column.

        A string absent from a record reads as "" (Log Analytics has no null strings).
        """
        ws, key = emulator.info.workspace.id, shared_keys(emulator)["primarySharedKey"]
        lt = log_type()
        assert post_data(emulator, ws, key, json.dumps({"Name": "a", "Count": 1}), lt).status_code == 200
        second = {"Name": 5, "Count": "2", "When": "2026-12-01T10:00:00Z", "Ok": True}
        assert post_data(emulator, ws, key, json.dumps(second), lt).status_code == 200
        names = [c["name"] for c in table_schema(emulator, f"{lt}_CL")["columns"]]
        assert names == ["TimeGenerated", "Name_s", "Count_d", "Name_d", "When_t", "Ok_b"]
        rows = query(
            emulator, f"{lt}_CL | order by Count_d asc | project Name_s, Name_d, Count_d, When_t, Ok_b"
        )
        assert rows == [
            {"Name_s": "a", "Name_d": None, "Count_d": 1.0, "When_t": None, "Ok_b": None},
            {"Name_s": "", "Name_d": 5.0, "Count_d": 2.0, "When_t": "2026-12-01T10:00:00Z", "Ok_b": True},
        ]

    def test_time_generated_field_sets_time_generated(self, emulator: EmulatorProcess) -> None:
        """time-generated-field names the property TimeGenerated is read from."""
        ws, key = emulator.info.workspace.id, shared_keys(emulator)["primarySharedKey"]
        lt = log_type()
        when = (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(hours=3)).replace(
            microsecond=0
        )
        body = json.dumps({"Msg": "x", "At": when.strftime("%Y-%m-%dT%H:%M:%SZ")})
        r = post_data(emulator, ws, key, body, lt, {"time-generated-field": "At"})
        assert r.status_code == 200, r.text
        rows = query(emulator, f"{lt}_CL | project TimeGenerated, At_t")
        assert rows[0]["TimeGenerated"].startswith(when.strftime("%Y-%m-%dT%H:%M:%S"))

    def test_bad_signature_is_403(self, emulator: EmulatorProcess) -> None:
        """A post signed with a key that is not the workspace's is refused 403 InvalidAuthorization."""
        other = base64.b64encode(b"k" * 64).decode()
        r = post_data(emulator, emulator.info.workspace.id, other, json.dumps({"a": 1}), log_type())
        assert r.status_code == 403
        assert r.json()["Error"] == "InvalidAuthorization"

    def test_bad_log_type_is_400(self, emulator: EmulatorProcess) -> None:
        """A Log-Type with a character other than letters, digits and underscore is 400 InvalidLogType."""
        key = shared_keys(emulator)["primarySharedKey"]
        r = post_data(emulator, emulator.info.workspace.id, key, json.dumps({"a": 1}), "Bad-Type")
        assert r.status_code == 400
        assert r.json()["Error"] == "InvalidLogType"

    def test_wrong_workspace_id_is_403(self, emulator: EmulatorProcess) -> None:
        """A signature naming another workspace than the URL's is refused 403."""
        key = shared_keys(emulator)["primarySharedKey"]
        r = post_data(emulator, str(uuid.uuid4()), key, json.dumps({"a": 1}), log_type())
        assert r.status_code == 403


class TestSharedKeys:
    def test_keys_are_stable_and_both_accepted(self, emulator: EmulatorProcess) -> None:
        """sharedKeys answers the same two keys each time, and the API accepts either."""
        keys = shared_keys(emulator)
        assert keys == shared_keys(emulator)
        assert set(keys) == {"primarySharedKey", "secondarySharedKey"}
        ws = emulator.info.workspace.id
        for key in keys.values():
            assert post_data(emulator, ws, key, json.dumps({"a": 1}), log_type()).status_code == 200

    def test_regenerated_key_replaces_the_old(self, fresh_emulator: EmulatorProcess) -> None:
        """After regenerateSharedKey the old primary key is refused and the new one accepted."""
        emu = fresh_emulator
        ws = emu.info.workspace.id
        old = shared_keys(emu)
        r = _arm(emu, "POST", f"{emu.info.workspace.resource_id}/regenerateSharedKey", {"keyName": "primary"})
        assert r.status_code == 200, r.text
        new = r.json()
        assert new["primarySharedKey"] != old["primarySharedKey"]
        assert new["secondarySharedKey"] == old["secondarySharedKey"]
        assert shared_keys(emu) == new
        assert (
            post_data(emu, ws, old["primarySharedKey"], json.dumps({"a": 1}), log_type()).status_code == 403
        )
        assert (
            post_data(emu, ws, new["primarySharedKey"], json.dumps({"a": 1}), log_type()).status_code == 200
        )

    def test_keys_and_classic_tables_survive_a_restart(self, fresh_emulator: EmulatorProcess) -> None:
        """The keys and a classic table are kept in the data dir: after a restart both are as they were."""
        emu = fresh_emulator
        ws = emu.info.workspace.id
        keys = shared_keys(emu)
        lt = log_type()
        assert post_data(emu, ws, keys["primarySharedKey"], json.dumps({"a": 1}), lt).status_code == 200
        emu.stop()
        emu.start()
        assert shared_keys(emu) == keys
        assert post_data(emu, ws, keys["primarySharedKey"], json.dumps({"b": "x"}), lt).status_code == 200
        schema = table_schema(emu, f"{lt}_CL")
        assert schema["tableSubType"] == "Classic"
        assert [c["name"] for c in schema["columns"]] == ["TimeGenerated", "a_d", "b_s"]
        assert len(query(emu, f"{lt}_CL")) == 2

    def test_shared_keys_need_the_action(self, emulator: EmulatorProcess) -> None:
        """A caller without workspaces/sharedKeys/action (the VM identity) gets ARM's 403."""
        with emulator.http() as c:
            t = c.get(
                "/metadata/identity/oauth2/token",
                params={"api-version": "2018-02-01", "resource": "https://management.azure.com/"},
                headers={"Metadata": "true"},
            )
        with emulator.https() as c:
            r = c.post(
                f"{emulator.info.workspace.resource_id}/sharedKeys",
                params=WS_V,
                headers={"Authorization": f"Bearer {t.json()['access_token']}"},
            )
        assert r.status_code == 403
        assert r.json()["error"]["code"] == "AuthorizationFailed"


class TestMigrate:
    def test_migrate_turns_the_table_dcr_based_and_stops_new_columns(self, emulator: EmulatorProcess) -> None:
        """tables/{t}/migrate makes a classic table DCR-based (twice is a no-op); the API then adds no column."""
        ws, key = emulator.info.workspace.id, shared_keys(emulator)["primarySharedKey"]
        lt = log_type()
        assert post_data(emulator, ws, key, json.dumps({"Name": "a"}), lt).status_code == 200
        token = admin_token(emulator.info)
        path = f"{emulator.info.workspace.resource_id}/tables/{lt}_CL/migrate"
        with emulator.https() as c:
            for _ in range(2):
                r = c.post(
                    path,
                    params={"api-version": "2021-12-01-preview"},
                    headers={"Authorization": f"Bearer {token}"},
                )
                assert r.status_code == 200, r.text
        schema = table_schema(emulator, f"{lt}_CL")
        assert schema["tableSubType"] == "DataCollectionRuleBased"
        assert post_data(emulator, ws, key, json.dumps({"Name": "b", "New": 1}), lt).status_code == 200
        assert [c["name"] for c in table_schema(emulator, f"{lt}_CL")["columns"]] == [
            "TimeGenerated",
            "Name_s",
        ]
        assert [x["Name_s"] for x in query(emulator, f"{lt}_CL | order by Name_s asc | project Name_s")] == [
            "a",
            "b",
        ]

    def test_migrate_of_a_missing_table_is_404(self, emulator: EmulatorProcess) -> None:
        """A table that does not exist cannot be migrated."""
        token = admin_token(emulator.info)
        with emulator.https() as c:
            r = c.post(
                f"{emulator.info.workspace.resource_id}/tables/Nope_CL/migrate",
                params={"api-version": "2021-12-01-preview"},
                headers={"Authorization": f"Bearer {token}"},
            )
        assert r.status_code == 404
        assert r.json()["error"]["code"] == "ResourceNotFound"


class TestShellScript:
    def test_curl_and_openssl_script_lands_rows(self, emulator: EmulatorProcess, tmp_path: Path) -> None:
        """A plain curl/openssl script with the documented signature lands its records (and a wrong key is 403)."""
        info = emulator.info
        body = tmp_path / "body.json"
        body.write_text(json.dumps([{"Host": "web1", "Latency": 12.5, "Ok": True}]))
        lt = log_type()
        args = ["sh", str(SCRIPT), info.endpoints.data_collector, info.workspace.id, lt]
        args += [info.ca_cert, str(body)]

        def run(key: str) -> str:
            env = {"PATH": os.environ["PATH"], "SHARED_KEY": key}
            return subprocess.run(
                args, env=env, capture_output=True, text=True, check=True, timeout=60
            ).stdout

        assert run(shared_keys(emulator)["secondarySharedKey"]) == "200"
        assert run(base64.b64encode(b"z" * 64).decode()) == "403"
        rows = query(emulator, f"{lt}_CL | project Host_s, Latency_d, Ok_b")
        assert rows == [{"Host_s": "web1", "Latency_d": 12.5, "Ok_b": True}]
