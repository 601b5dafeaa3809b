"""``POST/GET {query}/v1/workspaces/{id}/query``, ``POST {query}/v1/$batch`` and resource-centric
``POST/GET {query}/v1/{resourceId}/query`` in the service's shapes, under ``/query`` and at the origin.

Authentication: a token for the emulated cloud's query audience (https://api.loganalytics.io in AzurePublic,
with or without the trailing slash), or for the emulator's own origin and query host. ``Prefer`` options
and their answers are in :mod:`.prefer`; resource scopes in :mod:`.resources`.
Authorization: a role on the workspace (or a parent scope) that grants the query read action:
Log Analytics Reader, Reader, Contributor, Owner ... The query runs on the KQL engine over the
SQLite store, with the ``timespan`` and leading time filters pushed down to SQLite.
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
import re
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from azlogs._exceptions import KqlError, KqlLimitError, KqlTimeoutError
from azlogs.auth.clouds import AZURE_PUBLIC
from azlogs.emulator.context import Context
from azlogs.emulator.control.api import QUERY_ACTION, ControlPlane
from azlogs.emulator.identity.issuer import TokenRejected
from azlogs.emulator.query import limits as query_limits
from azlogs.emulator.query import prefer as preferences
from azlogs.emulator.query.errors import (
    BadRequest,
    authorization_required,
    bad_argument,
    error,
    json_response,
    path_not_found,
    semantic_error,
    syntax_error,
)
from azlogs.emulator.query.external import ExternalFiles
from azlogs.emulator.query.prefer import Prefer, parse_prefer
from azlogs.emulator.query.resources import LOGS_READ_ACTION, ScopedProvider, resource_of
from azlogs.kql import TableProvider, format_timespan, parse, run_query, visualization

# The public cloud's; a request is checked against the emulated cloud's (``Cloud.query_audiences``).
AUDIENCES = list(AZURE_PUBLIC.query_audiences)
_DURATION = re.compile(
    r"^P(?:(?P<d>\d+(?:\.\d+)?)D)?(?:T(?:(?P<h>\d+(?:\.\d+)?)H)?(?:(?P<m>\d+(?:\.\d+)?)M)?(?:(?P<s>\d+(?:\.\d+)?)S)?)?$"
)


_json = json_response
_error = error
_GUID = re.compile(r"^[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")


def _duration(text: str) -> dt.timedelta | None:
    m = _DURATION.match(text)
    if not m or text in ("P", "PT"):
        return None
    parts = {k: float(v) for k, v in m.groupdict().items() if v}
    return dt.timedelta(
        days=parts.get("d", 0), hours=parts.get("h", 0), minutes=parts.get("m", 0), seconds=parts.get("s", 0)
    )


def _instant(text: str) -> dt.datetime | None:
    try:
        value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)


def parse_timespan(text: str | None, now: dt.datetime) -> tuple[dt.datetime, dt.datetime] | None:
    """An ISO 8601 timespan as the API takes it: a duration back from now, ``start/end`` or ``start/duration``.

    Raises:
        ValueError: the text is none of these, or names an instant outside 0001..9999.
    """
    if text is None or text == "":
        return None
    if not isinstance(text, str):
        raise ValueError(f"timespan must be an ISO 8601 string, not {type(text).__name__}")
    try:
        return _span(text, now)
    except OverflowError:
        raise ValueError(f"timespan {text!r} is out of range") from None


def _span(text: str, now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    if "/" in text:
        first, second = text.split("/", 1)
        start = _instant(first)
        if start is None:
            raise ValueError(f"invalid timespan start {first!r}")
        end = _instant(second)
        if end is None:
            span = _duration(second)
            if span is None:
                raise ValueError(f"invalid timespan end {second!r}")
            end = start + span
        return start, end
    span = _duration(text)
    if span is None:
        raise ValueError(f"invalid timespan {text!r}")
    return now - span, now


class StoreProvider:
    """The KQL engine's TableProvider over one workspace of the SQLite store."""

    def __init__(self, store: Any, workspace_id: str, external: ExternalFiles | None = None) -> None:
        self.store = store
        self.workspace_id = workspace_id
        self.external = external

    def read_external(self, uri: str) -> str:
        """externaldata's file for ``uri`` (the emulator's externaldata directory only)."""
        if self.external is None:
            raise KeyError("this emulator has no externaldata directory")
        return self.external.read_external(uri)

    def table_names(self) -> Iterable[str]:
        return [t.name for t in self.store.tables(self.workspace_id)]

    def table_columns(self, name: str) -> list[tuple[str, str]] | None:
        stored = self.store.table(self.workspace_id, name)
        if stored is None:
            return None
        return [(n, t.kql_name) for n, t in stored.output_columns()]

    def scan(
        self,
        name: str,
        *,
        time_range: tuple[dt.datetime | None, dt.datetime | None] | None,
        columns: Sequence[str] | None,
    ) -> Iterable[Mapping[str, Any]]:
        result = self.store.scan(self.workspace_id, name, time_range, columns)
        if result is None:
            return []
        names = [n for n, _ in result.columns]

        def rows() -> Iterator[Mapping[str, Any]]:
            for raw in result.rows:
                yield dict(zip(names, raw, strict=True))

        return rows()


