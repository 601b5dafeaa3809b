"""The query API's optional answers and other entry points, in-process (ASGI).

``Prefer: include-statistics/include-render`` (Microsoft Learn "Prefer options"; the shapes of the
monitor-query READMEs), ``set`` statements (Kusto "set statement", "Query limits"), resource-centric
queries (Learn "Querying logs for Azure resources") and the API at the origin (``/v1/...``, where
``@azure/monitor-query`` 1.x sends it). Each failed on the code before it: no ``statistics`` or
``render`` member, ``set`` a syntax error, and 404 for ``/v1/...`` and resource paths.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st
from starlette.applications import Starlette

from azlogs.emulator.control import ids
from azlogs.emulator.faults import endpoint_group
from azlogs.emulator.guards import LARGE_BODY_MAX, body_cap
from azlogs.emulator.ingestion import plane as ingestion_plane
from azlogs.emulator.query import routes as query_routes
from azlogs.emulator.query.prefer import parse_prefer
from azlogs.emulator.query.resources import LOGS_READ_ACTION, ScopedProvider, resource_of
from azlogs.emulator.store import TableWrite, WorkspaceRef
from azlogs.emulator.store.columns import to_ticks
from azlogs.kql import MemoryProvider, run_query
from tests.unit.emulator.test_ingestion_helpers import (
    BASE,
    RG,
    SUB,
    WS_ID,
    WS_RID,
    make_context,
    table_schema,
    token,
)
from tests.unit.emulator.test_query_fuzz import Harness, _check, _headers, json_values, mostly, query_bodies
from tests.unit.emulator.test_query_plane import AUDIENCE, QueryControl, batch_item
from tests.unit.fuzz.profiles import fuzz_settings

T0 = dt.datetime(2026, 1, 2, 3, 0, tzinfo=dt.timezone.utc)
DCR_RID = f"{RG}/providers/Microsoft.Insights/dataCollectionRules/app-dcr"


class ResourceControl(QueryControl):
    """The fake control plane with resources (the subscription, its group, a DCR) and logs read."""

    def resource_exists(self, resource_id: str) -> bool:
        return ids.fold(resource_id) in {ids.fold(r) for r in (f"/subscriptions/{SUB}", RG, DCR_RID, WS_RID)}

    def has_permission(self, principal_id: str, scope: str, action: str) -> bool:
        if action != LOGS_READ_ACTION:
            return super().has_permission(principal_id, scope, action)
        return any(p == principal_id.lower() and ids.is_within(scope, s) for p, s in self.grants)


class Api:
    def __init__(self, ctx: Any, http: httpx.AsyncClient, control: ResourceControl) -> None:
        self.ctx, self.http, self.control = ctx, http, control
        self.auth = {"Authorization": f"Bearer {token(ctx, 'vm', AUDIENCE)}"}

    async def post(self, url: str, body: Any, **headers: str) -> httpx.Response:
        sent = {"Content-Type": "application/json", **self.auth, **headers}
        return await self.http.post(url, content=orjson.dumps(body), headers=sent)

    def write_rows(self, n: int) -> None:
        """``n`` rows of App_CL, one a minute from T0, straight into the store."""
        rows = [(to_ticks(T0 + dt.timedelta(minutes=i)), f"vm-{i % 2}", 200 + i) for i in range(n)]
        ref = WorkspaceRef(WS_ID, WS_RID)
        write = TableWrite(ref, table_schema(), ("TimeGenerated", "Computer", "Code"), rows, to_ticks(T0))
        self.ctx.store.write([write])


@pytest.fixture
async def api(tmp_path: Path) -> AsyncIterator[Api]:
    control = ResourceControl()
    control.add_table(table_schema())
    ctx = make_context(tmp_path, control)
    app = Starlette(routes=[*ingestion_plane(ctx), *query_routes(ctx)])
    app.state.ctx = ctx
    control.grant(ctx.tenant.identity("vm").principal_id, WS_RID)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as http:
        yield Api(ctx, http, control)
    ctx.ingestion.close()


QUERY = f"/query/v1/workspaces/{WS_ID}/query"


class TestPreferHeader:
    def test_options_from_one_or_several_headers(self) -> None:
        """The SDKs' comma-joined form and separate headers read alike; a bare name is true."""
        one = parse_prefer(["wait=30,include-statistics=true,include-render=true"])
        several = parse_prefer(["wait=30", "include-statistics=true; x=y", "include-render"])
        for p in (one, several):
            assert p.statistics and p.render and p.wait == "30"
        assert not parse_prefer([]).statistics and not parse_prefer(["include-render=false"]).render


