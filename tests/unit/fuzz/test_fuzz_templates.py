"""Fuzz of template deployments: the pure evaluator raises only TemplateError, the routes never answer 5xx.

Expressions are drawn from ARM's grammar (every function the evaluator knows and some it does not,
nested, with strings, integers, property access) and mixed with raw text; templates put them in
names, types, dependsOn, conditions, parameters, variables, bodies and outputs. Mutations of the
template ``azlogs schema infer --format arm`` writes are sent to the deployments routes in-process.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from azlogs.emulator import server
from azlogs.emulator.control.provision import create_control_plane
from azlogs.emulator.control.routes import routes as arm_routes
from azlogs.emulator.control.template_functions import FUNCTIONS, Scope, TemplateError
from azlogs.emulator.control.templates import plan
from azlogs.emulator.identity.issuer import load_or_create_key
from tests.unit.emulator.test_control_deployments import pipeline_template
from tests.unit.emulator.test_control_state import make_ctx
from tests.unit.fuzz.profiles import fuzz_settings

SCOPE = Scope("sub", "tenant", "rg", "eastus", "dep")
NAMES = [*sorted(FUNCTIONS), "variables", "if", "nosuch", "parameters", "copyIndex"]
text = st.text(st.characters(min_codepoint=1, max_codepoint=0x2FF), max_size=12)


def _quote(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


expr = st.recursive(
    text.map(_quote) | st.integers(-(10**6), 10**6).map(str) | st.sampled_from(["'p'", "'v'", "'a/b'"]),
    lambda inner: (
        st.builds(
            lambda name, args: f"{name}({', '.join(args)})",
            st.sampled_from(NAMES),
            st.lists(inner, max_size=4),
        )
        | st.builds(
            lambda base, prop: f"{base}.{prop}", inner, st.sampled_from(["id", "name", "x", "location"])
        )
        | st.builds(lambda base, key: f"{base}[{key}]", inner, inner)
    ),
    max_leaves=12,
)
value = st.one_of(
    expr.map(lambda e: f"[{e}]"),
    text,
    st.text(st.sampled_from("[]()',.abc "), max_size=16),
    st.integers(-5, 5),
    st.booleans(),
    st.none(),
)
json_value = st.recursive(
    value, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3), max_leaves=10
)
rtypes = st.sampled_from(
    [
        "Microsoft.Insights/dataCollectionRules",
        "Microsoft.OperationalInsights/workspaces/tables",
        "Microsoft.Authorization/roleAssignments",
        "Microsoft.Storage/storageAccounts",
    ]
)
resource = st.fixed_dictionaries(
    {"type": rtypes | value, "apiVersion": st.just("2023-03-11") | value, "name": value},
    optional={
        "dependsOn": st.lists(value, max_size=2) | value,
        "condition": value,
        "properties": json_value,
        "scope": value,
        "resources": st.lists(st.fixed_dictionaries({"type": value, "name": value}), max_size=1),
        "copy": st.fixed_dictionaries(
            {"name": st.just("l") | value, "count": st.integers(-1, 3) | st.just("[copyIndex()]") | value}
        ),
    },
)
template = st.fixed_dictionaries(
    {"resources": st.lists(resource, max_size=3) | json_value},
    optional={
        "parameters": st.dictionaries(
            st.sampled_from(["p", "q"]),
            st.fixed_dictionaries(
                {"type": st.sampled_from(["string", "int", "bool", "object", "array", "securestring", "x"])},
                optional={
                    "defaultValue": json_value,
                    "allowedValues": st.lists(value, max_size=2),
                    "minLength": value,
                },
            ),
            max_size=2,
        ),
        "variables": st.dictionaries(st.sampled_from(["v", "w"]), json_value, max_size=2),
        "outputs": st.dictionaries(
            st.sampled_from(["o"]),
            st.fixed_dictionaries({"type": st.sampled_from(["string", "int", "object"]), "value": value}),
            max_size=1,
        ),
        "languageVersion": value,
    },
)
supplied = st.dictionaries(
    st.sampled_from(["p", "q", "r"]), st.fixed_dictionaries({"value": json_value}) | json_value, max_size=2
)


def _reference(resource_id: str, api_version: str | None, full: bool) -> Any:
    raise TemplateError(f"The Resource '{resource_id}' was not found.")


@fuzz_settings(300)
@given(tpl=template, parameters=supplied)
def test_evaluator_raises_only_template_error(tpl: dict[str, Any], parameters: dict[str, Any]) -> None:
    """Any template and parameters: plan, bodies and outputs either work or raise TemplateError."""
    try:
        checked = plan(tpl, parameters, SCOPE)
        for r in checked.resources:
            checked.body(r, _reference)
        checked.outputs(_reference)
    except TemplateError:
        pass


def _mutations(base: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    paths = [
        ("resources", 0, "name"),
        ("resources", 1, "properties"),
        ("resources", 1, "dependsOn"),
        ("resources", 2, "scope"),
        ("resources", 2, "properties", "principalId"),
        ("outputs", "immutableId", "value"),
        ("parameters", "principalType", "defaultValue"),
        ("variables", "metricsPublisherRoleId"),
    ]

    def mutate(path: tuple[Any, ...], new: Any) -> dict[str, Any]:
        doc = json.loads(json.dumps(base))
        node = doc
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = new
        return doc

    return st.builds(mutate, st.sampled_from(paths), json_value)


@pytest.fixture
def app(tmp_path: Path) -> tuple[Any, str, str]:
    ctx = make_ctx(tmp_path, load_or_create_key(None))
    ctx.control = create_control_plane(ctx, [])
    token, _ = ctx.issuer.mint(ctx.tenant.admin, "https://management.azure.com", 3600)
    url = f"/subscriptions/{ctx.tenant.subscription_id}/resourceGroups/{ctx.tenant.resource_group}/providers/Microsoft.Resources/deployments/fz"
    return server._build_app(ctx, arm_routes(ctx), "https"), url, f"Bearer {token}"


async def _send(asgi: Any, method: str, url: str, token: str, body: bytes) -> int:
    transport = httpx.ASGITransport(app=asgi, client=("127.0.0.1", 5000))
    async with httpx.AsyncClient(transport=transport, base_url="https://127.0.0.1") as client:
        r = await asyncio.wait_for(
            client.request(
                method,
                url,
                params={"api-version": "2024-03-01"},
                headers={"Authorization": token},
                content=body,
            ),
            30.0,
        )
        return r.status_code


def test_deployment_routes_never_answer_5xx(app: tuple[Any, str, str]) -> None:
    """Mutated schema templates, random templates and raw bytes to PUT and validate: always 2xx-4xx."""
    asgi, url, token = app
    base = pipeline_template()

    @fuzz_settings(150)
    @given(
        tpl=_mutations(base) | template,
        parameters=supplied,
        raw=st.none()
        | st.binary(max_size=60)
        | st.text(st.sampled_from('{}[]:,"/*a '), max_size=40).map(str.encode),
        validate=st.booleans(),
    )
    def run(tpl: dict[str, Any], parameters: dict[str, Any], raw: bytes | None, validate: bool) -> None:
        body = (
            raw
            if raw is not None
            else json.dumps({"properties": {"template": tpl, "parameters": parameters}}).encode()
        )
        target, method = (url + "/validate", "POST") if validate else (url, "PUT")
        status = asyncio.run(_send(asgi, method, target, token, body))
        assert 200 <= status < 500, (status, body[:300])

    run()
