"""The one HTTP layer of azlogs: every outbound client is made here, and every httpx error is
translated here.

Ingestion (``LogsClient`` / ``AsyncLogsClient``), the query client, ARM (provision), doctor, the
demo, the emulator readers of the CLI and ``azlogs agent status`` all get their httpx client from
:func:`client` or :func:`async_client`, so that they share:

- TLS trust: ``verify`` (``True``, a CA path, an ``ssl.SSLContext`` or ``False``); with ``True``,
  SSL_CERT_FILE, REQUESTS_CA_BUNDLE or SSL_CERT_DIR, in that order (:func:`resolve_verify`);
- the test seam: ``transport`` (``httpx.MockTransport`` in unit tests); with a transport, no CA is
  loaded and no proxy variable is read;
- the User-Agent (``azlogs/<version> Python/<x.y>``), timeouts, and no redirects (a redirect would
  re-send the bearer token to another host);
- proxies: the service (ingestion, query, ARM, Entra) honours HTTPS_PROXY and NO_PROXY; an endpoint on
  this host or its link (IMDS 169.254.169.254, the Arc agent, App Service / Automation identity, the
  agent's status) is reached directly whatever the proxy variables say (``local=True``), because a proxy
  cannot reach it and must not see its tokens.

Errors, each ``raise ... from exc`` (:func:`mapped_errors`)::

    httpx.TimeoutException               -> TransportError   (retryable)
    httpx.ConnectError (cert refused)    -> TlsVerifyError   (permanent: retrying cannot help)
    httpx.NetworkError/ProtocolError     -> TransportError   (retryable)
    httpx.UnsupportedProtocol/InvalidURL -> EndpointError    (permanent)

Retry pacing shared by every client that retries (ingestion, ARM), pure functions: ``RetryPolicy``,
:func:`parse_retry_after` (seconds or HTTP-date, then ``retry-after-ms``, then ``x-ms-retry-after-ms``:
azure-core's order) and :func:`backoff_delay` (exponential with full jitter). What an answer of the
ingestion endpoint *means* is ``azlogs.ingest``'s (``classify_answer``).
"""

from __future__ import annotations

import ipaddress
import math
import os
import random
import ssl
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any, TypeAlias, TypedDict

import httpx

from azlogs._exceptions import EndpointError, TlsVerifyError, TransportError, UsageError
from azlogs._version import __version__
from azlogs.auth.clouds import AZURE_PUBLIC, CLOUDS

if TYPE_CHECKING:
    from typing_extensions import Unpack

__all__ = [
    "DEFAULT_TIMEOUT",
    "USER_AGENT",
    "ClientOptions",
    "RetryPolicy",
    "Verify",
    "async_client",
    "backoff_delay",
    "check_endpoint",
    "client",
    "mapped_errors",
    "parse_retry_after",
    "resolve_verify",
]

# TLS trust as the caller gives it: True (the environment's CA settings, else httpx's default),
# False (no verification), a path to a PEM file or a directory of certificates, or a context.
Verify: TypeAlias = bool | str | ssl.SSLContext

USER_AGENT = f"azlogs/{__version__} Python/{sys.version_info.major}.{sys.version_info.minor}"
DEFAULT_TIMEOUT = httpx.Timeout(60.0, connect=10.0)

_CA_HINT = (
    "trust the endpoint's CA with verify=<path or ssl.SSLContext>, or SSL_CERT_FILE / REQUESTS_CA_BUNDLE "
    "(for the local emulator: eval $(azlogs emulator env ...))"
)


class ClientOptions(TypedDict, total=False):
    """What :func:`client` and :func:`async_client` take besides their transport (the test seam; with
    it, no CA is loaded and no proxy variable is read).

    Attributes:
        verify: TLS trust (default True: SSL_CERT_FILE / REQUESTS_CA_BUNDLE / SSL_CERT_DIR from ``environ``).
        timeout: seconds, or an ``httpx.Timeout`` (default ``DEFAULT_TIMEOUT``).
        headers: default headers, added to the User-Agent.
        base_url: prefix of relative request URLs.
        local: an endpoint on this host or its link (identity endpoints, the agent's status): never
            through a proxy, and no environment setting is read.
        http2: HTTP/2 (needs the ``h2`` package).
        limits: connection pool limits.
        environ: the environment to read the CA settings from (default ``os.environ``).
    """

    verify: Verify
    timeout: float | httpx.Timeout | None
    headers: Mapping[str, str] | None
    base_url: str
    local: bool
    http2: bool
    limits: httpx.Limits | None
    environ: Mapping[str, str] | None