class TestStatistics:
    async def test_statistics_in_azures_shape(self, api: Api) -> None:
        """include-statistics=true: statistics.query with execution time, CPU, what was scanned and returned."""
        api.write_rows(5)
        kql = "App_CL | where Code >= 202 | project Computer, Code"
        r = await api.post(QUERY, {"query": kql}, Prefer="include-statistics=true")
        assert r.status_code == 200, r.text
        stats = r.json()["statistics"]["query"]
        assert isinstance(stats["executionTime"], float) and stats["executionTime"] >= 0
        usage = stats["resourceUsage"]
        assert set(usage) == {"cache", "cpu", "memory", "network"}
        assert usage["cpu"]["totalCpu"].startswith("00:00:")
        scanned = stats["inputDatasetStatistics"]
        assert scanned["rows"] == {"scanned": 5, "total": 5}
        assert scanned["extents"]["scanned"] == 1
        assert scanned["extents"]["scannedMinDatetime"] == "2026-01-02T03:00:00.0000000Z"
        assert scanned["extents"]["scannedMaxDatetime"] == "2026-01-02T03:04:00.0000000Z"
        assert stats["datasetStatistics"][0]["tableRowCount"] == 3
        assert stats["datasetStatistics"][0]["tableSize"] > 0

    async def test_no_statistics_unless_asked(self, api: Api) -> None:
        """Without the preference the answer has only tables."""
        r = await api.post(QUERY, {"query": "print 1 | render table"})
        assert set(r.json()) == {"tables"}


class TestRender:
    async def test_render_object_from_the_query(self, api: Api) -> None:
        """include-render=true: the render operator's chart and properties, unset ones null, yMin NaN."""
        kql = (
            "range x from 1 to 3 step 1 | summarize n = count() by x | sort by x asc"
            ' | render timechart with (title="Requests", ycolumns=n, xtitle="when", accumulate=true)'
        )
        r = await api.post(QUERY, {"query": kql}, Prefer="include-render=true")
        assert r.status_code == 200, r.text
        render = r.json()["render"]
        assert render == {
            "visualization": "timechart",
            "title": "Requests",
            "accumulate": True,
            "isQuerySorted": True,
            "kind": None,
            "legend": None,
            "series": None,
            "yMin": "NaN",
            "yMax": "NaN",
            "xAxis": None,
            "xColumn": None,
            "xTitle": "when",
            "yAxis": None,
            "yColumns": ["n"],
            "ySplit": None,
            "yTitle": None,
            "anomalyColumns": None,
        }
        assert len(r.json()["tables"][0]["rows"]) == 3

    async def test_docs_example_without_with(self, api: Api) -> None:
        """The Prefer-options page's 'render barchart title=...' form is read too."""
        kql = "print n = 1 | render barchart title='24H Perf events'"
        render = (await api.post(QUERY, {"query": kql}, Prefer="include-render=true")).json()["render"]
        assert render["visualization"] == "barchart" and render["title"] == "24H Perf events"

    async def test_no_render_member_without_render_operator(self, api: Api) -> None:
        """A query without render has no render member even when asked."""
        r = await api.post(QUERY, {"query": "print 1"}, Prefer="include-render=true,include-statistics=true")
        assert "render" not in r.json() and "statistics" in r.json()

    async def test_batch_items_take_their_own_prefer(self, api: Api) -> None:
        """A $batch item's headers.Prefer applies to that item only."""
        asked = batch_item("a", "print n = 1 | render piechart", headers={"Prefer": "include-render=true"})
        plain = batch_item("b", "print n = 1 | render piechart")
        stats = batch_item("c", "print n = 1", headers={"prefer": "include-statistics=true"})
        r = await api.post("/query/v1/$batch", {"requests": [asked, plain, stats]})
        bodies = {x["id"]: x["body"] for x in r.json()["responses"]}
        assert bodies["a"]["render"]["visualization"] == "piechart"
        assert "render" not in bodies["b"] and "statistics" not in bodies["b"]
        assert bodies["c"]["statistics"]["query"]["datasetStatistics"][0]["tableRowCount"] == 1


