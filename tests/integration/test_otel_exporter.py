"""azlogs.otel.exporter.LogExporter under the stock OpenTelemetry SDK: records emitted by the SDK land in a
custom table of the OTel logs columns on the emulator, through the Logs Ingestion API, with their
attributes, resource, scope and trace context."""

from __future__ import annotations

from opentelemetry._logs import SeverityNumber
from opentelemetry.sdk._logs import LoggerProvider
from opentelemetry.sdk._logs.export import BatchLogRecordProcessor
from opentelemetry.sdk.resources import Resource
from opentelemetry.trace import NonRecordingSpan, SpanContext, TraceFlags, set_span_in_context

from azlogs.otel import TABLE_COLUMNS
from azlogs.otel.exporter import LogExporter
from azlogs.provision import emulator_credential
from tests.emulator_proc import EmulatorProcess
from tests.provisioning import provision_table, query_table


def test_sdk_records_land_in_a_custom_table(emulator: EmulatorProcess) -> None:
    """Two records through BatchLogRecordProcessor land with body, severity, attributes, service, scope and the
    span's trace and span ids, in the column types of the OTel logs table."""
    info = emulator.info
    pipe = provision_table(info, "AppOTel_CL", TABLE_COLUMNS, principal_id=info.admin.principal_id)
    credential = emulator_credential(info)
    exporter = LogExporter(
        pipe.endpoint, pipe.immutable_id, pipe.stream, credential=credential, verify=info.ca_cert
    )
    provider = LoggerProvider(
        resource=Resource.create({"service.name": "billing", "service.namespace": "shop"})
    )
    provider.add_log_record_processor(BatchLogRecordProcessor(exporter))
    span = SpanContext(
        trace_id=0x0AF7651916CD43DD8448EB211C80319C,
        span_id=0x00F067AA0BA902B7,
        is_remote=False,
        trace_flags=TraceFlags(TraceFlags.SAMPLED),
    )
    try:
        logger = provider.get_logger("billing.invoices", "2.1")
        logger.emit(
            severity_number=SeverityNumber.ERROR,
            severity_text="ERROR",
            body="invoice 42 failed",
            attributes={"invoice.id": 42, "retry": True},
            context=set_span_in_context(NonRecordingSpan(span)),
        )
        logger.emit(severity_number=SeverityNumber.INFO, body={"event": "paid", "amount": 9.5})
        assert provider.force_flush()
    finally:
        provider.shutdown()
        credential.close()
    table = query_table(
        info,
        "AppOTel_CL | project Body, SeverityText, SeverityNumber, Invoice = toint(Attributes['invoice.id']), "
        "ServiceName, ServiceNamespace, ScopeName, ScopeVersion, TraceId, SpanId, TraceFlags, TimeGenerated "
        "| sort by SeverityNumber asc",
    )
    types = {c["name"]: c["type"] for c in table["columns"]}
    assert (types["SeverityNumber"], types["TimeGenerated"], types["TraceFlags"]) == (
        "int",
        "datetime",
        "int",
    )
    info_row, error_row = (dict(zip(types, r, strict=True)) for r in table["rows"])
    assert error_row["Body"] == "invoice 42 failed" and error_row["SeverityText"] == "ERROR"
    assert error_row["SeverityNumber"] == 17 and error_row["Invoice"] == 42
    assert (error_row["ServiceName"], error_row["ServiceNamespace"]) == ("billing", "shop")
    assert (error_row["ScopeName"], error_row["ScopeVersion"]) == ("billing.invoices", "2.1")
    assert error_row["TraceId"] == "0af7651916cd43dd8448eb211c80319c"
    assert error_row["SpanId"] == "00f067aa0ba902b7" and error_row["TraceFlags"] == 1
    assert info_row["Body"] == '{"event":"paid","amount":9.5}' and info_row["SeverityNumber"] == 9
    assert info_row["TimeGenerated"]


def test_a_refused_upload_is_a_failure_result_not_an_exception(emulator: EmulatorProcess) -> None:
    """No role on the DCR: export answers FAILURE (the SDK's processor logs it); nothing is raised."""
    from opentelemetry.sdk._logs.export import LogRecordExportResult

    info = emulator.info
    pipe = provision_table(info, "AppOTelNoRole_CL", TABLE_COLUMNS)  # granted to the VM, not to the admin
    credential = emulator_credential(info)
    exporter = LogExporter(
        pipe.endpoint, pipe.immutable_id, pipe.stream, credential=credential, verify=info.ca_cert
    )
    provider = LoggerProvider()
    try:
        logger = provider.get_logger("x")
        logger.emit(body="hello")
        # the SDK's record, as a processor hands it to the exporter
        from opentelemetry.sdk._logs.export import InMemoryLogRecordExporter, SimpleLogRecordProcessor

        memory = InMemoryLogRecordExporter()
        provider.add_log_record_processor(SimpleLogRecordProcessor(memory))
        logger.emit(body="hello")
        (record,) = memory.get_finished_logs()
        assert exporter.export([record]) is LogRecordExportResult.FAILURE
    finally:
        exporter.shutdown()
        provider.shutdown()
        credential.close()
