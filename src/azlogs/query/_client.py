"""A small client of ``POST {endpoint}/v1/workspaces/{id}/query`` with errors in the user's terms."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import httpx
from azure.core.credentials import TokenProvider

from azlogs._exceptions import AuthError, PermanentServiceError, RetryableServiceError
from azlogs._http import Verify, client, mapped_errors
from azlogs.auth import TokenCache
from azlogs.auth.clouds import AZURE_PUBLIC, Cloud, resolve_cloud

# The public cloud's (azlogs.auth.clouds owns every cloud's query endpoint and audience).
QUERY_AUDIENCE = AZURE_PUBLIC.query_audience
DEFAULT_ENDPOINT = AZURE_PUBLIC.query_endpoint
# How much longer than the server timeout the client waits for an answer.
_MARGIN_SECONDS = 15.0


@dataclass
class QueryTable:
    """One result table: column names and types (the query API's spelling) and rows.

    ``partial_error`` is set when the service answered a ``PartialError`` (rows cut at its result
    limits, a runaway query stopped): the rows are not all of them.
    """

    name: str
    columns: list[tuple[str, str]]
    rows: list[list[Any]] = field(default_factory=list)
    partial_error: str | None = None

    def records(self) -> list[dict[str, Any]]:
        names = [c for c, _ in self.columns]
        return [dict(zip(names, row, strict=False)) for row in self.rows]


def _timespan(value: str | dt.timedelta | None) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return f"PT{value.total_seconds()}S"


def _deepest(err: Any) -> str | None:
    """The innermost ``innererror`` as ``CODE: message``: where the service says what it found (SYN0002, SEM0100)."""
    inner, depth = err.get("innererror") if isinstance(err, dict) else None, 0
    found = None
    while isinstance(inner, dict) and depth < 16:
        if inner.get("message"):
            found = inner
        inner, depth = inner.get("innererror"), depth + 1
    if found is None:
        return None
    code = found.get("code")
    return f"{code}: {found['message']}" if code else str(found["message"])


def _partial_text(err: Any) -> str | None:
    """``PartialError: <the engine's words>`` for the ``error`` of a 200, None when there is none."""
    if not isinstance(err, dict) or not err:
        return None
    said = _deepest(err)
    details = err.get("details")
    if said is None and isinstance(details, list) and details and isinstance(details[0], dict):
        said = _deepest(details[0]) or details[0].get("message")
    return f"{err.get('code', 'PartialError')}: {said or err.get('message', '')}"


def query_workspace(
    workspace_id: str,
    kql: str,
    credential: TokenProvider,
    *,
    endpoint: str | None = None,
    timespan: str | dt.timedelta | None = None,
    verify: Verify = True,
    timeout: float = 180.0,
    transport: httpx.BaseTransport | None = None,
    cloud: Cloud | str | None = None,
) -> list[QueryTable]:
    """Run ``kql`` in the workspace; returns the result tables (PrimaryResult first).

    ``cloud`` (or ``AZURE_CLOUD``, or the endpoint's host) gives the query endpoint (when
    ``endpoint`` is None) and the token's audience: ``api.loganalytics.us`` in US Government.

    A partial answer (rows cut at the service's limits) is returned with ``partial_error`` set on
    every table. ``timeout`` is the server timeout asked for (``Prefer: wait``); the client waits a
    little longer, so that the service's 504 arrives rather than a client-side timeout.

    ``verify`` is the TLS trust, as for ``LogsClient``: ``True`` reads SSL_CERT_FILE, REQUESTS_CA_BUNDLE or
    SSL_CERT_DIR; a CA path or an ``ssl.SSLContext`` is used as given.

    Raises:
        TransportError: no answer (TlsVerifyError: the endpoint's certificate is not trusted).
        AuthError: no token, or the service refused it (401/403, with the reason and the fix).
        PermanentServiceError: a query the service refuses (syntax, semantic), with its message.
        RetryableServiceError: 429 or 5xx, such as 504 GatewayTimeout past the server timeout.
    """
    the_cloud = resolve_cloud(cloud, endpoint=endpoint)
    base = (endpoint or the_cloud.query_endpoint).rstrip("/")
    if base.endswith("/v1"):
        base = base[:-3]
    try:
        token = TokenCache(credential, the_cloud.query_scope).get().value
    except AuthError as exc:
        raise type(exc)(f"no token for the Log Analytics query API: {exc.message}", hint=exc.hint) from None
    body = {"query": kql, "timespan": _timespan(timespan)}
    url = f"{base}/v1/workspaces/{workspace_id}/query"
    with (
        client(verify=verify, timeout=timeout + _MARGIN_SECONDS, transport=transport) as http,
        mapped_errors(url),
    ):
        r = http.post(
            url, json=body, headers={"Authorization": f"Bearer {token}", "Prefer": f"wait={int(timeout)}"}
        )
    if r.status_code == 204:
        return []
    data: dict[str, Any] = r.json() if r.content else {}
    if r.status_code != 200:
        err = data.get("error", {}) if isinstance(data, dict) else {}
        message = err.get("message") or r.text[:300]
        detail = _deepest(err)
        text = f"{err.get('code', r.status_code)}: {message}" + (
            f" ({detail})" if detail and detail != message else ""
        )
        if r.status_code in (401, 403):
            raise AuthError(
                text,
                hint="the identity needs Log Analytics Reader (or Reader) on the workspace"
                if r.status_code == 403
                else f"the token must be for {the_cloud.query_audience} (the workspace's cloud: --cloud)",
            )
        cls = RetryableServiceError if r.status_code == 429 or r.status_code >= 500 else PermanentServiceError
        raise cls(text, status=r.status_code, code=err.get("code"))
    partial = _partial_text(data.get("error"))
    return [
        QueryTable(t["name"], [(c["name"], c["type"]) for c in t["columns"]], t["rows"], partial)
        for t in data.get("tables", [])
    ]
