"""azlogs: custom logs into Azure Monitor through the Logs Ingestion API, with managed identity."""

from __future__ import annotations

from azlogs._exceptions import (
    AuthError,
    AzlogsError,
    ConfigError,
    EmulatorError,
    IdentitySourceError,
    InputError,
    KqlError,
    PermanentServiceError,
    RetryableServiceError,
    SchemaError,
    ServiceError,
    TransportError,
    UsageError,
)
from azlogs._version import __version__
from azlogs.ingest import (
    AsyncLogsClient,
    FailedRecord,
    JsonLine,
    LogsClient,
    LogsIngestionHandler,
    RetryPolicy,
    UploadError,
    UploadResult,
)

__all__ = [
    "AsyncLogsClient",
    "AuthError",
    "AzlogsError",
    "ConfigError",
    "EmulatorError",
    "FailedRecord",
    "IdentitySourceError",
    "InputError",
    "JsonLine",
    "KqlError",
    "LogsClient",
    "LogsIngestionHandler",
    "PermanentServiceError",
    "RetryPolicy",
    "RetryableServiceError",
    "SchemaError",
    "ServiceError",
    "TransportError",
    "UploadError",
    "UploadResult",
    "UsageError",
    "__version__",
]
