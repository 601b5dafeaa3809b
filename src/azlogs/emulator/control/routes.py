"""The ARM routes on the HTTPS listener: one route that parses any ARM path and dispatches it.

Order of checks, as ARM does them: bearer token (401), subscription (404), api-version (400),
RBAC at the addressed scope (403), resource group (404), then the resource provider's own work
(validation 400, not found 404, conflicts 409). Writes run in a worker thread under the state's lock,
so the event loop never waits on the state file's fsync.
"""

from __future__ import annotations

import uuid
from typing import Any, Final

import orjson
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Match, NoMatchFound, Route
from starlette.types import Receive, Scope, Send

from azlogs.emulator.context import Context
from azlogs.emulator.control import (
    api,
    classic,
    cloud,
    deployments,
    diagnostic_settings,
    ids,
    jsonc,
    monitor,
    providers,
    rbac,
    sharedkeys,
    subscriptions,
    workspaces,
)
from azlogs.emulator.control.auth import Caller, authenticate, authorization_failed
from azlogs.emulator.control.common import check_subscription, require_resource_group
from azlogs.emulator.control.errors import ArmError, invalid_content, resource_not_found
from azlogs.emulator.control.handlers import DELETE_HANDLERS, PUT_HANDLERS, VERBS, action_for
from azlogs.emulator.control.state import ArmState

_TENANT_LEVEL: Final = (
    "2016-06-01",
    "2018-06-01",
    "2019-06-01",
    "2019-11-01",
    "2020-01-01",
    "2021-01-01",
    "2022-12-01",
)
_RESOURCES: Final = (
    "2019-10-01",
    "2020-06-01",
    "2021-04-01",
    "2022-09-01",
    "2023-07-01",
    "2024-03-01",
    "2024-07-01",
    "2024-11-01",
)
# api-versions Azure serves for each type (a superset of what the SDKs and the docs use).
API_VERSIONS: Final[dict[str, tuple[str, ...]]] = {
    ids.WORKSPACES: (
        "2020-08-01",
        "2020-10-01",
        "2021-06-01",
        "2021-12-01-preview",
        "2022-10-01",
        "2023-09-01",
        "2025-02-01",
        "2025-07-01",
    ),
    ids.TABLES: ("2021-12-01-preview", "2022-10-01", "2023-09-01", "2025-02-01", "2025-07-01"),
    ids.DCES: ("2021-09-01-preview", "2022-06-01", "2023-03-11", "2024-03-11"),
    ids.DCRS: ("2021-09-01-preview", "2022-06-01", "2023-03-11", "2024-03-11"),
    ids.ROLE_ASSIGNMENTS: (
        "2015-07-01",
        "2018-09-01-preview",
        "2020-04-01-preview",
        "2020-10-01-preview",
        "2022-01-01-preview",
        "2022-04-01",
    ),
    ids.ROLE_DEFINITIONS: ("2015-07-01", "2018-01-01-preview", "2022-04-01", "2022-05-01-preview"),
    ids.DIAGNOSTIC_SETTINGS: diagnostic_settings.API_VERSIONS,
    ids.RESOURCE_GROUPS: _RESOURCES,
    # Deployments and ARM's job results share the resource groups' versions (Microsoft.Resources).
    # The deployments SDK (azure-mgmt-resource 24's DeploymentsMgmtClient, which azure-cli 2.91 uses)
    # defaults to 2025-04-01.
    ids.DEPLOYMENTS: (*_RESOURCES, "2025-03-01", "2025-04-01"),
    ids.OPERATION_RESULTS: (*_RESOURCES, "2025-03-01", "2025-04-01"),
    ids.PROVIDERS: _RESOURCES,
    # Microsoft.Resources' tenant-level reads (the subscriptions spec's versions).
    ids.SUBSCRIPTIONS: _TENANT_LEVEL,
    ids.TENANTS: _TENANT_LEVEL,
}
# ARM answers a bad api-version of its own types (resource groups, authorization) with
# InvalidApiVersionParameter, and of a resource provider's types with NoRegisteredProviderFound. [U]
_ARM_OWN: Final = (
    ids.RESOURCE_GROUPS,
    ids.PROVIDERS,
    ids.DEPLOYMENTS,
    ids.OPERATION_RESULTS,
    ids.ROLE_ASSIGNMENTS,
    ids.ROLE_DEFINITIONS,
    ids.SUBSCRIPTIONS,
    ids.TENANTS,
)
# Tenant-level reads: visibility follows the caller's role assignments, not one RBAC action.
_TENANT_READS: Final = (ids.SUBSCRIPTIONS, ids.TENANTS)
_PATCH_TYPES: Final = (ids.RESOURCE_GROUPS, ids.WORKSPACES, ids.DCES, ids.DCRS)
# Async job results carry no data; any signed-in caller may poll them.
_PUBLIC: Final = (ids.ROLE_DEFINITIONS, ids.OPERATION_RESULTS, *_TENANT_READS)


