"""The query API in-process (ASGI), against the answers Azure's recorded sessions show.

Sources of the expected shapes: azure-sdk-assets, azure-monitor-query's Python live-test recordings
(``test_logs_single_query_with_non_200``: SEM0100; ``test_logs_single_query_fatal_exception``:
PathNotFoundError for ``bad_workspace_id``; ``test_query_response_types``: ``make_datetime`` of a text
and ``2000-01-02T03:04:05Z``), the .NET SDK's README (SYN0002 with line, pos, token), and issue 12
(400 BadArgumentError, never 500, for malformed bodies).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from starlette.applications import Starlette

from azlogs.emulator.context import Context
from azlogs.emulator.control.api import QUERY_ACTION
from azlogs.emulator.ingestion import plane as ingestion_plane
from azlogs.emulator.query import routes as query_routes
from tests.unit.emulator.test_ingestion_helpers import WS_ID, FakeControl, make_context, table_schema, token

QUERY_URL = f"/query/v1/workspaces/{WS_ID}/query"
BATCH_URL = "/query/v1/$batch"
AUDIENCE = "https://api.loganalytics.io"


class QueryControl(FakeControl):
    """The fake control plane, where a grant also allows the query read action."""

    def has_permission(self, principal_id: str, scope: str, action: str) -> bool:
        if action != QUERY_ACTION:
            return super().has_permission(principal_id, scope, action)
        scope = scope.lower()
        return any(p == principal_id.lower() and scope.startswith(s) for p, s in self.grants)


class Api:
    def __init__(self, ctx: Context, http: httpx.AsyncClient) -> None:
        self.ctx, self.http = ctx, http
        self.auth = {"Authorization": f"Bearer {token(ctx, 'vm', AUDIENCE)}"}

    async def query(self, body: Any, *, url: str = QUERY_URL, auth: bool = True) -> httpx.Response:
        content = body if isinstance(body, bytes) else orjson.dumps(body)
        headers = {"Content-Type": "application/json", **(self.auth if auth else {})}
        return await self.http.post(url, content=content, headers=headers)

    async def batch(self, body: Any) -> httpx.Response:
        return await self.query(body, url=BATCH_URL)


@pytest.fixture
async def api(tmp_path: Path) -> AsyncIterator[Api]:
    control = QueryControl()
    control.add_table(table_schema())
    ctx = make_context(tmp_path, control)
    app = Starlette(routes=[*ingestion_plane(ctx), *query_routes(ctx)])
    app.state.ctx = ctx
    control.grant(ctx.tenant.identity("vm").principal_id, control.workspace.resource_id)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="https://127.0.0.1:9") as http:
        yield Api(ctx, http)
    ctx.ingestion.close()


def error_of(r: httpx.Response) -> dict[str, Any]:
    err: dict[str, Any] = r.json()["error"]
    return err


def batch_item(rid: str, query: str = "print x = 1", **extra: Any) -> dict[str, Any]:
    return {
        "id": rid,
        "body": {"query": query, "timespan": None, "workspaces": None},
        "headers": {"Prefer": ""},
        "workspace": WS_ID,
        "path": "/query",
        "method": "POST",
        **extra,
    }


MALFORMED_BODIES = [
    pytest.param({"query": "print 1", "timespan": 5}, id="timespan-number"),
    pytest.param({"query": "print 1", "timespan": "PT1000000000000H"}, id="duration-overflow"),
    pytest.param({"query": "print 1", "timespan": "9999-12-31T00:00:00Z/P1D"}, id="end-past-9999"),
    pytest.param({"query": "print 1", "timespan": "P99999999999D"}, id="back-before-year-1"),
    pytest.param({"query": "print 1", "timespan": ["PT1H"]}, id="timespan-list"),
    pytest.param({"query": 5}, id="query-number"),
    pytest.param({"query": {"q": "print 1"}}, id="query-object"),
    pytest.param({"query": "print 1", "workspaces": "ws"}, id="workspaces-string"),
    pytest.param({"timespan": "PT1H"}, id="no-query"),
    pytest.param([{"query": "print 1"}], id="body-list"),
    pytest.param(b"null", id="body-null"),
    pytest.param(b"{not json", id="body-not-json"),
]

MALFORMED_BATCHES = [
    pytest.param({"requests": [1, 2]}, id="items-numbers"),
    pytest.param({"requests": ["print 1"]}, id="items-strings"),
    pytest.param({"requests": [None]}, id="item-null"),
    pytest.param({"requests": "x"}, id="requests-string"),
    pytest.param({"requests": []}, id="requests-empty"),
    pytest.param([batch_item("1")], id="body-list"),
    pytest.param({"requests": [batch_item("1", body="print 1")]}, id="item-body-string"),
    pytest.param({"requests": [batch_item("1", headers=["Prefer"])]}, id="item-headers-list"),
    pytest.param({"requests": [batch_item("1", workspace=5)]}, id="item-workspace-number"),
    pytest.param({"requests": [batch_item("1", id=7)]}, id="item-id-number"),
]


class TestMalformedRequests:
    @pytest.mark.parametrize("body", MALFORMED_BODIES)
    async def test_query_body_is_400_bad_argument(self, api: Api, body: Any) -> None:
        """A malformed query body is 400 BadArgumentError, never a 500 that azure-core would retry."""
        r = await api.query(body)
        assert r.status_code == 400, r.text
        assert error_of(r)["code"] == "BadArgumentError"

    @pytest.mark.parametrize("body", MALFORMED_BATCHES)
    async def test_batch_body_is_400_bad_argument(self, api: Api, body: Any) -> None:
        """A $batch whose requests are not objects of the documented shape is 400 BadArgumentError."""
        r = await api.batch(body)
        assert r.status_code == 400, r.text
        assert error_of(r)["code"] == "BadArgumentError"

    async def test_malformed_batch_item_query_is_400_inside_the_batch(self, api: Api) -> None:
        """A batch item whose timespan overflows answers 400 in its own response; the batch itself is 200."""
        item = batch_item("1")
        item["body"]["timespan"] = "PT1000000000000H"
        r = await api.batch({"requests": [item, batch_item("2")]})
        assert r.status_code == 200, r.text
        statuses = {x["id"]: x["status"] for x in r.json()["responses"]}
        assert statuses == {"1": 400, "2": 200}


class TestBatch:
    async def test_duplicate_ids_are_refused(self, api: Api) -> None:
        """Two requests with one id: 400 BadArgumentError / QueryValidationError, and neither runs."""
        r = await api.batch({"requests": [batch_item("a"), batch_item("a", "print y = 2")]})
        assert r.status_code == 400
        err = error_of(r)
        assert err["code"] == "BadArgumentError"
        assert err["innererror"]["code"] == "QueryValidationError"

    async def test_responses_carry_headers_and_request_ids(self, api: Api) -> None:
        """Each batch response has its own headers object; the HTTP answer carries x-ms-request-id."""
        r = await api.batch({"requests": [batch_item("a"), batch_item("b", "print y = 'b'")]})
        assert r.status_code == 200 and r.headers["x-ms-request-id"]
        responses = {x["id"]: x for x in r.json()["responses"]}
        assert responses["b"]["body"]["tables"][0]["rows"] == [["b"]]
        for x in responses.values():
            assert x["status"] == 200
            assert x["headers"]["Content-Type"].startswith("application/json")
            assert x["headers"]["x-ms-request-id"]

    async def test_single_query_carries_request_id(self, api: Api) -> None:
        """A single query's answer carries x-ms-request-id, as errors do."""
        ok = await api.query({"query": "print 1"})
        bad = await api.query({"query": "print 1", "timespan": 5})
        assert ok.headers["x-ms-request-id"] and bad.headers["x-ms-request-id"]
        assert ok.headers["x-ms-request-id"] != bad.headers["x-ms-request-id"]


