"""The template evaluator, pure: expressions, functions, parameters, ordering, outputs (no state, no HTTP).

Function semantics from Microsoft Learn's template function reference; ``guid()`` is UUID v5 over
namespace 11fb06fb-712d-4ddd-98c7-e71bbd588830 of the arguments joined by ``-`` (Bicep's string-functions page).
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from azlogs.emulator.control.template_expr import Env, Scope, TemplateError, evaluate
from azlogs.emulator.control.templates import plan

SCOPE = Scope("sub-1", "tenant-1", "rg-1", "westeurope", "dep-1")
RG = "/subscriptions/sub-1/resourceGroups/rg-1"


def ev(value: Any, **parameters: Any) -> Any:
    return evaluate(value, Env(scope=SCOPE, parameters=parameters, raw_variables={"v": "[toUpper('x')]"}))


class TestExpressions:
    @pytest.mark.parametrize(
        ("expr", "want"),
        [
            ("[concat('a', 'b', string(1))]", "ab1"),
            ("[format('{0}/{1}', 'ws', 'T_CL')]", "ws/T_CL"),
            ("[format('{{0}} {0}', 'x')]", "{0} x"),
            ("[toLower('AbC')]", "abc"),
            ("[variables('v')]", "X"),
            ("['it''s']", "it's"),
            ("[[not an expression]", "[not an expression]"),
            ("plain", "plain"),
            ("[resourceGroup().location]", "westeurope"),
            ("[subscription().subscriptionId]", "sub-1"),
            (
                "[resourceId('Microsoft.Insights/dataCollectionRules', 'd')]",
                f"{RG}/providers/Microsoft.Insights/dataCollectionRules/d",
            ),
            (
                "[resourceId('Microsoft.OperationalInsights/workspaces/tables', 'ws', 'T_CL')]",
                f"{RG}/providers/Microsoft.OperationalInsights/workspaces/ws/tables/T_CL",
            ),
            (
                "[resourceId('other-rg', 'Microsoft.Insights/dataCollectionEndpoints', 'e')]",
                "/subscriptions/sub-1/resourceGroups/other-rg/providers/Microsoft.Insights/dataCollectionEndpoints/e",
            ),
            (
                "[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'r')]",
                "/subscriptions/sub-1/providers/Microsoft.Authorization/roleDefinitions/r",
            ),
            ('[json(\'{"a": {"B": [1, 2]}}\').a.b[1]]', 2),
            ("[json('{\"a\": 1}')['A']]", 1),
            ("[if(equals(1, 1), 'yes', nosuch())]", "yes"),
            ("[length(createArray(1, 2, 3))]", 3),
            ("[add(2, mul(3, 4))]", 14),
            ("[union(createObject('a', 1), createObject('b', 2))]", {"a": 1, "b": 2}),
            ("[empty('')]", True),
            ("[uniqueString('a')]", ev("[uniqueString('a')]")),
        ],
    )
    def test_values(self, expr: str, want: Any) -> None:
        """Each expression evaluates to what ARM's function reference says."""
        assert ev(expr) == want

    def test_guid_is_arms_uuid5(self) -> None:
        """guid(a, b) is UUID v5 of 'a-b' in ARM's namespace: the same names a deployment in Azure gets."""
        ns = uuid.UUID("11fb06fb-712d-4ddd-98c7-e71bbd588830")
        assert ev("[guid('a', 'b')]") == str(uuid.uuid5(ns, "a-b"))

    def test_unique_string_shape(self) -> None:
        """uniqueString is 13 lowercase characters, stable for the same input, different for another."""
        one = ev("[uniqueString(resourceGroup().id)]")
        assert len(one) == 13 and one == one.lower() and one != ev("[uniqueString('other')]")

    @pytest.mark.parametrize(
        ("expr", "words"),
        [
            ("[nosuch()]", "The template function 'nosuch' is not valid"),
            ("[parameters('missing')]", "The template parameter 'missing' is not found"),
            ("[concat('a']", "expected ')'"),
            ("[bare]", "must be a function call"),
            ("[json('{}').x]", "property 'x' doesn't exist"),
            ("[listKeys('x', '2020-01-01')]", "not supported by the azlogs emulator"),
            ("[reference('x')]", "can only be used in resource properties and outputs"),
        ],
    )
    def test_errors(self, expr: str, words: str) -> None:
        """Bad expressions raise TemplateError (ARM's InvalidTemplate) in ARM's words."""
        with pytest.raises(TemplateError) as err:
            ev(expr)
        assert words in err.value.message


def _template(*resources: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"parameters": {}, "resources": list(resources), **extra}


def _plan_and_bodies(template: dict[str, Any]) -> None:
    checked = plan(template, {}, SCOPE)
    for r in checked.resources:
        checked.body(r, lambda *a: None)


