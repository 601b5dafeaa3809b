"""The Azure Monitor metrics data plane's batch API over the DCR metrics: ``metrics:getBatch``.

``POST {endpoints.metrics}/subscriptions/{sub}/metrics:getBatch?metricnamespace=&metricnames=&starttime=
&endtime=&interval=&aggregation=&filter=&api-version=`` with ``{"resourceids": [...]}``, as
azure-monitor-querymetrics' ``MetricsClient.query_resources`` sends it (in Azure a regional host,
``https://{region}.metrics.monitor.azure.com``). It answers ``{"values": [...]}``, one item per resource:
``starttime``, ``endtime``, ``interval``, ``value`` (the metrics, as the ARM metrics API has them),
``namespace``, ``resourceregion``, ``resourceid``. The same store and the same aggregation as the ARM
metrics API (:func:`azlogs.emulator.ingestion.metrics.query`) answer it.

Sources: Microsoft Learn, "How to migrate from the metrics API to the getBatch API" (the request, at most
50 resource ids of one subscription and one resource type, ``filter`` without the ``$``, errors wrapped
in ``{"error": ...}``, Monitoring Reader needed on the subscription itself); the recorded answers of
azure-monitor-querymetrics 1.0.0's tests (Azure/azure-sdk-assets, ``test_batch_metrics_filter``: api-version
2024-02-01, no ``cost`` nor ``errorCode``, a dimension fixed by the filter named in ``metadatavalues``);
the token audience, the azure-monitor-querymetrics README (``https://metrics.monitor.azure.com``).
What is guessed is marked [U] in docs/differences.md.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Final

import orjson
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from azlogs.emulator.context import Context
from azlogs.emulator.control.api import METRICS_READ_ACTION, ControlPlane, DcrRecord
from azlogs.emulator.identity.issuer import TokenRejected
from azlogs.emulator.ingestion import metrics

API_VERSIONS: Final = ("2023-03-01-preview", "2023-05-01-preview", "2023-10-01", "2024-02-01")
MAX_RESOURCES: Final = 50
_DCR_TYPE: Final = "/providers/microsoft.insights/datacollectionrules/"


class BatchError(Exception):
    """An answer other than 200: ``status``, ``code``, ``message`` (wrapped in ``{"error": ...}``)."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def _json(status: int, body: Any) -> Response:
    return Response(orjson.dumps(body), status, media_type="application/json; charset=utf-8")


def audiences(ctx: Context) -> list[str]:
    """Token audiences the metrics data plane takes: the emulated cloud's metrics audience."""
    return list(ctx.settings.cloud.metrics_audiences)


