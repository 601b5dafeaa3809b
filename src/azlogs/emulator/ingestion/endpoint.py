"""The Logs Ingestion endpoint: ``POST {endpoint}/dataCollectionRules/{immutableId}/streams/{stream}``.

Served on a DCE's endpoint (``/dce/{path_key}``) and on a kind Direct DCR's own endpoint
(``/dcr/{path_key}``). Checks, in order (each refusal in the service's error shape, see errors.py):

1. ``api-version`` is one the service knows (400);
2. the endpoint exists (404);
3. a bearer token: RS256 signature by the tenant's key, issuer, audience the emulated cloud's Monitor
   audience (``https://monitor.azure.com`` in AzurePublic, ``.azure.us``, ``.azure.cn``)
   with or without ``/``, ``exp``/``nbf`` with 5 minutes of leeway (401);
4. the DCR immutable id exists (404 ``NotFound``, the service's text);
5. the token's principal holds ``Microsoft.Insights/Telemetry/Write`` on the DCR or a parent scope,
   and the DCR is bound to this endpoint (403 ``OperationFailed``, the documented message);
6. the stream is declared in the DCR (400 ``InvalidStream``, the service's text);
7. the DCR's request rate (429 + ``Retry-After``); the data flows can run (400 for a transformation
   the emulator cannot run);
8. the body: size (413), encoding (415/400), JSON (400), the DCR's byte rate (429);
9. coercion, transformation, mapping to the output tables, one committed transaction; then 204.

Every answer carries ``x-ms-request-id`` and echoes the client's ``x-ms-client-request-id``, as
the service's recorded answers do (the 204 and the errors alike).

Everything the service would do silently goes to the diagnostics feed, and so does every refusal.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from typing import Any, Final

import anyio.to_thread
import jwt
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from azlogs.emulator.context import Context
from azlogs.emulator.control.api import INGEST_DATA_ACTION, ChangeEvent, ControlPlane, DcrRecord
from azlogs.emulator.evaluation import Deadline
from azlogs.emulator.identity.issuer import TokenRejected
from azlogs.emulator.ingestion import body as bodies
from azlogs.emulator.ingestion import errors as E
from azlogs.emulator.ingestion import logerrors, metrics, pipeline
from azlogs.emulator.ingestion.plan import StreamPlan, TransformFactory, compile_plan, kql_transform_factory
from azlogs.emulator.ingestion.report import RequestReport
from azlogs.emulator.ingestion.throttle import Throttle
from azlogs.emulator.store import diagnostics as kinds
from azlogs.emulator.store.diagnostics import Diagnostic
from azlogs.emulator.store.metrics import MetricPoint
from azlogs.emulator.store.registry import WorkspaceRef
from azlogs.emulator.store.workspace_store import TableWrite, WorkspaceStore
from azlogs.otel import otlp
from azlogs.schema.builtin_tables import builtin_tables
from azlogs.schema.model import StreamDeclaration
from azlogs.schema.names import table_for_output_stream

log = logging.getLogger("azlogs.emulator.ingestion")

API_VERSIONS: Final = ("2021-11-01-preview", "2023-01-01", "2023-04-01-preview")


class IngestionService:
    """The data plane of the emulator: routes, checks, throttling, plans and writes.

    Args:
        ctx: the emulator context; the control plane is read from ``ctx.control``.
        store: the workspace store.
        transform_factory: compiles a non-trivial ``transformKql`` (the KQL engine by default).
    """

    def __init__(
        self,
        ctx: Context,
        store: WorkspaceStore,
        *,
        transform_factory: TransformFactory = kql_transform_factory,
    ) -> None:
        self.ctx = ctx
        self.store = store
        self.throttle = Throttle()
        self.transform_factory = transform_factory
        self._plans: dict[tuple[str, str], StreamPlan] = {}
        self._lock = threading.Lock()
        self._subscribed: object | None = None
        # One worker thread decodes, coerces and writes every request in turn. CPU-bound Python
        # threads only fight over the GIL: measured, one worker is faster than four, and it is also
        # the store's one writer thread.
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="azlogs-ingest")

    # --- wiring ---------------------------------------------------------------------------------------

    def routes(self) -> list[BaseRoute]:
        """The ingestion routes (the admin routes live in :mod:`.admin`)."""
        path = "/{path_key}/dataCollectionRules/{immutable_id}/streams/{stream}"
        return [
            Route("/dce" + path, self.ingest_dce, methods=["POST"]),
            Route("/dcr" + path, self.ingest_dcr, methods=["POST"]),
            Route("/dce" + path + "/otlp/v1/logs", self.otlp_dce, methods=["POST"]),
            Route("/dcr" + path + "/otlp/v1/logs", self.otlp_dcr, methods=["POST"]),
        ]

    def control(self) -> ControlPlane:
        """The control plane, subscribed to on first use."""
        control: ControlPlane | None = getattr(self.ctx, "control", None)
        if control is None:
            raise E.Refusal(
                503,
                E.CONTROL_PLANE_UNAVAILABLE,
                "The emulator's control plane is not running; no DCR is known.",
            )
        if self._subscribed is not control:
            with self._lock:
                if self._subscribed is not control:
                    control.subscribe(self.on_change)
                    self._subscribed = control
        return control

    def on_change(self, event: ChangeEvent) -> None:
        """Control-plane listener: forget cached plans; create or alter a table when it is put."""
        with self._lock:
            self._plans.clear()
        if event.kind != "table":
            return
        control = getattr(self.ctx, "control", None)
        cut = event.resource_id.lower().rfind("/tables/")  # ARM ids compare case-insensitively
        if control is None or cut < 0:
            return
        ws_rid, name = event.resource_id[:cut], event.resource_id[cut + len("/tables/") :]
        if event.action == "put":
            ws = control.workspace_by_resource_id(ws_rid)
            table = control.table(ws_rid, name)
            if ws is not None and table is not None:
                self.store.ensure_table(WorkspaceRef(ws.customer_id, ws.resource_id), table.schema)
        else:
            for stored in self.store.tables():
                if (
                    stored.workspace_resource_id.lower() == ws_rid.lower()
                    and stored.name.lower() == name.lower()
                ):
                    self.store.drop_table(stored.workspace_id, stored.name)

    def sync_tables(self) -> None:
        """Create or alter every table the control plane knows (at start)."""
        control = getattr(self.ctx, "control", None)
        if control is None:
            return
        self.control()
        for ws in control.workspaces():
            for table in control.tables(ws.resource_id):
                self.store.ensure_table(WorkspaceRef(ws.customer_id, ws.resource_id), table.schema)

    async def _on_worker(self, fn: Callable[[], object]) -> object:
        return await asyncio.get_running_loop().run_in_executor(self._worker, fn)

    def close(self) -> None:
        """Finish queued requests, stop the worker and close the store (idempotent)."""
        self._worker.shutdown(wait=True)
        self.store.close()

    async def close_async(self) -> None:
        """:meth:`close` from the event loop (the emulator calls this at shutdown)."""
        await anyio.to_thread.run_sync(self.close)

    # --- the endpoint ---------------------------------------------------------------------------------

    async def ingest_dce(self, request: Request) -> Response:
        return await self._ingest(request, "dce")

    async def ingest_dcr(self, request: Request) -> Response:
        return await self._ingest(request, "dcr")

    async def otlp_dce(self, request: Request) -> Response:
        return await self._ingest(request, "dce", otlp_logs=True)

    async def otlp_dcr(self, request: Request) -> Response:
        return await self._ingest(request, "dcr", otlp_logs=True)

    async def _ingest(self, request: Request, via: str, *, otlp_logs: bool = False) -> Response:
        received = datetime.now(timezone.utc)
        request_id = str(uuid.uuid4())
        params = request.path_params
        report = RequestReport(
            received.isoformat(),
            request_id,
            request.headers.get("x-ms-client-request-id", "")[:64],
            params["immutable_id"],
            params["stream"],
        )
        headers = {"x-ms-request-id": request_id}
        client_request_id = request.headers.get("x-ms-client-request-id")
        if client_request_id is not None:
            headers["x-ms-client-request-id"] = client_request_id[:64]
        try:
            if otlp_logs:
                return await self._handle_otlp(request, via, received, report, headers)
            await self._handle(request, via, received, report)
        except E.Refusal as refusal:
            return await self._refuse(refusal, report, headers)
        except ClientDisconnect:  # the client went away while sending: nobody to answer, nothing written
            log.info("ingestion request %s: the client disconnected before the body was complete", request_id)
            return Response(status_code=400, headers=headers)
        except Exception:
            log.exception("ingestion request %s failed", request_id)
            failure = E.Refusal(
                500, "InternalServerError", f"The emulator failed on request {request_id}; see its log."
            )
            return await self._refuse(failure, report, headers)
        return Response(status_code=204, headers=headers)

    async def _refuse(self, refusal: E.Refusal, report: RequestReport, headers: dict[str, str]) -> Response:
        report.status = refusal.status
        report.add(kinds.REFUSED, f"{refusal.status} {refusal.code}: {refusal.message}")
        try:
            control = getattr(self.ctx, "control", None)
            dcr = control.dcr_by_immutable_id(report.dcr) if control is not None else None
            entries = report.entries()
            received = datetime.fromisoformat(report.time)
            points = (
                []
                if dcr is None
                else metrics.request_points(dcr.resource_id, report.stream, refusal.status, received)
            )
            await self._on_worker(
                functools.partial(self.store.write, logerrors.writes(dcr, entries, received), entries, points)
            )
        except Exception:  # the answer matters more than the feed
            log.exception("cannot record diagnostics of request %s", report.request_id)
        response = E.refusal_response(
            refusal,
            request_id=report.request_id,
            authority=f"{self.ctx.urls.authority}/{self.ctx.tenant.tenant_id}",
        )
        response.headers.update(headers)
        return response

    def _admit(self, request: Request, via: str, report: RequestReport) -> tuple[ControlPlane, DcrRecord]:
        """Checks 2 to 5: the endpoint, the token, the DCR, RBAC and the DCR's binding."""
        control = self.control()
        path_key = request.path_params["path_key"]
        owner = self._endpoint_owner(control, via, path_key)
        claims = self._authenticate(request)
        dcr = control.dcr_by_immutable_id(report.dcr)
        if dcr is None:
            # The service's text (recorded): the fix advice belongs in the client's diagnosis.
            raise E.Refusal(
                404, E.DCR_NOT_FOUND, f"Data collection rule with immutable Id '{report.dcr}' not found."
            )
        self._authorize(control, claims, dcr, via, path_key, owner)
        return control, dcr

    async def _handle(self, request: Request, via: str, received: datetime, report: RequestReport) -> None:
        _check_api_version(request)
        control, dcr = self._admit(request, via, report)
        stream = dcr.rule.stream(report.stream)
        if stream is None:
            # The service's text (recorded): the stream as sent in the path, still percent-encoded.
            raise E.Refusal(
                400,
                E.STREAM_NOT_FOUND,
                f"The stream {_raw_stream(request, report.stream)} was not configured in the data collection "
                f"rule with immutable Id {report.dcr}.",
            )
        limits = self.ctx.settings.limits
        wait = self.throttle.admit_request(dcr.immutable_id, limits.requests_per_minute)
        if wait is not None:
            raise _throttled(dcr, wait, f"{limits.requests_per_minute} requests per minute")
        plan = self._cached_plan(dcr, report.stream)
        if plan is None:  # compiling is KQL work too: off the event loop
            compiled = await self._on_worker(functools.partial(self._plan, control, dcr, report.stream))
            assert isinstance(compiled, StreamPlan)
            plan = compiled
        content_type = request.headers.get("content-type", "")
        if content_type.split(";")[0].strip().lower() != "application/json":
            report.add(
                kinds.CONTENT_TYPE,
                f"Content-Type is '{content_type}', not application/json (the service requires it); accepted",
            )
        wire = await bodies.read_wire_body(
            request.stream(), request.headers.get("content-length"), limits.max_body_bytes
        )
        encoding = request.headers.get("content-encoding")
        await self._on_worker(functools.partial(self._process, plan, wire, encoding, received, report))

    async def _handle_otlp(
        self, request: Request, via: str, received: datetime, report: RequestReport, headers: dict[str, str]
    ) -> Response:
        """``POST .../streams/Microsoft-OTLP-Logs/otlp/v1/logs``: an OTLP/HTTP logs export into the DCR.

        The same checks as the Logs Ingestion API but the api-version (the documented URL has none);
        the DCR must have a data flow reading ``Microsoft-OTel-Logs``. Answers 200 with an empty
        ``ExportLogsServiceResponse`` in the request's encoding.
        """
        control, dcr = self._admit(request, via, report)
        if report.stream not in otlp.URL_STREAMS or not dcr.rule.flows_for_stream(otlp.DCR_STREAM):
            raise E.Refusal(
                400,
                E.STREAM_NOT_FOUND,
                f"The stream {report.stream} was not configured in the data collection rule with immutable "
                f"Id {report.dcr}: OTLP logs go to stream {'/'.join(otlp.URL_STREAMS)}, and the DCR needs a "
                f"data flow reading {otlp.DCR_STREAM} (with directDataSources.otelLogs).",
            )
        report.stream = otlp.DCR_STREAM
        limits = self.ctx.settings.limits
        wait = self.throttle.admit_request(dcr.immutable_id, limits.requests_per_minute)
        if wait is not None:
            raise _throttled(dcr, wait, f"{limits.requests_per_minute} requests per minute")
        plan = self._cached_plan(dcr, otlp.DCR_STREAM)
        if plan is None:
            compiled = await self._on_worker(functools.partial(self._plan, control, dcr, otlp.DCR_STREAM))
            assert isinstance(compiled, StreamPlan)
            plan = compiled
        content_type = request.headers.get("content-type", "")
        media = content_type.split(";")[0].strip().lower()
        if media not in (otlp.PROTOBUF, otlp.JSON):
            raise E.Refusal(
                415,
                "UnsupportedMediaType",
                f"Content-Type '{content_type}' is not OTLP/HTTP: send {otlp.PROTOBUF} (or {otlp.JSON}).",
            )
        wire = await bodies.read_wire_body(
            request.stream(), request.headers.get("content-length"), limits.max_body_bytes
        )
        encoding = request.headers.get("content-encoding")
        await self._on_worker(
            functools.partial(self._process_otlp, plan, wire, encoding, media, received, report)
        )
        body, answer_type = otlp.response(media)
        return Response(body, status_code=200, headers=headers, media_type=answer_type)

    def _process_otlp(
        self,
        plan: StreamPlan,
        wire: bytes,
        encoding: str | None,
        media: str,
        received: datetime,
        report: RequestReport,
    ) -> None:
        """Off the event loop: decompress, decode the OTLP body into rows, run the plan, commit."""
        limits = self.ctx.settings.limits
        raw = bodies.decompress(wire, encoding, limits.max_body_bytes)
        wait = self.throttle.admit_bytes(plan.dcr.immutable_id, len(raw), limits.bytes_per_minute)
        if wait is not None:
            raise _throttled(plan.dcr, wait, f"{limits.bytes_per_minute} bytes per minute")
        try:
            rows = otlp.decode(raw, media)
        except otlp.OtlpDecodeError as exc:
            raise E.Refusal(
                400, E.MALFORMED_JSON, f"The OTLP logs request body cannot be decoded: {exc}."
            ) from None
        deadline = Deadline.of(limits.transform_timeout_seconds, limits)
        received_rows = len(rows)
        writes = pipeline.run(plan, rows, received, report, deadline=deadline)
        entries = report.entries()
        points = _points(plan, 200, received, len(wire), received_rows, writes, entries)
        self.store.write([*writes, *logerrors.writes(plan.dcr, entries, received)], entries, points)

    def _process(
        self, plan: StreamPlan, wire: bytes, encoding: str | None, received: datetime, report: RequestReport
    ) -> None:
        """Off the event loop: decode, throttle on bytes, run the plan, commit. Raises Refusal."""
        limits = self.ctx.settings.limits
        raw = bodies.decompress(wire, encoding, limits.max_body_bytes)
        decoded = bodies.parse(raw, limits.max_body_bytes)
        wait = self.throttle.admit_bytes(
            plan.dcr.immutable_id, decoded.uncompressed_size, limits.bytes_per_minute
        )
        if wait is not None:
            raise _throttled(plan.dcr, wait, f"{limits.bytes_per_minute} bytes per minute")
        # The deadline starts when the worker takes the request: time queued behind others is not
        # the transformation's.
        deadline = Deadline.of(limits.transform_timeout_seconds, limits)
        received_rows = len(decoded.value) if isinstance(decoded.value, list) else 0
        writes = pipeline.run(plan, decoded.value, received, report, deadline=deadline)
        del decoded
        entries = report.entries()
        points = _points(plan, 204, received, len(wire), received_rows, writes, entries)
        self.store.write([*writes, *logerrors.writes(plan.dcr, entries, received)], entries, points)

    def _cached_plan(self, dcr: DcrRecord, stream: str) -> StreamPlan | None:
        plan = self._plans.get((dcr.immutable_id, stream))
        return plan if plan is not None and plan.dcr is dcr else None

    def _plan(self, control: ControlPlane, dcr: DcrRecord, stream: str) -> StreamPlan:
        """The stream's plan, compiled if needed (on the worker: under the transformation budget)."""
        key = (dcr.immutable_id, stream)
        plan = self._cached_plan(dcr, stream)
        if plan is not None:
            return plan
        stream_decl = dcr.rule.stream(stream) or _builtin_stream(stream)
        assert stream_decl is not None
        limits = self.ctx.settings.limits
        # Compiling folds constant expressions (a let function called with constants runs then).
        with Deadline.of(limits.transform_timeout_seconds, limits).budget().active():
            plan = compile_plan(
                dcr,
                stream_decl,
                control,
                field_limit=limits.field_max_bytes,
                transform_factory=self.transform_factory,
            )
        with self._lock:
            self._plans[key] = plan
        return plan

    # --- checks ---------------------------------------------------------------------------------------

    @staticmethod
    def _endpoint_owner(control: ControlPlane, via: str, path_key: str) -> DcrRecord | None:
        """For /dcr: the Direct DCR owning the endpoint. Raises 404 for an endpoint that does not exist."""
        if via == "dce":
            if control.dce_by_path_key(path_key) is None:
                raise E.Refusal(
                    404,
                    E.ENDPOINT_NOT_FOUND,
                    f"No data collection endpoint has the logs ingestion path '/dce/{path_key}'.",
                )
            return None
        owner = control.dcr_by_direct_path_key(path_key)
        if owner is None:
            raise E.Refusal(
                404,
                E.ENDPOINT_NOT_FOUND,
                f"No data collection rule of kind Direct has the logs ingestion path '/dcr/{path_key}'.",
            )
        return owner

    def _authenticate(self, request: Request) -> dict[str, Any]:
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            what = "missing" if not header else "not a Bearer token"
            raise E.Refusal(
                401,
                E.AUTHENTICATION_FAILED,
                f"Authentication failed. The 'Authorization' header is {what}; send "
                f"'Authorization: Bearer <access token for {self.ctx.settings.cloud.monitor_audience}>'.",
            )
        try:
            return self.ctx.issuer.validate(token, self.ctx.settings.cloud.monitor_audiences)
        except TokenRejected as exc:
            message = exc.message
            if exc.code == "InvalidAudience":
                aud = _unverified_claim(token, "aud")
                message += (
                    f" The token's audience is {aud!r}; request a token for "
                    f"{self.ctx.settings.cloud.monitor_audience}."
                )
            elif exc.code == "ExpiredAuthenticationToken":
                message += " Get a new token (credentials refresh it before it expires)."
            raise E.Refusal(401, exc.code, message, challenge=exc.message) from exc

    def _authorize(
        self,
        control: ControlPlane,
        claims: dict[str, Any],
        dcr: DcrRecord,
        via: str,
        path_key: str,
        owner: DcrRecord | None,
    ) -> None:
        oid = str(claims.get("oid", ""))
        tid = str(claims.get("tid", self.ctx.tenant.tenant_id))
        rbac = control.has_permission(oid, dcr.resource_id, INGEST_DATA_ACTION)
        if via == "dce":
            bound = dcr.dce is not None and dcr.dce.path_key.lower() == path_key.lower()
        else:
            bound = owner is not None and owner.immutable_id.lower() == dcr.immutable_id.lower()
        if rbac and bound:
            return
        if not rbac:
            binding = ""  # the service leaves it empty when RBAC already failed
            detail = (
                f"Required authorization action was not found for tenantId {tid} objectId {oid} "
                f"on resourceId {dcr.resource_id}"
            )
        else:
            binding = "False"
            where = f"/{via}/{path_key}"
            # [U] no recording shows this detail; it names the endpoint the DCR is bound to.
            if dcr.logs_ingestion_endpoint:
                bound_to = f"its own endpoint {dcr.logs_ingestion_endpoint}"
            elif dcr.dce is not None:
                bound_to = f"the endpoint {dcr.dce.logs_ingestion_endpoint}"
            else:
                bound_to = "no endpoint"
            detail = (
                f"The data collection rule is not associated with the logs ingestion endpoint {where}; "
                f"it is associated with {bound_to}"
            )
        # The service's text (TROUBLESHOOTING guides of the SDKs); the fix belongs in the client's diagnosis.
        raise E.Refusal(
            403,
            E.OPERATION_FAILED,
            "The authentication token provided does not have access to ingest data for the data collection "
            f"rule with immutable Id '{dcr.immutable_id}' PipelineAccessResult: AccessGranted: False, "
            f"IsRbacPresent: {rbac}, IsDcrDceBindingValid: {binding}, DcrArmId: {dcr.resource_id}, "
            f"Message: {detail} ConfigurationId: {dcr.immutable_id}.",
        )


