"""Structured logs for the agent: one JSON object per line, secrets removed on the way out.

Redaction is a filter on the handler, so it applies to every logger that reaches it (azlogs,
azure-identity, httpx), not a habit callers must remember: bearer tokens, JWTs, and the values of
secret-looking keys (``client_secret=``, ``"access_token": ``, ``X-IDENTITY-HEADER:`` ...) are
replaced, and so are the literal values of secret environment variables the process can see.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
import time
from typing import IO, Any

REDACTED = "<redacted>"
_SECRET_ENV = ("AZURE_CLIENT_SECRET", "IDENTITY_HEADER", "MSI_SECRET", "AZURE_CLIENT_CERTIFICATE_PASSWORD")
_PATTERNS = (
    (re.compile(r"(?i)\bbearer\s+[A-Za-z0-9\-._~+/]+=*"), f"Bearer {REDACTED}"),
    (re.compile(r"\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*"), REDACTED),
    # a Data Collector API signature (replayable within its x-ms-date window); the workspace id stays
    (re.compile(r"(?i)\b(sharedkey\s+[^\s:]+:)[A-Za-z0-9+/]+=*"), rf"\1{REDACTED}"),
    (
        re.compile(
            r"(?i)((?:client_secret|secret|password|passwd|access_token|refresh_token|id_token|"
            r"client_assertion|assertion|x-identity-header|identity_header|msi_secret|api[_-]?key|"
            r"shared_?key|account_?key|sig)[\"']?\s*[:=]\s*[\"']?)([^\s\"'&,;}]+)"
        ),
        rf"\1{REDACTED}",
    ),
)
_STD_ATTRS = set(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {"message", "asctime"}


def _env_secrets() -> list[str]:
    return [v for n in _SECRET_ENV if len(v := os.environ.get(n, "")) >= 8]


def redact(text: str) -> str:
    """``text`` without bearer tokens, JWTs, secret-looking values or secret environment values."""
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    for secret in _env_secrets():
        if secret in text:
            text = text.replace(secret, REDACTED)
    return text


class RedactFilter(logging.Filter):
    """Rewrites every record's message (and string extras) with :func:`redact`."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string must not lose the record
            message = f"{record.msg} {record.args}"
        record.msg = redact(message)
        record.args = None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        for key, value in list(record.__dict__.items()):
            if key not in _STD_ATTRS and isinstance(value, str):
                setattr(record, key, redact(value))
        return True


class JsonFormatter(logging.Formatter):
    """``{"time", "level", "logger", "message", ...extras}`` on one line."""

    def format(self, record: logging.LogRecord) -> str:
        doc: dict[str, Any] = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in record.__dict__.items():
            if key not in _STD_ATTRS and not key.startswith("_"):
                doc[key] = value
        if record.exc_text:
            doc["exception"] = record.exc_text
        return json.dumps(doc, default=str, ensure_ascii=False)


def setup_logging(fmt: str = "json", level: str = "info", stream: IO[str] | None = None) -> logging.Handler:
    """Send every log record to ``stream`` (stderr) as JSON (or text), redacted; returns the handler."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.addFilter(RedactFilter())
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "_azlogs_agent", False)]:
        root.removeHandler(old)
    handler._azlogs_agent = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(getattr(logging, level.upper(), logging.INFO))
    # azure-core logs every request's headers at INFO; the redaction would catch a token, but the
    # noise is no use to an operator.
    logging.getLogger("azure").setLevel(logging.WARNING)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    return handler
