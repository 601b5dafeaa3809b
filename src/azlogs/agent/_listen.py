"""The HTTP listener of the agent's http and data-collector inputs (stdlib ``http.server``, optional TLS).

One listener per input, bound when the input is made (a port in use fails the start, named). Each
connection is served on its own thread; request bodies are read only up to ``Content-Length`` and only
``max_requests`` at a time (more wait a little, then get 503 with ``Retry-After``), so memory stays
within ``max_requests`` x ``max_body``. TLS uses the user's certificate and key files; the handshake
runs on the connection's thread, never on the accepting one. Nothing here logs a header or a body.
"""

from __future__ import annotations

import logging
import socket
import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from azlogs._exceptions import ConfigError
from azlogs.agent._config import Listen

log = logging.getLogger("azlogs.agent")

# How long a request waits for one of the max_requests slots before it is answered 503.
SLOT_WAIT_SECONDS = 5.0
# A body that is refused unread (too large, no auth) is read and thrown away up to this size before the
# answer, so that the sender, still writing it, reads the answer instead of a reset connection.
DRAIN_BYTES = 64 * 1024 * 1024
# A connection that sends nothing for this long is closed (a stalled or slow sender holds no slot for ever).
IDLE_SECONDS = 60.0


@dataclass
class Answer:
    """What the listener sends back."""

    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json"


class BodyTooLarge(Exception):
    """The body is larger than the caller allows (raised before anything is read)."""


