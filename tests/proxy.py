"""A tiny HTTP proxy on 127.0.0.1 for tests: tunnels CONNECT, refuses plain requests, records both."""

from __future__ import annotations

import select
import socket
import socketserver
import threading
from dataclasses import dataclass, field
from types import TracebackType


@dataclass
class Seen:
    """What the proxy was asked: CONNECT targets (tunnelled) and plain-HTTP request lines (refused)."""

    connects: list[str] = field(default_factory=list)
    plain: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


class _Handler(socketserver.BaseRequestHandler):
    server: _Server

    def handle(self) -> None:
        sock: socket.socket = self.request
        sock.settimeout(30)
        head = b""
        while b"\r\n\r\n" not in head and len(head) < 65536:
            chunk = sock.recv(4096)
            if not chunk:
                return
            head += chunk
        line = head.split(b"\r\n", 1)[0].decode("latin-1")
        method, _, rest = line.partition(" ")
        target = rest.rsplit(" ", 1)[0]
        seen = self.server.seen
        if method.upper() != "CONNECT":
            # A plain request through the proxy: a token request to an identity endpoint would land here.
            with seen.lock:
                seen.plain.append(line)
            sock.sendall(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            return
        with seen.lock:
            seen.connects.append(target)
        redirected = self.server.redirect.get(target.lower())
        if redirected is not None:  # what a hosts-file entry does for a client that builds its host name
            target = f"{redirected[0]}:{redirected[1]}"
        host, _, port = target.rpartition(":")
        if host.strip("[]") not in ("127.0.0.1", "localhost", "::1"):
            sock.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")  # loopback only
            return
        try:
            upstream = socket.create_connection((host.strip("[]"), int(port)), timeout=10)
        except OSError:
            sock.sendall(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
            return
        with upstream:
            sock.sendall(b"HTTP/1.1 200 Connection Established\r\n\r\n")
            _pipe(sock, upstream)


def _pipe(a: socket.socket, b: socket.socket) -> None:
    peers = {a: b, b: a}
    while True:
        ready, _, _ = select.select(list(peers), [], [], 30)
        if not ready:
            return
        for s in ready:
            try:
                data = s.recv(65536)
            except OSError:
                return
            if not data:
                return
            peers[s].sendall(data)


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    seen: Seen
    redirect: dict[str, tuple[str, int]]


class LoopbackProxy:
    """``with LoopbackProxy() as proxy:`` then point HTTPS_PROXY/HTTP_PROXY at ``proxy.url``.

    Args:
        redirect: CONNECT targets (``host:port``) tunnelled to a loopback address instead, as a hosts
            file would send them there.
    """

    def __init__(self, redirect: dict[str, tuple[str, int]] | None = None) -> None:
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.seen = Seen()
        self._server.redirect = {k.lower(): v for k, v in (redirect or {}).items()}
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def seen(self) -> Seen:
        return self._server.seen

    def __enter__(self) -> LoopbackProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)
