"""Who may see the portal: sign-in as the emulator's admin principal, then an opaque session cookie.

The portal is served on the HTTPS listener, like everything else but the host-local identity
endpoints, and is protected as the ``/_emulator/`` admin surface is (:mod:`azlogs.emulator.guards`):
only the admin principal gets in. A browser signs in once with one of the admin's credentials from
``emulator.json`` (the per-start ``admin.key``, or ``admin.client_id`` + ``admin.client_secret`` as a
client-credentials grant would present them) and receives a cookie that holds a random session id:
never the key, the secret or a token. The cookie is ``HttpOnly`` (no script reads it), ``Secure``
(never sent over plain HTTP) and ``SameSite=Strict`` (never sent by another site's page, so the
portal's POSTs need no CSRF token), and is scoped to ``/portal``. Scripts may skip the cookie and send
``Authorization: Bearer <admin.key or an admin token>`` as they do to ``/_emulator/``.

Sessions live in memory: a restart of the emulator (which also draws a new admin key) signs every
browser out.
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections.abc import Callable
from typing import Final

from starlette.requests import Request

from azlogs.emulator.context import Context
from azlogs.emulator.guards import AdminAuthMiddleware

COOKIE: Final = "azlogs_portal"
COOKIE_PATH: Final = "/portal"
SESSION_SECONDS: Final = 8 * 3600
MAX_SESSIONS: Final = 1000


class Sessions:
    """The portal's signed-in sessions: random ids with an expiry, checked in constant time."""

    def __init__(self, ctx: Context, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._ctx = ctx
        self._clock = clock
        self._lock = threading.Lock()
        self._expiry: dict[str, float] = {}
        # Its allowed() is the admin surface's own check (the admin key, or a token of the admin).
        self._admin = AdminAuthMiddleware(lambda *_: None, ctx)  # type: ignore[arg-type]

    def credentials_valid(self, key: str, client_id: str, client_secret: str) -> bool:
        """Whether the sign-in form holds the admin key, or the admin principal's client id and secret."""
        if key:
            return hmac.compare_digest(key.encode(), self._ctx.admin_key.encode())
        admin = self._ctx.tenant.admin
        expected = admin.client_secret or ""
        if not client_id or not client_secret or not expected:
            return False
        same_id = hmac.compare_digest(client_id.strip().lower().encode(), admin.client_id.lower().encode())
        same_secret = hmac.compare_digest(client_secret.encode(), expected.encode())
        return same_id and same_secret

    def open(self) -> str:
        """A new session id (the oldest session is dropped past :data:`MAX_SESSIONS`)."""
        sid = secrets.token_urlsafe(32)
        now = self._clock()
        with self._lock:
            for old, expiry in list(self._expiry.items()):
                if expiry <= now:
                    del self._expiry[old]
            while len(self._expiry) >= MAX_SESSIONS:
                del self._expiry[next(iter(self._expiry))]
            self._expiry[sid] = now + SESSION_SECONDS
        return sid

    def close(self, sid: str | None) -> None:
        if sid:
            with self._lock:
                self._expiry.pop(sid, None)

    def valid(self, sid: str | None) -> bool:
        if not sid:
            return False
        now = self._clock()
        with self._lock:
            expiry = self._expiry.get(sid)
            if expiry is None:
                return False
            if expiry <= now:
                del self._expiry[sid]
                return False
            return True

    def signed_in(self, request: Request) -> bool:
        """Whether ``request`` carries a live session cookie, or the admin key or an admin token."""
        if self.valid(request.cookies.get(COOKIE)):
            return True
        scheme, _, credential = request.headers.get("authorization", "").partition(" ")
        return scheme.lower() == "bearer" and self._admin.allowed(credential.strip() or None)
