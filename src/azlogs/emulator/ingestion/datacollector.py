"""The HTTP Data Collector API endpoint (retired 2026-09-14), as it worked, for legacy senders and migrations.

``POST {data_collector}/api/logs?api-version=2016-04-01`` where ``{data_collector}`` is
``https://127.0.0.1:PORT/ods/{workspaceId}`` (``endpoints.data_collector`` in emulator.json; Azure's host is
``{workspaceId}.ods.opinsights.azure.com``). Also by host, as Azure has it, for clients that build the URL
from a domain: ``https://{workspaceId}.ods.localhost:PORT/api/logs`` (the certificate covers
``*.ods.localhost``; RFC 6761 names under ``localhost`` are loopback, which curl and systemd-resolved honour
and glibc's resolver does not). ``--data-collector-api`` (Settings.data_collector_api) chooses what the
endpoint answers: ``supported`` and ``retired`` ingest (Learn, custom-logs-migrate, 2026: support ended on
2026-09-14 "although ingestion continues to function" for TLS 1.2+ clients; the emulator's TLS is 1.2+),
``off`` answers 404 with no body, a guess at the endpoint gone (see docs/differences.md). Checks in this order: api-version, workspace id, content type,
``Log-Type``, ``x-ms-date``, the SharedKey signature against the workspace's keys (control/sharedkeys.py),
body size and JSON. A good post types its records with :mod:`azlogs.schema.datacollector`, creates or
extends the classic table ``{LogType}_CL`` in the control plane (``tableSubType: Classic``) and commits the
rows to the workspace store before answering 200. Errors are ``{"Error": code, "Message": text}``, the
API's shape, owned by :mod:`azlogs.schema.datacollector` (the agent's bridge answers the same).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from typing import Any, Final

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from azlogs.emulator.context import Context
from azlogs.emulator.control import ids, sharedkeys
from azlogs.emulator.control.classic import CLASSIC, is_classic
from azlogs.emulator.control.state import ArmState
from azlogs.emulator.control.workspaces import table_doc
from azlogs.emulator.store.columns import encoder, to_ticks
from azlogs.emulator.store.registry import WorkspaceRef
from azlogs.emulator.store.workspace_store import TableWrite, WorkspaceStore
from azlogs.facts import DATA_COLLECTOR_BODY_MAX
from azlogs.schema import datacollector as dc
from azlogs.schema.model import Column, TableSchema
from azlogs.schema.names import TIME_GENERATED
from azlogs.schema.types import ColumnType

HOST_SUFFIX: Final = ".ods.localhost"
HOST_NAMES: Final = "*" + HOST_SUFFIX  # the certificate's name for the host-named endpoint
_LOCK: Final = threading.Lock()  # one schema change at a time: two posts must not add a column twice


def _response(exc: dc.Refusal) -> Response:
    return Response(exc.body(), exc.status, media_type="application/json")


async def _read_body(request: Request) -> bytes:
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > DATA_COLLECTOR_BODY_MAX:
            raise dc.too_large()
        chunks.append(chunk)
    return b"".join(chunks)


async def post_logs(request: Request) -> Response:
    """Serve ``POST /ods/{workspaceId}/api/logs``."""
    return await _post(request, request.path_params["workspace_id"])


async def post_logs_by_host(request: Request) -> Response:
    """Serve ``POST https://{workspaceId}.ods.localhost:PORT/api/logs`` (the workspace named by the host)."""
    host = (request.url.hostname or "").lower()
    if not host.endswith(HOST_SUFFIX):
        return Response(status_code=404)  # another host: Azure's "the provided URL is incorrect"
    return await _post(request, host.removesuffix(HOST_SUFFIX))