def api_version_error(rtype: str, version: str, location: str) -> ArmError | None:
    """ARM's 400 for ``version`` of ``rtype``, or None when Azure serves it (also used by deployments)."""
    supported = API_VERSIONS[rtype]
    if version in supported:
        return None
    listed = ", ".join(reversed(supported))
    if rtype in _ARM_OWN:
        return ArmError(
            400,
            "InvalidApiVersionParameter",
            f"The api-version '{version}' is invalid. The supported versions are '{listed}'.",
        )
    short = rtype.split("/", 1)[1]
    return ArmError(
        400,
        "NoRegisteredProviderFound",
        f"No registered resource provider found for location '{location}' and API version '{version}' for "
        f"type '{short}'. The supported api-versions are '{listed}'.",
    )


def _check_api_version(target: ids.Target, version: str | None, location: str) -> None:
    if not version:
        raise ArmError(
            400,
            "MissingApiVersionParameter",
            "The api-version query parameter (?api-version=) is required for all requests.",
        )
    err = api_version_error(target.rtype, version, location)
    if err is not None:
        raise err


def method_not_allowed(method: str) -> ArmError:
    return ArmError(
        405, "MethodNotAllowed", f"The requested resource does not support http method '{method}'."
    )


def _json(
    status: int, body: dict[str, Any] | None, request: Request, headers: dict[str, str] | None = None
) -> Response:
    out = {
        "x-ms-request-id": str(uuid.uuid4()),
        "x-ms-correlation-request-id": str(uuid.uuid4()),
        **(headers or {}),
    }
    client_id = request.headers.get("x-ms-client-request-id")
    if client_id:
        out["x-ms-client-request-id"] = client_id[:64]
    if body is None:
        return Response(status_code=status, headers=out)
    return Response(orjson.dumps(body), status, headers=out, media_type="application/json; charset=utf-8")


def _read(
    state: ArmState, target: ids.Target, request: Request, caller: Caller
) -> tuple[int, dict[str, Any] | None]:
    filter_ = request.query_params.get("$filter")
    if target.rtype == ids.TENANTS:
        return subscriptions.list_tenants(state, caller)
    if target.rtype == ids.PROVIDERS:
        return providers.read(state, target, API_VERSIONS)
    if target.rtype == ids.SUBSCRIPTIONS:
        if target.is_list:
            return subscriptions.list_subscriptions(state, caller)
        return subscriptions.get_subscription(state, target, caller)
    if target.rtype == ids.ROLE_ASSIGNMENTS:
        if target.is_list:
            return rbac.list_role_assignments(state, target, filter_)
        return rbac.get_role_assignment(state, target)
    if target.rtype == ids.ROLE_DEFINITIONS:
        if target.is_list:
            return rbac.list_role_definitions(state, target, filter_)
        return rbac.get_role_definition(state, target)
    if target.is_list:
        if target.rtype == ids.TABLES and state.get(target.scope) is None:
            raise resource_not_found(ids.WORKSPACES, target.names, target.resource_group or "")
        return 200, {"value": [state.render(d) for d in state.docs(target.rtype, under=target.scope)]}
    doc = state.get(target.id)
    if doc is None and target.rtype == ids.TABLES:
        doc = workspaces.builtin_table_doc(state, target)
    if doc is None or doc["type"] != target.rtype:
        if target.rtype == ids.RESOURCE_GROUPS:
            raise ArmError(
                404, "ResourceGroupNotFound", f"Resource group '{target.name}' could not be found."
            )
        raise resource_not_found(target.rtype, target.names, target.resource_group or "")
    return 200, state.render(doc)


