"""Request bodies are capped before anyone reads them (issue 12), in-process over the listeners' ASGI apps.

The app is the one the emulator serves (``server._build_app``: request log, body cap, admin check,
faults, routes). The body is fed by a ``receive`` that counts what the app pulled, so the test
measures bytes read, which is what memory grows by.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

from azlogs.emulator import server
from azlogs.emulator.context import Context
from azlogs.emulator.guards import LARGE_BODY_MAX, SMALL_BODY_MAX, body_cap, is_admin_path
from azlogs.emulator.identity import entra
from azlogs.emulator.query import routes as query_routes
from tests.unit.emulator.test_ingestion_helpers import FakeControl, make_context

CHUNK = 1024 * 1024
TOTAL = 48 * CHUNK  # far over every cap; the old code read all of it


class Feed:
    """An ASGI receive() that offers ``TOTAL`` bytes in 1 MiB chunks and counts what was taken."""

    def __init__(self) -> None:
        self.pulled = 0

    async def __call__(self) -> dict[str, Any]:
        if self.pulled >= TOTAL:
            return {"type": "http.disconnect"}
        self.pulled += CHUNK
        return {"type": "http.request", "body": b"x" * CHUNK, "more_body": self.pulled < TOTAL}


async def _post(
    app: Any, path: str, *, declared: bool, headers: tuple[tuple[bytes, bytes], ...] = ()
) -> tuple[int, Any, int]:
    feed = Feed()
    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    hdrs = [(b"content-type", b"application/x-www-form-urlencoded"), *headers]
    if declared:
        hdrs.append((b"content-length", str(TOTAL).encode()))
    else:
        hdrs.append((b"transfer-encoding", b"chunked"))
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "https",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": hdrs,
        "client": ("127.0.0.1", 5000),
        "server": ("127.0.0.1", 443),
    }
    await app(scope, feed, send)
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], orjson.loads(body), feed.pulled


@pytest.fixture
def ctx(tmp_path: Path) -> Context:
    return make_context(tmp_path, FakeControl())


@pytest.fixture
def app(ctx: Context) -> Any:
    routes = [*server._admin_routes(), *entra.routes(), *query_routes(ctx)]
    return server._build_app(ctx, routes, "https")


TENANT_PATHS = ["/{tenant}/oauth2/v2.0/token", "/{tenant}/oauth2/token"]


class TestBodiesAreCappedBeforeReading:
    @pytest.mark.parametrize("declared", [True, False], ids=["content-length", "chunked"])
    @pytest.mark.parametrize(
        "path",
        [
            *TENANT_PATHS,
            "/query/v1/$batch",
            "/query/v1/workspaces/00000000-0000-0000-0000-000000000001/query",
        ],
    )
    async def test_oversized_post_without_credentials_is_413_after_reading_at_most_the_cap(
        self, app: Any, ctx: Context, path: str, declared: bool
    ) -> None:
        """A 48 MiB POST with no credential: refused, the app having pulled no more than cap + one chunk.

        The query endpoint checks the token before it reads, so a streamed body is 401 there, unread.
        """
        path = path.replace("{tenant}", ctx.tenant.tenant_id)
        status, body, pulled = await _post(app, path, declared=declared)
        if path.endswith("/query") and not declared:
            assert (status, pulled) == (401, 0), body
            return
        assert status == 413, body
        cap = body_cap(path)
        assert cap is not None
        assert pulled <= (0 if declared else cap + CHUNK), f"read {pulled} bytes of {TOTAL}"
        if path.startswith("/query/"):
            assert body["error"]["code"] == "RequestEntityTooLarge"
        else:
            assert body["error"] == "invalid_request"  # the OAuth shape MSAL parses

    @pytest.mark.parametrize("declared", [True, False], ids=["content-length", "chunked"])
    async def test_faults_endpoint_reads_nothing_from_a_stranger(self, app: Any, declared: bool) -> None:
        """/_emulator/faults with a huge body and no key: refused (413 or 401) having read at most the cap."""
        status, _, pulled = await _post(app, "/_emulator/faults", declared=declared)
        assert status in (401, 413)
        assert pulled <= SMALL_BODY_MAX + CHUNK

    async def test_faults_endpoint_caps_the_admin_too(self, app: Any, ctx: Context) -> None:
        """Even with the admin key, a body over the cap is 413, read no further than the cap."""
        auth = ((b"authorization", f"Bearer {ctx.admin_key}".encode()),)
        status, body, pulled = await _post(app, "/_emulator/faults", declared=False, headers=auth)
        assert status == 413, body
        assert pulled <= SMALL_BODY_MAX + CHUNK


class TestCaps:
    def test_caps_per_endpoint_group(self) -> None:
        """Small bodies for identity, Entra and admin; larger for ARM and query; ingestion caps its own."""
        assert body_cap("/metadata/identity/oauth2/token") == SMALL_BODY_MAX
        assert body_cap("/t/oauth2/v2.0/token") == SMALL_BODY_MAX
        assert body_cap("/_emulator/faults") == SMALL_BODY_MAX
        assert body_cap("/subscriptions/s/resourceGroups/r") == LARGE_BODY_MAX
        assert body_cap("/query/v1/$batch") == LARGE_BODY_MAX
        assert body_cap("/dce/x/dataCollectionRules/d/streams/s") is None

    def test_admin_paths(self) -> None:
        """Every path under /_emulator (any case) is admin; a look-alike prefix is not."""
        assert (
            is_admin_path("/_emulator") and is_admin_path("/_emulator/rows") and is_admin_path("/_EMULATOR/x")
        )
        assert not is_admin_path("/_emulatorx/rows") and not is_admin_path("/metadata/_emulator/")