def external_files(ctx: Context) -> ExternalFiles:
    """The files externaldata may read: ``emulator.externaldata_dir``, else ``DATA_DIR/externaldata``."""
    settings = ctx.settings
    return ExternalFiles(settings.externaldata_dir or settings.data_dir / "externaldata")


def _datetime(value: dt.datetime) -> str:
    """ISO 8601 UTC as the service writes it: fractional digits only as far as they are not zero."""
    v = value.astimezone(dt.timezone.utc) if value.tzinfo is not None else value
    base = f"{v.year:04d}-{v.month:02d}-{v.day:02d}T{v.hour:02d}:{v.minute:02d}:{v.second:02d}"
    fraction = f"{v.microsecond:06d}".rstrip("0")
    return f"{base}.{fraction}Z" if fraction else base + "Z"


def _cell(value: Any, kind: str) -> Any:
    """A value in the query API's JSON: datetimes ISO with 7 digits, dynamic as JSON text, timespans as text."""
    if value is None:
        return None
    if kind == "datetime" and isinstance(value, dt.datetime):
        return _datetime(value)
    if kind == "dynamic":
        return value if isinstance(value, str) else orjson.dumps(value).decode()
    if kind == "timespan" and isinstance(value, dt.timedelta):
        return format_timespan(value)
    if isinstance(value, (uuid.UUID, decimal.Decimal)):
        return str(value)
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, dt.datetime):
        return _datetime(value)
    if isinstance(value, dt.timedelta):
        return format_timespan(value)
    return value


def audiences(ctx: Context) -> list[str]:
    """Token audiences the API takes: Azure's, and the emulator's own query hosts (the default
    audience of a client given the emulator's endpoint: the Python SDK asks for its endpoint)."""
    # The Azure CLI asks for its cloud's logAnalyticsResourceId (the query host), azure-monitor-query's
    # LogsQueryClient given only an endpoint for that endpoint's origin.
    return [*ctx.settings.cloud.query_audiences, *ctx.urls.origin_audiences(), *ctx.urls.query_audiences()]