class TestErrorDetails:
    async def test_syntax_error_is_syn0002_with_line_pos_token(self, api: Api) -> None:
        """'My Not So Valid Query' (the .NET README's example): SyntaxError > SYN0002 at line 1, pos 3, 'Not'."""
        r = await api.query({"query": "My Not So Valid Query", "timespan": "P1D"})
        assert r.status_code == 400
        err = error_of(r)
        assert (err["code"], err["message"]) == (
            "BadArgumentError",
            "The request had some invalid properties",
        )
        inner = err["innererror"]
        assert inner["code"] == "SyntaxError"
        assert inner["innererror"] == {
            "code": "SYN0002",
            "message": "Query could not be parsed at 'Not' on line [1,3]",
            "line": 1,
            "pos": 3,
            "token": "Not",
        }

    async def test_unknown_table_is_sem0100_in_azures_words(self, api: Api) -> None:
        """The recorded non-200 query: SemanticError > SEM0100 naming the 'where' operator and the table."""
        r = await api.query({"query": "AppInsights |\n        where TimeGenerated > ago(12h)"})
        assert r.status_code == 400
        inner = error_of(r)["innererror"]
        assert (inner["code"], inner["message"]) == ("SemanticError", "A semantic error occurred.")
        assert inner["innererror"] == {
            "code": "SEM0100",
            "message": "'where' operator: Failed to resolve table or column expression named 'AppInsights'",
        }

    async def test_unknown_column_is_sem0100_scalar_expression(self, api: Api) -> None:
        """An unknown column in a where: SEM0100, "'where' operator: Failed to resolve scalar expression named ..."."""
        r = await api.query({"query": "App_CL | where Nope == 1"})
        inner = error_of(r)["innererror"]["innererror"]
        assert inner == {
            "code": "SEM0100",
            "message": "'where' operator: Failed to resolve scalar expression named 'Nope'",
        }

    async def test_bad_workspace_id_is_path_not_found(self, api: Api) -> None:
        """The recorded fatal exception: /v1/workspaces/bad_workspace_id/query is 404 PathNotFoundError."""
        r = await api.query({"query": "AppRequests"}, url="/query/v1/workspaces/bad_workspace_id/query")
        assert r.status_code == 404
        err = error_of(r)
        assert (err["code"], err["message"]) == ("PathNotFoundError", "The requested path does not exist")

    async def test_unknown_path_is_json_path_not_found(self, api: Api) -> None:
        """A path under the API's root that it does not serve: JSON 404 PathNotFoundError, not plain text."""
        r = await api.query({"query": "print 1"}, url=f"/query/v1/workspaces/{WS_ID}/nothing")
        assert r.status_code == 404 and error_of(r)["code"] == "PathNotFoundError"

    async def test_no_token_is_authorization_required(self, api: Api) -> None:
        """Without a token: 401 AuthorizationRequiredError."""
        r = await api.query({"query": "print 1"}, auth=False)
        assert r.status_code == 401 and error_of(r)["code"] == "AuthorizationRequiredError"


