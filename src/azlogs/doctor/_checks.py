"""The host-side checks: proxy settings, IMDS reachability, the Arc key file, DNS and TLS of the endpoint.

Each check returns a :class:`Step`. Network access goes through seams (an ``httpx.Client`` whose
transport tests replace, a resolver and a connector) so that unit tests never leave the machine.
"""

from __future__ import annotations

import ipaddress
import re
import socket
import ssl
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Final

import httpx

from azlogs.auth.clouds import AZURE_PUBLIC
from azlogs.doctor._report import Step

__all__ = [
    "ARC_KEY_DIR",
    "Connector",
    "Resolver",
    "arc_key_step",
    "bypasses_proxy",
    "can_read",
    "endpoint_steps",
    "imds_step",
    "proxy_step",
]

ARC_KEY_DIR: Final = Path("/var/opt/azcmagent/tokens")
_REALM: Final = re.compile(r"basic\s+realm\s*=\s*\"?([^\",]+)\"?", re.IGNORECASE)
_HIMDS_FIX: Final = (
    "add the user that runs azlogs to the 'himds' group (sudo usermod -a -G himds $USER, then log in "
    "again), or run it as root / as a service in that group"
)

Resolver = Callable[[str, int], list[Any]]
Connector = Callable[[tuple[str, int], float], socket.socket]


def can_read(path: Path) -> str | None:
    """None when this process can read ``path``, else why not (opens it: permission bits are not enough)."""
    try:
        with path.open("rb") as fh:
            fh.read(1)
    except OSError as exc:
        return exc.strerror or type(exc).__name__
    return None


def bypasses_proxy(host: str, no_proxy: str) -> bool:
    """Whether ``host`` is excluded from proxying by a NO_PROXY value (names, suffixes, IPs, CIDRs, ``*``)."""
    host = host.strip("[]").lower()
    for raw in no_proxy.split(","):
        entry = raw.strip().lower()
        if not entry:
            continue
        if entry == "*":
            return True
        entry = entry.split(":", 1)[0] if entry.count(":") == 1 else entry
        if "/" in entry:
            try:
                if ipaddress.ip_address(host) in ipaddress.ip_network(entry, strict=False):
                    return True
            except ValueError:
                pass
            continue
        bare = entry.lstrip(".")
        if host == bare or host.endswith("." + bare):
            return True
    return False


def _env(env: Mapping[str, str], name: str) -> str:
    return env.get(name.lower()) or env.get(name.upper()) or ""


def proxy_step(env: Mapping[str, str], identity_url: str, label: str) -> Step:
    """Where the proxy variables send traffic: the service through HTTPS_PROXY, the identity endpoint never.

    azlogs reaches ``identity_url`` directly whatever HTTP_PROXY/ALL_PROXY say (a proxy cannot reach
    IMDS or a local agent); programs on the host that use azure-identity unchanged do send it to the
    proxy unless NO_PROXY excludes the host, so doctor says so, as a note, not a failure.
    """
    host = httpx.URL(identity_url).host
    no_proxy = _env(env, "NO_PROXY")
    http_proxy = _env(env, "HTTP_PROXY") or _env(env, "ALL_PROXY")
    https_proxy = _env(env, "HTTPS_PROXY")
    data = {"host": host, "no_proxy": no_proxy, "identity_proxied": False}
    if http_proxy and not bypasses_proxy(host, no_proxy):
        return Step(
            "proxy settings",
            "ok",
            f"HTTP_PROXY/ALL_PROXY is set and NO_PROXY does not exclude {host}: azlogs reaches the {label} "
            f"({identity_url}) directly, never through the proxy; other programs using azure-identity on this "
            f"host would send their token requests to the proxy (add {host} to NO_PROXY for them)",
            data={**data, "note": f"export NO_PROXY=$NO_PROXY,{host} for other azure-identity programs"},
        )
    if http_proxy:
        detail = f"a proxy is set and NO_PROXY excludes {host}"
    elif https_proxy:
        detail = f"only HTTPS_PROXY is set; the {label} is plain HTTP and is not proxied"
    else:
        detail = "no proxy variables are set"
    return Step("proxy settings", "ok", detail, data=data)


def imds_step(client: httpx.Client, imds: str, resource: str = AZURE_PUBLIC.monitor_audience) -> Step:
    """IMDS answers at all (azure-identity's own probe: any HTTP answer means it is there)."""
    url = f"{imds.rstrip('/')}/metadata/identity/oauth2/token"
    try:
        response = client.get(url, params={"api-version": "2018-02-01", "resource": resource})
    except httpx.HTTPError as exc:
        return Step(
            "IMDS reachable",
            "failed",
            f"the instance metadata service at {imds} did not answer ({type(exc).__name__}: {exc})",
            "run on an Azure VM or scale set with an identity; in a container, allow traffic to 169.254.169.254 "
            "(host network or a route to it); behind a proxy, see the proxy settings step",
        )
    return Step(
        "IMDS reachable", "ok", f"{imds} answered (HTTP {response.status_code} to a request without Metadata)"
    )


