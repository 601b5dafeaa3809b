"""The portal's JSON API (``/portal/api/...``): read-only views of what the emulator holds.

Every view reads the planes in-process (ARM state, the workspace store, the request log) and shows
only what a reader of the Azure portal may see: principal ids, client ids, resource ids, schemas,
rows and counts. No view renders a credential: an identity's ``client_secret``, the workspace's shared
keys, the admin key and every token stay out (tests/e2e/test_portal.py scans every answer for them).

* ``GET  overview``  identities and their roles, tables, DCEs, DCRs (streams, transformKql, role
  assignments) and ingestion per DCR over the last minutes (the DCR metrics the ingestion plane counts);
* ``GET  schema``    the workspace's tables and columns, for the editor's completion;
* ``POST query``     ``{"query", "timespan"}`` run as the query API runs it, with its ``render`` info;
* ``GET  dropped``   the ingestion diagnostics grouped by DCR and reason, each with a sample and the fix;
* ``GET  requests``  the newest request-log entries (``?after=<seq>`` for the new ones only).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, Final

import anyio.to_thread
import orjson
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from azlogs.emulator.context import Context
from azlogs.emulator.control import ids, roles
from azlogs.emulator.control.state import ArmState
from azlogs.emulator.ingestion.admin import MAX_DIAGNOSTICS
from azlogs.emulator.portal.recent import RecentRequests
from azlogs.emulator.query import limits as query_limits
from azlogs.emulator.query.plane import StoreProvider
from azlogs.emulator.query.plane import _run as run_query  # the query API's own runner
from azlogs.emulator.query.prefer import Prefer
from azlogs.emulator.store import diagnostics as kinds
from azlogs.schema import coerce

Handler = Callable[[Request], Awaitable[Response]]

# How far back the Overview's ingestion counts reach, in minutes (the metrics' own grain).
INGESTION_MINUTES: Final = 15
MAX_BODY: Final = 64 * 1024

# What a user does about each kind of diagnostic (the "fix" column of the Dropped page).
FIXES: Final[dict[str, str]] = {
    coerce.DROPPED_UNDECLARED: "Declare the column in the DCR's streamDeclarations (and in the table), "
    "or stop sending it: Azure drops undeclared columns without a word.",
    coerce.COERCED: "Send values of the declared type, or declare the column with the type you send.",
    coerce.COERCION_FAILED: "The value cannot be read as the declared type and was stored empty: fix the "
    "sender, or declare the column as string or dynamic.",
    coerce.TRUNCATED: "The value was over the column's size limit and was cut: send less, or split it.",
    coerce.TIME_CLAMPED: "TimeGenerated was more than 2 days old or 1 day ahead and was replaced by the "
    "time received: send the event's real time, in UTC, and send it sooner.",
    coerce.TIME_FILLED: "TimeGenerated was missing or not a datetime and was set to the time received: "
    "send it (ISO 8601), or set it in transformKql.",
    kinds.OBJECT_BODY: "Send a JSON array of records, not a single object: Azure answers 204 and stores nothing.",
    kinds.NOT_AN_OBJECT: "Every element of the array must be a JSON object.",
    kinds.DROPPED_NOT_IN_TABLE: "Add the column to the output table, or project it away in transformKql.",
    kinds.TYPE_MISMATCH: "Make the transformation's output type match the table column (todatetime(), "
    "toint(), tostring() ...), or change the table's column.",
    kinds.TABLE_MISSING: "Create the data flow's output table (PUT .../tables/<name>), or fix outputStream.",
    kinds.WORKSPACE_MISSING: "The DCR's destination workspace does not exist: fix destinations.",
    kinds.TRANSFORM_ERROR: "transformKql failed for the record: test it with `azlogs transform test`.",
    kinds.CONTENT_TYPE: "Send Content-Type: application/json.",
    kinds.REFUSED: "The request was refused: its status and reason say why (azlogs doctor helps).",
}


def _ctx(request: Request) -> Context:
    ctx: Context = request.app.state.ctx
    return ctx


def _arm(ctx: Context) -> ArmState | None:
    control = ctx.control
    return control if isinstance(control, ArmState) else None


def _role_name(role_definition_id: str) -> str:
    role = roles.role(role_definition_id.rsplit("/", 1)[-1])
    return role.name if role is not None else role_definition_id.rsplit("/", 1)[-1]


def _assignments(arm: ArmState | None) -> list[dict[str, str]]:
    if arm is None:
        return []
    out = []
    for doc in arm.docs(ids.ROLE_ASSIGNMENTS):
        p = doc.get("properties", {})
        out.append(
            {
                "principalId": str(p.get("principalId", "")),
                "role": _role_name(str(p.get("roleDefinitionId", ""))),
                "scope": str(p.get("scope", "")),
            }
        )
    return out


def _within(scope: str, resource_id: str) -> bool:
    return resource_id.lower() == scope.lower() or resource_id.lower().startswith(scope.lower() + "/")


def _ingestion(ctx: Context, dcr_id: str, now: float) -> dict[str, Any]:
    """The DCR's counts over the last :data:`INGESTION_MINUTES` minutes, and per minute."""
    end = int(now // 60) + 1
    start = end - INGESTION_MINUTES
    minutes: dict[int, dict[str, float]] = {
        m: {"requests": 0, "records": 0, "bytes": 0, "4xx": 0, "5xx": 0, "throttled": 0}
        for m in range(start, end)
    }
    for minute, dims, total, count, _lo, _hi in ctx.store.metric_rows(
        dcr_id, "ApiCallReceived_Count", start, end
    ):
        code = str(orjson.loads(dims).get("ResponseCode", ""))
        slot = minutes[minute]
        slot["requests"] += count
        if code == "429":
            slot["throttled"] += count
        if code.startswith("4"):
            slot["4xx"] += count
        elif code.startswith("5"):
            slot["5xx"] += count
        del total
    for metric, key in (("RowsReceived_Count", "records"), ("BytesReceived_Count", "bytes")):
        for minute, _dims, total, _count, _lo, _hi in ctx.store.metric_rows(dcr_id, metric, start, end):
            minutes[minute][key] += total
    series = [{"minute": m * 60, **v} for m, v in sorted(minutes.items())]
    totals = {
        k: sum(s[k] for s in series) for k in ("requests", "records", "bytes", "4xx", "5xx", "throttled")
    }
    return {"minutes": INGESTION_MINUTES, "totals": totals, "series": series}


def _dcr(
    ctx: Context, arm: ArmState, doc: dict[str, Any], assignments: list[dict[str, str]], now: float
) -> dict[str, Any]:
    public = arm.render(doc)
    p = public.get("properties", {})
    flows = [
        {
            "streams": list(f.get("streams", [])),
            "destinations": list(f.get("destinations", [])),
            "outputStream": f.get("outputStream", ""),
            "transformKql": f.get("transformKql", ""),
        }
        for f in p.get("dataFlows", [])
    ]
    return {
        "id": public["id"],
        "name": public.get("name", ""),
        "kind": public.get("kind"),
        "immutableId": p.get("immutableId", ""),
        "dataCollectionEndpointId": p.get("dataCollectionEndpointId"),
        "logsIngestion": (p.get("endpoints") or {}).get("logsIngestion"),
        "streams": {
            name: [{"name": c.get("name"), "type": c.get("type")} for c in decl.get("columns", [])]
            for name, decl in (p.get("streamDeclarations") or {}).items()
        },
        "dataFlows": flows,
        "roleAssignments": [a for a in assignments if _within(a["scope"], public["id"])],
        "ingestion": _ingestion(ctx, public["id"], now),
    }


def _tables(ctx: Context) -> list[dict[str, Any]]:
    ws = ctx.tenant.workspace_id
    out = []
    for table in sorted(ctx.store.tables(ws), key=lambda t: t.name.lower()):
        out.append(
            {
                "name": table.name,
                "columns": [{"name": n, "type": t.kql_name} for n, t in table.output_columns()],
                "rows": ctx.store.count(ws, table.name),
            }
        )
    return out


def overview_data(ctx: Context) -> dict[str, Any]:
    """What the Overview page shows (plain data: no credential in it)."""
    arm = _arm(ctx)
    now = time.time()
    assignments = _assignments(arm)
    t = ctx.tenant
    admin = t.admin
    identities = [
        {
            "name": "admin",
            "kind": "service-principal",
            "host": "none",
            "principalId": admin.principal_id,
            "clientId": admin.client_id,
            "resourceId": "",
            "roles": [{"role": "Owner", "scope": f"/subscriptions/{t.subscription_id}"}],
        }
    ]
    for ident in t.identities:
        pub = ident.public()
        identities.append(
            {
                "name": pub.name,
                "kind": pub.kind,
                "host": pub.host,
                "principalId": pub.principal_id,
                "clientId": pub.client_id,
                "resourceId": pub.resource_id,
                "roles": [
                    {"role": a["role"], "scope": a["scope"]}
                    for a in assignments
                    if a["principalId"].lower() == pub.principal_id.lower()
                ],
            }
        )
    dces = []
    dcrs = []
    if arm is not None:
        for doc in arm.docs(ids.DCES):
            public = arm.render(doc)
            dces.append(
                {
                    "id": public["id"],
                    "name": public.get("name", ""),
                    "logsIngestion": public.get("properties", {}).get("logsIngestion", {}).get("endpoint"),
                }
            )
        dcrs = [_dcr(ctx, arm, doc, assignments, now) for doc in arm.docs(ids.DCRS)]
    return {
        "tenantId": t.tenant_id,
        "subscriptionId": t.subscription_id,
        "workspace": {"id": t.workspace_id, "name": t.workspace_name, "resourceId": t.workspace_resource_id},
        "identities": identities,
        "tables": _tables(ctx),
        "dces": sorted(dces, key=lambda d: str(d["name"]).lower()),
        "dcrs": sorted(dcrs, key=lambda d: str(d["name"]).lower()),
        "time": now,
    }


def schema_data(ctx: Context) -> dict[str, Any]:
    """The workspace's tables and columns as the query engine sees them."""
    provider = StoreProvider(ctx.store, ctx.tenant.workspace_id)
    tables = []
    for name in sorted(provider.table_names(), key=str.lower):
        columns = provider.table_columns(name) or []
        tables.append({"name": name, "columns": [{"name": n, "type": t} for n, t in columns]})
    return {"tables": tables}


def _group_key(entry: kinds.Diagnostic) -> tuple[str, str, str, str]:
    return (entry.dcr.lower(), entry.kind, entry.column_name, entry.table_name)


def dropped_data(ctx: Context, entries: Iterable[kinds.Diagnostic]) -> dict[str, Any]:
    """The diagnostics grouped by DCR, then by reason (kind, column, table), newest sample kept."""
    groups: dict[tuple[str, str, str, str], dict[str, Any]] = {}
    for e in entries:
        key = _group_key(e)
        g = groups.get(key)
        if g is None:
            g = groups[key] = {
                "kind": e.kind,
                "column": e.column_name,
                "table": e.table_name,
                "stream": e.stream,
                "records": 0,
                "requests": 0,
                "first": e.time,
            }
        g["records"] += e.count
        g["requests"] += 1
        g.update(
            last=e.time,
            reason=e.reason,
            sample=e.sample,
            status=e.status,
            clientRequestId=e.client_request_id,
            fix=FIXES.get(e.kind, ""),
        )
    by_dcr: dict[str, dict[str, Any]] = {}
    for (dcr, *_rest), g in groups.items():
        holder = by_dcr.get(dcr)
        if holder is None:
            record = ctx.control.dcr_by_immutable_id(dcr)
            holder = by_dcr[dcr] = {
                "immutableId": dcr,
                "name": record.name if record is not None else "",
                "id": record.resource_id if record is not None else "",
                "reasons": [],
            }
        holder["reasons"].append(g)
    for holder in by_dcr.values():
        holder["reasons"].sort(key=lambda g: (-g["records"], g["kind"], g["column"]))
    return {"dcrs": sorted(by_dcr.values(), key=lambda d: (d["name"] or d["immutableId"]).lower())}


# --- the routes' handlers ---------------------------------------------------------------------------


async def overview(request: Request) -> Response:
    ctx = _ctx(request)
    return JSONResponse(await anyio.to_thread.run_sync(overview_data, ctx))


async def schema(request: Request) -> Response:
    ctx = _ctx(request)
    return JSONResponse(await anyio.to_thread.run_sync(schema_data, ctx))


async def dropped(request: Request) -> Response:
    ctx = _ctx(request)

    def read() -> dict[str, Any]:
        return dropped_data(ctx, ctx.store.diagnostics(limit=MAX_DIAGNOSTICS))

    return JSONResponse(await anyio.to_thread.run_sync(read))


def requests(request: Request, recent: RecentRequests) -> Response:
    try:
        after = max(0, int(request.query_params.get("after") or 0))
        limit = min(max(1, int(request.query_params.get("limit") or 200)), 2000)
    except ValueError:
        return JSONResponse(
            {"error": {"code": "InvalidParameter", "message": "after and limit are integers"}}, 400
        )
    return JSONResponse({"value": recent.newest(limit, after)})


async def query(request: Request) -> Response:
    """Run the posted KQL over the emulator's workspace, answered as the query API answers."""
    ctx = _ctx(request)
    raw = await request.body()
    try:
        body = orjson.loads(raw) if len(raw) <= MAX_BODY else None
    except orjson.JSONDecodeError:
        body = None
    kql = body.get("query") if isinstance(body, dict) else None
    timespan = body.get("timespan") if isinstance(body, dict) else None
    if not isinstance(kql, str) or not kql.strip() or not (timespan is None or isinstance(timespan, str)):
        return JSONResponse(
            {"error": {"code": "BadArgumentError", "message": 'post {"query": "<KQL>", "timespan": "PT1H"}'}},
            400,
        )
    prefer = Prefer({"include-render": "true", "include-statistics": "true"})
    limits = query_limits.QueryLimits.for_request(ctx, None)
    response: Response = await query_limits.runner(ctx).run(
        limits, run_query, ctx, ctx.tenant.workspace_id, kql, timespan or None, prefer, limits
    )
    return response