class TestDatetimeValues:
    async def test_recorded_response_types_query(self, api: Api) -> None:
        """azure-monitor-query's recorded response-types query answers as Azure did, datetime trimmed."""
        kql = (
            'print "hello", true, make_datetime("2000-01-02 03:04:05Z"), toint(100), long(101), 102.1\n'
            "| project stringcolumn=print_0, boolcolumn=print_1, datecolumn=print_2,"
            " intcolumn=print_3, longcolumn=print_4, realcolumn=print_5"
        )
        r = await api.query({"query": kql, "timespan": None, "workspaces": None})
        assert r.status_code == 200, r.text
        table = r.json()["tables"][0]
        assert [c["type"] for c in table["columns"]] == ["string", "bool", "datetime", "int", "long", "real"]
        assert table["rows"] == [["hello", True, "2000-01-02T03:04:05Z", 100, 101, 102.1]]

    async def test_fractional_seconds_are_trimmed(self, api: Api) -> None:
        """2015-12-31 23:59:59.9 is written 2015-12-31T23:59:59.9Z, not ...59.9000000Z."""
        kql = "print a = datetime(2015-12-31 23:59:59.9), b = make_datetime(2015, 12, 31, 23, 59, 59.9)"
        r = await api.query({"query": kql})
        assert r.json()["tables"][0]["rows"] == [["2015-12-31T23:59:59.9Z", "2015-12-31T23:59:59.9Z"]]


class TestOwnAudiences:
    @pytest.mark.parametrize(
        "audience",
        [
            "https://127.0.0.1:9",
            "https://localhost:9/",
            "https://127.0.0.1:9/query",
            "https://127.0.0.1:9/query/",
        ],
    )
    async def test_the_emulators_origin_and_query_resource_are_accepted(
        self, api: Api, audience: str
    ) -> None:
        """The origin (azure-monitor-query's LogsQueryClient given only an endpoint asks for its origin)
        and ``{origin}/query`` (the CLI's logAnalyticsResourceId) are query audiences."""
        api.auth = {"Authorization": f"Bearer {token(api.ctx, 'vm', audience)}"}
        r = await api.query({"query": "print x = 1"})
        assert r.status_code == 200, r.text

    @pytest.mark.parametrize(
        "audience", ["https://127.0.0.1:9/other", "https://127.0.0.1:10", "https://monitor.azure.com"]
    )
    async def test_other_audiences_are_still_refused(self, api: Api, audience: str) -> None:
        """Another path under the origin, another port, or the ingestion audience: 403 wrong audience."""
        api.auth = {"Authorization": f"Bearer {token(api.ctx, 'vm', audience)}"}
        r = await api.query({"query": "print x = 1"})
        assert r.status_code == 403
        assert error_of(r)["code"] == "InvalidAuthenticationTokenAudience"


class TestCaller:
    async def test_current_principal_is_the_tokens_caller(self, api: Api) -> None:
        """The query runs as the token's principal: a managed identity's app-only token is aadapp."""
        vm = api.ctx.tenant.identity("vm")
        kql = "print p = current_principal(), m = current_principal_is_member_of('aadgroup=nobody')"
        r = await api.query({"query": kql})
        assert r.status_code == 200, r.text
        assert r.json()["tables"][0]["rows"] == [[f"aadapp={vm.client_id};{api.ctx.issuer.tenant_id}", False]]

    async def test_each_batch_item_runs_as_the_caller(self, api: Api) -> None:
        vm = api.ctx.tenant.identity("vm")
        r = await api.batch({"requests": [batch_item("a", "print d = current_principal_details().ObjectId")]})
        assert r.status_code == 200, r.text
        assert r.json()["responses"][0]["body"]["tables"][0]["rows"] == [[vm.principal_id]]
