"""The ingestion endpoint in-process (ASGI): order of checks, answers, diagnostics, control-plane events."""

from __future__ import annotations

import gzip
from collections.abc import AsyncIterator, Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from azlogs.emulator.context import Context
from azlogs.emulator.control.api import DceRecord, DcrRecord
from azlogs.emulator.ingestion.plan import TransformUnavailable
from azlogs.emulator.store import WorkspaceStore
from tests.unit.emulator.test_ingestion_helpers import (
    RG,
    WS_ID,
    FakeControl,
    client,
    make_app,
    make_context,
    rule,
    table_schema,
    token,
)

NOW = datetime.now(timezone.utc).replace(microsecond=0)
RECORD = {"TimeGenerated": NOW.isoformat(), "Computer": "vm", "Code": 1}


class Env:
    def __init__(
        self,
        ctx: Context,
        control: FakeControl,
        dce: DceRecord,
        dcr: DcrRecord,
        http: httpx.AsyncClient,
        app: Any,
    ) -> None:
        self.ctx, self.control, self.dce, self.dcr, self.http, self.app = ctx, control, dce, dcr, http, app
        self.store: WorkspaceStore = ctx.store

    def url(
        self, dcr: DcrRecord | None = None, *, stream: str = "Custom-App", version: str | None = "2023-01-01"
    ) -> str:
        d = dcr or self.dcr
        base = f"/dce/{self.dce.path_key}" if d.dce is not None else f"/dcr/{d.direct_path_key}"
        query = f"?api-version={version}" if version else ""
        return f"{base}/dataCollectionRules/{d.immutable_id}/streams/{stream}{query}"

    async def post(
        self, url: str, payload: Any, *, who: str | None = "vm", headers: Mapping[str, str] | None = None
    ) -> httpx.Response:
        sent = {"Content-Type": "application/json", "Content-Encoding": "gzip", **(headers or {})}
        if who is not None:
            sent["Authorization"] = f"Bearer {token(self.ctx, who)}"
        return await self.http.post(url, content=gzip.compress(orjson.dumps(payload)), headers=sent)

    def rows(self, table: str = "App_CL") -> list[tuple[Any, ...]]:
        result = self.store.scan(WS_ID, table)
        return [] if result is None else list(result.rows)


@pytest.fixture
async def env(tmp_path: Path) -> AsyncIterator[Env]:
    control = FakeControl()
    control.add_table(table_schema())
    dce = control.add_dce()
    dcr = control.add_dcr("r", rule(dce_id=dce.resource_id), dce)
    ctx = make_context(tmp_path, control)
    app = make_app(ctx)
    control.grant(ctx.tenant.identity("vm").principal_id, dcr.resource_id)
    async with client(app) as http:
        yield Env(ctx, control, dce, dcr, http, app)
    ctx.ingestion.close()


def code(r: httpx.Response) -> str:
    return str(r.json()["error"]["code"])


class TestOrderOfChecks:
    async def test_api_version_first_then_endpoint_then_token_then_dcr(self, env: Env) -> None:
        """Each check answers before the later ones are looked at."""
        assert code(await env.post(env.url(version=None), [RECORD], who=None)) == "MissingApiVersionParameter"
        unknown_dce = env.url().replace(env.dce.path_key, "nope")
        assert code(await env.post(unknown_dce, [RECORD], who=None)) == "EndpointNotFound"
        unknown_dcr = env.url().replace(env.dcr.immutable_id, "dcr-unknown")
        assert code(await env.post(unknown_dcr, [RECORD], who=None)) == "AuthenticationFailed"
        assert code(await env.post(unknown_dcr, [RECORD])) == "NotFound"
        assert code(await env.post(env.url(stream="Custom-X"), [RECORD], who="vm-user")) == "OperationFailed"
        assert code(await env.post(env.url(stream="Custom-X"), [RECORD])) == "InvalidStream"

    async def test_no_control_plane_is_503(self, env: Env) -> None:
        """Without a control plane nothing is known: 503."""
        del env.ctx.control
        r = await env.post(env.url(), [RECORD])
        assert r.status_code == 503 and code(r) == "ServiceUnavailable"


