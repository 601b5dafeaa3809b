"""Bearer tokens for the ingestion endpoint: fetched once, shared, refreshed early, never per request.

A small cache around an azure-core ``TokenCredential`` (or ``AsyncTokenCredential``) for the scope
of the cloud's Logs Ingestion API (``Cloud.monitor_scope``; the public cloud's by default). Concurrent batches share one token; when it is due for
refresh one caller fetches the next while the others keep using the current one (single flight);
when there is no usable token, callers wait for the one fetch. A 401 passes the rejected token
back (``get(rejected=...)``) and gets a fresh one unless another caller already replaced it.

The token's claims are read (base64 of the JWT payload, no signature check) only to name the
identity in diagnostics; the token itself never appears in a message, a log line or a repr.
"""

from __future__ import annotations

import asyncio
import inspect
import threading
import time
from collections.abc import Callable
from functools import cached_property
from typing import Any

from azure.core.credentials import TokenProvider
from azure.core.credentials_async import AsyncTokenProvider

from azlogs._exceptions import AuthError
from azlogs.auth.claims import decode_claims
from azlogs.auth.clouds import AZURE_PUBLIC

SCOPE = AZURE_PUBLIC.monitor_scope

# Refresh this long before expiry; tokens living less than twice this are refreshed at half-life.
REFRESH_BEFORE = 300.0
# After a failed early refresh (the current token still valid), wait this long before trying again.
REFRESH_RETRY = 30.0


def refresh_time(now: float, expires_on: float, refresh_on: float | None = None) -> float:
    """When to fetch the next token: 5 minutes before expiry, at half-life for short-lived tokens,
    or earlier when the credential advises it (``refresh_on``)."""
    lifetime = expires_on - now
    at = expires_on - REFRESH_BEFORE if lifetime >= 2 * REFRESH_BEFORE else now + lifetime / 2
    if refresh_on is not None and now <= refresh_on < at:
        at = refresh_on
    return at


class Token:
    """An access token with its timing; its repr and str never show the token."""

    def __init__(self, value: str, expires_on: float, now: float, refresh_on: float | None = None) -> None:
        self.value = value
        self.expires_on = float(expires_on)
        self.refresh_at = refresh_time(now, self.expires_on, refresh_on)
        # not used in the last seconds of its life: a request in flight must not outlive its token
        self.stale_at = self.expires_on - min(30.0, max(0.0, self.expires_on - now) / 10)

    @cached_property
    def claims(self) -> dict[str, Any]:
        """Unverified claims (``oid``, ``appid``, ``tid``, ``aud`` ...), for diagnostics."""
        return decode_claims(self.value)

    @property
    def object_id(self) -> str | None:
        """The identity's object (principal) id, the one to grant roles to."""
        oid = self.claims.get("oid")
        return str(oid) if oid else None

    def __repr__(self) -> str:
        return f"Token(<redacted>, expires_on={self.expires_on:.0f}, oid={self.object_id})"

    __str__ = __repr__


def map_credential_error(exc: BaseException, credential: object = None) -> AuthError:
    """What a credential raised, in the azlogs tree: :func:`azlogs.auth.credential.explain_failure`."""
    from azlogs.auth.credential import explain_failure, managed_detection

    return explain_failure(exc, managed_detection(credential))


def _token_from(result: Any, now: float) -> Token:
    refresh_on = getattr(result, "refresh_on", None)
    return Token(str(result.token), float(result.expires_on), now, refresh_on)


class TokenCache:
    """Thread-safe single-flight token cache over a sync ``TokenCredential``.

    Args:
        credential: anything with ``get_token_info(scope)`` or ``get_token(scope)``.
        scope: the OAuth scope.
        now: wall clock (epoch seconds), injectable for tests.
    """

    def __init__(
        self, credential: TokenProvider, scope: str = SCOPE, now: Callable[[], float] = time.time
    ) -> None:
        self._credential = credential
        self._scope = scope
        self._now = now
        self._lock = threading.Lock()
        self._token: Token | None = None
        self._retry_at = 0.0
        self.fetches = 0

    def _fetch(self) -> Token:
        self.fetches += 1
        cred = self._credential
        try:
            if hasattr(cred, "get_token_info"):
                result = cred.get_token_info(self._scope)
            else:
                result = cred.get_token(self._scope)
        except Exception as exc:
            raise map_credential_error(exc, cred) from exc
        return _token_from(result, self._now())

    def get(self, rejected: Token | None = None) -> Token:
        """A usable token; pass the token a 401 rejected to get a new one."""
        tok = self._token
        now = self._now()
        if tok is not None and tok is not rejected:
            if now < tok.refresh_at:
                return tok
            if now < tok.stale_at:
                if not self._lock.acquire(blocking=False):
                    return tok  # another caller is refreshing; this token is still good
                try:
                    if self._token is tok and now >= self._retry_at:
                        try:
                            self._token = self._fetch()
                        except AuthError:
                            self._retry_at = now + REFRESH_RETRY  # keep using the valid token
                    return self._token or tok
                finally:
                    self._lock.release()
        with self._lock:
            cur = self._token
            if cur is not None and cur is not rejected and self._now() < cur.stale_at:
                return cur  # fetched by another caller while this one waited
            self._token = self._fetch()
            return self._token


class AsyncTokenCache:
    """The asyncio twin of TokenCache, over an ``AsyncTokenCredential`` (a sync one runs in a thread)."""

    def __init__(
        self,
        credential: AsyncTokenProvider | TokenProvider,
        scope: str = SCOPE,
        now: Callable[[], float] = time.time,
    ) -> None:
        self._credential = credential
        self._scope = scope
        self._now = now
        self._lock = asyncio.Lock()
        self._token: Token | None = None
        self._retry_at = 0.0
        self.fetches = 0

    async def _fetch(self) -> Token:
        self.fetches += 1
        cred = self._credential
        method: Any = getattr(cred, "get_token_info", None) or getattr(cred, "get_token")  # noqa: B009
        try:
            if inspect.iscoroutinefunction(method):
                result = await method(self._scope)
            else:
                result = await asyncio.to_thread(method, self._scope)
                if inspect.isawaitable(result):
                    result = await result
        except Exception as exc:
            raise map_credential_error(exc, cred) from exc
        return _token_from(result, self._now())

    async def get(self, rejected: Token | None = None) -> Token:
        """A usable token; pass the token a 401 rejected to get a new one."""
        tok = self._token
        now = self._now()
        if tok is not None and tok is not rejected:
            if now < tok.refresh_at:
                return tok
            if now < tok.stale_at:
                if self._lock.locked():
                    return tok
                async with self._lock:
                    if self._token is tok and now >= self._retry_at:
                        try:
                            self._token = await self._fetch()
                        except AuthError:
                            self._retry_at = now + REFRESH_RETRY
                    return self._token or tok
        async with self._lock:
            cur = self._token
            if cur is not None and cur is not rejected and self._now() < cur.stale_at:
                return cur
            self._token = await self._fetch()
            return self._token