def _points(
    plan: StreamPlan,
    status: int,
    received: datetime,
    wire_bytes: int,
    received_rows: int,
    writes: list[TableWrite],
    entries: list[Diagnostic],
) -> list[MetricPoint]:
    """The DCR metric points of an accepted request (rows written: the largest write of one flow)."""
    written = max((len(w.rows) for w in writes), default=0)
    return metrics.request_points(
        plan.dcr.resource_id,
        plan.stream.name,
        status,
        received,
        wire_bytes=wire_bytes,
        rows_received=received_rows,
        rows_written=written,
        entries=entries,
    )


def _builtin_stream(stream: str) -> StreamDeclaration | None:
    """A Microsoft stream the DCR reads without declaring it: its columns are its standard table's."""
    table = table_for_output_stream(stream)
    schema = builtin_tables().get(table.lower()) if table else None
    return None if schema is None else StreamDeclaration(name=stream, columns=schema.columns)


def _check_api_version(request: Request) -> None:
    version = request.query_params.get("api-version")
    supported = ", ".join(API_VERSIONS)
    if not version:
        raise E.Refusal(
            400,
            E.MISSING_API_VERSION,
            f"The api-version query parameter (?api-version=) is required for all requests. Supported: {supported}.",
        )
    if version not in API_VERSIONS:
        raise E.Refusal(
            400,
            E.UNSUPPORTED_API_VERSION,
            f"The HTTP resource that matches the request URI '{request.url.path}' does not support the API "
            f"version '{version}'. Supported: {supported}.",
        )


def _raw_stream(request: Request, decoded: str) -> str:
    """The stream's path segment as the client sent it (the router hands it over percent-decoded)."""
    raw = request.scope.get("raw_path")
    if isinstance(raw, bytes):
        _, sep, tail = raw.partition(b"?")[0].rpartition(b"/streams/")
        if sep and b"/" not in tail:
            return tail.decode("latin-1")
    return decoded


def _throttled(dcr: DcrRecord, wait: int, limit: str) -> E.Refusal:
    return E.Refusal(
        429,
        E.TOO_MANY_REQUESTS,
        f"Data collection rule '{dcr.immutable_id}' is over its limit of {limit}. Retry after {wait} seconds.",
        retry_after=wait,
    )


def _unverified_claim(token: str, name: str) -> Any:
    try:
        return jwt.decode(token, options={"verify_signature": False}).get(name)
    except jwt.InvalidTokenError:
        return None
