"""OTLP/HTTP logs into a DCR (Azure Monitor's native OTLP ingestion): the stock OpenTelemetry SDK, unchanged.

The exporter is ``opentelemetry-exporter-otlp-proto-http``'s ``OTLPLogExporter`` pointed at the DCR's
``.../streams/Microsoft-OTLP-Logs/otlp/v1/logs`` with an azure-identity token in its ``Authorization``
header, as the OTel Collector's azureauth extension sends it; records are read back from OTelLogs
through the query API.
"""

from __future__ import annotations

import datetime as dt
import gzip
from typing import Any

import httpx
import orjson
from opentelemetry._logs import SeverityNumber
from opentelemetry.exporter.otlp.proto.http import Compression
from opentelemetry.exporter.otlp.proto.http._log_exporter import OTLPLogExporter
from opentelemetry.sdk._logs import LoggerProvider
from opentelemetry.sdk._logs.export import SimpleLogRecordProcessor
from opentelemetry.sdk.resources import Resource

from azlogs.provision import emulator_credential
from azlogs.schema.template import DCR_API_VERSION
from tests.emulator_proc import EmulatorProcess
from tests.provisioning import arm_client, grant, query_table


def _otlp_dcr(info: dict[str, Any]) -> dict[str, Any]:
    """The DCR shape of Azure's OTLP template: directDataSources.otelLogs, a flow of Microsoft-OTel-Logs."""
    return {
        "location": info.location,
        "kind": "Direct",
        "properties": {
            "directDataSources": {
                "otelLogs": [
                    {
                        "streams": ["Microsoft-OTel-Logs"],
                        "enrichWithResourceAttributes": ["*"],
                        "name": "otelLogsDataSourceDirect",
                    }
                ]
            },
            "destinations": {
                "logAnalytics": [{"workspaceResourceId": info.workspace.resource_id, "name": "law"}]
            },
            "dataFlows": [{"streams": ["Microsoft-OTel-Logs"], "destinations": ["law"]}],
        },
    }


def _setup(emu: EmulatorProcess, name: str) -> tuple[str, str]:
    """A DCR for OTLP logs, the admin granted Monitoring Metrics Publisher on it: (logs URL, token)."""
    info = emu.info
    rg = f"/subscriptions/{info.subscription_id}/resourceGroups/{info.resource_group}"
    dcr_id = f"{rg}/providers/Microsoft.Insights/dataCollectionRules/{name}"
    with arm_client(info) as arm:
        dcr = arm.put(dcr_id, DCR_API_VERSION, _otlp_dcr(info))
    grant(info, dcr_id, info.admin.principal_id)
    credential = emulator_credential(info)
    try:
        token = credential.get_token("https://monitor.azure.com/.default").token
    finally:
        credential.close()
    props = dcr["properties"]
    url = (
        f"{props['endpoints']['logsIngestion']}/dataCollectionRules/{props['immutableId']}"
        "/streams/Microsoft-OTLP-Logs/otlp/v1/logs"
    )
    return url, token


class TestOpenTelemetrySdk:
    def test_sdk_exporter_lands_records_in_otel_logs(self, fresh_emulator: EmulatorProcess) -> None:
        """OTLPLogExporter (protobuf, gzip) with a bearer token lands records in OTelLogs with their attributes."""
        url, token = _setup(fresh_emulator, "dcr-otlp")
        exporter = OTLPLogExporter(
            endpoint=url,
            headers={"Authorization": f"Bearer {token}"},
            certificate_file=fresh_emulator.info.ca_cert,
            compression=Compression.Gzip,
        )
        provider = LoggerProvider(
            resource=Resource.create({"service.name": "checkout", "service.instance.id": "pod-7"})
        )
        provider.add_log_record_processor(SimpleLogRecordProcessor(exporter))
        try:
            otel_logger = provider.get_logger("azlogs.test.otlp", "1.0")
            otel_logger.emit(
                severity_number=SeverityNumber.WARN,
                severity_text="WARN",
                body="payment declined",
                attributes={"order.id": "A-17", "amount": 12.5},
            )
            otel_logger.emit(
                severity_number=SeverityNumber.ERROR,
                severity_text="ERROR",
                body="card service down",
                attributes={"retry": 3},
            )
            assert provider.force_flush()
        finally:
            provider.shutdown()
        table = query_table(
            fresh_emulator.info,
            "OTelLogs | project Body, SeverityText, SeverityNumber, ServiceName, ServiceInstanceId, "
            "Order = tostring(Attributes['order.id']), Amount = todouble(Attributes.amount), "
            "Retry = toint(Attributes.retry), Scope = ScopeName, Type | sort by SeverityNumber asc",
        )
        assert table["rows"] == [
            [
                "payment declined",
                "WARN",
                13,
                "checkout",
                "pod-7",
                "A-17",
                12.5,
                None,
                "azlogs.test.otlp",
                "OTelLogs",
            ],
            [
                "card service down",
                "ERROR",
                17,
                "checkout",
                "pod-7",
                "",
                None,
                3,
                "azlogs.test.otlp",
                "OTelLogs",
            ],
        ]


class TestOtlpEndpoint:
    def test_json_body_and_refusals(self, fresh_emulator: EmulatorProcess) -> None:
        """OTLP/JSON lands too; no token is a 401; a body that is not OTLP is a 400 saying why."""
        url, token = _setup(fresh_emulator, "dcr-otlp-json")
        stamp = dt.datetime.now(dt.timezone.utc).replace(microsecond=250000) - dt.timedelta(minutes=5)
        body = {
            "resourceLogs": [
                {
                    "resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "api"}}]},
                    "scopeLogs": [
                        {
                            "scope": {"name": "handwritten"},
                            "logRecords": [
                                {
                                    "timeUnixNano": str(int(stamp.timestamp()) * 10**9 + 250_000_000),
                                    "severityNumber": 9,
                                    "severityText": "INFO",
                                    "body": {
                                        "kvlistValue": {"values": [{"key": "k", "value": {"intValue": "5"}}]}
                                    },
                                    "traceId": "5B8EFFF798038103D269B633813FC60C",
                                    "spanId": "EEE19B7EC3C1B174",
                                    "attributes": [{"key": "ok", "value": {"boolValue": True}}],
                                }
                            ],
                        }
                    ],
                }
            ]
        }
        verify = fresh_emulator.ssl_context()
        with httpx.Client(verify=verify, timeout=30) as client:
            r = client.post(
                url,
                content=gzip.compress(orjson.dumps(body)),
                headers={
                    "Authorization": f"Bearer {token}",
                    "Content-Type": "application/json",
                    "Content-Encoding": "gzip",
                },
            )
            assert r.status_code == 200, r.text
            assert r.json() == {}
            anonymous = client.post(url, content=b"", headers={"Content-Type": "application/x-protobuf"})
            assert anonymous.status_code == 401
            broken = client.post(
                url,
                content=b"\x0a\xff\xff\xff\xff\x0f",
                headers={"Authorization": f"Bearer {token}", "Content-Type": "application/x-protobuf"},
            )
            assert broken.status_code == 400
            assert "cannot be decoded" in broken.json()["error"]["message"]
        table = query_table(
            fresh_emulator.info,
            "OTelLogs | project TimeGenerated, Body, TraceId, SpanId, Ok = tobool(Attributes.ok), ServiceName",
        )
        assert table["rows"] == [
            [
                stamp.strftime("%Y-%m-%dT%H:%M:%S.25Z"),
                '{"k":5}',
                "5b8efff798038103d269b633813fc60c",
                "eee19b7ec3c1b174",
                True,
                "api",
            ]
        ]
