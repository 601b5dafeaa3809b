"""A Microsoft Graph subset on the HTTPS listener: the directory reads the Azure CLI makes for the tenant's principals.

``az role assignment create`` resolves ``--assignee APPID`` with ``GET /v1.0/servicePrincipals?$filter=
servicePrincipalNames/any(c:c eq 'APPID')`` and, without ``--assignee-principal-type``, the object's type
with ``POST /v1.0/directoryObjects/getByIds``; ``az ad sp show --id X`` makes the same filter call, then
``GET /v1.0/servicePrincipals/{id}`` (the CLI's ``_msgrpah/_graph_client.py``). Each of the emulator's
identities (managed identities, workload identity, service principals, the admin) is a servicePrincipal
in the shape of Graph's servicePrincipal resource; there are no users, groups or applications.

Tokens are verified like every plane's (RS256 by the tenant's key, issuer, expiry) with Graph's audience:
the emulator's origin (its cloud's ``microsoftGraphResourceId``) or ``https://graph.microsoft.com``. Reading
the directory takes an application permission in the token's ``roles`` (``Directory.Read.All`` and the like),
which only the tenant's admin holds; any other caller gets Graph's 403 ``Authorization_RequestDenied``.
Errors are in Graph's shape: ``{"error": {"code", "message", "innerError": {"date", "request-id",
"client-request-id"}}}``.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any, Final

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from azlogs.emulator.config import GRAPH_RESOURCE, Identity
from azlogs.emulator.context import Context
from azlogs.emulator.identity.issuer import TokenRejected

VERSIONS: Final = ("v1.0", "beta")
# Application permissions that let an app-only caller read service principals.
READ_ROLES: Final = frozenset(
    {"Directory.Read.All", "Directory.ReadWrite.All", "Application.Read.All", "Application.ReadWrite.All"}
)
MAX_IDS: Final = 1000  # getByIds: "You can specify up to 1000 IDs."
_CONTENT_TYPE: Final = (
    "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8"
)
_GUID: Final = re.compile(r"^[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
_SP_TYPE: Final = "#microsoft.graph.servicePrincipal"
# A filter is one or more terms joined by 'and'; a term is one of these (OData string literals, '' escapes ').
_LITERAL: Final = r"'((?:[^']|'')*)'"
_TERMS: Final = (
    ("spn", re.compile(rf"^servicePrincipalNames/any\((\w+):\1 eq {_LITERAL}\)$", re.IGNORECASE)),
    ("eq", re.compile(rf"^(appId|displayName|id) eq {_LITERAL}$", re.IGNORECASE)),
    ("startswith", re.compile(rf"^startswith\((displayName),\s*{_LITERAL}\)$", re.IGNORECASE)),
)


class GraphError(Exception):
    """A Graph error answer."""

    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(f"{code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}


def _respond(
    request: Request, status: int, body: dict[str, Any], headers: dict[str, str] | None = None
) -> Response:
    request_id = str(uuid.uuid4())
    out = {"request-id": request_id, **(headers or {})}
    client_id = request.headers.get("client-request-id") or request.headers.get("x-ms-client-request-id")
    if client_id:
        out["client-request-id"] = client_id[:64]
    if "error" in body:
        body["error"]["innerError"] = {
            "date": f"{dt.datetime.now(dt.timezone.utc):%Y-%m-%dT%H:%M:%S}",
            "request-id": request_id,
            "client-request-id": out.get("client-request-id", request_id),
        }
    return Response(orjson.dumps(body), status, headers=out, media_type=_CONTENT_TYPE)


def audiences(ctx: Context) -> list[str]:
    return [*ctx.urls.origin_audiences(), GRAPH_RESOURCE, f"{GRAPH_RESOURCE}/"]


def _authorize(ctx: Context, request: Request) -> dict[str, Any]:
    challenge = {
        "WWW-Authenticate": f'Bearer realm="", authorization_uri="{ctx.urls.authority}/{ctx.tenant.tenant_id}'
        f'/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"'
    }
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise GraphError(401, "InvalidAuthenticationToken", "Access token is empty.", challenge)
    try:
        claims = ctx.issuer.validate(token.strip(), audiences(ctx))
    except TokenRejected as exc:
        message = {
            "InvalidAudience": "Access token validation failure. Invalid audience.",
            "ExpiredAuthenticationToken": "Lifetime validation failed, the token is expired.",
        }.get(exc.code, "Access token validation failure.")
        raise GraphError(401, "InvalidAuthenticationToken", message, challenge) from exc
    if not READ_ROLES & set(claims.get("roles") or []):
        raise GraphError(
            403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation."
        )
    return claims


def service_principal(ctx: Context, ident: Identity) -> dict[str, Any]:
    """``ident`` as Graph's servicePrincipal resource (the properties Graph returns by default)."""
    managed = ident.kind in ("system-assigned", "user-assigned", "workload") and bool(ident.resource_id)
    name = ident.resource_id.rstrip("/").rsplit("/", 1)[-1] if managed else ident.name
    return {
        "id": ident.principal_id,
        "deletedDateTime": None,
        "accountEnabled": True,
        # A managed identity lists whether it is user-assigned, and its ARM id.
        "alternativeNames": [f"isExplicit={ident.kind != 'system-assigned'}", ident.resource_id]
        if managed
        else [],
        "appDisplayName": None if managed else ident.name,
        "appDescription": None,
        "appId": ident.client_id,
        "applicationTemplateId": None,
        "appOwnerOrganizationId": None if managed else ctx.tenant.tenant_id,
        "appRoleAssignmentRequired": False,
        "createdDateTime": None,
        "description": None,
        "disabledByMicrosoftStatus": None,
        "displayName": name,
        "homepage": None,
        "loginUrl": None,
        "logoutUrl": None,
        "notes": None,
        "notificationEmailAddresses": [],
        "preferredSingleSignOnMode": None,
        "preferredTokenSigningKeyThumbprint": None,
        "replyUrls": [],
        "servicePrincipalNames": [ident.client_id],
        "servicePrincipalType": "ManagedIdentity" if managed else "Application",
        "signInAudience": None if managed else "AzureADMyOrg",
        "tags": [],
        "tokenEncryptionKeyId": None,
        "samlSingleSignOnSettings": None,
        "addIns": [],
        "appRoles": [],
        "info": {
            "logoUrl": None,
            "marketingUrl": None,
            "privacyStatementUrl": None,
            "supportUrl": None,
            "termsOfServiceUrl": None,
        },
        "keyCredentials": [],
        "oauth2PermissionScopes": [],
        "passwordCredentials": [],
        "resourceSpecificApplicationPermissions": [],
        "verifiedPublisher": {"displayName": None, "verifiedPublisherId": None, "addedDateTime": None},
    }