def arc_key_step(
    client: httpx.Client,
    identity_endpoint: str,
    read: Callable[[Path], str | None] = can_read,
    resource: str = AZURE_PUBLIC.monitor_audience,
) -> Step:
    """The Arc agent's challenge names a key file; this user must be able to read it."""
    name = "Arc key file"
    try:
        response = client.get(
            identity_endpoint,
            params={"api-version": "2020-06-01", "resource": resource},
            headers={"Metadata": "true"},
        )
    except httpx.HTTPError as exc:
        return Step(
            name,
            "failed",
            f"the Azure Arc agent (himds) did not answer at {identity_endpoint} ({type(exc).__name__})",
            "check that the Connected Machine agent runs (azcmagent show; systemctl status himdsd)",
        )
    challenge = response.headers.get("www-authenticate", "")
    m = _REALM.search(challenge)
    if response.status_code != 401 or m is None:
        return Step(
            name,
            "failed",
            f"the Arc agent answered HTTP {response.status_code} without a Basic realm challenge",
            "IDENTITY_ENDPOINT must be the Arc agent's token endpoint (http://localhost:40342/metadata/identity/oauth2/token)",
        )
    path = Path(m.group(1).strip())
    data = {"key_file": str(path)}
    problem = read(path)
    if problem is not None:
        return Step(
            name,
            "failed",
            f"the Arc agent's challenge names {path}, and this user cannot read it ({problem})",
            _HIMDS_FIX,
            data,
        )
    detail = f"{path} is readable by this user"
    if path.parent != ARC_KEY_DIR:
        detail += f" (note: azure-identity reads key files only from {ARC_KEY_DIR})"
    return Step(name, "ok", detail, data=data)


def _tls_context(verify: bool | ssl.SSLContext) -> ssl.SSLContext:
    # The check is whether the endpoint's certificate is trusted: it always verifies (the caller
    # passes the CA the client will use, or True for the default trust store).
    if isinstance(verify, ssl.SSLContext):
        return verify
    return ssl.create_default_context()


def _cert_name(cert: Mapping[str, Any], key: str) -> str:
    for rdn in cert.get(key, ()):
        for attr, value in rdn:
            if attr == "commonName":
                return str(value)
    return "?"


def endpoint_steps(
    endpoint: str,
    verify: bool | ssl.SSLContext,
    *,
    resolve: Resolver = socket.getaddrinfo,
    connect: Connector = socket.create_connection,
    timeout: float = 10.0,
) -> list[Step]:
    """``endpoint DNS`` and ``endpoint TLS``: the host resolves, accepts a connection, and its certificate is trusted."""
    url = httpx.URL(endpoint)
    host = url.host
    port = url.port or (443 if url.scheme == "https" else 80)
    try:
        addresses = sorted({str(a[4][0]) for a in resolve(host, port)})
    except (socket.gaierror, OSError) as exc:
        return [
            Step(
                "endpoint DNS",
                "failed",
                f"{host} does not resolve ({exc})",
                "copy the endpoint from the DCR's endpoints.logsIngestion (or the DCE's logsIngestion); with "
                "Private Link, the private DNS zone must be linked to this network",
            )
        ]
    steps = [
        Step(
            "endpoint DNS", "ok", f"{host} resolves to {', '.join(addresses)}", data={"addresses": addresses}
        )
    ]
    try:
        sock = connect((host, port), timeout)
    except OSError as exc:
        steps.append(
            Step(
                "endpoint TLS",
                "failed",
                f"cannot connect to {host}:{port} ({exc.strerror or exc})",
                "check the endpoint URL and that a firewall, NSG or proxy lets this host reach it on that port",
            )
        )
        return steps
    with sock:
        if url.scheme != "https":
            steps.append(Step("endpoint TLS", "skipped", f"{endpoint} is plain HTTP (loopback only)"))
            return steps
        try:
            with _tls_context(verify).wrap_socket(sock, server_hostname=host) as tls:
                cert = tls.getpeercert() or {}
                version = tls.version()
        except ssl.SSLCertVerificationError as exc:
            steps.append(
                Step(
                    "endpoint TLS",
                    "failed",
                    f"the TLS certificate of {host} is not trusted: {exc.verify_message}",
                    "trust the endpoint's CA (SSL_CERT_FILE / REQUESTS_CA_BUNDLE); for the local emulator: "
                    'eval "$(azlogs emulator env --source ...)"; a TLS-inspecting proxy needs its CA too',
                )
            )
            return steps
        except (ssl.SSLError, OSError) as exc:
            steps.append(
                Step(
                    "endpoint TLS",
                    "failed",
                    f"TLS handshake with {host}:{port} failed ({exc})",
                    "check that the endpoint is the HTTPS logs-ingestion endpoint",
                )
            )
            return steps
    steps.append(
        Step(
            "endpoint TLS",
            "ok",
            f"{version} to {host}:{port}, certificate for {_cert_name(cert, 'subject')} issued by "
            f"{_cert_name(cert, 'issuer')}",
        )
    )
    return steps
