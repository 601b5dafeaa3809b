"""Two ASGI guards that sit in front of every route, on both listeners.

* :class:`AdminAuthMiddleware`: every ``/_emulator/`` path (rows, diagnostics, faults, health, and
  any admin route added later) needs a credential: ``Authorization: Bearer <key>`` with the
  per-start admin key from ``emulator.json`` (``admin.key``; the file is 0600), or a valid token of
  the emulator's admin service principal for ARM. Anything else is answered 401.
* :class:`BodyLimitMiddleware`: a request body is capped before anyone reads it. A declared
  ``Content-Length`` over the cap is refused without reading a byte; a streamed body is counted as
  it arrives and refused as soon as it passes the cap. The ingestion endpoint caps its own bodies
  (Azure's 1 MB rule, :mod:`.ingestion.body`) and is left alone here.
"""

from __future__ import annotations

import hmac
from typing import Final

import orjson

from azlogs.emulator.context import Context
from azlogs.emulator.faults import ASGIApp, Message, Receive, Scope, Send, endpoint_group
from azlogs.emulator.identity.issuer import TokenRejected

ADMIN_PREFIX: Final = "/_emulator"

# Caps on request bodies the emulator reads into memory (its own choice; Azure documents none for
# these endpoints). A token request, an IMDS call or an admin call is a few KB; an ARM resource or
# a query (or a $batch of them) or a Graph getByIds of 1000 ids is far below 4 MiB.
SMALL_BODY_MAX: Final = 64 * 1024
LARGE_BODY_MAX: Final = 4 * 1024 * 1024
_LARGE_GROUPS: Final = frozenset({"arm", "graph", "query"})


def is_admin_path(path: str) -> bool:
    """Whether ``path`` belongs to the emulator's own admin surface."""
    lowered = path.lower()
    return lowered == ADMIN_PREFIX or lowered.startswith(ADMIN_PREFIX + "/")


def body_cap(path: str) -> int | None:
    """The body cap for a request path; None where the endpoint enforces its own (ingestion)."""
    group = endpoint_group(path)
    if group == "ingestion":
        return None
    return LARGE_BODY_MAX if group in _LARGE_GROUPS else SMALL_BODY_MAX


async def _answer(
    send: Send, status: int, body: dict[str, object], headers: list[tuple[bytes, bytes]]
) -> None:
    raw = orjson.dumps(body)
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json; charset=utf-8"),
                (b"content-length", str(len(raw)).encode()),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": raw})


def _bearer(scope: Scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name == b"authorization":
            scheme, _, credential = value.partition(b" ")
            if scheme.lower() != b"bearer" or not credential.strip():
                return None
            try:
                text: str = bytes(credential).strip().decode("ascii")
            except UnicodeDecodeError:
                return None
            return text
    return None


class AdminAuthMiddleware:
    """Answer 401 to any ``/_emulator/`` request without the admin key or an admin token."""

    def __init__(self, app: ASGIApp, ctx: Context) -> None:
        self.app = app
        self.ctx = ctx

    def allowed(self, credential: str | None) -> bool:
        """Whether ``credential`` is the per-start admin key or a token of the admin principal."""
        if not credential:
            return False
        if hmac.compare_digest(credential.encode(), self.ctx.admin_key.encode()):
            return True
        try:
            claims = self.ctx.issuer.validate(credential, self.ctx.settings.cloud.arm_audiences)
        except TokenRejected:
            return False
        return str(claims.get("oid", "")).lower() == self.ctx.tenant.admin.principal_id.lower()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not is_admin_path(scope["path"]) or self.allowed(_bearer(scope)):
            await self.app(scope, receive, send)
            return
        message = (
            "The emulator's admin endpoints need a credential: 'Authorization: Bearer <admin.key>' "
            "from emulator.json, or a token of the emulator's admin service principal."
        )
        await _answer(
            send,
            401,
            {"error": {"code": "AuthenticationFailed", "message": message}},
            [
                (b"www-authenticate", b'Bearer realm="azlogs-emulator", error="invalid_token"'),
                (b"x-ms-error-code", b"AuthenticationFailed"),
            ],
        )


def _too_large_body(scope: Scope, cap: int, provided: str) -> dict[str, object]:
    message = (
        f"The request body is too large: at most {cap} bytes are accepted here; provided {provided} bytes."
    )
    if endpoint_group(scope["path"]) == "entra":
        # The OAuth 2.0 error shape MSAL and azure-identity parse.
        return {"error": "invalid_request", "error_description": message}
    return {"error": {"code": "RequestEntityTooLarge", "message": message}}


class BodyLimitMiddleware:
    """Refuse request bodies over the path's cap with 413, reading at most the cap."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        cap = body_cap(scope["path"]) if scope["type"] == "http" else None
        if cap is None:
            await self.app(scope, receive, send)
            return
        declared = None
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                declared = value.decode("latin-1").strip()
        if declared is not None and declared.isdigit() and int(declared) > cap:
            # Refused unread; the connection closes rather than take in what was announced.
            await self._refuse(scope, send, cap, declared, close=True)
            return
        received = 0
        started = False
        refused = False

        async def capped_receive() -> Message:
            nonlocal received, refused
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > cap:
                    if not started:
                        refused = True
                        # Kept open: the server discards the rest as it arrives (within its body
                        # deadline), so the client reads this answer rather than a reset.
                        await self._refuse(scope, send, cap, f"more than {cap}", close=False)
                    # The endpoint sees the client gone; it must not read (or keep) any more.
                    return {"type": "http.disconnect"}
            return message

        async def tracked_send(message: Message) -> None:
            nonlocal started
            if refused:
                return  # the 413 is the answer; whatever the endpoint sends after it is dropped
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, capped_receive, tracked_send)
        except Exception:
            if not refused:
                raise
            # The endpoint failed on the disconnect it was shown after the 413; nothing to report.

    @staticmethod
    async def _refuse(scope: Scope, send: Send, cap: int, provided: str, *, close: bool) -> None:
        headers = [(b"x-ms-error-code", b"RequestEntityTooLarge")]
        if close:
            headers.append((b"connection", b"close"))
        await _answer(send, 413, _too_large_body(scope, cap, provided), headers)