class TestSetStatements:
    async def test_truncationmaxrecords_is_a_partial_error(self, api: Api) -> None:
        """set truncationmaxrecords=1; T | take 5 answers one row and a PartialError, as Azure does."""
        api.write_rows(5)
        r = await api.post(QUERY, {"query": "set truncationmaxrecords=1; App_CL | take 5"})
        assert r.status_code == 200, r.text
        body = r.json()
        assert len(body["tables"][0]["rows"]) == 1
        err = body["error"]
        assert err["code"] == "PartialError"
        inner = err["details"][0]["innererror"]
        assert inner["code"] == "-2133196797"
        assert inner["message"] == "The results of this query exceed the set limit of 1 records."

    async def test_truncationmaxsize_cuts_by_size(self, api: Api) -> None:
        """set truncationmaxsize cuts the rows at that many bytes, with a PartialError."""
        kql = "set truncationmaxsize=100; range x from 1 to 100 step 1 | extend s = strrep('a', 20)"
        body = (await api.post(QUERY, {"query": kql})).json()
        assert 0 < len(body["tables"][0]["rows"]) < 100 and body["error"]["code"] == "PartialError"
        inner = body["error"]["details"][0]["innererror"]
        assert inner["message"] == "The results of this query exceed the set limit of 100 bytes."

    async def test_query_now_sets_now(self, api: Api) -> None:
        """set query_now fixes what now() and ago() read."""
        kql = "set query_now = datetime(2020-01-02 03:04:05); print now(), ago(1d)"
        r = await api.post(QUERY, {"query": kql})
        assert r.json()["tables"][0]["rows"] == [["2020-01-02T03:04:05Z", "2020-01-01T03:04:05Z"]]

    async def test_accepted_options_change_nothing(self, api: Api) -> None:
        """Documented request properties the emulator does not act on are accepted."""
        kql = "set notruncation; set query_results_cache_max_age = time(1h); set servertimeout=10m; print 1"
        body = (await api.post(QUERY, {"query": kql})).json()
        assert body == {
            "tables": [
                {"name": "PrimaryResult", "columns": [{"name": "print_0", "type": "long"}], "rows": [[1]]}
            ]
        }

    async def test_unknown_option_is_a_semantic_error(self, api: Api) -> None:
        """A name that is not a request property is 400 BadArgumentError > SemanticError, never ignored."""
        r = await api.post(QUERY, {"query": "set nosuchoption = 1; print 1"})
        assert r.status_code == 400
        inner = r.json()["error"]["innererror"]
        assert inner["code"] == "SemanticError" and "nosuchoption" in inner["innererror"]["message"]

    async def test_set_after_the_query_is_refused(self, api: Api) -> None:
        """set must come before the tabular expression."""
        r = await api.post(QUERY, {"query": "print 1; set notruncation"})
        assert r.status_code == 400 and r.json()["error"]["code"] == "BadArgumentError"


class TestResourceQueries:
    def test_resource_of_path(self) -> None:
        """The resource id is the path before /query; extra leading slashes fold; other paths are None."""
        assert resource_of(f"{WS_RID[1:]}/query") == WS_RID
        assert resource_of(f"/{DCR_RID}/query") == DCR_RID
        assert resource_of(f"subscriptions/{SUB}/query") == f"/subscriptions/{SUB}"
        assert resource_of(f"subscriptions/{SUB}/resourceGroups/rg/query") == RG
        for bad in (
            "workspaces/x/metadata",
            f"subscriptions/{SUB}",
            f"subscriptions/{SUB}/providers/x/query",
        ):
            assert resource_of(bad) is None

    async def test_workspace_resource_id_is_a_workspace_query(self, api: Api) -> None:
        """POST /v1/{workspace resource id}/query answers the workspace's rows (query_resource's path)."""
        api.write_rows(3)
        r = await api.post(f"/query/v1{WS_RID}/query", {"query": "App_CL | count"})
        assert r.status_code == 200, r.text
        assert r.json()["tables"][0]["rows"] == [[3]]

    @pytest.mark.parametrize("scope", [f"/subscriptions/{SUB}", RG, DCR_RID])
    async def test_other_scopes_see_no_logs_ingestion_rows(self, api: Api, scope: str) -> None:
        """Subscription, resource group, DCR: the tables resolve; Logs Ingestion rows have no _ResourceId."""
        api.write_rows(3)
        api.control.grant(api.ctx.tenant.identity("vm").principal_id, scope)
        r = await api.post(f"/query/v1{scope}/query", {"query": "App_CL | count"})
        assert r.status_code == 200, r.text
        assert r.json()["tables"][0]["rows"] == [[0]]
        get = await api.http.get(f"/v1{scope}/query", params={"query": "App_CL | take 1"}, headers=api.auth)
        assert get.status_code == 200 and get.json()["tables"][0]["rows"] == []

    async def test_unknown_resource_is_404(self, api: Api) -> None:
        """A resource that does not exist: 404 ResourceNotFoundError naming it."""
        rid = f"{RG}/providers/Microsoft.Storage/storageAccounts/nothere"
        r = await api.post(f"/query/v1{rid}/query", {"query": "print 1"})
        assert r.status_code == 404
        assert r.json()["error"]["code"] == "ResourceNotFoundError" and rid in r.json()["error"]["message"]

    async def test_no_read_access_to_the_resource_is_403(self, api: Api) -> None:
        """Without logs read on the scope: 403 InsufficientAccessError > AuthorizationFailedError."""
        r = await api.post(f"/query/v1{DCR_RID}/query", {"query": "print 1"})
        assert r.status_code == 403
        err = r.json()["error"]
        assert err["code"] == "InsufficientAccessError"
        assert err["innererror"]["code"] == "AuthorizationFailedError"

    async def test_no_token_is_401(self, api: Api) -> None:
        """A resource query without a token is 401 AuthorizationRequiredError, as a workspace query."""
        r = await api.http.post(f"/v1{DCR_RID}/query", json={"query": "print 1"})
        assert r.status_code == 401 and r.json()["error"]["code"] == "AuthorizationRequiredError"

    def test_scoped_provider_keeps_rows_within_the_scope(self) -> None:
        """Rows that do carry a _ResourceId are kept when it lies at or below the scope (case-insensitive)."""
        vm = f"{RG}/providers/Microsoft.Compute/virtualMachines/vm1"
        other = f"/subscriptions/{SUB}/resourceGroups/other/providers/Microsoft.Compute/virtualMachines/vm2"
        rows = [
            {"_ResourceId": vm.upper(), "n": 1},
            {"_ResourceId": other, "n": 2},
            {"_ResourceId": "", "n": 3},
        ]
        mem = MemoryProvider({"T": ([("_ResourceId", "string"), ("n", "long")], rows)})
        for scope, expected in ((RG, [[1]]), (f"/subscriptions/{SUB}", [[1], [2]]), (vm, [[1]])):
            result = run_query("T | project n", ScopedProvider([mem], scope))
            assert result.tables[0].rows == expected


