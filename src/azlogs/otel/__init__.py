"""OpenTelemetry logs for Azure Monitor: the OTLP logs model and an SDK exporter.

* :mod:`~azlogs.otel.otlp`  OTLP/HTTP logs bodies (protobuf or JSON) into rows of the OTel logs table;
  pure, shared by the emulator's OTLP endpoint and the agent's ``otlp`` input.
* :mod:`~azlogs.otel.exporter`  ``LogExporter``, an OpenTelemetry SDK log record exporter that sends
  through the Logs Ingestion API into a custom table of :data:`TABLE_COLUMNS` (``pip install
  'azlogs[otel]'`` for the SDK).
"""

from azlogs.otel.otlp import TABLE_COLUMNS, OtlpDecodeError, decode

__all__ = ["TABLE_COLUMNS", "OtlpDecodeError", "decode"]
