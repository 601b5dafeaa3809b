"""The request log: one JSON line per request with method, path, status, latency and client request id.

Redaction is structural: the log never sees headers or bodies, and query-string values of any
parameter whose name suggests a secret are replaced. Tokens travel in headers and form bodies, so
they cannot reach this log.
"""

from __future__ import annotations

import logging
import time
from typing import Any
from urllib.parse import parse_qsl, urlencode

import orjson

from azlogs.emulator.faults import ASGIApp, Message, Receive, Scope, Send, endpoint_group

log = logging.getLogger("azlogs.emulator.requests")

_SECRET_WORDS = ("secret", "token", "assertion", "password", "key", "sig", "code", "authorization")


def redact_query(query: str) -> str:
    """The query string with values of secret-looking parameters replaced by ``***``."""
    if not query:
        return ""
    pairs = [
        (k, "***" if any(w in k.lower() for w in _SECRET_WORDS) else v)
        for k, v in parse_qsl(query, keep_blank_values=True)
    ]
    return urlencode(pairs, safe="/:")


class RequestLogMiddleware:
    """ASGI middleware writing the request log through the ``azlogs.emulator.requests`` logger."""

    def __init__(self, app: ASGIApp, listener: str) -> None:
        self.app = app
        self.listener = listener

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 0

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            request_id = ""
            for name, value in scope.get("headers", []):
                if name == b"x-ms-client-request-id":
                    request_id = value.decode("latin-1")[:64]
                    break
            entry: dict[str, Any] = {
                "ts": round(time.time(), 3),
                "listener": self.listener,
                "endpoint": endpoint_group(scope["path"]) or "emulator",
                "method": scope["method"],
                "path": scope["path"],
                "query": redact_query(scope.get("query_string", b"").decode("latin-1")),
                "status": status or 500,
                "ms": round((time.perf_counter() - start) * 1000, 2),
                "client_request_id": request_id,
            }
            log.info(orjson.dumps(entry).decode())