def _caller(ctx: Context, request: Request) -> str:
    """The validated token's ``oid``."""
    scheme, _, token = (request.headers.get("authorization") or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise BatchError(
            401, "AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing."
        )
    try:
        claims: dict[str, Any] = ctx.issuer.validate(token.strip(), audiences(ctx))
    except TokenRejected as exc:
        if exc.code == "InvalidAudience":
            aud = ctx.settings.cloud.metrics_resource
            raise BatchError(
                401,
                "InvalidAuthenticationTokenAudience",
                f"The access token has been obtained for the wrong audience or resource. It should be '{aud}'.",
            ) from None
        raise BatchError(
            401, "InvalidAuthenticationToken", f"The access token is invalid. {exc.message}"
        ) from None
    return str(claims.get("oid", ""))


def _resource_ids(raw: bytes, subscription: str) -> list[str]:
    """The body's ``resourceids``: 1 to 50 DCR ids of ``subscription``."""
    try:
        body = orjson.loads(raw) if raw else None
    except orjson.JSONDecodeError as exc:
        raise BatchError(400, "BadRequest", f"The request body is not valid JSON: {exc}") from None
    ids = body.get("resourceids") if isinstance(body, dict) else None
    if not isinstance(ids, list) or not ids or not all(isinstance(i, str) and i for i in ids):
        raise BatchError(
            400,
            "BadRequest",
            'The request body must be {"resourceids": [...]} with at least one resource id.',
        )
    if len(ids) > MAX_RESOURCES:
        raise BatchError(
            400,
            "BadRequest",
            f"At most {MAX_RESOURCES} resource ids may be given; the request has {len(ids)}.",
        )
    for rid in ids:
        low = rid.lower()
        if not low.startswith(f"/subscriptions/{subscription.lower()}/"):
            raise BatchError(
                400,
                "BadRequest",
                f"The resource id '{rid}' is not in the subscription '{subscription}' of the request URL.",
            )
        if _DCR_TYPE not in low:
            raise BatchError(
                400,
                "BadRequest",
                f"The resource id '{rid}' is not of the resource type {metrics.NAMESPACE}: all resources of a "
                "batch must be of the metric namespace's type (the emulator serves data collection rules).",
            )
    return [str(i) for i in ids]


def _params(request: Request) -> dict[str, str]:
    """The query string's parameters (names in lower case) checked and turned into the ARM API's."""
    q = {k.lower(): v for k, v in request.query_params.items()}
    version = q.get("api-version")
    if not version:
        raise BatchError(400, "BadRequest", "The api-version query parameter is required.")
    if version not in API_VERSIONS:
        raise BatchError(
            400,
            "BadRequest",
            f"The api-version '{version}' is not supported. Supported versions: {', '.join(API_VERSIONS)}.",
        )
    namespace = q.get("metricnamespace")
    if not namespace:
        raise BatchError(400, "BadRequest", "The metricnamespace query parameter is required.")
    if namespace.lower() != metrics.NAMESPACE.lower():
        raise BatchError(
            400,
            "BadRequest",
            f"The metric namespace '{namespace}' is not served: the emulator's batch API has {metrics.NAMESPACE}.",
        )
    if not q.get("metricnames"):
        raise BatchError(400, "BadRequest", "The metricnames query parameter is required.")
    out = {k: q[k] for k in ("metricnames", "interval", "aggregation") if q.get(k)}
    if q.get("filter"):
        out["$filter"] = q["filter"]
    start, end = q.get("starttime"), q.get("endtime")
    if q.get("timespan"):
        out["timespan"] = q["timespan"]
    elif start and end:
        out["timespan"] = f"{start}/{end}"
    elif start:
        out["timespan"] = f"{start}/{datetime.now(timezone.utc).isoformat()}"
    elif end:
        out["timespan"] = f"PT1H/{end}"
    return out


def answer(
    control: ControlPlane,
    rows_of: Any,
    subscription: str,
    resource_ids: list[str],
    params: dict[str, str],
    now: datetime,
) -> dict[str, Any]:
    """The batch answer: one item per resource, each the ARM metrics API's answer reshaped."""
    values = []
    for rid in resource_ids:
        dcr: DcrRecord | None = control.dcr_by_resource_id(rid)

        def rows(metric: str, start: int, end: int, _dcr: DcrRecord | None = dcr) -> Any:
            # A DCR that does not exist has no points: its series are empty, as for a resource of another region. [U]
            return rows_of(_dcr.resource_id, metric, start, end) if _dcr is not None else []

        try:
            one = metrics.query(rows, rid, dcr.location if dcr else "", params, now, split_fixed=True)
        except metrics.MetricsError as exc:
            raise BatchError(400, exc.code, exc.message) from None
        start, _, end = one["timespan"].partition("/")
        values.append(
            {
                "starttime": start,
                "endtime": end,
                "interval": one["interval"],
                "value": [{k: v for k, v in m.items() if k != "errorCode"} for m in one["value"]],
                "namespace": one["namespace"],
                "resourceregion": one["resourceregion"],
                "resourceid": rid,
            }
        )
    return {"values": values}


async def get_batch(request: Request) -> Response:
    """``POST /metrics/subscriptions/{subscription}/metrics:getBatch``."""
    ctx: Context = request.app.state.ctx
    subscription = request.path_params["subscription"]
    try:
        oid = _caller(ctx, request)
        params = _params(request)
        resource_ids = _resource_ids(await request.body(), subscription)
        control: ControlPlane = ctx.control
        scope = f"/subscriptions/{subscription}"
        # Monitoring Reader (or any role with the metrics read action) on the subscription itself:
        # roles on the resources alone are not enough for this subscription-level API (Learn).
        if not control.has_permission(oid, scope, METRICS_READ_ACTION):
            raise BatchError(
                401,
                "AuthorizationFailed",
                f"The client with object id '{oid}' does not have authorization to perform action "
                f"'{METRICS_READ_ACTION}' over scope '{scope}': the batch API needs Monitoring Reader "
                "(or Reader) on the subscription itself.",
            )
        store = getattr(ctx, "store", None)
        if store is None:
            raise BatchError(503, "ServiceUnavailable", metrics.STORE_DOWN)
        body = await run_in_threadpool(
            answer, control, store.metric_rows, subscription, resource_ids, params, datetime.now(timezone.utc)
        )
    except BatchError as exc:
        return _json(exc.status, {"error": {"code": exc.code, "message": exc.message}})
    return _json(200, body)


def routes(ctx: Context) -> list[BaseRoute]:
    """The metrics data plane's routes (registered in ``server.HTTPS_PLANES``), under ``/metrics``."""
    return [Route("/metrics/subscriptions/{subscription}/metrics:getBatch", get_batch, methods=["POST"])]
