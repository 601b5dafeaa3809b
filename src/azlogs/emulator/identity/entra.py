"""The Entra-like authority: v1/v2 token endpoints, OpenID configuration and JWKS.

Client credentials with a client secret (form field or HTTP Basic) and with a client assertion (the
workload identity's projected service-account token, which the emulator's cluster issuer signs and
this endpoint validates against the identity's federated credential). Errors use Entra's JSON error
shape with an AADSTS code.
"""

from __future__ import annotations

import base64
import datetime as dt
import uuid
from typing import Any, Final
from urllib.parse import unquote, urlsplit

import jwt
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from azlogs.emulator.config import Identity
from azlogs.emulator.context import Context, loopback_aliases
from azlogs.emulator.identity.common import app_roles, known_resource, secrets_match

_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

# The claims Entra's OpenID configurations list (v2.0 and v1 documents of login.microsoftonline.com).
_CLAIMS_SHARED: Final = [
    "sub",
    "iss",
    "cloud_instance_name",
    "cloud_instance_host_name",
    "cloud_graph_host_name",
    "msgraph_host",
    "aud",
    "exp",
    "iat",
    "auth_time",
    "acr",
]
_CLAIMS_V2: Final = (
    *_CLAIMS_SHARED,
    *["nonce", "preferred_username", "name", "tid", "ver", "at_hash", "c_hash", "email"],
)
_CLAIMS_V1: Final = (*_CLAIMS_SHARED, *["amr", "nonce", "email", "given_name", "family_name", "nickname"])


def _echo(request: Request, response: Response) -> Response:
    """Entra answers with the caller's ``client-request-id`` (MSAL sends one on every call)."""
    given = request.headers.get("client-request-id")
    if given:
        response.headers["client-request-id"] = given[:64]
    return response


def _aad_error(status: int, error: str, aadsts: int, description: str) -> JSONResponse:
    trace, correlation = str(uuid.uuid4()), str(uuid.uuid4())
    now = dt.datetime.now(dt.timezone.utc)
    text = (
        f"AADSTS{aadsts}: {description}\r\nTrace ID: {trace}\r\nCorrelation ID: {correlation}\r\n"
        f"Timestamp: {now:%Y-%m-%d %H:%M:%S}Z"
    )
    return JSONResponse(
        {
            "error": error,
            "error_description": text,
            "error_codes": [aadsts],
            "timestamp": f"{now:%Y-%m-%d %H:%M:%S}Z",
            "trace_id": trace,
            "correlation_id": correlation,
            "error_uri": f"https://login.microsoftonline.com/error?code={aadsts}",
        },
        status,
    )


def _tenant_ok(ctx: Context, tenant: str) -> bool:
    return tenant.lower() in (ctx.tenant.tenant_id.lower(), "organizations")


def _unknown_tenant(ctx: Context, request: Request) -> Response | None:
    """The discovery documents' answer for a tenant other than the emulator's (the token endpoint words it
    differently, as Entra does)."""
    tenant = request.path_params["tenant"]
    if _tenant_ok(ctx, tenant):
        return None
    return _aad_error(400, "invalid_tenant", 90002, f"Tenant '{tenant}' not found.")


def _base(ctx: Context, request: Request) -> str:
    return ctx.urls.https or str(request.base_url).rstrip("/")


async def openid_v2(request: Request) -> Response:
    ctx: Context = request.app.state.ctx
    if (unknown := _unknown_tenant(ctx, request)) is not None:
        return unknown
    base = f"{_base(ctx, request)}/{ctx.tenant.tenant_id}"
    return JSONResponse(
        {
            "token_endpoint": f"{base}/oauth2/v2.0/token",
            "token_endpoint_auth_methods_supported": [
                "client_secret_post",
                "private_key_jwt",
                "client_secret_basic",
            ],
            "jwks_uri": f"{_base(ctx, request)}/{ctx.tenant.tenant_id}/discovery/v2.0/keys",
            "response_modes_supported": ["query", "fragment", "form_post"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
            "scopes_supported": ["openid", "profile", "email", "offline_access"],
            "issuer": f"{base}/v2.0",
            "request_uri_parameter_supported": False,
            "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
            "device_authorization_endpoint": f"{base}/oauth2/v2.0/devicecode",
            "end_session_endpoint": f"{base}/oauth2/v2.0/logout",
            "tenant_region_scope": "NA",
            "cloud_instance_name": "microsoftonline.com",
            "claims_supported": list(_CLAIMS_V2),
        }
    )


async def openid_v1(request: Request) -> Response:
    ctx: Context = request.app.state.ctx
    if (unknown := _unknown_tenant(ctx, request)) is not None:
        return unknown
    base = f"{_base(ctx, request)}/{ctx.tenant.tenant_id}"
    return JSONResponse(
        {
            "token_endpoint": f"{base}/oauth2/token",
            "jwks_uri": f"{base}/discovery/keys",
            "issuer": ctx.issuer.issuer,
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": [
                "client_secret_post",
                "private_key_jwt",
                "client_secret_basic",
            ],
            "authorization_endpoint": f"{base}/oauth2/authorize",
            "claims_supported": list(_CLAIMS_V1),
        }
    )


