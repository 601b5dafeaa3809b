"""The one seam to HTTP: request building, TLS trust, and translation of httpx errors.

Everything below this module is httpx; everything above it sees only the azlogs error tree::

    httpx.TimeoutException            -> TransportError        (retryable)
    httpx.ConnectError (cert refused) -> TlsVerifyError        (permanent: retrying cannot help)
    httpx.NetworkError/ProtocolError  -> TransportError        (retryable)
    httpx.UnsupportedProtocol/InvalidURL -> EndpointError      (permanent)

Each translation is ``raise ... from exc``. Unit tests replace the network with
``httpx.MockTransport`` at exactly this seam.
"""

from __future__ import annotations

import ipaddress
import os
import ssl
import sys
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from urllib.parse import quote

import httpx

from azlogs._exceptions import EndpointError, TlsVerifyError, TransportError, UsageError
from azlogs._version import __version__
from azlogs.auth.clouds import AZURE_PUBLIC, CLOUDS

USER_AGENT = f"azlogs/{__version__} Python/{sys.version_info.major}.{sys.version_info.minor}"

_CA_HINT = (
    "trust the endpoint's CA with verify=<path or ssl.SSLContext>, or SSL_CERT_FILE / REQUESTS_CA_BUNDLE "
    "(for the local emulator: eval $(azlogs emulator env ...))"
)


def check_endpoint(endpoint: str) -> str:
    """Validate a logs-ingestion endpoint URL and return it without a trailing slash.

    Raises:
        UsageError: not an absolute https URL (plain http is allowed to loopback only, because
            the bearer token would otherwise cross the network in clear text).
    """
    try:
        url = httpx.URL(endpoint)
    except httpx.InvalidURL as exc:
        raise UsageError(f"invalid endpoint URL {endpoint!r}: {exc}") from exc
    if url.scheme == "http" and _is_loopback(url.host):
        return endpoint.rstrip("/")
    if url.scheme != "https" or not url.host:
        raise UsageError(
            f"the endpoint must be an https URL, got {endpoint!r}",
            hint="use the DCE's logsIngestion endpoint or the DCR's endpoints.logsIngestion "
            f"(https://...{AZURE_PUBLIC.ingestion_suffix}; in other clouds "
            + ", ".join(c.ingestion_suffix for c in CLOUDS[1:])
            + ")",
        )
    return endpoint.rstrip("/")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def ingestion_url(endpoint: str, rule_id: str, stream: str) -> str:
    """``{endpoint}/dataCollectionRules/{ruleId}/streams/{stream}`` (query string added per request)."""
    return f"{endpoint}/dataCollectionRules/{quote(rule_id, safe='')}/streams/{quote(stream, safe='')}"


def build_request(url: str, api_version: str, token: str, gzip_body: bytes) -> httpx.Request:
    """The POST of one gzip JSON array, with a fresh ``x-ms-client-request-id``."""
    return httpx.Request(
        "POST",
        url,
        params={"api-version": api_version},
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json",
            "Content-Encoding": "gzip",
            "Accept": "application/json",
            "User-Agent": USER_AGENT,
            "x-ms-client-request-id": str(uuid.uuid4()),
        },
        content=gzip_body,
    )


def resolve_verify(
    verify: bool | str | ssl.SSLContext, environ: Mapping[str, str] | None = None
) -> bool | ssl.SSLContext:
    """The TLS trust to use: ``verify`` as given, or with ``True`` the CA bundle named by
    SSL_CERT_FILE, REQUESTS_CA_BUNDLE or SSL_CERT_DIR (in that order), else httpx's default."""
    if verify is False or isinstance(verify, ssl.SSLContext):
        return verify
    if isinstance(verify, str):
        return _context_for(verify)
    env = os.environ if environ is None else environ
    for name in ("SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "SSL_CERT_DIR"):
        path = env.get(name)
        if path:
            return _context_for(path, name)
    return True


def _context_for(path: str, source: str = "verify") -> ssl.SSLContext:
    try:
        if os.path.isdir(path):
            return ssl.create_default_context(capath=path)
        return ssl.create_default_context(cafile=path)
    except (OSError, ssl.SSLError) as exc:
        raise UsageError(
            f"cannot load the CA certificates named by {source} ({path}): {exc}",
            hint="point it at a PEM file or a directory of certificates",
        ) from exc


def _cert_refused(exc: BaseException) -> bool:
    seen: set[int] = set()
    cur: BaseException | None = exc
    while cur is not None and id(cur) not in seen:
        seen.add(id(cur))
        if isinstance(cur, ssl.SSLCertVerificationError) or "CERTIFICATE_VERIFY_FAILED" in str(cur):
            return True
        cur = cur.__cause__ or cur.__context__
    return False


@contextmanager
def mapped_errors(url: str) -> Iterator[None]:
    """Translate httpx exceptions raised inside the block into the azlogs tree."""
    try:
        yield
    except httpx.TimeoutException as exc:
        raise TransportError(f"timed out talking to {url} ({type(exc).__name__})") from exc
    except httpx.ConnectError as exc:
        if _cert_refused(exc):
            raise TlsVerifyError(
                f"the TLS certificate of {url} is not trusted: {exc}", hint=_CA_HINT
            ) from exc
        raise TransportError(f"cannot connect to {url}: {exc}") from exc
    except (httpx.UnsupportedProtocol, httpx.InvalidURL) as exc:
        raise EndpointError(f"cannot use the endpoint {url}: {exc}") from exc
    except httpx.HTTPError as exc:  # NetworkError, ProtocolError, ProxyError, DecodingError ...
        raise TransportError(f"the request to {url} failed: {type(exc).__name__}: {exc}") from exc
