"""DCRs can write to the built-in Syslog and CommonSecurityLog tables through Microsoft-* output streams."""

from __future__ import annotations

import datetime as dt
from typing import Any

import orjson

from azlogs.discovery import Discovery
from azlogs.schema.template import DCR_API_VERSION
from tests.emulator_proc import EmulatorProcess
from tests.provisioning import arm_client, grant, query_table


def _dcr(
    info: Discovery, stream: str, columns: list[dict[str, str]], kql: str, output: str
) -> dict[str, Any]:
    return {
        "location": info.location,
        "kind": "Direct",
        "properties": {
            "streamDeclarations": {stream: {"columns": columns}},
            "destinations": {
                "logAnalytics": [{"workspaceResourceId": info.workspace.resource_id, "name": "ws"}]
            },
            "dataFlows": [
                {"streams": [stream], "destinations": ["ws"], "transformKql": kql, "outputStream": output}
            ],
        },
    }


def _send(emu: EmulatorProcess, dcr: dict[str, Any], stream: str, records: list[dict[str, Any]]) -> None:
    with emu.http() as imds:
        token = imds.get(
            "/metadata/identity/oauth2/token",
            params={"api-version": "2018-02-01", "resource": "https://monitor.azure.com"},
            headers={"Metadata": "true"},
        ).json()["access_token"]
    url = f"{dcr['properties']['endpoints']['logsIngestion']}/dataCollectionRules/{dcr['properties']['immutableId']}/streams/{stream}"
    with emu.https() as client:
        r = client.post(
            url,
            params={"api-version": "2023-01-01"},
            content=orjson.dumps(records),
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
    assert r.status_code == 204, r.text


def _query(emu: EmulatorProcess, kql: str) -> dict[str, Any]:
    return query_table(emu.info, kql)


class TestBuiltinTables:
    def test_syslog_through_a_transformation(self, fresh_emulator: EmulatorProcess) -> None:
        """A custom stream transformed to Syslog's columns lands in Syslog with its types."""
        info = fresh_emulator.info
        rg = f"/subscriptions/{info.subscription_id}/resourceGroups/{info.resource_group}"
        dcr_id = f"{rg}/providers/Microsoft.Insights/dataCollectionRules/dcr-syslog"
        kql = (
            "source | where Sev != 'debug' | project TimeGenerated, Computer = Host, HostName = Host, "
            "SyslogMessage = Msg, SeverityLevel = Sev, Facility = 'daemon', ProcessID = toint(Pid)"
        )
        cols = [
            {"name": "TimeGenerated", "type": "datetime"},
            {"name": "Host", "type": "string"},
            {"name": "Msg", "type": "string"},
            {"name": "Sev", "type": "string"},
            {"name": "Pid", "type": "string"},
        ]
        with arm_client(info) as arm:
            dcr = arm.put(
                dcr_id, DCR_API_VERSION, _dcr(info, "Custom-AppSyslog", cols, kql, "Microsoft-Syslog")
            )
        grant(info, dcr_id, fresh_emulator.identity("vm").principal_id)
        now = dt.datetime.now(dt.timezone.utc).isoformat()
        _send(
            fresh_emulator,
            dcr,
            "Custom-AppSyslog",
            [
                {"TimeGenerated": now, "Host": "web1", "Msg": "started", "Sev": "info", "Pid": "42"},
                {"TimeGenerated": now, "Host": "web1", "Msg": "noise", "Sev": "debug", "Pid": "42"},
                {"TimeGenerated": now, "Host": "web2", "Msg": "disk full", "Sev": "err", "Pid": "7"},
            ],
        )
        table = _query(
            fresh_emulator,
            "Syslog | project Computer, SyslogMessage, SeverityLevel, Facility, ProcessID, Type | sort by Computer asc",
        )
        assert [c["type"] for c in table["columns"]] == [
            "string",
            "string",
            "string",
            "string",
            "int",
            "string",
        ]
        assert table["rows"] == [
            ["web1", "started", "info", "daemon", 42, "Syslog"],
            ["web2", "disk full", "err", "daemon", 7, "Syslog"],
        ]

    def test_common_security_log_from_cef(self, fresh_emulator: EmulatorProcess) -> None:
        """CEF lines parsed with parse_cef_dictionary land in CommonSecurityLog."""
        info = fresh_emulator.info
        rg = f"/subscriptions/{info.subscription_id}/resourceGroups/{info.resource_group}"
        dcr_id = f"{rg}/providers/Microsoft.Insights/dataCollectionRules/dcr-cef"
        kql = (
            "source | extend ext = parse_cef_dictionary(Line) "
            "| project TimeGenerated, DeviceVendor = tostring(ext.DeviceVendor), DeviceProduct = tostring(ext.DeviceProduct), "
            "SourceIP = tostring(ext.Extension.src), DestinationPort = toint(ext.Extension.dpt), Activity = tostring(ext.Name)"
        )
        cols = [{"name": "TimeGenerated", "type": "datetime"}, {"name": "Line", "type": "string"}]
        with arm_client(info) as arm:
            dcr = arm.put(
                dcr_id, DCR_API_VERSION, _dcr(info, "Custom-Cef", cols, kql, "Microsoft-CommonSecurityLog")
            )
        grant(info, dcr_id, fresh_emulator.identity("vm").principal_id)
        now = dt.datetime.now(dt.timezone.utc).isoformat()
        _send(
            fresh_emulator,
            dcr,
            "Custom-Cef",
            [
                {
                    "TimeGenerated": now,
                    "Line": "CEF:0|Contoso|Firewall|1.0|100|deny|5|src=10.1.2.3 dpt=443 act=deny",
                }
            ],
        )
        table = _query(
            fresh_emulator, "CommonSecurityLog | project DeviceVendor, SourceIP, DestinationPort, Activity"
        )
        assert table["rows"] == [["Contoso", "10.1.2.3", 443, "deny"]]

    def test_unknown_builtin_table_is_refused(self, fresh_emulator: EmulatorProcess) -> None:
        """A Microsoft-* output stream for a table the workspace does not have is refused (InvalidOutputTable)."""
        info = fresh_emulator.info
        rg = f"/subscriptions/{info.subscription_id}/resourceGroups/{info.resource_group}"
        cols = [{"name": "TimeGenerated", "type": "datetime"}]
        with arm_client(info) as arm:
            r = arm.request(
                "PUT",
                f"{rg}/providers/Microsoft.Insights/dataCollectionRules/dcr-nope",
                DCR_API_VERSION,
                body=_dcr(info, "Custom-X", cols, "source", "Microsoft-NoSuchTable"),
                ok=(400,),
            )
        assert r is not None
        assert r.status_code == 400
        assert "InvalidOutputTable" in r.text or "InvalidDataFlow" in r.text
