"""The host-local managed-identity endpoints: Azure VM IMDS, Arc HIMDS, App Service and Automation.

Each speaks its own protocol exactly as the real endpoint does (Microsoft Learn's pages on each
source, and azure-identity's own clients for them; docs/emulator.md):
IMDS wants ``Metadata: true`` and refuses ``X-Forwarded-For``; HIMDS answers a first request with a
401 challenge naming a fresh key file and accepts the file's contents once; App Service and
Automation want ``X-IDENTITY-HEADER``.
"""

from __future__ import annotations

import contextlib
import grp
import os
import secrets
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from azlogs.emulator.context import Context
from azlogs.emulator.identity.common import (
    IdentityRequestError,
    check_resource,
    error,
    secrets_match,
    select_identity,
    single_params,
)

IMDS_API_VERSIONS = ("2018-02-01", "2018-04-02", "2018-10-01", "2019-08-01", "2020-06-01", "2021-02-01")
ARC_API_VERSIONS = ("2019-08-15", "2019-11-01", "2020-06-01", "2021-02-01")
APP_SERVICE_API_VERSIONS = ("2019-08-01",)
# A form body on Automation's POST holds a resource URI and a selector: a few hundred bytes.
_FORM_MAX_BYTES = 8 * 1024

_IMDS_SELECTORS = {"client_id": "client_id", "object_id": "principal_id", "msi_res_id": "resource_id"}
_APP_SELECTORS = {
    "client_id": "client_id",
    "principal_id": "principal_id",
    "object_id": "principal_id",
    "mi_res_id": "resource_id",
}


def _metadata_ok(request: Request) -> bool:
    return request.headers.get("metadata") == "true"


def _imds_body(
    ctx: Context, token: str, claims: dict[str, object], resource: str, echo: dict[str, str]
) -> dict[str, str]:
    exp = int(claims["exp"])  # type: ignore[call-overload]
    nbf = int(claims["nbf"])  # type: ignore[call-overload]
    lifetime = exp - nbf
    body = {
        "access_token": token,
        "refresh_token": "",
        "expires_in": str(lifetime),
        "expires_on": str(exp),
        "ext_expires_in": str(lifetime),
        "not_before": str(nbf),
        "resource": resource,
        "token_type": "Bearer",
        "client_id": str(claims["appid"]),
    }
    body.update(echo)
    return body


def _bad_api_version(versions: tuple[str, ...]) -> JSONResponse:
    return JSONResponse(
        {
            "error": "Bad request. api-version is invalid or was not specified in the request. "
            "For more information refer to aka.ms/azureimds",
            "newest-versions": list(reversed(versions))[:3],
        },
        400,
    )


async def imds_token(request: Request) -> Response:
    """Azure VM IMDS: GET /metadata/identity/oauth2/token."""
    ctx: Context = request.app.state.ctx
    shape = "imds"
    try:
        if "x-forwarded-for" in request.headers:
            return error(
                shape, 400, "invalid_request", "Request was forwarded (X-Forwarded-For); IMDS refuses it"
            )
        if not _metadata_ok(request):
            return error(shape, 400, "bad_request_102", "Required metadata header not specified")
        params = single_params(request, {"error": "invalid_request"})
        if params.get("api-version") not in IMDS_API_VERSIONS:
            return _bad_api_version(IMDS_API_VERSIONS)
        resource = check_resource(ctx, params.get("resource"), shape)
        selection = select_identity(ctx, "vm", params, _IMDS_SELECTORS, shape)
    except IdentityRequestError as exc:
        return exc.response
    token, claims = ctx.issuer.mint(selection.identity, resource, ctx.settings.mi_token_lifetime)
    return JSONResponse(_imds_body(ctx, token, claims, resource, selection.echo))


async def imds_info(request: Request) -> Response:
    """Azure VM IMDS: GET /metadata/identity/info, the tenant of the VM's identities."""
    ctx: Context = request.app.state.ctx
    if "x-forwarded-for" in request.headers:
        return error(
            "imds", 400, "invalid_request", "Request was forwarded (X-Forwarded-For); IMDS refuses it"
        )
    if not _metadata_ok(request):
        return error("imds", 400, "bad_request_102", "Required metadata header not specified")
    try:
        params = single_params(request, {"error": "invalid_request"})
    except IdentityRequestError as exc:
        return exc.response
    if params.get("api-version") not in IMDS_API_VERSIONS:
        return _bad_api_version(IMDS_API_VERSIONS)
    return JSONResponse({"tenantId": ctx.tenant.tenant_id})


class ArcChallenges:
    """Outstanding HIMDS challenges: key file path -> (secret, issued at). Each secret is single-use."""

    def __init__(self, key_dir: Path, ttl: float, owner: str | None = None) -> None:
        self.key_dir = key_dir
        self.ttl = ttl
        self.owner = owner
        self._pending: dict[str, tuple[str, float]] = {}
        self._lock = threading.Lock()

    def issue(self) -> Path:
        secret = secrets.token_hex(32)
        path = self.key_dir / f"{uuid.uuid4()}.key"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
        with os.fdopen(fd, "w") as fh:
            fh.write(secret)
        try:  # as on a real Arc server: readable by root and the himds group only
            if self.owner:
                uid, _, gid = self.owner.partition(":")
                os.chown(path, int(uid), int(gid or -1))
            else:
                os.chown(path, -1, grp.getgrnam("himds").gr_gid)
        except (KeyError, PermissionError):
            pass
        with self._lock:
            self._expire_locked()
            self._pending[secret] = (str(path), time.monotonic())
        return path

    def redeem(self, secret: str) -> bool:
        with self._lock:
            self._expire_locked()
            for known, (path, _) in list(self._pending.items()):
                if secrets_match(secret, known):
                    del self._pending[known]
                    _unlink(path)
                    return True
        return False

    def _expire_locked(self) -> None:
        now = time.monotonic()
        for known, (path, issued) in list(self._pending.items()):
            if now - issued > self.ttl:
                del self._pending[known]
                _unlink(path)

    def close(self) -> None:
        with self._lock:
            for _, (path, _) in self._pending.items():
                _unlink(path)
            self._pending.clear()