class TestOrigin:
    def test_origin_paths_are_the_query_group(self) -> None:
        """/v1/... is the query API for faults, the request log and body caps, as /query/v1/... is."""
        for path in (f"/v1/workspaces/{WS_ID}/query", "/v1/$batch", f"/v1{DCR_RID}/query"):
            assert endpoint_group(path) == "query"
            assert body_cap(path) == LARGE_BODY_MAX

    async def test_workspace_query_and_batch_at_the_origin(self, api: Api) -> None:
        """POST /v1/workspaces/{id}/query and /v1/$batch, where @azure/monitor-query 1.x sends them."""
        one = await api.post(f"/v1/workspaces/{WS_ID}/query", {"query": "print x = 1"})
        assert one.status_code == 200 and one.json()["tables"][0]["rows"] == [[1]]
        batch = await api.post("/v1/$batch", {"requests": [batch_item("a")]})
        assert batch.status_code == 200 and batch.json()["responses"][0]["status"] == 200
        assert (await api.post("/v1/nothing", {})).json()["error"]["code"] == "PathNotFoundError"

    @pytest.mark.parametrize("audience", [BASE, f"{BASE}/query"])
    async def test_the_emulators_own_host_is_an_audience(self, api: Api, audience: str) -> None:
        """A token for the emulator's host (the Python SDK's default audience for its endpoint) is taken."""
        auth = {"Authorization": f"Bearer {token(api.ctx, 'vm', audience)}"}
        r = await api.http.post(f"/v1/workspaces/{WS_ID}/query", json={"query": "print 1"}, headers=auth)
        assert r.status_code == 200, r.text


_resource_paths = st.lists(
    st.sampled_from(
        ["subscriptions", SUB, "resourceGroups", "rg", "providers", "Microsoft.Insights", "x", "query"]
    )
    | st.text(
        st.characters(min_codepoint=32, max_codepoint=0x2FFF, blacklist_characters="/"),
        min_size=1,
        max_size=12,
    ).map(quote),
    max_size=9,
).map(lambda parts: "/".join(parts))


def test_resource_paths_never_500() -> None:
    """Random paths under /query/v1/ and /v1/ (resource ids or not), bodies and Prefer: a documented answer."""
    with tempfile.TemporaryDirectory() as tmp:
        h = Harness(Path(tmp))
        try:

            @fuzz_settings(150)
            @given(
                root=st.sampled_from(["/query/v1/", "/v1/", "/v1//"]),
                path=_resource_paths,
                body=mostly(query_bodies, json_values),
                prefer=st.none() | st.sampled_from(["include-statistics=true,include-render=true", "wait=1"]),
                method=st.sampled_from(["POST", "GET", "PUT"]),
            )
            def one(root: str, path: str, body: Any, prefer: str | None, method: str) -> None:
                url = root + path + ("/query" if not path.endswith("query") else "")
                content = orjson.dumps(body, option=orjson.OPT_NON_STR_KEYS)
                _check(h.send(method, url, content, _headers(h, "good", prefer)))

            one()
        finally:
            h.close()
