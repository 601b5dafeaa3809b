"""Fuzz of the ingestion endpoint's request parsing, in-process (ASGI): never a 500, never a hang.

Bounded and derandomized, so CI sees the same examples every run. Bodies are random bytes, random
JSON (deep, wide, odd types), gzip of either, truncated or concatenated gzip; headers, encodings,
api-versions, tokens and path segments are random too.
"""

from __future__ import annotations

import asyncio
import gzip
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.unit.emulator import test_ingestion_helpers as helpers
from tests.unit.fuzz.profiles import fuzz_settings

# Every answer the endpoint documents (docs/ingestion.md); a 5xx or anything else fails.
DOCUMENTED = {204, 400, 401, 403, 404, 413, 415, 429}
# One request's time budget; the examples are small, so only a hang reaches it.
HANG = 30.0

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**64 - 1) | st.floats() | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=10), inner, max_size=5),
    max_leaves=30,
)
header_text = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=30)
# A path segment: any text but "/" (a decoded "/" is another route; the router answers that, not the endpoint).
segment_text = st.text(st.characters(blacklist_characters="/"), max_size=20)


def mostly(good: Any, other: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """``good`` eight times in ten, else ``other``: most examples reach the body's parsing."""
    return st.sampled_from([True] * 8 + [False] * 2).flatmap(lambda ok: st.just(good) if ok else other)


def _nested(depth: int) -> bytes:
    return b'[{"Props":' + b"[" * depth + b"1" + b"]" * depth + b"}]"


@st.composite
def bodies(draw: st.DrawFn) -> tuple[bytes, str | None]:
    kind = draw(st.sampled_from(["bytes", "json", "records", "deep", "empty"]))
    if kind == "bytes":
        raw = draw(st.binary(max_size=300))
    elif kind == "json":
        raw = orjson.dumps(draw(json_values))
    elif kind == "records":
        raw = orjson.dumps(
            draw(
                st.lists(
                    st.dictionaries(
                        st.sampled_from(["Computer", "Code", "Props", "TimeGenerated", "x"]),
                        json_values,
                        max_size=4,
                    ),
                    max_size=6,
                )
            )
        )
    elif kind == "deep":
        raw = _nested(draw(st.integers(200, 1100)))
    else:
        raw = b""
    encoding = draw(
        st.sampled_from([None, "gzip", "gzip", "x-gzip", "identity", "br", "deflate", "GZIP"]) | header_text
    )
    if (
        encoding is not None
        and encoding.strip().lower() in ("gzip", "x-gzip")
        and draw(mostly(True, st.just(False)))
    ):
        packed = gzip.compress(raw)
        cut = draw(mostly("whole", st.sampled_from(["truncated", "twice"])))
        if cut == "truncated":
            packed = packed[: draw(st.integers(0, max(0, len(packed) - 1)))]
        elif cut == "twice":
            packed = packed + packed
        raw = packed
    return raw, encoding


class Harness:
    """One emulator app and event loop for all examples (building one per example is slow)."""

    def __init__(self, tmp: Path) -> None:
        self.loop = asyncio.new_event_loop()
        control = helpers.FakeControl()
        control.add_table(helpers.table_schema())
        self.dce = control.add_dce()
        self.dcr = control.add_dcr("r", helpers.rule(dce_id=self.dce.resource_id), self.dce)
        self.ctx = helpers.make_context(tmp, control)
        control.grant(self.ctx.tenant.identity("vm").principal_id, self.dcr.resource_id)
        self.http: httpx.AsyncClient = helpers.client(helpers.make_app(self.ctx))
        self.token = helpers.token(self.ctx)

    def post(self, url: str, content: bytes, headers: dict[str, str]) -> httpx.Response:
        return self.loop.run_until_complete(
            asyncio.wait_for(self.http.post(url, content=content, headers=headers), HANG)
        )

    def close(self) -> None:
        self.loop.run_until_complete(self.http.aclose())
        self.ctx.ingestion.close()
        self.loop.close()


@pytest.mark.slow
def test_ingestion_requests_never_500_and_never_hang() -> None:
    """Random bodies, encodings, headers and paths: every answer is a documented status in the service's shape."""
    with tempfile.TemporaryDirectory() as tmp:
        h = Harness(Path(tmp))
        try:
            _fuzz(h)
        finally:
            h.close()


def _fuzz(h: Harness) -> None:
    @fuzz_settings(200)
    @given(
        body=bodies(),
        dcr=mostly("real", st.just("dcr-unknown") | segment_text),
        stream=mostly("Custom-App", st.just("Custom-X") | segment_text),
        version=mostly("2023-01-01", st.sampled_from(["2021-11-01-preview", None, "bogus"])),
        auth=mostly("good", st.sampled_from(["none", "garbage", "basic"]) | header_text),
        content_type=mostly("application/json", st.sampled_from(["text/plain", None]) | header_text),
        client_request_id=st.none() | header_text,
    )
    def one(
        body: tuple[bytes, str | None],
        dcr: str,
        stream: str,
        version: str | None,
        auth: str,
        content_type: str | None,
        client_request_id: str | None,
    ) -> None:
        raw, encoding = body
        immutable = h.dcr.immutable_id if dcr == "real" else quote(dcr, safe="") or "x"
        segment = quote(stream, safe="") or "x"
        url = f"/dce/{h.dce.path_key}/dataCollectionRules/{immutable}/streams/{segment}"
        if version is not None:
            url += f"?api-version={version}"
        headers: dict[str, Any] = {}
        if auth == "good":
            headers["Authorization"] = f"Bearer {h.token}"
        elif auth == "garbage":
            headers["Authorization"] = "Bearer eyJhbGciOiJub25lIn0.e30."
        elif auth == "basic":
            headers["Authorization"] = "Basic dTpw"
        elif auth != "none":
            headers["Authorization"] = auth
        if encoding is not None:
            headers["Content-Encoding"] = encoding
        if content_type is not None:
            headers["Content-Type"] = content_type
        if client_request_id is not None:
            headers["x-ms-client-request-id"] = client_request_id
        r = h.post(url, raw, headers)
        assert r.status_code in DOCUMENTED, (r.status_code, r.text)
        assert r.headers["x-ms-request-id"]
        if r.status_code != 204:
            error = r.json()["error"]
            assert error["code"] == r.headers["x-ms-error-code"] and error["message"]

    one()
