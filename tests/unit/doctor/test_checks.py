"""Host checks: proxy variables, IMDS, the Arc key file, and the endpoint's DNS and TLS."""

from __future__ import annotations

import socket
import ssl
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from azlogs.doctor._checks import (
    arc_key_step,
    bypasses_proxy,
    can_read,
    endpoint_steps,
    imds_step,
    proxy_step,
)
from azlogs.emulator.tls import ensure_tls

IMDS = "http://169.254.169.254"


class TestProxy:
    @pytest.mark.parametrize(
        ("host", "no_proxy", "bypass"),
        [
            ("169.254.169.254", "169.254.169.254", True),
            ("169.254.169.254", "localhost, 169.254.169.254:80", True),
            ("169.254.169.254", "169.254.0.0/16", True),
            ("169.254.169.254", "*", True),
            ("169.254.169.254", "10.0.0.0/8,.internal", False),
            ("login.example.com", ".example.com", True),
            ("example.com", "example.com", True),
            ("notexample.com", "example.com", False),
            ("169.254.169.254", "", False),
        ],
    )
    def test_no_proxy_matching(self, host: str, no_proxy: str, bypass: bool) -> None:
        """NO_PROXY entries match names, domain suffixes, IPs with ports, CIDR ranges and *."""
        assert bypasses_proxy(host, no_proxy) is bypass

    def test_http_proxy_without_bypass_is_a_note(self) -> None:
        """HTTP_PROXY without NO_PROXY for IMDS: azlogs bypasses the proxy there, so ok, with the NO_PROXY
        advice for other azure-identity programs."""
        step = proxy_step({"HTTP_PROXY": "http://proxy:3128"}, IMDS, "instance metadata service")
        assert step.status == "ok" and "directly" in step.detail
        assert "NO_PROXY" in step.data["note"] and "169.254.169.254" in step.data["note"]

    def test_lower_case_variables_count(self) -> None:
        """Lower-case http_proxy / no_proxy are read too."""
        env = {"http_proxy": "http://proxy:3128", "no_proxy": "169.254.169.254"}
        assert proxy_step(env, IMDS, "IMDS").status == "ok"

    def test_https_proxy_alone_does_not_touch_imds(self) -> None:
        """Only HTTPS_PROXY set: IMDS is plain HTTP and not proxied."""
        step = proxy_step({"HTTPS_PROXY": "http://proxy:3128"}, IMDS, "IMDS")
        assert step.status == "ok" and "not proxied" in step.detail

    def test_no_proxy_at_all(self) -> None:
        """No proxy variables: ok."""
        assert proxy_step({}, IMDS, "IMDS").status == "ok"


def _http(handler: object) -> httpx.Client:
    return httpx.Client(transport=httpx.MockTransport(handler))  # type: ignore[arg-type]


class TestImds:
    def test_any_answer_means_present(self) -> None:
        """IMDS answering 400 to a request without Metadata is there (azure-identity's probe rule)."""
        seen: list[httpx.Request] = []

        def handler(request: httpx.Request) -> httpx.Response:
            seen.append(request)
            return httpx.Response(400, json={"error": "bad_request"})

        assert imds_step(_http(handler), IMDS).status == "ok"
        assert "Metadata" not in seen[0].headers

    def test_no_answer_fails_with_the_fix(self) -> None:
        """No connection to IMDS: failed, saying where it must run."""

        def handler(request: httpx.Request) -> httpx.Response:
            raise httpx.ConnectError("unreachable", request=request)

        step = imds_step(_http(handler), IMDS)
        assert step.status == "failed" and step.fix is not None and "Azure VM" in step.fix