async def _post(request: Request, workspace_id: str) -> Response:
    ctx: Context = request.app.state.ctx
    if getattr(getattr(ctx, "settings", None), "data_collector_api", "supported") == "off":
        return Response(status_code=404)
    try:
        log_type, given = dc.check_headers(
            request.query_params.get("api-version"), workspace_id, request.headers
        )
        now = datetime.now(timezone.utc)
        date = dc.check_date(request.headers.get("x-ms-date"), now)
        state = getattr(ctx, "control", None)
        store: WorkspaceStore | None = getattr(ctx, "store", None)
        if not isinstance(state, ArmState) or store is None:
            raise dc.Refusal(503, "ServiceUnavailable", "The emulator's planes are not running.")
        ws = state.workspace_by_customer_id(workspace_id)
        # Made and persisted on first use (an fsync): off the event loop.
        keys = await run_in_threadpool(sharedkeys.keys_of, state, ws.resource_id) if ws is not None else None
        if ws is None or keys is None:
            raise dc.unknown_workspace(workspace_id)
        raw = await _read_body(request)
        if not dc.signature_matches(given, keys.values(), len(raw), date):
            raise dc.bad_signature()
        records = dc.parse_records(raw)
        field = request.headers.get("time-generated-field") or None
        # Learn: the resource the data is associated with, for resource-context queries (_ResourceId).
        resource_id = request.headers.get("x-ms-azureresourceid") or ""
        await run_in_threadpool(
            land, state, store, ws.resource_id, log_type, records, field, now, resource_id
        )
    except dc.Refusal as exc:
        return _response(exc)
    return Response(status_code=200)


def land(
    state: ArmState,
    store: WorkspaceStore,
    workspace_rid: str,
    log_type: str,
    records: Sequence[Mapping[str, Any]],
    time_generated_field: str | None,
    received: datetime,
    resource_id: str = "",
) -> TableSchema:
    """Create or extend ``{LogType}_CL`` and commit the records (``_ResourceId`` = ``resource_id``);
    answers the table's schema."""
    with _LOCK:
        table_id = f"{workspace_rid}/tables/{dc.table_name(log_type)}"
        doc = state.get(table_id)
        old = state.table_schema(table_id) if doc is not None else None
        extend = doc is None or is_classic(doc)
        existing = [c for c in old.columns if c.name != TIME_GENERATED] if old is not None else []
        try:
            batch = dc.type_records(
                records, existing, received, time_generated_field=time_generated_field, extend=extend
            )
        except dc.PayloadError as exc:
            raise dc.bad_data(str(exc)) from exc
        schema = old
        if schema is None or batch.new_columns:
            name = doc["name"] if doc is not None else dc.table_name(log_type)
            schema = TableSchema(
                name, (Column(TIME_GENERATED, ColumnType.DATETIME), *existing, *batch.new_columns)
            )
            _put_classic(state, doc["id"] if doc is not None else table_id, workspace_rid, schema)
        ws = state.workspace_by_resource_id(workspace_rid)
        assert ws is not None
        columns = tuple(c.name for c in schema.columns)
        encoders = [encoder(c.type) for c in schema.columns]
        rows = []
        for values, when in zip(batch.rows, batch.time_generated, strict=True):
            values[TIME_GENERATED] = when
            row = []
            for name, enc in zip(columns, encoders, strict=True):
                v = values.get(name)
                row.append(enc(v) if enc is not None and v is not None else v)
            rows.append(row)
        ref = WorkspaceRef(ws.customer_id, ws.resource_id)
        store.write([TableWrite(ref, schema, columns, rows, to_ticks(received), resource_id=resource_id)])
        return schema


def _put_classic(state: ArmState, table_id: str, workspace_rid: str, schema: TableSchema) -> None:
    with state.transaction():
        workspace = state.get(workspace_rid)
        assert workspace is not None and workspace["type"] == ids.WORKSPACES
        doc = table_doc(table_id, schema, workspace)
        # Learn's custom-logs-migrate: tables the API made are "Custom table (classic)".
        doc["properties"]["schema"]["tableSubType"] = CLASSIC
        state.put(doc, schema)


def plane(ctx: Context) -> list[BaseRoute]:
    """The Data Collector API's route (registered in ``server.HTTPS_PLANES`` after the ingestion plane)."""
    return [
        Route("/ods/{workspace_id}/api/logs", post_logs, methods=["POST"]),
        Route("/api/logs", post_logs_by_host, methods=["POST"]),
    ]
