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

import anyio
import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from azlogs._exceptions import KqlError
from azlogs.emulator.context import Context
from azlogs.emulator.control.api import QUERY_ACTION, ControlPlane
from azlogs.emulator.identity.issuer import TokenRejected
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


def _json(body: Any, status: int = 200) -> Response:
    return Response(orjson.dumps(body), status, media_type="application/json; charset=utf-8")


def _error(status: int, code: str, message: str, inner: dict[str, str] | None = None) -> Response:
    err: dict[str, Any] = {"message": message, "code": code, "correlationId": str(uuid.uuid4())}
    if inner:
        err["innererror"] = inner
    return _json({"error": err}, status)


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
        ValueError: the text is none of these.
    """
    if not text:
        return None
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
    value = value.astimezone(dt.timezone.utc)
    if value.microsecond:
        return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond:06d}0Z"
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


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
    auth = request.headers.get("authorization")
    if not auth:
        return _error(
            401, "AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing."
        ), None
    scheme, _, token = auth.partition(" ")
    if scheme.lower() != "bearer" or not token:
        return _error(
            401,
            "AuthenticationFailed",
            "Authentication failed. The 'Authorization' header is not a Bearer token.",
        ), None
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


def _run(ctx: Context, workspace_id: str, kql: str, timespan: str | None) -> Response:
    now = dt.datetime.now(dt.timezone.utc)
    try:
        span = parse_timespan(timespan, now)
    except ValueError as exc:
        return _error(
            400,
            "BadArgumentError",
            "The request had some invalid properties",
            {"code": "InvalidTimespan", "message": str(exc)},
        )
    try:
        parse(kql)
    except KqlError as exc:
        return _error(
            400,
            "BadArgumentError",
            "The request had some invalid properties",
            {"code": "SyntaxError", "message": exc.message},
        )
    provider = StoreProvider(ctx.extensions["store"], workspace_id)
    try:
        result = run_query(kql, provider, timespan=span, clock=lambda: now)
    except KqlError as exc:
        return _error(
            400,
            "BadArgumentError",
            "The request had some invalid properties",
            {"code": "SemanticError", "message": exc.message},
        )
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
    return _json({"tables": tables})


async def _query_body(request: Request) -> tuple[str | None, str | None, Response | None]:
    if request.method == "GET":
        return request.query_params.get("query"), request.query_params.get("timespan"), None
    try:
        body = orjson.loads(await request.body())
    except orjson.JSONDecodeError:
        return None, None, _error(400, "BadArgumentError", "The request body is not valid JSON")
    if not isinstance(body, dict):
        return None, None, _error(400, "BadArgumentError", "The request body must be a JSON object")
    timespan = body.get("timespan") or request.query_params.get("timespan")
    return body.get("query"), timespan, None


async def query_endpoint(request: Request) -> Response:
    ctx: Context = request.app.state.ctx
    workspace_id = request.path_params["workspace"]
    denied, _ = _authorize(ctx, request, workspace_id)
    if denied is not None:
        return denied
    kql, timespan, problem = await _query_body(request)
    if problem is not None:
        return problem
    if not kql:
        return _error(
            400,
            "BadArgumentError",
            "The request had some invalid properties",
            {"code": "MissingQuery", "message": "A query is required"},
        )
    return await anyio.to_thread.run_sync(_run, ctx, workspace_id, kql, timespan)


async def batch_endpoint(request: Request) -> Response:
    """``POST /v1/$batch``: each request answered as if sent alone."""
    ctx: Context = request.app.state.ctx
    try:
        body = orjson.loads(await request.body())
        requests = body["requests"]
    except (orjson.JSONDecodeError, KeyError, TypeError):
        return _error(400, "BadArgumentError", 'The batch body must be {"requests": [...]}')
    responses = []
    for item in requests:
        workspace_id = str(item.get("workspace", ""))
        denied, _ = _authorize(ctx, request, workspace_id)
        sub = item.get("body") or {}
        if denied is None:
            answer = await anyio.to_thread.run_sync(
                _run, ctx, workspace_id, str(sub.get("query", "")), sub.get("timespan")
            )
        else:
            answer = denied
        responses.append(
            {"id": item.get("id"), "status": answer.status_code, "body": orjson.loads(answer.body)}
        )
    return _json({"responses": responses})


def routes(ctx: Context) -> list[BaseRoute]:
    return [
        Route("/query/v1/workspaces/{workspace}/query", query_endpoint, methods=["GET", "POST"]),
        Route("/query/v1/$batch", batch_endpoint, methods=["POST"]),
    ]
