"""azlogs._http: one factory of httpx clients for every outbound client, and the query client on it."""

from __future__ import annotations

import asyncio
import http.server
import json
import re
import socket
import ssl
import threading
from pathlib import Path
from typing import Any

import certifi
import httpx
import pytest
from click.testing import CliRunner

from azlogs import _http
from azlogs._exceptions import TlsVerifyError, TransportError, UsageError
from azlogs.cli import main
from azlogs.query import query_workspace
from tests.unit.ingest.ingest_fakes import FakeCredential

SRC = Path(__file__).resolve().parents[2] / "src" / "azlogs"
WORKSPACE = "00000000-0000-4000-8000-000000000001"


class _LoopbackServer:
    """A plain HTTP server on 127.0.0.1 answering 200 with ``body`` to every GET, in a thread."""

    def __init__(self, body: bytes = b"") -> None:
        self.body = body

    def __enter__(self) -> str:
        body = self.body

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _answer(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json={"tables": [{"name": "PrimaryResult", "columns": [], "rows": []}]})


class TestFactory:
    def test_every_request_carries_the_user_agent_and_the_given_headers(self) -> None:
        """A client from the factory sends azlogs's User-Agent and the caller's default headers."""
        seen: list[httpx.Request] = []

        def handler(request: httpx.Request) -> httpx.Response:
            seen.append(request)
            return httpx.Response(204)

        with _http.client(
            transport=httpx.MockTransport(handler), headers={"Accept": "application/json"}
        ) as c:
            c.get("https://example.invalid/x")
        assert seen[0].headers["User-Agent"] == _http.USER_AGENT
        assert seen[0].headers["Accept"] == "application/json"

    def test_the_async_client_is_made_the_same_way(self) -> None:
        """async_client takes the same arguments and sends the same User-Agent."""
        seen: list[httpx.Request] = []

        async def handler(request: httpx.Request) -> httpx.Response:
            seen.append(request)
            return httpx.Response(204)

        async def go() -> None:
            async with _http.async_client(transport=httpx.MockTransport(handler)) as c:
                await c.get("https://example.invalid/x")

        asyncio.run(go())
        assert seen[0].headers["User-Agent"] == _http.USER_AGENT

    def test_redirects_are_not_followed(self) -> None:
        """A 307 is returned as it is: following it would re-send the bearer token to another host."""

        def handler(request: httpx.Request) -> httpx.Response:
            return httpx.Response(307, headers={"Location": "https://elsewhere.invalid/"})

        with _http.client(transport=httpx.MockTransport(handler)) as c:
            assert c.get("https://example.invalid/x").status_code == 307

    def test_a_local_endpoint_is_never_reached_through_a_proxy(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """With every proxy variable pointing at a closed port, a local client (identity endpoint, the
        agent's status) reaches a loopback server directly, while a service client goes to the proxy."""
        proxy = f"http://127.0.0.1:{_closed_port()}"
        with _LoopbackServer() as url:
            for name in ("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "http_proxy", "all_proxy"):
                monkeypatch.setenv(name, proxy)
            with _http.client(local=True, timeout=10) as local:
                assert local.get(url + "/status").status_code == 200
            with _http.client(timeout=10) as service, pytest.raises((httpx.ProxyError, httpx.ConnectError)):
                service.get(url + "/status")

    def test_verify_true_reads_the_ca_environment(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """verify=True loads REQUESTS_CA_BUNDLE (as send does); a CA that cannot be loaded is a usage error naming it."""
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/nonexistent/ca.pem")
        with pytest.raises(UsageError, match="REQUESTS_CA_BUNDLE"):
            _http.client()
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", certifi.where())
        assert isinstance(_http.resolve_verify(True), ssl.SSLContext)
        with _http.client():
            pass

    def test_http2_needs_h2_only_without_a_transport(self) -> None:
        """http2=True is accepted with h2 installed; with a transport it is the transport's business."""
        with _http.client(http2=True):
            pass
        with _http.client(http2=True, transport=httpx.MockTransport(_answer)):
            pass


def test_agent_status_url_is_read_without_the_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """`azlogs agent status --url http://127.0.0.1:N` reads the agent's loopback listener directly even
    when HTTP_PROXY points elsewhere (it used to send the request to the proxy and fail)."""
    doc = {"pid": 999_999_999, "state": "stopped", "updated_epoch": 0, "totals": {}, "inputs": {}}
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{_closed_port()}")
    with _LoopbackServer(json.dumps(doc).encode()) as url:
        result = CliRunner().invoke(main, ["agent", "status", "--url", url, "--json"])
    assert json.loads(result.output)["state"] == "stopped", result.output


class TestMappedErrors:
    @pytest.mark.parametrize(
        ("raised", "expected"),
        [
            (
                httpx.ConnectError("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed"),
                TlsVerifyError,
            ),
            (httpx.ConnectError("connection refused"), TransportError),
            (httpx.ReadTimeout("timed out"), TransportError),
        ],
    )
    def test_httpx_errors_become_the_azlogs_tree(self, raised: Exception, expected: type[Exception]) -> None:
        """Inside mapped_errors an httpx error is raised again as an azlogs error, from the original."""
        with pytest.raises(expected) as info, _http.mapped_errors("https://example.invalid"):
            raise raised
        assert info.value.__cause__ is raised


class TestQueryClient:
    def test_query_honours_requests_ca_bundle(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """query_workspace(verify=True) reads REQUESTS_CA_BUNDLE like send: an unreadable bundle is named."""
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/nonexistent/ca.pem")
        with pytest.raises(UsageError, match="REQUESTS_CA_BUNDLE"):
            query_workspace(WORKSPACE, "print 1", FakeCredential(), endpoint="https://127.0.0.1:9")

    def test_an_untrusted_certificate_is_a_tls_error_with_the_fix(self) -> None:
        """A certificate the client does not trust is TlsVerifyError, with the CA settings in the hint."""

        def handler(request: httpx.Request) -> httpx.Response:
            raise httpx.ConnectError("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed")

        with pytest.raises(TlsVerifyError) as info:
            query_workspace(WORKSPACE, "print 1", FakeCredential(), transport=httpx.MockTransport(handler))
        assert "REQUESTS_CA_BUNDLE" in (info.value.hint or "")

    def test_the_query_request_is_made_through_the_layer(self) -> None:
        """The query POST carries azlogs's User-Agent, the bearer token and Prefer: wait."""
        seen: list[httpx.Request] = []

        def handler(request: httpx.Request) -> httpx.Response:
            seen.append(request)
            return _answer(request)

        tables = query_workspace(
            WORKSPACE, "print 1", FakeCredential(), transport=httpx.MockTransport(handler), timeout=30
        )
        assert [t.name for t in tables] == ["PrimaryResult"]
        assert seen[0].headers["User-Agent"] == _http.USER_AGENT
        assert seen[0].headers["Authorization"].startswith("Bearer ")
        assert seen[0].headers["Prefer"] == "wait=30"


def test_no_client_outside_the_layer_makes_its_own_httpx_client() -> None:
    """Only azlogs._http constructs httpx clients (the emulator's own test-facing code aside)."""
    made = re.compile(r"httpx\.(Client|AsyncClient)\(|httpx\.(get|post|put|delete|request|stream)\(")
    found = sorted(
        str(p.relative_to(SRC))
        for p in SRC.rglob("*.py")
        if made.search(p.read_text()) and p.name != "_http.py" and "emulator" not in p.parts
    )
    assert found == []


def test_verify_is_typed_everywhere() -> None:
    """No ``verify: Any`` is left in a signature of src/azlogs: TLS trust is ``Verify``."""
    loose: list[Any] = [
        str(p.relative_to(SRC)) for p in SRC.rglob("*.py") if re.search(r"\bverify: Any\b", p.read_text())
    ]
    assert loose == []
