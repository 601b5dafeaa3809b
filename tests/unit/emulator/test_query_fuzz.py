"""Fuzz of the query API's request parsing, in-process (ASGI): never a 500, never a hang.

Bounded and derandomized, so CI sees the same examples every run. Bodies are random JSON (odd types
where strings belong), timespans from valid to overflowing, ``$batch`` shapes (items of every type,
duplicate ids, odd paths and methods), headers (Prefer, Authorization) and workspace path segments.
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import orjson
from hypothesis import given
from hypothesis import strategies as st
from starlette.applications import Starlette

from azlogs.emulator.ingestion import plane as ingestion_plane
from azlogs.emulator.query import routes as query_routes
from tests.unit.emulator.test_ingestion_helpers import WS_ID, make_context, table_schema, token
from tests.unit.emulator.test_query_plane import AUDIENCE, QueryControl
from tests.unit.fuzz.profiles import fuzz_settings

# Every status the query API answers (docs/emulator.md, Azure's errors page); a 5xx or other fails.
DOCUMENTED = {200, 400, 401, 403, 404}
# One request's time budget; the examples are small, so only a hang reaches it.
HANG = 30.0


def mostly(good: st.SearchStrategy[Any], other: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """``good`` eight times in ten, else ``other``: most examples get past auth and reach the body."""
    return st.sampled_from([True] * 8 + [False] * 2).flatmap(lambda g: good if g else other)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.floats() | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=20,
)
number = st.integers(0, 10**15).map(str) | st.sampled_from(["1.5", "0", "99999999999999999999"])
durations = st.builds(
    lambda d, h, m, s: "P" + (f"{d}D" if d else "") + ("T" + h + m + s if h or m or s else ""),
    st.none() | number,
    st.sampled_from(["", "1H", "1000000000000H"]) | number.map(lambda n: n + "H"),
    st.sampled_from(["", "30M"]) | number.map(lambda n: n + "M"),
    st.sampled_from(["", "3600.0S"]) | number.map(lambda n: n + "S"),
)
instants = st.sampled_from(
    ["2024-01-01", "2024-01-01T00:00:00Z", "9999-12-31T00:00:00Z", "0001-01-01T00:00:00Z", "2024-13-01", "x"]
)
timespans = (
    durations
    | st.builds(lambda a, b: f"{a}/{b}", instants, instants | durations)
    | st.text(max_size=20)
    | json_values
)
queries = mostly(
    st.sampled_from(
        ["print 1", "print x = now()", "App_CL | take 1", "My Not So Valid Query", "App_CL | where Nope == 1"]
    ),
    st.just("") | st.text(max_size=30),
)
query_bodies = st.fixed_dictionaries(
    {"query": mostly(queries, json_values)},
    optional={"timespan": timespans, "workspaces": st.none() | st.lists(st.text(max_size=8)) | json_values},
)
batch_items = st.fixed_dictionaries(
    {"id": st.sampled_from(["1", "2"]) | json_values, "workspace": st.just(WS_ID) | json_values},
    optional={
        "body": query_bodies | json_values,
        "headers": st.dictionaries(st.sampled_from(["Prefer", "x"]), st.text(max_size=20)) | json_values,
        "path": st.sampled_from(["/query", "/metadata", "/x"]) | json_values,
        "method": st.sampled_from(["POST", "GET", "DELETE"]) | json_values,
    },
)
batch_bodies = mostly(
    st.fixed_dictionaries({"requests": st.lists(mostly(batch_items, json_values), max_size=4)}), json_values
)


class Harness:
    """One app, one client and one event loop for all examples (hypothesis runs examples synchronously)."""

    def __init__(self, tmp: Path) -> None:
        control = QueryControl()
        control.add_table(table_schema())
        self.ctx = make_context(tmp, control)
        app = Starlette(routes=[*ingestion_plane(self.ctx), *query_routes(self.ctx)])
        app.state.ctx = self.ctx
        control.grant(self.ctx.tenant.identity("vm").principal_id, control.workspace.resource_id)
        self.good = f"Bearer {token(self.ctx, 'vm', AUDIENCE)}"
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        self.http = httpx.AsyncClient(transport=transport, base_url="https://127.0.0.1:9")
        self.loop = asyncio.new_event_loop()

    def send(self, method: str, url: str, content: bytes, headers: dict[str, str]) -> httpx.Response:
        request = self.http.request(method, url, content=content, headers=headers)
        return self.loop.run_until_complete(asyncio.wait_for(request, HANG))

    def close(self) -> None:
        self.loop.run_until_complete(self.http.aclose())
        self.ctx.ingestion.close()
        self.loop.close()


def _check(r: httpx.Response) -> None:
    assert r.status_code in DOCUMENTED, (r.status_code, r.text[:500])
    assert r.headers["content-type"].startswith("application/json"), r.text[:200]
    body = r.json()
    assert isinstance(body, dict)
    if r.status_code != 200:
        assert isinstance(body["error"]["code"], str) and body["error"]["message"]


def test_query_requests_never_500_and_never_hang() -> None:
    """Random query bodies, timespans, headers and workspace segments: a documented status in the service's shape."""
    with tempfile.TemporaryDirectory() as tmp:
        h = Harness(Path(tmp))
        try:
            _fuzz_query(h)
        finally:
            h.close()


