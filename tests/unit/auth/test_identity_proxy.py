"""The managed identity's endpoint is asked directly even when every proxy variable points elsewhere."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from azlogs.auth.credential import choose
from tests.proxy import LoopbackProxy


class _Imds(BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self) -> None:
        _Imds.hits.append(self.path)
        body = json.dumps(
            {
                "access_token": "header.payload.signature",
                "expires_in": "3600",
                "expires_on": str(int(time.time()) + 3600),
                "resource": "https://monitor.azure.com",
                "token_type": "Bearer",
            }
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        return


@pytest.fixture
def imds() -> Iterator[str]:
    """A stand-in for IMDS on a loopback port (plain HTTP, like the real one)."""
    _Imds.hits = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Imds)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_vm_identity_bypasses_every_proxy_variable(imds: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """HTTP_PROXY, HTTPS_PROXY and ALL_PROXY set, no NO_PROXY: azlogs's VM credential asks IMDS itself and the
    proxy sees nothing (azure-identity alone would send the plain-HTTP request to the proxy)."""
    with LoopbackProxy() as proxy:
        for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
            monkeypatch.setenv(name, proxy.url)
        monkeypatch.setenv("AZURE_POD_IDENTITY_AUTHORITY_HOST", imds)
        choice = choose("vm", env={"AZURE_POD_IDENTITY_AUTHORITY_HOST": imds})
        token = choice.credential.get_token("https://monitor.azure.com/.default")
        choice.credential.close()
    assert token.token == "header.payload.signature"
    assert _Imds.hits and proxy.seen.plain == [] and proxy.seen.connects == []
