"""The Data Collector API endpoint in-process (ASGI): the order of checks and the API's documented answers."""

from __future__ import annotations

import email.utils
from collections.abc import AsyncIterator, Mapping
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
import orjson
import pytest
from starlette.applications import Starlette

from azlogs.emulator.context import Context
from azlogs.emulator.control import ids, sharedkeys, workspaces
from azlogs.emulator.control.auth import Caller
from azlogs.emulator.control.state import ArmState
from azlogs.emulator.ingestion import datacollector
from azlogs.emulator.store import WorkspaceStore
from azlogs.facts import DATA_COLLECTOR_BODY_MAX
from azlogs.schema import datacollector as dc


class Env:
    def __init__(self, ctx: Context, http: httpx.AsyncClient) -> None:
        self.ctx, self.http = ctx, http
        self.ws = ctx.tenant.workspace_id
        # The planes' services on the Context (the one place this test reads them).
        self.state: ArmState = ctx.control
        self.store: WorkspaceStore = ctx.store
        keys = sharedkeys.keys_of(self.state, ctx.tenant.workspace_resource_id)
        assert keys is not None
        self.key = keys[sharedkeys.PRIMARY]

    async def post(
        self,
        body: bytes,
        *,
        log_type: str | None = "App",
        date: datetime | None = None,
        ws: str | None = None,
        query: str = "?api-version=2016-04-01",
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        when = email.utils.format_datetime(date or datetime.now(timezone.utc), usegmt=True)
        sent = {
            "Content-Type": "application/json",
            "x-ms-date": when,
            "Authorization": dc.authorization(self.ws, self.key, len(body), when),
        }
        if log_type is not None:
            sent["Log-Type"] = log_type
        sent.update(headers or {})
        sent = {k: v for k, v in sent.items() if v}
        return await self.http.post(f"/ods/{ws or self.ws}/api/logs{query}", content=body, headers=sent)


@pytest.fixture
async def env(ctx: Context) -> AsyncIterator[Env]:
    store = WorkspaceStore(None)
    ctx.store = store
    app = Starlette(routes=datacollector.plane(ctx))
    app.state.ctx = ctx
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="https://emulator.test") as http:
        yield Env(ctx, http)
    store.close()


def error(r: httpx.Response) -> tuple[int, str]:
    body: dict[str, Any] = r.json()
    return r.status_code, body["Error"]


RECORD = orjson.dumps([{"Name": "a", "Count": 1}])