class TestAccepted:
    async def test_204_commits_before_answering(self, env: Env) -> None:
        """204 with x-ms-request-id, and the rows are in the store when the answer arrives."""
        r = await env.post(env.url(), [RECORD, RECORD])
        assert r.status_code == 204 and r.content == b"" and r.headers["x-ms-request-id"]
        assert len(env.rows()) == 2

    async def test_content_type_other_than_json_is_accepted_and_noted(self, env: Env) -> None:
        """A text/plain body is taken (the service is silent about it) and the feed says so."""
        r = await env.post(env.url(), [RECORD], headers={"Content-Type": "text/plain"})
        assert r.status_code == 204
        assert [d.kind for d in env.store.diagnostics()] == ["content_type"]

    async def test_direct_dcr_endpoint(self, env: Env) -> None:
        """A kind Direct DCR answers on /dcr/{its key}; a DCE-bound DCR there is refused."""
        direct = env.control.add_dcr("d", rule(kind="Direct"))
        env.control.grant(env.ctx.tenant.identity("vm").principal_id, RG)
        assert (await env.post(env.url(direct), [RECORD])).status_code == 204
        wrong = env.url(direct).replace(direct.immutable_id, env.dcr.immutable_id)
        r = await env.post(wrong, [RECORD])
        assert r.status_code == 403 and "IsDcrDceBindingValid: False" in r.json()["error"]["message"]


class TestRefusals:
    async def test_refusals_are_recorded_with_their_status(self, env: Env) -> None:
        """Each refusal becomes a 'refused' entry with the status and code."""
        headers = {"Authorization": f"Bearer {token(env.ctx)}", "Content-Type": "application/json"}
        r = await env.http.post(env.url(), content=b"not json", headers=headers)
        assert r.status_code == 400
        (entry,) = env.store.diagnostics()
        assert (entry.kind, entry.status, entry.request_id) == ("refused", 400, r.headers["x-ms-request-id"])
        assert entry.reason.startswith("400 InvalidRequestBody:")

    async def test_dynamic_nested_300_deep_is_400_and_writes_nothing(self, env: Env) -> None:
        """Issue 12: a record whose dynamic column nests 300 deep is a 400 naming it, not a 500; 252 inner levels are stored."""
        headers = {
            "Authorization": f"Bearer {token(env.ctx)}",
            "Content-Type": "application/json",
            "Content-Encoding": "gzip",
        }

        def body(depth: int) -> bytes:
            return gzip.compress(b'[{"Computer":"a"},{"Props":' + b"[" * depth + b"1" + b"]" * depth + b"}]")

        r = await env.http.post(env.url(), content=body(300), headers=headers)
        assert r.status_code == 400 and code(r) == "InvalidRequestBody", r.text
        assert "record 1" in r.json()["error"]["message"] and env.rows() == []
        assert (await env.http.post(env.url(), content=body(252), headers=headers)).status_code == 204
        assert len(env.rows()) == 2

    async def test_client_request_id_is_echoed(self, env: Env) -> None:
        """x-ms-client-request-id comes back on the 204 and on a refusal, as in Azure's recordings."""
        crid = {"x-ms-client-request-id": "70c15867-96d0-4c9b-8375-8905caad3462"}
        ok = await env.post(env.url(), [RECORD], headers=crid)
        refused = await env.post(env.url(stream="Custom-X"), [RECORD], headers=crid)
        assert ok.status_code == 204 and refused.status_code == 400
        for r in (ok, refused):
            assert r.headers["x-ms-client-request-id"] == crid["x-ms-client-request-id"]
            assert r.headers["x-ms-request-id"]

    async def test_bytes_per_minute(self, env: Env) -> None:
        """Over the DCR's byte rate: 429 with Retry-After, nothing written."""
        env.ctx.settings.limits.bytes_per_minute = 200
        assert (await env.post(env.url(), [RECORD])).status_code == 204
        r = await env.post(env.url(), [RECORD, RECORD, RECORD])
        assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1
        assert len(env.rows()) == 1

    async def test_transformation_without_engine_is_refused_and_recorded(self, env: Env) -> None:
        """With no KQL engine a transformation is a 400 and the feed has it."""

        def absent(text: str, cols: Mapping[str, str]) -> Any:
            raise TransformUnavailable("absent")

        env.ctx.ingestion.transform_factory = absent
        dcr = env.control.add_dcr(
            "t", rule(transform="source | extend X = 1", dce_id=env.dce.resource_id), env.dce
        )
        env.control.grant(env.ctx.tenant.identity("vm").principal_id, dcr.resource_id)
        r = await env.post(env.url(dcr), [RECORD])
        assert r.status_code == 400 and code(r) == "TransformationNotSupported"
        assert "data flow 0 uses: source | extend X = 1" in r.json()["error"]["message"]
        assert env.store.diagnostics()[-1].kind == "refused"

    async def test_internal_failure_is_500_without_retry_after(self, env: Env) -> None:
        """When the store fails the answer is a 500 naming the request (and the emulator keeps serving)."""
        env.store.close()
        r = await env.post(env.url(), [RECORD])
        assert r.status_code == 500 and code(r) == "InternalServerError" and "retry-after" not in r.headers
        assert r.headers["x-ms-request-id"] in r.json()["error"]["message"]

    async def test_client_gone_mid_body_writes_nothing(self, env: Env) -> None:
        """A client that disconnects while sending the body: nothing written, nothing recorded as refused."""
        path, _, query = env.url().partition("?")
        headers = [
            (b"authorization", f"Bearer {token(env.ctx)}".encode()),
            (b"content-type", b"application/json"),
        ]
        scope = {
            "type": "http",
            "method": "POST",
            "path": path,
            "query_string": query.encode(),
            "headers": headers,
        }
        messages = [{"type": "http.request", "body": b"[", "more_body": True}, {"type": "http.disconnect"}]
        sent: list[dict[str, Any]] = []

        async def receive() -> dict[str, Any]:
            return messages.pop(0)

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        await env.app(scope, receive, send)
        assert sent[0]["status"] == 400
        assert env.rows() == [] and env.store.diagnostics() == []