class TestPlan:
    def test_depends_on_orders_resources(self) -> None:
        """A resource listed first but depending on a later one is deployed after it; ids and types are full."""
        t = _template(
            {
                "type": "Microsoft.Insights/dataCollectionRules",
                "apiVersion": "2023-03-11",
                "name": "d",
                "dependsOn": ["[resourceId('Microsoft.Insights/dataCollectionEndpoints', 'e')]"],
            },
            {"type": "Microsoft.Insights/dataCollectionEndpoints", "apiVersion": "2023-03-11", "name": "e"},
        )
        p = plan(t, {}, SCOPE)
        assert [r.name for r in p.resources] == ["e", "d"]
        assert p.resources[0].resource_id == f"{RG}/providers/Microsoft.Insights/dataCollectionEndpoints/e"

    def test_short_depends_on_and_nested_children(self) -> None:
        """dependsOn by 'type/name' resolves; nested child resources are flattened with joined names."""
        t = _template(
            {
                "type": "Microsoft.OperationalInsights/workspaces",
                "apiVersion": "2022-10-01",
                "name": "ws",
                "resources": [{"type": "tables", "apiVersion": "2022-10-01", "name": "T_CL"}],
            },
            {
                "type": "Microsoft.Insights/dataCollectionRules",
                "apiVersion": "2023-03-11",
                "name": "d",
                "dependsOn": ["Microsoft.OperationalInsights/workspaces/ws"],
            },
        )
        p = plan(t, {}, SCOPE)
        names = {r.type: r.name for r in p.resources}
        assert names["Microsoft.OperationalInsights/workspaces/tables"] == "ws/T_CL"
        order = [r.type for r in p.resources]
        assert order.index("Microsoft.OperationalInsights/workspaces") < order.index(
            "Microsoft.Insights/dataCollectionRules"
        )

    def test_resource_copy_loop(self) -> None:
        """A copy loop makes count resources named with copyIndex(); dependsOn on the loop's name waits for all."""
        t = _template(
            {
                "type": "Microsoft.Insights/dataCollectionRules",
                "apiVersion": "x",
                "name": "d",
                "dependsOn": ["dceLoop"],
            },
            {
                "type": "Microsoft.Insights/dataCollectionEndpoints",
                "apiVersion": "x",
                "name": "[concat('dce-', copyIndex(1))]",
                "copy": {"name": "dceLoop", "count": "[length(createArray(1, 2, 3))]"},
                "properties": {"description": "[format('copy {0}', copyIndex())]"},
            },
        )
        p = plan(t, {}, SCOPE)
        assert [r.name for r in p.resources] == ["dce-1", "dce-2", "dce-3", "d"]
        assert len(p.resources[-1].depends_on) == 3
        bodies = [p.body(r, lambda *a: None) for r in p.resources[:3]]
        assert [b["properties"]["description"] for b in bodies] == ["copy 0", "copy 1", "copy 2"]
        assert all("copy" not in b for b in bodies)

    def test_property_copy_and_limits(self) -> None:
        """A properties.copy array becomes a list property; counts above 800 and copyIndex() outside a loop fail."""
        props = {
            "copy": [{"name": "items", "count": 2, "input": "[concat('x', copyIndex('items'))]"}],
            "k": 1,
        }
        t = _template(
            {
                "type": "Microsoft.Insights/dataCollectionEndpoints",
                "apiVersion": "x",
                "name": "e",
                "properties": props,
            }
        )
        p = plan(t, {}, SCOPE)
        assert p.body(p.resources[0], lambda *a: None)["properties"] == {"items": ["x0", "x1"], "k": 1}
        big = _template(
            {
                "type": "Microsoft.Insights/dataCollectionEndpoints",
                "apiVersion": "x",
                "name": "e",
                "copy": {"name": "l", "count": 801},
            }
        )
        with pytest.raises(TemplateError, match="from 0 to 800"):
            plan(big, {}, SCOPE)
        with pytest.raises(TemplateError, match="copyIndex' is not expected"):
            ev("[copyIndex()]")
        inner = {"copy": [{"name": "b", "count": 800, "input": 1}]}
        nested = {"copy": [{"name": "a", "count": 800, "input": inner}]}
        deep = _template(
            {
                "type": "Microsoft.Insights/dataCollectionEndpoints",
                "apiVersion": "x",
                "name": "e",
                "properties": nested,
            }
        )
        p = plan(deep, {}, SCOPE)
        with pytest.raises(TemplateError, match="expand to more than"):
            p.body(p.resources[0], lambda *a: None)

    def test_variable_copy(self) -> None:
        """A variables.copy entry defines a list variable; its input may use other variables."""
        t = {
            "variables": {
                "prefix": "n",
                "copy": [
                    {
                        "name": "names",
                        "count": 3,
                        "input": "[concat(variables('prefix'), copyIndex('names'))]",
                    }
                ],
            },
            "resources": [],
            "outputs": {"o": {"type": "array", "value": "[variables('names')]"}},
        }
        assert plan(t, {}, SCOPE).outputs(lambda *a: None) == {
            "o": {"type": "Array", "value": ["n0", "n1", "n2"]}
        }

    def test_condition_false_skips(self) -> None:
        """A resource whose condition is false is not planned."""
        t = _template(
            {
                "type": "Microsoft.Insights/dataCollectionEndpoints",
                "apiVersion": "x",
                "name": "e",
                "condition": "[false()]",
            }
        )
        assert plan(t, {}, SCOPE).resources == []

    @pytest.mark.parametrize(
        ("resource", "words"),
        [
            (
                {"type": "Microsoft.Insights/dataCollectionEndpoints", "apiVersion": "x", "name": "a/b"},
                "incorrect segment lengths",
            ),
            (
                {
                    "type": "Microsoft.Insights/dataCollectionEndpoints",
                    "apiVersion": "x",
                    "name": "e",
                    "dependsOn": ["nope"],
                },
                "is not defined in the template",
            ),
            (
                {
                    "type": "Microsoft.Insights/dataCollectionEndpoints",
                    "apiVersion": "x",
                    "name": "e",
                    "copy": {"count": 2},
                },
                "'copy' needs a 'name'",
            ),
            ({"type": "Microsoft.Insights/dataCollectionEndpoints", "name": "e"}, "missing its 'apiVersion'"),
            (
                {
                    "type": "Microsoft.Insights/dataCollectionEndpoints",
                    "apiVersion": "x",
                    "name": "e",
                    "scope": 0,
                },
                "'scope' that is not a string",
            ),
            (
                {
                    "type": "Microsoft.Insights/dataCollectionEndpoints",
                    "apiVersion": "x",
                    "name": "e",
                    "properties": {"[json('1')]": 1},
                },
                "must evaluate to a string",
            ),
        ],
    )
    def test_resource_problems(self, resource: dict[str, Any], words: str) -> None:
        """Bad names, dangling dependsOn, copy loops, missing keys, non-string scopes and keys are InvalidTemplate."""
        with pytest.raises(TemplateError) as err:
            _plan_and_bodies(_template(resource))
        assert words in err.value.message

    def test_parameters_defaults_types_and_secure(self) -> None:
        """Defaults may be expressions over other parameters; secure values never appear in the rendering."""
        t = {
            "parameters": {
                "name": {"type": "string"},
                "full": {"type": "string", "defaultValue": "[concat(parameters('name'), '-x')]"},
                "count": {"type": "int", "defaultValue": 3, "minValue": 1, "maxValue": 5},
                "secret": {"type": "securestring"},
            },
            "resources": [],
            "outputs": {"o": {"type": "string", "value": "[parameters('full')]"}},
        }
        p = plan(t, {"name": {"value": "n"}, "secret": {"value": "s3cr3t"}}, SCOPE)
        shown = p.rendered_parameters()
        assert shown["full"] == {"type": "String", "value": "n-x"}
        assert shown["count"] == {"type": "Int", "value": 3}
        assert shown["secret"] == {"type": "SecureString"}
        assert p.outputs(lambda *a: None) == {"o": {"type": "String", "value": "n-x"}}
        with pytest.raises(TemplateError, match="greater than the maximum"):
            plan(t, {"name": {"value": "n"}, "secret": {"value": "s"}, "count": {"value": 9}}, SCOPE)

    def test_deep_nesting_is_invalid_template(self) -> None:
        """An expression or template nested beyond Python's recursion limit is InvalidTemplate, not a crash."""
        deep = "[" + "concat(" * 3000 + "'a'" + ")" * 3000 + "]"
        t = {"resources": [], "outputs": {"o": {"type": "string", "value": deep}}}
        with pytest.raises(TemplateError, match="nested too deeply"):
            plan(t, {}, SCOPE).outputs(lambda *a: None)

    def test_doubling_variables_are_stopped(self) -> None:
        """Variables that double themselves (strings by concat, shared arrays by createArray) are refused
        long before memory runs out, as InvalidTemplate."""
        strings = {"v0": "[string('xxxxxxxxxxxxxxxx')]"}
        arrays = {"a0": "[createArray(1)]"}
        for i in range(1, 40):
            strings[f"v{i}"] = f"[concat(variables('v{i - 1}'), variables('v{i - 1}'))]"
            arrays[f"a{i}"] = f"[createArray(variables('a{i - 1}'), variables('a{i - 1}'))]"
        for variables, last in ((strings, "[variables('v39')]"), (arrays, "[string(variables('a39'))]")):
            t = {"variables": variables, "resources": [], "outputs": {"o": {"type": "string", "value": last}}}
            with pytest.raises(TemplateError, match="more than"):
                plan(t, {}, SCOPE).outputs(lambda *a: None)

    def test_language_version_2_refused(self) -> None:
        """Symbolic-name templates (languageVersion 2.0) are refused with a message that says what to use."""
        with pytest.raises(TemplateError, match=r"languageVersion '2\.0' is not supported"):
            plan({"languageVersion": "2.0", "resources": {}}, {}, SCOPE)
