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

__version__ = "0.1.0"

__all__ = [
    "AuthError",
    "AzlogsError",
    "ConfigError",
    "EmulatorError",
    "IdentitySourceError",
    "InputError",
    "KqlError",
    "PermanentServiceError",
    "RetryableServiceError",
    "SchemaError",
    "ServiceError",
    "TransportError",
    "UsageError",
    "__version__",
]
