"""Helpers for the ingestion and store unit tests: a small in-memory ControlPlane and an in-process app.

The real control plane is exercised by the integration tests; this fake implements the same
Protocol (azlogs.emulator.control.api) over ARM JSON read with the schema model, so the data plane's
unit tests run without ARM routes.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from starlette.applications import Starlette

from azlogs.emulator.config import Settings, default_tenant
from azlogs.emulator.context import Context, Urls
from azlogs.emulator.control.api import (
    INGEST_DATA_ACTION,
    ChangeEvent,
    DceRecord,
    DcrRecord,
    TableRecord,
    WorkspaceRecord,
)
from azlogs.emulator.faults import FaultRegistry
from azlogs.emulator.identity.issuer import Issuer, ServiceAccountIssuer, SigningKey, load_or_create_key
from azlogs.emulator.ingestion import plane
from azlogs.schema.model import DataCollectionRule, TableSchema

BASE = "https://127.0.0.1:9"
SUB = "00000000-0000-0000-0000-000000000001"
RG = f"/subscriptions/{SUB}/resourceGroups/rg"
WS_RID = f"{RG}/providers/Microsoft.OperationalInsights/workspaces/law"
WS_ID = "11111111-2222-3333-4444-555555555555"
APP_COLUMNS = [
    {"name": "TimeGenerated", "type": "datetime"},
    {"name": "Computer", "type": "string"},
    {"name": "Message", "type": "string"},
    {"name": "Code", "type": "int"},
    {"name": "Duration", "type": "real"},
    {"name": "Ok", "type": "boolean"},
    {"name": "Props", "type": "dynamic"},
]


def table_schema(name: str = "App_CL", columns: list[dict[str, str]] | None = None) -> TableSchema:
    cols = [
        dict(c, type="dateTime" if c["type"] == "datetime" else c["type"]) for c in columns or APP_COLUMNS
    ]
    return TableSchema.from_arm({"properties": {"schema": {"name": name, "columns": cols}}}, name=name)


def rule(
    stream: str = "Custom-App",
    table: str = "App_CL",
    columns: list[dict[str, str]] | None = None,
    transform: str | None = "source",
    *,
    kind: str | None = None,
    dce_id: str | None = None,
) -> DataCollectionRule:
    flow: dict[str, Any] = {"streams": [stream], "destinations": ["la"], "outputStream": f"Custom-{table}"}
    if transform is not None:
        flow["transformKql"] = transform
    body: dict[str, Any] = {
        "location": "eastus",
        "properties": {
            "streamDeclarations": {stream: {"columns": columns or APP_COLUMNS}},
            "destinations": {"logAnalytics": [{"name": "la", "workspaceResourceId": WS_RID}]},
            "dataFlows": [flow],
        },
    }
    if kind:
        body["kind"] = kind
    if dce_id:
        body["properties"]["dataCollectionEndpointId"] = dce_id
    return DataCollectionRule.from_arm(body)


class FakeControl:
    """The ControlPlane Protocol over dicts; grants are (principal, scope) pairs."""

    def __init__(self) -> None:
        self.workspace = WorkspaceRecord(WS_RID, "law", WS_ID, "eastus")
        self._tables: dict[str, TableRecord] = {}
        self.dces: dict[str, DceRecord] = {}
        self.dcrs: dict[str, DcrRecord] = {}
        self.grants: set[tuple[str, str]] = set()
        self.listeners: list[Callable[[ChangeEvent], None]] = []

    def add_table(self, schema: TableSchema) -> None:
        self._tables[schema.name.lower()] = TableRecord(self.workspace, schema)
        self._emit(ChangeEvent("table", "put", f"{WS_RID}/tables/{schema.name}"))

    def delete_table(self, name: str) -> None:
        del self._tables[name.lower()]
        self._emit(ChangeEvent("table", "delete", f"{WS_RID}/tables/{name}"))

    def add_dce(self, name: str = "dce") -> DceRecord:
        key = f"{name}-{uuid.uuid4().hex[:6]}"
        dce = DceRecord(
            f"{RG}/providers/Microsoft.Insights/dataCollectionEndpoints/{name}",
            name,
            key,
            f"{BASE}/dce/{key}",
        )
        self.dces[key] = dce
        return dce

    def add_dcr(self, name: str, body: DataCollectionRule, dce: DceRecord | None = None) -> DcrRecord:
        iid = "dcr-" + uuid.uuid4().hex
        direct = uuid.uuid4().hex[:10] if body.is_direct else None
        dcr = DcrRecord(
            f"{RG}/providers/Microsoft.Insights/dataCollectionRules/{name}",
            name,
            iid,
            body,
            body.kind,
            dce,
            direct,
            f"{BASE}/dcr/{direct}" if direct else None,
        )
        self.dcrs[iid] = dcr
        self._emit(ChangeEvent("dcr", "put", dcr.resource_id))
        return dcr

    def grant(self, principal_id: str, scope: str) -> None:
        self.grants.add((principal_id.lower(), scope.lower()))

    def _emit(self, event: ChangeEvent) -> None:
        for listener in self.listeners:
            listener(event)

    # --- the Protocol ---
    def workspace_by_resource_id(self, resource_id: str) -> WorkspaceRecord | None:
        return self.workspace if resource_id.lower() == WS_RID.lower() else None

    def workspace_by_customer_id(self, customer_id: str) -> WorkspaceRecord | None:
        return self.workspace if customer_id.lower() == WS_ID else None

    def workspaces(self) -> list[WorkspaceRecord]:
        return [self.workspace]

    def table(self, workspace_resource_id: str, name: str) -> TableRecord | None:
        if workspace_resource_id.lower() != WS_RID.lower():
            return None
        return self._tables.get(name.lower())

    def tables(self, workspace_resource_id: str) -> list[TableRecord]:
        return list(self._tables.values()) if workspace_resource_id.lower() == WS_RID.lower() else []

    def dcr_by_immutable_id(self, immutable_id: str) -> DcrRecord | None:
        return self.dcrs.get(immutable_id)

    def dce_by_path_key(self, path_key: str) -> DceRecord | None:
        return self.dces.get(path_key)

    def dcr_by_direct_path_key(self, path_key: str) -> DcrRecord | None:
        return next((d for d in self.dcrs.values() if d.direct_path_key == path_key), None)

    def resource_exists(self, resource_id: str) -> bool:
        known = {f"/subscriptions/{SUB}", RG, WS_RID}
        known.update(d.resource_id for d in self.dcrs.values())
        known.update(d.resource_id for d in self.dces.values())
        return resource_id.lower().rstrip("/") in {k.lower() for k in known}

    def has_permission(self, principal_id: str, scope: str, action: str) -> bool:
        if action != INGEST_DATA_ACTION:
            return False
        scope = scope.lower()
        return any(p == principal_id.lower() and scope.startswith(s) for p, s in self.grants)

    def subscribe(self, listener: Callable[[ChangeEvent], None]) -> None:
        self.listeners.append(listener)


_KEY: list[SigningKey] = []


def signing_key() -> SigningKey:
    """One RSA key for the whole test session (generating one takes a while)."""
    if not _KEY:
        _KEY.append(load_or_create_key(None))
    return _KEY[0]


def make_context(data_dir: Path | None, control: FakeControl, *, in_memory: bool = False) -> Context:
    settings = Settings(data_dir=data_dir or Path("/nonexistent"), in_memory=in_memory or data_dir is None)
    tenant = default_tenant({"workspace_id": WS_ID})
    ctx = Context(
        settings=settings,
        tenant=tenant,
        issuer=Issuer(tenant.tenant_id, signing_key()),
        sa_issuer=ServiceAccountIssuer("", signing_key()),
        faults=FaultRegistry(),
        urls=Urls(http="http://127.0.0.1:8", https=BASE),
        arc_key_dir=Path("/nonexistent"),
    )
    ctx.control = control
    return ctx


def make_app(ctx: Context) -> Starlette:
    app = Starlette(routes=plane(ctx))
    app.state.ctx = ctx
    return app


def client(app: Starlette) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE)


def token(
    ctx: Context, name: str = "vm", resource: str = "https://monitor.azure.com", lifetime: int = 3600
) -> str:
    minted, _ = ctx.issuer.mint(ctx.tenant.identity(name), resource, lifetime)
    return minted
