"""Fuzz of the identity endpoints (IMDS, Arc HIMDS, App Service, Automation, Entra) and the ARM routes,
in-process behind the emulator's own middleware: any method, path, query, header and body gets one
of the answers these services document, never a 500 and never a hang.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from azlogs.emulator import server
from azlogs.emulator.context import Context
from azlogs.emulator.control.provision import create_control_plane
from azlogs.emulator.control.routes import routes as arm_routes
from azlogs.emulator.identity import entra, managed
from azlogs.emulator.identity.issuer import load_or_create_key
from azlogs.emulator.identity.managed import ArcChallenges
from tests.unit.emulator.test_control_state import make_ctx
from tests.unit.fuzz.profiles import fuzz_settings

HANG = 30.0
# 2xx/3xx/4xx only: a 5xx is a defect (azure-core retries it, and it hides the request's fault).
ALLOWED = set(range(200, 500))

text = st.text(st.characters(min_codepoint=1, max_codepoint=0x2FFF), max_size=24)
header_value = st.text(st.characters(min_codepoint=32, max_codepoint=255), max_size=40)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**64), 2**64) | st.floats(allow_nan=False) | text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(text, inner, max_size=4),
    max_leaves=20,
)

IDENTITY_PATHS = [
    "/metadata/identity/oauth2/token",
    "/metadata/identity/oauth2/token/",
    "/metadata/identity/info",
    "/arc/metadata/identity/oauth2/token",
    "/appservice/msi/token",
    "/automation/msi/token",
]


def _arm_paths(ctx: Context) -> list[str]:
    sub, rg = ctx.tenant.subscription_id, ctx.tenant.resource_group
    base = f"/subscriptions/{sub}/resourceGroups/{rg}"
    return [
        "/subscriptions",
        f"/subscriptions/{sub}",
        "/tenants",
        "/metadata/endpoints",
        f"{base}",
        f"{base}/providers/Microsoft.Insights/dataCollectionRules/{{name}}",
        f"{base}/providers/Microsoft.Insights/dataCollectionEndpoints/{{name}}",
        f"{base}/providers/Microsoft.OperationalInsights/workspaces/{ctx.tenant.workspace_name}/tables/{{name}}",
        f"{base}/providers/Microsoft.Authorization/roleAssignments/{{name}}",
        f"/{ctx.tenant.tenant_id}/oauth2/v2.0/token",
        f"/{ctx.tenant.tenant_id}/oauth2/token",
        f"/{ctx.tenant.tenant_id}/v2.0/.well-known/openid-configuration",
        "/common/discovery/instance",
        "/{name}",
    ]


@pytest.fixture
def app(tmp_path: Path) -> tuple[Any, list[str], str]:
    ctx = make_ctx(tmp_path, load_or_create_key(None))
    ctx.control = create_control_plane(ctx, [])
    ctx.arc = ArcChallenges(tmp_path, 60.0)
    routes = [*managed.routes(), *entra.routes(), *arm_routes(ctx)]
    admin_token, _ = ctx.issuer.mint(ctx.tenant.admin, "https://management.azure.com", 3600)
    return server._build_app(ctx, routes, "https"), IDENTITY_PATHS + _arm_paths(ctx), f"Bearer {admin_token}"


@st.composite
def requests(draw: st.DrawFn, paths: list[str], admin: str) -> dict[str, Any]:
    path = draw(st.sampled_from(paths)).replace("{name}", quote(draw(text), safe=""))
    params = draw(
        st.dictionaries(
            st.sampled_from(["api-version", "resource", "client_id", "object_id", "mi_res_id", "x"]),
            st.sampled_from(["2018-02-01", "2019-08-01", "2020-06-01", "2023-03-11", "2022-12-01", ""])
            | text,
            max_size=4,
        )
    )
    headers = draw(
        st.dictionaries(
            st.sampled_from(
                ["Metadata", "X-IDENTITY-HEADER", "Authorization", "Content-Type", "X-Forwarded-For"]
            ),
            st.sampled_from(["true", "True", "Bearer x", "Basic x", "application/json"]) | header_value,
            max_size=4,
        )
    )
    if draw(st.booleans()):  # half the requests carry the admin's ARM token, so bodies are parsed
        headers["Authorization"] = admin
    kind = draw(st.sampled_from(["none", "json", "form", "bytes"]))
    body: bytes = b""
    if kind == "json":
        body = json.dumps(draw(json_values | st.fixed_dictionaries({"properties": json_values}))).encode()
    elif kind == "form":
        body = "&".join(
            f"{quote(k)}={quote(v)}" for k, v in draw(st.dictionaries(text, text, max_size=4)).items()
        ).encode()
    elif kind == "bytes":
        body = draw(st.binary(max_size=200))
    # Mostly the method the route serves, so most requests reach its parsing; sometimes any method.
    natural = (
        "POST" if "oauth2/" in path and "metadata" not in path else "PUT" if "/providers/" in path else "GET"
    )
    method = draw(st.sampled_from([natural] * 4 + ["GET", "POST", "PUT", "PATCH", "DELETE"]))
    return {"method": method, "url": path, "params": params, "headers": headers, "content": body}


async def _send(app: Any, request: dict[str, Any]) -> int:
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 5000))
    async with httpx.AsyncClient(transport=transport, base_url="https://127.0.0.1") as client:
        headers = {k: v.encode("latin-1") for k, v in request["headers"].items()}
        r = await asyncio.wait_for(
            client.request(
                request["method"],
                request["url"],
                params=request["params"],
                headers=headers,
                content=request["content"],
            ),
            HANG,
        )
        return r.status_code


def test_identity_and_arm_endpoints_never_answer_5xx(app: tuple[Any, list[str], str]) -> None:
    """Random requests to every identity and ARM route get a 2xx-4xx answer within the hang budget."""
    asgi, paths, admin = app

    @fuzz_settings(200)
    @given(request=requests(paths, admin))
    def run(request: dict[str, Any]) -> None:
        status = asyncio.run(_send(asgi, request))
        assert status in ALLOWED, (status, request)

    run()


GRAPH_PATHS = [
    "/v1.0/directoryObjects/getByIds",
    "/v1.0/servicePrincipals",
    "/v1.0/servicePrincipals/{name}",
    "/v1.0/servicePrincipals(appId='{name}')",
    "/v1.0/directoryObjects/{name}",
    "/beta/{name}",
    "/v1.0/{name}/{name}",
]
filters = st.sampled_from(
    [
        "servicePrincipalNames/any(c:c eq '{v}')",
        "appId eq '{v}'",
        "startswith(displayName,'{v}') and id eq '{v}'",
        "{v}",
    ]
)


@st.composite
def graph_requests(draw: st.DrawFn, token: str) -> dict[str, Any]:
    path = draw(st.sampled_from(GRAPH_PATHS)).replace("{name}", quote(draw(text), safe=""))
    params: dict[str, str] = {}
    if draw(st.booleans()):
        params["$filter"] = draw(filters).replace("{v}", draw(text))
    if draw(st.booleans()):
        params["$select"] = draw(text)
    headers = {"Authorization": token} if draw(st.integers(0, 3)) else {}
    body = b""
    if draw(st.booleans()):
        ids = st.lists(text | st.uuids().map(str), max_size=5)
        shaped = st.fixed_dictionaries(
            {"ids": ids | json_values, "types": st.lists(text, max_size=3) | json_values}
        )
        body = json.dumps(draw(shaped | json_values)).encode()
    elif draw(st.booleans()):
        body = draw(st.binary(max_size=200))
    natural = "POST" if path.endswith("getByIds") else "GET"
    method = draw(st.sampled_from([natural] * 4 + ["GET", "POST", "PATCH", "DELETE"]))
    return {"method": method, "url": path, "params": params, "headers": headers, "content": body}


def test_graph_never_answers_5xx(tmp_path: Path) -> None:
    """Random Graph requests (paths, filters, $select, getByIds bodies, with and without the admin's
    Graph token) get a 2xx-4xx answer within the hang budget."""
    from azlogs.emulator.control import graph

    ctx = make_ctx(tmp_path, load_or_create_key(None))
    ctx.control = create_control_plane(ctx, [])
    asgi = server._build_app(ctx, [*graph.routes(ctx), *entra.routes()], "https")
    token, _ = ctx.issuer.mint(ctx.tenant.admin, ctx.urls.graph, 3600, roles=["Directory.Read.All"])

    @fuzz_settings(150)
    @given(request=graph_requests(f"Bearer {token}"))
    def run(request: dict[str, Any]) -> None:
        status = asyncio.run(_send(asgi, request))
        assert status in ALLOWED, (status, request)

    run()