def test_batch_requests_never_500_and_never_hang() -> None:
    """Random $batch shapes: items of any type, duplicate ids, odd paths and methods; never a 500."""
    with tempfile.TemporaryDirectory() as tmp:
        h = Harness(Path(tmp))
        try:
            _fuzz_batch(h)
        finally:
            h.close()


_SETTINGS = fuzz_settings(150)
# Printable path text; quoted, so a segment is one segment (a decoded "/" is another route).
_segment_chars = st.characters(min_codepoint=32, max_codepoint=0x2FFF, blacklist_characters="/")
_header_text = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=30)
_auth = mostly(st.just("good"), st.sampled_from(["none", "Bearer", "Basic abc"]) | _header_text)
_prefer = st.none() | st.sampled_from(["include-statistics=true", "include-render=true", ""]) | _header_text


def _headers(h: Harness, auth: str, prefer: str | None) -> dict[str, str]:
    headers = {"Content-Type": "application/json"}
    if auth == "good":
        headers["Authorization"] = h.good
    elif auth != "none":
        headers["Authorization"] = auth
    if prefer is not None:
        headers["Prefer"] = prefer
    return headers


def _fuzz_query(h: Harness) -> None:
    @_SETTINGS
    @given(
        body=mostly(query_bodies, json_values),
        workspace=mostly(st.just(WS_ID), st.text(_segment_chars, min_size=1, max_size=20).map(quote)),
        auth=_auth,
        prefer=_prefer,
        method=st.sampled_from(["POST", "GET"]),
    )
    def one(body: Any, workspace: str, auth: str, prefer: str | None, method: str) -> None:
        url = f"/query/v1/workspaces/{workspace}/query"
        if method == "GET" and isinstance(body, dict):
            params = {k: v for k, v in body.items() if isinstance(v, str)}
            url = str(httpx.URL(url, params=params))
        r = h.send(method, url, orjson.dumps(body, option=orjson.OPT_NON_STR_KEYS), _headers(h, auth, prefer))
        _check(r)

    one()


def _fuzz_batch(h: Harness) -> None:
    @_SETTINGS
    @given(body=batch_bodies, auth=_auth)
    def one(body: Any, auth: str) -> None:
        r = h.send("POST", "/query/v1/$batch", orjson.dumps(body), _headers(h, auth, None))
        _check(r)
        if r.status_code == 200:
            for item in r.json()["responses"]:
                assert item["status"] in DOCUMENTED and isinstance(item["headers"], dict)

    one()