class Incoming:
    """One request: method, path, query, headers (by lower-case name), and the body, read on demand."""

    def __init__(self, handler: BaseHTTPRequestHandler, length: int) -> None:
        url = urlsplit(handler.path)
        self.method = handler.command
        self.path = url.path
        self.query = {k: v[0] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        self.headers = {k.lower(): v for k, v in handler.headers.items()}
        self.peer = f"{handler.client_address[0]}:{handler.client_address[1]}"
        self.length = length
        self._rfile = handler.rfile
        self.read_done = length == 0

    def read(self, limit: int) -> bytes:
        """The body (``Content-Length`` bytes).

        Raises:
            BodyTooLarge: it is larger than ``limit``; nothing was read.
            ConnectionError: the sender went away before sending it all.
        """
        if self.length > limit:
            raise BodyTooLarge
        data = self._rfile.read(self.length) if self.length else b""
        if len(data) != self.length:
            raise ConnectionError(f"the sender closed after {len(data)} of {self.length} bytes")
        self.read_done = True
        return data

    def discard(self) -> None:
        """Read the unread body in small pieces and drop it (at most DRAIN_BYTES)."""
        left = min(self.length, DRAIN_BYTES)
        while left > 0:
            piece = self._rfile.read(min(left, 1 << 16))
            if not piece:
                return
            left -= len(piece)


Handle = Callable[[Incoming], Answer]


class Listener:
    """Serves ``handle`` on ``listen``'s address until :meth:`close`.

    Raises:
        ConfigError: the address cannot be bound, or the TLS files cannot be loaded (named).
    """

    def __init__(self, listen: Listen, handle: Handle, name: str) -> None:
        self.listen = listen
        self.name = name
        context: ssl.SSLContext | None = None
        if listen.tls_cert and listen.tls_key:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.minimum_version = ssl.TLSVersion.TLSv1_2
            try:
                context.load_cert_chain(listen.tls_cert, listen.tls_key)
            except (OSError, ssl.SSLError) as exc:
                raise ConfigError(
                    f"input {name}: cannot load the TLS certificate {listen.tls_cert} and key {listen.tls_key}: "
                    f"{getattr(exc, 'reason', None) or exc}",
                    hint="tls_cert is a PEM certificate (chain), tls_key its PEM private key, unencrypted",
                ) from None
        slots = threading.BoundedSemaphore(listen.max_requests)
        handler = _handler(handle, slots, listen.retry_after, name)
        family = socket.AF_INET6 if ":" in listen.host else socket.AF_INET
        server_cls = type("_Server", (_Server,), {"address_family": family})
        try:
            self._server: _Server = server_cls((listen.host, listen.port), handler)
        except OSError as exc:
            raise ConfigError(
                f"input {name}: cannot listen on {listen.host}:{listen.port}: {exc.strerror or exc}",
                hint="pick a free port (listen = HOST:PORT), or stop what holds it",
            ) from None
        self._server.tls = context
        self.port: int = self._server.server_address[1]
        self._server.timeout = 0.2

    @property
    def address(self) -> str:
        """``scheme://host:port`` as senders reach it."""
        host = f"[{self.listen.host}]" if ":" in self.listen.host else self.listen.host
        return f"{self.listen.scheme}://{host}:{self.port}"

    def serve(self, stopping: Callable[[], bool]) -> None:
        """Accept connections until ``stopping()`` is true, then close the listening socket."""
        try:
            while not stopping():
                self._server.handle_request()
        finally:
            self._server.server_close()

    def close(self) -> None:
        """Close the listening socket (when :meth:`serve` never ran)."""
        self._server.server_close()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    tls: ssl.SSLContext | None = None

    def finish_request(self, request: Any, client_address: Any) -> None:
        if self.tls is None:
            request.settimeout(IDLE_SECONDS)
            super().finish_request(request, client_address)
            return
        request.settimeout(IDLE_SECONDS)
        try:
            conn = self.tls.wrap_socket(request, server_side=True)
        except (OSError, ssl.SSLError) as exc:
            log.debug("TLS handshake with %s failed: %s", client_address[0], exc)
            return
        try:
            super().finish_request(conn, client_address)
        finally:
            conn.close()

    def handle_error(self, request: Any, client_address: Any) -> None:
        log.debug("connection from %s ended with an error", client_address[0], exc_info=True)


def _handler(handle: Handle, slots: threading.BoundedSemaphore, retry_after: int, name: str) -> type:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "azlogs-agent"
        sys_version = ""

        def do_POST(self) -> None:
            self._serve()

        def do_PUT(self) -> None:
            self._serve()

        def do_GET(self) -> None:
            self._serve()

        def _serve(self) -> None:
            if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
                self.close_connection = True
                self._send(Answer(411, b'{"error": "send a Content-Length (chunked bodies are not read)"}'))
                return
            text = self.headers.get("Content-Length", "0" if self.command == "GET" else "")
            if not text.strip().isdigit():
                self.close_connection = True
                self._send(Answer(411, b'{"error": "a Content-Length header is required"}'))
                return
            request = Incoming(self, int(text))
            if not slots.acquire(timeout=SLOT_WAIT_SECONDS):
                self.close_connection = True
                busy = b'{"error": "the agent is busy with other requests; retry"}'
                try:
                    request.discard()  # read in small pieces, so that the sender reads the answer
                except OSError:
                    return
                self._send(Answer(503, busy, {"Retry-After": str(retry_after)}))
                return
            try:
                answer = handle(request)
            except ConnectionError:
                self.close_connection = True
                return
            except Exception:
                log.exception("input %s: a request failed unexpectedly", name)
                answer = Answer(500, b'{"error": "internal error; see the agent log"}')
            finally:
                slots.release()
            if not request.read_done:
                self.close_connection = True  # the body was not read: the connection cannot be reused
                try:
                    request.discard()
                except OSError:
                    return
            self._send(answer)

        def _send(self, answer: Answer) -> None:
            self.send_response(answer.status)
            self.send_header("Content-Type", answer.content_type)
            self.send_header("Content-Length", str(len(answer.body)))
            for k, v in answer.headers.items():
                self.send_header(k, v)
            if self.close_connection:
                self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(answer.body)

        def log_message(self, format: str, *args: Any) -> None:
            log.debug("input %s: " + format, name, *args)

    return Handler
