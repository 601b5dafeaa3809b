"""The Kusto documentation's examples through the emulator's query API (in-process ASGI).

The conformance cases (tests/unit/kql/test_conformance_docs.py and test_docs_operators.py, each a query
and the output table its page prints) are posted to ``/v1/workspaces/{id}/query`` as a client sends
them, and the API's JSON answer is read back as a client reads it: datetimes and timespans from their
text, dynamic values from their JSON text, reals from ``NaN``/``Infinity``. What a user of the query API
sees is the page's table, not only what the engine returns inside the process.
"""

from __future__ import annotations

import asyncio
import decimal
import math
from collections.abc import Iterator
from typing import Any

import httpx
import orjson
import pytest
from starlette.applications import Starlette

from azlogs.emulator.context import Context
from azlogs.emulator.ingestion import plane as ingestion_plane
from azlogs.emulator.query import routes as query_routes
from azlogs.kql._values import parse_datetime, parse_timespan
from tests.unit.emulator.test_ingestion_helpers import make_context, table_schema, token
from tests.unit.emulator.test_query_plane import AUDIENCE, QUERY_URL, QueryControl
from tests.unit.kql._docs_examples_operators import DOC_EXAMPLES_OPERATORS, UNORDERED
from tests.unit.kql._helpers import FIXED_NOW
from tests.unit.kql.test_conformance_docs import _OTHER, CASES, _near
from tests.unit.kql.test_docs_operators import _cmp

# (id, query, columns as (name, type) or names only, rows, rows in any order)
_ALL: list[tuple[str, str, list[Any], list[list[Any]], bool]] = [
    *((c.page, c.query, c.columns, c.rows, False) for c in CASES),
    *((page, q, names, rows, False) for page, q, names, rows in _OTHER),
    *((page, q, cols, rows, page in UNORDERED) for page, q, cols, rows in DOC_EXAMPLES_OPERATORS),
]


class _Api:
    def __init__(self, ctx: Context, app: Starlette) -> None:
        self.app = app
        self.headers = {
            "Authorization": f"Bearer {token(ctx, 'vm', AUDIENCE)}",
            "Content-Type": "application/json",
        }

    async def _post(self, kql: str) -> httpx.Response:
        transport = httpx.ASGITransport(app=self.app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="https://127.0.0.1:9") as http:
            return await http.post(QUERY_URL, content=orjson.dumps({"query": kql}), headers=self.headers)

    def query(self, kql: str) -> dict[str, Any]:
        r = asyncio.run(self._post(kql))
        assert r.status_code == 200, r.text
        body: dict[str, Any] = r.json()
        return body


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[_Api]:
    control = QueryControl()
    control.add_table(table_schema())
    ctx = make_context(tmp_path_factory.mktemp("conformance"), control)
    ctx.clock = lambda: FIXED_NOW  # the cases' now(), as the engine's own tests run them
    app = Starlette(routes=[*ingestion_plane(ctx), *query_routes(ctx)])
    app.state.ctx = ctx
    control.grant(ctx.tenant.identity("vm").principal_id, control.workspace.resource_id)
    yield _Api(ctx, app)
    ctx.ingestion.close()


def _read(value: Any, kind: str) -> Any:
    """A cell of the API's JSON as a client's reader takes it back to a value of the column's type."""
    if value is None:
        return None
    if kind == "datetime":
        return parse_datetime(value)
    if kind == "timespan":
        return parse_timespan(value)
    if kind == "dynamic":
        # Dynamic cells are JSON text (a bare string stays as it is): what parses is the value.
        try:
            return orjson.loads(value)
        except orjson.JSONDecodeError:
            return value
    if kind == "real" and isinstance(value, str):
        return {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}[value]
    if kind == "decimal":
        return decimal.Decimal(value)
    return value


@pytest.mark.parametrize(("page", "query", "columns", "rows", "unordered"), _ALL, ids=[c[0] for c in _ALL])
def test_example_answers_through_the_query_api_as_the_page_shows(
    api: _Api, page: str, query: str, columns: list[Any], rows: list[list[Any]], unordered: bool
) -> None:
    """The answer's first table has the page's column names (and types, where the case gives them)
    and, read back from the API's JSON, the page's rows."""
    table = api.query(query)["tables"][0]
    got_columns = [(c["name"], c["type"]) for c in table["columns"]]
    if columns and isinstance(columns[0], tuple):
        assert got_columns == columns
    else:
        assert [n for n, _ in got_columns] == columns
    kinds = [t for _, t in got_columns]
    got = _cmp([[_read(v, k) for v, k in zip(row, kinds, strict=True)] for row in table["rows"]])
    want = _cmp(rows)
    if unordered:
        got, want = sorted(got, key=repr), sorted(want, key=repr)
    assert got == want or _near(got, want), (got, want)


def test_every_case_runs_through_the_api() -> None:
    """Each case is one example of one page, in one suite only, and none of the suites went missing
    (687 cases on 2026-12-04; the count only grows)."""
    assert len({c[0] for c in _ALL}) == len(_ALL)
    assert len(_ALL) >= 687
