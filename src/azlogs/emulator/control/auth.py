"""ARM authentication: the bearer token, validated by the tenant's issuer, answered in ARM's 401 shape.

ARM accepts tokens for ``https://management.azure.com`` and ``https://management.core.windows.net``
(the emulated cloud's ARM audiences: ``management.usgovcloudapi.net`` ... in US Government), each
with or without the trailing slash, and lists them in its audience error message; and for the
emulator's own origin (``Urls.origin_audiences``), which an ARM client given only an endpoint asks for
(the JS ``@azure/arm-*`` clients' ``{endpoint}/.default``). A 401 carries
``WWW-Authenticate: Bearer authorization_uri="<authority>/<tenant>", error="invalid_token",
error_description="..."`` as ARM's does.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Final

import jwt
from starlette.requests import Request

from azlogs.auth.clouds import AZURE_PUBLIC
from azlogs.emulator.context import Context
from azlogs.emulator.control.errors import ArmError
from azlogs.emulator.identity.issuer import TokenRejected

# The public cloud's; requests are checked against the emulated cloud's (``Cloud.arm_audiences``).
ARM_AUDIENCES: Final = AZURE_PUBLIC.arm_audiences


@dataclass(frozen=True)
class Caller:
    """Who made an ARM request: the token's object id and application id."""

    object_id: str
    app_id: str


def _unverified(token: str) -> dict[str, Any]:
    try:
        return jwt.decode(token, options={"verify_signature": False})
    except jwt.InvalidTokenError:
        return {}


def _net_time(seconds: float) -> str:
    # ARM formats times the .NET way: 10/2/2020 10:40:02 PM
    t = dt.datetime.fromtimestamp(seconds, dt.timezone.utc)
    hour = t.hour % 12 or 12
    return f"{t.month}/{t.day}/{t.year} {hour}:{t.minute:02d}:{t.second:02d} {'AM' if t.hour < 12 else 'PM'}"


def unauthorized(ctx: Context, code: str, message: str, description: str | None = None) -> ArmError:
    """A 401 in ARM's shape with its WWW-Authenticate challenge."""
    authority = f"{ctx.urls.authority}/{ctx.tenant.tenant_id}"
    detail = (description or message).replace('"', "'")
    challenge = f'Bearer authorization_uri="{authority}", error="invalid_token", error_description="{detail}"'
    return ArmError(401, code, message, headers={"WWW-Authenticate": challenge})


def audiences(ctx: Context) -> list[str]:
    return [*ctx.settings.cloud.arm_audiences, *ctx.urls.origin_audiences()]


def _rejected(ctx: Context, token: str, exc: TokenRejected, now: float) -> ArmError:
    claims = _unverified(token)
    if exc.code == "ExpiredAuthenticationToken" and isinstance(claims.get("exp"), int):
        return unauthorized(
            ctx,
            "ExpiredAuthenticationToken",
            f"The access token expiry UTC time '{_net_time(claims['exp'])}' is earlier than current UTC "
            f"time '{_net_time(now)}'.",
            "The access token has expired.",
        )
    if exc.code == "InvalidAudience":
        allowed = ",".join(f"'{a}'" for a in audiences(ctx))
        return unauthorized(
            ctx,
            "InvalidAuthenticationTokenAudience",
            f"The access token has been obtained for wrong audience or resource '{claims.get('aud')}'. "
            f"It should exactly match with one of the allowed audiences {allowed}.",
            "The access token has been obtained for wrong audience or resource.",
        )
    if exc.code == "InvalidIssuer":
        expected = f"https://sts.windows.net/{ctx.tenant.tenant_id}/"
        return unauthorized(
            ctx,
            "InvalidAuthenticationTokenTenant",
            f"The access token is from the wrong issuer '{claims.get('iss')}'. It must match the tenant "
            f"'{expected}' associated with this subscription. Please use the authority (URL) "
            f"'{ctx.urls.authority}/{ctx.tenant.tenant_id}' to get the token.",
        )
    return unauthorized(ctx, "InvalidAuthenticationToken", "The access token is invalid.", exc.message)


def authenticate(ctx: Context, request: Request, now: float) -> Caller:
    """The caller of an ARM request.

    Raises:
        ArmError: 401 ``AuthenticationFailed`` (no or malformed header), ``InvalidAuthenticationToken``,
            ``ExpiredAuthenticationToken``, ``InvalidAuthenticationTokenAudience`` or
            ``InvalidAuthenticationTokenTenant``.
    """
    header = request.headers.get("authorization")
    if not header:
        raise unauthorized(
            ctx,
            "AuthenticationFailed",
            "Authentication failed. The 'Authorization' header is missing.",
            "The authentication failed because of missing 'Authorization' header.",
        )
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise unauthorized(
            ctx,
            "AuthenticationFailed",
            "Authentication failed. The 'Authorization' header is provided in an invalid format.",
        )
    try:
        claims = ctx.issuer.validate(token, audiences(ctx))
    except TokenRejected as exc:
        raise _rejected(ctx, token, exc, now) from exc
    return Caller(object_id=str(claims["oid"]), app_id=str(claims.get("appid") or claims.get("azp") or ""))


def authorization_failed(caller: Caller, action: str, scope: str) -> ArmError:
    """ARM's 403 for a principal without a role granting ``action`` at ``scope`` or above."""
    return ArmError(
        403,
        "AuthorizationFailed",
        f"The client '{caller.app_id}' with object id '{caller.object_id}' does not have authorization to "
        f"perform action '{action}' over scope '{scope}' or the scope is invalid. If access was recently "
        "granted, please refresh your credentials.",
    )
