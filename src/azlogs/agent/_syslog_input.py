"""The syslog and cef inputs: messages over UDP, TCP or TLS into the spool, as durably as file inputs.

* TCP/TLS: a thread per connection (at most ``max_connections``; more wait in the listen backlog)
  reads, frames (RFC 6587), parses and spools, and reads the next bytes only once those records are
  durable. A full spool therefore stops the reading, the socket's buffers fill and TCP's flow control
  holds the sender: nothing is dropped, the sender waits. What a SIGKILL can lose is what the kernel
  had received but the agent had not read yet (the socket's receive buffer): plain syslog over TCP has
  no acknowledgement a sender could resend from (docs/agent.md). Nothing read is ever spooled twice.
* UDP: one socket; datagrams are taken in batches (up to ``_UDP_BATCH`` or ``_UDP_LINGER`` seconds)
  and each batch is spooled before the next is read. UDP has no flow control: what arrives while the
  agent waits for the spool is queued by the kernel up to the socket's buffer, and the kernel's drops
  beyond it are counted (Linux ``SO_RXQ_OVFL``) as ``udp_dropped`` in the status and on /metrics.

A message that is not syslog (or, for a cef input, not CEF) goes to the dead-letter directory with its
exact bytes, the sender's address and the reason; it never stops the messages after it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import socket
import ssl
import struct
import threading
import zoneinfo
from typing import Any, Final

import orjson

from azlogs.agent._cef import CefError, cef_row
from azlogs.agent._config import InputConfig, SyslogListen
from azlogs.agent._inputs import InputWorker
from azlogs.agent._syslog import FrameError, SyslogError, SyslogFramer, parse_syslog, syslog_row
from azlogs.ingest.deadletter import BadLine

log = logging.getLogger("azlogs.agent")

_UDP_BATCH: Final = 2048
_UDP_LINGER: Final = 0.05
_UDP_MAX: Final = 65535
_ACCEPT_POLL: Final = 0.25
_SO_RXQ_OVFL: Final = getattr(socket, "SO_RXQ_OVFL", 40)  # Linux; the module does not always name it
_UTC: Final = dt.timezone.utc


class SyslogInput(InputWorker):
    """One syslog or cef input (see the module docstring)."""

    def __init__(self, cfg: InputConfig, **kwargs: Any) -> None:
        super().__init__(cfg, **kwargs)
        assert cfg.syslog is not None
        self.opts: SyslogListen = cfg.syslog
        self.tz: dt.tzinfo = _UTC if self.opts.timezone == "UTC" else zoneinfo.ZoneInfo(self.opts.timezone)
        self.collector = socket.gethostname()
        self._cef = cfg.type == "cef"
        self._conns: set[socket.socket] = set()
        self._conn_lock = threading.Lock()
        self._slots = threading.BoundedSemaphore(self.opts.max_connections)
        self._ssl: ssl.SSLContext | None = None
        self._ovfl = 0
        self.sock = self._bind()
        with self.stats.lock:
            self.counters.listen = f"{self.opts.protocol}://{self.address}"

    @property
    def address(self) -> str:
        host, port = self.sock.getsockname()[:2]
        return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"

    def _bind(self) -> socket.socket:
        o = self.opts
        family = socket.AF_INET6 if ":" in o.host else socket.AF_INET
        kind = socket.SOCK_DGRAM if o.protocol == "udp" else socket.SOCK_STREAM
        sock = socket.socket(family, kind)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((o.host, o.port))
            if o.protocol == "udp":
                with contextlib.suppress(OSError):  # not Linux: drops are not counted
                    sock.setsockopt(socket.SOL_SOCKET, _SO_RXQ_OVFL, 1)
            else:
                sock.listen(128)
                if o.protocol == "tls":
                    assert o.tls_cert and o.tls_key
                    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
                    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
                    ctx.load_cert_chain(o.tls_cert, o.tls_key)
                    self._ssl = ctx
            sock.settimeout(_ACCEPT_POLL)
        except OSError:
            sock.close()
            raise
        return sock

    def discard(self) -> None:
        self.sock.close()
        with self._conn_lock:
            for c in list(self._conns):
                _close(c)
        super().discard()

    def loop(self) -> None:
        log.info("input %s listening on %s/%s", self.cfg.name, self.address, self.opts.protocol)
        try:
            if self.opts.protocol == "udp":
                self._udp_loop()
            else:
                self._accept_loop()
        finally:
            self.sock.close()
            with self._conn_lock:
                for c in list(self._conns):
                    _close(c)

    # -- records -----------------------------------------------------------------------------------

    def _records(self, messages: list[tuple[bytes, str | None]]) -> tuple[list[bytes], list[BadLine]]:
        now = dt.datetime.now(_UTC)
        out: list[bytes] = []
        bad: list[BadLine] = []
        source = f"{self.opts.protocol}:{self.cfg.name}"
        for data, peer in messages:
            host = peer.rsplit(":", 1)[0].strip("[]") if peer else None
            try:
                msg = parse_syslog(data, received=now, tz=self.tz)
                if self._cef:
                    row = cef_row(msg, received=now, peer=host, collector=self.collector)
                else:
                    row = syslog_row(msg, received=now, peer=host, collector=self.collector)
            except (SyslogError, CefError) as exc:
                bad.append(BadLine(f"{source} from {peer or '?'}", str(exc), data))
                continue
            for key, value in self.cfg.fields:
                row.setdefault(key, value)
            out.append(orjson.dumps(row))
        return out, bad

    def _take(self, messages: list[tuple[bytes, str | None]], extra_bad: list[BadLine]) -> bool:
        records, bad = self._records(messages)
        with self.stats.lock:
            self.counters.lines_read += len(messages)
            self.counters.bytes_read += sum(len(m) for m, _ in messages)
        return self.deliver(records, bad + extra_bad)

    # -- UDP ---------------------------------------------------------------------------------------

    def _udp_loop(self) -> None:
        sock = self.sock
        space = socket.CMSG_SPACE(4)
        while not self.stopping:
            batch: list[tuple[bytes, str | None]] = []
            try:
                data, anc, _flags, addr = sock.recvmsg(_UDP_MAX, space)
            except TimeoutError:
                continue
            except OSError:
                if self._stop_event.is_set():  # the socket was closed to stop
                    return
                raise
            self._note_drops(anc)
            batch.append((data, _peer(addr)))
            sock.settimeout(_UDP_LINGER)
            try:
                while len(batch) < _UDP_BATCH:
                    try:
                        data, anc, _flags, addr = sock.recvmsg(_UDP_MAX, space)
                    except TimeoutError:
                        break
                    self._note_drops(anc)
                    batch.append((data, _peer(addr)))
            finally:
                sock.settimeout(_ACCEPT_POLL)
            if not self._take(batch, []):
                return

    def _note_drops(self, ancillary: list[tuple[int, int, bytes]]) -> None:
        for level, kind, value in ancillary:
            if level == socket.SOL_SOCKET and kind == _SO_RXQ_OVFL and len(value) >= 4:
                total = struct.unpack("I", value[:4])[0]  # drops since the socket opened
                if total > self._ovfl:
                    with self.stats.lock:
                        self.counters.udp_dropped += total - self._ovfl
                    log.warning(
                        "input %s: the kernel dropped %d datagram(s)", self.cfg.name, total - self._ovfl
                    )
                    self._ovfl = total

    # -- TCP / TLS ---------------------------------------------------------------------------------

    def _accept_loop(self) -> None:
        while not self.stopping:
            if not self._slots.acquire(timeout=_ACCEPT_POLL):
                continue  # max_connections served: the next ones wait in the backlog
            try:
                conn, addr = self.sock.accept()
            except TimeoutError:
                self._slots.release()
                continue
            except OSError:
                self._slots.release()
                if self._stop_event.is_set():  # the socket was closed to stop
                    return
                raise
            threading.Thread(
                target=self._serve, args=(conn, _peer(addr)), name=f"azlogs-{self.cfg.name}-conn", daemon=True
            ).start()

    def _serve(self, conn: socket.socket, peer: str) -> None:
        with self._conn_lock:
            self._conns.add(conn)
        with self.stats.lock:
            self.counters.connections += 1
        try:
            conn.settimeout(_ACCEPT_POLL)
            if self._ssl is not None:
                conn.settimeout(10.0)
                conn = self._ssl.wrap_socket(conn, server_side=True)
                conn.settimeout(_ACCEPT_POLL)
            self._read_stream(conn, peer)
        except (OSError, ssl.SSLError) as exc:
            if not self.stopping:
                log.info("input %s: connection from %s ended: %s", self.cfg.name, peer, exc)
        finally:
            _close(conn)
            with self._conn_lock:
                self._conns.discard(conn)
            with self.stats.lock:
                self.counters.connections -= 1
            self._slots.release()

    def _read_stream(self, conn: socket.socket, peer: str) -> None:
        framer = SyslogFramer(self.cfg.max_line_bytes)
        source = f"{self.opts.protocol}:{self.cfg.name} from {peer}"
        size = self.cfg.read_bytes
        while not self.stopping:
            try:
                data = conn.recv(size)
            except TimeoutError:
                continue
            frames = framer.feed(data) if data else framer.close()
            messages: list[tuple[bytes, str | None]] = []
            bad: list[BadLine] = []
            for f in frames:
                if isinstance(f, FrameError):
                    bad.append(BadLine(source, f.reason, f.prefix, size=f.length))
                else:
                    messages.append((f, peer))
            if (messages or bad) and not self._take(messages, bad):
                return
            if not data:
                return


def _peer(addr: Any) -> str | None:
    if not addr:
        return None
    host, port = addr[0], addr[1]
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _close(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()