def _write(
    state: ArmState, target: ids.Target, method: str, body: Any, caller: Caller
) -> tuple[int, dict[str, Any] | None]:
    with state.transaction():
        if (
            target.subscription is not None
            and target.resource_group is not None
            and target.rtype != ids.RESOURCE_GROUPS
        ):
            require_resource_group(state, target.subscription, target.resource_group)
        if method == "PUT":
            return PUT_HANDLERS[target.rtype](state, target, body, caller)
        if method == "PATCH":
            return monitor.patch_tags(state, target, body, caller)
        return DELETE_HANDLERS[target.rtype](state, target)


def _method_allowed(target: ids.Target, method: str) -> bool:
    if target.rtype == ids.DEPLOYMENTS and target.tail:
        posted = target.tail[0].lower() in ("validate", "exporttemplate", "whatif", "cancel")
        return method == ("POST" if posted else "GET")
    if method == "HEAD":  # CheckExistence (az group exists): resource groups and deployments
        return target.rtype in (ids.DEPLOYMENTS, ids.RESOURCE_GROUPS) and not target.is_list
    if target.rtype == ids.PROVIDERS:
        return method == ("POST" if target.tail else "GET")
    if method in ("POST", "HEAD"):
        return False
    if method == "GET":
        return True
    if target.rtype == ids.OPERATION_RESULTS:
        return False
    if target.is_list or target.rtype in (ids.ROLE_DEFINITIONS, *_TENANT_READS):
        return False
    return method in ("PUT", "DELETE") or (method == "PATCH" and target.rtype in _PATCH_TYPES)


async def arm_endpoint(request: Request) -> Response:
    """Serve one ARM request (any method, any emulated path)."""
    ctx: Context = request.app.state.ctx
    state = ctx.control
    if not isinstance(state, ArmState):  # the ARM routes serve the emulator's own state, never a stand-in
        raise TypeError(f"the ARM routes need the emulator's ArmState, not {type(state).__name__}")
    action_path = sharedkeys.split_action(request.url.path) or classic.split_action(request.url.path)
    if action_path is not None:
        return await _workspace_action(request, state, *action_path)
    metrics_path = _split_metrics(request.url.path)
    if metrics_path is not None:
        return await _dcr_metrics(request, state, *metrics_path)
    try:
        target = ids.parse_path(request.url.path)
        method = request.method.upper()
        if method not in (*VERBS, "POST") or not _method_allowed(target, method):
            raise method_not_allowed(request.method)
        caller = authenticate(ctx, request, state.clock())
        check_subscription(state, target.subscription)
        body: Any = None
        if method in ("PUT", "PATCH", "POST"):
            raw = await request.body()
            try:
                # Deployment bodies may be JSONC, as the Azure CLI sends them and ARM accepts.
                parse = jsonc.loads if target.rtype == ids.DEPLOYMENTS else orjson.loads
                body = parse(raw) if raw else None
            except ValueError as exc:
                raise invalid_content(str(exc)) from exc
        location = body.get("location") if isinstance(body, dict) else None
        version = request.query_params.get("api-version")
        _check_api_version(target, version, str(location or ctx.tenant.location))
        action = action_for(target, method)
        # Built-in role definitions are readable by any signed-in principal, at any scope.
        if target.rtype not in _PUBLIC and not state.has_permission(
            caller.object_id, target.rbac_scope, action
        ):
            raise authorization_failed(caller, action, target.rbac_scope)
        if target.rtype in (ids.DEPLOYMENTS, ids.OPERATION_RESULTS):
            if method in ("GET", "HEAD"):
                status, out, headers = deployments.read(state, target, method)
            else:
                status, out, headers = await run_in_threadpool(
                    deployments.write, state, target, method, body, caller, str(version), api_version_error
                )
            return _json(status, out, request, headers)
        if method == "HEAD":  # 204 when it exists, 404 otherwise, never a body (the recorded HEAD)
            return _json(204 if state.get(target.id) is not None else 404, None, request)
        if method == "GET" or target.rtype == ids.PROVIDERS:  # registering a provider changes nothing here
            if (
                target.subscription is not None
                and target.resource_group is not None
                and target.rtype != ids.RESOURCE_GROUPS
            ):
                require_resource_group(state, target.subscription, target.resource_group)
            status, out = _read(state, target, request, caller)
        else:
            status, out = await run_in_threadpool(_write, state, target, method, body, caller)
    except ArmError as exc:
        return _json(exc.status, exc.body(), request, exc.headers)
    return _json(status, out, request, _headers(state, target, method, status, str(version)))


