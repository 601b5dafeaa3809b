"""An OpenTelemetry SDK log record exporter that lands records in a Log Analytics custom table.

Each SDK record becomes the row the OTel logs table has for it (:func:`azlogs.otel.otlp.to_row`, the one
mapping the emulator's OTLP endpoint uses too): ``TimeGenerated`` (the record's time, else its observed
time), ``ObservedTimestamp``, ``TraceId``/``SpanId`` (hex), ``TraceFlags``, ``SeverityText``,
``SeverityNumber``, ``Body`` (text; JSON for a structured body), ``EventName``, ``Attributes``,
``ResourceAttributes``, ``ScopeName``/``ScopeVersion``/``ScopeAttributes`` and ``ServiceName``,
``ServiceNamespace``, ``ServiceInstanceId``. A custom table with :data:`TABLE_COLUMNS` (and a DCR whose
stream declares them) takes them as they are::

    from opentelemetry.sdk._logs import LoggerProvider
    from opentelemetry.sdk._logs.export import BatchLogRecordProcessor
    from azlogs.otel.exporter import LogExporter

    provider = LoggerProvider()
    provider.add_log_record_processor(BatchLogRecordProcessor(LogExporter(endpoint, "dcr-...", "Custom-AppOTel_CL")))

Records go through :class:`azlogs.ingest.LogsClient`: batched under the service's limits, retried on
429/5xx, with the host's managed identity when no credential is given. ``export`` reports FAILURE when
any record did not land (the SDK's processor logs it); the exporter never raises into the application.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping, Sequence
from typing import Any

from azlogs.ingest import LogsClient
from azlogs.otel.otlp import TABLE_COLUMNS, to_row

try:
    from opentelemetry.sdk._logs.export import LogRecordExporter, LogRecordExportResult
except ImportError as exc:  # pragma: no cover - the extra is missing
    raise ImportError(
        "azlogs.otel.exporter.LogExporter needs the OpenTelemetry SDK: pip install 'azlogs[otel]'"
    ) from exc

__all__ = ["TABLE_COLUMNS", "LogExporter", "record_row"]

log = logging.getLogger("azlogs.otel")


def _attributes(value: Any) -> dict[str, Any]:
    if not value:
        return {}
    return {str(k): _value(v) for k, v in dict(value).items()}


def _value(value: Any) -> Any:
    if isinstance(value, bytes):
        import base64

        return base64.b64encode(value).decode()
    if isinstance(value, Mapping):
        return {str(k): _value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_value(v) for v in value]
    return value


def record_row(item: Any) -> dict[str, Any]:
    """The table row of one SDK record (``ReadableLogRecord``, or the older ``LogData``)."""
    rec = item.log_record
    resource = getattr(item, "resource", None) or getattr(rec, "resource", None)
    scope = getattr(item, "instrumentation_scope", None)
    severity = rec.severity_number
    trace_id = getattr(rec, "trace_id", None) or 0
    span_id = getattr(rec, "span_id", None) or 0
    flags = getattr(rec, "trace_flags", None)
    decoded = {
        "time": rec.timestamp,
        "observed": getattr(rec, "observed_timestamp", None),
        "trace_id": f"{trace_id:032x}" if trace_id else "",
        "span_id": f"{span_id:016x}" if span_id else "",
        "flags": int(flags) if flags is not None else None,
        "severity_text": rec.severity_text,
        "severity_number": severity.value if severity is not None else None,
        "body": _value(rec.body),
        "event_name": getattr(rec, "event_name", None) or None,
        "attributes": _attributes(rec.attributes),
    }
    scope_doc = {
        "name": getattr(scope, "name", "") or "",
        "version": getattr(scope, "version", "") or "",
        "attributes": _attributes(getattr(scope, "attributes", None)),
    }
    return to_row(decoded, _attributes(getattr(resource, "attributes", None)), scope_doc)


class LogExporter(LogRecordExporter):
    """Send OpenTelemetry log records to a DCR stream (see the module docstring).

    Args:
        endpoint: the DCE logs-ingestion endpoint or the DCR's own ``endpoints.logsIngestion``.
        rule_id: the DCR's immutable id.
        stream: the DCR stream (``Custom-...``) declared with :data:`TABLE_COLUMNS`.
        client: a LogsClient to use (its owner closes it); otherwise one is made from the remaining
            keyword arguments (``credential``, ``verify``, ``cloud`` ...) and closed at ``shutdown``.
    """

    def __init__(
        self,
        endpoint: str,
        rule_id: str,
        stream: str,
        *,
        client: LogsClient | None = None,
        **client_kwargs: Any,
    ) -> None:
        self.stream = stream
        self._owns_client = client is None
        self._client = client if client is not None else LogsClient(endpoint, rule_id, **client_kwargs)
        self._lock = threading.Lock()
        self._shutdown = False

    def export(self, batch: Sequence[Any]) -> LogRecordExportResult:
        if self._shutdown:
            return LogRecordExportResult.FAILURE
        try:
            rows = [record_row(item) for item in batch]
            with self._lock:
                result = self._client.upload(self.stream, rows)
        except Exception as exc:  # never into the application: the processor only sees FAILURE
            log.warning("azlogs LogExporter: %d record(s) not sent: %s", len(batch), exc)
            return LogRecordExportResult.FAILURE
        if result.failed or result.stopped:
            log.warning(
                "azlogs LogExporter: %d of %d record(s) not sent: %s",
                len(result.failed) + (len(rows) - result.records_read),
                len(rows),
                result.stopped or (result.failed[0].reason if result.failed else ""),
            )
            return LogRecordExportResult.FAILURE
        return LogRecordExportResult.SUCCESS

    def shutdown(self) -> None:
        self._shutdown = True
        if self._owns_client:
            self._client.close()

    def force_flush(self, timeout_millis: int = 30_000) -> bool:
        return True  # export() sends synchronously: nothing is held here
