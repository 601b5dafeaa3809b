"""Credentials of the agent's destinations, watched: source, expiry and identity of the last token.

The agent asks :func:`azlogs.auth.choose` for the credential of each (identity source, client id)
once and shares it between the destinations that use it. The wrapper remembers the token's expiry
and its identifying claims (object id, app id) for ``azlogs agent status``; the token itself is
handed to the client and never kept, logged or shown.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from azlogs.agent._logging import redact
from azlogs.auth import choose, shown_claims
from azlogs.auth.credential import managed_detection
from azlogs.auth.detect import Detection


class WatchedCredential:
    """An azure-core ``TokenCredential`` that records when its tokens expire (never the tokens)."""

    def __init__(self, inner: Any, source: str, reason: str, client_id: str | None) -> None:
        self._inner = inner
        self.source = source
        self.reason = reason
        self.client_id = client_id
        self.expires_on: float | None = None
        self.fetched_at: float | None = None
        self.claims: dict[str, Any] = {}
        self.fetches = 0
        self.failures = 0
        self.last_error: str | None = None
        self._lock = threading.Lock()

    @property
    def detection(self) -> Detection | None:
        """Where the wrapped credential's tokens come from (for the one credential-error explainer)."""
        return managed_detection(self._inner)

    def get_token(self, *scopes: str, **kwargs: Any) -> Any:
        """Delegate to the wrapped credential and note the result's expiry."""
        return self._watch(lambda: self._inner.get_token(*scopes, **kwargs))

    def get_token_info(self, *scopes: str, options: Any = None) -> Any:
        """Delegate (``get_token`` for credentials that predate ``get_token_info``)."""
        if hasattr(self._inner, "get_token_info"):
            return self._watch(lambda: self._inner.get_token_info(*scopes, options=options))
        return self._watch(lambda: self._inner.get_token(*scopes))

    def _watch(self, call: Any) -> Any:
        try:
            result = call()
        except Exception as exc:
            with self._lock:
                self.failures += 1
                first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
                self.last_error = redact(first)[:300]
            raise
        claims = shown_claims(str(result.token))
        with self._lock:
            self.fetches += 1
            self.expires_on = float(result.expires_on)
            self.fetched_at = time.time()
            self.claims = {k: claims[k] for k in ("oid", "appid", "tid", "aud", "xms_mirid") if k in claims}
            self.last_error = None
        return result

    def close(self) -> None:
        """Close the wrapped credential (its HTTP sessions)."""
        close = getattr(self._inner, "close", None)
        if callable(close):
            close()

    def status(self) -> dict[str, Any]:
        """What ``azlogs agent status`` shows about this identity."""
        with self._lock:
            now = time.time()
            return {
                "source": self.source,
                "reason": self.reason,
                "client_id": self.client_id,
                "expires_on": (
                    time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.expires_on))
                    if self.expires_on
                    else None
                ),
                "expires_in": round(self.expires_on - now) if self.expires_on else None,
                "token_fetches": self.fetches,
                "token_failures": self.failures,
                "last_error": self.last_error,
                **self.claims,
            }


Factory = Callable[[str, "str | None"], tuple[Any, str, str]]
"""``(source, client_id) -> (credential, detected source, reason)``."""


def choose_credential(source: str, client_id: str | None) -> tuple[Any, str, str]:
    """The default factory: :func:`azlogs.auth.choose` (azure-identity, detection from the environment)."""
    choice = choose(source, client_id)
    return choice.credential, choice.detection.source or source, choice.detection.reason


class Identities:
    """One watched credential per (identity source, client id), created on first use.

    Args:
        factory: makes the credential; tests pass one that returns a fake.
    """

    def __init__(self, factory: Factory | None = None) -> None:
        self._creds: dict[tuple[str, str], WatchedCredential] = {}
        self._lock = threading.Lock()
        self._factory = factory or choose_credential

    def get(self, source: str, client_id: str | None) -> WatchedCredential:
        """The credential for ``source`` (``auto`` detects it) and an optional user-assigned client id."""
        key = (source, client_id or "")
        with self._lock:
            cred = self._creds.get(key)
            if cred is None:
                inner, detected, reason = self._factory(source, client_id)
                cred = WatchedCredential(inner, detected, reason, client_id)
                self._creds[key] = cred
            return cred

    def status(self) -> list[dict[str, Any]]:
        """Status of every identity in use."""
        with self._lock:
            creds = list(self._creds.values())
        return [c.status() for c in creds]

    def close(self) -> None:
        """Close every credential."""
        with self._lock:
            creds = list(self._creds.values())
            self._creds.clear()
        for c in creds:
            c.close()
