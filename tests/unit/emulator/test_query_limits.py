"""The query API's limits in-process (ASGI): server timeout, Prefer: wait, result truncation, runaways.

Sources of the expected answers: Microsoft Learn "Timeouts" (3 minutes by default, at most 10,
``Prefer: wait=N``, 504 past it), the SDKs' TROUBLESHOOTING guides (the 504 body), "Azure Monitor
service limits" and Kusto "Query limits" (500,000 records, 64 MB), a recorded partial answer
(grafana's Log Analytics testdata: PartialError > EngineError > innererror -2133196797), and issue 11
(``range x from 1 to 20000000 step 1 | count`` answered 10000001: never a silently wrong number).
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import orjson
import pytest

from azlogs import facts
from azlogs.emulator.query import limits
from tests.unit.emulator.test_query_plane import BATCH_URL, QUERY_URL, Api, batch_item
from tests.unit.emulator.test_query_plane import api as api

RUNAWAY = "range x from 1 to 10000000000 step 1 | count"


async def ask(api: Api, kql: str, *, prefer: str | None = None) -> httpx.Response:
    """POST the query, with a ``Prefer`` header when given, waiting as long as the slowest run here."""
    headers = {"Content-Type": "application/json", **api.auth}
    if prefer is not None:
        headers["Prefer"] = prefer
    return await api.http.post(QUERY_URL, content=orjson.dumps({"query": kql}), headers=headers, timeout=60)


def rows_of(r: httpx.Response) -> list[list[Any]]:
    rows: list[list[Any]] = r.json()["tables"][0]["rows"]
    return rows


def assert_gateway_timeout(r: httpx.Response) -> None:
    assert r.status_code == 504, r.text
    err = r.json()["error"]
    assert (err["code"], err["message"]) == ("GatewayTimeout", "Gateway timeout")
    assert err["innererror"] == {"code": "GatewayTimeout", "message": "Kusto query timed out"}
    assert "x-ms-request-id" in r.headers


class TestPreferWait:
    @pytest.mark.parametrize(
        ("prefer", "wait"),
        [
            ("wait=30", 30),
            ("wait=30,include-statistics=true", 30),  # azure-monitor-query's process_prefer
            ("include-render=true, wait=5", 5),
            ("include-statistics=true", None),
            ("wait=soon", None),
            ("", None),
            (None, None),
        ],
    )
    def test_wait_is_read_from_the_prefer_list(self, prefer: str | None, wait: int | None) -> None:
        """wait=N is found among the comma-separated preferences; a malformed one is ignored."""
        assert limits.requested_wait(prefer) == wait

    async def test_wait_is_clamped_to_ten_minutes_and_default_is_three(self, api: Api) -> None:
        """Without wait the server timeout is 3 minutes; wait=N is honoured up to 10 minutes."""
        default = limits.QueryLimits.for_request(api.ctx, None)
        assert (default.timeout, default.applied) == (facts.QUERY_DEFAULT_TIMEOUT_SECONDS, None)
        long = limits.QueryLimits.for_request(api.ctx, "wait=100000")
        assert (long.timeout, long.applied) == (facts.QUERY_MAX_TIMEOUT_SECONDS, "wait=600")

    async def test_a_query_past_wait_answers_504_with_preference_applied(self, api: Api) -> None:
        """A query running longer than Prefer: wait=1 is stopped and answered 504 GatewayTimeout, wait applied."""
        r = await ask(api, RUNAWAY, prefer="wait=1")
        assert_gateway_timeout(r)
        assert r.headers["preference-applied"] == "wait=1"

    async def test_the_default_server_timeout_stops_a_query_without_wait(self, api: Api) -> None:
        """Without Prefer, the emulator's server timeout (3 minutes by default, here 1 s) ends the run with 504."""
        api.ctx.settings.limits.query_timeout_seconds = 1
        r = await ask(api, RUNAWAY)
        assert_gateway_timeout(r)
        assert "preference-applied" not in r.headers

    async def test_a_query_within_wait_answers_200_with_preference_applied(self, api: Api) -> None:
        """A query that ends in time is answered as usual and says which preference was applied."""
        r = await ask(api, "print x = 1", prefer="wait=30,include-statistics=true")
        assert r.status_code == 200 and rows_of(r) == [[1]]
        assert r.headers["preference-applied"] == "wait=30"

    async def test_range_twenty_million_is_right_or_an_error(self, api: Api) -> None:
        """`range x from 1 to 20000000 step 1 | count` answers 20000000 or a 504, never another number (issue 11)."""
        r = await ask(api, "range x from 1 to 20000000 step 1 | count", prefer="wait=2")
        if r.status_code == 504:
            assert_gateway_timeout(r)
        else:
            assert r.status_code == 200 and rows_of(r) == [[20_000_000]] and "error" not in r.json()

    async def test_batch_items_honour_their_own_prefer(self, api: Api) -> None:
        """A $batch item with Prefer: wait=1 in its headers gets the 504 in its own response; the others run."""
        items = [batch_item("slow", RUNAWAY, headers={"prefer": "wait=1"}), batch_item("fast", "print y = 2")]
        r = await api.http.post(
            BATCH_URL,
            content=orjson.dumps({"requests": items}),
            headers={"Content-Type": "application/json", **api.auth},
            timeout=60,
        )
        assert r.status_code == 200
        answers = {a["id"]: a for a in r.json()["responses"]}
        assert answers["slow"]["status"] == 504
        assert answers["slow"]["body"]["error"]["code"] == "GatewayTimeout"
        assert answers["fast"]["status"] == 200 and answers["fast"]["body"]["tables"][0]["rows"] == [[2]]


