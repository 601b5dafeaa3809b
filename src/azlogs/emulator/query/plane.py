"""``POST/GET {query}/v1/workspaces/{id}/query`` and ``POST {query}/v1/$batch`` in the service's shapes.

Authentication: a token for https://api.loganalytics.io (with or without the trailing slash).
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
from azlogs.emulator.context import Context
from azlogs.emulator.control.api import QUERY_ACTION, ControlPlane
from azlogs.emulator.identity.issuer import TokenRejected
from azlogs.emulator.query import limits as query_limits
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
from azlogs.kql import parse, run_query
from azlogs.kql._values import format_timespan

AUDIENCES = [
    "https://api.loganalytics.io",
    "https://api.loganalytics.io/",
    "https://api.loganalytics.azure.com",
]
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

    def __init__(self, store: Any, workspace_id: str) -> None:
        self.store = store
        self.workspace_id = workspace_id

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


def _authorize(ctx: Context, request: Request, workspace_id: str) -> tuple[Response | None, Any]:
    if not _GUID.match(workspace_id):
        return path_not_found(), None
    auth = request.headers.get("authorization")
    scheme, _, token = (auth or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return authorization_required(), None
    try:
        claims = ctx.issuer.validate(token.strip(), AUDIENCES)
    except TokenRejected as exc:
        if exc.code == "InvalidAudience":
            return _error(
                403,
                "InvalidAuthenticationTokenAudience",
                "The access token has been obtained from wrong audience or resource. It should exactly match "
                "(including forward slash) with one of the allowed audiences 'https://api.loganalytics.io', "
                "'https://api.loganalytics.io/'.",
            ), None
        return _error(403, "InvalidAuthenticationToken", f"The access token is invalid. {exc.message}"), None
    control: ControlPlane = ctx.extensions["control"]
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
    workspace_id: str,
    kql: str,
    timespan: str | None,
    limits: query_limits.QueryLimits | None = None,
) -> Response:
    limits = limits or query_limits.QueryLimits.for_request(ctx, None)
    now = dt.datetime.now(dt.timezone.utc)
    try:
        span = parse_timespan(timespan, now)
    except ValueError as exc:
        return bad_argument("InvalidTimespan", str(exc))
    try:
        parse(kql)
    except KqlError as exc:
        return syntax_error(exc, kql)
    provider = StoreProvider(ctx.extensions["store"], workspace_id)
    try:
        result = run_query(
            kql,
            provider,
            timespan=span,
            clock=lambda: now,
            budget=limits.budget(),
            max_records=limits.max_records,
            max_bytes=limits.max_bytes,
        )
    except KqlTimeoutError:
        return limits.gateway_timeout()
    except KqlLimitError as exc:
        return limits.runaway(exc)
    except KqlError as exc:
        return semantic_error(exc, kql)
    tables = []
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
    limits = query_limits.QueryLimits.for_request(ctx, request.headers.get("prefer"))
    try:
        kql, timespan = await _query_body(request)
    except BadRequest as exc:
        return bad_argument(exc.code, exc.message)
    return await query_limits.runner(ctx).run(limits, _run, ctx, workspace_id, kql, timespan, limits)


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
    limits = query_limits.QueryLimits.for_request(ctx, query_limits.prefer_of(item.get("headers")))
    return await query_limits.runner(ctx).run(limits, _run, ctx, workspace_id, kql, timespan, limits)


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


async def unknown_path(request: Request) -> Response:
    """Any other path under the API's root: the service's JSON 404, not a plain-text one."""
    return path_not_found()


def routes(ctx: Context) -> list[BaseRoute]:
    methods = ["GET", "POST", "PUT", "PATCH", "DELETE"]
    return [
        Route("/query/v1/workspaces/{workspace}/query", query_endpoint, methods=["GET", "POST"]),
        Route("/query/v1/$batch", batch_endpoint, methods=["POST"]),
        Route("/query/v1/{rest:path}", unknown_path, methods=methods),
    ]
