"""The emulator's own read endpoints for the data plane (HTTPS listener, under ``/_emulator``).

* ``GET /_emulator/diagnostics?dcr=&stream=&limit=&after=``: the diagnostics feed, oldest first,
  as ``{"value": [...], "last": <newest id in the feed>}``; ``after`` (an entry id) returns only
  newer entries: a follower asks again with ``after`` = the larger of ``last`` and the ids it saw.
* ``GET /_emulator/rows?table=&workspace=&limit=``: the last ``limit`` rows of a table (0: all) as
  JSON lines, oldest first; datetimes as Log Analytics renders them (7 fractional digits, ``Z``).
  ``workspace`` is a customer id; by default the emulator's workspace, or the only one with that table.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final

import anyio.to_thread
import orjson
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from azlogs.emulator.context import Context
from azlogs.emulator.store.columns import format_ticks, to_ticks
from azlogs.emulator.store.workspace_store import WorkspaceStore

MAX_DIAGNOSTICS: Final = 10_000


def _error(status: int, code: str, message: str) -> Response:
    return JSONResponse(
        {"error": {"code": code, "message": message}}, status, headers={"x-ms-error-code": code}
    )


def _int_param(request: Request, name: str, default: int | None) -> int | None:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    value = int(raw)  # ValueError is answered 400 by the caller
    if value < 0:
        raise ValueError(f"{name} must not be negative")
    return value


def _store(request: Request) -> WorkspaceStore:
    ctx: Context = request.app.state.ctx
    store: WorkspaceStore = ctx.store
    return store


async def diagnostics(request: Request) -> Response:
    try:
        limit = _int_param(request, "limit", 100)
        after = _int_param(request, "after", None)
    except ValueError as exc:
        return _error(400, "InvalidParameter", f"limit and after are non-negative integers: {exc}")
    store = _store(request)

    def read() -> tuple[int, list[Any]]:
        last = store.last_diagnostic_id()  # first: an entry added meanwhile is seen by the next call
        entries = store.diagnostics(
            dcr=request.query_params.get("dcr") or None,
            stream=request.query_params.get("stream") or None,
            limit=min(limit or 0, MAX_DIAGNOSTICS),
            after=after,
        )
        return last, entries

    last, entries = await anyio.to_thread.run_sync(read)
    return JSONResponse({"value": [e.to_json() for e in entries], "last": last})


def _default(value: Any) -> Any:
    if isinstance(value, datetime):
        return format_ticks(to_ticks(value))
    raise TypeError(type(value).__name__)


def render_rows(store: WorkspaceStore, workspace_id: str, table: str, limit: int) -> bytes | None:
    """The table's last ``limit`` rows (0: all) as JSON lines, oldest first; None for an unknown table."""
    result = store.scan(workspace_id, table, include_hidden=True, limit=limit or None, newest=True)
    if result is None:
        return None
    names = [n for n, _ in result.columns]
    opts = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_APPEND_NEWLINE
    return b"".join(
        orjson.dumps(dict(zip(names, row, strict=True)), default=_default, option=opts) for row in result.rows
    )


async def rows(request: Request) -> Response:
    ctx: Context = request.app.state.ctx
    store = _store(request)
    table = request.query_params.get("table", "")
    if not table:
        return _error(400, "InvalidParameter", "name the table: ?table=<name>")
    try:
        limit = _int_param(request, "limit", 100) or 0
    except ValueError as exc:
        return _error(400, "InvalidParameter", f"limit is a non-negative integer: {exc}")
    workspace = request.query_params.get("workspace")
    if not workspace:
        holders = [t.workspace_id for t in store.tables() if t.name.lower() == table.lower()]
        default = ctx.tenant.workspace_id.lower()
        workspace = default if default in holders or len(holders) != 1 else holders[0]
    body = await anyio.to_thread.run_sync(render_rows, store, workspace, table, limit)
    if body is None:
        return _error(
            404,
            "TableNotFound",
            f"The store has no table '{table}' in workspace {workspace} (a table appears when it is "
            "created through ARM or first written to).",
        )
    return Response(body, media_type="application/x-ndjson")


def admin_routes() -> list[BaseRoute]:
    """The data plane's ``/_emulator`` routes."""
    return [
        Route("/_emulator/diagnostics", diagnostics, methods=["GET"]),
        Route("/_emulator/rows", rows, methods=["GET"]),
    ]