async def _workspace_action(request: Request, state: ArmState, path: str, action: str) -> Response:
    """``POST {workspace}/sharedKeys``, ``/regenerateSharedKey`` or ``{table}/migrate``: ARM's usual checks."""
    ctx: Context = request.app.state.ctx
    migrate = action == "migrate"
    try:
        target = ids.parse_path(path)
        rtype = ids.TABLES if migrate else ids.WORKSPACES
        if target.rtype != rtype or target.is_list or request.method.upper() != "POST":
            raise method_not_allowed(request.method)
        caller = authenticate(ctx, request, state.clock())
        check_subscription(state, target.subscription)
        raw = await request.body()
        try:
            body = orjson.loads(raw) if raw else None
        except ValueError as exc:
            raise invalid_content(str(exc)) from exc
        _check_api_version(target, request.query_params.get("api-version"), ctx.tenant.location)
        rbac_action = classic.ACTION if migrate else sharedkeys.ACTIONS[action]
        if not state.has_permission(caller.object_id, target.rbac_scope, rbac_action):
            raise authorization_failed(caller, rbac_action, target.rbac_scope)
        assert target.subscription is not None and target.resource_group is not None
        require_resource_group(state, target.subscription, target.resource_group)
        if migrate:
            status, out = await run_in_threadpool(classic.migrate, state, target, body)
        else:
            status, out = await run_in_threadpool(sharedkeys.act, state, target, action, body)
    except ArmError as exc:
        return _json(exc.status, exc.body(), request, exc.headers)
    return _json(status, out, request)


_METRICS_TAILS: Final = {
    "/providers/microsoft.insights/metrics": "metrics",
    "/providers/microsoft.insights/metricdefinitions": "metricDefinitions",
    "/providers/microsoft.insights/metricnamespaces": "metricNamespaces",
    "/providers/microsoft.insights/diagnosticsettingscategories": "categories",
}


def _split_metrics(path: str) -> tuple[str, str] | None:
    """``({resource id}, "metrics" | "metricDefinitions" | "metricNamespaces" | "categories")`` for such a path, else None."""
    low = path.lower().rstrip("/")
    for tail, kind in _METRICS_TAILS.items():
        if low.endswith(tail):
            return path.rstrip("/")[: -len(tail)], kind
    return None


async def _dcr_metrics(request: Request, state: ArmState, resource: str, kind: str) -> Response:
    """``GET {dcr}/providers/Microsoft.Insights/metrics|metricDefinitions|metricNamespaces``: ARM's checks, then
    the DCR's metrics."""
    from datetime import datetime, timezone

    from azlogs.emulator.ingestion import metrics

    ctx: Context = request.app.state.ctx
    try:
        target = ids.parse_path(resource)
        if request.method.upper() != "GET":
            raise method_not_allowed(request.method)
        caller = authenticate(ctx, request, state.clock())
        check_subscription(state, target.subscription)
        version = request.query_params.get("api-version")
        if not version:
            raise ArmError(
                400,
                "MissingApiVersionParameter",
                "The api-version query parameter (?api-version=) is required for all requests.",
            )
        versions = {
            "categories": diagnostic_settings.API_VERSIONS,
            "metricNamespaces": metrics.NAMESPACES_API_VERSIONS,
        }.get(kind, metrics.METRICS_API_VERSIONS)
        if version not in versions:
            raise ArmError(
                400,
                "InvalidApiVersionParameter",
                f"The api-version '{version}' is invalid. The supported versions are "
                f"'{', '.join(reversed(versions))}'.",
            )
        action = {
            "metrics": api.METRICS_READ_ACTION,
            "metricDefinitions": "Microsoft.Insights/metricDefinitions/read",
            "metricNamespaces": "Microsoft.Insights/metricNamespaces/read",
            "categories": "Microsoft.Insights/diagnosticSettingsCategories/read",
        }[kind]
        if not state.has_permission(caller.object_id, target.rbac_scope, action):
            raise authorization_failed(caller, action, target.rbac_scope)
        doc = state.get(target.id)
        if target.rtype != ids.DCRS or target.is_list or doc is None or doc["type"] != ids.DCRS:
            raise resource_not_found(target.rtype, target.names, target.resource_group or "")
        if kind == "metricDefinitions":
            return _json(200, metrics.definitions(doc["id"]), request)
        if kind == "metricNamespaces":
            return _json(200, metrics.namespaces(doc["id"]), request)
        if kind == "categories":
            return _json(200, diagnostic_settings.categories(doc["id"]), request)
        store = getattr(ctx, "store", None)
        if store is None:
            raise ArmError(503, "ServiceUnavailable", metrics.STORE_DOWN)
        dcr_id = doc["id"]
        params = {k.lower() if k != "$filter" else k: v for k, v in request.query_params.items()}

        def rows_of(metric: str, start: int, end: int) -> list[tuple[int, str, float, int, float, float]]:
            return store.metric_rows(dcr_id, metric, start, end)  # type: ignore[no-any-return]

        try:
            body = await run_in_threadpool(
                metrics.query,
                rows_of,
                dcr_id,
                str(doc.get("location", "")),
                params,
                datetime.now(timezone.utc),
            )
        except metrics.MetricsError as exc:
            raise ArmError(400, exc.code, exc.message) from None
    except ArmError as exc:
        return _json(exc.status, exc.body(), request, exc.headers)
    return _json(200, body, request)