def _options(transport: object, o: ClientOptions) -> dict[str, Any]:
    local = o.get("local", False)
    options: dict[str, Any] = {
        "timeout": o.get("timeout", DEFAULT_TIMEOUT),
        "headers": {"User-Agent": USER_AGENT, **(o.get("headers") or {})},
        "follow_redirects": False,  # a redirect would re-send the bearer token elsewhere
        "base_url": o.get("base_url", ""),
        # trust_env=False: no proxy variable (and no other environment setting) is read for a local endpoint.
        "trust_env": not local,
    }
    if o.get("limits") is not None:
        options["limits"] = o["limits"]
    if transport is not None:
        options["transport"] = transport  # it carries its own TLS; no CA is loaded, no proxy read
        return options
    if o.get("http2"):
        try:
            import h2  # noqa: F401
        except ImportError as exc:
            raise UsageError("http2=True needs the h2 package", hint="pip install 'httpx[http2]'") from exc
        options["http2"] = True
    verify = o.get("verify", True)
    # The host's own endpoints are plain http: the service's CA settings are not read for them.
    options["verify"] = True if local and verify is True else resolve_verify(verify, o.get("environ"))
    return options


def client(*, transport: httpx.BaseTransport | None = None, **options: Unpack[ClientOptions]) -> httpx.Client:
    """An httpx client for an azlogs request: see the module docstring and ``ClientOptions``.

    Raises:
        UsageError: a CA path that cannot be loaded, or ``http2`` without ``h2``.
    """
    return httpx.Client(**_options(transport, options))


def async_client(
    *, transport: httpx.AsyncBaseTransport | None = None, **options: Unpack[ClientOptions]
) -> httpx.AsyncClient:
    """The asyncio twin of :func:`client`, with the same options."""
    return httpx.AsyncClient(**_options(transport, options))


def check_endpoint(endpoint: str) -> str:
    """Validate an endpoint URL that will carry a bearer token and return it without a trailing slash.

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


def resolve_verify(verify: Verify, environ: Mapping[str, str] | None = None) -> bool | ssl.SSLContext:
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


# --- retry pacing (pure) -------------------------------------------------------------------------


@dataclass(frozen=True)
class RetryPolicy:
    """How retries are paced and bounded.

    Attributes:
        max_attempts: attempts per request, the first included.
        backoff_base: seconds; the first backoff window is ``[0, backoff_base]``.
        backoff_cap: seconds; no backoff window is wider than this.
        max_elapsed: seconds a request may spend in retries since its first attempt.
        retry_after_jitter: seconds of jitter added after a ``Retry-After`` wait, so that
            concurrent requests told to wait the same time do not return in one burst.
    """

    max_attempts: int = 10
    backoff_base: float = 0.5
    backoff_cap: float = 30.0
    max_elapsed: float = 300.0
    retry_after_jitter: float = 0.25

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if self.backoff_base < 0 or self.backoff_cap < 0 or self.max_elapsed < 0:
            raise ValueError("backoff_base, backoff_cap and max_elapsed must not be negative")


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def parse_retry_after(headers: Mapping[str, str], now: float) -> float | None:
    """Seconds the service asked to wait, or None when it did not say (or said it unreadably).

    Args:
        headers: response headers; keys are looked up in lower case, so pass a case-insensitive
            mapping (``httpx.Headers``) or lower-case keys.
        now: the current wall-clock time (epoch seconds), for an HTTP-date value.
    """
    value = headers.get("retry-after")
    if value:
        seconds = _number(value.strip())
        if seconds is None:
            try:
                when = parsedate_to_datetime(value.strip())
            except (TypeError, ValueError, IndexError):
                when = None
            if when is not None and when.tzinfo is not None:
                seconds = when.timestamp() - now
        if seconds is not None:
            return max(0.0, seconds)
    for name in ("retry-after-ms", "x-ms-retry-after-ms"):
        value = headers.get(name)
        if value:
            millis = _number(value.strip())
            if millis is not None:
                return max(0.0, millis / 1000.0)
    return None


def backoff_delay(policy: RetryPolicy, attempt: int, rng: random.Random) -> float:
    """Full-jitter exponential backoff after the ``attempt``-th failed attempt (1-based)."""
    exponent = min(attempt - 1, 62)  # 2**62 * base is far past any cap; avoid huge floats
    window = min(policy.backoff_cap, policy.backoff_base * (2.0**exponent))
    return rng.uniform(0.0, window)