class TestControlPlaneEvents:
    async def test_tables_follow_the_control_plane(self, env: Env) -> None:
        """A table put creates its SQLite table at once; a delete drops it with its rows."""
        await env.post(env.url(), [RECORD])  # subscribes
        env.control.add_table(table_schema("New_CL"))
        assert env.store.table(WS_ID, "New_CL") is not None
        env.control.delete_table("App_CL")
        assert env.store.table(WS_ID, "App_CL") is None

    async def test_a_changed_dcr_gets_a_new_plan(self, env: Env) -> None:
        """After the DCR changes (new stream columns), records are coerced to the new declaration."""
        assert (await env.post(env.url(), [{**RECORD, "Message": "m1"}])).status_code == 204
        cols = [{"name": "TimeGenerated", "type": "datetime"}, {"name": "Computer", "type": "string"}]
        changed = DcrRecord(**{**env.dcr.__dict__, "rule": rule(columns=cols, dce_id=env.dce.resource_id)})
        env.control.dcrs[env.dcr.immutable_id] = changed
        assert (await env.post(env.url(), [{**RECORD, "Message": "m2"}])).status_code == 204
        result = env.store.scan(WS_ID, "App_CL", columns=["Message"])
        assert result is not None and [r[0] for r in result.rows] == ["m1", ""]


class TestAdminEndpoints:
    async def test_rows_endpoint(self, env: Env) -> None:
        """/_emulator/rows gives JSON lines, last N oldest first, 404 for an unknown table, 400 for a bad limit."""
        await env.post(env.url(), [{**RECORD, "Code": i} for i in range(5)])
        r = await env.http.get("/_emulator/rows", params={"table": "app_cl", "limit": 2})
        lines = [orjson.loads(x) for x in r.content.splitlines()]
        assert [x["Code"] for x in lines] == [3, 4] and lines[0]["TimeGenerated"] == NOW.strftime(
            "%Y-%m-%dT%H:%M:%S.0000000Z"
        )
        assert (
            len(
                (
                    await env.http.get("/_emulator/rows", params={"table": "App_CL", "limit": 0})
                ).content.splitlines()
            )
            == 5
        )
        assert (await env.http.get("/_emulator/rows", params={"table": "Nope_CL"})).status_code == 404
        assert (
            await env.http.get("/_emulator/rows", params={"table": "App_CL", "limit": "x"})
        ).status_code == 400
        assert (await env.http.get("/_emulator/rows")).status_code == 400

    async def test_diagnostics_endpoint(self, env: Env) -> None:
        """/_emulator/diagnostics filters and pages; bad numbers are 400."""
        await env.post(env.url(), [{**RECORD, "Extra": 1}])
        body = (await env.http.get("/_emulator/diagnostics", params={"dcr": env.dcr.immutable_id})).json()
        (entry,) = body["value"]
        assert body["last"] == entry["id"]
        assert (entry["kind"], entry["column"], entry["record_index"]) == ("dropped_undeclared", "Extra", 0)
        after = (await env.http.get("/_emulator/diagnostics", params={"after": entry["id"]})).json()
        assert after == {"value": [], "last": entry["id"]}
        assert (await env.http.get("/_emulator/diagnostics", params={"limit": "-1"})).status_code == 400