def _unlink(path: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)


async def arc_token(request: Request) -> Response:
    """Azure Arc HIMDS: GET /arc/metadata/identity/oauth2/token with the key-file challenge."""
    ctx: Context = request.app.state.ctx
    challenges: ArcChallenges = ctx.arc
    shape = "imds"
    try:
        if not _metadata_ok(request):
            return error(shape, 400, "bad_request_102", "Required metadata header not specified")
        params = single_params(request, {"error": "invalid_request"})
        if params.get("api-version") not in ARC_API_VERSIONS:
            return _bad_api_version(ARC_API_VERSIONS)
        auth = request.headers.get("authorization")
        if auth is None:
            path = challenges.issue()
            challenge = JSONResponse(
                {
                    "error": "unauthorized_client",
                    "error_description": "Authorization header with the key file content is required",
                },
                401,
            )
            # Real HIMDS sends the name as "Www-Authenticate" and Microsoft Learn's bash greps for
            # exactly that; starlette lowercases the headers it is given, so the raw pair is added.
            challenge.raw_headers.append((b"Www-Authenticate", f"Basic realm={path}".encode()))
            return challenge
        scheme, _, secret = auth.partition(" ")
        if scheme.lower() != "basic" or not challenges.redeem(secret.strip()):
            return error(
                shape,
                401,
                "unauthorized_client",
                "The key file secret is invalid, already used or expired; request a new challenge",
            )
        resource = check_resource(ctx, params.get("resource"), shape)
        selection = select_identity(ctx, "arc", params, _IMDS_SELECTORS, shape)
    except IdentityRequestError as exc:
        return exc.response
    token, claims = ctx.issuer.mint(selection.identity, resource, ctx.settings.mi_token_lifetime)
    return JSONResponse(_imds_body(ctx, token, claims, resource, selection.echo))


async def _form_params(request: Request, params: dict[str, str]) -> dict[str, str]:
    """Automation's POST: the form body's fields join the query's (a field given twice is refused)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > _FORM_MAX_BYTES:
        raise IdentityRequestError(error("appservice", 413, "invalid_request", "Request body too large"))
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > _FORM_MAX_BYTES:
            raise IdentityRequestError(error("appservice", 413, "invalid_request", "Request body too large"))
    try:
        fields = parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
    except UnicodeDecodeError:
        raise IdentityRequestError(
            error("appservice", 400, "invalid_request", "The form body is not UTF-8")
        ) from None
    merged = dict(params)
    for name, value in fields:
        if name in merged:
            raise IdentityRequestError(
                error("appservice", 400, "invalid_request", f"Duplicate parameter(s): {name}")
            )
        merged[name] = value
    return merged


def _app_service_token(host: str):  # type: ignore[no-untyped-def]
    # Azure Automation's endpoint takes the request without api-version and also as a POST with a
    # form body (Microsoft Learn's runbook recipes do both); App Service requires 2019-08-01.
    lenient = host == "automation"

    async def endpoint(request: Request) -> Response:
        ctx: Context = request.app.state.ctx
        shape = "appservice"
        expected = ctx.identity_headers[host]
        given = request.headers.get("x-identity-header")
        if given is None or not secrets_match(given, expected):
            return error(
                shape,
                401,
                "unauthorized",
                "The X-IDENTITY-HEADER is missing or does not match IDENTITY_HEADER",
            )
        try:
            params = single_params(request, {"statusCode": "400"})
            if request.method == "POST":
                params = await _form_params(request, params)
            if lenient and "api-version" not in params:
                pass
            elif params.get("api-version") not in APP_SERVICE_API_VERSIONS:
                return error(
                    shape,
                    400,
                    "invalid_request",
                    f"api-version {params.get('api-version')!r} is not supported; use 2019-08-01",
                )
            resource = check_resource(ctx, params.get("resource"), shape)
            selection = select_identity(ctx, host, params, _APP_SELECTORS, shape)
        except IdentityRequestError as exc:
            return exc.response
        token, claims = ctx.issuer.mint(selection.identity, resource, ctx.settings.mi_token_lifetime)
        body = {
            "access_token": token,
            "expires_on": str(claims["exp"]),
            "not_before": str(claims["nbf"]),
            "resource": resource,
            "token_type": "Bearer",
            "client_id": selection.identity.client_id,
        }
        return JSONResponse(body)

    return endpoint


def routes() -> list[Route]:
    return [
        # IMDS and HIMDS answer the token path with a trailing slash too (MSAL for Node asks for
        # it); Azure sends no redirect, so neither does the emulator.
        Route("/metadata/identity/oauth2/token", imds_token, methods=["GET"]),
        Route("/metadata/identity/oauth2/token/", imds_token, methods=["GET"]),
        Route("/metadata/identity/info", imds_info, methods=["GET"]),
        Route("/arc/metadata/identity/oauth2/token", arc_token, methods=["GET"]),
        Route("/arc/metadata/identity/oauth2/token/", arc_token, methods=["GET"]),
        Route("/appservice/msi/token", _app_service_token("appservice"), methods=["GET"]),
        Route("/automation/msi/token", _app_service_token("automation"), methods=["GET", "POST"]),
    ]
