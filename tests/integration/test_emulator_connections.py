"""Connections the emulator closes (issue 12): idle, slowloris headers, dribbled bodies, too many at once.

A real emulator subprocess started with small limits from a config file (``header_timeout``,
``body_timeout``, ``max_connections``). Clients are raw sockets on 127.0.0.1. A socket timeout
(``GUARD``, many times the configured limits) only keeps a failing test from hanging; no test
asserts how long anything took.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import ssl
import threading
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from tests.emulator_proc import EmulatorProcess
from tests.provisioning import provision_table

# its module-scoped emulator is started once: every test of the file on one xdist worker
pytestmark = pytest.mark.xdist_group("emulator_connections")

GUARD = 30.0
LIMITS = {"header_timeout": 1, "body_timeout": 1}
COLUMNS = [{"name": "TimeGenerated", "type": "datetime"}, {"name": "Msg", "type": "string"}]


def _start(root: Path, **emulator: int) -> EmulatorProcess:
    root.mkdir(parents=True, exist_ok=True)
    config = root / "config.json"
    config.write_text(json.dumps({"emulator": emulator}))
    emu = EmulatorProcess(root / "data", "--config", str(config))
    emu.start()
    return emu


@pytest.fixture(scope="module")
def tight(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatorProcess]:
    emu = _start(tmp_path_factory.mktemp("tight"), **LIMITS, max_connections=20)
    yield emu
    emu.stop()


def _addr(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    assert parts.hostname is not None and parts.port is not None
    return parts.hostname, parts.port


def _connect(emu: EmulatorProcess, listener: str) -> socket.socket:
    host, port = _addr(emu.info.endpoints.imds if listener == "http" else emu.info.endpoints.arm)
    sock = socket.create_connection((host, port), timeout=GUARD)
    if listener == "https":
        return emu.ssl_context().wrap_socket(sock, server_hostname=host)
    return sock


def _read_to_eof(sock: socket.socket) -> bytes:
    data = b""
    try:
        while chunk := sock.recv(65536):
            data += chunk
    except ConnectionResetError:
        pass
    return data


def _dribble(sock: socket.socket, head: bytes, drip: bytes) -> bytes:
    """Send ``head``, then one ``drip`` every 0.2 s until the server answers and closes."""
    sock.sendall(head)
    sock.settimeout(0.2)
    data = b""
    for _ in range(int(GUARD / 0.2)):
        try:
            chunk = sock.recv(65536)
        except (TimeoutError, ssl.SSLWantReadError):
            try:
                sock.sendall(drip)
            except (BrokenPipeError, ConnectionResetError):
                break
            continue
        except ConnectionResetError:
            break
        if not chunk:
            return data
        data += chunk
    return data


def _status(answer: bytes) -> int:
    assert answer.startswith(b"HTTP/1.1 "), answer[:200]
    return int(answer.split(b" ", 2)[1])


def _error_code(answer: bytes) -> str:
    code: str = json.loads(answer.partition(b"\r\n\r\n")[2])["error"]["code"]
    return code


class TestDeadlines:
    def test_idle_connection_is_answered_408_and_closed(self, tight: EmulatorProcess) -> None:
        """A connection that never sends a byte gets 408 RequestTimeout and is closed."""
        with _connect(tight, "http") as sock:
            answer = _read_to_eof(sock)
        assert _status(answer) == 408 and _error_code(answer) == "RequestTimeout"

    def test_idle_tls_connection_is_closed(self, tight: EmulatorProcess) -> None:
        """On the HTTPS listener a connection that never starts its TLS handshake is closed."""
        host, port = _addr(tight.info.endpoints.arm)
        with socket.create_connection((host, port), timeout=GUARD) as sock:
            assert _read_to_eof(sock) == b""

    def test_slowloris_headers_are_answered_408(self, tight: EmulatorProcess) -> None:
        """Headers dribbled one line at a time, each in time, are still cut at the header deadline."""
        head = b"GET /metadata/identity/oauth2/token?api-version=2018-02-01 HTTP/1.1\r\nHost: x\r\n"
        with _connect(tight, "http") as sock:
            answer = _dribble(sock, head, b"X-Slow: 1\r\n")
        assert _status(answer) == 408 and _error_code(answer) == "RequestTimeout"

    @pytest.mark.parametrize("listener", ["http", "https"])
    def test_dribbled_body_is_answered_408(self, tight: EmulatorProcess, listener: str) -> None:
        """A body sent a byte at a time, to an endpoint that reads it, is cut at the body deadline."""
        if listener == "http":
            path, auth = "/_emulator/faults", f"Authorization: Bearer {tight.info.admin.key}\r\n"
        else:
            path, auth = f"/{tight.info.tenant_id}/oauth2/v2.0/token", ""
        head = (
            f"POST {path} HTTP/1.1\r\nHost: x\r\n{auth}Content-Type: application/x-www-form-urlencoded\r\n"
            "Content-Length: 5000\r\n\r\n"
        ).encode()
        with _connect(tight, listener) as sock:
            answer = _dribble(sock, head, b"a")
        assert _status(answer) == 408 and _error_code(answer) == "RequestTimeout"

    def test_oversized_content_length_is_refused_unread(self, tight: EmulatorProcess) -> None:
        """A token request announcing 200 MB is answered 413 at once, its body never sent or read."""
        head = (
            f"POST /{tight.info.tenant_id}/oauth2/v2.0/token HTTP/1.1\r\nHost: x\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 200000000\r\n\r\n"
        ).encode()
        with _connect(tight, "https") as sock:
            sock.sendall(head)
            answer = _read_to_eof(sock)
        assert _status(answer) == 413
        assert json.loads(answer.partition(b"\r\n\r\n")[2])["error"] == "invalid_request"


class TestConnectionLimit:
    def test_past_the_limit_a_connection_is_answered_503_with_retry_after(
        self, tight: EmulatorProcess
    ) -> None:
        """With 20 connections open (the configured limit), the next one gets 503 ServerBusy."""
        held = [_connect(tight, "http") for _ in range(20)]
        try:
            with _connect(tight, "http") as extra:
                answer = _read_to_eof(extra)
        finally:
            for sock in held:
                sock.close()
        assert _status(answer) == 503 and _error_code(answer) == "ServerBusy"
        assert b"\r\nretry-after: 1\r\n" in answer.lower()
        # The slots free as the server sees the 20 closes (it may not have yet: ask a few times).
        for _ in range(50):
            with tight.http() as client:
                r = client.get(IMDS, params=IMDS_PARAMS, headers={"Metadata": "true"})
            if r.status_code != 503:
                break
            threading.Event().wait(0.1)
        assert r.status_code == 200


class Attackers:
    """Slow and idle connections on both listeners, each reopened as soon as the server drops it.

    Kinds: idle TCP on the HTTP listener, headers dribbled on the HTTP listener, TCP that never
    starts TLS on the HTTPS listener, a token request body dribbled over TLS. ``reaped`` counts the
    connections the server closed.
    """

    KINDS = ("idle", "slow-headers", "no-handshake", "slow-body")

    def __init__(self, emu: EmulatorProcess, per_kind: int) -> None:
        self.emu = emu
        self.per_kind = per_kind
        self.reaped = 0
        self.first_round: set[tuple[int, str]] = set()
        self.open_now = 0
        self._stop = threading.Event()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_until_complete, args=(self._main(),), daemon=True
        )

    def __enter__(self) -> Attackers:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(GUARD)
        if not self._thread.is_alive():
            self._loop.close()

    async def _main(self) -> None:
        tasks = [
            asyncio.create_task(self._attacker(i, kind)) for kind in self.KINDS for i in range(self.per_kind)
        ]
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _attacker(self, ident: int, kind: str) -> None:
        http = _addr(self.emu.info.endpoints.imds)
        https = _addr(self.emu.info.endpoints.arm)
        key = (ident, kind)
        first = True
        while not self._stop.is_set():
            try:
                if kind in ("idle", "slow-headers"):
                    reader, writer = await asyncio.open_connection(*http)
                elif kind == "no-handshake":
                    reader, writer = await asyncio.open_connection(*https)
                else:
                    reader, writer = await asyncio.open_connection(
                        *https, ssl=self.emu.ssl_context(), server_hostname=https[0]
                    )
            except OSError:
                await asyncio.sleep(0.1)
                continue
            self.open_now += 1
            try:
                if kind == "slow-headers":
                    writer.write(b"GET /metadata/identity/oauth2/token HTTP/1.1\r\nHost: x\r\n")
                elif kind == "slow-body":
                    path = f"/{self.emu.info.tenant_id}/oauth2/v2.0/token"
                    writer.write(f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Length: 9999\r\n\r\n".encode())
                while not self._stop.is_set():
                    try:
                        chunk = await asyncio.wait_for(reader.read(65536), 0.3)
                    except TimeoutError:
                        if kind == "slow-headers":
                            writer.write(b"X-Slow: 1\r\n")
                        elif kind == "slow-body":
                            writer.write(b"a")
                        continue
                    if not chunk:  # the server closed it
                        self.reaped += 1
                        if first:
                            self.first_round.add(key)
                        break
            except (OSError, ssl.SSLError):
                self.reaped += 1
                if first:
                    self.first_round.add(key)
            finally:
                self.open_now -= 1
                first = False
                writer.close()
                # closed before the loop ends, or its socket is left to the collector (a ResourceWarning)
                with contextlib.suppress(OSError, ssl.SSLError, TimeoutError):
                    await asyncio.wait_for(writer.wait_closed(), 2)


IMDS = "/metadata/identity/oauth2/token"
IMDS_PARAMS = {"api-version": "2018-02-01", "resource": "https://monitor.azure.com"}


def test_normal_client_keeps_succeeding_under_300_slow_connections(tmp_path: Path) -> None:
    """300 idle and slow connections, reopened as they are dropped, while a client keeps asking for
    IMDS tokens and sending records: every one of its requests succeeds, and the server closes every
    one of the 300 first connections (they cannot pile up)."""
    emu = _start(tmp_path / "load", **LIMITS)
    try:
        info = emu.info
        vm = emu.identity("vm")
        pipe = provision_table(info, "Load_CL", COLUMNS, principal_id=vm.principal_id)
        url = f"{pipe.endpoint}/dataCollectionRules/{pipe.immutable_id}/streams/{pipe.stream}"
        answers: list[int] = []
        with (
            Attackers(emu, per_kind=75) as attackers,
            emu.http() as imds,
            httpx.Client(verify=emu.ssl_context(), timeout=GUARD) as dce,
        ):
            rounds = 0
            while (len(attackers.first_round) < 300 or rounds < 20) and rounds < 600:
                rounds += 1
                t = imds.get(IMDS, params=IMDS_PARAMS, headers={"Metadata": "true"})
                answers.append(t.status_code)
                if t.status_code != 200:
                    break
                record = {"TimeGenerated": datetime.now(timezone.utc).isoformat(), "Msg": f"r{rounds}"}
                r = dce.post(
                    url,
                    params={"api-version": "2023-01-01"},
                    json=[record],
                    headers={"Authorization": f"Bearer {t.json()['access_token']}"},
                )
                answers.append(r.status_code)
                if r.status_code != 204:
                    break
                threading.Event().wait(0.05)
            reaped_first = len(attackers.first_round)
        assert set(answers) <= {200, 204}, answers[-5:]
        assert reaped_first == 300, "every slow or idle connection was closed by the server"
        with emu.admin() as admin:
            rows = admin.get("/_emulator/rows", params={"table": "Load_CL", "limit": 0}).text.splitlines()
        assert len(rows) == rounds
    finally:
        emu.stop()