class TestConcurrency:
    async def test_queries_past_the_concurrency_wait_within_their_timeout(self, api: Api) -> None:
        """With one query slot busy, a query that cannot start before its wait ends answers 504 without running."""
        api.ctx.settings.limits.concurrent_queries = 1
        busy = asyncio.ensure_future(ask(api, RUNAWAY, prefer="wait=3"))
        await asyncio.sleep(0.5)
        queued = await ask(api, "print x = 1", prefer="wait=1")
        assert_gateway_timeout(queued)
        assert not busy.done()  # the event loop answered while the runaway held the slot
        assert_gateway_timeout(await busy)
        after = await ask(api, "print x = 1")
        assert after.status_code == 200 and rows_of(after) == [[1]]

    async def test_the_event_loop_answers_while_a_query_runs(self, api: Api) -> None:
        """A quick query is answered while a runaway one is still running on its worker thread."""
        slow = asyncio.ensure_future(ask(api, RUNAWAY, prefer="wait=3"))
        await asyncio.sleep(0.2)
        quick = await ask(api, "print x = 1")
        assert quick.status_code == 200 and rows_of(quick) == [[1]]
        assert not slow.done()
        assert_gateway_timeout(await slow)


class TestResultLimits:
    @staticmethod
    def assert_partial(r: httpx.Response, code: str, words: str) -> None:
        assert r.status_code == 200, r.text
        err = r.json()["error"]
        assert (err["code"], err["message"]) == ("PartialError", limits.PARTIAL_MESSAGE)
        (detail,) = err["details"]
        assert (detail["code"], detail["message"]) == ("EngineError", limits.ENGINE_MESSAGE)
        inner = detail["innererror"]
        assert (inner["code"], inner["severity"], inner["severityName"]) == (code, 2, "Error")
        assert words in inner["message"]

    async def test_rows_past_500000_are_cut_with_a_partial_error(self, api: Api) -> None:
        """500,001 rows answer the first 500,000 and a PartialError (E_QUERY_RESULT_SET_TOO_LARGE), never silently."""
        r = await ask(api, f"range x from 1 to {facts.QUERY_MAX_RECORDS + 1} step 1")
        self.assert_partial(
            r, facts.KUSTO_E_QUERY_RESULT_SET_TOO_LARGE, "exceed the set limit of 500000 records"
        )
        rows = rows_of(r)
        assert len(rows) == facts.QUERY_MAX_RECORDS and rows[-1] == [facts.QUERY_MAX_RECORDS]

    async def test_exactly_the_row_limit_is_whole(self, api: Api) -> None:
        """A result of exactly the record limit is complete: no error."""
        api.ctx.settings.limits.query_max_records = 10
        r = await ask(api, "range x from 1 to 10 step 1")
        assert r.status_code == 200 and len(rows_of(r)) == 10 and "error" not in r.json()

    async def test_bytes_past_the_size_limit_are_cut_with_a_partial_error(self, api: Api) -> None:
        """A result past the data size limit is cut and says so with the same PartialError code."""
        api.ctx.settings.limits.query_max_result_bytes = 10_000
        r = await ask(api, "range x from 1 to 1000 step 1 | extend s = strrep('a', 100)")
        self.assert_partial(
            r, facts.KUSTO_E_QUERY_RESULT_SET_TOO_LARGE, "exceed the set limit of 10000 bytes"
        )
        assert 0 < len(rows_of(r)) < 1000

    async def test_a_query_past_the_memory_budget_is_a_runaway_partial_error(self, api: Api) -> None:
        """A sort that would hold more rows than the budget answers E_RUNAWAY_QUERY with no rows, not a wrong answer."""
        api.ctx.settings.limits.kql_max_held_rows = 100
        r = await ask(api, "range x from 1 to 1000 step 1 | sort by x desc")
        self.assert_partial(r, facts.KUSTO_E_RUNAWAY_QUERY, "E_RUNAWAY_QUERY")
        assert rows_of(r) == []

    async def test_a_query_past_the_memory_limit_is_a_runaway_partial_error(self, api: Api) -> None:
        """Rows that each hold a large string, sorted, stop at the run's memory growth limit: E_RUNAWAY_QUERY, no rows."""
        api.ctx.settings.limits.kql_max_run_memory_bytes = 64 * 2**20
        # 2,000 rows of 256 KiB strings: 512 MiB held by the sort, far under the held-rows limit.
        r = await ask(
            api,
            "range x from 1 to 2000 step 1 | extend s = strrep(strrep('abcd', 256), 256) | extend s = strcat(s, x) | sort by x | count",
        )
        self.assert_partial(r, facts.KUSTO_E_RUNAWAY_QUERY, "MiB")
        assert rows_of(r) == []