class TestArcKeyFile:
    URL = "http://localhost:40342/metadata/identity/oauth2/token"

    def _challenge(self, path: Path) -> httpx.Client:
        def handler(request: httpx.Request) -> httpx.Response:
            assert request.headers["Metadata"] == "true"
            return httpx.Response(401, headers={"WWW-Authenticate": f"Basic realm={path}"})

        return _http(handler)

    def test_readable_key_file(self, tmp_path: Path) -> None:
        """A key file this user can read: ok, naming the file (and the directory azure-identity expects)."""
        key = tmp_path / "x.key"
        key.write_text("secret")
        step = arc_key_step(self._challenge(key), self.URL)
        assert step.status == "ok" and str(key) in step.detail and "/var/opt/azcmagent/tokens" in step.detail

    def test_unreadable_key_file_names_the_himds_group(self, tmp_path: Path) -> None:
        """A key file this user cannot read fails with the himds group as the fix."""
        key = tmp_path / "x.key"
        step = arc_key_step(self._challenge(key), self.URL, read=lambda p: "Permission denied")
        assert step.status == "failed" and "Permission denied" in step.detail
        assert step.fix is not None and "himds" in step.fix

    def test_missing_file_is_unreadable(self, tmp_path: Path) -> None:
        """can_read says why a file cannot be read."""
        assert can_read(tmp_path / "nope.key") is not None
        (tmp_path / "ok.key").write_text("x")
        assert can_read(tmp_path / "ok.key") is None

    def test_no_challenge(self) -> None:
        """An answer other than the Basic challenge is not the Arc agent."""
        step = arc_key_step(_http(lambda r: httpx.Response(200, json={})), self.URL)
        assert step.status == "failed" and "without a Basic realm" in step.detail

    def test_agent_not_running(self) -> None:
        """No answer: the Connected Machine agent is not running."""

        def handler(request: httpx.Request) -> httpx.Response:
            raise httpx.ConnectError("refused", request=request)

        step = arc_key_step(_http(handler), self.URL)
        assert step.status == "failed" and step.fix is not None and "azcmagent" in step.fix


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, Path]]:
    """A TLS server on 127.0.0.1 with a certificate from a local CA; yields (port, CA file)."""
    files = ensure_tls(tmp_path_factory.mktemp("tls"), ["127.0.0.1", "localhost"])
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(files.server_cert, files.server_key)
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]
    stop = threading.Event()

    def serve() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            try:
                with ctx.wrap_socket(conn, server_side=True):
                    pass
            except (ssl.SSLError, OSError):
                pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield port, files.ca_cert
    stop.set()
    thread.join(5)
    server.close()


class TestEndpoint:
    def test_trusted_certificate(self, tls_server: tuple[int, Path]) -> None:
        """DNS resolves and the TLS certificate is trusted with the right CA: both ok."""
        port, ca = tls_server
        steps = endpoint_steps(f"https://127.0.0.1:{port}", ssl.create_default_context(cafile=str(ca)))
        assert [(s.name, s.status) for s in steps] == [("endpoint DNS", "ok"), ("endpoint TLS", "ok")]
        assert "issued by azlogs emulator local CA" in steps[1].detail

    def test_untrusted_certificate(self, tls_server: tuple[int, Path]) -> None:
        """A certificate from an unknown CA fails the TLS step, with the CA variables as the fix."""
        port, _ = tls_server
        steps = endpoint_steps(f"https://127.0.0.1:{port}", True)
        assert steps[-1].status == "failed" and "not trusted" in steps[-1].detail
        assert steps[-1].fix is not None and "SSL_CERT_FILE" in steps[-1].fix

    def test_dns_failure(self) -> None:
        """A name that does not resolve fails the DNS step and stops there."""

        def resolve(host: str, port: int) -> list[object]:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

        steps = endpoint_steps("https://nope.example", True, resolve=resolve)
        assert [(s.name, s.status) for s in steps] == [("endpoint DNS", "failed")]
        assert steps[0].fix is not None and "endpoints.logsIngestion" in steps[0].fix

    def test_connection_refused(self) -> None:
        """A port nobody listens on fails the TLS step with the connection error."""
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        steps = endpoint_steps(f"https://127.0.0.1:{port}", True)
        assert steps[-1].name == "endpoint TLS" and steps[-1].status == "failed"
        assert "cannot connect" in steps[-1].detail
