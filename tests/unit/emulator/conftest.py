"""Fixtures for the in-process ARM tests: a Context with its control plane, and an ASGI client on the ARM routes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette

from azlogs.emulator.context import Context
from azlogs.emulator.control.provision import create_control_plane
from azlogs.emulator.control.routes import routes
from azlogs.emulator.identity.issuer import SigningKey, load_or_create_key
from tests.unit.emulator.test_control_state import make_ctx


@pytest.fixture(scope="module")
def key() -> SigningKey:
    return load_or_create_key(None)


@pytest.fixture
def ctx(tmp_path: Path, key: SigningKey) -> Context:
    ctx = make_ctx(tmp_path, key)
    ctx.control = create_control_plane(ctx, [])
    return ctx


@pytest.fixture
async def client(ctx: Context) -> AsyncIterator[httpx.AsyncClient]:
    app = Starlette(routes=routes(ctx))
    app.state.ctx = ctx
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://arm.test") as c:
        yield c