class TestAnswers:
    async def test_good_post_is_200_and_rows_are_stored(self, env: Env) -> None:
        """A signed post answers 200 with no body and its rows are in App_CL."""
        r = await env.post(RECORD)
        assert (r.status_code, r.content) == (200, b"")
        result = env.store.scan(env.ws, "App_CL")
        assert result is not None
        cols = [n for n, _ in result.columns]
        assert {"TimeGenerated", "Name_s", "Count_d"} <= set(cols)
        rows = [dict(zip(cols, row, strict=True)) for row in result.rows]
        assert [(x["Name_s"], x["Count_d"]) for x in rows] == [("a", 1.0)]

    async def test_azure_resource_id_lands_in_resource_id(self, env: Env) -> None:
        """x-ms-AzureResourceId is stored as the rows' _ResourceId (for resource-context queries)."""
        rid = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Web/sites/app1"
        r = await env.post(RECORD, log_type="Res", headers={"x-ms-AzureResourceId": rid})
        assert r.status_code == 200
        result = env.store.scan(env.ws, "Res_CL")
        assert result is not None
        cols = [n for n, _ in result.columns]
        assert [dict(zip(cols, row, strict=True))["_ResourceId"] for row in result.rows] == [rid]

    async def test_host_named_endpoint_takes_the_workspace_from_the_host(self, env: Env) -> None:
        """POST https://{ws}.ods.localhost/api/logs is the same API (the workspace named by the host);
        another host is 404."""
        body = RECORD
        when = email.utils.format_datetime(datetime.now(timezone.utc), usegmt=True)
        headers = {
            "Content-Type": "application/json",
            "x-ms-date": when,
            "Log-Type": "Host",
            "Authorization": dc.authorization(env.ws, env.key, len(body), when),
        }
        url = f"https://{env.ws}.ods.localhost/api/logs?api-version=2016-04-01"
        assert (await env.http.post(url, content=body, headers=headers)).status_code == 200
        assert env.store.scan(env.ws, "Host_CL") is not None
        other = await env.http.post(
            "https://emulator.test/api/logs?api-version=2016-04-01", content=body, headers=headers
        )
        assert other.status_code == 404

    async def test_off_answers_404_with_no_body(self, env: Env) -> None:
        """data_collector_api = off: the endpoint is gone; nothing is stored."""
        env.ctx.settings.data_collector_api = "off"
        r = await env.post(RECORD, log_type="Gone")
        assert (r.status_code, r.content) == (404, b"")
        assert env.store.scan(env.ws, "Gone_CL") is None

    @pytest.mark.parametrize(
        ("query", "code"),
        [("", "MissingApiVersion"), ("?api-version=2023-01-01", "InvalidApiVersion")],
    )
    async def test_api_version(self, env: Env, query: str, code: str) -> None:
        """A missing or other api-version is 400 with the documented code."""
        assert error(await env.post(RECORD, query=query)) == (400, code)

    async def test_invalid_customer_id(self, env: Env) -> None:
        """A workspace id that is not a GUID is 400 InvalidCustomerId."""
        assert error(await env.post(RECORD, ws="not-a-guid")) == (400, "InvalidCustomerId")

    @pytest.mark.parametrize(
        ("content_type", "code"), [("", "MissingContentType"), ("text/plain", "UnsupportedContentType")]
    )
    async def test_content_type(self, env: Env, content_type: str, code: str) -> None:
        """The content type must be given, and be application/json."""
        r = await env.post(RECORD, headers={"Content-Type": content_type})
        assert error(r) == (400, code)

    @pytest.mark.parametrize(("log_type", "code"), [(None, "MissingLogType"), ("My-App", "InvalidLogType")])
    async def test_log_type(self, env: Env, log_type: str | None, code: str) -> None:
        """A missing Log-Type, or one with another character than letters, digits, underscore, is 400."""
        assert error(await env.post(RECORD, log_type=log_type)) == (400, code)

    async def test_unknown_workspace(self, env: Env) -> None:
        """A well-formed workspace id no workspace has is 403 InvalidAuthorization."""
        ws = "00000000-0000-0000-0000-000000000001"
        r = await env.post(RECORD, ws=ws, headers={"Authorization": dc.authorization(ws, env.key, 1, "x")})
        assert error(r) == (403, "InvalidAuthorization")

    async def test_stale_and_unreadable_dates(self, env: Env) -> None:
        """An x-ms-date an hour old, or not RFC 1123, is 403 InvalidAuthorization."""
        old = datetime.now(timezone.utc) - timedelta(hours=1)
        assert error(await env.post(RECORD, date=old)) == (403, "InvalidAuthorization")
        r = await env.post(RECORD, headers={"x-ms-date": "2026-12-04T02:00:00Z"})
        assert r.status_code == 403
        assert r.json()["Message"] == "An invalid date format used in the x-ms-date header."

    async def test_bearer_scheme_is_refused(self, env: Env) -> None:
        """Only the SharedKey scheme is accepted."""
        r = await env.post(RECORD, headers={"Authorization": "Bearer abc"})
        assert error(r) == (403, "InvalidAuthorization")

    async def test_bad_json_and_reserved_names(self, env: Env) -> None:
        """A body that is not JSON, not objects, or uses a reserved name is 400 InvalidDataFormat."""
        assert error(await env.post(b"{nope")) == (400, "InvalidDataFormat")
        assert error(await env.post(b"[1]")) == (400, "InvalidDataFormat")
        assert error(await env.post(orjson.dumps({"RawData": "x"}))) == (400, "InvalidDataFormat")
        assert env.store.table(env.ws, "App_CL") is None

    async def test_oversized_body_is_404(self, env: Env) -> None:
        """A body over 30 MB is 404, Learn's answer for a request too large."""
        r = await env.post(b" " * (DATA_COLLECTOR_BODY_MAX + 1))
        assert r.status_code == 404


class TestClassicTable:
    async def test_table_is_classic_in_the_control_plane(self, env: Env) -> None:
        """The table the API made is in the tables API with tableSubType Classic, extended by a later post."""
        assert (await env.post(RECORD)).status_code == 200
        assert (await env.post(orjson.dumps({"Extra": True}))).status_code == 200
        state = env.state
        doc = state.get(f"{env.ctx.tenant.workspace_resource_id}/tables/App_CL")
        assert doc is not None
        schema = state.render(doc)["properties"]["schema"]
        assert schema["tableSubType"] == "Classic"
        assert [c["name"] for c in schema["columns"]] == ["TimeGenerated", "Name_s", "Count_d", "Extra_b"]

    async def test_keys_are_private_and_kept_by_a_workspace_update(self, env: Env) -> None:
        """The keys never show in the workspace's rendered document, and a workspace PUT keeps them."""
        state = env.state
        rid = env.ctx.tenant.workspace_resource_id
        doc = state.get(rid)
        assert doc is not None and sharedkeys.FIELD in doc
        assert sharedkeys.FIELD not in state.render(doc)
        caller = Caller(env.ctx.tenant.admin.principal_id, env.ctx.tenant.admin.client_id)
        with state.transaction():
            workspaces.put_workspace(state, ids.parse_path(rid), {"location": doc["location"]}, caller)
        assert sharedkeys.keys_of(state, rid) == doc[sharedkeys.FIELD]
