"""The emulator's portal: a read-only web UI on the HTTPS listener, under ``/portal/``.

Pages (static HTML, JavaScript and CSS shipped in the package, ``static/``; no build step, nothing
fetched at run time): Overview (identities, tables, DCEs, DCRs, ingestion per DCR), Logs (a KQL editor
with highlighting and completion, a results grid, export, charts for ``render``), Dropped (what
ingestion refused or changed silently, grouped by DCR and reason) and Request log. They read the
JSON API of :mod:`.api`. Who may see it: :mod:`.sessions`.

:func:`plane` is what the server calls, like the other planes; it must come after the ingestion plane
(it reads ``ctx.store``).
"""

from __future__ import annotations

from importlib import resources
from typing import Final
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from azlogs.emulator.context import Context
from azlogs.emulator.portal import api, recent
from azlogs.emulator.portal.sessions import COOKIE, COOKIE_PATH, SESSION_SECONDS, Sessions

PREFIX: Final = "/portal"
_TYPES: Final = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
}
# Served to anyone: the sign-in page and what it needs (it shows nothing of the emulator).
_PUBLIC_ASSETS: Final = frozenset({"portal.css", "signin.js"})
# Everything the pages load comes from the portal itself; no inline script, no frames.
_HEADERS: Final = {
    "content-security-policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "cache-control": "no-store",
    "x-frame-options": "DENY",
}


def _asset(name: str) -> bytes | None:
    if "/" in name or "\\" in name or name.startswith(".") or not name:
        return None
    path = resources.files(__name__).joinpath("static", name)
    try:
        return path.read_bytes()
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return None


def _file(name: str, status: int = 200) -> Response:
    body = _asset(name)
    if body is None:
        return _not_found()
    suffix = name[name.rfind(".") :]
    return Response(body, status, headers=_HEADERS, media_type=_TYPES.get(suffix, "application/octet-stream"))


def _not_found() -> Response:
    return JSONResponse(
        {"error": {"code": "NotFound", "message": "no such portal page"}}, 404, headers=_HEADERS
    )


def _unauthorized(request: Request) -> Response:
    if request.url.path.startswith(f"{PREFIX}/api/") or request.method != "GET":
        return JSONResponse(
            {
                "error": {
                    "code": "AuthenticationFailed",
                    "message": "sign in to the portal first: /portal/signin",
                }
            },
            401,
            headers={**_HEADERS, "www-authenticate": 'Bearer realm="azlogs-emulator"'},
        )
    return RedirectResponse(f"{PREFIX}/signin", 303, headers=_HEADERS)


class Portal:
    """The portal's routes over one emulator's Context."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.sessions = Sessions(ctx)
        self.requests = recent.attach()

    def guarded(self, handler: api.Handler) -> api.Handler:
        async def check(request: Request) -> Response:
            if not self.sessions.signed_in(request):
                return _unauthorized(request)
            response = await handler(request)
            response.headers.update(_HEADERS)
            return response

        return check

    async def root(self, request: Request) -> Response:
        return RedirectResponse(f"{PREFIX}/", 308, headers=_HEADERS)

    async def index(self, request: Request) -> Response:
        return _file("index.html")

    async def recent_requests(self, request: Request) -> Response:
        return api.requests(request, self.requests)

    async def public_asset(self, request: Request) -> Response:
        name = request.path_params["name"]
        if name not in _PUBLIC_ASSETS and not self.sessions.signed_in(request):
            return _unauthorized(request)
        return _file(name)

    async def signin_page(self, request: Request) -> Response:
        return _file("signin.html")

    async def signin(self, request: Request) -> Response:
        raw = await request.body()
        form = {k: v[0] for k, v in parse_qs(raw.decode("utf-8", "replace"), keep_blank_values=True).items()}
        ok = self.sessions.credentials_valid(
            form.get("key", "").strip(), form.get("client_id", ""), form.get("client_secret", "")
        )
        if not ok:
            return RedirectResponse(f"{PREFIX}/signin?failed=1", 303, headers=_HEADERS)
        response = RedirectResponse(f"{PREFIX}/", 303, headers=_HEADERS)
        response.set_cookie(
            COOKIE,
            self.sessions.open(),
            max_age=SESSION_SECONDS,
            path=COOKIE_PATH,
            secure=True,
            httponly=True,
            samesite="strict",
        )
        return response

    async def signout(self, request: Request) -> Response:
        self.sessions.close(request.cookies.get(COOKIE))
        response = RedirectResponse(f"{PREFIX}/signin", 303, headers=_HEADERS)
        response.delete_cookie(COOKIE, path=COOKIE_PATH, secure=True, httponly=True, samesite="strict")
        return response

    # Every route (method, path): tests/e2e/test_portal.py checks each one refuses an anonymous request.
    ROUTES: Final = (
        ("GET", PREFIX),
        ("GET", f"{PREFIX}/"),
        ("GET", f"{PREFIX}/signin"),
        ("POST", f"{PREFIX}/signin"),
        ("POST", f"{PREFIX}/signout"),
        ("GET", f"{PREFIX}/static/{{name}}"),
        ("GET", f"{PREFIX}/api/overview"),
        ("GET", f"{PREFIX}/api/schema"),
        ("GET", f"{PREFIX}/api/dropped"),
        ("GET", f"{PREFIX}/api/requests"),
        ("POST", f"{PREFIX}/api/query"),
    )

    def routes(self) -> list[BaseRoute]:
        g = self.guarded
        handlers: list[api.Handler] = [
            self.root,
            g(self.index),
            self.signin_page,
            self.signin,
            self.signout,
            self.public_asset,
            g(api.overview),
            g(api.schema),
            g(api.dropped),
            g(self.recent_requests),
            g(api.query),
        ]
        return [
            Route(path, handler, methods=[method])
            for (method, path), handler in zip(self.ROUTES, handlers, strict=True)
        ]


def plane(ctx: Context) -> list[BaseRoute]:
    """The portal's HTTPS routes (after the ingestion plane: it reads the store)."""
    return Portal(ctx).routes()