def _caller(ctx: Context, request: Request) -> tuple[Response | None, dict[str, Any]]:
    """The validated token's claims, or the answer for a missing or refused token."""
    auth = request.headers.get("authorization")
    scheme, _, token = (auth or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return authorization_required(), {}
    try:
        claims: dict[str, Any] = ctx.issuer.validate(token.strip(), audiences(ctx))
    except TokenRejected as exc:
        if exc.code == "InvalidAudience":
            q = ctx.settings.cloud.query_audience
            return _error(
                403,
                "InvalidAuthenticationTokenAudience",
                "The access token has been obtained from wrong audience or resource. It should exactly match "
                f"(including forward slash) with one of the allowed audiences '{q}', '{q}/'.",
            ), {}
        return _error(403, "InvalidAuthenticationToken", f"The access token is invalid. {exc.message}"), {}
    return None, claims


def _authorize(ctx: Context, request: Request, workspace_id: str) -> tuple[Response | None, Any]:
    if not _GUID.match(workspace_id):
        return path_not_found(), None
    denied, claims = _caller(ctx, request)
    if denied is not None:
        return denied, None
    control: ControlPlane = ctx.control
    workspace = control.workspace_by_customer_id(workspace_id)
    if workspace is None:
        return _error(
            404,
            "WorkspaceNotFoundError",
            f"The workspace {workspace_id} could not be found",
            {"code": "WorkspaceNotFoundError", "message": f"Workspace {workspace_id} not found"},
        ), None
    if not control.has_permission(str(claims.get("oid", "")), workspace.resource_id, QUERY_ACTION):
        return _error(
            403,
            "InsufficientAccessError",
            "The provided credentials have insufficient access to perform the requested operation",
            {
                "code": "UnauthorizedClient",
                "message": f"Principal {claims.get('oid')} needs a read role (Log Analytics Reader or Reader) on "
                f"{workspace.resource_id}",
            },
        ), None
    return None, workspace


def _run(
    ctx: Context,
    source: str | TableProvider,
    kql: str,
    timespan: str | None,
    prefer: Prefer | None = None,
    limits: query_limits.QueryLimits | None = None,
    principal: dict[str, Any] | None = None,
) -> Response:
    """Run ``kql`` over a workspace (its customer id) or a provider, answered in the API's shape;
    ``principal`` is the caller's validated token claims (``current_principal()`` reads them)."""
    prefer = prefer or Prefer()
    limits = limits or query_limits.QueryLimits.for_request(ctx, None)
    now = ctx.clock()
    try:
        span = parse_timespan(timespan, now)
    except ValueError as exc:
        return bad_argument("InvalidTimespan", str(exc))
    try:
        query = parse(kql)
    except KqlError as exc:
        return syntax_error(exc, kql)
    inner = StoreProvider(ctx.store, source, external_files(ctx)) if isinstance(source, str) else source
    # Counting what is scanned costs per row: only when the statistics are asked for.
    counter = preferences.ScanCounter(inner) if prefer.statistics else None
    provider = counter or inner
    clock = preferences.RunClock()
    try:
        chart = visualization(query) if prefer.render else None
        result = run_query(
            kql,
            provider,
            timespan=span,
            clock=lambda: now,
            budget=limits.budget(),
            max_records=limits.max_records,
            max_bytes=limits.max_bytes,
            principal=principal,
        )
    except KqlTimeoutError:
        return limits.gateway_timeout()
    except KqlLimitError as exc:
        return limits.runaway(exc)
    except KqlError as exc:
        return semantic_error(exc, kql)
    tables: list[dict[str, Any]] = []
    for table in result.tables:
        kinds = [t for _, t in table.columns]
        tables.append(
            {
                "name": table.name,
                "columns": [{"name": n, "type": t} for n, t in table.columns],
                "rows": [[_cell(v, k) for v, k in zip(row, kinds, strict=True)] for row in table.rows],
            }
        )
    body: dict[str, Any] = {"tables": tables}
    if counter is not None:
        body["statistics"] = preferences.statistics(counter, clock.elapsed(), [t["rows"] for t in tables])
    if prefer.render and chart is not None:
        body["render"] = preferences.render(chart)
    if result.partial is not None:  # the rows were cut at a result limit: never silently
        body["error"] = query_limits.partial_error(result.partial, limits)
    return _json(body, headers=limits.headers)


def query_fields(body: Any) -> tuple[str, str | None]:
    """The ``query`` and ``timespan`` of a ``QueryBody`` (the POST body, or a ``$batch`` item's body).

    Raises:
        BadRequest: the body is not an object, ``query`` is not a non-empty string, ``timespan`` is
            not a string or null, or ``workspaces`` is not a list of strings or null.
    """
    if not isinstance(body, dict):
        raise BadRequest("InvalidBody", "The request body must be a JSON object")
    kql = body.get("query")
    if kql is None or kql == "":
        raise BadRequest("MissingQuery", "A query is required")
    if not isinstance(kql, str):
        raise BadRequest("InvalidQuery", f"query must be a string, not {type(kql).__name__}")
    timespan = body.get("timespan")
    if timespan is not None and not isinstance(timespan, str):
        raise BadRequest(
            "InvalidTimespan", f"timespan must be an ISO 8601 string, not {type(timespan).__name__}"
        )
    workspaces = body.get("workspaces")
    if workspaces is not None and not (
        isinstance(workspaces, list) and all(isinstance(w, str) for w in workspaces)
    ):
        raise BadRequest("InvalidWorkspaces", "workspaces must be a list of workspace names or ids")
    return kql, timespan or None


async def _query_body(request: Request) -> tuple[str, str | None]:
    if request.method == "GET":
        return query_fields(dict(request.query_params))
    try:
        body = orjson.loads(await request.body())
    except orjson.JSONDecodeError:
        raise BadRequest("InvalidJson", "The request body is not valid JSON") from None
    kql, timespan = query_fields(body)
    return kql, timespan or request.query_params.get("timespan")


async def query_endpoint(request: Request) -> Response:
    ctx: Context = request.app.state.ctx
    workspace_id = request.path_params["workspace"]
    denied, _ = _authorize(ctx, request, workspace_id)
    if denied is not None:
        return denied
    return await _answer(ctx, request, workspace_id)


async def _answer(ctx: Context, request: Request, source: str | TableProvider) -> Response:
    """Read an authorized request's query and ``Prefer`` header(s) and run it over ``source``."""
    try:
        kql, timespan = await _query_body(request)
    except BadRequest as exc:
        return bad_argument(exc.code, exc.message)
    prefer = parse_prefer(request.headers.getlist("prefer"))
    limits = query_limits.QueryLimits.for_request(ctx, request.headers.get("prefer"))
    _, claims = _caller(ctx, request)
    return await query_limits.runner(ctx).run(
        limits, _run, ctx, source, kql, timespan, prefer, limits, principal=claims
    )


def _resource_scope(ctx: Context, request: Request, resource_id: str) -> tuple[Response | None, Any]:
    """Authorize a resource-centric query: its workspace's customer id, or a provider over the scope."""
    denied, claims = _caller(ctx, request)
    if denied is not None:
        return denied, None
    control: ControlPlane = ctx.control
    oid = str(claims.get("oid", ""))
    workspace = control.workspace_by_resource_id(resource_id)
    if workspace is not None:
        denied, _ = _authorize(ctx, request, workspace.customer_id)
        return denied, workspace.customer_id
    if not control.resource_exists(resource_id):
        return _error(404, "ResourceNotFoundError", f"The resource {resource_id} was not found"), None
    if not control.has_permission(oid, resource_id, LOGS_READ_ACTION):
        return _error(
            403,
            "InsufficientAccessError",
            "The provided credentials have insufficient access to perform the requested operation",
            {
                "code": "AuthorizationFailedError",
                "message": f"User '{oid}' does not have access to read logs for this resource",
            },
        ), None
    store = ctx.store
    parts = [StoreProvider(store, w.customer_id, external_files(ctx)) for w in control.workspaces()]
    return None, ScopedProvider(parts, resource_id)


async def resource_query_endpoint(request: Request) -> Response:
    """``GET/POST /v1/{resourceId}/query``; any other path under the API's root is a JSON 404."""
    ctx: Context = request.app.state.ctx
    resource_id = resource_of(request.path_params["rest"])
    if resource_id is None or request.method not in ("GET", "POST"):
        return path_not_found()
    denied, source = _resource_scope(ctx, request, resource_id)
    if denied is not None:
        return denied
    return await _answer(ctx, request, source)


def batch_items(body: Any) -> list[dict[str, Any]]:
    """The ``requests`` of a ``$batch`` body, each checked as the service checks it.

    Raises:
        BadRequest: not ``{"requests": [object, ...]}``, an item without a string ``id`` and
            ``workspace`` or with a non-object ``body``/``headers``, or two items with one id
            (``QueryValidationError``, as Azure answers).
    """
    if not isinstance(body, dict) or not isinstance(body.get("requests"), list) or not body["requests"]:
        raise BadRequest(
            "InvalidBatch", 'The batch body must be {"requests": [...]} with at least one request'
        )
    seen: set[str] = set()
    items: list[dict[str, Any]] = body["requests"]
    for n, item in enumerate(items):
        if not isinstance(item, dict):
            raise BadRequest("InvalidBatch", f"requests[{n}] must be a JSON object")
        rid, workspace = item.get("id"), item.get("workspace")
        if not isinstance(rid, str) or not rid:
            raise BadRequest("InvalidBatch", f"requests[{n}].id must be a non-empty string")
        if not isinstance(workspace, str):
            raise BadRequest("InvalidBatch", f"requests[{n}].workspace must be a string")
        for key in ("body", "headers"):
            if item.get(key) is not None and not isinstance(item[key], dict):
                raise BadRequest("InvalidBatch", f"requests[{n}].{key} must be a JSON object")
        if rid in seen:
            raise BadRequest(
                "QueryValidationError", f"Request ids must be unique; '{rid}' is used more than once"
            )
        seen.add(rid)
    return items


async def _batch_answer(ctx: Context, request: Request, item: dict[str, Any]) -> Response:
    path, method = item.get("path", "/query"), item.get("method", "POST")
    if path != "/query" or not isinstance(method, str) or method.upper() not in ("GET", "POST"):
        return path_not_found()
    workspace_id = item["workspace"]
    denied, _ = _authorize(ctx, request, workspace_id)
    if denied is not None:
        return denied
    try:
        kql, timespan = query_fields(item.get("body") or {})
    except BadRequest as exc:
        return bad_argument(exc.code, exc.message)
    item_prefer = query_limits.prefer_of(item.get("headers"))
    prefer = parse_prefer([item_prefer] if item_prefer else [])
    limits = query_limits.QueryLimits.for_request(ctx, item_prefer)
    _, claims = _caller(ctx, request)
    return await query_limits.runner(ctx).run(
        limits, _run, ctx, workspace_id, kql, timespan, prefer, limits, principal=claims
    )


async def batch_endpoint(request: Request) -> Response:
    """``POST /v1/$batch``: each request answered as if sent alone, with its own ``headers``."""
    ctx: Context = request.app.state.ctx
    try:
        items = batch_items(orjson.loads(await request.body()))
    except orjson.JSONDecodeError:
        return bad_argument("InvalidJson", "The request body is not valid JSON")
    except BadRequest as exc:
        return bad_argument(exc.code, exc.message)
    responses = []
    for item in items:
        answer = await _batch_answer(ctx, request, item)
        responses.append(
            {
                "id": item["id"],
                "status": answer.status_code,
                "headers": {
                    "Content-Type": answer.headers["content-type"],
                    "x-ms-request-id": answer.headers["x-ms-request-id"],
                },
                "body": orjson.loads(answer.body),
            }
        )
    return _json({"responses": responses})


# Where the API is served: under /query (the discovery file's endpoints.query), and at the origin,
# where clients that put the API version on the host's root send it (@azure/monitor-query 1.x
# always; azure-monitor-query 2.x given an endpoint that ends in /v1).
ROOTS = ("/query/v1", "/v1")


def routes(ctx: Context) -> list[BaseRoute]:
    methods = ["GET", "POST", "PUT", "PATCH", "DELETE"]
    out: list[BaseRoute] = []
    for root in ROOTS:
        out += [
            Route(root + "/workspaces/{workspace}/query", query_endpoint, methods=["GET", "POST"]),
            Route(root + "/$batch", batch_endpoint, methods=["POST"]),
            Route(root + "/{rest:path}", resource_query_endpoint, methods=methods),
        ]
    return out