async def jwks(request: Request) -> Response:
    ctx: Context = request.app.state.ctx
    return JSONResponse(ctx.issuer.jwks())


async def cluster_openid(request: Request) -> Response:
    ctx: Context = request.app.state.ctx
    return JSONResponse(
        {
            "issuer": ctx.sa_issuer.issuer,
            "jwks_uri": f"{ctx.sa_issuer.issuer}openid/v1/jwks",
            "response_types_supported": ["id_token"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
        }
    )


async def cluster_jwks(request: Request) -> Response:
    ctx: Context = request.app.state.ctx
    return JSONResponse(ctx.sa_issuer.jwks())


def _client(ctx: Context, client_id: str) -> Identity | None:
    for ident in [*ctx.tenant.identities, ctx.tenant.admin]:
        if ident.client_id.lower() == client_id.lower():
            return ident
    return None


def _resource_from(ctx: Context, form: dict[str, str], v2: bool) -> tuple[str | None, JSONResponse | None]:
    if not v2:
        resource = form.get("resource")
        if not resource:
            return None, _aad_error(
                400,
                "invalid_request",
                900144,
                "The request body must contain the following parameter: 'resource'.",
            )
    else:
        scope = form.get("scope", "")
        scopes = scope.split()
        if not scopes:
            return None, _aad_error(
                400,
                "invalid_request",
                900144,
                "The request body must contain the following parameter: 'scope'.",
            )
        if len(scopes) != 1 or not scopes[0].endswith("/.default"):
            return None, _aad_error(
                400,
                "invalid_scope",
                70011,
                f"The provided request must include a 'scope' input parameter. The provided value for the input "
                f"parameter 'scope' is not valid. The scope {scope} is not valid. The client credentials flow "
                "takes exactly one '<resource>/.default' scope.",
            )
        resource = scopes[0][: -len("/.default")]
    if not known_resource(ctx, resource):
        return None, _aad_error(
            400,
            "invalid_resource",
            500011,
            f"The resource principal named {resource} was not found in the tenant named {ctx.tenant.tenant_id}.",
        )
    return resource, None


def _check_assertion(ctx: Context, ident: Identity, assertion: str) -> JSONResponse | None:
    fed = ident.federated
    if not fed:
        return _aad_error(
            401,
            "invalid_client",
            70021,
            "No matching federated identity record found for presented assertion.",
        )
    try:
        claims = jwt.decode(assertion, options={"verify_signature": False})
    except jwt.InvalidTokenError:
        return _aad_error(400, "invalid_client", 50027, "JWT token is invalid or malformed.")
    if claims.get("iss") != fed["issuer"] or claims.get("sub") != fed["subject"]:
        return _aad_error(
            400,
            "invalid_client",
            70021,
            f"No matching federated identity record found for presented assertion. Assertion Issuer: "
            f"'{claims.get('iss')}'. Assertion Subject: '{claims.get('sub')}'. Assertion Audience: "
            f"'{claims.get('aud')}'.",
        )
    try:
        ctx.sa_issuer.validate(assertion, fed["audience"])
    except jwt.ExpiredSignatureError:
        return _aad_error(
            400, "invalid_client", 700024, "Client assertion is not within its valid time range."
        )
    except jwt.InvalidAudienceError:
        return _aad_error(
            400,
            "invalid_client",
            700212,
            f"No matching federated identity record found for presented assertion audience '{claims.get('aud')}'.",
        )
    except jwt.InvalidTokenError:
        return _aad_error(400, "invalid_client", 700027, "Client assertion failed signature validation.")
    return None


async def _token(request: Request, v2: bool) -> Response:
    ctx: Context = request.app.state.ctx
    tenant = request.path_params["tenant"]
    if not _tenant_ok(ctx, tenant):
        return _aad_error(
            400,
            "invalid_request",
            90002,
            f"Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID.",
        )
    raw = (await request.body()).decode("utf-8", "replace")
    form: dict[str, str] = {}
    for part in raw.split("&"):
        if part:
            key, _, value = part.partition("=")
            form[unquote(key.replace("+", " "))] = unquote(value.replace("+", " "))
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("basic "):
        try:
            user, _, pwd = base64.b64decode(auth[6:]).decode().partition(":")
        except (ValueError, UnicodeDecodeError):
            return _aad_error(
                401,
                "invalid_client",
                7000216,
                "The client credentials in the Authorization header are malformed.",
            )
        form.setdefault("client_id", unquote(user))
        form.setdefault("client_secret", unquote(pwd))
    if form.get("grant_type") != "client_credentials":
        return _aad_error(
            400,
            "unsupported_grant_type",
            70003,
            f"The app requested an unsupported grant type '{form.get('grant_type', '')}'. The emulator supports "
            "client_credentials.",
        )
    client_id = form.get("client_id", "")
    if not client_id:
        return _aad_error(
            400,
            "invalid_request",
            900144,
            "The request body must contain the following parameter: 'client_id'.",
        )
    ident = _client(ctx, client_id)
    if ident is None or ident.kind not in ("service-principal", "workload"):
        return _aad_error(
            400,
            "unauthorized_client",
            700016,
            f"Application with identifier '{client_id}' was not found in the directory '{ctx.tenant.tenant_id}'.",
        )
    resource, problem = _resource_from(ctx, form, v2)
    if problem is not None:
        return problem
    assert resource is not None
    if "client_assertion" in form:
        if form.get("client_assertion_type") != _ASSERTION_TYPE:
            return _aad_error(
                400, "invalid_request", 50027, "client_assertion_type is missing or not supported."
            )
        problem = _check_assertion(ctx, ident, form["client_assertion"])
        if problem is not None:
            return problem
        acr = "2"
    elif "client_secret" in form:
        if ident.client_secret is None or not secrets_match(form["client_secret"], ident.client_secret):
            return _aad_error(
                401,
                "invalid_client",
                7000215,
                f"Invalid client secret provided. Ensure the secret being sent in the request is the client secret "
                f"value, not the client secret ID, for a secret added to app '{client_id}'.",
            )
        acr = "1"
    else:
        return _aad_error(
            401,
            "invalid_client",
            7000218,
            "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
        )
    lifetime = ctx.settings.app_token_lifetime
    token, claims = ctx.issuer.mint(ident, resource, lifetime, acr=acr, roles=app_roles(ctx, ident, resource))
    body: dict[str, Any] = {"token_type": "Bearer", "access_token": token}
    if v2:
        body |= {"expires_in": lifetime, "ext_expires_in": lifetime}
    else:
        body |= {
            "expires_in": str(lifetime),
            "ext_expires_in": str(lifetime),
            "expires_on": str(claims["exp"]),
            "not_before": str(claims["nbf"]),
            "resource": resource,
        }
    return JSONResponse(body, headers={"Cache-Control": "no-store", "Pragma": "no-cache"})


async def token_v2(request: Request) -> Response:
    return _echo(request, await _token(request, v2=True))


async def token_v1(request: Request) -> Response:
    return _echo(request, await _token(request, v2=False))


async def instance_discovery(request: Request) -> Response:
    """``GET /common/discovery/instance``: MSAL's authority validation, in Entra's shape (api-version 1.1).

    The answer names this authority's tenant discovery document for the tenant in
    ``authorization_endpoint``; an endpoint on another host is ``invalid_instance`` (AADSTS50049).
    """
    ctx: Context = request.app.state.ctx
    base = _base(ctx, request)
    endpoint = request.query_params.get("authorization_endpoint", "")
    if not endpoint:
        return _echo(
            request,
            _aad_error(
                400,
                "invalid_request",
                900144,
                "The request body must contain the following parameter: 'authorization_endpoint'.",
            ),
        )
    parts = urlsplit(endpoint)
    aliases = loopback_aliases(base)
    # msal names the instance by host only (its canonicalize() drops the port).
    hosts = {urlsplit(f"https://{a}").hostname for a in aliases}
    port = urlsplit(base).port
    if parts.scheme != "https" or parts.hostname not in hosts or parts.port not in (None, port):
        return _echo(request, _aad_error(400, "invalid_instance", 50049, "Unknown or invalid instance."))
    tenant = next((seg for seg in parts.path.split("/") if seg), "common")
    return _echo(
        request,
        JSONResponse(
            {
                "tenant_discovery_endpoint": f"{base}/{tenant}/v2.0/.well-known/openid-configuration",
                "api-version": "1.1",
                "metadata": [
                    {"preferred_network": aliases[0], "preferred_cache": aliases[0], "aliases": aliases}
                ],
            }
        ),
    )


def routes() -> list[Route]:
    return [
        Route("/aks/oidc/.well-known/openid-configuration", cluster_openid, methods=["GET"]),
        Route("/aks/oidc/openid/v1/jwks", cluster_jwks, methods=["GET"]),
        Route("/common/discovery/keys", jwks, methods=["GET"]),
        Route("/common/discovery/instance", instance_discovery, methods=["GET"]),
        Route("/common/discovery/v2.0/keys", jwks, methods=["GET"]),
        Route("/{tenant}/v2.0/.well-known/openid-configuration", openid_v2, methods=["GET"]),
        Route("/{tenant}/.well-known/openid-configuration", openid_v1, methods=["GET"]),
        Route("/{tenant}/discovery/v2.0/keys", jwks, methods=["GET"]),
        Route("/{tenant}/discovery/keys", jwks, methods=["GET"]),
        Route("/{tenant}/oauth2/v2.0/token", token_v2, methods=["POST"]),
        Route("/{tenant}/oauth2/token", token_v1, methods=["POST"]),
    ]
