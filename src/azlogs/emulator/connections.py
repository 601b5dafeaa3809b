"""Connection limits for both listeners: time to send headers, time to send a body, how many at once.

uvicorn bounds only the idle time between two requests on a kept-alive connection. Without more, a
client that never sends a byte, dribbles its headers (slowloris) or its body keeps its socket for as
long as it likes, and enough of them exhaust the process's file descriptors. This module's HTTP/1.1
protocol (uvicorn's h11 protocol plus timers) closes such connections:

* headers not complete within ``header_timeout`` of the connection (or of the first byte of the next
  request on a kept-alive one): ``408 RequestTimeout``, then close;
* body not complete within ``body_timeout`` of its headers: ``408`` if no answer was started, then close;
* a connection past ``max_connections`` open on the listener: ``503 ServerBusy`` with ``Retry-After``,
  then close. On the HTTPS listener the TLS handshake must also finish within ``header_timeout``.
"""

from __future__ import annotations

import asyncio
import contextlib
import resource
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, ClassVar, Final

import h11
import orjson
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

# Descriptors kept back for files, the SQLite store, outbound sockets and the other listener's needs.
_FD_RESERVE: Final = 256
_MIN_CONNECTIONS: Final = 16
# A refused connection is kept this long after its answer, so the client reads the answer (not a reset).
_REFUSAL_GRACE: Final = 1.0


@dataclass(frozen=True)
class ConnectionLimits:
    """Per-listener limits (Settings ``header_timeout``, ``body_timeout``, ``max_connections``)."""

    header_timeout: float
    body_timeout: float
    max_connections: int


def effective_max_connections(configured: int, listeners: int = 2) -> int:
    """``configured``, lowered so that all listeners together stay within the descriptor limit."""
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return configured
    budget = max(_MIN_CONNECTIONS, (soft - _FD_RESERVE) // listeners)
    return min(configured, budget)


def _raw_answer(status: int, reason: str, code: str, message: str, extra: str = "") -> bytes:
    body = orjson.dumps({"error": {"code": code, "message": message}})
    head = (
        f"HTTP/1.1 {status} {reason}\r\ncontent-type: application/json; charset=utf-8\r\n"
        f"content-length: {len(body)}\r\nx-ms-error-code: {code}\r\n{extra}connection: close\r\n\r\n"
    )
    return head.encode("ascii") + body


def _timed_out(what: str, seconds: float) -> bytes:
    message = (
        f"The request {what} {'was' if what == 'body' else 'were'} not received within {seconds:g} seconds."
    )
    return _raw_answer(408, "Request Timeout", "RequestTimeout", message)


class GuardedH11Protocol(H11Protocol):
    """uvicorn's HTTP/1.1 protocol with header and body deadlines and a connection limit."""

    limits: ClassVar[ConnectionLimits]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._header_timer: asyncio.TimerHandle | None = None
        self._body_timer: asyncio.TimerHandle | None = None
        self._refused = False

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        if len(self.connections) > self.limits.max_connections:
            self._refuse(
                _raw_answer(
                    503,
                    "Service Unavailable",
                    "ServerBusy",
                    f"The emulator has {self.limits.max_connections} connections open on this listener, "
                    "its limit. Retry after the time given in Retry-After.",
                    "retry-after: 1\r\n",
                )
            )
            return
        self._header_timer = self.loop.call_later(self.limits.header_timeout, self._header_timeout)

    def data_received(self, data: bytes) -> None:
        if self._refused:
            return  # read and dropped until the grace ends, so the client is not reset before it reads
        if self.conn.their_state is h11.IDLE and self._header_timer is None:
            # The first byte of a new request on a kept-alive connection starts its header deadline.
            self._header_timer = self.loop.call_later(self.limits.header_timeout, self._header_timeout)
        super().data_received(data)
        self._track()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._track()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_header()
        self._cancel_body()
        super().connection_lost(exc)

    def _track(self) -> None:
        state = self.conn.their_state
        if state is not h11.IDLE:
            self._cancel_header()
        if state is h11.SEND_BODY:
            if self._body_timer is None:
                self._body_timer = self.loop.call_later(self.limits.body_timeout, self._body_timeout)
        else:
            self._cancel_body()

    def _cancel_header(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _cancel_body(self) -> None:
        if self._body_timer is not None:
            self._body_timer.cancel()
            self._body_timer = None

    def _header_timeout(self) -> None:
        self._header_timer = None
        if self.conn.their_state is not h11.IDLE or self.transport.is_closing():
            return
        self._refuse(_timed_out("headers", self.limits.header_timeout))

    def _body_timeout(self) -> None:
        self._body_timer = None
        if self.conn.their_state is not h11.SEND_BODY or self.transport.is_closing():
            return
        cycle = self.cycle
        answered = cycle is not None and cycle.response_started
        if cycle is not None:
            # The endpoint sees the client gone: its receive() ends and its answer is dropped.
            cycle.disconnected = True
            cycle.message_event.set()
        if answered:
            self.transport.close()
            return
        self._refuse(_timed_out("body", self.limits.body_timeout))

    def _refuse(self, answer: bytes) -> None:
        self._refused = True
        self._cancel_header()
        self._cancel_body()
        self.transport.write(answer)
        if self.transport.can_write_eof():
            self.transport.write_eof()
        self.loop.call_later(_REFUSAL_GRACE, self.transport.close)


def guarded_protocol(limits: ConnectionLimits) -> type[GuardedH11Protocol]:
    """A protocol class bound to one listener's limits (uvicorn's ``http=`` setting)."""
    return type("GuardedH11Protocol", (GuardedH11Protocol,), {"limits": limits})


class GuardedServer(uvicorn.Server):
    """A uvicorn server on given sockets, with a TLS handshake deadline and no signal handling.

    The emulator runs two of them in one loop and handles signals itself.
    """

    def __init__(self, config: uvicorn.Config, handshake_timeout: float) -> None:
        super().__init__(config)
        self.handshake_timeout = handshake_timeout

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        # As uvicorn's own startup for given sockets, plus the handshake deadline it does not expose.
        assert sockets is not None, "the emulator binds its sockets itself"
        await self.lifespan.startup()
        config = self.config

        def create_protocol(_loop: asyncio.AbstractEventLoop | None = None) -> asyncio.Protocol:
            return config.http_protocol_class(  # type: ignore[call-arg]
                config=config, server_state=self.server_state, app_state=self.lifespan.state, _loop=_loop
            )

        loop = asyncio.get_running_loop()
        self.servers = []
        for sock in sockets:
            server = await loop.create_server(
                create_protocol,
                sock=sock,
                ssl=config.ssl,
                backlog=config.backlog,
                ssl_handshake_timeout=self.handshake_timeout if config.ssl is not None else None,
            )
            self.servers.append(server)
        self.started = True
