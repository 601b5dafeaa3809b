"""The optional local HTTP endpoint: ``/status`` (JSON), ``/metrics`` (Prometheus), ``/healthz``.

It binds 127.0.0.1 only: the status names files, streams and identities, which is for the host's
operators and its metrics scraper, not for the network.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from azlogs.agent._stats import prometheus

log = logging.getLogger("azlogs.agent")


class StatusServer:
    """Serves the status document from ``snapshot`` on ``127.0.0.1:port`` in a daemon thread."""

    def __init__(self, port: int, snapshot: Callable[[], dict[str, Any]]) -> None:
        handler = _handler(snapshot)
        self._server = ThreadingHTTPServer(("127.0.0.1", port), handler)
        self._server.daemon_threads = True
        self.port: int = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, name="azlogs-status", daemon=True)

    def start(self) -> None:
        """Start serving."""
        self._thread.start()
        log.info("status and metrics on http://127.0.0.1:%d/status and /metrics", self.port)

    def close(self) -> None:
        """Stop serving and release the port."""
        self._server.shutdown()
        self._server.server_close()


def _handler(snapshot: Callable[[], dict[str, Any]]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            if path == "/metrics":
                body = prometheus(snapshot()).encode()
                ctype = "text/plain; version=0.0.4; charset=utf-8"
            elif path == "/status":
                body = json.dumps(snapshot(), indent=2).encode()
                ctype = "application/json"
            elif path == "/healthz":
                body, ctype = b"ok\n", "text/plain"
            else:
                self.send_error(404, "try /status, /metrics or /healthz")
                return
            self.send_response(200)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            log.debug("status endpoint: " + format, *args)

    return Handler