def _principals(ctx: Context) -> list[Identity]:
    return [*ctx.tenant.identities, ctx.tenant.admin]


def _literal(text: str) -> str:
    return text.replace("''", "'")


_FIELDS: Final = {"appid": "appId", "displayname": "displayName", "id": "id"}
Term = tuple[str, str, str]  # (kind, property, value lowercased)


def _terms(filter_: str) -> list[Term]:
    """The terms of a ``$filter`` the subset understands; anything else is Graph's 400, never ignored."""
    terms: list[Term] = []
    for raw in re.split(r"\s+and\s+", filter_.strip(), flags=re.IGNORECASE):
        term = raw.strip()
        for kind, pattern in _TERMS:
            m = pattern.match(term)
            if m is not None:
                prop = "servicePrincipalNames" if kind == "spn" else _FIELDS[m.group(1).lower()]
                terms.append((kind, prop, _literal(m.group(2)).lower()))
                break
        else:
            raise GraphError(
                400, "Request_UnsupportedQuery", f"Unsupported or invalid query filter clause: '{term}'."
            )
    return terms


def _matches(sp: dict[str, Any], terms: list[Term]) -> bool:
    for kind, prop, want in terms:
        if kind == "spn":
            ok = want in (n.lower() for n in sp[prop])
        elif kind == "eq":
            ok = str(sp[prop]).lower() == want
        else:
            ok = str(sp[prop]).lower().startswith(want)
        if not ok:
            return False
    return True


def _select(request: Request, obj: dict[str, Any]) -> dict[str, Any]:
    select = request.query_params.get("$select")
    if not select:
        return obj
    wanted = {s.strip().lower() for s in select.split(",") if s.strip()}
    return {k: v for k, v in obj.items() if k.startswith("@odata.") or k.lower() in wanted or k == "id"}


def _context(ctx: Context, version: str, fragment: str) -> str:
    return f"{ctx.urls.graph}{version}/$metadata#{fragment}"


def _not_found(key: str) -> GraphError:
    return GraphError(
        404,
        "Request_ResourceNotFound",
        f"Resource '{key}' does not exist or one of its queried reference-property objects are not present.",
    )


def _find(ctx: Context, *, principal_id: str | None = None, app_id: str | None = None) -> Identity | None:
    for ident in _principals(ctx):
        if principal_id is not None and ident.principal_id.lower() == principal_id.lower():
            return ident
        if app_id is not None and ident.client_id.lower() == app_id.lower():
            return ident
    return None


def _by_id(ctx: Context, key: str) -> Identity:
    if not _GUID.match(key):
        raise GraphError(400, "Request_BadRequest", f"Invalid object identifier '{key}'.")
    ident = _find(ctx, principal_id=key)
    if ident is None:
        raise _not_found(key)
    return ident