def _headers(state: ArmState, target: ids.Target, method: str, status: int, version: str) -> dict[str, str]:
    """Headers Azure adds to some answers (see docs/differences.md for the sources)."""
    if target.rtype == ids.RESOURCE_GROUPS and method == "DELETE" and status == 202:
        # A resource-group delete is a job to poll (Go SDK recording: 202, Location, Retry-After 15).
        return deployments.result_location(state, "resourceGroup", target.name, version)
    if target.rtype == ids.WORKSPACES and method == "PUT" and status == 201:
        # A workspace create answers 201 with Location; the emulator's is the workspace itself, done. [U]
        doc = state.get(target.id)
        if doc is not None:
            return {"Location": f"{state.ctx.urls.arm}{doc['id']}?api-version={version}"}
    return {}


class ArmRoute(BaseRoute):
    """Matches every ARM path (``/subscriptions[/...]``, ``/tenants``, ``/providers/Microsoft.Authorization/...``), any case."""

    _PREFIXES: Final = ("/subscriptions/", "/providers/microsoft.authorization/")
    _EXACT: Final = ("/subscriptions", "/tenants", "/tenants/")

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        path = scope["path"].lower() if scope["type"] == "http" else ""
        if path in self._EXACT or path.startswith(self._PREFIXES):
            return Match.FULL, {}
        return Match.NONE, {}

    def url_path_for(self, name: str, /, **path_params: Any) -> Any:
        raise NoMatchFound(name, path_params)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = await arm_endpoint(Request(scope, receive))
        await response(scope, receive, send)


async def not_served(request: Request, exc: Exception) -> Response:
    """Any path or method no route serves, in ARM's JSON error shape (never Starlette's plain text).

    Installed by ``server`` as the HTTPS listener's handler of Starlette's ``HTTPException``.
    """
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    headers = dict(exc.headers or {}) if isinstance(exc, HTTPException) else {}
    if status == 405:
        err = ArmError(
            405,
            "MethodNotAllowed",
            f"The requested resource does not support http method '{request.method}'.",
            headers=headers,
        )
    else:
        err = ArmError(
            status,
            "NotFound" if status == 404 else "BadRequest",
            f"The emulator does not serve '{request.method} {request.url.path}'. It serves the Entra "
            "authority, ARM (/subscriptions/..., /metadata/endpoints), Microsoft Graph (/v1.0/...), ingestion "
            "(/dce/..., /dcr/...), the Data Collector API (/ods/{workspaceId}/api/logs) and "
            "query (/query/v1/...).",
            headers=headers,
        )
    return _json(err.status, err.body(), request, err.headers)


def routes(ctx: Context) -> list[BaseRoute]:
    """The control plane's routes (registered in ``server.HTTPS_PLANES``)."""
    return [ArmRoute(), Route("/metadata/endpoints", cloud.metadata_endpoints, methods=["GET"])]
