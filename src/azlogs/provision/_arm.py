"""A small ARM client: GET, PUT and list of resources, with ARM's errors said in the user's terms.

Only what provisioning, validate and doctor need: resources by id with an ``api-version``, list
answers followed through ``nextLink``, 429/5xx retried after ``Retry-After`` (ARM throttles per
principal), every other answer turned into an azlogs error that keeps ARM's code, message and
details. One transport seam (``transport=``) for tests; the token comes from any azure-core
``TokenCredential`` (azure-identity), fetched once and refreshed before it expires.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import Any, Final

import httpx
import orjson
from azure.core.credentials import TokenProvider

from azlogs._exceptions import ArmRequestError, AuthError, PermanentServiceError, RetryableServiceError
from azlogs._http import RetryPolicy, Verify, backoff_delay, client, mapped_errors, parse_retry_after
from azlogs.auth import Token, TokenCache
from azlogs.auth.claims import decode_claims
from azlogs.auth.clouds import AZURE_PUBLIC

__all__ = ["ARM_AUDIENCE", "AZURE_ARM_ENDPOINT", "ArmClient", "ArmRequestError"]

# The public cloud's ARM (azlogs.auth.clouds owns every cloud's); the emulator's ARM, another URL,
# accepts the audiences of the cloud it runs as.
AZURE_ARM_ENDPOINT: Final = AZURE_PUBLIC.arm_endpoint
ARM_AUDIENCE: Final = AZURE_PUBLIC.arm_endpoint
_RETRY_STATUSES: Final = frozenset({408, 429, 500, 502, 503, 504})


def _error_parts(response: httpx.Response) -> tuple[str | None, str, list[dict[str, Any]]]:
    try:
        doc = orjson.loads(response.content) if response.content else None
    except orjson.JSONDecodeError:
        doc = None
    err = doc.get("error") if isinstance(doc, dict) else None
    if not isinstance(err, dict):
        text = " ".join(response.content[:300].decode("utf-8", "replace").split())
        return None, text, []
    details = [d for d in err.get("details") or [] if isinstance(d, dict)]
    return err.get("code"), str(err.get("message") or ""), details


def _hint(status: int, code: str | None, method: str, caller: Mapping[str, Any]) -> str | None:
    who = caller.get("oid") or "the caller"
    if status == 403:
        role = (
            "Reader"
            if method == "GET"
            else "Contributor (and User Access Administrator for role assignments)"
        )
        return f"give principal {who} the {role} role on that scope, or run as an identity that has it"
    if status == 401:
        aud = caller.get("aud") or "ARM's audience"
        return f"the token (audience {aud}) must be for ARM in the subscription's cloud (--cloud) and tenant"
    if code in ("SubscriptionNotFound", "ResourceGroupNotFound"):
        return "check --subscription / --resource-group (and that the identity can see them)"
    if code == "ParentResourceNotFound":
        return "check the workspace resource id (--workspace)"
    return None


class ArmClient:
    """Talks to ARM (Azure's or the emulator's) with a bearer token from ``credential``.

    Args:
        endpoint: the ARM base URL (``https://management.azure.com``, or the emulator's ``arm``).
        credential: an azure-core ``TokenCredential``.
        audience: the token audience (ARM's, also for the emulator).
        verify: TLS trust: True (SSL_CERT_FILE / REQUESTS_CA_BUNDLE if set), a CA path or a context.
        transport: an ``httpx.BaseTransport`` (tests use ``httpx.MockTransport``).
        timeout: seconds per request.
        retries: attempts after a 408/429/5xx answer or a dropped connection.
        sleep: how to wait between attempts (tests pass a recorder).
        close_credential: close ``credential`` with the client (when the client's maker made it).
    """

    def __init__(
        self,
        endpoint: str,
        credential: TokenProvider,
        *,
        audience: str = ARM_AUDIENCE,
        verify: Verify = True,
        transport: httpx.BaseTransport | None = None,
        timeout: float = 60.0,
        retries: int = 4,
        sleep: Callable[[float], None] = time.sleep,
        close_credential: bool = False,
    ) -> None:
        self.endpoint = endpoint.rstrip("/")
        self._credential = credential
        self._close_credential = close_credential
        self._scope = audience.rstrip("/") + "/.default"
        self._retries = retries
        self._sleep = sleep
        self._tokens = TokenCache(credential, self._scope)
        self._current: Token | None = None
        self._rejected: Token | None = None
        self._policy = RetryPolicy()
        self._rng = random.Random()
        self._client = client(
            verify=verify, transport=transport, timeout=timeout, headers={"Accept": "application/json"}
        )

    # --- token --------------------------------------------------------------------------------------

    def _bearer(self) -> str:
        try:
            self._current = self._tokens.get(self._rejected)
            return self._current.value
        except AuthError as exc:
            raise type(exc)(
                f"no token for ARM ({self._scope}): {exc.message}",
                hint=exc.hint
                or f"the identity must be able to get a token for {self._scope.removesuffix('/.default')}",
            ) from exc

    @property
    def caller(self) -> dict[str, Any]:
        """The claims of the ARM token (``oid``, ``appid``, ``tid`` ...): who ARM sees."""
        return decode_claims(self._bearer())

    # --- requests -----------------------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        api_version: str,
        *,
        body: Any = None,
        params: Mapping[str, str] | None = None,
        ok: tuple[int, ...] = (200, 201, 202, 204),
        missing_ok: bool = False,
    ) -> httpx.Response | None:
        """One ARM call; ``path`` is a resource id (``/subscriptions/...``) or a full URL (nextLink).

        Returns:
            The response, or None for a 404 when ``missing_ok``.

        Raises:
            ArmRequestError: any other answer outside ``ok``.
            AuthError: no token.
            TransportError: no answer.
        """
        url = path if path.startswith(("https://", "http://")) else f"{self.endpoint}{path}"
        query: dict[str, str] = {} if "api-version=" in url else {"api-version": api_version}
        query.update(params or {})
        content = orjson.dumps(body) if body is not None else None
        attempt = 0
        while True:
            headers = {"Authorization": f"Bearer {self._bearer()}"}
            if content is not None:
                headers["Content-Type"] = "application/json"
            with mapped_errors(url.split("?", 1)[0]):
                response = self._client.request(method, url, params=query, headers=headers, content=content)
            if response.status_code in ok:
                return response
            if response.status_code == 404 and missing_ok:
                return None
            if response.status_code in _RETRY_STATUSES and attempt < self._retries:
                attempt += 1
                self._sleep(self._retry_after(response, attempt))
                continue
            if response.status_code == 401 and attempt == 0:
                attempt += 1
                self._rejected = self._current  # expired or revoked: one fresh token, once
                continue
            raise self._error(method, path, response)

    def _retry_after(self, response: httpx.Response, attempt: int) -> float:
        """What ARM asked for (seconds, HTTP date or ``retry-after-ms``; at most a minute), else backoff."""
        asked = parse_retry_after(response.headers, time.time())
        if asked is not None:
            return min(asked, 60.0)
        return backoff_delay(self._policy, attempt, self._rng)

    def _error(self, method: str, path: str, response: httpx.Response) -> Exception:
        status = response.status_code
        code, message, details = _error_parts(response)
        said = f"{code}: {message}" if code else message or f"HTTP {status}"
        extra = "".join(f"\n  - {d.get('code')}: {d.get('message')}" for d in details)
        text = f"ARM {method} {path} answered {status} {said}{extra}"
        try:
            claims = self.caller
        except AuthError:
            claims = {}
        hint = _hint(status, code, method, claims)
        if status == 401:
            return AuthError(text, hint=hint)
        if status in _RETRY_STATUSES:
            return RetryableServiceError(
                text, status=status, code=code, hint="ARM is throttling or busy; try again later"
            )
        return ArmRequestError(text, status=status, code=code, details=details, hint=hint)

    def get(self, resource_id: str, api_version: str) -> dict[str, Any] | None:
        """The resource as ARM returns it, or None when it does not exist (404)."""
        response = self.request("GET", resource_id, api_version, ok=(200,), missing_ok=True)
        return None if response is None else _json(response)

    def put(self, resource_id: str, api_version: str, body: Mapping[str, Any]) -> dict[str, Any]:
        """Create or replace a resource; ARM's answer (may be empty for 202)."""
        response = self.request("PUT", resource_id, api_version, body=dict(body))
        assert response is not None
        return _json(response) if response.content else {}

    def list(
        self, collection: str, api_version: str, *, params: Mapping[str, str] | None = None
    ) -> list[dict[str, Any]]:
        """Every item of a collection, following ``nextLink``."""
        out: list[dict[str, Any]] = []
        url: str | None = collection
        first = True
        while url:
            response = self.request("GET", url, api_version, params=params if first else None, ok=(200,))
            assert response is not None
            doc = _json(response)
            out.extend(v for v in doc.get("value") or [] if isinstance(v, dict))
            next_link = doc.get("nextLink")
            url = next_link if isinstance(next_link, str) and next_link else None
            first = False
        return out

    # --- lifecycle ----------------------------------------------------------------------------------

    def close(self) -> None:
        """Close the HTTP connections, and the credential when ``close_credential`` was set."""
        self._client.close()
        close = getattr(self._credential, "close", None) if self._close_credential else None
        if callable(close):
            close()

    def __enter__(self) -> ArmClient:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        doc = orjson.loads(response.content)
    except orjson.JSONDecodeError as exc:
        raise PermanentServiceError(
            f"ARM answered {response.status_code} with a body that is not JSON", status=response.status_code
        ) from exc
    if not isinstance(doc, dict):
        raise PermanentServiceError(
            f"ARM answered {response.status_code} with JSON that is not an object",
            status=response.status_code,
        )
    return doc