_ALTERNATE_KEY: Final = re.compile(r"^servicePrincipals\(appId='([^']*)'\)$", re.IGNORECASE)


async def _get_by_ids(ctx: Context, request: Request, version: str) -> dict[str, Any]:
    try:
        body = orjson.loads(await request.body())
    except orjson.JSONDecodeError as exc:
        raise GraphError(400, "BadRequest", "Unable to read JSON request payload.") from exc
    ids = body.get("ids") if isinstance(body, dict) else None
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        raise GraphError(
            400, "Request_BadRequest", "The 'ids' parameter is required: a collection of object ids."
        )
    if len(ids) > MAX_IDS:
        raise GraphError(400, "Request_BadRequest", f"The number of ids exceeds the limit of {MAX_IDS}.")
    types = body.get("types") or ["directoryObject"]
    if not isinstance(types, list) or not all(isinstance(t, str) for t in types):
        raise GraphError(
            400, "Request_BadRequest", "The 'types' parameter must be a collection of type names."
        )
    wanted = {t.lower() for t in types}
    found = []
    if wanted & {"serviceprincipal", "directoryobject"}:
        for key in ids:
            ident = _find(ctx, principal_id=key) if _GUID.match(key) else None
            if ident is not None:
                found.append({"@odata.type": _SP_TYPE, **service_principal(ctx, ident)})
    return {"@odata.context": _context(ctx, version, "directoryObjects"), "value": found}


def _segments(path: str) -> list[str]:
    return [s for s in path.split("/") if s]


async def _dispatch(ctx: Context, request: Request, version: str, parts: list[str]) -> dict[str, Any]:
    method = request.method.upper()
    head = parts[0] if parts else ""
    if method == "POST" and [p.lower() for p in parts] == ["directoryobjects", "getbyids"]:
        return await _get_by_ids(ctx, request, version)
    if method != "GET":
        raise GraphError(
            405, "Request_BadRequest", f"The HTTP method '{request.method}' is not allowed for this resource."
        )
    if head.lower() == "me" and len(parts) == 1:
        raise GraphError(400, "BadRequest", "/me request is only valid with delegated authentication flow.")
    alternate = _ALTERNATE_KEY.match(head)
    if alternate is not None and len(parts) == 1:
        ident = _find(ctx, app_id=alternate.group(1))
        if ident is None:
            raise _not_found(alternate.group(1))
        return {
            "@odata.context": _context(ctx, version, "servicePrincipals/$entity"),
            **service_principal(ctx, ident),
        }
    if head.lower() == "serviceprincipals" and len(parts) == 1:
        objects = [service_principal(ctx, i) for i in _principals(ctx)]
        filter_ = request.query_params.get("$filter")
        if filter_:
            terms = _terms(filter_)
            objects = [o for o in objects if _matches(o, terms)]
        return {
            "@odata.context": _context(ctx, version, "servicePrincipals"),
            "value": [_select(request, o) for o in objects],
        }
    if head.lower() == "serviceprincipals" and len(parts) == 2:
        sp = service_principal(ctx, _by_id(ctx, parts[1]))
        return {"@odata.context": _context(ctx, version, "servicePrincipals/$entity"), **_select(request, sp)}
    if head.lower() == "directoryobjects" and len(parts) == 2:
        sp = {"@odata.type": _SP_TYPE, **service_principal(ctx, _by_id(ctx, parts[1]))}
        return {"@odata.context": _context(ctx, version, "directoryObjects/$entity"), **_select(request, sp)}
    if head.lower() in ("users", "groups", "applications") and len(parts) == 1:
        # The emulated directory holds service principals only.
        return {"@odata.context": _context(ctx, version, head), "value": []}
    if head.lower() in ("users", "groups", "applications") and len(parts) == 2:
        raise _not_found(parts[1])
    segment = next((p for p in parts if p.lower() not in ("serviceprincipals", "directoryobjects")), head)
    raise GraphError(400, "BadRequest", f"Resource not found for the segment '{segment}'.")


async def graph_endpoint(request: Request) -> Response:
    """Serve one Graph request under ``/v1.0/`` or ``/beta/``."""
    ctx: Context = request.app.state.ctx
    version = request.url.path.split("/", 2)[1]
    try:
        _authorize(ctx, request)
        body = await _dispatch(ctx, request, version, _segments(request.path_params["rest"]))
    except GraphError as exc:
        return _respond(
            request, exc.status, {"error": {"code": exc.code, "message": exc.message}}, exc.headers
        )
    return _respond(request, 200, body)


def routes(ctx: Context) -> list[BaseRoute]:
    """Graph's routes (registered in ``server.HTTPS_PLANES``)."""
    methods = ["GET", "POST", "PUT", "PATCH", "DELETE"]
    return [Route(f"/{version}/{{rest:path}}", graph_endpoint, methods=methods) for version in VERSIONS]
