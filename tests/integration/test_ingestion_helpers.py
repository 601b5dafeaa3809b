"""Helpers for the ingestion integration tests: ARM provisioning, tokens, posting, reading the store back.

Everything goes through the emulator's real HTTPS routes (ARM with the admin token, IMDS for
managed-identity tokens, the ingestion endpoint, /_emulator/rows via the CLI).
"""

from __future__ import annotations

import gzip
from typing import Any

import httpx
import orjson

from azlogs.schema.template import role_assignment
from tests.emulator_proc import EmulatorProcess

DCR_V = {"api-version": "2023-03-11"}
TABLE_V = {"api-version": "2022-10-01"}
RA_V = {"api-version": "2022-04-01"}
INGEST_V = "2023-01-01"

# A realistic stream: every type a stream declares.
COLUMNS = [
    ("TimeGenerated", "datetime"),
    ("Computer", "string"),
    ("Seq", "long"),
    ("Level", "int"),
    ("Message", "string"),
    ("Ratio", "real"),
    ("Ok", "boolean"),
    ("Props", "dynamic"),
]


def admin_token(emu: EmulatorProcess) -> str:
    info = emu.info
    with emu.https() as c:
        r = c.post(
            f"/{info.tenant_id}/oauth2/v2.0/token",
            data={
                "grant_type": "client_credentials",
                "client_id": info.admin.client_id,
                "client_secret": info.admin.client_secret,
                "scope": "https://management.azure.com/.default",
            },
        )
    r.raise_for_status()
    return str(r.json()["access_token"])


def imds_token(
    emu: EmulatorProcess, resource: str = "https://monitor.azure.com", client_id: str | None = None
) -> str:
    params = {"api-version": "2018-02-01", "resource": resource}
    if client_id:
        params["client_id"] = client_id
    with emu.http() as c:
        r = c.get("/metadata/identity/oauth2/token", params=params, headers={"Metadata": "true"})
    r.raise_for_status()
    return str(r.json()["access_token"])


class Provision:
    """Creates tables, DCEs, DCRs and role assignments through the emulator's ARM routes."""

    def __init__(self, emu: EmulatorProcess) -> None:
        self.emu = emu
        self.client = emu.https()
        self.client.headers["Authorization"] = f"Bearer {admin_token(emu)}"
        info = emu.info
        self.sub = info.subscription_id
        self.rg = f"/subscriptions/{self.sub}/resourceGroups/{info.resource_group}"
        self.ws = info.workspace.resource_id

    def _put(self, path: str, body: Any, params: dict[str, str]) -> dict[str, Any]:
        r = self.client.put(path, json=body, params=params)
        assert r.status_code in (200, 201), r.text
        return dict(r.json())

    def table(self, name: str, columns: list[tuple[str, str]] | None = None) -> str:
        cols = [{"name": n, "type": "dateTime" if t == "datetime" else t} for n, t in columns or COLUMNS]
        self._put(
            f"{self.ws}/tables/{name}", {"properties": {"schema": {"name": name, "columns": cols}}}, TABLE_V
        )
        return name

    def delete_table(self, name: str) -> None:
        r = self.client.delete(f"{self.ws}/tables/{name}", params=TABLE_V)
        assert r.status_code in (200, 202, 204), r.text

    def dce(self, name: str) -> tuple[str, str]:
        """(ARM id, logs ingestion endpoint)."""
        rid = f"{self.rg}/providers/Microsoft.Insights/dataCollectionEndpoints/{name}"
        body = self._put(rid, {"location": "eastus", "properties": {}}, DCR_V)
        return rid, str(body["properties"]["logsIngestion"]["endpoint"])

    def dcr(
        self,
        name: str,
        table: str,
        *,
        stream: str = "Custom-Events",
        columns: list[tuple[str, str]] | None = None,
        transform: str = "source",
        dce_id: str | None = None,
        kind: str | None = None,
    ) -> dict[str, Any]:
        """The DCR's ARM body as created (properties.immutableId, endpoints ...)."""
        body: dict[str, Any] = {
            "location": "eastus",
            "properties": {
                "streamDeclarations": {
                    stream: {"columns": [{"name": n, "type": t} for n, t in columns or COLUMNS]}
                },
                "destinations": {"logAnalytics": [{"name": "la", "workspaceResourceId": self.ws}]},
                "dataFlows": [
                    {
                        "streams": [stream],
                        "destinations": ["la"],
                        "transformKql": transform,
                        "outputStream": f"Custom-{table}",
                    }
                ],
            },
        }
        if dce_id:
            body["properties"]["dataCollectionEndpointId"] = dce_id
        if kind:
            body["kind"] = kind
        return self._put(f"{self.rg}/providers/Microsoft.Insights/dataCollectionRules/{name}", body, DCR_V)

    def grant(self, principal_id: str, scope: str) -> None:
        """Monitoring Metrics Publisher for ``principal_id`` on ``scope``, named as azlogs provision names it."""
        name, body = role_assignment(scope=scope, principal_id=principal_id, subscription_id=self.sub)
        self._put(f"{scope}/providers/Microsoft.Authorization/roleAssignments/{name}", body, RA_V)

    def close(self) -> None:
        self.client.close()


def ingest_url(
    endpoint: str, dcr: dict[str, Any], stream: str = "Custom-Events", api_version: str = INGEST_V
) -> str:
    return f"{endpoint}/dataCollectionRules/{dcr['properties']['immutableId']}/streams/{stream}?api-version={api_version}"


def post(
    emu: EmulatorProcess,
    url: str,
    payload: Any,
    token: str | None,
    *,
    compress: bool = True,
    raw: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    data = raw if raw is not None else orjson.dumps(payload)
    sent = {"Content-Type": "application/json", **(headers or {})}
    if compress:
        data = gzip.compress(data)
        sent["Content-Encoding"] = "gzip"
    if token is not None:
        sent["Authorization"] = f"Bearer {token}"
    with httpx.Client(verify=emu.ssl_context(), timeout=60) as c:
        return c.post(url, content=data, headers=sent)


def stored_rows(emu: EmulatorProcess, table: str) -> list[dict[str, Any]]:
    """Every row of ``table`` as stored (what `azlogs emulator rows TABLE --limit 0` prints)."""
    return emu.rows(table)


def diagnostics(emu: EmulatorProcess, **params: Any) -> list[dict[str, Any]]:
    with emu.admin() as c:
        r = c.get("/_emulator/diagnostics", params={"limit": 10_000, **params})
    r.raise_for_status()
    return list(r.json()["value"])


def record(i: int, now: str, marker: str = "") -> dict[str, Any]:
    """A ~350-byte record whose every field is a function of ``i`` (content checks recompute it)."""
    return {
        "TimeGenerated": now,
        "Computer": f"host-{i % 13:02d}{marker}",
        "Seq": i,
        "Level": i % 5,
        "Message": f"request {i} served in {i % 997} ms by worker {i % 7}; path /api/v1/items/{i} status 200 ok",
        "Ratio": i / 8,
        "Ok": i % 2 == 0,
        "Props": {"i": i, "tags": ["a", str(i % 3)], "nested": {"even": i % 2 == 0}},
    }
