"""The agent's otlp input in-process: the stock OpenTelemetry SDK's OTLP/HTTP exporter (protobuf, gzip) posts to
it over 127.0.0.1; rows of the OTel logs columns reach a recording endpoint (httpx.MockTransport) through
the spool; bodies that are not OTLP are refused with the reason and nothing is kept."""

from __future__ import annotations

import gzip
import json
import socket
from collections.abc import Callable
from pathlib import Path

import httpx
from opentelemetry._logs import SeverityNumber
from opentelemetry.exporter.otlp.proto.http import Compression
from opentelemetry.exporter.otlp.proto.http._log_exporter import OTLPLogExporter
from opentelemetry.sdk._logs import LoggerProvider
from opentelemetry.sdk._logs.export import SimpleLogRecordProcessor
from opentelemetry.sdk.resources import Resource

from azlogs.otel import TABLE_COLUMNS
from tests.unit.agent.conftest import Running, Sink, wait_for, write_config

TOKEN = "otlp-input-token"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def otlp_input(tmp_path: Path, port: int) -> str:
    (tmp_path / "token").write_text(TOKEN + "\n")
    return f"""
[[inputs]]
name = "otel"
type = "otlp"
listen = "127.0.0.1:{port}"
secret_file = "token"
"""


def test_the_sdk_exporter_lands_rows_of_the_otel_columns(
    tmp_path: Path, sink: Sink, run_agent: Callable[..., Running]
) -> None:
    """OTLPLogExporter (protobuf, gzip, bearer) posting to /v1/logs: each record arrives as a row of the OTel logs
    columns with its attributes, resource and scope; the exporter is told success."""
    port = free_port()
    agent = run_agent(write_config(tmp_path, otlp_input(tmp_path, port)))
    exporter = OTLPLogExporter(
        endpoint=f"http://127.0.0.1:{port}/v1/logs",
        headers={"Authorization": f"Bearer {TOKEN}"},
        compression=Compression.Gzip,
    )
    provider = LoggerProvider(resource=Resource.create({"service.name": "edge-gw"}))
    provider.add_log_record_processor(SimpleLogRecordProcessor(exporter))
    try:
        logger = provider.get_logger("edge.ingest", "0.3")
        logger.emit(
            severity_number=SeverityNumber.WARN,
            severity_text="WARN",
            body="queue deep",
            attributes={"depth": 900},
        )
        logger.emit(severity_number=SeverityNumber.INFO, body="ok")
        assert provider.force_flush()
    finally:
        provider.shutdown()
    wait_for(lambda: len(sink.records) == 2, what="2 rows")
    agent.stop()
    names = {c["name"] for c in TABLE_COLUMNS}
    by_body = {r["Body"]: r for r in sink.records}
    assert set(by_body) == {"queue deep", "ok"}
    warn = by_body["queue deep"]
    assert set(warn) <= names
    assert (warn["SeverityText"], warn["SeverityNumber"], warn["Attributes"]) == ("WARN", 13, {"depth": 900})
    assert (warn["ServiceName"], warn["ScopeName"], warn["ScopeVersion"]) == ("edge-gw", "edge.ingest", "0.3")
    assert warn["TimeGenerated"].endswith("Z")
    status = agent.status()["inputs"]["otel"]
    assert status["records_in"] == 2 and status["refused"] == 0


def test_json_bodies_refusals_and_auth(tmp_path: Path, sink: Sink, run_agent: Callable[..., Running]) -> None:
    """OTLP/JSON lands too; no token is 401; a body that is not OTLP is 400 with the reason; another media type
    is 415; nothing refused is spooled."""
    port = free_port()
    agent = run_agent(write_config(tmp_path, otlp_input(tmp_path, port)))
    url = f"http://127.0.0.1:{port}/v1/logs"
    auth = {"Authorization": f"Bearer {TOKEN}"}
    body = {
        "resourceLogs": [
            {
                "resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "cron"}}]},
                "scopeLogs": [
                    {"logRecords": [{"timeUnixNano": "1764824400000000000", "body": {"stringValue": "tick"}}]}
                ],
            }
        ]
    }
    with httpx.Client(timeout=10) as c:
        r = c.post(url, content=json.dumps(body), headers={**auth, "Content-Type": "application/json"})
        assert r.status_code == 200 and r.json() == {}
        assert c.post(url, content=b"{}", headers={"Content-Type": "application/json"}).status_code == 401
        bad = c.post(
            url,
            content=gzip.compress(b"\x0a\x05nope!"),
            headers={**auth, "Content-Type": "application/x-protobuf", "Content-Encoding": "gzip"},
        )
        assert bad.status_code == 400 and "not an OTLP logs request" in bad.text
        assert c.post(url, content=b"x", headers={**auth, "Content-Type": "text/plain"}).status_code == 415
    wait_for(lambda: len(sink.records) == 1, what="1 row")
    agent.stop()
    (row,) = sink.records
    assert (row["Body"], row["ServiceName"], row["TimeGenerated"]) == (
        "tick",
        "cron",
        "2025-12-04T05:00:00.0000000Z",
    )
