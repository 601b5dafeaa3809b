"""Helpers shared by the managed-identity endpoints: selection of the identity, resource checks."""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import JSONResponse

from azlogs.emulator.config import Identity
from azlogs.emulator.context import Context


@dataclass
class Selection:
    """The identity a token request asked for, and the selector to echo back."""

    identity: Identity
    echo: dict[str, str]


def secrets_match(given: str, expected: str) -> bool:
    """Constant-time comparison of a presented secret with the expected one.

    ``hmac.compare_digest`` refuses ``str`` holding non-ASCII characters (a header byte above 0x7F
    decodes to one); comparing the UTF-8 bytes turns such input into a plain mismatch, not a 500.
    """
    return hmac.compare_digest(
        given.encode("utf-8", "surrogatepass"), expected.encode("utf-8", "surrogatepass")
    )


class IdentityRequestError(Exception):
    def __init__(self, response: JSONResponse) -> None:
        super().__init__("identity request refused")
        self.response = response


def single_params(request: Request, error: dict[str, str]) -> dict[str, str]:
    """The query parameters; duplicates are refused (IMDS documents this)."""
    items = request.query_params.multi_items()
    names = [k for k, _ in items]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise IdentityRequestError(
            JSONResponse(
                {**error, "error_description": f"Duplicate query parameter(s): {', '.join(dupes)}"}, 400
            )
        )
    return dict(items)


def select_identity(
    ctx: Context, host: str, params: dict[str, str], selectors: dict[str, str], error_shape: str
) -> Selection:
    """Pick the host's identity for a request.

    ``selectors`` maps a query parameter name to the Identity attribute it matches. With no selector
    the host's system-assigned identity is used, or its only user-assigned one.
    """
    attached = [i for i in ctx.tenant.identities if i.host == host]
    given = [(p, attr, params[p]) for p, attr in selectors.items() if params.get(p)]
    if len(given) > 1:
        raise IdentityRequestError(
            _err(
                error_shape,
                400,
                "invalid_request",
                "Only one of client_id, object_id or resource id may be given",
            )
        )
    if given:
        param, attr, value = given[0]
        for ident in attached:
            if str(getattr(ident, attr)).lower() == value.lower():
                return Selection(ident, {param: value})
        raise IdentityRequestError(_err(error_shape, 400, "invalid_request", "Identity not found"))
    system = [i for i in attached if i.kind == "system-assigned"]
    if system:
        return Selection(system[0], {})
    users = [i for i in attached if i.kind == "user-assigned"]
    if len(users) == 1:
        return Selection(users[0], {})
    if users:
        raise IdentityRequestError(
            _err(
                error_shape,
                400,
                "invalid_request",
                "Multiple user assigned identities exist, please specify the clientId / resourceId of the "
                "identity in the token request",
            )
        )
    raise IdentityRequestError(
        _err(error_shape, 400, "invalid_request", "No managed identity is assigned to this resource")
    )


def known_resources(ctx: Context) -> set[str]:
    """The App ID URIs tokens can be had for (no trailing slash): the configured resources, and the
    emulator's own query API host, which stands in for https://api.loganalytics.io (a client given
    the emulator's endpoint asks for a token for that endpoint by default)."""
    known = {r.rstrip("/") for r in ctx.settings.resources}
    if ctx.urls.https:
        known.update((ctx.urls.https.rstrip("/"), ctx.urls.query.rstrip("/")))
    return known


def check_resource(ctx: Context, resource: str | None, error_shape: str) -> str:
    """The requested resource (audience) exactly as asked; unknown resources are refused like Entra does."""
    if not resource:
        raise IdentityRequestError(
            _err(error_shape, 400, "invalid_request", "Required audience parameter not specified")
        )
    base = resource.rstrip("/")
    if base not in known_resources(ctx):
        raise IdentityRequestError(
            _err(
                error_shape,
                400,
                "invalid_resource",
                f"AADSTS500011: The resource principal named {resource} was not found in the tenant named "
                f"{ctx.tenant.tenant_id}. This can happen if the application has not been installed by the "
                "administrator of the tenant or consented to by any user in the tenant.",
            )
        )
    return resource


def _err(shape: str, status: int, code: str, description: str) -> JSONResponse:
    if shape == "appservice":
        return JSONResponse(
            {"statusCode": status, "message": f"{code}: {description}", "correlationId": ""}, status
        )
    return JSONResponse({"error": code, "error_description": description}, status)


def error(shape: str, status: int, code: str, description: str) -> JSONResponse:
    return _err(shape, status, code, description)
